import type { TcbInfoDocument, TdxModuleIdentity } from './parse-collateral-json.ts';
import type { TcbStatus, TdxMeasurements } from './types.ts';

export type TdxModuleMatch =
  | { ok: true; value: { identity: string; status: TcbStatus | null; advisoryIds: string[] } }
  | { ok: false; code: 'ENCLAVE_IDENTITY_MISMATCH' | 'TCB_UNKNOWN'; message: string };

/**
 * Intel's TDX module identity step, which dcap-qvl 0.3.9 does not perform: the TDX module that
 * produced the TD report (MRSIGNER_SEAM, SEAM_ATTRIBUTES, module SVN in TEE_TCB_SVN) must be one
 * Intel lists in the TCB info. TEE_TCB_SVN[1] is the module major version: 0 means TDX 1.0
 * (checked against `tdxModule`), otherwise `tdxModuleIdentities["TDX_%02X"]`, whose TCB levels
 * are matched with TEE_TCB_SVN[0]. Status is null when the identity has no TCB levels.
 */
export function matchTdxModule(td: TdxMeasurements, tcbInfo: TcbInfoDocument): TdxModuleMatch {
  const teeTcbSvn = Buffer.from(td.tee_tcb_svn, 'hex');
  const majorVersion = teeTcbSvn[1]!;
  const moduleSvn = teeTcbSvn[0]!;
  const identityId = `TDX_${majorVersion.toString(16).toUpperCase().padStart(2, '0')}`;
  const identity: TdxModuleIdentity | null | undefined =
    majorVersion === 0 ? tcbInfo.tdxModule : tcbInfo.tdxModuleIdentities.find((entry) => entry.id.toUpperCase() === identityId);
  if (!identity) {
    return {
      ok: false,
      code: 'TCB_UNKNOWN',
      message: `tcb_info lists no TDX module identity ${majorVersion === 0 ? 'tdxModule' : identityId} for TEE_TCB_SVN ${td.tee_tcb_svn.slice(0, 4)}`,
    };
  }
  if (td.mr_signer_seam !== identity.mrSigner) {
    return {
      ok: false,
      code: 'ENCLAVE_IDENTITY_MISMATCH',
      message: `TDX module MRSIGNER_SEAM ${td.mr_signer_seam} is not ${identity.id || 'tdxModule'}'s ${identity.mrSigner}`,
    };
  }
  if (!maskedEqual(td.seam_attributes, identity.attributes, identity.attributesMask)) {
    return {
      ok: false,
      code: 'ENCLAVE_IDENTITY_MISMATCH',
      message: `TDX module SEAM_ATTRIBUTES ${td.seam_attributes} do not match ${identity.attributes} under mask ${identity.attributesMask}`,
    };
  }
  if (identity.tcbLevels.length === 0) return { ok: true, value: { identity: identity.id || 'tdxModule', status: null, advisoryIds: [] } };
  const level = identity.tcbLevels.find((candidate) => moduleSvn >= candidate.isvSvn);
  if (!level) {
    const minimum = Math.min(...identity.tcbLevels.map((candidate) => candidate.isvSvn));
    return { ok: false, code: 'TCB_UNKNOWN', message: `TDX module ${identityId} SVN ${moduleSvn} is below every TCB level (lowest ${minimum})` };
  }
  return { ok: true, value: { identity: identityId, status: level.status, advisoryIds: level.advisoryIds } };
}

/** Intel's convergence of the platform TCB status with the TDX module's. */
export function convergeWithTdxModule(platform: TcbStatus, module: TcbStatus | null): TcbStatus {
  if (module === 'Revoked') return 'Revoked';
  if (module !== 'OutOfDate' && module !== 'OutOfDateConfigurationNeeded') return platform;
  switch (platform) {
    case 'UpToDate':
    case 'SWHardeningNeeded':
      return 'OutOfDate';
    case 'ConfigurationNeeded':
    case 'ConfigurationAndSWHardeningNeeded':
      return 'OutOfDateConfigurationNeeded';
    default:
      return platform;
  }
}

function maskedEqual(actualHex: string, expectedHex: string, maskHex: string): boolean {
  const actual = Buffer.from(actualHex, 'hex');
  const expected = Buffer.from(expectedHex, 'hex');
  const mask = Buffer.from(maskHex, 'hex');
  if (actual.length !== mask.length || expected.length !== mask.length) return false;
  return mask.every((m, i) => (actual[i]! & m) === (expected[i]! & m));
}
