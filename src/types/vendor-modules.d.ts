// Minimal typings for the parts of snarkjs and circomlibjs this repo uses (neither
// package ships types). Only what is called is declared; widen it when you need more.

declare module 'snarkjs' {
  export type NumericString = string;
  export type Groth16Proof = {
    pi_a: NumericString[];
    pi_b: NumericString[][];
    pi_c: NumericString[];
    protocol: 'groth16';
    curve: string;
  };
  export type VerificationKey = {
    protocol: 'groth16';
    curve: string;
    nPublic: number;
    vk_alpha_1: NumericString[];
    vk_beta_2: NumericString[][];
    vk_gamma_2: NumericString[][];
    vk_delta_2: NumericString[][];
    vk_alphabeta_12: NumericString[][][];
    IC: NumericString[][];
  };
  export type R1csInfo = {
    nConstraints: number;
    nPubInputs: number;
    nPrvInputs: number;
    nOutputs: number;
    nVars: number;
  };
  /** A file name or snarkjs's in-memory file (`{ type: 'mem' }`, filled in by the writer). */
  export type FileTarget = string | { type: 'mem'; data?: Uint8Array };
  export type Logger = {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
  export type CircuitSignals = Record<string, string | bigint | number | Array<string | bigint | number>>;

  export const groth16: {
    fullProve(
      input: CircuitSignals,
      wasmFile: FileTarget | Uint8Array,
      zkeyFile: FileTarget | Uint8Array,
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: NumericString[] }>;
    verify(
      verificationKey: VerificationKey,
      publicSignals: NumericString[],
      proof: Groth16Proof,
      logger?: Logger,
    ): Promise<boolean>;
  };
  export const wtns: {
    calculate(input: CircuitSignals, wasmFile: FileTarget | Uint8Array, wtnsFile: FileTarget): Promise<void>;
    exportJson(wtnsFile: FileTarget): Promise<bigint[]>;
  };
  export const r1cs: {
    info(r1csFile: FileTarget, logger?: Logger): Promise<R1csInfo>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, ptauFile: FileTarget, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: FileTarget, newPtau: FileTarget, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: FileTarget, newPtau: FileTarget, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1csFile: FileTarget, ptauFile: FileTarget, zkeyFile: FileTarget, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: FileTarget, newZkey: FileTarget, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkeyFile: FileTarget, logger?: Logger): Promise<VerificationKey>;
  };
  export const curves: {
    getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<{ terminate(): Promise<void> }>;
  };
}

declare module 'circomlibjs' {
  /** A field element in ffjavascript's internal (Montgomery) representation. */
  export type FieldElement = Uint8Array;
  export type BabyJubField = {
    e(value: bigint | number | string): FieldElement;
    toObject(element: FieldElement): bigint;
  };
  export type Point = [FieldElement, FieldElement];
  export type PoseidonSignature = { R8: Point; S: bigint };
  export type Poseidon = ((inputs: Array<bigint | FieldElement>) => FieldElement) & { F: BabyJubField };
  export type Eddsa = {
    F: BabyJubField;
    poseidon: Poseidon;
    prv2pub(privateKey: Uint8Array): Point;
    signPoseidon(privateKey: Uint8Array, message: FieldElement): PoseidonSignature;
    verifyPoseidon(message: FieldElement, signature: PoseidonSignature, publicKey: Point): boolean;
  };
  export function buildEddsa(): Promise<Eddsa>;
}

// s3rver (a development dependency: the S3-compatible server of the tests) ships no types.
declare module 's3rver' {
  export default class S3rver {
    constructor(options: { address?: string; port?: number; silent?: boolean; directory: string; configureBuckets?: Array<{ name: string }> });
    /** Listens; the address it bound (port 0: a free one). */
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}

// oidc-provider (a devDependency: tests start a real OpenID provider in-process) ships no types.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  export type Account = { accountId: string; claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown> };
  export type Configuration = {
    clients?: Array<Record<string, unknown>>;
    claims?: Record<string, string[]>;
    findAccount?(context: unknown, id: string): Promise<Account | undefined>;
    features?: Record<string, { enabled: boolean }>;
    cookies?: { keys?: string[] };
    [option: string]: unknown;
  };
  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
