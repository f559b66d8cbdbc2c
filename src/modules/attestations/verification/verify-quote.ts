import { describeInvalidWindows } from './check-validity-windows.ts';
import { dcapVerify } from './dcap-qvl.ts';
import type { DcapVerifiedReport } from './dcap-qvl.ts';
import { explainTcbMismatch } from './explain-tcb-mismatch.ts';
import { mapDcapQvlError } from './map-dcap-qvl-error.ts';
import { convergeWithTdxModule, matchTdxModule } from './match-tdx-module.ts';
import { normalizeSerial } from './parse-crl.ts';
import { parseQuote } from './parse-quote.ts';
import type { ParsedQuote } from './parse-quote.ts';
import { certificateWindow, commonName, findBrokenLink, isPreparedCollateral, prepareCollateral } from './prepare-collateral.ts';
import type { PreparedCollateral } from './prepare-collateral.ts';
import { readPckChain } from './read-pck-chain.ts';
import type { PckChain } from './read-pck-chain.ts';
import { errorMessage, isTcbStatus, quoteFailure, toHex } from './types.ts';
import type { QuoteFailure, VerifiedQuote } from './types.ts';

export type VerifyQuoteInput = {
  /** DCAP quote: hex (0x optional), base64 or bytes. */
  quote: unknown;
  /** Intel collateral (object or JSON text, as dcap-qvl takes it), or the result of prepareCollateral. */
  collateral: unknown;
};

export type VerifyQuoteOptions = { verifyAt: Date };

export type VerifyQuoteResult = { ok: true; value: VerifiedQuote } | QuoteFailure;

/**
 * Verifies an SGX (v3) or TDX (v4/v5) DCAP quote against Intel collateral at `verifyAt`.
 * dcap-qvl does the DCAP verification proper; around it this adds what it lacks or reports
 * vaguely: CRL signatures and windows, which item is outside its window, PCK issuer/CRL match,
 * FMSPC and TEE match, the TDX module identity, the reason no TCB level matched, the PPID.
 * Never throws for bad input; throws only if verifyAt is not a valid Date (a caller bug).
 */
export function verifyQuote(input: VerifyQuoteInput, options: VerifyQuoteOptions): VerifyQuoteResult {
  const parsed = parseQuote(input.quote);
  if (!parsed.ok) return parsed;
  return verifyParsedQuote(parsed.value, input.collateral, options);
}

export function verifyParsedQuote(quote: ParsedQuote, collateral: unknown, options: VerifyQuoteOptions): VerifyQuoteResult {
  const { verifyAt } = options;
  if (!(verifyAt instanceof Date) || Number.isNaN(verifyAt.getTime())) throw new TypeError('verifyAt must be a valid Date');

  let prepared: PreparedCollateral;
  if (isPreparedCollateral(collateral)) {
    prepared = collateral;
  } else {
    const result = prepareCollateral(collateral);
    if (!result.ok) return result;
    prepared = result.value;
  }

  // Wrong collateral is reported as such before any time window: it would not help if it were fresh.
  if (quote.body.tee !== prepared.tee) {
    return quoteFailure('COLLATERAL_MISMATCH', `quote is ${quote.body.tee.toUpperCase()} but the collateral is for ${prepared.tee.toUpperCase()}`);
  }
  const chainResult = readPckChain(quote, prepared.dcapCollateral.pck_certificate_chain);
  if (!chainResult.ok) return chainResult;
  const chain = chainResult.value;
  const mismatch = checkCollateralFits(chain, prepared);
  if (mismatch !== null) return mismatch;

  const collateralWindows = describeInvalidWindows(prepared.windows, verifyAt);
  if (collateralWindows !== null) return quoteFailure('COLLATERAL_EXPIRED', `collateral is outside its validity window ${collateralWindows}`);
  const chainProblem = checkPckChain(chain, prepared, verifyAt);
  if (chainProblem !== null) return chainProblem;

  let report: DcapVerifiedReport;
  try {
    report = dcapVerify(quote.bytes, prepared.dcapCollateral, verifyAt.getTime() / 1000);
  } catch (error) {
    return describeDcapFailure(errorMessage(error), quote, prepared, chain);
  }
  if (!isTcbStatus(report.status)) {
    return quoteFailure('VERIFIER_ERROR', `dcap-qvl returned an unknown TCB status ${JSON.stringify(report.status)}`);
  }

  let tcbStatus = report.status;
  const advisoryIds = [...report.advisory_ids];
  if (quote.body.tee === 'tdx') {
    const module = matchTdxModule(quote.body.measurements, prepared.tcbInfo);
    if (!module.ok) return quoteFailure(module.code, module.message);
    tcbStatus = convergeWithTdxModule(tcbStatus, module.value.status);
    advisoryIds.push(...module.value.advisoryIds);
    if (tcbStatus === 'Revoked') return quoteFailure('TCB_REVOKED', `TDX module ${module.value.identity} TCB level is Revoked`);
  }

  return {
    ok: true,
    value: {
      ...quote.body,
      quote_verified: true,
      tcb_status: tcbStatus,
      advisory_ids: [...new Set(advisoryIds)],
      fmspc: chain.fmspc,
      pck_ca: chain.ca,
      ppid: toHex(chain.extension.ppid),
      header: quote.header,
      collateral_digest: prepared.digest,
      tcb_evaluation_data_number: prepared.tcbInfo.tcbEvaluationDataNumber,
    },
  };
}

