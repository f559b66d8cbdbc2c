import { canonicalJsonBytes } from '#platform/canonical-json.ts';

/** What one ledger entry commits to. No PII: identifiers, outcome and a hash of the public inputs. */
export type LedgerLeafFields = {
  /** Evidence kind, e.g. "zk_proof", "tee_attestation". */
  readonly kind: string;
  /** Public id of the verified object, e.g. "prf_01h...". */
  readonly public_id: string;
  /** Claim type for zk proofs ("age_over_18", ...); null for kinds without one. */
  readonly claim_type: string | null;
  /** Outcome, e.g. "verified" / "rejected". */
  readonly status: string;
  /** Hex/base64 digest of the public inputs, computed by the evidence module. */
  readonly public_hash: string;
  /** Decision time; Dates and ISO strings are normalised to the same UTC millisecond form. */
  readonly ts: Date | string;
};

function normalisedTimestamp(ts: Date | string): string {
  const date = typeof ts === 'string' ? new Date(ts) : ts;
  if (Number.isNaN(date.getTime())) throw new TypeError(`invalid ledger timestamp ${String(ts)}`);
  const iso = date.toISOString();
  // Only accept strings already in that form, so one instant has exactly one leaf encoding.
  if (typeof ts === 'string' && ts !== iso) throw new TypeError(`ledger timestamps must be ISO 8601 UTC like ${iso}, got ${ts}`);
  return iso;
}

/** The leaf bytes (RFC 8785 canonical JSON, UTF-8) hashed into the log and carried in receipts. */
export function ledgerLeaf(fields: LedgerLeafFields): Buffer {
  for (const name of ['kind', 'public_id', 'status', 'public_hash'] as const) {
    if (typeof fields[name] !== 'string' || fields[name].length === 0) throw new TypeError(`ledger leaf ${name} must be a non-empty string`);
  }
  if (fields.claim_type !== null && (typeof fields.claim_type !== 'string' || fields.claim_type.length === 0)) {
    throw new TypeError('ledger leaf claim_type must be a non-empty string or null');
  }
  // Built field by field so stray properties of the argument never reach the log.
  return canonicalJsonBytes({
    kind: fields.kind,
    public_id: fields.public_id,
    claim_type: fields.claim_type,
    status: fields.status,
    public_hash: fields.public_hash,
    ts: normalisedTimestamp(fields.ts),
  });
}
