import { z } from 'zod';
import { EXAMPLE } from '#platform/http/openapi-examples.ts';
import { CHECK_NAMES, TCB_STATUSES } from './verification/index.ts';

/**
 * HTTP shapes of the tasks API. Every field of a task resource (request, evidence, task, result
 * summary, page, stats) is camelCase, as the seed's VerificationTask is. The seed names no
 * evidence fields, so dstack's snake_case names (GetQuote's event_log, vm_config, ...) are
 * camelCased too; the verification core keeps dstack's words and verify-task-evidence.ts maps.
 */

export const TASK_STATUSES = ['pending', 'active', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const APP_CONFIG_TYPES = ['redpill', 'phala_cloud'] as const;

/** A TDX quote with its PCK chain is ~5 KB, 10 K hex characters; room for v5 quotes and base64. */
export const MAX_QUOTE_CHARS = 64 * 1024;
/** Everything under `evidence`, as JSON: bigger is refused with 413 before a task exists. */
export const MAX_EVIDENCE_BYTES = 192 * 1024;
const MAX_METADATA_BYTES = 16 * 1024;

const TaskId = z.string().regex(/^tsk_[0-9a-z]{26}$/, 'must be a task id (tsk_...)');
const Iso = z.iso.datetime({ offset: true });
const hex = (pattern: string, what: string) => z.string().regex(new RegExp(`^(0x)?${pattern}$`), `must be ${what}`);
const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
const JsonObject = z.record(z.string(), z.unknown());

export const VerificationFlagsSchema = z
  .strictObject({
    hardware: z.boolean().optional().describe('DCAP quote signature, collateral and TCB policy (default true)'),
    os: z.boolean().optional().describe('MRTD and RTMR0..2 equal the registered reference of the OS image (default true)'),
    sourceCode: z.boolean().optional().describe('RTMR3 compose hash equals appCompose / expectedComposeHash (default true)'),
    teeControlledKey: z.boolean().optional().describe('ACME account bound to a verified TEE quote (default true; not applicable without evidence.acmeInfo)'),
    certificateKey: z.boolean().optional().describe('the domain certificate certifies the TEE-held key (default true; not applicable without evidence.acmeInfo)'),
    dnsCAA: z.boolean().optional().describe('reported as not checked: needs network access (default false)'),
    ctLog: z.boolean().optional().describe('reported as not checked: needs network access (default false)'),
  })
  .meta({ id: 'VerificationFlags' });

export const AppliedFlagsSchema = z
  .object({
    hardware: z.boolean(),
    os: z.boolean(),
    sourceCode: z.boolean(),
    teeControlledKey: z.boolean(),
    certificateKey: z.boolean(),
    dnsCAA: z.boolean(),
    ctLog: z.boolean(),
  })
  .meta({ id: 'AppliedVerificationFlags' });

const AcmeInfoSchema = z
  .strictObject({
    accountUri: z.string().min(1).max(2048).describe('ACME account URI (acme-info `account_uri`)'),
    accountQuote: z
      .string()
      .min(1)
      .max(MAX_EVIDENCE_BYTES)
      .describe('quote of the ACME account (acme-info `account_quote`: the GetQuote JSON text, or a quote in hex); its report data must be SHA-512("acme-account:" + accountUri)'),
    activeCert: z.string().min(1).max(64 * 1024).describe('the domain\'s TLS certificate chain, PEM, leaf first (acme-info `active_cert`)'),
    teePublicKey: hex('([0-9a-fA-F]{2}){1,2048}', 'hex').describe('the TEE-held certificate key, hex of its SubjectPublicKeyInfo DER (acme-info `hist_keys[0]` / `quoted_hist_keys[].public_key`)'),
  })
  .meta({ id: 'AcmeInfo', description: 'What the dstack gateway publishes at /.dstack/acme-info, for the teeControlledKey and certificateKey checks' });

export const EvidenceSchema = z
  .strictObject({
    quote: z.string().min(1).max(MAX_QUOTE_CHARS).optional().describe('DCAP quote (TDX v4/v5, SGX v3): hex (0x optional) or base64'),
    attestation: z.string().min(1).max(4 * MAX_QUOTE_CHARS).optional().describe('dstack VersionedAttestation (SCALE, hex or base64) instead of quote + eventLog'),
    eventLog: z
      .union([z.string().max(MAX_EVIDENCE_BYTES), z.array(JsonObject).max(4096)])
      .optional()
      .describe('dstack event log (GetQuote `event_log`: JSON text or array): makes this dstack evidence'),
    reportData: z.string().max(130).optional().describe("GetQuote `report_data` returned beside the quote; must equal the quote's"),
    vmConfig: z.union([z.string().max(64 * 1024), JsonObject]).optional().describe('dstack GetQuote `vm_config` (its os_image_hash)'),
    appCompose: z.string().max(128 * 1024).optional().describe('app-compose.json text: its SHA-256 must be the RTMR3 compose hash'),
    acmeInfo: AcmeInfoSchema.optional(),
    collateral: z
      .union([z.string().max(MAX_EVIDENCE_BYTES), JsonObject])
      .optional()
      .describe("Intel PCS/PCCS collateral JSON as @phala/dcap-qvl takes it; omit to use the collateral stored for the quote's FMSPC"),
    verifyAt: Iso.optional().describe('Time to evaluate collateral and certificates at (ISO 8601); default: when the worker verifies'),
    expectedReportData: hex('([0-9a-fA-F]{2}){1,64}', 'at most 64 bytes of hex').optional().describe('right-padded with zero bytes to 64, as dstack does'),
    expectedComposeHash: hex('[0-9a-fA-F]{64}', '32 bytes of hex').optional(),
    expectedAppId: hex('[0-9a-fA-F]{40}', '20 bytes of hex').optional(),
    expectedOsImageHash: hex('[0-9a-fA-F]{64}', '32 bytes of hex').optional(),
  })
  .refine((evidence) => evidence.quote !== undefined || evidence.attestation !== undefined, {
    message: 'give a quote (with eventLog for dstack evidence) or a dstack attestation',
    path: ['quote'],
  })
  .meta({ id: 'AttestationEvidence' });
export type Evidence = z.infer<typeof EvidenceSchema>;

export const TaskCreateSchema = z
  .strictObject({
    appId: z.string().trim().min(1).max(200),
    appName: z.string().trim().min(1).max(200),
    appConfigType: z.enum(APP_CONFIG_TYPES),
    contractAddress: z.string().trim().min(1).max(200).optional(),
    modelOrDomain: z.string().trim().min(1).max(500).optional(),
    appMetadata: JsonObject.refine((value) => jsonBytes(value) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes of JSON`).optional(),
    verificationFlags: VerificationFlagsSchema.optional(),
    evidence: EvidenceSchema,
  })
  .meta({ id: 'TaskCreate', examples: [{ appId: 'app-7f3a', appName: 'Acme inference agent', appConfigType: 'phala_cloud', evidence: { quote: '040002008100000000000000939a7233f79c4ca9940a0db3957f0607' } }] });
export type TaskCreate = z.infer<typeof TaskCreateSchema>;

export const TaskCreatedSchema = z.object({ id: z.string(), status: z.literal('pending') }).meta({ id: 'TaskCreated', examples: [{ id: EXAMPLE.taskId, status: 'pending' }] });

const CHECK_OUTCOMES = ['passed', 'failed', 'not_performed', 'not_applicable'] as const;

export const AppInfoSummarySchema = z
  .object({
    appId: z.string().nullable(),
    composeHash: z.string().nullable(),
    instanceId: z.string().nullable(),
    osImageHash: z.string().nullable(),
    deviceId: z.string().nullable(),
    keyProvider: JsonObject.nullable().describe('the key-provider event of RTMR3, as dstack wrote it'),
    mrSystem: z.string(),
    mrAggregated: z.string(),
  })
  .meta({ id: 'AppInfo' });

/** What GET /tasks/{id} shows of the appraisal; the stored result document has everything. */
export const TaskResultSchema = z
  .object({
    isValid: z.boolean(),
    reason: z.string().nullable().describe('null when valid, else every failure as "check: message"'),
    evidenceKind: z.enum(['dcap_quote', 'dstack']),
    verifiedAt: z.string().describe('The time collateral and certificates were evaluated at (evidence.verifyAt, or when the worker ran)'),
    details: z.object({
      quoteVerified: z.boolean(),
      eventLogVerified: z.boolean(),
      osImageHashVerified: z.boolean(),
      tee: z.enum(['tdx', 'sgx']).nullable(),
      tcbStatus: z.enum(TCB_STATUSES).nullable(),
      advisoryIds: z.array(z.string()),
      fmspc: z.string().nullable(),
      reportData: z.string().nullable(),
      measurements: z
        .record(z.string(), z.union([z.string(), z.number()]))
        .nullable()
        .describe('TD report (mrTd, rtMr0..3, mrSeam, ...) or SGX report (mrEnclave, mrSigner, ...) fields, hex'),
      appInfo: AppInfoSummarySchema.nullable(),
      checks: z
        .partialRecord(z.enum(CHECK_NAMES), z.enum(CHECK_OUTCOMES))
        .describe(
          'Every check with its outcome. not_performed: disabled by verificationFlags, needs the network (dnsCAA, ctLog) or not reached; ' +
            'not_applicable: the evidence has nothing for it (a plain quote has no event log, no acmeInfo, no expectation). The result document gives each reason.',
        ),
    }),
    failures: z.array(z.object({ check: z.string(), code: z.string(), message: z.string() })),
  })
  .meta({ id: 'TaskResult' });
export type TaskResult = z.infer<typeof TaskResultSchema>;

export const TaskSchema = z
  .object({
    id: z.string().describe('Task id (`tsk_...`)'),
    jobName: z.string(),
    jobId: z.string().nullable().describe('The queue job carrying the task'),
    appId: z.string(),
    appName: z.string(),
    appConfigType: z.enum(APP_CONFIG_TYPES),
    contractAddress: z.string().nullable(),
    modelOrDomain: z.string().nullable(),
    appMetadata: JsonObject.nullable(),
    verificationFlags: AppliedFlagsSchema,
    status: z.enum(TASK_STATUSES),
    errorCode: z.string().nullable().describe('Why a failed task failed, e.g. COLLATERAL_EXPIRED, SIGNATURE_INVALID'),
    errorMessage: z.string().nullable(),
    isValid: z.boolean().nullable(),
    result: TaskResultSchema.nullable(),
    attestationResult: z.string().nullable().describe('Signed attestation result: EAR-style JWT (EdDSA), keys at /api/v1/attestation-results/jwks.json'),
    evidenceSha256: z.string(),
    resultSha256: z.string().nullable().describe('SHA-256 of the stored result document'),
    receiptUrl: z.string().nullable().describe('Where to fetch the ledger receipt of this outcome (once the task is finished and appraised)'),
    s3Filename: z.string().nullable(),
    s3Key: z.string().nullable(),
    s3Bucket: z.string().nullable().describe('The S3 bucket holding the result document; `local` when objects are kept on the file system'),
    attempts: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Task' });
export type Task = z.infer<typeof TaskSchema>;

export const TaskPageSchema = z
  .object({
    data: z.array(TaskSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
  })
  .meta({ id: 'TaskPage' });

export const TaskListQuery = z
  .strictObject({
    status: z.enum(TASK_STATUSES).optional(),
    appId: z.string().min(1).max(200).optional(),
    from: Iso.optional().describe('created at or after'),
    to: Iso.optional().describe('created before'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: TaskId.optional().describe('`nextCursor` of the previous page'),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'must be after from', path: ['to'] });

export const TaskStatsQuery = z
  .strictObject({ from: Iso.optional(), to: Iso.optional() })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'must be after from', path: ['to'] });

const StatusCounts = z.object(Object.fromEntries(TASK_STATUSES.map((status) => [status, z.number().int()])) as Record<TaskStatus, z.ZodNumber>);

export const TaskStatsSchema = z
  .object({
    total: z.number().int(),
    byStatus: StatusCounts,
    valid: z.number().int().describe('completed with isValid true'),
    invalid: z.number().int().describe('completed with isValid false'),
    averageDurationMs: z.number().nullable().describe('startedAt to finishedAt, over completed and failed tasks'),
    lastCreatedAt: z.string().nullable(),
  })
  .meta({ id: 'TaskStats' });

export const QueueStatusSchema = z
  .object({
    queue: z.string(),
    paused: z.boolean(),
    changedAt: z.string().describe('When the paused flag last changed'),
    changedBy: z.string().nullable(),
    tasks: StatusCounts.describe('Tasks per status, all partners'),
    oldestPendingSeconds: z.number().describe('Age of the oldest pending task; 0 when none'),
    jobs: z
      .object({ ready: z.number().int(), deferred: z.number().int(), active: z.number().int(), failed: z.number().int() })
      .nullable()
      .describe('pg-boss jobs of the queue (deferred: waiting for a retry); null before a worker created the queue'),
  })
  .meta({ id: 'QueueStatus' });

export const TaskIdParams = z.strictObject({ id: TaskId });

export const FmspcParams = z.strictObject({ fmspc: z.string().regex(/^[0-9a-fA-F]{12}$/, 'must be 6 bytes of hex') });

export const StoredCollateralSchema = z
  .object({
    tee: z.enum(['tdx', 'sgx']),
    fmspc: z.string(),
    pck_ca: z.enum(['processor', 'platform']),
    digest: z.string().describe('SHA-256 of the normalised collateral'),
    valid_from: z.string().describe('Latest start of the validity windows of its items'),
    valid_until: z.string().describe('Earliest end of the validity windows of its items'),
    tcb_info_issue_date: z.string().nullable().describe("Intel's TCB info issueDate (ISO 8601)"),
    tcb_info_next_update: z.string().nullable().describe("Intel's TCB info nextUpdate: when Intel publishes the next one (ISO 8601)"),
    source: z.enum(['upload', 'pccs']),
    updated_at: z.string(),
  })
  .meta({ id: 'StoredCollateral' });

const Register = hex('[0-9a-fA-F]{96}', '48 bytes of hex');
export const OsImageParams = z.strictObject({ os_image_hash: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex') });
export const OsImageBodySchema = z
  .strictObject({ label: z.string().trim().min(1).max(200).optional(), mr_td: Register, rt_mr0: Register, rt_mr1: Register, rt_mr2: Register })
  .meta({ id: 'OsImageReferenceCreate' });
export const OsImageSchema = z
  .object({
    os_image_hash: z.string(),
    label: z.string().nullable(),
    mr_td: z.string(),
    rt_mr0: z.string(),
    rt_mr1: z.string(),
    rt_mr2: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'OsImageReference' });
