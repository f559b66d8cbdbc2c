// Node-API binding, each function -> number (a bn254_result): pairingProductIsOne(pairs, factor,
// fixedPoints?, fixedLines?, product?) (an empty factor for none, an empty product for no copy),
// millerLoop(pairs, out), precomputeLines(point, out), g2InSubgroup(point) and g1MultiScalarMul(points,
// scalars, out) and productQuotient(dividend, divisor, out), every argument a Uint8Array; findPower(base,
// target, max) -> k (0 for none); and linesBytes, the size of one point's precomputed lines.
// Plain Node-API (ABI-stable), so one build serves every Node version of the project.
#include <node_api.h>
#include <stdlib.h>

#include "bn254.h"

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/**
 * The bytes of the Uint8Array arguments, `required` of them and up to `count` (data may be NULL
 * when empty); how many were given, or 0 with a TypeError thrown.
 */
static size_t bytes_arguments(napi_env env, napi_callback_info info, size_t required, size_t count, uint8_t **data, size_t *lengths) {
  size_t argc = 5;
  napi_value argv[5];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < required || argc > count) {
    throw_type_error(env, "wrong number of arguments");
    return 0;
  }
  for (size_t i = 0; i < argc; i++) {
    napi_typedarray_type type;
    void *raw;
    if (napi_get_typedarray_info(env, argv[i], &type, &lengths[i], &raw, NULL, NULL) != napi_ok || type != napi_uint8_array) {
      throw_type_error(env, "expected Uint8Arrays");
      return 0;
    }
    data[i] = (uint8_t *)raw;
  }
  return argc;
}

static napi_value result_value(napi_env env, bn254_result result) {
  napi_value out;
  napi_create_uint32(env, (uint32_t)result, &out);
  return out;
}

static napi_value pairing_product_is_one(napi_env env, napi_callback_info info) {
  size_t lengths[5] = {0, 0, 0, 0, 0};
  uint8_t *data[5] = {NULL, NULL, NULL, NULL, NULL};
  if (!bytes_arguments(env, info, 2, 5, data, lengths)) return NULL;
  if (lengths[0] % BN254_PAIR_BYTES != 0) return throw_type_error(env, "the input is not a whole number of 192-byte pairs");
  if (lengths[1] != 0 && lengths[1] != BN254_FP12_BYTES) return throw_type_error(env, "a Miller loop factor is 384 bytes (or empty for none)");
  size_t fixed = lengths[2] / 64;
  if (lengths[2] % 64 != 0 || lengths[3] != fixed * bn254_lines_bytes()) return throw_type_error(env, "expected n 64-byte G1 points and n points' precomputed lines");
  if (lengths[4] != 0 && lengths[4] != BN254_FP12_BYTES) return throw_type_error(env, "a product is 384 bytes (or empty for none)");
  return result_value(env, bn254_pairing_product_is_one(data[0], lengths[0] / BN254_PAIR_BYTES, lengths[1] ? data[1] : NULL, data[2], data[3], fixed, lengths[4] ? data[4] : NULL, malloc, free));
}

static napi_value product_quotient(napi_env env, napi_callback_info info) {
  size_t lengths[3];
  uint8_t *data[3];
  if (!bytes_arguments(env, info, 3, 3, data, lengths)) return NULL;
  if (lengths[0] != BN254_FP12_BYTES || lengths[1] != BN254_FP12_BYTES || lengths[2] != BN254_FP12_BYTES) return throw_type_error(env, "expected three 384-byte products");
  return result_value(env, bn254_product_quotient(data[0], data[1], data[2]));
}

static napi_value find_power(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) return throw_type_error(env, "wrong number of arguments");
  uint8_t *data[2];
  for (size_t i = 0; i < 2; i++) {
    napi_typedarray_type type;
    size_t length;
    void *raw;
    if (napi_get_typedarray_info(env, argv[i], &type, &length, &raw, NULL, NULL) != napi_ok || type != napi_uint8_array || length != BN254_FP12_BYTES) {
      return throw_type_error(env, "expected two 384-byte products");
    }
    data[i] = (uint8_t *)raw;
  }
  uint32_t max;
  if (napi_get_value_uint32(env, argv[2], &max) != napi_ok) return throw_type_error(env, "expected a maximum power");
  return result_value(env, (bn254_result)bn254_find_power(data[0], data[1], max));
}

