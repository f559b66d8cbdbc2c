// BN254 (alt_bn128) optimal ate pairing product check, written for this project from the
// curve's definition: F_p in Montgomery form (4 x 64-bit limbs), the tower
// F_p2 = F_p[u]/(u^2 + 1), F_p6 = F_p2[v]/(v^3 - xi) with xi = 9 + u, F_p12 = F_p6[w]/(w^2 - v),
// G2 on the D-type sextic twist y^2 = x^3 + 3/xi. The multi-Miller loop runs in homogeneous
// projective coordinates on the twist (no inversions; sparse line multiplications), or for a fixed
// G2 point over its lines computed once (bn254_precompute_lines, the same arithmetic); the final
// exponentiation is (p^6 - 1)(p^2 + 1), then (p^4 - p^2 + 1)/r written in base p with coefficients
// in x (Scott, Benger, Charlemagne, Dominguez Perez, Kachisa: "On the final exponentiation for
// calculating pairings on ordinary elliptic curves", 2009).
// Constants that are not the curve's own (Montgomery R^2, Frobenius coefficients, exponents) are
// computed at start-up from p, x and xi rather than written down.
#include "bn254.h"

#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

// Add with carry and subtract with borrow: the x86-64 instructions where there are some, else
// 128-bit arithmetic (BN254_PORTABLE_CARRIES forces the latter, so that x86-64 tests it too).
#if defined(__x86_64__) && !defined(BN254_PORTABLE_CARRIES)
#include <x86intrin.h>
static inline unsigned char addc(unsigned char carry, uint64_t a, uint64_t b, uint64_t *out) {
  unsigned long long o;
  carry = _addcarry_u64(carry, a, b, &o);
  *out = o;
  return carry;
}
static inline unsigned char subb(unsigned char borrow, uint64_t a, uint64_t b, uint64_t *out) {
  unsigned long long o;
  borrow = _subborrow_u64(borrow, a, b, &o);
  *out = o;
  return borrow;
}
#else
static inline unsigned char addc(unsigned char carry, uint64_t a, uint64_t b, uint64_t *out) {
  u128 s = (u128)a + b + carry;
  *out = (uint64_t)s;
  return (unsigned char)(s >> 64);
}
static inline unsigned char subb(unsigned char borrow, uint64_t a, uint64_t b, uint64_t *out) {
  u128 d = (u128)a - b - borrow;
  *out = (uint64_t)d;
  return (unsigned char)((d >> 64) & 1);
}
#endif
typedef struct { uint64_t l[4]; } fp;
typedef struct { fp c0, c1; } fp2;
typedef struct { fp2 c0, c1, c2; } fp6;
typedef struct { fp6 c0, c1; } fp12;

// p, little-endian limbs.
static const uint64_t P[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
// The BN parameter x.
static const uint64_t BN_X = 4965661367192848881ULL;

static uint64_t p_inv;  // -p^-1 mod 2^64
static fp r2;           // R^2 mod p (R = 2^256), to enter Montgomery form
static fp fp_one;       // R mod p
static fp2 xi;
static fp2 twist_b;     // 3 / xi
static fp2 twist_b3;    // 3 b'
static fp fp_half;      // 1 / 2
static fp2 frob_w[6];   // xi^(k (p-1)/6): w^(k p) = w^k * frob_w[k]
static fp2 frob_x, frob_y;  // xi^((p-1)/3), xi^((p-1)/2): pi(x, y) = (conj(x) frob_x, conj(y) frob_y) on the twist
static int ready;
static size_t line_steps;  // lines in one pair's Miller loop

/** 6x + 2, whose bits below the leading one (`top`) drive the Miller loop. */
static u128 miller_loop_bits(int *top) {
  const u128 loop = (u128)BN_X * 6 + 2;
  *top = 127;
  while (!((loop >> *top) & 1)) (*top)--;
  return loop;
}

// ---- F_p ----

static int geq_p(const uint64_t a[4]) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] > P[i]) return 1;
    if (a[i] < P[i]) return 0;
  }
  return 1;
}

/** a < 2p to a mod p, without branches (which inputs would make unpredictable). */
static inline void reduce_once(uint64_t out[4], const uint64_t a[4]) {
  uint64_t d0, d1, d2, d3;
  unsigned char borrow = subb(0, a[0], P[0], &d0);
  borrow = subb(borrow, a[1], P[1], &d1);
  borrow = subb(borrow, a[2], P[2], &d2);
  borrow = subb(borrow, a[3], P[3], &d3);
  const uint64_t keep_a = (uint64_t)0 - (uint64_t)borrow;  // all ones when a < p
  out[0] = (a[0] & keep_a) | (d0 & ~keep_a);
  out[1] = (a[1] & keep_a) | (d1 & ~keep_a);
  out[2] = (a[2] & keep_a) | (d2 & ~keep_a);
  out[3] = (a[3] & keep_a) | (d3 & ~keep_a);
}

static inline void fp_add(fp *r, const fp *a, const fp *b) {
  // p < 2^254, so a + b < 2^255 never carries out of 256 bits.
  uint64_t t[4];
  unsigned char carry = addc(0, a->l[0], b->l[0], &t[0]);
  carry = addc(carry, a->l[1], b->l[1], &t[1]);
  carry = addc(carry, a->l[2], b->l[2], &t[2]);
  (void)addc(carry, a->l[3], b->l[3], &t[3]);
  reduce_once(r->l, t);
}

static inline void fp_sub(fp *r, const fp *a, const fp *b) {
  uint64_t t[4];
  unsigned char borrow = subb(0, a->l[0], b->l[0], &t[0]);
  borrow = subb(borrow, a->l[1], b->l[1], &t[1]);
  borrow = subb(borrow, a->l[2], b->l[2], &t[2]);
  borrow = subb(borrow, a->l[3], b->l[3], &t[3]);
  const uint64_t add_p = (uint64_t)0 - (uint64_t)borrow;
  unsigned char carry = addc(0, t[0], P[0] & add_p, &r->l[0]);
  carry = addc(carry, t[1], P[1] & add_p, &r->l[1]);
  carry = addc(carry, t[2], P[2] & add_p, &r->l[2]);
  (void)addc(carry, t[3], P[3] & add_p, &r->l[3]);
}

static int fp_is_zero(const fp *a) { return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0; }

static void fp_neg(fp *r, const fp *a) {
  if (fp_is_zero(a)) {
    *r = *a;
    return;
  }
  fp zero = {{0, 0, 0, 0}};
  fp_sub(r, &zero, a);
}

// Montgomery multiplication, CIOS without the extra carry word: p's top limb is below
// 2^63 - 1, so the running value never needs a fifth limb.
static inline void fp_mul(fp *r, const fp *a, const fp *b) {
  uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
#pragma GCC unroll 4
  for (int i = 0; i < 4; i++) {
    const uint64_t bi = b->l[i];
    u128 s = (u128)a->l[0] * bi + t0;
    uint64_t carry_a = (uint64_t)(s >> 64);
    t0 = (uint64_t)s;
    const uint64_t m = t0 * p_inv;
    u128 c = (u128)m * P[0] + t0;
    uint64_t carry_c = (uint64_t)(c >> 64);

    s = (u128)a->l[1] * bi + t1 + carry_a;
    carry_a = (uint64_t)(s >> 64);
    c = (u128)m * P[1] + (uint64_t)s + carry_c;
    carry_c = (uint64_t)(c >> 64);
    t0 = (uint64_t)c;

    s = (u128)a->l[2] * bi + t2 + carry_a;
    carry_a = (uint64_t)(s >> 64);
    c = (u128)m * P[2] + (uint64_t)s + carry_c;
    carry_c = (uint64_t)(c >> 64);
    t1 = (uint64_t)c;

    s = (u128)a->l[3] * bi + t3 + carry_a;
    carry_a = (uint64_t)(s >> 64);
    c = (u128)m * P[3] + (uint64_t)s + carry_c;
    carry_c = (uint64_t)(c >> 64);
    t2 = (uint64_t)c;

    t3 = carry_c + carry_a;
  }
  const uint64_t out[4] = {t0, t1, t2, t3};
  reduce_once(r->l, out);
}

