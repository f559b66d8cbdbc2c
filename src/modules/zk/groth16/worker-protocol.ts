// Messages between the verifier pool (main thread) and verifier-worker.ts. Inputs are parsed
// in the main thread; structured clone carries the bigints across.
import type { Groth16Failure, ParsedStatement, ParsedVerificationKey, VerifyResult } from './types.ts';

export type WorkerRequest =
  | { readonly type: 'register'; readonly requestId: number; readonly keyId: string; readonly key: ParsedVerificationKey }
  | { readonly type: 'verify'; readonly requestId: number; readonly keyId: string; readonly statements: readonly ParsedStatement[] };

export type WorkerResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'registered'; readonly requestId: number; readonly result: { ok: true } | Groth16Failure }
  | { readonly type: 'verified'; readonly requestId: number; readonly results: readonly VerifyResult[] }
  /** Part of a batch decided while the rest is still being bisected (`indexes` into its statements); 'verified' follows with them all. */
  | { readonly type: 'settled'; readonly requestId: number; readonly indexes: readonly number[]; readonly results: readonly VerifyResult[] }
  /** An exception inside the worker: a bug, surfaced to the caller as a rejected promise. */
  | { readonly type: 'failed'; readonly requestId: number; readonly error: string };
