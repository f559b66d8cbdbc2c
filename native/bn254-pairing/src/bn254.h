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

/**
 * Whether prod_i e(P_i, Q_i) == 1 for `pairs` pairs at `input`, with the Miller loop `factor`
 * (from bn254_miller_loop; NULL for none) multiplied in before the final exponentiation.
 * Subgroup membership is the caller's to check (G1 has cofactor 1; G2 points must be in the
 * order-r subgroup).
 */
bn254_result bn254_pairing_product_is_one(const uint8_t *input, size_t pairs, const uint8_t *factor, void *(*alloc)(size_t), void (*release)(void *));

/** Whether a G2 point (x.c0, x.c1, y.c0, y.c1, 32 bytes big-endian each) is in the order-r subgroup. */
bn254_result bn254_g2_in_subgroup(const uint8_t *input);

/**
 * out = sum_i scalars[i] * points[i] over `n` G1 points (x, y, 32 bytes big-endian each; all zero =
 * infinity) and scalars (32 bytes big-endian, any 256-bit value), written as 64 bytes (x, y; all
 * zero = infinity). BN254_OK, or why a point was refused (out is then left as it was).
 */
bn254_result bn254_g1_msm(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t *out, void *(*alloc)(size_t), void (*release)(void *));

#endif
