/**
 * The one place that touches @phala/dcap-qvl (0.3.9, pure-JS port). Its published typings miss
 * some helpers we use (utils.findExtension, intel.getCa) and type a few fields loosely, so the
 * surface we rely on is declared here once; a library upgrade is checked against this file and
 * against the error-string table in map-dcap-qvl-error.ts (whose test reads the library source).
 */
import * as dcapQvl from '@phala/dcap-qvl';

export type DcapEnclaveReport = {
  cpuSvn: Uint8Array;
  miscSelect: number;
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  reportData: Uint8Array;
};

export type DcapTdReport10 = {
  teeTcbSvn: Uint8Array;
  mrSeam: Uint8Array;
  mrSignerSeam: Uint8Array;
  seamAttributes: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
  mrTd: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  rtMr0: Uint8Array;
  rtMr1: Uint8Array;
  rtMr2: Uint8Array;
  rtMr3: Uint8Array;
  reportData: Uint8Array;
};

export type DcapReport =
  | { type: 'sgx'; data: DcapEnclaveReport }
  | { type: 'td10'; data: DcapTdReport10 }
  | { type: 'td15'; data: { base: DcapTdReport10; teeTcbSvn2: Uint8Array; mrServiceTd: Uint8Array } };

export type DcapCertificationData = { certType: number; body: Uint8Array };

export type DcapQuote = {
  header: {
    version: number;
    attestationKeyType: number;
    teeType: number;
    qeSvn: number;
    pceSvn: number;
    qeVendorId: Uint8Array;
  };
  report: DcapReport;
  authData: { intoV3(): { certificationData: DcapCertificationData } };
  /** Bytes covered by the attestation-key signature: header (+ v5 body descriptor) + report. */
  signedLength(): number;
};

export type DcapVerifiedReport = { status: string; advisory_ids: string[] };

/** Collateral exactly as dcap-qvl reads it (Intel PCS / PCCS shapes, hex or byte arrays). */
export type DcapCollateral = {
  pck_crl_issuer_chain: string;
  root_ca_crl: string | number[];
  pck_crl: string | number[];
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string | number[];
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string | number[];
  pck_certificate_chain?: string;
};

type DcapQvlModule = {
  Quote: { parse(bytes: Uint8Array): DcapQuote };
  verify(rawQuote: Uint8Array, collateral: DcapCollateral, nowSecs: number): DcapVerifiedReport;
  utils: {
    extractCerts(chain: Uint8Array | string): Buffer[];
    getIntelExtension(certDer: Uint8Array): Buffer;
    findExtension(oidPath: string[], extension: Uint8Array): Buffer;
    getCpuSvn(extension: Uint8Array): Buffer;
    getPceSvn(extension: Uint8Array): number;
    getFmspc(extension: Uint8Array): Buffer;
  };
  constants: { TRUSTED_ROOT_CA_DER: Buffer; TEE_TYPE_SGX: number; TEE_TYPE_TDX: number };
  oids: { PPID: string };
};

const dcap = dcapQvl as unknown as DcapQvlModule;

export const parseDcapQuote = (bytes: Uint8Array): DcapQuote => dcap.Quote.parse(bytes);
export const dcapVerify = dcap.verify;
export const extractPemCertificates = (chain: Uint8Array | string): Buffer[] => dcap.utils.extractCerts(chain);
/** Intel's production SGX/TDX root CA (DER), the trust anchor dcap-qvl verifies against. */
export const INTEL_ROOT_CA_DER: Uint8Array = dcap.constants.TRUSTED_ROOT_CA_DER;
export const TEE_TYPE_SGX = dcap.constants.TEE_TYPE_SGX;
export const TEE_TYPE_TDX = dcap.constants.TEE_TYPE_TDX;

export type PckExtensionFields = { fmspc: Buffer; cpuSvn: Buffer; pceSvn: number; ppid: Buffer };

/**
 * Reads the Intel SGX extension of a PCK certificate. dcap-qvl's own parsePckExtension fails on
 * every real certificate (it reads the SGX-Type ENUMERATED with its DER header), which leaves
 * VerifiedReport.ppid empty, so the fields are read here with its lower-level helpers.
 */
export function readPckExtension(pckLeafDer: Uint8Array): PckExtensionFields {
  const extension = dcap.utils.getIntelExtension(pckLeafDer);
  return {
    fmspc: dcap.utils.getFmspc(extension),
    cpuSvn: dcap.utils.getCpuSvn(extension),
    pceSvn: dcap.utils.getPceSvn(extension),
    ppid: dcap.utils.findExtension([dcap.oids.PPID], extension),
  };
}