static void fp_sqr(fp *r, const fp *a) { fp_mul(r, a, a); }

static int fp_eq(const fp *a, const fp *b) { return memcmp(a->l, b->l, sizeof a->l) == 0; }

/** a^e for e given as little-endian limbs, `bits` long. */
static void fp_pow(fp *r, const fp *a, const uint64_t *e, int bits) {
  fp acc = fp_one;
  for (int i = bits - 1; i >= 0; i--) {
    fp_sqr(&acc, &acc);
    if ((e[i / 64] >> (i % 64)) & 1) fp_mul(&acc, &acc, a);
  }
  *r = acc;
}

static void fp_inv(fp *r, const fp *a) {
  uint64_t e[4];
  memcpy(e, P, sizeof e);
  e[0] -= 2;  // p - 2 (p's low limb is far above 2)
  fp_pow(r, a, e, 256);
}

static void fp_from_u64(fp *r, uint64_t v) {
  fp plain = {{v, 0, 0, 0}};
  fp_mul(r, &plain, &r2);
}

// ---- F_p2 ----

static void fp2_add(fp2 *r, const fp2 *a, const fp2 *b) { fp_add(&r->c0, &a->c0, &b->c0); fp_add(&r->c1, &a->c1, &b->c1); }
static void fp2_sub(fp2 *r, const fp2 *a, const fp2 *b) { fp_sub(&r->c0, &a->c0, &b->c0); fp_sub(&r->c1, &a->c1, &b->c1); }
static void fp2_neg(fp2 *r, const fp2 *a) { fp_neg(&r->c0, &a->c0); fp_neg(&r->c1, &a->c1); }
static void fp2_conj(fp2 *r, const fp2 *a) { r->c0 = a->c0; fp_neg(&r->c1, &a->c1); }
static int fp2_eq(const fp2 *a, const fp2 *b) { return fp_eq(&a->c0, &b->c0) && fp_eq(&a->c1, &b->c1); }

static void fp2_mul(fp2 *r, const fp2 *a, const fp2 *b) {
  fp t0, t1, sa, sb, m;
  fp_mul(&t0, &a->c0, &b->c0);
  fp_mul(&t1, &a->c1, &b->c1);
  fp_add(&sa, &a->c0, &a->c1);
  fp_add(&sb, &b->c0, &b->c1);
  fp_mul(&m, &sa, &sb);
  fp_sub(&r->c0, &t0, &t1);
  fp_sub(&m, &m, &t0);
  fp_sub(&r->c1, &m, &t1);
}

static void fp2_sqr(fp2 *r, const fp2 *a) {
  fp s, d, p01;
  fp_add(&s, &a->c0, &a->c1);
  fp_sub(&d, &a->c0, &a->c1);
  fp_mul(&p01, &a->c0, &a->c1);
  fp_mul(&r->c0, &s, &d);
  fp_add(&r->c1, &p01, &p01);
}

static void fp2_mul_fp(fp2 *r, const fp2 *a, const fp *b) { fp_mul(&r->c0, &a->c0, b); fp_mul(&r->c1, &a->c1, b); }

/** a * (9 + u) = (9 a0 - a1) + (a0 + 9 a1) u, by additions. */
static void fp2_mul_xi(fp2 *r, const fp2 *a) {
  fp2 t;
  fp2_add(&t, a, a);
  fp2_add(&t, &t, &t);
  fp2_add(&t, &t, &t);
  fp2_add(&t, &t, a);  // 9a
  fp c0, c1;
  fp_sub(&c0, &t.c0, &a->c1);
  fp_add(&c1, &t.c1, &a->c0);
  r->c0 = c0;
  r->c1 = c1;
}

static void fp2_inv(fp2 *r, const fp2 *a) {
  fp n0, n1, n;
  fp_sqr(&n0, &a->c0);
  fp_sqr(&n1, &a->c1);
  fp_add(&n, &n0, &n1);
  fp_inv(&n, &n);
  fp_mul(&r->c0, &a->c0, &n);
  fp neg1;
  fp_neg(&neg1, &a->c1);
  fp_mul(&r->c1, &neg1, &n);
}

static void fp2_pow(fp2 *r, const fp2 *a, const uint64_t *e, int bits) {
  fp2 acc = {fp_one, {{0, 0, 0, 0}}};
  for (int i = bits - 1; i >= 0; i--) {
    fp2_sqr(&acc, &acc);
    if ((e[i / 64] >> (i % 64)) & 1) fp2_mul(&acc, &acc, a);
  }
  *r = acc;
}

// ---- F_p6 ----

static void fp6_add(fp6 *r, const fp6 *a, const fp6 *b) { fp2_add(&r->c0, &a->c0, &b->c0); fp2_add(&r->c1, &a->c1, &b->c1); fp2_add(&r->c2, &a->c2, &b->c2); }
static void fp6_sub(fp6 *r, const fp6 *a, const fp6 *b) { fp2_sub(&r->c0, &a->c0, &b->c0); fp2_sub(&r->c1, &a->c1, &b->c1); fp2_sub(&r->c2, &a->c2, &b->c2); }
static void fp6_neg(fp6 *r, const fp6 *a) { fp2_neg(&r->c0, &a->c0); fp2_neg(&r->c1, &a->c1); fp2_neg(&r->c2, &a->c2); }

/** (x0 + x1)(y0 + y1) - t0 - t1 with t0 = x0 y0 and t1 = x1 y1: Karatsuba's cross term, x0 y1 + x1 y0. */
static void fp2_cross(fp2 *r, const fp2 *x0, const fp2 *x1, const fp2 *y0, const fp2 *y1, const fp2 *t0, const fp2 *t1) {
  fp2 s, u;
  fp2_add(&s, x0, x1);
  fp2_add(&u, y0, y1);
  fp2_mul(r, &s, &u);
  fp2_sub(r, r, t0);
  fp2_sub(r, r, t1);
}

static void fp6_mul(fp6 *r, const fp6 *a, const fp6 *b) {
  fp2 t0, t1, t2, u, c0, c1, c2;
  fp2_mul(&t0, &a->c0, &b->c0);
  fp2_mul(&t1, &a->c1, &b->c1);
  fp2_mul(&t2, &a->c2, &b->c2);
  // c0 = (a1 b2 + a2 b1) xi + t0
  fp2_cross(&c0, &a->c1, &a->c2, &b->c1, &b->c2, &t1, &t2);
  fp2_mul_xi(&c0, &c0);
  fp2_add(&c0, &c0, &t0);
  // c1 = a0 b1 + a1 b0 + xi t2
  fp2_cross(&c1, &a->c0, &a->c1, &b->c0, &b->c1, &t0, &t1);
  fp2_mul_xi(&u, &t2);
  fp2_add(&c1, &c1, &u);
  // c2 = a0 b2 + a2 b0 + t1
  fp2_cross(&c2, &a->c0, &a->c2, &b->c0, &b->c2, &t0, &t2);
  fp2_add(&c2, &c2, &t1);
  r->c0 = c0;
  r->c1 = c1;
  r->c2 = c2;
}

