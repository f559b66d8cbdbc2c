import { parseDcapQuote, TEE_TYPE_SGX, TEE_TYPE_TDX } from './dcap-qvl.ts';
import type { DcapQuote, DcapTdReport10 } from './dcap-qvl.ts';
import { decodeBinaryInput } from './decode-binary-input.ts';
import { errorMessage, quoteFailure, toHex } from './types.ts';
import type { QuoteBody, QuoteFailure, QuoteHeader, TdxMeasurements } from './types.ts';

export type ParsedQuote = {
  bytes: Uint8Array;
  dcap: DcapQuote;
  header: QuoteHeader;
  body: QuoteBody;
};

const ECDSA_P256_ATTESTATION_KEY = 2;
const AUTH_DATA_SIZE_BYTES = 4;

/**
 * Parses a DCAP quote (hex, 0x-hex, base64 or bytes) without verifying anything, and rejects
 * what verification would not support: SGX must be v3, TDX v4 or v5, the key ECDSA P-256.
 * Quote generators pad quotes with zeros to a fixed buffer size (the TDX samples carry 70 such
 * bytes), so zero padding is accepted; any other trailing byte is rejected as unsigned data.
 */
export function parseQuote(input: unknown): { ok: true; value: ParsedQuote } | QuoteFailure {
  const decoded = decodeBinaryInput(input, 'quote');
  if (!decoded.ok) return quoteFailure('QUOTE_MALFORMED', decoded.message);
  const bytes = decoded.value;

  let dcap: DcapQuote;
  try {
    dcap = parseDcapQuote(bytes);
  } catch (error) {
    return quoteFailure('QUOTE_MALFORMED', `quote does not parse (${bytes.length} bytes): ${errorMessage(error)}`);
  }
  const declared = declaredLength(dcap, bytes);
  if (bytes.subarray(declared).some((byte) => byte !== 0)) {
    return quoteFailure('QUOTE_MALFORMED', `quote has non-zero bytes after its declared ${declared}-byte length (${bytes.length} bytes)`);
  }

  const { header } = dcap;
  if (header.teeType === TEE_TYPE_SGX && header.version !== 3) {
    return quoteFailure('QUOTE_UNSUPPORTED', `SGX quote version ${header.version} is not supported (only v3)`);
  }
  if (header.teeType === TEE_TYPE_TDX && header.version !== 4 && header.version !== 5) {
    return quoteFailure('QUOTE_UNSUPPORTED', `TDX quote version ${header.version} is not supported (only v4, v5)`);
  }
  if (header.teeType !== TEE_TYPE_SGX && header.teeType !== TEE_TYPE_TDX) {
    return quoteFailure('QUOTE_UNSUPPORTED', `TEE type 0x${header.teeType.toString(16)} is neither SGX nor TDX`);
  }
  if (header.attestationKeyType !== ECDSA_P256_ATTESTATION_KEY) {
    return quoteFailure(
      'QUOTE_UNSUPPORTED',
      `attestation key type ${header.attestationKeyType} is not supported (only 2, ECDSA-256 with P-256)`,
    );
  }

  return {
    ok: true,
    value: {
      bytes,
      dcap,
      header: {
        version: header.version,
        attestation_key_type: header.attestationKeyType,
        tee_type: header.teeType,
        qe_svn: header.qeSvn,
        pce_svn: header.pceSvn,
        qe_vendor_id: toHex(header.qeVendorId),
      },
      body: describeBody(dcap),
    },
  };
}

function declaredLength(dcap: DcapQuote, bytes: Uint8Array): number {
  const signedLength = dcap.signedLength();
  const authDataSize = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(signedLength);
  return signedLength + AUTH_DATA_SIZE_BYTES + authDataSize;
}

function describeBody(dcap: DcapQuote): QuoteBody {
  const { report } = dcap;
  if (report.type === 'sgx') {
    const sgx = report.data;
    return {
      tee: 'sgx',
      report_type: 'sgx',
      measurements: {
        cpu_svn: toHex(sgx.cpuSvn),
        misc_select: sgx.miscSelect,
        attributes: toHex(sgx.attributes),
        mr_enclave: toHex(sgx.mrEnclave),
        mr_signer: toHex(sgx.mrSigner),
        isv_prod_id: sgx.isvProdId,
        isv_svn: sgx.isvSvn,
        report_data: toHex(sgx.reportData),
      },
    };
  }
  if (report.type === 'td10') return { tee: 'tdx', report_type: 'td10', measurements: describeTd10(report.data) };
  return {
    tee: 'tdx',
    report_type: 'td15',
    measurements: {
      ...describeTd10(report.data.base),
      tee_tcb_svn2: toHex(report.data.teeTcbSvn2),
      mr_service_td: toHex(report.data.mrServiceTd),
    },
  };
}

function describeTd10(td: DcapTdReport10): TdxMeasurements {
  return {
    tee_tcb_svn: toHex(td.teeTcbSvn),
    mr_seam: toHex(td.mrSeam),
    mr_signer_seam: toHex(td.mrSignerSeam),
    seam_attributes: toHex(td.seamAttributes),
    td_attributes: toHex(td.tdAttributes),
    xfam: toHex(td.xfam),
    mr_td: toHex(td.mrTd),
    mr_config_id: toHex(td.mrConfigId),
    mr_owner: toHex(td.mrOwner),
    mr_owner_config: toHex(td.mrOwnerConfig),
    rt_mr0: toHex(td.rtMr0),
    rt_mr1: toHex(td.rtMr1),
    rt_mr2: toHex(td.rtMr2),
    rt_mr3: toHex(td.rtMr3),
    report_data: toHex(td.reportData),
  };
}
