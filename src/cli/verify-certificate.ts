import { createPublicKey, type JsonWebKey, type KeyObject, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { CertificateBundleVerification, CertificatePdfVerification, CertificateVerificationKey } from '#modules/certificates/document/index.ts';
import { CliError, usageError } from './cli-error.ts';
import { readInputFile } from './files.ts';
import { parseOptions } from './parse-options.ts';

export const VERIFY_CERTIFICATE_HELP = `Usage: veridity verify-certificate <file> --key <certificates key> --ledger-key <ledger verifier key> [--pdf-cert <certificate>]
                                    [--rpc-url <url> [--min-confirmations N]] [--json]

Checks an evidence certificate offline: no network, no database, no configuration (unless
--rpc-url asks for the public-chain anchor to be checked). The file
(recognised by its content; '-' reads stdin) is one of:
  certificate.pdf   the signed certificate PDF (GET /api/v1/certificates/{id}/certificate.pdf)
  certificate.json  {"certificate": {...}, "jws": "<compact JWS>", "receipt": "<tlog-proof text>" | null}
                    as GET /api/v1/certificates/{id}/certificate.json serves it
  certificate.jws   the bare compact JWS (as attached to the PDF): it carries no receipt

Checks, in this order:
  pdf_signature          (PDF) the PAdES signature covers the whole file and verifies; with
                         --pdf-cert, it is by one of those certificates (else integrity only)
  certificate_signature  the JWS (EdDSA) verifies with one of the --key keys, its payload is
                         canonical JSON, and the certificate shown beside it is what it signs
  ledger_receipt         the receipt's checkpoint is signed by a --ledger-key and includes the
                         certificate's ledger entry (kind certificate, the certificate's public id)
  anchor                 (anchored certificates) the anchor names the checkpoint the receipt is
                         under; with --rpc-url, its transaction is on that chain, in the block
                         named, sent by the account named to the address named, carrying the
                         checkpoint root as its data, and --min-confirmations deep. Without
                         --rpc-url it is not checked on chain (said so); with it, a certificate
                         without an anchor fails (NOT_ANCHORED)
  not_revoked            (PDF) the PDF was issued with status valid; the verify page (the QR
                         code) has the current status, which only the platform knows

Options:
  --key <key>           the platform's certificates public key (Ed25519): PEM (SPKI), a JWK, or
                        the JWKS the platform publishes; a file holding it, or the text itself
                        (write --key="$(cat key.pem)": a PEM starts with dashes); repeat it to
                        trust several (key rotation)
  --ledger-key <key>    the ledger's note verifier key, as published at GET /api/v1/ledger/key
                        (<origin>+<key id>+<base64 key>); repeat it to trust several
  --pdf-cert <cert>     the platform's PDF signing certificate: PEM, or the keys document the
                        platform publishes (GET /api/v1/certificates/keys: its
                        pdf_signing_certificates), the text or a file; repeat for several
  --rpc-url <url>       an http(s) JSON-RPC endpoint of the anchor's chain: check the anchor there
  --min-confirmations N  blocks the anchor's transaction must be deep (its own counted); default 1
  --json                print one JSON object

Exit: 0 when every check passes, 1 naming the first failed check, 2 for a usage error (an
unreadable file or key too).`;

type CheckName = 'pdf_signature' | 'certificate_signature' | 'ledger_receipt' | 'anchor' | 'not_revoked';
type Outcome = 'pass' | 'fail' | 'not_checked' | 'not_applicable';
type Verification = (CertificatePdfVerification | CertificateBundleVerification) & { status?: 'valid' | 'revoked' };
/** The anchor checked on chain (--rpc-url), when asked. */
type OnChain = { asked: false } | { asked: true; confirmations?: number };

/** A value given inline (PEM or JSON) or the name of a file holding it. */
async function inlineOrFile(value: string, option: string): Promise<string> {
  const text = value.trim();
  if (text.startsWith('-----BEGIN') || text.startsWith('{')) return text;
  return (await readInputFile(value, option)).toString('utf8').trim();
}

/** The key under its RFC 7638 thumbprint (how the platform names its keys) and under its own kid, if any. */
async function ed25519Key(key: KeyObject | undefined, kid?: unknown): Promise<CertificateVerificationKey[]> {
  if (key?.asymmetricKeyType !== 'ed25519' || key.type !== 'public') return [];
  const thumbprint = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key.export({ format: 'jwk' }).x! });
  return [...new Set([thumbprint, ...(typeof kid === 'string' ? [kid] : [])])].map((id) => ({ id, publicKey: key }));
}