/** a * v = (xi a2, a0, a1) */
static void fp6_mul_v(fp6 *r, const fp6 *a) {
  fp2 t;
  fp2_mul_xi(&t, &a->c2);
  r->c2 = a->c1;
  r->c1 = a->c0;
  r->c0 = t;
}

static void fp6_inv(fp6 *r, const fp6 *a) {
  fp2 t0, t1, t2, s, d;
  fp2_sqr(&t0, &a->c0);
  fp2_mul(&s, &a->c1, &a->c2);
  fp2_mul_xi(&s, &s);
  fp2_sub(&t0, &t0, &s);  // a0^2 - xi a1 a2
  fp2_sqr(&t1, &a->c2);
  fp2_mul_xi(&t1, &t1);
  fp2_mul(&s, &a->c0, &a->c1);
  fp2_sub(&t1, &t1, &s);  // xi a2^2 - a0 a1
  fp2_sqr(&t2, &a->c1);
  fp2_mul(&s, &a->c0, &a->c2);
  fp2_sub(&t2, &t2, &s);  // a1^2 - a0 a2
  fp2_mul(&d, &a->c2, &t1);
  fp2_mul(&s, &a->c1, &t2);
  fp2_add(&d, &d, &s);
  fp2_mul_xi(&d, &d);
  fp2_mul(&s, &a->c0, &t0);
  fp2_add(&d, &d, &s);
  fp2_inv(&d, &d);
  fp2_mul(&r->c0, &t0, &d);
  fp2_mul(&r->c1, &t1, &d);
  fp2_mul(&r->c2, &t2, &d);
}

// ---- F_p12 ----

static void fp12_set_one(fp12 *r) {
  memset(r, 0, sizeof *r);
  r->c0.c0.c0 = fp_one;
}

static void fp12_mul(fp12 *r, const fp12 *a, const fp12 *b) {
  fp6 t0, t1, s, u, c1;
  fp6_mul(&t0, &a->c0, &b->c0);
  fp6_mul(&t1, &a->c1, &b->c1);
  fp6_add(&s, &a->c0, &a->c1);
  fp6_add(&u, &b->c0, &b->c1);
  fp6_mul(&c1, &s, &u);
  fp6_sub(&c1, &c1, &t0);
  fp6_sub(&c1, &c1, &t1);
  fp6_mul_v(&t1, &t1);
  fp6_add(&r->c0, &t0, &t1);
  r->c1 = c1;
}

static void fp12_sqr(fp12 *r, const fp12 *a) {
  // (a0 + a1 w)^2 = (a0^2 + v a1^2) + 2 a0 a1 w, with a0^2 + v a1^2 = (a0 + a1)(a0 + v a1) - t - v t, t = a0 a1
  fp6 t, s, u, vt;
  fp6_mul(&t, &a->c0, &a->c1);
  fp6_add(&s, &a->c0, &a->c1);
  fp6_mul_v(&u, &a->c1);
  fp6_add(&u, &u, &a->c0);
  fp6_mul(&s, &s, &u);
  fp6_mul_v(&vt, &t);
  fp6_sub(&s, &s, &t);
  fp6_sub(&r->c0, &s, &vt);
  fp6_add(&r->c1, &t, &t);
}

static void fp12_conj(fp12 *r, const fp12 *a) {
  r->c0 = a->c0;
  fp6_neg(&r->c1, &a->c1);
}

static void fp12_inv(fp12 *r, const fp12 *a) {
  // 1 / (a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2)
  fp6 t0, t1;
  fp6_mul(&t0, &a->c0, &a->c0);
  fp6_mul(&t1, &a->c1, &a->c1);
  fp6_mul_v(&t1, &t1);
  fp6_sub(&t0, &t0, &t1);
  fp6_inv(&t0, &t0);
  fp6_mul(&r->c0, &a->c0, &t0);
  fp6_mul(&r->c1, &a->c1, &t0);
  fp6_neg(&r->c1, &r->c1);
}

static int fp12_is_one(const fp12 *a) {
  fp12 one;
  fp12_set_one(&one);
  return memcmp(a, &one, sizeof one) == 0;
}

/**
 * a^p. With a = sum_k a_k w^k (a_k in F_p2; k = 0, 2, 4 from c0 and 1, 3, 5 from c1):
 * (a_k w^k)^p = conj(a_k) w^k w^(k (p - 1)) = conj(a_k) frob_w[k] w^k.
 */
