// Messages between the evidence verifier pool (main thread) and verify-evidence-thread.ts.
// Collateral comes from the main thread, which owns the database pool and the PCCS client.
import type { Evidence } from './schema.ts';
import type { CollateralKey, ReferenceMeasurements, TcbStatus, VerificationFlags } from './verification/index.ts';
import type { TaskVerification } from './verify-task-evidence.ts';

/** What a verification needs besides its collateral: all of it survives structured clone. */
export type ThreadVerificationOptions = {
  verifyAt: Date;
  flags: VerificationFlags;
  acceptedTcbStatuses: readonly TcbStatus[];
  osImages: Readonly<Record<string, ReferenceMeasurements>>;
};

export type ToThread =
  | { type: 'verify'; requestId: number; evidence: Evidence; options: ThreadVerificationOptions }
  /** The answer to a collateral request: the collateral, or why there is none, or the error that stopped the lookup. */
  | { type: 'collateral'; lookupId: number; collateral: unknown; miss: string | undefined; error: string | undefined };

export type FromThread =
  | { type: 'verified'; requestId: number; verification: TaskVerification }
  /** An exception during verification (a failed collateral lookup, or a bug): the task's attempt fails. */
  | { type: 'failed'; requestId: number; error: string }
  | { type: 'collateral'; requestId: number; lookupId: number; key: CollateralKey };
