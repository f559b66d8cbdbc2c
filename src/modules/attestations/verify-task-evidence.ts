import {
  emptyVerificationDetails,
  evaluateTcbPolicy,
  extractQuoteFmspc,
  parseQuote,
  verifyAttestation,
  verifyParsedQuote,
} from './verification/index.ts';
import type {
  AttestationFailure,
  AttestationFailureCode,
  AttestationVerification,
  CheckName,
  CheckOutcome,
  CollateralKey,
  CollateralSource,
  PreparedCollateralCache,
  ReferenceMeasurements,
  SgxMeasurements,
  TcbStatus,
  TdxMeasurements,
  VerificationFlags,
} from './verification/index.ts';
import type { Evidence } from './schema.ts';

export type EvidenceKind = 'dcap_quote' | 'dstack';

/** A collateral source that can also say why it had nothing for a platform (for the task's error message). */
export type TaskCollateralSource = CollateralSource & { describeMiss(key: CollateralKey): string };

export type TaskVerificationOptions = {
  verifyAt: Date;
  flags: VerificationFlags;
  acceptedTcbStatuses: readonly TcbStatus[];
  collateralSource: TaskCollateralSource;
  /** Prepared (parsed, signature-checked) collateral reused across tasks; absent: prepared per task. */
  collateralCache?: PreparedCollateralCache;
  /** Registered reference boot measurements per OS image hash (the `os` flag). */
  osImages: Readonly<Record<string, ReferenceMeasurements>>;
};

/** dstack-verifier's response shape, for plain DCAP quotes (SGX too) as well as dstack evidence. */
export type TaskVerification = Omit<AttestationVerification, 'details'> & {
  evidence_kind: EvidenceKind;
  details: Omit<AttestationVerification['details'], 'measurements'> & {
    tee: 'tdx' | 'sgx' | null;
    measurements: TdxMeasurements | SgxMeasurements | null;
  };
};

const NOT_DSTACK = 'not applicable: a plain DCAP quote has no dstack event log (send event_log for dstack evidence)';
const OFFLINE = 'needs network access (DNS / certificate transparency queries); not checked by the offline verifier';
const NO_ACME_INFO = 'not applicable: the evidence has no acme_info';
const DISABLED = 'disabled by verificationFlags';

/**
 * Verifies a task's evidence: dstack evidence (an event_log or a dstack attestation) with every
 * dstack check, anything else as a plain DCAP quote (TDX v4/v5 or SGX v3). Collateral is the
 * submitted one, else the stored one for the quote's FMSPC. Never throws for bad evidence.
 */
export async function verifyTaskEvidence(evidence: Evidence, options: TaskVerificationOptions): Promise<TaskVerification> {
  const misses: CollateralKey[] = [];
  const source: CollateralSource = {
    async getCollateral(key) {
      const found = await options.collateralSource.getCollateral(key);
      if (found === undefined) misses.push(key);
      return found;
    },
  };
  const isDstack = evidence.event_log !== undefined || evidence.attestation !== undefined;
  const result = isDstack ? await verifyDstack(evidence, options, source) : await verifyPlainQuote(evidence, options, source);
  if (misses.length === 0) return result;
  // "no collateral supplied" alone would not tell the partner what to do about it.
  const hint = misses.map((key) => options.collateralSource.describeMiss(key)).join('; ');
  const failures = result.failures.map((failure) =>
    failure.code === 'COLLATERAL_MISSING' ? { ...failure, message: `${failure.message}: ${hint}` } : failure,
  );
  return { ...result, failures, reason: describeFailures(failures) };
}

async function verifyDstack(evidence: Evidence, options: TaskVerificationOptions, source: CollateralSource): Promise<TaskVerification> {
  const verified = await verifyAttestation(
    {
      ...(evidence.quote !== undefined ? { quote: evidence.quote } : {}),
      ...(evidence.attestation !== undefined ? { attestation: evidence.attestation } : {}),
      ...(evidence.event_log !== undefined ? { event_log: evidence.event_log } : {}),
      ...(evidence.report_data !== undefined ? { report_data: evidence.report_data } : {}),
      ...(evidence.vm_config !== undefined ? { vm_config: evidence.vm_config } : {}),
      ...(evidence.app_compose !== undefined ? { app_compose: evidence.app_compose } : {}),
    },
    {
      verifyAt: options.verifyAt,
      ...(evidence.collateral !== undefined ? { collateral: evidence.collateral } : {}),
      collateralSource: source,
      ...(options.collateralCache ? { collateralCache: options.collateralCache } : {}),
      acceptedTcbStatuses: options.acceptedTcbStatuses,
      flags: options.flags,
      expected: {
        ...(evidence.expected_report_data !== undefined ? { reportData: evidence.expected_report_data } : {}),
        ...(evidence.expected_compose_hash !== undefined ? { composeHash: evidence.expected_compose_hash } : {}),
        ...(evidence.expected_app_id !== undefined ? { appId: evidence.expected_app_id } : {}),
        ...(evidence.expected_os_image_hash !== undefined ? { osImageHash: evidence.expected_os_image_hash } : {}),
      },
      osImages: options.osImages,
    },
  );
  return { ...verified, evidence_kind: 'dstack', details: { ...verified.details, tee: verified.details.measurements ? 'tdx' : null } };
}

