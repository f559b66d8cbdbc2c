import { SignJWT } from 'jose';
import type { KeyPurpose, PlatformKeys } from '#platform/crypto/platform-keys.ts';
import type { StoredTaskResult } from './decide-task-outcome.ts';

export const ATTESTATION_RESULT_KEY_PURPOSE: KeyPurpose = 'attestation-results';
export const EAR_PROFILE = 'tag:github.com,2023:veraison/ear';
export const ATTESTATION_RESULT_ISSUER = 'veridity';
const ALGORITHM = 'EdDSA';

/** AR4SI trustworthiness claim values (draft-ietf-rats-ar4si), as EAR carries them. */
const CLAIM = {
  none: 0,
  unexpectedEvidence: 1,
  affirming: 2,
  warning: 32,
  unrecognizedRuntime: 33,
  contraindicated: 96,
  unrecognized: 97,
  cryptoValidationFailed: 99,
} as const;

export type EarStatus = 'affirming' | 'warning' | 'contraindicated' | 'none';

export type AttestationResultInput = {
  taskId: string;
  result: StoredTaskResult;
  evidenceSha256: string;
  /** SHA-256 of the stored result document this token vouches for. */
  resultSha256: string;
  acceptedTcbStatuses: readonly string[];
  issuedAt: Date;
};

/**
 * The attestation result a partner can hand on: an EAR-style JWT (EAT Attestation Result,
 * draft-fv-rats-ear, Veraison profile) signed with the platform's `attestation-results` Ed25519
 * key, verifiable offline with the keys at /api/v1/attestation-results/jwks.json. One submodule
 * per evidence (`tdx`, `sgx` or `dstack`) with its status, AR4SI trustworthiness vector and the
 * measurements the appraisal vouches for.
 */
export async function signAttestationResult(platformKeys: PlatformKeys, input: AttestationResultInput): Promise<string> {
  const { result } = input;
  const { details } = result;
  const vector = trustworthinessVector(result);
  const submodule = result.evidence_kind === 'dstack' ? 'dstack' : (details.tee ?? 'tee');
  const app = details.app_info;
  const key = await platformKeys.activeKey(ATTESTATION_RESULT_KEY_PURPOSE);
  const issuedAt = Math.floor(input.issuedAt.getTime() / 1000);
  return new SignJWT({
    eat_profile: EAR_PROFILE,
    'ear.verifier-id': { developer: 'Veridity', build: 'veridity-tee-tasks/1' },
    submods: {
      [submodule]: {
        'ear.status': earStatus(result, vector),
        'ear.trustworthiness-vector': vector,
        'ear.appraisal-policy-id': `veridity:tee:accepted-tcb=${input.acceptedTcbStatuses.join(',')}`,
        'veridity.is_valid': result.is_valid,
        'veridity.reason': result.reason,
        'veridity.tcb_status': details.tcb_status,
        'veridity.advisory_ids': details.advisory_ids,
        'veridity.fmspc': details.fmspc,
        'veridity.measurements': details.measurements,
        ...(app ? { 'veridity.app_info': { app_id: app.app_id, compose_hash: app.compose_hash, instance_id: app.instance_id, os_image_hash: app.os_image_hash, device_id: app.device_id } } : {}),
        'veridity.checks': details.checks,
      },
    },
    'veridity.verified_at': result.verified_at,
    'veridity.evidence_sha256': input.evidenceSha256,
    'veridity.result_sha256': input.resultSha256,
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: key.id })
    .setIssuer(ATTESTATION_RESULT_ISSUER)
    .setSubject(input.taskId)
    .setJti(input.taskId)
    .setIssuedAt(issuedAt)
    .sign(key.privateKey);
}

type Vector = { hardware: number; executables?: number };

function trustworthinessVector(result: StoredTaskResult): Vector {
  const { details, failures } = result;
  const failed = (check: string) => failures.find((failure) => failure.check === check);
  let hardware: number = CLAIM.none;
  const hardwareFailure = failed('hardware');
  if (details.quote_verified) {
    hardware = details.tcb_status === 'UpToDate' ? CLAIM.affirming : CLAIM.warning;
  } else if (hardwareFailure) {
    hardware =
      hardwareFailure.code === 'SIGNATURE_INVALID' ? CLAIM.cryptoValidationFailed
      : hardwareFailure.code === 'TCB_REVOKED' || hardwareFailure.code === 'CERTIFICATE_REVOKED' ? CLAIM.contraindicated
      : hardwareFailure.code.endsWith('_MALFORMED') ? CLAIM.unexpectedEvidence
      : CLAIM.unrecognized;
  }
  if (result.evidence_kind !== 'dstack') return { hardware };
  // dstack: what ran is bound to RTMR3 by the event log; the compose hash and OS image say whether it is the approved one.
  const executables =
    failed('eventLog') ? CLAIM.cryptoValidationFailed
    : failed('sourceCode') || failed('os') || failed('appId') ? CLAIM.unrecognizedRuntime
    : details.checks.sourceCode === 'passed' && details.checks.os === 'passed' ? CLAIM.affirming
    : CLAIM.none;
  return { hardware, executables };
}

function earStatus(result: StoredTaskResult, vector: Vector): EarStatus {
  if (!result.is_valid) return 'contraindicated';
  const claims = Object.values(vector);
  if (claims.every((claim) => claim === CLAIM.affirming)) return 'affirming';
  return claims.some((claim) => claim >= CLAIM.affirming) ? 'warning' : 'none';
}
