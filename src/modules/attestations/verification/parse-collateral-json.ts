import { isTcbStatus } from './types.ts';
import type { Result, TcbStatus } from './types.ts';

/** Intel TCB Info (v2 SGX / v3 TDX), only the fields verification reads. */
export type TcbInfoDocument = {
  id: 'SGX' | 'TDX';
  version: number;
  issueDate: Date;
  nextUpdate: Date;
  fmspc: string;
  tcbEvaluationDataNumber: number | null;
  tcbLevels: TcbLevel[];
  tdxModule: TdxModuleIdentity | null;
  tdxModuleIdentities: TdxModuleIdentity[];
};

export type TcbLevel = {
  pceSvn: number;
  sgxComponents: number[];
  tdxComponents: number[];
  status: TcbStatus;
  advisoryIds: string[];
};

export type TdxModuleIdentity = {
  id: string;
  mrSigner: string;
  attributes: string;
  attributesMask: string;
  tcbLevels: Array<{ isvSvn: number; status: TcbStatus; advisoryIds: string[] }>;
};

export type QeIdentityDocument = { id: string; version: number; issueDate: Date; nextUpdate: Date };

type Parsed<T> = Result<T, 'MALFORMED'>;

const malformed = (message: string): { ok: false; code: 'MALFORMED'; message: string } => ({ ok: false, code: 'MALFORMED', message });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSvnList = (value: unknown): value is Array<{ svn: number }> =>
  Array.isArray(value) && value.every((c) => isObject(c) && Number.isInteger(c.svn) && (c.svn as number) >= 0);

function readDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const readAdvisories = (value: unknown): string[] | null =>
  value === undefined ? [] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null;