static void fp12_frobenius(fp12 *r, const fp12 *a) {
  fp2 *out[6] = {&r->c0.c0, &r->c1.c0, &r->c0.c1, &r->c1.c1, &r->c0.c2, &r->c1.c2};
  const fp2 *in[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
  for (int k = 0; k < 6; k++) {
    fp2 c;
    fp2_conj(&c, in[k]);
    fp2_mul(out[k], &c, &frob_w[k]);
  }
}

/** a * (b0 + b1 v): five F_p2 multiplications. */
static void fp6_mul_01(fp6 *r, const fp6 *a, const fp2 *b0, const fp2 *b1) {
  fp2 t0, t1, c0, c1, c2;
  fp2_mul(&t0, &a->c0, b0);
  fp2_mul(&t1, &a->c1, b1);
  // c0 = a0 b0 + xi a2 b1
  fp2_mul(&c0, &a->c2, b1);
  fp2_mul_xi(&c0, &c0);
  fp2_add(&c0, &c0, &t0);
  // c1 = a0 b1 + a1 b0
  fp2_cross(&c1, &a->c0, &a->c1, b0, b1, &t0, &t1);
  // c2 = a1 b1 + a2 b0
  fp2_mul(&c2, &a->c2, b0);
  fp2_add(&c2, &c2, &t1);
  r->c0 = c0;
  r->c1 = c1;
  r->c2 = c2;
}

static void fp6_mul_fp2(fp6 *r, const fp6 *a, const fp2 *b) {
  fp2_mul(&r->c0, &a->c0, b);
  fp2_mul(&r->c1, &a->c1, b);
  fp2_mul(&r->c2, &a->c2, b);
}

/**
 * Multiplies f by a line l0 + a w + b w^3 (l0, a, b in F_p2), i.e. L0 = l0 and L1 = a + b v:
 * f L = (f0 L0 + v f1 L1) + (f0 L1 + f1 L0) w.
 */
static void fp12_mul_line(fp12 *f, const fp2 *l0, const fp2 *a, const fp2 *b) {
  fp6 f0l0, f1l1, f0l1, f1l0;
  fp6_mul_fp2(&f0l0, &f->c0, l0);
  fp6_mul_fp2(&f1l0, &f->c1, l0);
  fp6_mul_01(&f1l1, &f->c1, a, b);
  fp6_mul_01(&f0l1, &f->c0, a, b);
  fp6_mul_v(&f1l1, &f1l1);
  fp6_add(&f->c0, &f0l0, &f1l1);
  fp6_add(&f->c1, &f0l1, &f1l0);
}

/**
 * Squaring in the cyclotomic subgroup (Granger, Scott: "Faster squaring in the cyclotomic
 * subgroup of sixth degree extensions", 2010). Seen over F_p4 = F_p2[s]/(s^2 - xi), s = w^3,
 * an element is A + B w + C w^2 with A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s (g_k the
 * coefficient of w^k), and its square is (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3B^2 - 2 conj C) w^2.
 */
static void fp4_sqr(fp2 *r0, fp2 *r1, const fp2 *a0, const fp2 *a1) {
  fp2 t0, t1, s;
  fp2_sqr(&t0, a0);
  fp2_sqr(&t1, a1);
  fp2_add(&s, a0, a1);
  fp2_sqr(&s, &s);
  fp2_sub(&s, &s, &t0);
  fp2_sub(r1, &s, &t1);  // 2 a0 a1
  fp2_mul_xi(&t1, &t1);
  fp2_add(r0, &t0, &t1);  // a0^2 + xi a1^2
}

/** 3x - 2g (sign -1) or 3x + 2g (sign +1): a coefficient of a cyclotomic square. */
static void triple_and_shift(fp2 *r, const fp2 *x, const fp2 *g, int sign) {
  fp2 t;
  if (sign < 0) fp2_sub(&t, x, g);
  else fp2_add(&t, x, g);
  fp2_add(&t, &t, &t);
  fp2_add(r, &t, x);
}

static void fp12_cyclotomic_sqr(fp12 *r, const fp12 *a) {
  const fp2 *g0 = &a->c0.c0, *g1 = &a->c1.c0, *g2 = &a->c0.c1, *g3 = &a->c1.c1, *g4 = &a->c0.c2, *g5 = &a->c1.c2;
  fp2 a0, a1, b0, b1, c0, c1;
  fp4_sqr(&a0, &a1, g0, g3);  // A^2
  fp4_sqr(&b0, &b1, g1, g4);  // B^2
  fp4_sqr(&c0, &c1, g2, g5);  // C^2
  fp2_mul_xi(&c1, &c1);       // s C^2 = xi c1 + c0 s
  fp12 out;
  // A' = 3A^2 - 2 conj(A): (3 a0 - 2 g0) + (3 a1 + 2 g3) s
  triple_and_shift(&out.c0.c0, &a0, g0, -1);
  triple_and_shift(&out.c1.c1, &a1, g3, +1);
  // B' = 3 s C^2 + 2 conj(B): (3 xi c1 + 2 g1) + (3 c0 - 2 g4) s
  triple_and_shift(&out.c1.c0, &c1, g1, +1);
  triple_and_shift(&out.c0.c2, &c0, g4, -1);
  // C' = 3B^2 - 2 conj(C): (3 b0 - 2 g2) + (3 b1 + 2 g5) s
  triple_and_shift(&out.c0.c1, &b0, g2, -1);
  triple_and_shift(&out.c1.c2, &b1, g5, +1);
  *r = out;
}

// ---- curve points ----

static int g1_on_curve(const fp *x, const fp *y) {
  fp lhs, rhs, three;
  fp_sqr(&lhs, y);
  fp_sqr(&rhs, x);
  fp_mul(&rhs, &rhs, x);
  fp_from_u64(&three, 3);
  fp_add(&rhs, &rhs, &three);
  return fp_eq(&lhs, &rhs);
}

static int g2_on_curve(const fp2 *x, const fp2 *y) {
  fp2 lhs, rhs;
  fp2_sqr(&lhs, y);
  fp2_sqr(&rhs, x);
  fp2_mul(&rhs, &rhs, x);
  fp2_add(&rhs, &rhs, &twist_b);
  return fp2_eq(&lhs, &rhs);
}

// ---- set-up ----

/** Divides a little-endian number in place by a small divisor; returns the remainder. */
static uint64_t div_small(uint64_t *n, int limbs, uint64_t divisor) {
  u128 rem = 0;
  for (int i = limbs - 1; i >= 0; i--) {
    u128 cur = (rem << 64) | n[i];
    n[i] = (uint64_t)(cur / divisor);
    rem = cur % divisor;
  }
  return (uint64_t)rem;
}

int bn254_init(void) {
  if (ready) return 1;
  // -p^-1 mod 2^64 by Newton's iteration.
  uint64_t inv = 1;
  for (int i = 0; i < 7; i++) inv *= 2 - P[0] * inv;
  p_inv = (uint64_t)0 - inv;
  // R mod p and R^2 mod p by doubling 1 modulo p (plain arithmetic: fp_add only adds and reduces).
  fp acc = {{1, 0, 0, 0}};
  for (int i = 0; i < 512; i++) {
    fp_add(&acc, &acc, &acc);
    if (i == 255) fp_one = acc;
  }
  r2 = acc;

  fp nine;
  fp_from_u64(&nine, 9);
  xi.c0 = nine;
  xi.c1 = fp_one;
  fp2 three = {{{0}}, {{0}}};
  fp_from_u64(&three.c0, 3);
  fp2 xi_inv;
  fp2_inv(&xi_inv, &xi);
  fp2_mul(&twist_b, &three, &xi_inv);
  fp2_mul(&twist_b3, &twist_b, &three);
  fp two;
  fp_from_u64(&two, 2);
  fp_inv(&fp_half, &two);

  // Frobenius coefficients: xi^((p - 1) / 6) and its powers; (p - 1) / 3 and (p - 1) / 2.
  uint64_t e[4];
  memcpy(e, P, sizeof e);
  e[0] -= 1;
  uint64_t e6[4], e3[4], e2[4];
  memcpy(e6, e, sizeof e);
  memcpy(e3, e, sizeof e);
  memcpy(e2, e, sizeof e);
  if (div_small(e6, 4, 6) != 0 || div_small(e3, 4, 3) != 0 || div_small(e2, 4, 2) != 0) return 0;
  frob_w[0].c0 = fp_one;
  memset(&frob_w[0].c1, 0, sizeof(fp));
  fp2_pow(&frob_w[1], &xi, e6, 256);
  for (int k = 2; k < 6; k++) fp2_mul(&frob_w[k], &frob_w[k - 1], &frob_w[1]);
  fp2_pow(&frob_x, &xi, e3, 256);
  fp2_pow(&frob_y, &xi, e2, 256);

  // One line per bit of 6x + 2 below the leading one, one more per set bit, two for the Frobenius terms.
  int top;
  const u128 loop = miller_loop_bits(&top);
  line_steps = (size_t)top + 2;
  for (int bit = top - 1; bit >= 0; bit--) line_steps += (loop >> bit) & 1;

  ready = 1;
  return 1;
}

// ---- pairing ----

/** a^e for a in the cyclotomic subgroup. */
static void fp12_pow_small(fp12 *r, const fp12 *a, uint64_t e) {
  fp12 acc = *a;
  int top = 63;
  while (!((e >> top) & 1)) top--;
  for (int i = top - 1; i >= 0; i--) {
    fp12_cyclotomic_sqr(&acc, &acc);
    if ((e >> i) & 1) fp12_mul(&acc, &acc, a);
  }
  *r = acc;
}

static void fp12_frobenius_n(fp12 *r, const fp12 *a, int n) {
  *r = *a;
  for (int i = 0; i < n; i++) fp12_frobenius(r, r);
}

/**
 * f^((p^12 - 1) / r). After the easy part f is unitary (its inverse is its conjugate), and the
 * hard part (p^4 - p^2 + 1) / r = l0 + l1 p + l2 p^2 + p^3 with l2 = 6x^2 + 1,
 * l1 = -36x^3 - 18x^2 - 12x + 1, l0 = -36x^3 - 30x^2 - 18x - 2 (checked with exact integers).
 */
static void final_exponentiation(fp12 *r, const fp12 *f) {
  fp12 m, inv, s;
  // easy part: f^(p^6 - 1) = conj(f) / f, then ^(p^2 + 1)
  fp12_conj(&m, f);
  fp12_inv(&inv, f);
  fp12_mul(&m, &m, &inv);
  fp12_frobenius_n(&s, &m, 2);
  fp12_mul(&m, &s, &m);

  fp12 a, b, c;  // m^x, m^(x^2), m^(x^3)
  fp12_pow_small(&a, &m, BN_X);
  fp12_pow_small(&b, &a, BN_X);
  fp12_pow_small(&c, &b, BN_X);
  fp12 c36, b30, b18, b6, a18, a12, m2, t;
  fp12_pow_small(&c36, &c, 36);
  fp12_pow_small(&b30, &b, 30);
  fp12_pow_small(&b18, &b, 18);
  fp12_pow_small(&b6, &b, 6);
  fp12_pow_small(&a18, &a, 18);
  fp12_pow_small(&a12, &a, 12);
  fp12_cyclotomic_sqr(&m2, &m);

  fp12 l0, l1, l2;
  // m^l0 = conj(c^36 b^30 a^18 m^2)
  fp12_mul(&t, &c36, &b30);
  fp12_mul(&t, &t, &a18);
  fp12_mul(&t, &t, &m2);
  fp12_conj(&l0, &t);
  // m^l1 = conj(c^36 b^18 a^12) m
  fp12_mul(&t, &c36, &b18);
  fp12_mul(&t, &t, &a12);
  fp12_conj(&t, &t);
  fp12_mul(&l1, &t, &m);
  // m^l2 = b^6 m
  fp12_mul(&l2, &b6, &m);

  fp12_frobenius_n(&t, &l1, 1);
  fp12_mul(r, &l0, &t);
  fp12_frobenius_n(&t, &l2, 2);
  fp12_mul(r, r, &t);
  fp12_frobenius_n(&t, &m, 3);
  fp12_mul(r, r, &t);
}

typedef struct { fp x, y; } g1_affine;
typedef struct { fp2 x, y; } g2_affine;

/** The untwist-Frobenius-twist endomorphism: pi(x, y) = (conj(x) frob_x, conj(y) frob_y). */
static void g2_affine_psi(g2_affine *r, const g2_affine *a) {
  fp2 c;
  fp2_conj(&c, &a->x);
  fp2_mul(&r->x, &c, &frob_x);
  fp2_conj(&c, &a->y);
  fp2_mul(&r->y, &c, &frob_y);
}

typedef struct { fp2 x, y, z; } g2_projective;

/** A line of the Miller loop as evaluated at P: a y_P + b x_P w + c w^3. Fixed for a fixed Q (precomputed lines). */
typedef struct { fp2 a, b, c; } line;

/** f times the line evaluated at P. */
static void line_at(fp12 *f, const line *l, const g1_affine *p) {
  fp2 l0, w1;
  fp2_mul_fp(&l0, &l->a, &p->y);
  fp2_mul_fp(&w1, &l->b, &p->x);
  fp12_mul_line(f, &l0, &w1, &l->c);
}

/**
 * T = 2T in homogeneous coordinates on the twist, and the tangent at T. The line
 * y_P - lambda x_P w + (lambda x_T - y_T) w^3 (lambda = 3x^2 / 2y), scaled by -2YZ (an
 * F_p2 factor, which the final exponentiation removes), with X^3 = Y^2 Z - b' Z^3:
 * -2YZ y_P + 3X^2 x_P w + (3b' Z^2 - Y^2) w^3. Point formulas: Costello, Lange, Naehrig,
 * "Faster pairing computations on curves with high-degree twists" (2010), as in Aranha et al. 2010.
 */
static void doubling_step(line *l, g2_projective *t) {
  fp2 a, b, c, e, ff, g, h, i, j, tmp, x3, y3, z3;
  fp2_mul(&a, &t->x, &t->y);  // XY (halved below)
  fp2_sqr(&b, &t->y);
  fp2_sqr(&c, &t->z);
  fp2_mul(&e, &c, &twist_b3);  // 3b' Z^2
  fp2_add(&ff, &e, &e);
  fp2_add(&ff, &ff, &e);  // 3E
  fp2_add(&tmp, &t->y, &t->z);
  fp2_sqr(&h, &tmp);
  fp2_sub(&h, &h, &b);
  fp2_sub(&h, &h, &c);  // 2YZ
  fp2_sub(&i, &e, &b);  // 3b' Z^2 - Y^2
  fp2_sqr(&j, &t->x);   // X^2
  // X3 = XY/2 (B - F); Y3 = ((B + F)/2)^2 - 3E^2; Z3 = B H. Halving: multiply by 1/2.
  fp2_sub(&tmp, &b, &ff);
  fp2_mul(&x3, &a, &tmp);
  fp2_mul_fp(&x3, &x3, &fp_half);
  fp2_add(&g, &b, &ff);
  fp2_mul_fp(&g, &g, &fp_half);
  fp2_sqr(&y3, &g);
  fp2_sqr(&tmp, &e);
  fp2_sub(&y3, &y3, &tmp);
  fp2_sub(&y3, &y3, &tmp);
  fp2_sub(&y3, &y3, &tmp);
  fp2_mul(&z3, &b, &h);
  // line: -H y_P + 3J x_P w + I w^3
  fp2_neg(&l->a, &h);
  fp2_add(&l->b, &j, &j);
  fp2_add(&l->b, &l->b, &j);
  l->c = i;
  t->x = x3;
  t->y = y3;
  t->z = z3;
}

/**
 * T = T + Q (Q affine), and the line through T and Q: with theta = Y - y_Q Z and
 * lambda = X - x_Q Z (slope theta / lambda), the line y_P - slope x_P w + (slope x_Q - y_Q) w^3
 * scaled by lambda: lambda y_P - theta x_P w + (theta x_Q - lambda y_Q) w^3.
 */
static void addition_step(line *l, g2_projective *t, const g2_affine *q) {
  fp2 theta, lambda, c, d, e, ff, g, h, tmp, x3, y3, z3;
  fp2_mul(&tmp, &q->y, &t->z);
  fp2_sub(&theta, &t->y, &tmp);
  fp2_mul(&tmp, &q->x, &t->z);
  fp2_sub(&lambda, &t->x, &tmp);
  fp2_sqr(&c, &theta);
  fp2_sqr(&d, &lambda);
  fp2_mul(&e, &d, &lambda);
  fp2_mul(&ff, &t->z, &c);
  fp2_mul(&g, &t->x, &d);
  fp2_add(&h, &e, &ff);
  fp2_sub(&h, &h, &g);
  fp2_sub(&h, &h, &g);
  fp2_mul(&x3, &lambda, &h);
  fp2_sub(&tmp, &g, &h);
  fp2_mul(&y3, &theta, &tmp);
  fp2_mul(&tmp, &t->y, &e);
  fp2_sub(&y3, &y3, &tmp);
  fp2_mul(&z3, &t->z, &e);
  // line
  l->a = lambda;
  fp2_neg(&l->b, &theta);
  fp2_mul(&l->c, &theta, &q->x);
  fp2_mul(&tmp, &lambda, &q->y);
  fp2_sub(&l->c, &l->c, &tmp);
  t->x = x3;
  t->y = y3;
  t->z = z3;
}

/** The pairs whose lines are computed as the loop goes (P_i, Q_i, T_i), and those whose Q's lines were precomputed. */
typedef struct {
  size_t used;
  const g1_affine *p;
  const g2_affine *q;
  g2_projective *t;
  size_t fixed;
  const g1_affine *fixed_p;
  const line **fixed_lines;  // each fixed pair's line_steps lines
  g2_affine *frobenius;     // scratch: pi(Q_i) and -pi^2(Q_i) for the computed pairs (2 used)
} miller_pairs;

static void step(fp12 *f, const miller_pairs *m, size_t index, int addition, const g2_affine *added, line *record) {
  line l;
  for (size_t i = 0; i < m->used; i++) {
    if (addition) addition_step(&l, &m->t[i], &added[i]);
    else doubling_step(&l, &m->t[i]);
    if (record) record[index] = l;
    line_at(f, &l, &m->p[i]);
  }
  for (size_t j = 0; j < m->fixed; j++) line_at(f, &m->fixed_lines[j][index], &m->fixed_p[j]);
}

/**
 * f = prod of the pairs' Miller loops f_{6x+2,Q}(P), each with its two Frobenius lines, sharing one
 * squaring of f per step. With `record`, the lines of the one computed pair are written there in
 * loop order (line_steps of them): that pair's Q as a fixed pair from then on.
 */
static void miller_loop_over(fp12 *f, const miller_pairs *m, line *record) {
  fp12_set_one(f);
  size_t index = 0;
  int top;
  const u128 loop = miller_loop_bits(&top);
  for (int bit = top - 1; bit >= 0; bit--) {
    if (bit != top - 1) fp12_sqr(f, f);
    step(f, m, index++, 0, NULL, record);
    if ((loop >> bit) & 1) step(f, m, index++, 1, m->q, record);
  }
  // f times l_{T, pi(Q)}(P) l_{T + pi(Q), -pi^2(Q)}(P).
  g2_affine *q1 = m->frobenius, *q2 = m->frobenius + m->used;
  for (size_t i = 0; i < m->used; i++) {
    g2_affine_psi(&q1[i], &m->q[i]);
    g2_affine_psi(&q2[i], &q1[i]);
    fp2_neg(&q2[i].y, &q2[i].y);
  }
  step(f, m, index++, 1, q1, record);
  step(f, m, index, 1, q2, record);
}

static void fp_from_be(fp *r, const uint8_t *bytes) {
  for (int i = 0; i < 4; i++) {
    uint64_t limb = 0;
    for (int j = 0; j < 8; j++) limb = (limb << 8) | bytes[(3 - i) * 8 + j];
    r->l[i] = limb;
  }
}

/** Reads a canonical field element (< p) into Montgomery form. */
static int read_fp(fp *r, const uint8_t *bytes) {
  fp plain;
  fp_from_be(&plain, bytes);
  if (geq_p(plain.l)) return 0;
  fp_mul(r, &plain, &r2);
  return 1;
}

static int all_zero(const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) if (bytes[i]) return 0;
  return 1;
}