function publicKeyOrUndefined(key: Parameters<typeof createPublicKey>[0]): KeyObject | undefined {
  try {
    return createPublicKey(key);
  } catch {
    return undefined;
  }
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function keyFromJwk(jwk: unknown): Promise<CertificateVerificationKey[]> {
  if (typeof jwk !== 'object' || jwk === null) return [];
  const { kty, crv, x, kid } = jwk as Record<string, unknown>;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof x !== 'string') return [];
  return ed25519Key(publicKeyOrUndefined({ key: { kty, crv, x } as JsonWebKey, format: 'jwk' }), kid);
}

/** Certificates keys from PEM (SPKI), a JWK or a JWKS. */
async function parseCertificatesKeys(text: string): Promise<CertificateVerificationKey[]> {
  if (!text.startsWith('{')) return ed25519Key(publicKeyOrUndefined(text));
  const json = jsonOrUndefined(text) as { keys?: unknown } | undefined;
  const jwks = Array.isArray(json?.keys) ? json.keys : [json];
  return (await Promise.all(jwks.map(keyFromJwk))).flat();
}

/** The PEM of each PDF signing certificate in the keys document (GET /api/v1/certificates/keys). */
function publishedPdfCertificates(json: unknown): string {
  const listed = (json as { pdf_signing_certificates?: unknown } | undefined)?.pdf_signing_certificates;
  return Array.isArray(listed) ? listed.map((entry) => (entry as { pem?: unknown } | null)?.pem).filter((pem) => typeof pem === 'string').join('\n') : '';
}

/** PEM certificates, or those of the keys document. */
function parseCertificates(text: string): Uint8Array[] | undefined {
  const pem = text.startsWith('{') ? publishedPdfCertificates(jsonOrUndefined(text)) : text;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  try {
    return blocks.length === 0 ? undefined : blocks.map((pem) => new Uint8Array(new X509Certificate(pem).raw));
  } catch {
    return undefined;
  }
}

