#ifndef VERIDITY_BN254_H
#define VERIDITY_BN254_H
#include <stddef.h>
#include <stdint.h>

/** One pair: G1 x, y then G2 x.c0, x.c1, y.c0, y.c1, each 32 bytes big-endian; all zero = infinity. */
#define BN254_PAIR_BYTES 192

typedef enum {
  BN254_OK = 0,
  BN254_YES = 1,              /* the product of the pairings is 1; the point is in G2 */
  BN254_NO = 2,
  BN254_NOT_CANONICAL = 3,    /* a coordinate >= p */
  BN254_NOT_ON_CURVE = 4,
  BN254_NOT_INITIALISED = 5,
  BN254_OUT_OF_MEMORY = 6,
} bn254_result;

/** Computes the constants; 1 when they check out. */
int bn254_init(void);

/** An element of F_p12 as this library keeps it between calls: opaque, for the same build in the same process only. */
#define BN254_FP12_BYTES 384

/**
 * The product of the Miller loops of `pairs` pairs at `input` (before the final exponentiation),
 * written to `out` (BN254_FP12_BYTES): a factor for bn254_pairing_product_is_one, e.g. a key's fixed pairs.
 */
bn254_result bn254_miller_loop(const uint8_t *input, size_t pairs, uint8_t *out, void *(*alloc)(size_t), void (*release)(void *));

/** One line of a precomputed Miller loop (3 elements of F_p2): opaque, like BN254_FP12_BYTES. */
#define BN254_LINE_BYTES 192

/** The size of a G2 point's precomputed lines (a fixed number of BN254_LINE_BYTES lines; known after bn254_init). */
size_t bn254_lines_bytes(void);

/**
 * The lines of the Miller loop of a fixed G2 point (x.c0, x.c1, y.c0, y.c1, 32 bytes big-endian each)
 * into `out` (bn254_lines_bytes()): its pairings with any G1 point then skip the G2 arithmetic.
 */
bn254_result bn254_precompute_lines(const uint8_t *g2, uint8_t *out);

/**
 * Whether prod_i e(P_i, Q_i) * prod_j e(F_j, G_j) == 1 for `pairs` pairs at `input` and `fixed` G1
 * points F_j at `fixed_points` (64 bytes each; all zero = infinity) paired with the G2 points whose
 * lines are at `fixed_lines` (bn254_lines_bytes() each, one after another), with the Miller loop
 * `factor` (from bn254_miller_loop; NULL for none) multiplied in before the final exponentiation.
 * The product itself (an element of G_T, BN254_FP12_BYTES, opaque like a Miller loop) is written
 * to `product` unless it is NULL. Subgroup membership is the caller's to check (G1 has cofactor 1;
 * G2 points must be in the order-r subgroup).
 */
bn254_result bn254_pairing_product_is_one(const uint8_t *input, size_t pairs, const uint8_t *factor, const uint8_t *fixed_points, const uint8_t *fixed_lines, size_t fixed,
                                          uint8_t *product, void *(*alloc)(size_t), void (*release)(void *));

/** out = dividend / divisor, for two products of bn254_pairing_product_is_one: BN254_YES when that is 1. */
bn254_result bn254_product_quotient(const uint8_t *dividend, const uint8_t *divisor, uint8_t *out);

/**
 * The least k in 1..max with base^k == target, for two products of bn254_pairing_product_is_one;
 * 0 when there is none.
 */
size_t bn254_find_power(const uint8_t *base, const uint8_t *target, size_t max);

/** Whether a G2 point (x.c0, x.c1, y.c0, y.c1, 32 bytes big-endian each) is in the order-r subgroup. */
bn254_result bn254_g2_in_subgroup(const uint8_t *input);

/**
 * out = sum_i scalars[i] * points[i] over `n` G1 points (x, y, 32 bytes big-endian each; all zero =
 * infinity) and scalars (32 bytes big-endian, any 256-bit value), written as 64 bytes (x, y; all
 * zero = infinity). BN254_OK, or why a point was refused (out is then left as it was).
 */
bn254_result bn254_g1_msm(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t *out, void *(*alloc)(size_t), void (*release)(void *));

#endif
