{
  "target_defaults": {
    "sources": ["src/bn254.c", "src/addon.c"],
    "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"],
    "cflags!": ["-O2"],
    "defines": ["NAPI_VERSION=8"]
  },
  "targets": [
    { "target_name": "bn254_pairing" },
    { "target_name": "bn254_pairing_portable", "defines": ["BN254_PORTABLE_CARRIES"] }
  ]
}
