import { CLOCK_SKEW_MS } from './limits.ts';
import { readCertificate, type CertificateFacts } from './read-certificate.ts';
import { readCrl, type CrlFacts } from './read-crl.ts';
import type { EvidenceTrust } from './types.ts';

export type TrustFacts = {
  anchors: CertificateFacts[];
  crls: CrlFacts[];
  tsaAnchors: CertificateFacts[];
  now: Date;
  /** now plus the tolerated clock skew: claimed times after it are in the future. */
  latestAcceptable: Date;
};

/**
 * The caller's trust material, read. Anchors and CRLs were checked when they were stored
 * (inspectTrustAnchor); one that no longer reads is left out rather than failing every
 * verification, which can only make fewer paths valid. null when `now` is not a valid Date.
 */
export function readTrust(trust: EvidenceTrust): TrustFacts | null {
  if (!(trust.now instanceof Date) || Number.isNaN(trust.now.getTime())) return null;
  return {
    anchors: readEach(trust.anchors, readCertificate),
    crls: readEach(trust.crls, readCrl),
    tsaAnchors: readEach(trust.tsaAnchors, readCertificate),
    now: trust.now,
    latestAcceptable: new Date(trust.now.getTime() + CLOCK_SKEW_MS),
  };
}

function readEach<T>(items: readonly Uint8Array[] | undefined, read: (der: Uint8Array) => { ok: true; value: T } | { ok: false }): T[] {
  const facts: T[] = [];
  for (const der of items ?? []) {
    if (!(der instanceof Uint8Array)) continue;
    const result = read(der);
    if (result.ok) facts.push(result.value);
  }
  return facts;
}
