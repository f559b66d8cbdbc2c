import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { extractPemCertificates, INTEL_ROOT_CA_DER } from './dcap-qvl.ts';
import type { DcapCollateral } from './dcap-qvl.ts';
import { describeType } from './decode-binary-input.ts';
import { parseCertificate } from './parse-certificate.ts';
import { parseQeIdentityJson, parseTcbInfoJson } from './parse-collateral-json.ts';
import type { QeIdentityDocument, TcbInfoDocument } from './parse-collateral-json.ts';
import { normalizeSerial, parseCrl } from './parse-crl.ts';
import type { ParsedCrl } from './parse-crl.ts';
import { pckCaNamed } from './read-pck-chain.ts';
import { errorMessage, quoteFailure } from './types.ts';
import type { PckCa, QuoteFailure } from './types.ts';

/** A collateral item or certificate and the time span in which it may be relied on. */
export type ValidityWindow = { item: string; notBefore: Date; notAfter: Date };

/**
 * Collateral after every check that does not depend on the quote or the clock: structure,
 * certificate chains to Intel's root, signatures of TCB info, QE identity and both CRLs, and
 * revocation of the collateral's own certificates. What remains time-dependent is `windows`.
 * Only prepareCollateral creates these (see isPreparedCollateral), so they can be cached and reused.
 */
export type PreparedCollateral = {
  readonly digest: string;
  readonly fmspc: string;
  readonly tee: 'tdx' | 'sgx';
  readonly pckCa: PckCa;
  readonly pckCrlIssuerSubject: string;
  readonly tcbInfo: TcbInfoDocument;
  readonly qeIdentity: QeIdentityDocument;
  readonly revokedSerials: ReadonlySet<string>;
  readonly windows: readonly ValidityWindow[];
  /** The collateral in the shape dcap-qvl takes, binary fields as hex. */
  readonly dcapCollateral: DcapCollateral;
};

export type PrepareCollateralFailureCode =
  | 'COLLATERAL_MISSING'
  | 'COLLATERAL_MALFORMED'
  | 'COLLATERAL_MISMATCH'
  | 'SIGNATURE_INVALID'
  | 'CERTIFICATE_REVOKED';

