import { createHash } from 'node:crypto';
import type { CollateralSource, PreparedCollateralCache } from './collateral-cache.ts';
import { describeType } from './decode-binary-input.ts';
import { decodeDstackAttestation } from './decode-dstack-attestation.ts';
import type { DecodeAttestationFailureCode } from './decode-dstack-attestation.ts';
import { evaluateTcbPolicy } from './evaluate-tcb-policy.ts';
import type { TcbPolicyResult } from './evaluate-tcb-policy.ts';
import { extractAppInfo } from './extract-app-info.ts';
import type { AppInfo } from './extract-app-info.ts';
import { parseEventLog } from './parse-event-log.ts';
import { parseQuote } from './parse-quote.ts';
import type { ParsedQuote } from './parse-quote.ts';
import { readPckChain } from './read-pck-chain.ts';
import { DSTACK_RUNTIME_EVENT_TYPE, replayEventLog } from './replay-event-log.ts';
import type { EventLogReplay } from './replay-event-log.ts';
import { errorMessage } from './types.ts';
import type { QuoteFailure, QuoteFailureCode, SgxMeasurements, TcbStatus, TdxMeasurements, VerifiedQuote } from './types.ts';
import { verifyCertificateKey } from './verify-certificate-key.ts';
import type { CertificateKeyFailureCode } from './verify-certificate-key.ts';
import { verifyOsImage } from './verify-os-image.ts';
import type { OsImageFailureCode, ReferenceMeasurements } from './verify-os-image.ts';
import { verifyParsedQuote } from './verify-quote.ts';
import { verifyTeeControlledKey } from './verify-tee-controlled-key.ts';

/** The checks a relying party can ask for (dstack verifier server `verificationFlags`). */
export type VerificationFlags = {
  hardware: boolean;
  os: boolean;
  sourceCode: boolean;
  teeControlledKey: boolean;
  certificateKey: boolean;
  dnsCAA: boolean;
  ctLog: boolean;
};

export const DEFAULT_VERIFICATION_FLAGS: Readonly<VerificationFlags> = Object.freeze({
  hardware: true,
  os: true,
  sourceCode: true,
  teeControlledKey: true,
  certificateKey: true,
  dnsCAA: false,
  ctLog: false,
});

/**
 * What is appraised, in dstack's words: a plain DCAP quote (TDX or SGX), or dstack evidence: the
 * guest agent's GetQuote response (quote, event_log, report_data, vm_config) or a dstack
 * `attestation` blob instead of quote + event_log; plus optional extras.
 */
export type DstackEvidence = {
  /** TDX quote: hex (0x optional), base64 or bytes. */
  quote?: unknown;
  /** SCALE-encoded dstack VersionedAttestation (hex, base64 or bytes), instead of quote + event_log. */
  attestation?: unknown;
  /** The dstack event log: JSON text or array of {imr, event_type, digest, event, event_payload}. */
  event_log?: unknown;
  /** report_data as returned next to the quote; must equal the quote's. */
  report_data?: string;
  /** vm_config JSON (text or object); its os_image_hash is used when RTMR3 has no os-image-hash event. */
  vm_config?: unknown;
  /** The app-compose.json text whose SHA-256 RTMR3's compose-hash must be (sourceCode). */
  app_compose?: string;
  /** Domain-owning apps (dstack gateway): ACME account binding and certificate key. */
  acme_info?: AcmeInfo;
};

/** The dstack gateway's `/.dstack/acme-info` fields these checks need. */
export type AcmeInfo = {
  account_uri: string;
  /** The ACME account quote: TDX quote hex, or the GetQuote JSON text {quote, event_log, ...} the gateway serves. */
  account_quote: string;
  /** The domain's certificate chain, PEM, leaf first (acme-info `active_cert` of gateways before 2026). */
  active_cert: string;
  /** The TEE-held certificate key, hex SPKI DER (acme-info `hist_keys[0]`, now `quoted_hist_keys[].public_key`). */
  tee_public_key: string;
};

