import { receiptUrl } from '#modules/ledger/receipt-url.ts';
import type { StoredTaskResult } from './decide-task-outcome.ts';
import type { Task } from './schema.ts';
import type { AttestationTaskRow } from './tables.ts';
import { toTaskResult } from './to-task-result.ts';

/** The API view of a task row (the evidence is not echoed: its SHA-256 identifies it). */
export function toTask(row: AttestationTaskRow): Task {
  return {
    id: row.id,
    jobName: row.jobName,
    jobId: row.jobId,
    appId: row.appId,
    appName: row.appName,
    appConfigType: row.appConfigType as Task['appConfigType'],
    contractAddress: row.contractAddress,
    modelOrDomain: row.modelOrDomain,
    appMetadata: row.appMetadata,
    verificationFlags: row.verificationFlags as Task['verificationFlags'],
    status: row.status as Task['status'],
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    isValid: row.isValid,
    result: row.summary ? toTaskResult(row.summary as StoredTaskResult) : null,
    attestationResult: row.resultJwt,
    evidenceSha256: row.evidenceSha256,
    resultSha256: row.resultSha256,
    s3Filename: row.s3Filename,
    receiptUrl: row.resultSha256 ? receiptUrl(row.id) : null,
    s3Key: row.s3Key,
    s3Bucket: row.s3Bucket,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