async function readCertificateFile(file: string): Promise<Buffer> {
  if (file !== '-') return readInputFile(file, 'certificate');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function outcomes(result: Verification, onChain: OnChain): Record<CheckName, Outcome> {
  const notRevoked: Outcome = result.status === undefined ? 'not_checked' : result.status === 'valid' ? 'pass' : 'fail';
  const offlineAnchor = result.checks.anchor;
  // Offline, an anchor that names the receipt's checkpoint is as far as it goes: not checked on chain.
  const anchor: Outcome = result.failures.some((failure) => failure.check === 'anchor') ? 'fail' : !onChain.asked ? (offlineAnchor === 'pass' ? 'not_checked' : offlineAnchor) : 'pass';
  return { pdf_signature: 'not_checked', ...result.checks, anchor, not_revoked: notRevoked };
}

/** With --rpc-url: the anchor's transaction as the chain has it (a failure is added to the result's failures). */
async function checkAnchorOnChain(result: Verification, rpcUrl: string, minConfirmations: number): Promise<OnChain> {
  if (result.failures.some((failure) => failure.check === 'anchor')) return { asked: true };
  const anchor = result.anchor;
  if (!anchor) {
    const why = result.checks.anchor === 'not_applicable' ? 'the certificate carries no anchor (not anchored yet, or a PDF rendered before it was)' : 'the anchor could not be matched to a verified receipt';
    result.failures.push({ check: 'anchor', code: result.checks.anchor === 'not_applicable' ? 'NOT_ANCHORED' : 'NO_RECEIPT', message: why });
    return { asked: true };
  }
  const { verifyAnchorOnChain } = await import('#modules/anchoring/verify-anchor-on-chain.ts');
  const checked = await verifyAnchorOnChain(
    rpcUrl,
    { chainId: anchor.chain_id, txHash: anchor.transaction, rootHash: anchor.checkpoint.root_hash, from: anchor.from, to: anchor.to, blockNumber: anchor.block_number },
    minConfirmations,
  );
  if (!checked.ok) {
    result.failures.push({ check: 'anchor', code: checked.code, message: checked.message });
    return { asked: true };
  }
  return { asked: true, confirmations: checked.confirmations };
}

/** Per check, why it passed (what vouches for it) or failed (code and reason). */
function details(result: Verification, checks: Record<CheckName, Outcome>, onChain: OnChain): Record<CheckName, string> {
  const failure = (check: CheckName) => result.failures.find((item) => item.check === check);
  const why = (check: CheckName, passed: string, notChecked: string) => {
    const failed = failure(check);
    if (failed) return `${failed.code}: ${failed.message}`;
    return checks[check] === 'pass' ? passed : notChecked;
  };
  const signer = 'pdfSigner' in result ? result.pdfSigner : undefined;
  const isPdf = 'pdf_signature' in result.checks;
  return {
    pdf_signature: why('pdf_signature', `signed by ${signer?.name ?? 'an unnamed certificate'}${signer?.trusted ? ', a --pdf-cert certificate' : ' (integrity only: give --pdf-cert to pin the signer)'}`, 'not a PDF'),
    certificate_signature: why('certificate_signature', `signed by certificates key ${result.keyId}`, ''),
    ledger_receipt: why('ledger_receipt', result.ledger ? `entry ${result.ledger.index} of ${result.ledger.origin}, included in its signed checkpoint (tree size ${result.ledger.treeSize})` : '', ''),
    anchor: why(
      'anchor',
      result.anchor && onChain.asked ? `checkpoint root in transaction ${result.anchor.transaction}, block ${result.anchor.block_number} of chain ${result.anchor.chain_id}, ${onChain.confirmations} confirmation(s)` : '',
      checks.anchor === 'not_applicable'
        ? 'no anchor in this certificate (not anchored yet)'
        : result.anchor
          ? `anchor NOT checked on chain (transaction ${result.anchor.transaction} on chain ${result.anchor.chain_id}): give --rpc-url to check it`
          : 'not checked',
    ),
    not_revoked:
      checks.not_revoked === 'fail' ? 'REVOKED: the PDF was issued after the certificate was revoked'
      : checks.not_revoked === 'pass' ? 'status valid when the PDF was issued (the verify page has the current status)'
      : `no status offline ${isPdf ? 'in this PDF' : 'for a JSON certificate'}: the verify page has it`,
  };
}

function describe(result: Verification, checks: Record<CheckName, Outcome>, onChain: OnChain): string {
  const reasons = details(result, checks, onChain);
  const lines = (Object.keys(checks) as CheckName[]).map((check) => `  ${check.padEnd(22)} ${checks[check].padEnd(11)} ${reasons[check]}`);
  const body = result.body;
  const summary = body
    ? [
        `certificate ${body.public_id}, issued ${body.issued_at} by ${body.platform.name} to ${body.subject.display_name}`,
        `  document sha256 ${body.document.sha256} (${body.document.media_type}${body.document.schema ? `, ${body.document.schema}` : ''})`,
        ...(body.report ? [`  report: ${body.report.method}, ${body.report.result}, device ${body.report.device.type} ${body.report.device.serial ?? ''}`.trimEnd()] : []),
        `  signed by ${body.signer.subject} (issuer ${body.signer.issuer})`,
      ]
    : ['certificate (its signature does not verify: nothing in it is vouched for)'];
  return `${[...summary, ...lines].join('\n')}\n`;
}

function toJson(file: string, result: Verification, checks: Record<CheckName, Outcome>, firstFailed: CheckName | undefined, onChain: OnChain): string {
  return `${JSON.stringify({
    file,
    ok: firstFailed === undefined,
    checks,
    failures: result.failures,
    certificate: result.body ?? null,
    key_id: result.keyId ?? null,
    ledger: result.ledger ? { index: result.ledger.index, tree_size: result.ledger.treeSize, origin: result.ledger.origin } : null,
    pdf_signer: 'pdfSigner' in result && result.pdfSigner ? result.pdfSigner : null,
    anchor: result.anchor ? { ...result.anchor, checked_on_chain: onChain.asked, confirmations: onChain.asked ? (onChain.confirmations ?? null) : null } : null,
    status: result.status ?? null,
  })}\n`;
}

/** `veridity verify-certificate <file> --key <key> --ledger-key <key>`. */
export async function verifyCertificateCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseOptions(
    {
      args: argv,
      allowPositionals: true,
      options: {
        key: { type: 'string', multiple: true },
        'ledger-key': { type: 'string', multiple: true },
        'pdf-cert': { type: 'string', multiple: true },
        'rpc-url': { type: 'string' },
        'min-confirmations': { type: 'string' },
        json: { type: 'boolean' },
      },
    },
    VERIFY_CERTIFICATE_HELP,
  );
  if (positionals.length !== 1) throw usageError('name one certificate file (.pdf or .json) to check', VERIFY_CERTIFICATE_HELP);
  if (!values.key?.length) throw usageError("--key is required: the platform's certificates public key", VERIFY_CERTIFICATE_HELP);
  if (!values['ledger-key']?.length) throw usageError("--ledger-key is required: the ledger's verifier key (GET /api/v1/ledger/key)", VERIFY_CERTIFICATE_HELP);

  const rpcUrl = values['rpc-url'];
  if (rpcUrl !== undefined && !/^https?:$/.test(URL.parse(rpcUrl)?.protocol ?? '')) throw usageError('--rpc-url: give an http(s) JSON-RPC URL', VERIFY_CERTIFICATE_HELP);
  const minConfirmations = Number(values['min-confirmations'] ?? '1');
  if (!Number.isSafeInteger(minConfirmations) || minConfirmations < 1) throw usageError('--min-confirmations: a whole number of blocks, at least 1', VERIFY_CERTIFICATE_HELP);
  if (values['min-confirmations'] !== undefined && rpcUrl === undefined) throw usageError('--min-confirmations goes with --rpc-url', VERIFY_CERTIFICATE_HELP);

  const certificateKeys: CertificateVerificationKey[] = [];
  for (const value of values.key) {
    const keys = await parseCertificatesKeys(await inlineOrFile(value, '--key'));
    if (keys.length === 0) throw usageError(`--key ${value.slice(0, 40)}: not an Ed25519 public key (PEM, JWK or JWKS)`, VERIFY_CERTIFICATE_HELP);
    certificateKeys.push(...keys);
  }
  const pdfSigningCertificates: Uint8Array[] = [];
  for (const value of values['pdf-cert'] ?? []) {
    const certificates = parseCertificates(await inlineOrFile(value, '--pdf-cert'));
    if (!certificates) throw usageError(`--pdf-cert ${value.slice(0, 40)}: neither a PEM X.509 certificate nor the keys document with one`, VERIFY_CERTIFICATE_HELP);
    pdfSigningCertificates.push(...certificates);
  }
  const trust = { certificateKeys, ledgerKeys: values['ledger-key'].map((key) => key.trim()), pdfSigningCertificates };

  const [file] = positionals as [string];
  const input = await readCertificateFile(file);
  // Loaded once the arguments are known good: a usage error answers without loading PDF and PKI code.
  const { verifyCertificateBundle, verifyCertificatePdf } = await import('#modules/certificates/document/index.ts');
  const isPdf = input.subarray(0, 1024).includes('%PDF-');
  const result: Verification = isPdf ? await verifyCertificatePdf(input, trust) : verifyCertificateBundle(input, trust);
  const onChain: OnChain = rpcUrl === undefined ? { asked: false } : await checkAnchorOnChain(result, rpcUrl, minConfirmations);
  const checks = outcomes(result, onChain);
  const firstFailed = (Object.keys(checks) as CheckName[]).find((check) => checks[check] === 'fail');
  process.stdout.write(values.json ? toJson(file, result, checks, firstFailed, onChain) : describe(result, checks, onChain));
  if (firstFailed) throw new CliError(`certificate INVALID: ${firstFailed} failed: ${details(result, checks, onChain)[firstFailed]}`, 1);
}