export type VerifyAttestationOptions = {
  verifyAt: Date;
  /** Collateral for the evidence's quote(s); when absent it is fetched from collateralSource. */
  collateral?: unknown;
  collateralSource?: CollateralSource;
  /** Reuses parsed and signature-checked collateral across calls. */
  collateralCache?: PreparedCollateralCache;
  acceptedTcbStatuses?: readonly TcbStatus[];
  flags?: Partial<VerificationFlags>;
  expected?: {
    /** 64-byte report data in hex; shorter values are right-padded with zero bytes, as dstack does. */
    reportData?: string;
    composeHash?: string;
    appId?: string;
    osImageHash?: string;
  };
  /** Reference boot measurements per OS image hash (required by the os check). */
  osImages?: Readonly<Record<string, ReferenceMeasurements>>;
  /** PEM trust anchors for certificateKey; defaults to Node's bundled roots. */
  trustedCertificateRoots?: readonly string[];
};

/** Every check, in the order they run; each gets an outcome in every verification. */
export const CHECK_NAMES = [
  'evidence',
  'hardware',
  'reportData',
  'eventLog',
  'appId',
  'sourceCode',
  'os',
  'teeControlledKey',
  'certificateKey',
  'dnsCAA',
  'ctLog',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** A plain DCAP quote, or dstack evidence (an event log or a dstack attestation: app identity in RTMR3). */
export type EvidenceKind = 'dcap_quote' | 'dstack';

export type AttestationFailureCode =
  | QuoteFailureCode
  | OsImageFailureCode
  | CertificateKeyFailureCode
  | DecodeAttestationFailureCode
  | 'NOT_TDX'
  | 'TCB_STATUS_REJECTED'
  | 'REPORT_DATA_MISMATCH'
  | 'EVENT_LOG_MISSING'
  | 'EVENT_LOG_MALFORMED'
  | 'EVENT_LOG_MISMATCH'
  | 'APP_ID_MISMATCH'
  | 'COMPOSE_HASH_MISMATCH'
  | 'SOURCE_CODE_UNVERIFIABLE'
  | 'VM_CONFIG_MALFORMED'
  | 'ACCOUNT_KEY_NOT_BOUND';

export type AttestationFailure = { check: CheckName; code: AttestationFailureCode; message: string };

/**
 * not_performed: disabled by verificationFlags, needs the network, or not reached because the
 * evidence could not be appraised; not_applicable: the evidence lacks what the check is about
 * (no event log, no acme_info, no expectation) and nothing asked for it.
 */
export type CheckOutcome = 'passed' | 'failed' | 'not_performed' | 'not_applicable';

/** The dstack verifier's response shape, extended with per-check outcomes and failure codes. */
export type AttestationVerification = {
  is_valid: boolean;
  evidence_kind: EvidenceKind;
  details: {
    tee: 'tdx' | 'sgx' | null;
    quote_verified: boolean;
    event_log_verified: boolean;
    os_image_hash_verified: boolean;
    tcb_status: TcbStatus | null;
    advisory_ids: string[];
    report_data: string | null;
    fmspc: string | null;
    app_info: AppInfo | null;
    measurements: TdxMeasurements | SgxMeasurements | null;
    rtmr_replay: Pick<EventLogReplay, 'replayed' | 'status' | 'digests'> | null;
    /** Every check of CHECK_NAMES. */
    checks: Record<CheckName, CheckOutcome>;
    /** Why each not_performed or not_applicable check was not run. */
    checks_not_performed: Array<{ check: CheckName; reason: string }>;
  };
  failures: AttestationFailure[];
  /** null when valid, else every failure as "check: message", joined by "; ". */
  reason: string | null;
};

const OFFLINE_REASON = 'needs network access (DNS / certificate transparency queries); not checked by the offline verifier';
const NO_ACME_INFO = 'not applicable: the evidence has no acme_info (only domain-owning apps such as the dstack gateway carry one)';
const NOT_DSTACK = 'not applicable: a plain DCAP quote has no dstack event log (send event_log or attestation for dstack evidence)';
const DISABLED = 'disabled by verificationFlags';
const NOT_REACHED = 'not reached: the evidence could not be appraised';

/**
 * The one verification pipeline for every kind of evidence: a plain DCAP quote (TDX v4/v5, SGX
 * v3) or dstack evidence (quote + event log + vm_config, or a dstack attestation). The quote,
 * collateral, TCB policy, report data and domain-key checks run the same way for both; the
 * dstack checks (event log, app id, compose hash, OS image) are not applicable to a plain quote
 * unless an expectation asks for them, which then fails. Offline and pure apart from reading
 * collateral from the given source; never throws for bad evidence.
 */
export async function verifyAttestation(submitted: DstackEvidence, options: VerifyAttestationOptions): Promise<AttestationVerification> {
  const flags: VerificationFlags = { ...DEFAULT_VERIFICATION_FLAGS, ...options.flags };
  const report = new Report(kindOf(submitted));
  const details = report.details;

  const unpacked = unpackAttestation(submitted);
  if (!unpacked.ok) {
    report.fail('evidence', unpacked.code, unpacked.message);
    return report.finish();
  }
  report.pass('evidence');
  const evidence = unpacked.value.evidence;
  const parsed = parseQuote(evidence.quote);
  if (!parsed.ok) {
    report.fail('hardware', parsed.code, parsed.message);
    return report.finish();
  }
  const quote = parsed.value;
  if (report.kind === 'dstack' && quote.body.tee !== 'tdx') {
    report.fail('hardware', 'NOT_TDX', 'dstack attestation needs a TDX quote, this is an SGX quote');
    return report.finish();
  }
  details.tee = quote.body.tee;
  details.measurements = quote.body.measurements;
  details.report_data = quote.body.measurements.report_data;

  let ppid: string | null = null;
  if (flags.hardware) {
    const verified = await verifyQuoteAndPolicy(quote, options);
    if (verified.ok) {
      details.quote_verified = true;
      details.tcb_status = verified.value.tcb_status;
      details.advisory_ids = verified.value.advisory_ids;
      details.fmspc = verified.value.fmspc;
      ppid = verified.value.ppid;
    }
    if (verified.ok && verified.policy.ok) report.pass('hardware');
    else if (verified.ok && !verified.policy.ok) report.fail('hardware', verified.policy.code, verified.policy.message);
    else if (!verified.ok) report.fail('hardware', verified.code, verified.message);
  } else {
    report.skip('hardware', `${DISABLED}: the quote was parsed but its signature and TCB were not verified`);
  }

  checkReportData([evidence.report_data, unpacked.value.attestationReportData], options, quote.body.measurements.report_data, report);
  if (quote.body.tee === 'tdx' && report.kind === 'dstack') {
    checkDstackIdentity(evidence, options, flags, quote.body.measurements, ppid, report);
  } else {
    checkNotDstack(options, evidence, flags, report);
  }
  await checkDomainKeys(evidence, options, flags, report);
  for (const check of ['dnsCAA', 'ctLog'] as const) {
    report.skip(check, flags[check] ? OFFLINE_REASON : DISABLED);
  }
  return report.finish();
}

/** dstack evidence: the event log replays to the RTMRs, then app id, compose hash and OS image. */
function checkDstackIdentity(
  evidence: DstackEvidence,
  options: VerifyAttestationOptions,
  flags: VerificationFlags,
  td: TdxMeasurements,
  ppid: string | null,
  report: Report,
): void {
  const appInfo = checkEventLog(evidence.event_log, td, ppid, report);
  if (options.expected?.appId !== undefined) {
    const expected = normalizeHex(options.expected.appId);
    if (appInfo?.app_id === expected) report.pass('appId');
    else report.fail('appId', 'APP_ID_MISMATCH', `app-id is ${appInfo?.app_id ?? 'unknown'}, expected ${expected}`);
  } else {
    report.notApplicable('appId', 'not applicable: no expected app id was given');
  }

  if (flags.sourceCode) checkSourceCode(evidence, options, appInfo, report);
  else report.skip('sourceCode', DISABLED);

  if (flags.os) checkOsImage(evidence, options, appInfo, td, report);
  else report.skip('os', DISABLED);
}

/** A plain quote carries no app identity: what only dstack evidence shows fails when asked for, else is not applicable. */
function checkNotDstack(options: VerifyAttestationOptions, evidence: DstackEvidence, flags: VerificationFlags, report: Report): void {
  const expected = options.expected ?? {};
  report.notApplicable('eventLog', NOT_DSTACK);
  if (expected.appId !== undefined) report.fail('appId', 'APP_ID_MISMATCH', `an expected app id needs dstack evidence; ${NOT_DSTACK}`);
  else report.notApplicable('appId', NOT_DSTACK);
  if (!flags.sourceCode) report.skip('sourceCode', DISABLED);
  else if (expected.composeHash !== undefined || evidence.app_compose !== undefined) {
    report.fail('sourceCode', 'SOURCE_CODE_UNVERIFIABLE', `a compose hash needs dstack evidence; ${NOT_DSTACK}`);
  } else report.notApplicable('sourceCode', NOT_DSTACK);
  if (!flags.os) report.skip('os', DISABLED);
  else if (expected.osImageHash !== undefined) report.fail('os', 'OS_IMAGE_UNKNOWN', `an expected OS image needs dstack evidence; ${NOT_DSTACK}`);
  else report.notApplicable('os', NOT_DSTACK);
}

const kindOf = (evidence: DstackEvidence): EvidenceKind =>
  typeof evidence === 'object' && evidence !== null && (evidence.event_log !== undefined || evidence.attestation !== undefined) ? 'dstack' : 'dcap_quote';

type QuoteAndPolicy = { ok: true; value: VerifiedQuote; policy: TcbPolicyResult } | QuoteFailure;

/**
 * A quote verified against its collateral (signatures, CRLs, TDX module identity, validity
 * windows) and its TCB status judged by the policy: the same for the evidence quote and the ACME
 * account quote.
 */
async function verifyQuoteAndPolicy(quote: ParsedQuote, options: VerifyAttestationOptions, preferSource = false): Promise<QuoteAndPolicy> {
  const verified = verifyParsedQuote(quote, await resolveCollateral(quote, options, preferSource), { verifyAt: options.verifyAt });
  if (!verified.ok) return verified;
  return { ...verified, policy: evaluateTcbPolicy(verified.value.tcb_status, options.acceptedTcbStatuses, verified.value.advisory_ids) };
}

/** Accumulates check outcomes into the response; every check ends with an outcome. */
class Report {
  readonly kind: EvidenceKind;
  readonly details: AttestationVerification['details'];
  readonly failures: AttestationFailure[] = [];
  readonly #outcomes: Partial<Record<CheckName, CheckOutcome>> = {};

  constructor(kind: EvidenceKind) {
    this.kind = kind;
    this.details = {
      tee: null,
      quote_verified: false,
      event_log_verified: false,
      os_image_hash_verified: false,
      tcb_status: null,
      advisory_ids: [],
      report_data: null,
      fmspc: null,
      app_info: null,
      measurements: null,
      rtmr_replay: null,
      checks: {} as Record<CheckName, CheckOutcome>,
      checks_not_performed: [],
    };
  }

  pass(check: CheckName): void {
    this.#outcomes[check] ??= 'passed';
  }
  fail(check: CheckName, code: AttestationFailureCode, message: string): void {
    this.#outcomes[check] = 'failed';
    this.failures.push({ check, code, message });
  }
  skip(check: CheckName, reason: string): void {
    this.#outcomes[check] = 'not_performed';
    this.details.checks_not_performed.push({ check, reason });
  }
  notApplicable(check: CheckName, reason: string): void {
    this.#outcomes[check] = 'not_applicable';
    this.details.checks_not_performed.push({ check, reason });
  }
  finish(): AttestationVerification {
    for (const check of CHECK_NAMES) {
      if (this.#outcomes[check] === undefined) this.skip(check, NOT_REACHED);
      this.details.checks[check] = this.#outcomes[check]!;
    }
    const isValid = this.failures.length === 0;
    return {
      is_valid: isValid,
      evidence_kind: this.kind,
      details: this.details,
      failures: this.failures,
      reason: isValid ? null : this.failures.map((failure) => `${failure.check}: ${failure.message}`).join('; '),
    };
  }
}

type Unpacked = { evidence: DstackEvidence; attestationReportData: string | undefined };

/**
 * Turns an `attestation` blob into quote + event_log (+ vm_config unless given separately, as the
 * dstack verifier does), after checking that its runtime_events are exactly the event log's
 * runtime events, since dstack reads the app identity from the former and we from the latter.
 */
function unpackAttestation(
  evidence: DstackEvidence,
): { ok: true; value: Unpacked } | { ok: false; code: DecodeAttestationFailureCode; message: string } {
  if (typeof evidence !== 'object' || evidence === null || evidence.attestation === undefined) {
    return { ok: true, value: { evidence: typeof evidence === 'object' && evidence !== null ? evidence : {}, attestationReportData: undefined } };
  }
  if (evidence.quote !== undefined || evidence.event_log !== undefined) {
    return { ok: false, code: 'ATTESTATION_MALFORMED', message: 'evidence carries both an attestation and a quote / event_log; give one form' };
  }
  const decoded = decodeDstackAttestation(evidence.attestation);
  if (!decoded.ok) return decoded;
  const { quote, event_log: eventLog, runtime_events: runtimeEvents, report_data: reportData, vm_config: vmConfig } = decoded.value;
  const logged = eventLog.filter((event) => event.event_type === DSTACK_RUNTIME_EVENT_TYPE);
  const consistent =
    logged.length === runtimeEvents.length &&
    logged.every((event, i) => event.event === runtimeEvents[i]!.event && event.event_payload === runtimeEvents[i]!.payload.toString('hex'));
  if (!consistent) {
    return { ok: false, code: 'ATTESTATION_MALFORMED', message: "attestation runtime_events differ from its event log's runtime events" };
  }
  return {
    ok: true,
    value: {
      evidence: { ...evidence, quote, event_log: eventLog, ...(evidence.vm_config === undefined && vmConfig !== '' ? { vm_config: vmConfig } : {}) },
      attestationReportData: reportData,
    },
  };
}

/**
 * Collateral for a quote: the explicit one, else the source's for the quote's FMSPC. The ACME
 * account quote may come from another platform, so for it the source is asked first and the
 * explicit one is the fallback.
 */
async function resolveCollateral(quote: ParsedQuote, options: VerifyAttestationOptions, preferSource = false): Promise<unknown> {
  let raw = preferSource ? undefined : options.collateral;
  if (raw === undefined && options.collateralSource) {
    const chain = readPckChain(quote);
    if (chain.ok) raw = await options.collateralSource.getCollateral({ fmspc: chain.value.fmspc, pck_ca: chain.value.ca, tee: quote.body.tee });
  }
  raw ??= options.collateral;
  if (raw === undefined || !options.collateralCache) return raw;
  const prepared = options.collateralCache.prepare(raw);
  return prepared.ok ? prepared.value : raw; // an unpreparable collateral fails again, with its reason, in verifyParsedQuote
}

/** The claimed report data (GetQuote's report_data, the attestation's) and the expected one must be the quote's. */
function checkReportData(claimed: unknown[], options: VerifyAttestationOptions, quoteReportData: string, report: Report): void {
  const claims = claimed.filter((value) => value !== undefined);
  for (const claim of claims) {
    if (typeof claim !== 'string') {
      report.fail('reportData', 'REPORT_DATA_MISMATCH', `evidence report_data must be hex, got ${describeType(claim)}`);
    } else if (normalizeHex(claim) !== quoteReportData) {
      report.fail('reportData', 'REPORT_DATA_MISMATCH', `evidence report_data ${normalizeHex(claim)} differs from the quote's ${quoteReportData}`);
    }
  }
  const expected = options.expected?.reportData;
  if (expected !== undefined) {
    const padded = normalizeHex(expected).padEnd(128, '0');
    if (padded.length !== 128 || !/^[0-9a-f]*$/.test(padded)) {
      report.fail('reportData', 'REPORT_DATA_MISMATCH', 'expected report data must be at most 64 bytes of hex');
    } else if (padded !== quoteReportData) {
      report.fail('reportData', 'REPORT_DATA_MISMATCH', `quote report_data ${quoteReportData} is not the expected ${padded}`);
    }
  }
  if (claims.length > 0 || expected !== undefined) report.pass('reportData');
  else report.notApplicable('reportData', 'not applicable: no report data was claimed beside the quote or expected');
}

function checkEventLog(eventLog: unknown, td: TdxMeasurements, ppid: string | null, report: Report): AppInfo | null {
  const { details } = report;
  if (eventLog === undefined || eventLog === null) {
    report.fail('eventLog', 'EVENT_LOG_MISSING', 'dstack evidence needs the event_log to bind app identity to RTMR3');
    return null;
  }
  const events = parseEventLog(eventLog);
  if (!events.ok) {
    report.fail('eventLog', events.code, events.message);
    return null;
  }
  const replay = replayEventLog(events.value, [td.rt_mr0, td.rt_mr1, td.rt_mr2, td.rt_mr3]);
  details.rtmr_replay = { replayed: replay.replayed, status: replay.status, digests: replay.digests };
  if (!replay.verified) {
    report.fail('eventLog', 'EVENT_LOG_MISMATCH', replay.problems.join('; '));
    return null;
  }
  details.event_log_verified = true;
  report.pass('eventLog');
  details.app_info = extractAppInfo(events.value, td, ppid);
  return details.app_info;
}

function checkSourceCode(evidence: DstackEvidence, options: VerifyAttestationOptions, appInfo: AppInfo | null, report: Report): void {
  const composeHash = appInfo?.compose_hash ?? null;
  if (composeHash === null) {
    report.fail('sourceCode', 'SOURCE_CODE_UNVERIFIABLE', 'no verified compose-hash event in RTMR3');
    return;
  }
  const expected = options.expected?.composeHash;
  if (evidence.app_compose === undefined && expected === undefined) {
    report.fail('sourceCode', 'SOURCE_CODE_UNVERIFIABLE', 'neither app_compose nor an expected compose hash was supplied');
    return;
  }
  if (evidence.app_compose !== undefined) {
    if (typeof evidence.app_compose !== 'string') {
      report.fail('sourceCode', 'SOURCE_CODE_UNVERIFIABLE', `app_compose must be the compose file text, got ${describeType(evidence.app_compose)}`);
      return;
    }
    const computed = createHash('sha256').update(evidence.app_compose, 'utf8').digest('hex');
    if (computed !== composeHash) {
      report.fail('sourceCode', 'COMPOSE_HASH_MISMATCH', `SHA-256 of app_compose is ${computed}, RTMR3 compose-hash is ${composeHash}`);
    }
  }
  if (expected !== undefined && normalizeHex(expected) !== composeHash) {
    report.fail('sourceCode', 'COMPOSE_HASH_MISMATCH', `RTMR3 compose-hash is ${composeHash}, expected ${normalizeHex(expected)}`);
  }
  report.pass('sourceCode');
}

function checkOsImage(
  evidence: DstackEvidence,
  options: VerifyAttestationOptions,
  appInfo: AppInfo | null,
  td: TdxMeasurements,
  report: Report,
): void {
  let vmConfigImage: string | null = null;
  if (evidence.vm_config !== undefined) {
    const vmConfig = readVmConfig(evidence.vm_config);
    if (!vmConfig.ok) {
      report.fail('os', 'VM_CONFIG_MALFORMED', vmConfig.message);
      return;
    }
    vmConfigImage = vmConfig.osImageHash;
  }
  // The RTMR3 event is measured; vm_config is host-supplied and only a fallback lookup key,
  // bound anyway by comparing the boot measurements with the image's references.
  const osImageHash = appInfo?.os_image_hash ?? vmConfigImage;
  const result = verifyOsImage(
    { osImageHash, td },
    { references: options.osImages ?? {}, ...(options.expected?.osImageHash ? { expectedOsImageHash: options.expected.osImageHash } : {}) },
  );
  if (!result.ok) {
    report.fail('os', result.code, result.message);
    return;
  }
  report.details.os_image_hash_verified = true;
  report.pass('os');
}

/**
 * teeControlledKey and certificateKey, from the dstack gateway's acme-info: applicable to any
 * evidence that carries acme_info; the account quote goes through the same quote and TCB policy
 * checks as the evidence quote.
 */
async function checkDomainKeys(evidence: DstackEvidence, options: VerifyAttestationOptions, flags: VerificationFlags, report: Report): Promise<void> {
  const checks = (['teeControlledKey', 'certificateKey'] as const).filter((check) => {
    if (!flags[check]) report.skip(check, DISABLED);
    return flags[check];
  });
  if (checks.length === 0) return;
  const acme = readAcmeInfo(evidence.acme_info);
  if (!acme.ok) {
    for (const check of checks) {
      if (acme.code === 'ABSENT') report.notApplicable(check, NO_ACME_INFO);
      else report.fail(check, acme.code, acme.message);
    }
    return;
  }
  const { value } = acme;

  if (flags.teeControlledKey) {
    const accountQuote = parseQuote(unwrapAccountQuote(value.account_quote));
    const verified = accountQuote.ok ? await verifyQuoteAndPolicy(accountQuote.value, options, true) : accountQuote;
    if (!verified.ok) report.fail('teeControlledKey', verified.code, `account quote: ${verified.message}`);
    else if (!verified.policy.ok) report.fail('teeControlledKey', verified.policy.code, `account quote: ${verified.policy.message}`);
    else {
      const bound = verifyTeeControlledKey({ accountUri: value.account_uri, accountQuoteReportData: verified.value.measurements.report_data });
      if (bound.ok) report.pass('teeControlledKey');
      else report.fail('teeControlledKey', bound.code, bound.message);
    }
  }
  if (flags.certificateKey) {
    const result = verifyCertificateKey(
      { certificateChainPem: value.active_cert, teePublicKeySpkiHex: value.tee_public_key },
      { verifyAt: options.verifyAt, ...(options.trustedCertificateRoots ? { trustedRootsPem: options.trustedCertificateRoots } : {}) },
    );
    if (result.ok) report.pass('certificateKey');
    else report.fail('certificateKey', result.code, result.message);
  }
}

const ACME_INFO_FIELDS = ['account_uri', 'account_quote', 'active_cert', 'tee_public_key'] as const;

function readAcmeInfo(raw: unknown): { ok: true; value: AcmeInfo } | { ok: false; code: 'ABSENT' | 'ACME_INFO_MALFORMED'; message: string } {
  if (raw === undefined) return { ok: false, code: 'ABSENT', message: NO_ACME_INFO };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'ACME_INFO_MALFORMED', message: `acme_info must be an object, got ${describeType(raw)}` };
  }
  const fields = raw as Record<string, unknown>;
  const wrong = ACME_INFO_FIELDS.filter((field) => typeof fields[field] !== 'string' || fields[field] === '');
  if (wrong.length > 0) {
    const described = wrong.map((field) => `${field} is ${fields[field] === '' ? 'empty' : describeType(fields[field])}`);
    return { ok: false, code: 'ACME_INFO_MALFORMED', message: `acme_info fields must be non-empty strings: ${described.join(', ')}` };
  }
  return { ok: true, value: raw as AcmeInfo };
}

/** The gateway serves the account quote as JSON {quote, event_log}; plain hex is accepted too. */
function unwrapAccountQuote(accountQuote: string): unknown {
  if (!accountQuote.trimStart().startsWith('{')) return accountQuote;
  try {
    const value: unknown = JSON.parse(accountQuote);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>).quote : undefined;
  } catch {
    return accountQuote; // parseQuote reports it as malformed
  }
}

function readVmConfig(raw: unknown): { ok: true; osImageHash: string | null } | { ok: false; message: string } {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return { ok: false, message: `vm_config is not JSON: ${errorMessage(error)}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'vm_config is not a JSON object' };
  const hash = (value as Record<string, unknown>).os_image_hash;
  if (hash === undefined || hash === null || hash === '') return { ok: true, osImageHash: null };
  if (typeof hash !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(hash.replace(/^0x/, ''))) {
    return { ok: false, message: 'vm_config.os_image_hash is not hex' };
  }
  return { ok: true, osImageHash: normalizeHex(hash) };
}

const normalizeHex = (value: string): string => value.trim().replace(/^0x/i, '').toLowerCase();
