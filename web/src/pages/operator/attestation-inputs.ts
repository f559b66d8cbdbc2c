import { z } from 'zod';

/**
 * What the attestation page checks in the browser before it sends anything: the collateral file
 * (its shape and what it is for; signatures, chains and CRLs are the server's to check), the
 * freshness of stored collateral, and OS image hashes and measurements as hex.
 */

/** The API's default body limit; a bigger file would be refused (413) after a pointless upload. */
export const MAX_COLLATERAL_FILE_BYTES = 256 * 1024;
/** Collateral that stops being valid within this many days is flagged before it does. */
export const EXPIRING_SOON_DAYS = 7;

/** Every item of Intel PCS/PCCS collateral as @phala/dcap-qvl takes it (and PUT .../collateral/{fmspc}). */
const COLLATERAL_FIELDS = [
  'tcb_info',
  'tcb_info_signature',
  'tcb_info_issuer_chain',
  'qe_identity',
  'qe_identity_signature',
  'qe_identity_issuer_chain',
  'pck_crl',
  'pck_crl_issuer_chain',
  'root_ca_crl',
] as const;
const CHAIN_FIELDS = ['tcb_info_issuer_chain', 'qe_identity_issuer_chain', 'pck_crl_issuer_chain'] as const;
const EXPECTED_QE_IDENTITY = { TDX: 'TD_QE', SGX: 'QE' } as const;

export type CollateralSummary = {
  tee: 'tdx' | 'sgx';
  /** Lower-case hex, as the API keys it. */
  fmspc: string;
  tcbInfoVersion: number;
  tcbEvaluationDataNumber: number | null;
  tcbInfoIssueDate: string;
  tcbInfoNextUpdate: string;
  qeIdentityIssueDate: string;
  qeIdentityNextUpdate: string;
};

export type CollateralInspection = { ok: true; summary: CollateralSummary; collateral: Record<string, unknown> } | { ok: false; message: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An item that is itself JSON text (tcb_info, qe_identity), parsed. */
function innerDocument(collateral: Record<string, unknown>, name: string): Record<string, unknown> | string {
  const text = collateral[name];
  if (typeof text !== 'string') return `${name} is not JSON text`;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : `${name} is not a JSON object`;
  } catch {
    return `${name} is not JSON`;
  }
}

/**
 * Reads a collateral file's text: a JSON object with every item, whose TCB info and QE identity
 * say which TEE and FMSPC it is for and when they were issued. `expectedFmspc`: replacing the
 * collateral of that platform, so a file for another one is refused here.
 */
