import type { CertificateParts } from '#client/certificates.ts';
import { type CertificateAnchor, parseCertificateAnchor } from './certificate-anchor.ts';
import type { CertificateJson } from './certificate-json.ts';
import { checkCertificateReceipt } from './check-certificate-receipt.ts';
import { type CertificateVerificationKey, verifyCertificateJws } from './verify-certificate-jws.ts';

export type CheckResult = 'pass' | 'fail';
export type OptionalCheckResult = CheckResult | 'not_checked';
/** `not_applicable`: the certificate carries no anchor (not anchored, or issued before it was). */
export type AnchorCheckResult = OptionalCheckResult | 'not_applicable';

export type CertificateCheckFailure = { check: string; code: string; message: string };

export type CertificateTrust = {
  /** The platform's `certificates` Ed25519 public keys, by key id (the JWS kid). */
  certificateKeys: readonly CertificateVerificationKey[];
  /** The ledger's note verifier keys (GET /api/v1/ledger/key); without them the receipt is not checked. */
  ledgerKeys?: readonly string[];
};

/** What was found and checked, beside the checks themselves. */
export type CertificateFindings = {
  body?: CertificateJson;
  jws?: string;
  receipt?: string;
  /** The certificates key that signed the JWS. */
  keyId?: string;
  /** Where the receipt places the certificate's ledger entry, and the root of the checkpoint it is under (hex). */
  ledger?: { index: number; treeSize: number; origin: string; rootHash: string };
  /** The public-chain anchor the document carries, once it names the receipt's checkpoint (the chain itself is checked by the caller, online). */
  anchor?: CertificateAnchor;
  /** The first failed check, in the order of the checks. */
  failure?: CertificateCheckFailure;
  failures: CertificateCheckFailure[];
};

const NO_CERTIFICATE: CertificateCheckFailure = { check: 'ledger_receipt', code: 'NO_CERTIFICATE', message: 'the receipt cannot be matched to a certificate whose signature does not verify' };

export type CertificateContentChecks = CertificateFindings & { checks: { certificate_signature: CheckResult; ledger_receipt: OptionalCheckResult; anchor: AnchorCheckResult } };

/**
 * The anchor's offline part: it must name the very checkpoint the verified receipt is under (tree
 * size and root). Whether that transaction is on the chain is for an online check.
 */
function checkAnchorOffline(value: unknown, ledger: CertificateFindings['ledger'], failures: CertificateCheckFailure[]): { result: AnchorCheckResult; anchor?: CertificateAnchor } {
  if (value === undefined || value === null) return { result: 'not_applicable' };
  const parsed = parseCertificateAnchor(value);
  if (!parsed.ok) {
    failures.push({ check: 'anchor', code: 'ANCHOR_MALFORMED', message: parsed.message });
    return { result: 'fail' };
  }
  if (!ledger) return { result: 'not_checked' };
  const { checkpoint } = parsed.anchor;
  if (checkpoint.tree_size !== ledger.treeSize || checkpoint.root_hash !== `0x${ledger.rootHash}`) {
    failures.push({
      check: 'anchor',
      code: 'ANCHOR_CHECKPOINT_MISMATCH',
      message: `the anchor is of the checkpoint of tree size ${checkpoint.tree_size} (root ${checkpoint.root_hash}), not the one the receipt is under (tree size ${ledger.treeSize}, root 0x${ledger.rootHash})`,
    });
    return { result: 'fail' };
  }
  return { result: 'pass', anchor: parsed.anchor };
}

/**
 * The certificate's own checks: the JWS against the certificates keys, the shown copy equal to its
 * canonical payload, and (with ledger keys) the receipt proving this certificate's ledger entry.
 */
export function checkCertificateParts(parts: CertificateParts, trust: CertificateTrust): CertificateContentChecks {
  const failures: CertificateCheckFailure[] = [];
  const findings: CertificateFindings = { jws: parts.jws, ...(parts.receipt === null ? {} : { receipt: parts.receipt }), failures };
  let certificateSignature: CheckResult = 'fail';
  const signature = verifyCertificateJws(parts.jws, trust.certificateKeys);
  if (!signature.ok) failures.push({ check: 'certificate_signature', code: signature.code, message: signature.message });
  else if (parts.shownCertificate !== undefined && parts.shownCertificate !== Buffer.from(parts.jws.split('.')[1]!, 'base64url').toString('utf8')) {
    failures.push({ check: 'certificate_signature', code: 'CERTIFICATE_MISMATCH', message: 'the certificate shown beside the JWS is not the one it signs' });
  } else {
    certificateSignature = 'pass';
    findings.body = signature.body;
    findings.keyId = signature.keyId;
  }

  let ledgerReceipt: OptionalCheckResult = 'not_checked';
  if (trust.ledgerKeys !== undefined) {
    ledgerReceipt = 'fail';
    if (parts.receipt === null) failures.push({ check: 'ledger_receipt', code: 'RECEIPT_MISSING', message: 'no ledger receipt comes with the certificate (its entry may await a checkpoint; the verify page serves the receipt)' });
    else if (!findings.body) failures.push(NO_CERTIFICATE);
    else {
      const receipt = checkCertificateReceipt(parts.receipt, findings.body, trust.ledgerKeys);
      if (!receipt.ok) failures.push({ check: 'ledger_receipt', code: receipt.code, message: receipt.message });
      else {
        ledgerReceipt = 'pass';
        findings.ledger = { index: receipt.index, treeSize: receipt.treeSize, origin: receipt.origin, rootHash: receipt.rootHash.toString('hex') };
      }
    }
  }
  const anchor = checkAnchorOffline(parts.anchor, findings.ledger, failures);
  if (anchor.anchor) findings.anchor = anchor.anchor;
  return { ...findings, ...(failures[0] ? { failure: failures[0] } : {}), checks: { certificate_signature: certificateSignature, ledger_receipt: ledgerReceipt, anchor: anchor.result } };
}

/** The checks when the signed certificate cannot even be read from its container (code says why). */
export function unreadableCertificate(code: string, message: string, trust: CertificateTrust): CertificateContentChecks {
  const failures: CertificateCheckFailure[] = [{ check: 'certificate_signature', code, message }, ...(trust.ledgerKeys ? [NO_CERTIFICATE] : [])];
  return { checks: { certificate_signature: 'fail', ledger_receipt: trust.ledgerKeys ? 'fail' : 'not_checked', anchor: 'not_checked' }, failure: failures[0]!, failures };
}