function parseJsonObject(text: string, item: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return malformed(`${item} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(value)) return malformed(`${item} is not a JSON object`);
  return { ok: true, value };
}

export function parseTcbInfoJson(text: string): Parsed<TcbInfoDocument> {
  const parsed = parseJsonObject(text, 'tcb_info');
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  if ('tcbInfo' in doc) {
    return malformed('tcb_info must be the signed inner tcbInfo JSON text, not the PCS response body {tcbInfo, signature}');
  }
  if (doc.id !== 'SGX' && doc.id !== 'TDX') return malformed(`tcb_info.id is ${JSON.stringify(doc.id)}, expected "SGX" or "TDX"`);
  if (!Number.isInteger(doc.version)) return malformed('tcb_info.version is not an integer');
  const issueDate = readDate(doc.issueDate);
  const nextUpdate = readDate(doc.nextUpdate);
  if (!issueDate || !nextUpdate) return malformed('tcb_info.issueDate / nextUpdate are not ISO-8601 dates');
  if (typeof doc.fmspc !== 'string' || !/^[0-9a-fA-F]{12}$/.test(doc.fmspc)) return malformed('tcb_info.fmspc is not 6 hex bytes');
  if (!Array.isArray(doc.tcbLevels) || doc.tcbLevels.length === 0) return malformed('tcb_info.tcbLevels is empty or missing');

  const tcbLevels: TcbLevel[] = [];
  for (const [index, level] of doc.tcbLevels.entries()) {
    const tcb = isObject(level) ? level.tcb : undefined;
    const advisoryIds = isObject(level) ? readAdvisories(level.advisoryIDs) : null;
    if (!isObject(level) || !isObject(tcb) || !isSvnList(tcb.sgxtcbcomponents) || !Number.isInteger(tcb.pcesvn)) {
      return malformed(`tcb_info.tcbLevels[${index}] lacks tcb.sgxtcbcomponents / tcb.pcesvn`);
    }
    if (tcb.tdxtcbcomponents !== undefined && !isSvnList(tcb.tdxtcbcomponents)) {
      return malformed(`tcb_info.tcbLevels[${index}].tcb.tdxtcbcomponents is not a list of {svn}`);
    }
    if (!isTcbStatus(level.tcbStatus)) return malformed(`tcb_info.tcbLevels[${index}].tcbStatus ${JSON.stringify(level.tcbStatus)} is unknown`);
    if (advisoryIds === null) return malformed(`tcb_info.tcbLevels[${index}].advisoryIDs is not a list of strings`);
    tcbLevels.push({
      pceSvn: tcb.pcesvn as number,
      sgxComponents: tcb.sgxtcbcomponents.map((c) => c.svn),
      tdxComponents: isSvnList(tcb.tdxtcbcomponents) ? tcb.tdxtcbcomponents.map((c) => c.svn) : [],
      status: level.tcbStatus,
      advisoryIds,
    });
  }

  const tdxModule = doc.tdxModule === undefined ? null : parseTdxModuleIdentity(doc.tdxModule, 'tcb_info.tdxModule', false);
  if (tdxModule !== null && !tdxModule.ok) return tdxModule;
  const identities: TdxModuleIdentity[] = [];
  if (doc.tdxModuleIdentities !== undefined) {
    if (!Array.isArray(doc.tdxModuleIdentities)) return malformed('tcb_info.tdxModuleIdentities is not a list');
    for (const [index, entry] of doc.tdxModuleIdentities.entries()) {
      const identity = parseTdxModuleIdentity(entry, `tcb_info.tdxModuleIdentities[${index}]`, true);
      if (!identity.ok) return identity;
      identities.push(identity.value);
    }
  }

  return {
    ok: true,
    value: {
      id: doc.id,
      version: doc.version as number,
      issueDate,
      nextUpdate,
      fmspc: doc.fmspc.toLowerCase(),
      tcbEvaluationDataNumber: Number.isInteger(doc.tcbEvaluationDataNumber) ? (doc.tcbEvaluationDataNumber as number) : null,
      tcbLevels,
      tdxModule: tdxModule?.value ?? null,
      tdxModuleIdentities: identities,
    },
  };
}

function parseTdxModuleIdentity(value: unknown, item: string, withLevels: boolean): Parsed<TdxModuleIdentity> {
  if (!isObject(value)) return malformed(`${item} is not an object`);
  const hexField = (name: string): string | null =>
    typeof value[name] === 'string' && /^[0-9a-fA-F]*$/.test(value[name] as string) ? (value[name] as string).toLowerCase() : null;
  const mrSigner = hexField('mrsigner');
  const attributes = hexField('attributes');
  const attributesMask = hexField('attributesMask');
  if (mrSigner === null || attributes === null || attributesMask === null || attributes.length !== attributesMask.length) {
    return malformed(`${item} lacks hex mrsigner / attributes / attributesMask`);
  }
  const tcbLevels: TdxModuleIdentity['tcbLevels'] = [];
  if (withLevels) {
    if (typeof value.id !== 'string' || !Array.isArray(value.tcbLevels)) return malformed(`${item} lacks id / tcbLevels`);
    for (const [index, level] of value.tcbLevels.entries()) {
      const isvSvn = isObject(level) && isObject(level.tcb) ? level.tcb.isvsvn : undefined;
      const advisoryIds = isObject(level) ? readAdvisories(level.advisoryIDs) : null;
      if (!isObject(level) || !Number.isInteger(isvSvn) || !isTcbStatus(level.tcbStatus) || advisoryIds === null) {
        return malformed(`${item}.tcbLevels[${index}] lacks tcb.isvsvn / a known tcbStatus`);
      }
      tcbLevels.push({ isvSvn: isvSvn as number, status: level.tcbStatus, advisoryIds });
    }
  }
  return { ok: true, value: { id: typeof value.id === 'string' ? value.id : '', mrSigner, attributes, attributesMask, tcbLevels } };
}

export function parseQeIdentityJson(text: string): Parsed<QeIdentityDocument> {
  const parsed = parseJsonObject(text, 'qe_identity');
  if (!parsed.ok) return parsed;
  const doc = parsed.value;
  if ('enclaveIdentity' in doc) {
    return malformed('qe_identity must be the signed inner enclaveIdentity JSON text, not the PCS response body');
  }
  if (typeof doc.id !== 'string' || !Number.isInteger(doc.version)) return malformed('qe_identity lacks id / version');
  const issueDate = readDate(doc.issueDate);
  const nextUpdate = readDate(doc.nextUpdate);
  if (!issueDate || !nextUpdate) return malformed('qe_identity.issueDate / nextUpdate are not ISO-8601 dates');
  if (!Array.isArray(doc.tcbLevels) || doc.tcbLevels.length === 0) return malformed('qe_identity.tcbLevels is empty or missing');
  for (const key of ['mrsigner', 'miscselect', 'miscselectMask', 'attributes', 'attributesMask']) {
    if (typeof doc[key] !== 'string' || !/^[0-9a-fA-F]+$/.test(doc[key] as string)) return malformed(`qe_identity.${key} is not hex`);
  }
  if (!Number.isInteger(doc.isvprodid)) return malformed('qe_identity.isvprodid is not an integer');
  return { ok: true, value: { id: doc.id, version: doc.version as number, issueDate, nextUpdate } };
}
