// Node-API binding: pairingProductIsOne(pairs: Uint8Array) -> number (a bn254_result).
// Plain Node-API (ABI-stable), so one build serves every Node version of the project.
#include <node_api.h>
#include <stdlib.h>

#include "bn254.h"

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value pairing_product_is_one(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1) return throw_type_error(env, "expected one Uint8Array");
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    return throw_type_error(env, "expected one Uint8Array");
  }
  if (length % BN254_PAIR_BYTES != 0) return throw_type_error(env, "the input is not a whole number of 192-byte pairs");
  bn254_result result = bn254_pairing_product_is_one((const uint8_t *)data, length / BN254_PAIR_BYTES, malloc, free);
  napi_value out;
  napi_create_uint32(env, (uint32_t)result, &out);
  return out;
}

NAPI_MODULE_INIT() {
  if (!bn254_init()) {
    napi_throw_error(env, NULL, "bn254: constants failed their check");
    return NULL;
  }
  napi_value fn;
  napi_create_function(env, "pairingProductIsOne", NAPI_AUTO_LENGTH, pairing_product_is_one, NULL, &fn);
  napi_set_named_property(env, exports, "pairingProductIsOne", fn);
  return exports;
}
