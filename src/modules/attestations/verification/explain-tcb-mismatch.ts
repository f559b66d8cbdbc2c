import type { PckExtensionFields } from './dcap-qvl.ts';
import type { TcbInfoDocument, TcbLevel } from './parse-collateral-json.ts';

/**
 * Says why no TCB level matched (dcap-qvl only says "No matching TCB level found"): for each
 * level, the first component where the platform is below it. Levels match component-wise.
 */
export function explainTcbMismatch(tcbInfo: TcbInfoDocument, pck: PckExtensionFields, teeTcbSvnHex: string | null): string {
  const cpuSvn = [...pck.cpuSvn];
  const teeTcbSvn = teeTcbSvnHex === null ? null : [...Buffer.from(teeTcbSvnHex, 'hex')];
  const reasons = tcbInfo.tcbLevels.map((level) => `${level.status} needs ${firstShortfall(level, pck.pceSvn, cpuSvn, teeTcbSvn)}`);
  const platform = [`pcesvn ${pck.pceSvn}`, `cpusvn ${pck.cpuSvn.toString('hex')}`];
  if (teeTcbSvnHex !== null) platform.push(`tee_tcb_svn ${teeTcbSvnHex}`);
  const evaluation = tcbInfo.tcbEvaluationDataNumber === null ? '' : `, evaluation data number ${tcbInfo.tcbEvaluationDataNumber}`;
  return (
    `no TCB level of tcb_info (FMSPC ${tcbInfo.fmspc}${evaluation}) matches the platform (${platform.join(', ')}): ` +
    [...new Set(reasons)].join('; ')
  );
}

function firstShortfall(level: TcbLevel, pceSvn: number, cpuSvn: number[], teeTcbSvn: number[] | null): string {
  const sgx = level.sgxComponents.findIndex((required, i) => (cpuSvn[i] ?? 0) < required);
  if (sgx >= 0) return `sgx component ${sgx} >= ${level.sgxComponents[sgx]} (platform ${cpuSvn[sgx] ?? 0})`;
  if (pceSvn < level.pceSvn) return `pcesvn >= ${level.pceSvn} (platform ${pceSvn})`;
  if (teeTcbSvn !== null) {
    const tdx = level.tdxComponents.findIndex((required, i) => (teeTcbSvn[i] ?? 0) < required);
    if (tdx >= 0) return `tdx component ${tdx} >= ${level.tdxComponents[tdx]} (platform ${teeTcbSvn[tdx] ?? 0})`;
  }
  return 'nothing the platform lacks (dcap-qvl disagrees; see its message)';
}
