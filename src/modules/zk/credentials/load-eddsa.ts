import { buildEddsa, type Eddsa } from 'circomlibjs';

// circomlibjs compiles its wasm (BabyJubJub, Poseidon) on every build call, ~100 ms;
// the result is stateless and pure, so it is built once per process. It runs single
// threaded (no worker threads to terminate).
let eddsa: Promise<Eddsa> | undefined;

export function loadEddsa(): Promise<Eddsa> {
  eddsa ??= buildEddsa();
  return eddsa;
}
