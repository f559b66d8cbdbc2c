{
  "targets": [
    {
      "target_name": "bn254_pairing",
      "sources": ["src/bn254.c", "src/addon.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"],
      "cflags!": ["-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