/** Reads a G1 point (x, y: 64 bytes); 0 for the point at infinity (all zeros: its pairings are 1), else BN254_OK or why it was refused. */
static int read_g1(g1_affine *p, const uint8_t *in, bn254_result *result) {
  if (all_zero(in, 64)) return 0;
  if (!read_fp(&p->x, in) || !read_fp(&p->y, in + 32)) *result = BN254_NOT_CANONICAL;
  else if (!g1_on_curve(&p->x, &p->y)) *result = BN254_NOT_ON_CURVE;
  return 1;
}

/**
 * f = prod of the Miller loops of `pairs` pairs at `input` and of `fixed` G1 points at `fixed_points`
 * (64 bytes each) with precomputed lines (`fixed_lines`, from bn254_precompute_lines); BN254_OK or
 * why a point was refused.
 */
static bn254_result multi_miller_loop(fp12 *f, const uint8_t *input, size_t pairs, const uint8_t *fixed_points, const uint8_t *fixed_lines, size_t fixed,
                                      void *(*alloc)(size_t), void (*release)(void *)) {
  if (!ready) return BN254_NOT_INITIALISED;
  size_t bytes = pairs * (sizeof(g1_affine) + 3 * sizeof(g2_affine) + sizeof(g2_projective)) + fixed * (sizeof(g1_affine) + sizeof(line *));
  uint8_t *memory = alloc(bytes > 0 ? bytes : 1);
  if (!memory) return BN254_OUT_OF_MEMORY;
  g1_affine *p = (g1_affine *)memory;
  g2_affine *q = (g2_affine *)(p + pairs);
  g2_affine *frobenius = q + pairs;
  g2_projective *t = (g2_projective *)(frobenius + 2 * pairs);
  g1_affine *fixed_p = (g1_affine *)(t + pairs);
  const line **lines = (const line **)(fixed_p + fixed);

  size_t used = 0, fixed_used = 0;
  bn254_result result = BN254_OK;
  for (size_t i = 0; i < pairs && result == BN254_OK; i++) {
    const uint8_t *in = input + i * BN254_PAIR_BYTES;
    // (0, 0) is on neither curve: it stands for the point at infinity, whose pairing is 1.
    if (all_zero(in + 64, 128) || !read_g1(&p[used], in, &result)) continue;
    if (result != BN254_OK) break;
    g2_affine *qi = &q[used];
    if (!read_fp(&qi->x.c0, in + 64) || !read_fp(&qi->x.c1, in + 96) || !read_fp(&qi->y.c0, in + 128) || !read_fp(&qi->y.c1, in + 160)) {
      result = BN254_NOT_CANONICAL;
      break;
    }
    if (!g2_on_curve(&qi->x, &qi->y)) {
      result = BN254_NOT_ON_CURVE;
      break;
    }
    t[used].x = qi->x;
    t[used].y = qi->y;
    t[used].z.c0 = fp_one;
    memset(&t[used].z.c1, 0, sizeof(fp));
    used++;
  }
  for (size_t j = 0; j < fixed && result == BN254_OK; j++) {
    // A fixed pair whose point is at infinity is left out, and its lines with it.
    if (!read_g1(&fixed_p[fixed_used], fixed_points + j * 64, &result) || result != BN254_OK) continue;
    lines[fixed_used++] = (const line *)(fixed_lines + j * line_steps * sizeof(line));
  }
  if (result == BN254_OK) {
    miller_pairs m = {used, p, q, t, fixed_used, fixed_p, lines, frobenius};
    miller_loop_over(f, &m, NULL);
  }
  release(memory);
  return result;
}

