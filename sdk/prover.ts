/**
 * Prove Veridity claims on the holder's device, in a browser or in Node.
 *
 * The prover downloads the circuit artifacts from the platform, checks each one against
 * the SHA-256 that `GET /api/v1/circuits` publishes, computes the binding of the proof
 * request's nonce and verifier domain, and runs snarkjs `groth16.fullProve` locally. It
 * returns the body for `POST /api/v1/verify`: the proof and its public signals. The
 * credential's attributes never leave the device; the prover only sends GET requests.
 *
 * snarkjs is passed in, so one module serves both worlds: in Node it defaults to the
 * `snarkjs` package; a page loads `snarkjs.min.js` (a classic script defining
 * `globalThis.snarkjs`) and passes that. Hashing uses WebCrypto (`crypto.subtle`), which
 * browsers only offer in secure contexts (https, or http://localhost / 127.0.0.1).
 *
 * Browser-safe: everything imported here is pure (no Node or DOM APIs), so the same files
 * are served to the holder page as JavaScript (see src/modules/holder/routes.ts).
 */
import { toYyyymmdd } from '../src/modules/zk/credentials/attributes.ts';
import { canonicalizeVerifierDomain } from '../src/modules/zk/credentials/binding.ts';
import { buildWitnessInput, type CircuitInput } from '../src/modules/zk/credentials/build-witness-input.ts';
import { CLAIM_CIRCUITS, isClaimType, type ClaimType } from '../src/modules/zk/credentials/claim-types.ts';
import { parseCredential, type Credential } from '../src/modules/zk/credentials/credential-format.ts';
import { fail, type Result } from '../src/modules/zk/credentials/result.ts';

export type Groth16Proof = { pi_a: string[]; pi_b: string[][]; pi_c: string[]; protocol: string; curve: string };

/** snarkjs's in-memory file: the artifact bytes handed to snarkjs without touching a file system. */
export type MemoryFile = { type: 'mem'; data: Uint8Array };

/** The part of snarkjs the prover calls (`import * as snarkjs from 'snarkjs'`, or `globalThis.snarkjs` in a page). */
export type Snarkjs = {
  groth16: {
    fullProve(input: CircuitInput, wasm: MemoryFile, zkey: MemoryFile): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
  };
};

/** An entry of `GET /api/v1/circuits`. */
export type PublicCircuit = {
  claim_type: ClaimType;
  semver: string;
  public_signal_count: number | null;
  artifacts: Record<'wasm' | 'zkey' | 'vkey', { url: string; sha256: string | null }>;
};

/** A proof request as `POST /api/v1/requests` returns it (extra fields such as `request_id` are ignored). */
export type ProofRequest = {
  nonce: string;
  verifier_domain: string;
  claim_type: string;
  params?: Record<string, number>;
};

/** The body of `POST /api/v1/verify`. */
export type VerifyBody = {
  claim_type: ClaimType;
  circuit_version: string;
  proof: Groth16Proof;
  public_signals: string[];
  request: { nonce: string; verifier_domain: string; params?: Record<string, number> };
};

export type ProveInput = {
  credential: Credential;
  request: ProofRequest;
  /** A semver from listCircuits(); default: the highest enabled version for the claim type. */
  circuitVersion?: string;
  /** The moment the proof speaks about; its UTC date becomes the `current_date` signal. Default: now. */
  currentDate?: Date;
};

export type ProverErrorCode =
  /** The platform could not be reached, or answered an artifact or circuit list with an error. */
  | 'PLATFORM_UNAVAILABLE'
  /** No enabled circuit for the claim type (or not the requested version). */
  | 'CIRCUIT_NOT_AVAILABLE'
  /** A downloaded artifact does not have the SHA-256 the platform lists (or none is listed). */
  | 'ARTIFACT_HASH_MISMATCH'
  | 'CREDENTIAL_MALFORMED'
  | 'REQUEST_MALFORMED'
  | 'UNKNOWN_CLAIM_TYPE'
  /** The request's parameter is outside what the circuit (or the claim type) accepts. */
  | 'PARAM_NOT_ACCEPTED'
  | 'CURRENT_DATE_INVALID'
  /** No witness: the credential's signature does not match its issuer key, or an attribute is out of range. */
  | 'WITNESS_FAILED'
  /** `crypto.subtle` is missing: a page served over plain http from a host other than localhost. */
  | 'WEBCRYPTO_UNAVAILABLE';

export type ProverFailure = { ok: false; code: ProverErrorCode; message: string };