static napi_value precompute_lines(napi_env env, napi_callback_info info) {
  size_t lengths[2];
  uint8_t *data[2];
  if (!bytes_arguments(env, info, 2, 2, data, lengths)) return NULL;
  if (lengths[0] != 128 || lengths[1] != bn254_lines_bytes()) return throw_type_error(env, "expected a 128-byte G2 point and room for its lines (linesBytes)");
  return result_value(env, bn254_precompute_lines(data[0], data[1]));
}

static napi_value miller_loop(napi_env env, napi_callback_info info) {
  size_t lengths[2];
  uint8_t *data[2];
  if (!bytes_arguments(env, info, 2, 2, data, lengths)) return NULL;
  if (lengths[0] % BN254_PAIR_BYTES != 0) return throw_type_error(env, "the input is not a whole number of 192-byte pairs");
  if (lengths[1] != BN254_FP12_BYTES) return throw_type_error(env, "a Miller loop's output is 384 bytes");
  return result_value(env, bn254_miller_loop(data[0], lengths[0] / BN254_PAIR_BYTES, data[1], malloc, free));
}

static napi_value g2_in_subgroup(napi_env env, napi_callback_info info) {
  size_t length;
  uint8_t *data;
  if (!bytes_arguments(env, info, 1, 1, &data, &length)) return NULL;
  if (length != 128) return throw_type_error(env, "a G2 point is 128 bytes");
  return result_value(env, bn254_g2_in_subgroup(data));
}

static napi_value g1_multi_scalar_mul(napi_env env, napi_callback_info info) {
  size_t lengths[3];
  uint8_t *data[3];
  if (!bytes_arguments(env, info, 3, 3, data, lengths)) return NULL;
  if (lengths[0] % 64 != 0 || lengths[1] != lengths[0] / 2 || lengths[2] != 64) {
    return throw_type_error(env, "expected n 64-byte points, n 32-byte scalars and a 64-byte output");
  }
  return result_value(env, bn254_g1_msm(data[0], data[1], lengths[0] / 64, data[2], malloc, free));
}

NAPI_MODULE_INIT() {
  if (!bn254_init()) {
    napi_throw_error(env, NULL, "bn254: constants failed their check");
    return NULL;
  }
  napi_value fn;
  napi_create_function(env, "pairingProductIsOne", NAPI_AUTO_LENGTH, pairing_product_is_one, NULL, &fn);
  napi_set_named_property(env, exports, "pairingProductIsOne", fn);
  napi_create_function(env, "precomputeLines", NAPI_AUTO_LENGTH, precompute_lines, NULL, &fn);
  napi_set_named_property(env, exports, "precomputeLines", fn);
  napi_value lines_bytes;
  napi_create_uint32(env, (uint32_t)bn254_lines_bytes(), &lines_bytes);
  napi_set_named_property(env, exports, "linesBytes", lines_bytes);
  napi_create_function(env, "productQuotient", NAPI_AUTO_LENGTH, product_quotient, NULL, &fn);
  napi_set_named_property(env, exports, "productQuotient", fn);
  napi_create_function(env, "findPower", NAPI_AUTO_LENGTH, find_power, NULL, &fn);
  napi_set_named_property(env, exports, "findPower", fn);
  napi_create_function(env, "millerLoop", NAPI_AUTO_LENGTH, miller_loop, NULL, &fn);
  napi_set_named_property(env, exports, "millerLoop", fn);
  napi_create_function(env, "g2InSubgroup", NAPI_AUTO_LENGTH, g2_in_subgroup, NULL, &fn);
  napi_set_named_property(env, exports, "g2InSubgroup", fn);
  napi_create_function(env, "g1MultiScalarMul", NAPI_AUTO_LENGTH, g1_multi_scalar_mul, NULL, &fn);
  napi_set_named_property(env, exports, "g1MultiScalarMul", fn);
  return exports;
}