_Static_assert(sizeof(fp12) == BN254_FP12_BYTES, "an F_p12 element is 12 Montgomery field elements");
_Static_assert(sizeof(line) == BN254_LINE_BYTES, "a line is 3 F_p2 elements");

size_t bn254_lines_bytes(void) { return line_steps * sizeof(line); }

bn254_result bn254_precompute_lines(const uint8_t *g2, uint8_t *out) {
  if (!ready) return BN254_NOT_INITIALISED;
  g2_affine q, frobenius[2];
  if (!read_fp(&q.x.c0, g2) || !read_fp(&q.x.c1, g2 + 32) || !read_fp(&q.y.c0, g2 + 64) || !read_fp(&q.y.c1, g2 + 96)) return BN254_NOT_CANONICAL;
  if (!g2_on_curve(&q.x, &q.y)) return BN254_NOT_ON_CURVE;
  g2_projective t = {q.x, q.y, {fp_one, {{0}}}};
  g1_affine any = {fp_one, fp_one};  // the lines do not depend on P; the f computed beside them is dropped
  miller_pairs m = {1, &any, &q, &t, 0, NULL, NULL, frobenius};
  fp12 f;
  miller_loop_over(&f, &m, (line *)out);
  return BN254_OK;
}

bn254_result bn254_miller_loop(const uint8_t *input, size_t pairs, uint8_t *out, void *(*alloc)(size_t), void (*release)(void *)) {
  fp12 f;
  bn254_result result = multi_miller_loop(&f, input, pairs, NULL, NULL, 0, alloc, release);
  if (result == BN254_OK) memcpy(out, &f, sizeof f);
  return result;
}