export type Prover = {
  /** The enabled circuit versions the platform serves. */
  listCircuits(): Promise<Result<PublicCircuit[], ProverErrorCode>>;
  /** Proves the request's claim from the credential; the value is ready for `POST /api/v1/verify`. */
  prove(input: ProveInput): Promise<Result<VerifyBody, ProverErrorCode>>;
};

export type ProverOptions = {
  /** Where the platform answers, e.g. `https://verify.example.com` (a path prefix is kept). */
  baseUrl: string | URL;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Default: the `snarkjs` package, imported on first use (Node). Pages pass `globalThis.snarkjs`. */
  snarkjs?: Snarkjs;
};

export function createProver(options: ProverOptions): Prover {
  const base = new URL(options.baseUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  // Verified artifacts of this session, by URL and hash: the wasm and zkey are megabytes.
  const artifacts = new Map<string, Promise<Result<Uint8Array, ProverErrorCode>>>();

  // The platform's paths are absolute ("/api/v1/..."); resolving them under the base keeps a proxy's prefix.
  const resolve = (path: string) => new URL(path.replace(/^\/+/, ''), base);

  async function listCircuits(): Promise<Result<PublicCircuit[], ProverErrorCode>> {
    const url = resolve('/api/v1/circuits');
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      return fail('PLATFORM_UNAVAILABLE', `cannot reach ${url.origin}: ${(error as Error).message}`);
    }
    if (!response.ok) return fail('PLATFORM_UNAVAILABLE', `GET ${url.pathname} answered ${response.status}`);
    const circuits: unknown = await response.json().catch(() => undefined);
    if (!Array.isArray(circuits)) return fail('PLATFORM_UNAVAILABLE', `GET ${url.pathname} did not answer a list of circuits`);
    return { ok: true, value: circuits as PublicCircuit[] };
  }

  function artifact(entry: { url: string; sha256: string | null }): Promise<Result<Uint8Array, ProverErrorCode>> {
    const key = `${entry.url}#${entry.sha256}`;
    let pending = artifacts.get(key);
    if (!pending) {
      pending = downloadVerified(fetchImpl, resolve(entry.url), entry.sha256);
      artifacts.set(key, pending);
      pending.then((result) => result.ok || artifacts.delete(key), () => artifacts.delete(key));
    }
    return pending;
  }

  async function prove(input: ProveInput): Promise<Result<VerifyBody, ProverErrorCode>> {
    const credential = parseCredential(input.credential);
    if (!credential.ok) return credential;
    const request = parseProofRequest(input.request);
    if (!request.ok) return request;
    const { claim_type: claimType, nonce, verifier_domain: verifierDomain, params } = request.value;

    const param = requestedParam(claimType, params);
    if (!param.ok) return param;
    const witnessInput = buildWitnessInput(credential.value, claimType, {
      currentDate: toYyyymmdd(input.currentDate ?? new Date()),
      param: param.value,
      nonce,
      verifierDomain,
    });
    if (!witnessInput.ok) return witnessInput;

    const circuits = await listCircuits();
    if (!circuits.ok) return circuits;
    const circuit = pickCircuit(circuits.value, claimType, input.circuitVersion);
    if (!circuit.ok) return circuit;
    const [wasm, zkey] = await Promise.all([artifact(circuit.value.artifacts.wasm), artifact(circuit.value.artifacts.zkey)]);
    if (!wasm.ok) return wasm;
    if (!zkey.ok) return zkey;

    const snarkjs = options.snarkjs ?? ((await import('snarkjs')) as Snarkjs);
    let proved: { proof: Groth16Proof; publicSignals: string[] };
    try {
      proved = await snarkjs.groth16.fullProve(witnessInput.value, { type: 'mem', data: wasm.value }, { type: 'mem', data: zkey.value });
    } catch (error) {
      return fail('WITNESS_FAILED', `no proof can be made from this credential (is it signed by its issuer key?): ${(error as Error).message}`);
    }
    return {
      ok: true,
      value: {
        claim_type: claimType,
        circuit_version: circuit.value.semver,
        proof: proved.proof,
        public_signals: proved.publicSignals,
        request: { nonce, verifier_domain: verifierDomain, ...(params && Object.keys(params).length > 0 ? { params } : {}) },
      },
    };
  }

  return { listCircuits, prove };
}