/** The same checks and report as verifyAttestation, for a quote that carries no dstack event log. */
async function verifyPlainQuote(evidence: Evidence, options: TaskVerificationOptions, source: CollateralSource): Promise<TaskVerification> {
  const { flags } = options;
  const details: TaskVerification['details'] = { ...emptyVerificationDetails(), tee: null };
  const failures: AttestationFailure[] = [];
  const set = (check: CheckName, outcome: CheckOutcome) => {
    if (details.checks[check] !== 'failed') details.checks[check] = outcome;
  };
  const fail = (check: CheckName, code: AttestationFailureCode, message: string) => {
    set(check, 'failed');
    failures.push({ check, code, message });
  };
  const skip = (check: CheckName, reason: string) => {
    set(check, 'not_performed');
    details.checks_not_performed.push({ check, reason });
  };
  const finish = (): TaskVerification => ({
    evidence_kind: 'dcap_quote',
    is_valid: failures.length === 0,
    details,
    failures,
    reason: describeFailures(failures),
  });

  const parsed = parseQuote(evidence.quote);
  if (!parsed.ok) {
    fail('hardware', parsed.code, parsed.message);
    return finish();
  }
  const quote = parsed.value;
  details.tee = quote.body.tee;
  details.measurements = quote.body.measurements;
  details.report_data = quote.body.measurements.report_data;

  if (flags.hardware) {
    const verified = verifyParsedQuote(quote, await resolveCollateral(evidence, options, source), { verifyAt: options.verifyAt });
    if (verified.ok) {
      details.quote_verified = true;
      details.tcb_status = verified.value.tcb_status;
      details.advisory_ids = verified.value.advisory_ids;
      details.fmspc = verified.value.fmspc;
      const policy = evaluateTcbPolicy(verified.value.tcb_status, options.acceptedTcbStatuses, verified.value.advisory_ids);
      if (policy.ok) set('hardware', 'passed');
      else fail('hardware', policy.code, policy.message);
    } else {
      fail('hardware', verified.code, verified.message);
    }
  } else {
    skip('hardware', `${DISABLED}: the quote was parsed but its signature and TCB were not verified`);
  }

  const quoteReportData = quote.body.measurements.report_data;
  if (evidence.report_data !== undefined) {
    const claimed = normalizeHex(evidence.report_data);
    if (claimed === quoteReportData) set('reportData', 'passed');
    else fail('reportData', 'REPORT_DATA_MISMATCH', `evidence report_data ${claimed} differs from the quote's ${quoteReportData}`);
  }
  if (evidence.expected_report_data !== undefined) {
    const expected = normalizeHex(evidence.expected_report_data).padEnd(quoteReportData.length, '0');
    if (expected === quoteReportData) set('reportData', 'passed');
    else fail('reportData', 'REPORT_DATA_MISMATCH', `quote report_data ${quoteReportData} is not the expected ${expected}`);
  }

  // What only dstack evidence can show: asked for explicitly it fails, else it is not applicable.
  if (evidence.expected_app_id !== undefined) fail('appId', 'APP_ID_MISMATCH', `expected_app_id needs dstack evidence; ${NOT_DSTACK}`);
  if (!flags.sourceCode) skip('sourceCode', DISABLED);
  else if (evidence.expected_compose_hash !== undefined || evidence.app_compose !== undefined) {
    fail('sourceCode', 'SOURCE_CODE_UNVERIFIABLE', `a compose hash needs dstack evidence; ${NOT_DSTACK}`);
  } else skip('sourceCode', NOT_DSTACK);
  if (!flags.os) skip('os', DISABLED);
  else if (evidence.expected_os_image_hash !== undefined) fail('os', 'OS_IMAGE_UNKNOWN', `expected_os_image_hash needs dstack evidence; ${NOT_DSTACK}`);
  else skip('os', NOT_DSTACK);
  for (const check of ['teeControlledKey', 'certificateKey'] as const) skip(check, flags[check] ? NO_ACME_INFO : DISABLED);
  for (const check of ['dnsCAA', 'ctLog'] as const) skip(check, flags[check] ? OFFLINE : DISABLED);
  return finish();
}

/** Submitted collateral, else the source's for the quote's platform; prepared through the cache when there is one. */
async function resolveCollateral(evidence: Evidence, options: TaskVerificationOptions, source: CollateralSource): Promise<unknown> {
  let raw: unknown = evidence.collateral;
  if (raw === undefined) {
    const key = extractQuoteFmspc(evidence.quote);
    if (key.ok) raw = await source.getCollateral(key.value);
  }
  if (raw === undefined || !options.collateralCache) return raw;
  const prepared = options.collateralCache.prepare(raw);
  return prepared.ok ? prepared.value : raw; // unpreparable collateral fails again, with its reason, in verifyParsedQuote
}

function describeFailures(failures: readonly AttestationFailure[]): string | null {
  return failures.length === 0 ? null : failures.map((failure) => `${failure.check}: ${failure.message}`).join('; ');
}

const normalizeHex = (value: string): string => value.trim().replace(/^0x/i, '').toLowerCase();