bn254_result bn254_pairing_product_is_one(const uint8_t *input, size_t pairs, const uint8_t *factor, const uint8_t *fixed_points, const uint8_t *fixed_lines, size_t fixed,
                                          uint8_t *product, void *(*alloc)(size_t), void (*release)(void *)) {
  fp12 f;
  bn254_result result = multi_miller_loop(&f, input, pairs, fixed_points, fixed_lines, fixed, alloc, release);
  if (result != BN254_OK) return result;
  if (factor) {
    fp12 g;
    memcpy(&g, factor, sizeof g);
    fp12_mul(&f, &f, &g);
  }
  fp12 out;
  final_exponentiation(&out, &f);
  if (product) memcpy(product, &out, sizeof out);
  return fp12_is_one(&out) ? BN254_YES : BN254_NO;
}

bn254_result bn254_product_quotient(const uint8_t *dividend, const uint8_t *divisor, uint8_t *out) {
  fp12 a, b;
  memcpy(&a, dividend, sizeof a);
  memcpy(&b, divisor, sizeof b);
  fp12_conj(&b, &b);  // the inverse, for the elements of the cyclotomic subgroup final exponentiations land in
  fp12_mul(&a, &a, &b);
  memcpy(out, &a, sizeof a);
  return fp12_is_one(&a) ? BN254_YES : BN254_NO;
}

size_t bn254_find_power(const uint8_t *base, const uint8_t *target, size_t max) {
  fp12 b, power;
  memcpy(&b, base, sizeof b);
  power = b;
  for (size_t k = 1; k <= max; k++) {
    // Values of the same build are kept canonical (fully reduced, Montgomery form): equal iff equal bytes.
    if (memcmp(&power, target, sizeof power) == 0) return k;
    fp12_mul(&power, &power, &b);
  }
  return 0;
}

// ---- Jacobian arithmetic, on G1 (over F_p) and on the twist (over F_p2) ----

static int fp2_is_zero(const fp2 *a) { return fp_is_zero(&a->c0) && fp_is_zero(&a->c1); }

/*
 * Jacobian coordinates (X / Z^2, Y / Z^3), Z = 0 the point at infinity, on y^2 = x^3 + b over the
 * field F (fp or fp2; b does not enter these formulas): <g>_is_infinity, <g>_dbl (dbl-2009-l,
 * a = 0), <g>_add (add-2007-bl, with every special case: either point at infinity, A = B, A = -B,
 * since inputs may be any point on the curve) and <g>_eq. One template for both groups.
 */
#define JACOBIAN_ARITHMETIC(g, F)                                                    \
  typedef struct { F x, y, z; } g##_jacobian;                                        \
                                                                                     \
  static int g##_is_infinity(const g##_jacobian *a) { return F##_is_zero(&a->z); }   \
                                                                                     \
  static void g##_dbl(g##_jacobian *r, const g##_jacobian *a) {                      \
    F aa, b, c, d, e, f, t, x3, y3, z3;                                              \
    F##_sqr(&aa, &a->x);                                                             \
    F##_sqr(&b, &a->y);                                                              \
    F##_sqr(&c, &b);                                                                 \
    F##_add(&t, &a->x, &b);                                                          \
    F##_sqr(&d, &t);                                                                 \
    F##_sub(&d, &d, &aa);                                                            \
    F##_sub(&d, &d, &c);                                                             \
    F##_add(&d, &d, &d);                                                             \
    F##_add(&e, &aa, &aa);                                                           \
    F##_add(&e, &e, &aa);                                                            \
    F##_sqr(&f, &e);                                                                 \
    F##_sub(&x3, &f, &d);                                                            \
    F##_sub(&x3, &x3, &d);                                                           \
    F##_sub(&t, &d, &x3);                                                            \
    F##_mul(&y3, &e, &t);                                                            \
    F##_add(&c, &c, &c);                                                             \
    F##_add(&c, &c, &c);                                                             \
    F##_add(&c, &c, &c);                                                             \
    F##_sub(&y3, &y3, &c);                                                           \
    F##_mul(&z3, &a->y, &a->z);                                                      \
    F##_add(&z3, &z3, &z3);                                                          \
    r->x = x3;                                                                       \
    r->y = y3;                                                                       \
    r->z = z3;                                                                       \
  }                                                                                  \
                                                                                     \
  static void g##_add(g##_jacobian *r, const g##_jacobian *a, const g##_jacobian *b) { \
    if (g##_is_infinity(a)) {                                                        \
      *r = *b;                                                                       \
      return;                                                                        \
    }                                                                                \
    if (g##_is_infinity(b)) {                                                        \
      *r = *a;                                                                       \
      return;                                                                        \
    }                                                                                \
    F z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t, x3, y3, z3;                     \
    F##_sqr(&z1z1, &a->z);                                                           \
    F##_sqr(&z2z2, &b->z);                                                           \
    F##_mul(&u1, &a->x, &z2z2);                                                      \
    F##_mul(&u2, &b->x, &z1z1);                                                      \
    F##_mul(&s1, &a->y, &b->z);                                                      \
    F##_mul(&s1, &s1, &z2z2);                                                        \
    F##_mul(&s2, &b->y, &a->z);                                                      \
    F##_mul(&s2, &s2, &z1z1);                                                        \
    F##_sub(&h, &u2, &u1);                                                           \
    F##_sub(&rr, &s2, &s1);                                                          \
    if (F##_is_zero(&h)) {                                                           \
      if (F##_is_zero(&rr)) {                                                        \
        g##_dbl(r, a);                                                               \
      } else {                                                                       \
        memset(r, 0, sizeof *r); /* A = -B */                                        \
      }                                                                              \
      return;                                                                        \
    }                                                                                \
    F##_add(&i, &h, &h);                                                             \
    F##_sqr(&i, &i);                                                                 \
    F##_mul(&j, &h, &i);                                                             \
    F##_add(&rr, &rr, &rr);                                                          \
    F##_mul(&v, &u1, &i);                                                            \
    F##_sqr(&x3, &rr);                                                               \
    F##_sub(&x3, &x3, &j);                                                           \
    F##_sub(&x3, &x3, &v);                                                           \
    F##_sub(&x3, &x3, &v);                                                           \
    F##_sub(&t, &v, &x3);                                                            \
    F##_mul(&y3, &rr, &t);                                                           \
    F##_mul(&t, &s1, &j);                                                            \
    F##_add(&t, &t, &t);                                                             \
    F##_sub(&y3, &y3, &t);                                                           \
    F##_add(&t, &a->z, &b->z);                                                       \
    F##_sqr(&z3, &t);                                                                \
    F##_sub(&z3, &z3, &z1z1);                                                        \
    F##_sub(&z3, &z3, &z2z2);                                                        \
    F##_mul(&z3, &z3, &h);                                                           \
    r->x = x3;                                                                       \
    r->y = y3;                                                                       \
    r->z = z3;                                                                       \
  }                                                                                  \
                                                                                     \
  static inline int g##_eq(const g##_jacobian *a, const g##_jacobian *b) {           \
    int inf_a = g##_is_infinity(a), inf_b = g##_is_infinity(b);                      \
    if (inf_a || inf_b) return inf_a && inf_b;                                       \
    F z1z1, z2z2, l, r;                                                              \
    F##_sqr(&z1z1, &a->z);                                                           \
    F##_sqr(&z2z2, &b->z);                                                           \
    F##_mul(&l, &a->x, &z2z2);                                                       \
    F##_mul(&r, &b->x, &z1z1);                                                       \
    if (!F##_eq(&l, &r)) return 0;                                                   \
    F##_mul(&l, &a->y, &z2z2);                                                       \
    F##_mul(&l, &l, &b->z);                                                          \
    F##_mul(&r, &b->y, &z1z1);                                                       \
    F##_mul(&r, &r, &a->z);                                                          \
    return F##_eq(&l, &r);                                                           \
  }

