import type * as pkijs from 'pkijs';
import { createLruCache } from './facts-cache.ts';
import { EVIDENCE_LIMITS } from './limits.ts';
import type { CertificateFacts } from './read-certificate.ts';
import type { CrlFacts } from './read-crl.ts';
import { checkKeyForScheme, resolveSignatureScheme, verifySignature } from './signature-schemes.ts';
import { accept, reject, type EvidenceRejection, type Step } from './types.ts';

export type PathRequest = {
  leaf: CertificateFacts;
  /** Candidate intermediates (the certificates carried in the CMS). */
  intermediates: readonly CertificateFacts[];
  anchors: readonly CertificateFacts[];
  crls: readonly CrlFacts[];
  /** Every certificate of the path, anchor included, must be valid at each of these instants. */
  validAt: readonly { time: Date; label: string }[];
};

/** Complete candidate paths examined per leaf; more look-alike paths than this are not tried. */
const MAX_CANDIDATE_PATHS = 8;

/**
 * A path leaf -> ... -> trust anchor, validated as an RFC 5280 relying party would, for the
 * checks this platform applies (see docs/DECISIONS.md "Signed evidence"): issuer name and key
 * identifier match and the issuer's signature verifies on every link; every issuer (anchor
 * included) is a CA with keyCertSign, within its pathLenConstraint; no certificate carries a
 * critical extension we do not process; none is listed on a CRL verified against its issuer; all
 * are valid at the validation instants. The first path passing every check wins; when none
 * does, the first path's failure is reported.
 */
export function validateCertificatePath(request: PathRequest): Step<CertificateFacts[]> {
  const search = findCandidatePaths(request);
  if (search.paths.length === 0) return search.failure;
  let firstFailure: EvidenceRejection | null = null;
  for (const path of search.paths) {
    const checked = checkPath(path, request);
    if (checked.ok) return accept(path);
    firstFailure ??= checked;
  }
  return firstFailure!;
}

type Search = { paths: CertificateFacts[][]; failure: EvidenceRejection };

function findCandidatePaths({ leaf, intermediates, anchors }: PathRequest): Search {
  const paths: CertificateFacts[][] = [];
  const anchorFingerprints = new Set(anchors.map((anchor) => anchor.sha256Fingerprint));
  const candidates = intermediates.filter((certificate) => !anchorFingerprints.has(certificate.sha256Fingerprint));
  const signatures = new SignatureChecks();
  let tooLong = false;
  let unsupported: EvidenceRejection | null = null;
  let brokenLink: string | null = null;

  const links = (issuer: CertificateFacts, child: CertificateFacts): boolean => {
    if (issuer.subjectKey !== child.issuerKey) return false;
    if (child.authorityKeyIdentifier && issuer.subjectKeyIdentifier && child.authorityKeyIdentifier !== issuer.subjectKeyIdentifier) return false;
    const verified = signatures.check(child, issuer);
    if (verified === 'budget') return false;
    if (verified === true) return true;
    if (verified === false) brokenLink ??= `the signature on ${child.subject} does not verify with the key of ${issuer.subject}`;
    else unsupported ??= verified;
    return false;
  };

  const extend = (path: CertificateFacts[]): void => {
    const current = path.at(-1)!;
    for (const anchor of anchors) {
      if (paths.length >= MAX_CANDIDATE_PATHS) return;
      if (path.length + 1 <= EVIDENCE_LIMITS.maxChainLength && links(anchor, current)) paths.push([...path, anchor]);
    }
    for (const candidate of candidates) {
      if (paths.length >= MAX_CANDIDATE_PATHS || signatures.exhausted) return;
      if (path.includes(candidate) || candidate.subjectKey !== current.issuerKey) continue;
      if (path.length + 2 > EVIDENCE_LIMITS.maxChainLength) {
        tooLong = true;
        continue;
      }
      if (links(candidate, current)) extend([...path, candidate]);
    }
  };
  extend([leaf]);

  const failure = signatures.exhausted
    ? reject('LIMIT_EXCEEDED', `building a path for ${leaf.subject} took more than ${EVIDENCE_LIMITS.maxPathSignatureChecks} signature checks`)
    : tooLong
      ? reject('LIMIT_EXCEEDED', `the path from ${leaf.subject} to a trust anchor is longer than ${EVIDENCE_LIMITS.maxChainLength} certificates`)
      : unsupported ?? reject('CHAIN_UNTRUSTED', brokenLink ?? `no path from ${leaf.subject} to a trust anchor (no trusted issuer named ${leaf.issuer} among the anchors and the CMS certificates)`);
  return { paths, failure };
}