export function inspectCollateral(text: string, expectedFmspc?: string): CollateralInspection {
  let collateral: unknown;
  try {
    collateral = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The file is not JSON: collateral is the JSON object that @phala/dcap-qvl fetches from Intel PCS or a PCCS.' };
  }
  if (!isObject(collateral)) return { ok: false, message: 'The file is not a JSON object of collateral items.' };
  const missing = COLLATERAL_FIELDS.filter((name) => collateral[name] === undefined || collateral[name] === null || collateral[name] === '');
  if (missing.length > 0) return { ok: false, message: `The collateral lacks ${missing.join(', ')}.` };
  const chainless = CHAIN_FIELDS.filter((name) => typeof collateral[name] !== 'string' || !collateral[name].includes('-----BEGIN CERTIFICATE-----'));
  if (chainless.length > 0) return { ok: false, message: `${chainless.join(', ')} should hold PEM certificates.` };

  const tcbInfo = innerDocument(collateral, 'tcb_info');
  if (typeof tcbInfo === 'string') return { ok: false, message: `${tcbInfo}.` };
  if ('tcbInfo' in tcbInfo) return { ok: false, message: 'tcb_info is the PCS response body {tcbInfo, signature}: it must be the signed inner tcbInfo JSON text.' };
  if (tcbInfo.id !== 'TDX' && tcbInfo.id !== 'SGX') return { ok: false, message: `tcb_info.id is ${JSON.stringify(tcbInfo.id)}, expected "TDX" or "SGX".` };
  if (typeof tcbInfo.fmspc !== 'string' || !/^[0-9a-fA-F]{12}$/.test(tcbInfo.fmspc)) return { ok: false, message: 'tcb_info.fmspc is not 6 bytes of hex.' };
  const tcbInfoIssueDate = isoDate(tcbInfo.issueDate);
  const tcbInfoNextUpdate = isoDate(tcbInfo.nextUpdate);
  if (!tcbInfoIssueDate || !tcbInfoNextUpdate) return { ok: false, message: 'tcb_info.issueDate / nextUpdate are not dates.' };

  const qeIdentity = innerDocument(collateral, 'qe_identity');
  if (typeof qeIdentity === 'string') return { ok: false, message: `${qeIdentity}.` };
  const expectedQe = EXPECTED_QE_IDENTITY[tcbInfo.id];
  if (qeIdentity.id !== expectedQe) return { ok: false, message: `qe_identity.id is ${JSON.stringify(qeIdentity.id)}; ${tcbInfo.id} collateral has ${expectedQe}.` };
  const qeIdentityIssueDate = isoDate(qeIdentity.issueDate);
  const qeIdentityNextUpdate = isoDate(qeIdentity.nextUpdate);
  if (!qeIdentityIssueDate || !qeIdentityNextUpdate) return { ok: false, message: 'qe_identity.issueDate / nextUpdate are not dates.' };

  const fmspc = tcbInfo.fmspc.toLowerCase();
  if (expectedFmspc !== undefined && fmspc !== expectedFmspc.toLowerCase()) {
    return { ok: false, message: `This collateral is for FMSPC ${fmspc}, not ${expectedFmspc.toLowerCase()}.` };
  }
  return {
    ok: true,
    collateral,
    summary: {
      tee: tcbInfo.id === 'TDX' ? 'tdx' : 'sgx',
      fmspc,
      tcbInfoVersion: Number(tcbInfo.version),
      tcbEvaluationDataNumber: Number.isInteger(tcbInfo.tcbEvaluationDataNumber) ? (tcbInfo.tcbEvaluationDataNumber as number) : null,
      tcbInfoIssueDate,
      tcbInfoNextUpdate,
      qeIdentityIssueDate,
      qeIdentityNextUpdate,
    },
  };
}

export type Freshness = 'not_yet_valid' | 'valid' | 'expiring' | 'expired';

/** Where `now` falls in stored collateral's validity window (the intersection of its items'). */
export function collateralFreshness(window: { valid_from: string; valid_until: string }, now: Date): Freshness {
  const from = new Date(window.valid_from).getTime();
  const until = new Date(window.valid_until).getTime();
  if (now.getTime() < from) return 'not_yet_valid';
  if (now.getTime() >= until) return 'expired';
  return until - now.getTime() < EXPIRING_SOON_DAYS * 86_400_000 ? 'expiring' : 'valid';
}

/** Hex of a given byte length, as typed (with or without 0x, any case), made canonical: lower case, no prefix. */
const canonicalHex = (bytes: number, what: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^(0x)?[0-9a-fA-F]{${bytes * 2}}$`), `${what} is ${bytes} bytes of hex (${bytes * 2} characters)`)
    .transform((value) => value.replace(/^0x/i, '').toLowerCase());

/** The "allow an OS image" form: its hash and the boot measurements a TD booted from it has. */
export const OsImageFormSchema = z.object({
  os_image_hash: canonicalHex(32, 'An OS image hash'),
  label: z
    .string()
    .trim()
    .max(200, 'At most 200 characters')
    .transform((value) => value || undefined),
  mr_td: canonicalHex(48, 'MRTD'),
  rt_mr0: canonicalHex(48, 'RTMR0'),
  rt_mr1: canonicalHex(48, 'RTMR1'),
  rt_mr2: canonicalHex(48, 'RTMR2'),
});
export type OsImageFormInput = z.input<typeof OsImageFormSchema>;
export type OsImageFormValues = z.output<typeof OsImageFormSchema>;