const TEXT_FIELDS = ['tcb_info', 'tcb_info_issuer_chain', 'qe_identity', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain'] as const;
const BINARY_FIELDS = ['tcb_info_signature', 'qe_identity_signature', 'root_ca_crl', 'pck_crl'] as const;
const CHAIN_FIELDS = ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain'] as const;
const EXPECTED_QE_ID = { TDX: 'TD_QE', SGX: 'QE' } as const;

const INTEL_ROOT = new X509Certificate(INTEL_ROOT_CA_DER);
const prepared = new WeakSet<PreparedCollateral>();

export const isPreparedCollateral = (value: unknown): value is PreparedCollateral =>
  typeof value === 'object' && value !== null && prepared.has(value as PreparedCollateral);

type Failure = QuoteFailure & { code: PrepareCollateralFailureCode };
const fail = (code: PrepareCollateralFailureCode, message: string): Failure => quoteFailure(code, message) as Failure;

/**
 * Validates Intel PCS/PCCS collateral (object or JSON text, as dcap-qvl takes it: binary fields
 * as hex strings or byte arrays). Unlike dcap-qvl, CRLs are signature-checked and must parse:
 * dcap-qvl skips a CRL it cannot parse, which would silently disable revocation.
 */
export function prepareCollateral(raw: unknown): { ok: true; value: PreparedCollateral } | Failure {
  if (raw === undefined || raw === null) return fail('COLLATERAL_MISSING', 'no collateral supplied');
  let input: unknown = raw;
  if (typeof raw === 'string') {
    try {
      input = JSON.parse(raw);
    } catch (error) {
      return fail('COLLATERAL_MALFORMED', `collateral is not JSON: ${errorMessage(error)}`);
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('COLLATERAL_MALFORMED', `collateral must be a JSON object, got ${describeType(input)}`);
  }
  const fields = input as Record<string, unknown>;
  const missing = [...TEXT_FIELDS, ...BINARY_FIELDS].filter((name) => fields[name] === undefined || fields[name] === null || fields[name] === '');
  if (missing.length > 0) return fail('COLLATERAL_MISSING', `collateral lacks ${missing.join(', ')}`);
  for (const name of TEXT_FIELDS) {
    if (typeof fields[name] !== 'string') return fail('COLLATERAL_MALFORMED', `${name} must be a string, got ${describeType(fields[name])}`);
  }
  if (fields.pck_certificate_chain !== undefined && typeof fields.pck_certificate_chain !== 'string') {
    return fail('COLLATERAL_MALFORMED', 'pck_certificate_chain must be a PEM string');
  }
  const text = fields as Record<(typeof TEXT_FIELDS)[number], string>;

  const binary = {} as Record<(typeof BINARY_FIELDS)[number], Buffer>;
  for (const name of BINARY_FIELDS) {
    const bytes = readBinaryField(fields[name]);
    if (bytes === null) return fail('COLLATERAL_MALFORMED', `${name} must be hex or an array of bytes`);
    binary[name] = bytes;
  }
  for (const name of ['tcb_info_signature', 'qe_identity_signature'] as const) {
    if (binary[name].length !== 64) return fail('COLLATERAL_MALFORMED', `${name} is ${binary[name].length} bytes, expected 64 (r||s)`);
  }

  const tcbInfo = parseTcbInfoJson(text.tcb_info);
  if (!tcbInfo.ok) return fail('COLLATERAL_MALFORMED', tcbInfo.message);
  const qeIdentity = parseQeIdentityJson(text.qe_identity);
  if (!qeIdentity.ok) return fail('COLLATERAL_MALFORMED', qeIdentity.message);
  if (qeIdentity.value.id !== EXPECTED_QE_ID[tcbInfo.value.id]) {
    return fail(
      'COLLATERAL_MISMATCH',
      `tcb_info is for ${tcbInfo.value.id} but qe_identity is for ${qeIdentity.value.id} (expected ${EXPECTED_QE_ID[tcbInfo.value.id]})`,
    );
  }

  const chains = {} as Record<(typeof CHAIN_FIELDS)[number], X509Certificate[]>;
  for (const name of CHAIN_FIELDS) {
    const chain = readChain(text[name], name);
    if (!chain.ok) return chain;
    chains[name] = chain.value;
  }

  const rootCrl = parseCrl(binary.root_ca_crl);
  if (!rootCrl.ok) return fail('COLLATERAL_MALFORMED', `root_ca_crl is not a DER CRL: ${rootCrl.message}`);
  const pckCrl = parseCrl(binary.pck_crl);
  if (!pckCrl.ok) return fail('COLLATERAL_MALFORMED', `pck_crl is not a DER CRL: ${pckCrl.message}`);

  const signatureChecks: Array<[string, boolean]> = [
    ['tcb_info', verifyRawEcdsa(chains.tcb_info_issuer_chain[0]!, Buffer.from(text.tcb_info, 'utf8'), binary.tcb_info_signature)],
    ['qe_identity', verifyRawEcdsa(chains.qe_identity_issuer_chain[0]!, Buffer.from(text.qe_identity, 'utf8'), binary.qe_identity_signature)],
    ['root_ca_crl (signed by the Intel SGX Root CA)', verifyCrlSignature(rootCrl.value, INTEL_ROOT)],
    ['pck_crl (signed by pck_crl_issuer_chain[0])', verifyCrlSignature(pckCrl.value, chains.pck_crl_issuer_chain[0]!)],
  ];
  for (const [item, valid] of signatureChecks) {
    if (!valid) return fail('SIGNATURE_INVALID', `${item} signature does not verify`);
  }

  const revokedSerials = new Set([...rootCrl.value.revokedSerials, ...pckCrl.value.revokedSerials]);
  for (const name of CHAIN_FIELDS) {
    for (const [index, certificate] of chains[name].entries()) {
      if (revokedSerials.has(normalizeSerial(certificate.serialNumber))) {
        return fail('CERTIFICATE_REVOKED', `${name}[${index}] (${commonName(certificate.subject)}) serial ${certificate.serialNumber} is revoked`);
      }
    }
  }

  const pckCrlIssuer = chains.pck_crl_issuer_chain[0]!;
  const pckCa = pckCaNamed(pckCrlIssuer.subject);
  if (pckCa === null) {
    return fail('COLLATERAL_MISMATCH', `pck_crl_issuer_chain[0] (${commonName(pckCrlIssuer.subject)}) is not an Intel PCK CA`);
  }

  const dcapCollateral: DcapCollateral = {
    ...text,
    tcb_info_signature: binary.tcb_info_signature.toString('hex'),
    qe_identity_signature: binary.qe_identity_signature.toString('hex'),
    root_ca_crl: binary.root_ca_crl.toString('hex'),
    pck_crl: binary.pck_crl.toString('hex'),
    ...(typeof fields.pck_certificate_chain === 'string' ? { pck_certificate_chain: fields.pck_certificate_chain } : {}),
  };
  const value: PreparedCollateral = Object.freeze({
    digest: collateralDigest(dcapCollateral),
    fmspc: tcbInfo.value.fmspc,
    tee: tcbInfo.value.id === 'TDX' ? 'tdx' : 'sgx',
    pckCa,
    pckCrlIssuerSubject: pckCrlIssuer.subject,
    tcbInfo: tcbInfo.value,
    qeIdentity: qeIdentity.value,
    revokedSerials,
    windows: collectWindows(tcbInfo.value, qeIdentity.value, rootCrl.value, pckCrl.value, chains),
    dcapCollateral,
  });
  prepared.add(value);
  return { ok: true, value };
}

/** SHA-256 over the normalised collateral: equal collateral, equal digest, whatever the input shape. */
function collateralDigest(collateral: DcapCollateral): string {
  const keys = Object.keys(collateral).sort() as Array<keyof DcapCollateral>;
  return createHash('sha256').update(JSON.stringify(keys.map((key) => [key, collateral[key]]))).digest('hex');
}

function readBinaryField(value: unknown): Buffer | null {
  if (typeof value === 'string') {
    return value.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(value) ? Buffer.from(value, 'hex') : null;
  }
  if (Array.isArray(value) && value.length > 0 && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Buffer.from(value as number[]);
  }
  return null;
}

function readChain(pem: string, name: string): { ok: true; value: X509Certificate[] } | Failure {
  const ders = extractPemCertificates(pem);
  if (ders.length < 2) return fail('COLLATERAL_MALFORMED', `${name} holds ${ders.length} PEM certificate(s), need signer + root`);
  const certificates: X509Certificate[] = [];
  for (const [index, der] of ders.entries()) {
    try {
      certificates.push(parseCertificate(der));
    } catch (error) {
      return fail('COLLATERAL_MALFORMED', `${name}[${index}] does not parse: ${errorMessage(error)}`);
    }
  }
  const broken = findBrokenLink(certificates);
  if (broken !== null) return fail('SIGNATURE_INVALID', `${name}: ${broken}`);
  return { ok: true, value: certificates };
}

/**
 * Each certificate must be signed by the next one and the last by Intel's root (which is usually
 * the last certificate itself). Returns what is broken, or null.
 */
export function findBrokenLink(chain: readonly X509Certificate[]): string | null {
  for (const [index, certificate] of chain.entries()) {
    const issuer = chain[index + 1] ?? INTEL_ROOT;
    const issuerName = index + 1 < chain.length ? `#${index + 1}` : 'the Intel SGX Root CA';
    if (!signedBy(certificate, issuer)) {
      return `certificate #${index} (${commonName(certificate.subject)}) is not signed by ${issuerName}`;
    }
  }
  if (!signedBy(chain[chain.length - 1]!, INTEL_ROOT)) return `chain does not end at the Intel SGX Root CA`;
  return null;
}

// Chains are built with parseCertificate, so every publicKey here decodes.
const signedBy = (certificate: X509Certificate, issuer: X509Certificate): boolean => certificate.verify(issuer.publicKey);

function verifyRawEcdsa(signer: X509Certificate, data: Buffer, signature: Buffer): boolean {
  return verifySignature('sha256', data, { key: signer.publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}

function verifyCrlSignature(crl: ParsedCrl, issuer: X509Certificate): boolean {
  try {
    return verifySignature('sha256', crl.tbs, { key: issuer.publicKey, dsaEncoding: 'der' }, crl.signature);
  } catch {
    return false; // a signature that is not even DER does not verify
  }
}

export const commonName = (distinguishedName: string): string =>
  /(?:^|\n)CN=([^\n]*)/.exec(distinguishedName)?.[1] ?? distinguishedName.replace(/\n/g, ', ');

function collectWindows(
  tcbInfo: TcbInfoDocument,
  qeIdentity: QeIdentityDocument,
  rootCrl: ParsedCrl,
  pckCrl: ParsedCrl,
  chains: Record<(typeof CHAIN_FIELDS)[number], X509Certificate[]>,
): ValidityWindow[] {
  const windows: ValidityWindow[] = [
    { item: 'tcb_info', notBefore: tcbInfo.issueDate, notAfter: tcbInfo.nextUpdate },
    { item: 'qe_identity', notBefore: qeIdentity.issueDate, notAfter: qeIdentity.nextUpdate },
    crlWindow('root_ca_crl', rootCrl),
    crlWindow('pck_crl', pckCrl),
  ];
  const seen = new Set<string>();
  for (const name of CHAIN_FIELDS) {
    for (const [index, certificate] of chains[name].entries()) {
      if (seen.has(certificate.fingerprint256)) continue;
      seen.add(certificate.fingerprint256);
      windows.push(certificateWindow(`${name}[${index}] (${commonName(certificate.subject)})`, certificate));
    }
  }
  return windows;
}

// A CRL without nextUpdate has no stated end; Intel always sets one, so treat absence as "until replaced".
const crlWindow = (item: string, crl: ParsedCrl): ValidityWindow => ({
  item,
  notBefore: crl.thisUpdate,
  notAfter: crl.nextUpdate ?? new Date(8.64e15),
});

export const certificateWindow = (item: string, certificate: X509Certificate): ValidityWindow => ({
  item,
  notBefore: certificate.validFromDate,
  notAfter: certificate.validToDate,
});
