import { verifyAttestation } from './verification/index.ts';
import type {
  AttestationFailure,
  AttestationVerification,
  CollateralKey,
  CollateralSource,
  DstackEvidence,
  PreparedCollateralCache,
  ReferenceMeasurements,
  TcbStatus,
  VerificationFlags,
} from './verification/index.ts';
import type { Evidence } from './schema.ts';

/** A collateral source that can also say why it had nothing for a platform (for the task's error message). */
export type TaskCollateralSource = CollateralSource & { describeMiss(key: CollateralKey): string };

/** One string per platform (TEE, FMSPC, PCK CA): what collateral is looked up and kept by. */
export const collateralKeyId = (key: CollateralKey): string => `${key.tee}:${key.fmspc}:${key.pck_ca}`;

/**
 * The source's answer per platform, asked once: for a batch of tasks worked together, whose
 * quotes mostly share their platform. A failed lookup is not kept (the next task asks again).
 */
export function collateralLookedUpOnce(source: TaskCollateralSource): TaskCollateralSource {
  const answers = new Map<string, Promise<unknown>>();
  return {
    getCollateral(key) {
      const id = collateralKeyId(key);
      let answer = answers.get(id);
      if (!answer) {
        answer = new Promise((resolve) => resolve(source.getCollateral(key)));
        answers.set(id, answer);
        answer.catch(() => answers.delete(id));
      }
      return answer;
    },
    describeMiss: (key) => source.describeMiss(key),
  };
}

export type TaskVerificationOptions = {
  verifyAt: Date;
  flags: VerificationFlags;
  acceptedTcbStatuses: readonly TcbStatus[];
  collateralSource: TaskCollateralSource;
  /** Prepared (parsed, signature-checked) collateral reused across tasks; absent: prepared per task. */
  collateralCache?: PreparedCollateralCache | undefined;
  /** Registered reference boot measurements per OS image hash (the `os` flag). */
  osImages: Readonly<Record<string, ReferenceMeasurements>>;
};

/** dstack-verifier's response shape, for plain DCAP quotes (SGX too) as well as dstack evidence. */
export type TaskVerification = AttestationVerification;

/**
 * Verifies a task's evidence with the one verification pipeline (verifyAttestation), whatever
 * its kind. Collateral is the submitted one, else the source's for the quote's FMSPC (the ACME
 * account quote's too). Never throws for bad evidence.
 */
export async function verifyTaskEvidence(evidence: Evidence, options: TaskVerificationOptions): Promise<TaskVerification> {
  const misses: CollateralKey[] = [];
  const collateralSource: CollateralSource = {
    async getCollateral(key) {
      const found = await options.collateralSource.getCollateral(key);
      if (found === undefined) misses.push(key);
      return found;
    },
  };
  const { expectedReportData, expectedComposeHash, expectedAppId, expectedOsImageHash } = evidence;
  const result = await verifyAttestation(toDstackEvidence(evidence), {
    verifyAt: options.verifyAt,
    ...(evidence.collateral !== undefined ? { collateral: evidence.collateral } : {}),
    collateralSource,
    ...(options.collateralCache ? { collateralCache: options.collateralCache } : {}),
    acceptedTcbStatuses: options.acceptedTcbStatuses,
    flags: options.flags,
    expected: {
      ...(expectedReportData !== undefined ? { reportData: expectedReportData } : {}),
      ...(expectedComposeHash !== undefined ? { composeHash: expectedComposeHash } : {}),
      ...(expectedAppId !== undefined ? { appId: expectedAppId } : {}),
      ...(expectedOsImageHash !== undefined ? { osImageHash: expectedOsImageHash } : {}),
    },
    osImages: options.osImages,
  });
  if (misses.length === 0) return result;
  // "no collateral supplied" alone would not tell the partner what to do about it.
  const hint = misses.map((key) => options.collateralSource.describeMiss(key)).join('; ');
  const failures = result.failures.map((failure) =>
    failure.code === 'COLLATERAL_MISSING' ? { ...failure, message: `${failure.message}: ${hint}` } : failure,
  );
  return { ...result, failures, reason: describeFailures(failures) };
}

/** The API's camelCase evidence in the verification core's words (dstack's). */
function toDstackEvidence(evidence: Evidence): DstackEvidence {
  const { acmeInfo } = evidence;
  return {
    ...(evidence.quote !== undefined ? { quote: evidence.quote } : {}),
    ...(evidence.attestation !== undefined ? { attestation: evidence.attestation } : {}),
    ...(evidence.eventLog !== undefined ? { event_log: evidence.eventLog } : {}),
    ...(evidence.reportData !== undefined ? { report_data: evidence.reportData } : {}),
    ...(evidence.vmConfig !== undefined ? { vm_config: evidence.vmConfig } : {}),
    ...(evidence.appCompose !== undefined ? { app_compose: evidence.appCompose } : {}),
    ...(acmeInfo !== undefined
      ? {
          acme_info: {
            account_uri: acmeInfo.accountUri,
            account_quote: acmeInfo.accountQuote,
            active_cert: acmeInfo.activeCert,
            tee_public_key: acmeInfo.teePublicKey.replace(/^0x/i, ''),
          },
        }
      : {}),
  };
}

function describeFailures(failures: readonly AttestationFailure[]): string | null {
  return failures.length === 0 ? null : failures.map((failure) => `${failure.check}: ${failure.message}`).join('; ');
}