JACOBIAN_ARITHMETIC(g1, fp)
JACOBIAN_ARITHMETIC(g2, fp2)

// ---- G2 subgroup membership ----

/** psi(X : Y : Z) = (conj(X) frob_x : conj(Y) frob_y : conj(Z)): the same map in Jacobian coordinates. */
static void g2_psi(g2_jacobian *r, const g2_jacobian *a) {
  const g2_affine xy = {a->x, a->y};
  g2_affine mapped;
  g2_affine_psi(&mapped, &xy);
  r->x = mapped.x;
  r->y = mapped.y;
  fp2_conj(&r->z, &a->z);
}

bn254_result bn254_g2_in_subgroup(const uint8_t *input) {
  if (!ready) return BN254_NOT_INITIALISED;
  g2_jacobian q;
  if (!read_fp(&q.x.c0, input) || !read_fp(&q.x.c1, input + 32) || !read_fp(&q.y.c0, input + 64) || !read_fp(&q.y.c1, input + 96)) return BN254_NOT_CANONICAL;
  if (!g2_on_curve(&q.x, &q.y)) return BN254_NOT_ON_CURVE;
  q.z.c0 = fp_one;
  memset(&q.z.c1, 0, sizeof(fp));
  // Q in G2 <=> [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q) (Dai, Lin, Zhao, Zhou, ePrint
  // 2022/348, for BN curves with x != 4 mod 13 and x != 92 mod 97; the same check as mcl-bn254.ts).
  g2_jacobian xq = q, lhs, s, rhs;
  for (int bit = 61; bit >= 0; bit--) {  // x has 63 bits: its leading one is q itself
    g2_dbl(&xq, &xq);
    if ((BN_X >> bit) & 1) g2_add(&xq, &xq, &q);
  }
  g2_add(&lhs, &xq, &q);
  g2_psi(&s, &xq);
  g2_add(&lhs, &lhs, &s);
  g2_psi(&s, &s);
  g2_add(&lhs, &lhs, &s);
  g2_dbl(&rhs, &xq);
  g2_psi(&rhs, &rhs);
  g2_psi(&rhs, &rhs);
  g2_psi(&rhs, &rhs);
  return g2_eq(&lhs, &rhs) ? BN254_YES : BN254_NO;
}

// ---- G1 multi-scalar multiplication ----

/** Montgomery form back to 32 bytes big-endian. */
static void write_fp(uint8_t *bytes, const fp *a) {
  static const fp plain_one = {{1, 0, 0, 0}};
  fp plain;
  fp_mul(&plain, a, &plain_one);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 8; j++) bytes[(3 - i) * 8 + j] = (uint8_t)(plain.l[i] >> (56 - 8 * j));
}

/** Window `w` (4 bits, 0 the least significant) of a 32-byte big-endian scalar. */
static unsigned nibble(const uint8_t *scalar, int w) {
  uint8_t byte = scalar[31 - w / 2];
  return w % 2 ? byte >> 4 : byte & 15;
}

#define MSM_WINDOWS 64   /* 256 bits in 4-bit windows */
#define MSM_TABLE 15     /* [1]P .. [15]P */

bn254_result bn254_g1_msm(const uint8_t *points, const uint8_t *scalars, size_t n, uint8_t *out, void *(*alloc)(size_t), void (*release)(void *)) {
  if (!ready) return BN254_NOT_INITIALISED;
  g1_jacobian *tables = alloc(n > 0 ? n * MSM_TABLE * sizeof(g1_jacobian) : 1);
  if (!tables) return BN254_OUT_OF_MEMORY;
  bn254_result result = BN254_OK;
  int top = -1;  // the highest window with a non-zero digit, over every scalar
  for (size_t i = 0; i < n && result == BN254_OK; i++) {
    g1_jacobian *table = tables + i * MSM_TABLE;
    const uint8_t *in = points + i * 64;
    if (all_zero(in, 64)) {  // the point at infinity: its table stays at infinity
      memset(table, 0, MSM_TABLE * sizeof(g1_jacobian));
      continue;
    }
    if (!read_fp(&table[0].x, in) || !read_fp(&table[0].y, in + 32)) result = BN254_NOT_CANONICAL;
    else if (!g1_on_curve(&table[0].x, &table[0].y)) result = BN254_NOT_ON_CURVE;
    else {
      table[0].z = fp_one;
      for (int k = 1; k < MSM_TABLE; k++) g1_add(&table[k], &table[k - 1], &table[0]);
      for (int w = MSM_WINDOWS - 1; w > top; w--)
        if (nibble(scalars + i * 32, w)) top = w;
    }
  }
  if (result == BN254_OK) {
    // Straus: the doublings are shared by every point, each window adds one table entry per point.
    g1_jacobian acc;
    memset(&acc, 0, sizeof acc);
    for (int w = top; w >= 0; w--) {
      if (w != top)
        for (int d = 0; d < 4; d++) g1_dbl(&acc, &acc);
      for (size_t i = 0; i < n; i++) {
        unsigned digit = nibble(scalars + i * 32, w);
        if (digit) g1_add(&acc, &acc, &tables[i * MSM_TABLE + digit - 1]);
      }
    }
    memset(out, 0, 64);
    if (!g1_is_infinity(&acc)) {
      fp zinv, zinv2, x, y;
      fp_inv(&zinv, &acc.z);
      fp_sqr(&zinv2, &zinv);
      fp_mul(&x, &acc.x, &zinv2);
      fp_mul(&y, &acc.y, &zinv2);
      fp_mul(&y, &y, &zinv);
      write_fp(out, &x);
      write_fp(out + 32, &y);
    }
  }
  release(tables);
  return result;
}
