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

/**
 * Whether prod_i e(P_i, Q_i) == 1 for `pairs` pairs at `input`. Subgroup membership is the
 * caller's to check (G1 has cofactor 1; G2 points must be in the order-r subgroup).
 */
bn254_result bn254_pairing_product_is_one(const uint8_t *input, size_t pairs, void *(*alloc)(size_t), void (*release)(void *));

/** Whether a G2 point (x.c0, x.c1, y.c0, y.c1, 32 bytes big-endian each) is in the order-r subgroup. */
bn254_result bn254_g2_in_subgroup(const uint8_t *input);

#endif