/**
 * Outcomes of certificate-by-issuer signature checks across calls, keyed by both certificates'
 * SHA-256: a partner's chain is checked once, not on every submission.
 */
const checkedLinks = createLruCache<boolean | EvidenceRejection>(4096);

/** The issuer signature checks of one path search: each link examined counts towards the bound. */
class SignatureChecks {
  readonly #examined = new Set<string>();
  exhausted = false;

  check(child: CertificateFacts, issuer: CertificateFacts): boolean | EvidenceRejection | 'budget' {
    const key = `${child.sha256Fingerprint}/${issuer.sha256Fingerprint}`;
    if (!this.#examined.has(key) && this.#examined.size >= EVIDENCE_LIMITS.maxPathSignatureChecks) {
      this.exhausted = true;
      return 'budget';
    }
    this.#examined.add(key);
    const known = checkedLinks.get(key);
    if (known !== undefined) return known;
    const result = checkIssuerSignature(child, issuer);
    checkedLinks.set(key, result);
    return result;
  }
}

/** Anything signed by an issuer over its tbs bytes: a certificate or a CRL. */
type IssuerSigned = { tbs: Uint8Array; signatureAlgorithm: pkijs.AlgorithmIdentifier; signatureValue: Uint8Array };

function checkIssuerSignature(signed: IssuerSigned, issuer: CertificateFacts): boolean | EvidenceRejection {
  const scheme = resolveSignatureScheme(signed.signatureAlgorithm);
  if (!scheme.ok) return scheme;
  const key = checkKeyForScheme(issuer.publicKey, scheme.value);
  if (!key.ok) return reject(key.code, `${issuer.subject}: ${key.message}`);
  return verifySignature(scheme.value, issuer.publicKey, signed.tbs, signed.signatureValue);
}

function checkPath(path: CertificateFacts[], request: PathRequest): Step<null> {
  for (const certificate of path) {
    if (certificate.unknownCriticalExtensions.length > 0) {
      return reject('CHAIN_UNTRUSTED', `${certificate.subject} has critical extension(s) ${certificate.unknownCriticalExtensions.join(', ')} this verifier does not process`);
    }
  }
  for (let index = 1; index < path.length; index++) {
    const issuer = path[index]!;
    if (!issuer.basicConstraints?.ca) return reject('CHAIN_UNTRUSTED', `${issuer.subject} issues a certificate but is not a CA (basicConstraints)`);
    if (issuer.keyUsage && !issuer.keyUsage.has('keyCertSign')) return reject('CHAIN_UNTRUSTED', `${issuer.subject} issues a certificate but its keyUsage lacks keyCertSign`);
    const intermediatesBelow = path.slice(1, index).filter((certificate) => certificate.subjectKey !== certificate.issuerKey).length;
    const limit = issuer.basicConstraints.pathLength;
    if (limit !== null && intermediatesBelow > limit) {
      return reject('CHAIN_UNTRUSTED', `${issuer.subject} allows ${limit} intermediate CA(s) below it (pathLenConstraint), the path has ${intermediatesBelow}`);
    }
  }
  for (let index = 0; index + 1 < path.length; index++) {
    const certificate = path[index]!;
    const issuer = path[index + 1]!;
    const listing = request.crls.find((crl) => crl.issuerKey === issuer.subjectKey && crl.revokedSerials.has(certificate.serialNumber) && checkIssuerSignature(crl, issuer) === true);
    if (listing) return reject('CERT_REVOKED', `${certificate.subject} (serial ${certificate.serialNumber}) is revoked by the CRL of ${listing.issuer} issued ${listing.thisUpdate.toISOString()}`);
  }
  for (const { time, label } of request.validAt) {
    for (const certificate of path) {
      if (time < certificate.notBefore) return reject('CERT_NOT_YET_VALID', `${certificate.subject} is valid from ${certificate.notBefore.toISOString()}, after ${label} ${time.toISOString()}`);
      if (time > certificate.notAfter) return reject('CERT_EXPIRED', `${certificate.subject} expired ${certificate.notAfter.toISOString()}, before ${label} ${time.toISOString()}`);
    }
  }
  return accept(null);
}
