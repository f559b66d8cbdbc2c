import type { ObjectStorage } from '#platform/storage/object-storage.ts';
import type { Groth16VerifierPool } from '../groth16/verifier-pool.ts';
import type { CircuitRow } from './schema.ts';

export type CircuitKeyring = {
  /** Makes sure the verifier pool holds the prepared key of this circuit version (loaded once). */
  ensure(circuit: CircuitRow): Promise<{ ok: true; keyId: string } | { ok: false; message: string }>;
};

/** Verification keys are fetched and prepared once per circuit version, then cached in the workers. */
export function createCircuitKeyring(deps: { storage: ObjectStorage; verifier: Groth16VerifierPool }): CircuitKeyring {
  const loaded = new Map<string, Promise<{ ok: true; keyId: string } | { ok: false; message: string }>>();
  return {
    ensure(circuit) {
      let pending = loaded.get(circuit.id);
      if (!pending) {
        pending = (async () => {
          const bytes = await deps.storage.get(circuit.vkeyS3);
          if (!bytes) return { ok: false as const, message: `verification key ${circuit.vkeyS3} is missing from storage` };
          const registered = await deps.verifier.registerKey(circuit.id, JSON.parse(bytes.toString('utf8')));
          return registered.ok ? { ok: true as const, keyId: circuit.id } : { ok: false as const, message: registered.message };
        })();
        loaded.set(circuit.id, pending);
        // A failed load is retried on the next request rather than cached forever.
        void pending.then((result) => { if (!result.ok) loaded.delete(circuit.id); }, () => loaded.delete(circuit.id));
      }
      return pending;
    },
  };
}
