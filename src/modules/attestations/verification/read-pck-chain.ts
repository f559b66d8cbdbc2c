import type { X509Certificate } from 'node:crypto';
import { extractPemCertificates, readPckExtension } from './dcap-qvl.ts';
import type { PckExtensionFields } from './dcap-qvl.ts';
import { parseCertificate } from './parse-certificate.ts';
import type { ParsedQuote } from './parse-quote.ts';
import { errorMessage, quoteFailure, toHex } from './types.ts';
import type { PckCa, QuoteFailure } from './types.ts';

/** The PCK certificate chain a quote is signed under, leaf first, with the leaf's Intel extension. */
export type PckChain = {
  certificates: X509Certificate[];
  ca: PckCa;
  extension: PckExtensionFields;
  fmspc: string;
  /** Where the chain came from: the quote's certification data or the collateral. */
  source: 'quote' | 'collateral';
};

const PCK_CERT_CHAIN_TYPE = 5;

/** Which Intel PCK CA a distinguished name (Node's newline-separated form) names, if any. */
export function pckCaNamed(distinguishedName: string): PckCa | null {
  const names = distinguishedName.split('\n');
  if (names.includes('CN=Intel SGX PCK Platform CA')) return 'platform';
  if (names.includes('CN=Intel SGX PCK Processor CA')) return 'processor';
  return null;
}

/**
 * The PCK chain from the quote (certification data type 5), or from the collateral when the quote
 * carries only an encrypted PPID (types 2/3) and the caller fetched the PCK certificate separately.
 */
export function readPckChain(quote: ParsedQuote, collateralChainPem?: string): { ok: true; value: PckChain } | QuoteFailure {
  const certificationData = quote.dcap.authData.intoV3().certificationData;
  let ders: Buffer[];
  let source: PckChain['source'];
  if (collateralChainPem !== undefined) {
    ders = extractPemCertificates(collateralChainPem);
    source = 'collateral';
    if (ders.length < 2) {
      return quoteFailure('COLLATERAL_MALFORMED', `pck_certificate_chain holds ${ders.length} PEM certificate(s), need leaf + CA`);
    }
  } else {
    if (certificationData.certType !== PCK_CERT_CHAIN_TYPE) {
      return quoteFailure(
        'QUOTE_UNSUPPORTED',
        `quote certification data type ${certificationData.certType} carries no PCK chain (only type 5 does); supply pck_certificate_chain in the collateral`,
      );
    }
    ders = extractPemCertificates(certificationData.body);
    source = 'quote';
    if (ders.length < 2) {
      return quoteFailure('QUOTE_MALFORMED', `quote PCK chain holds ${ders.length} PEM certificate(s), need leaf + CA`);
    }
  }

  const certificates: X509Certificate[] = [];
  for (const [index, der] of ders.entries()) {
    try {
      certificates.push(parseCertificate(der));
    } catch (error) {
      const code = source === 'quote' ? 'QUOTE_MALFORMED' : 'COLLATERAL_MALFORMED';
      return quoteFailure(code, `PCK chain certificate #${index} (${source}) does not parse: ${errorMessage(error)}`);
    }
  }
  const leaf = certificates[0]!;
  const ca = pckCaNamed(leaf.issuer);
  if (ca === null) {
    return quoteFailure('QUOTE_UNSUPPORTED', `PCK certificate issuer "${leaf.issuer.replace(/\n/g, ', ')}" is not an Intel PCK CA`);
  }
  let extension: PckExtensionFields;
  try {
    extension = readPckExtension(ders[0]!);
  } catch (error) {
    return quoteFailure('QUOTE_MALFORMED', `PCK certificate has no readable Intel SGX extension: ${errorMessage(error)}`);
  }
  return { ok: true, value: { certificates, ca, extension, fmspc: toHex(extension.fmspc), source } };
}