/** Checks untrusted JSON (e.g. pasted into the holder page) for the fields a proof needs. */
export function parseProofRequest(
  json: unknown,
): Result<{ claim_type: ClaimType; nonce: string; verifier_domain: string; params?: Record<string, number> }, ProverErrorCode> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('REQUEST_MALFORMED', 'the proof request must be a JSON object');
  const { claim_type: claimType, nonce, verifier_domain: verifierDomain, params } = json as Record<string, unknown>;
  if (typeof claimType !== 'string') return fail('REQUEST_MALFORMED', 'claim_type must be a string');
  if (!isClaimType(claimType)) return fail('UNKNOWN_CLAIM_TYPE', `unknown claim type ${claimType}`);
  // computeBinding refuses these (the separator, and text TextEncoder would silently alter).
  if (typeof nonce !== 'string' || nonce === '' || nonce.includes('\u0000') || !nonce.isWellFormed()) {
    return fail('REQUEST_MALFORMED', 'nonce must be a non-empty string');
  }
  if (typeof verifierDomain !== 'string' || !verifierDomain.isWellFormed() || canonicalizeVerifierDomain(verifierDomain) === '') {
    return fail('REQUEST_MALFORMED', 'verifier_domain must be a domain name');
  }
  if (params !== undefined) {
    const valid = typeof params === 'object' && params !== null && !Array.isArray(params)
      && Object.values(params).every((value) => Number.isSafeInteger(value) && (value as number) >= 0);
    if (!valid) return fail('REQUEST_MALFORMED', 'params must map names to non-negative integers');
  }
  return { ok: true, value: { claim_type: claimType, nonce, verifier_domain: verifierDomain, ...(params ? { params: params as Record<string, number> } : {}) } };
}

/**
 * The circuit's `param` from the request: fixed for the age claims, otherwise the request's
 * one parameter (country, min_level or min_income; the verifier checks the name).
 */
function requestedParam(claimType: ClaimType, params: Record<string, number> | undefined): Result<bigint, ProverErrorCode> {
  const values = Object.values(params ?? {});
  const required = CLAIM_CIRCUITS[claimType].requiredParam;
  if (required !== undefined) {
    return values.length === 0 ? { ok: true, value: required } : fail('REQUEST_MALFORMED', `${claimType} takes no params`);
  }
  if (values.length !== 1) return fail('REQUEST_MALFORMED', `${claimType} needs exactly one parameter in params`);
  return { ok: true, value: BigInt(values[0]!) };
}

function semverParts(semver: string): number[] {
  return semver.split('.').map(Number);
}

function compareSemver(a: string, b: string): number {
  const [x, y] = [semverParts(a), semverParts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function pickCircuit(circuits: PublicCircuit[], claimType: ClaimType, semver: string | undefined): Result<PublicCircuit, ProverErrorCode> {
  const candidates = circuits.filter((c) => c.claim_type === claimType && (semver === undefined || c.semver === semver));
  const newest = candidates.sort((a, b) => compareSemver(b.semver, a.semver))[0];
  if (!newest) {
    return fail('CIRCUIT_NOT_AVAILABLE', `the platform has no enabled circuit for ${claimType}${semver === undefined ? '' : ` version ${semver}`}`);
  }
  return { ok: true, value: newest };
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function downloadVerified(fetchImpl: typeof fetch, url: URL, sha256: string | null): Promise<Result<Uint8Array, ProverErrorCode>> {
  if (!sha256) return fail('ARTIFACT_HASH_MISMATCH', `the platform lists no SHA-256 for ${url.pathname}, so it cannot be checked`);
  if (!globalThis.crypto?.subtle) {
    return fail('WEBCRYPTO_UNAVAILABLE', 'WebCrypto is unavailable here: open the page over https (or http://localhost)');
  }
  let bytes: ArrayBuffer;
  try {
    const response = await fetchImpl(url);
    if (!response.ok) return fail('PLATFORM_UNAVAILABLE', `GET ${url.pathname} answered ${response.status}`);
    bytes = await response.arrayBuffer();
  } catch (error) {
    return fail('PLATFORM_UNAVAILABLE', `cannot download ${url.pathname}: ${(error as Error).message}`);
  }
  const actual = toHex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  if (actual !== sha256.toLowerCase()) {
    return fail('ARTIFACT_HASH_MISMATCH', `${url.pathname} has SHA-256 ${actual}, the platform lists ${sha256}`);
  }
  return { ok: true, value: new Uint8Array(bytes) };
}

/** snarkjs keeps a pool of worker threads in Node; end it once no more proofs are due, or the process stays alive. */
export async function releaseSnarkjsWorkers(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128?.terminate();
}