function checkCollateralFits(chain: PckChain, prepared: PreparedCollateral): QuoteFailure | null {
  if (chain.fmspc !== prepared.fmspc) {
    return quoteFailure('COLLATERAL_MISMATCH', `quote FMSPC ${chain.fmspc} differs from the collateral's tcb_info FMSPC ${prepared.fmspc}`);
  }
  const leaf = chain.certificates[0]!;
  if (leaf.issuer !== prepared.pckCrlIssuerSubject) {
    return quoteFailure(
      'COLLATERAL_MISMATCH',
      `PCK certificate is issued by ${commonName(leaf.issuer)} but pck_crl is from ${commonName(prepared.pckCrlIssuerSubject)} (fetch the ${chain.ca} CA collateral)`,
    );
  }
  return null;
}

function checkPckChain(chain: PckChain, prepared: PreparedCollateral, verifyAt: Date): QuoteFailure | null {
  const broken = findBrokenLink(chain.certificates);
  if (broken !== null) return quoteFailure('SIGNATURE_INVALID', `PCK chain (${chain.source}): ${broken}`);
  const windows = chain.certificates.map((certificate, index) =>
    certificateWindow(`PCK chain[${index}] (${commonName(certificate.subject)}, from the ${chain.source})`, certificate),
  );
  const invalid = describeInvalidWindows(windows, verifyAt);
  if (invalid !== null) return quoteFailure('COLLATERAL_EXPIRED', `PCK certificate chain is outside its validity window ${invalid}`);
  for (const [index, certificate] of chain.certificates.entries()) {
    if (prepared.revokedSerials.has(normalizeSerial(certificate.serialNumber))) {
      return quoteFailure(
        'CERTIFICATE_REVOKED',
        `PCK chain[${index}] (${commonName(certificate.subject)}) serial ${certificate.serialNumber.toLowerCase()} is listed in the CRL`,
      );
    }
  }
  return null;
}

function describeDcapFailure(message: string, quote: ParsedQuote, prepared: PreparedCollateral, chain: PckChain): QuoteFailure {
  const code = mapDcapQvlError(message);
  if (message.startsWith('No matching TCB level found')) {
    const teeTcbSvn = quote.body.tee === 'tdx' ? quote.body.measurements.tee_tcb_svn : null;
    return quoteFailure(code, explainTcbMismatch(prepared.tcbInfo, chain.extension, teeTcbSvn));
  }
  const prefix = code === 'VERIFIER_ERROR' ? 'unexpected dcap-qvl failure' : 'dcap-qvl';
  return quoteFailure(code, `${prefix}: ${message}`);
}
