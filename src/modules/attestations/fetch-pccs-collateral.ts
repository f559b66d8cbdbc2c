import type { CollateralKey } from './verification/index.ts';

const TIMEOUT_MS = 10_000;

export type PccsFetchResult = { ok: true; collateral: Record<string, string> } | { ok: false; message: string };

/**
 * Collateral for one platform from a PCCS (Intel's Provisioning Certificate Caching Service, API
 * v4), in the JSON shape dcap-qvl takes (binary items as hex). The caller validates it
 * (prepareCollateral) before trusting or storing it; this only fetches. Network failures are
 * results, not throws: PCCS is optional and may be unreachable.
 */
export async function fetchPccsCollateral(pccsUrl: string, key: CollateralKey): Promise<PccsFetchResult> {
  const base = pccsUrl.replace(/\/+$/, '').replace(/\/(sgx|tdx)\/certification\/v4$/, '');
  const url = (tee: string, path: string) => `${base}/${tee}/certification/v4/${path}`;
  try {
    const pckCrl = await get(url('sgx', `pckcrl?ca=${key.pck_ca}&encoding=der`));
    const tcb = await get(url(key.tee, `tcb?fmspc=${key.fmspc}`));
    const qe = await get(url(key.tee, 'qe/identity?update=standard'));
    const rootCrl = await get(url('sgx', 'rootcacrl'));
    const tcbBody = JSON.parse(tcb.body.toString('utf8')) as { tcbInfo?: unknown; signature?: unknown };
    const qeBody = JSON.parse(qe.body.toString('utf8')) as { enclaveIdentity?: unknown; signature?: unknown };
    if (typeof tcbBody.signature !== 'string' || tcbBody.tcbInfo === undefined) throw new Error('tcb response lacks tcbInfo or signature');
    if (typeof qeBody.signature !== 'string' || qeBody.enclaveIdentity === undefined) throw new Error('qe/identity response lacks enclaveIdentity or signature');
    // PCCS serves the root CA CRL hex-encoded; Intel's CRL distribution point serves DER.
    const rootText = rootCrl.body.toString('latin1').trim();
    return {
      ok: true,
      collateral: {
        pck_crl_issuer_chain: header(pckCrl.headers, 'SGX-PCK-CRL-Issuer-Chain'),
        pck_crl: pckCrl.body.toString('hex'),
        root_ca_crl: /^([0-9a-fA-F]{2})+$/.test(rootText) ? rootText.toLowerCase() : rootCrl.body.toString('hex'),
        tcb_info_issuer_chain: header(tcb.headers, key.tee === 'tdx' ? 'TCB-Info-Issuer-Chain' : 'SGX-TCB-Info-Issuer-Chain', 'TCB-Info-Issuer-Chain'),
        // Intel signs the compact serialisation it serves; re-serialising the parsed JSON gives those bytes back.
        tcb_info: JSON.stringify(tcbBody.tcbInfo),
        tcb_info_signature: tcbBody.signature,
        qe_identity_issuer_chain: header(qe.headers, 'SGX-Enclave-Identity-Issuer-Chain'),
        qe_identity: JSON.stringify(qeBody.enclaveIdentity),
        qe_identity_signature: qeBody.signature,
      },
    };
  } catch (error) {
    return { ok: false, message: `PCCS ${base}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function get(url: string): Promise<{ body: Buffer; headers: Headers }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  if (!response.ok) throw new Error(`GET ${new URL(url).pathname} answered ${response.status}`);
  return { body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

function header(headers: Headers, ...names: string[]): string {
  for (const name of names) {
    const value = headers.get(name);
    if (value) return decodeURIComponent(value);
  }
  throw new Error(`response lacks the ${names[0]} header`);
}
