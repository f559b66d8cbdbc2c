// Rebuilds every circuit artifact (DEVELOPMENT ONLY, see README.md):
//   node circuits/build.ts [--ptau <prepared .ptau file>]
// compile (r1cs + wasm) -> powers of tau (cached, or the file given) -> Groth16
// phase 2 with one random contribution -> verification key -> artifacts/manifest.json.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { circuitArtifactPaths } from '../src/modules/zk/credentials/artifact-paths.ts';
import { CLAIM_TYPES, type ClaimType } from '../src/modules/zk/credentials/claim-types.ts';
import { PUBLIC_SIGNAL_NAMES } from '../src/modules/zk/credentials/public-signals.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const circuitsDir = `${repoRoot}circuits`;
const cacheDir = `${circuitsDir}/.cache`;
const artifactsDir = `${circuitsDir}/artifacts`;
const circom = `${repoRoot}node_modules/.bin/circom2`;

const { values: options } = parseArgs({ options: { ptau: { type: 'string' } } });

function log(message: string): void {
  process.stdout.write(`[circuits] ${message}\n`);
}

async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

function entropy(): string {
  return randomBytes(32).toString('hex');
}

function circomVersion(): string {
  const run = spawnSync(circom, ['--version'], { encoding: 'utf8' });
  return /circom compiler (\S+)/.exec(run.stdout)?.[1] ?? 'unknown';
}

/** Compiles with the wasm build of circom. Its WASI sandbox only sees the working
 * directory and its parents, so it runs from the repo root with relative paths. */
async function compile(claimType: ClaimType): Promise<{ r1cs: string; wasm: string }> {
  const outDir = `circuits/.cache/compile/${claimType}`;
  await mkdir(`${repoRoot}${outDir}`, { recursive: true });
  const run = spawnSync(
    circom,
    [`circuits/src/${claimType}.circom`, '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', outDir],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  if (run.status !== 0 || !run.stdout.includes('Everything went okay')) {
    throw new Error(`circom failed for ${claimType}:\n${run.stdout}\n${run.stderr}`);
  }
  return { r1cs: `${repoRoot}${outDir}/${claimType}.r1cs`, wasm: `${repoRoot}${outDir}/${claimType}_js/${claimType}.wasm` };
}

/** The power snarkjs's newZKey demands: domain >= constraints + public inputs + outputs + 1. */
function requiredPower(info: snarkjs.R1csInfo): number {
  return Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1));
}

async function developmentPtau(power: number): Promise<string> {
  const prepared = `${cacheDir}/dev_pot${power}_final.ptau`;
  if (existsSync(prepared)) {
    log(`reusing ${prepared}`);
    return prepared;
  }
  log(`creating development powers of tau 2^${power} (single contributor: insecure)`);
  const initial = `${cacheDir}/dev_pot${power}_0000.ptau`;
  const contributed = `${cacheDir}/dev_pot${power}_0001.ptau`;
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  await snarkjs.powersOfTau.newAccumulator(curve, power, initial);
  await snarkjs.powersOfTau.contribute(initial, contributed, 'veridity development contribution', entropy());
  await snarkjs.powersOfTau.preparePhase2(contributed, `${prepared}.partial`);
  await rename(`${prepared}.partial`, prepared); // an interrupted run never leaves a half file to reuse
  await rm(initial);
  await rm(contributed);
  return prepared;
}

type CircuitManifest = {
  constraints: number;
  wires: number;
  private_inputs: number;
  public_inputs: number;
  outputs: number;
  domain_power: number;
  files: Record<string, string>;
};

async function main(): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const compiled = new Map<ClaimType, { r1cs: string; wasm: string; info: snarkjs.R1csInfo }>();
  for (const claimType of CLAIM_TYPES) {
    const started = performance.now();
    const { r1cs, wasm } = await compile(claimType);
    const info = await snarkjs.r1cs.info(r1cs);
    compiled.set(claimType, { r1cs, wasm, info });
    log(`compiled ${claimType}: ${info.nConstraints} constraints (${Math.round(performance.now() - started)} ms)`);
  }

  const power = Math.max(...[...compiled.values()].map(({ info }) => requiredPower(info)));
  const ptau = options.ptau === undefined ? await developmentPtau(power) : resolve(options.ptau);

  const manifest = {
    warning: 'DEVELOPMENT ARTIFACTS: single-party powers of tau and phase 2. Never use in production.',
    circom: circomVersion(),
    snarkjs: JSON.parse(await readFile(`${repoRoot}node_modules/snarkjs/package.json`, 'utf8')).version as string,
    protocol: 'groth16',
    curve: 'bn128',
    ptau: { file: relative(repoRoot, ptau), sha256: await sha256File(ptau) },
    public_signals: PUBLIC_SIGNAL_NAMES,
    circuits: {} as Record<string, CircuitManifest>,
  };

  for (const [claimType, { r1cs, wasm, info }] of compiled) {
    const started = performance.now();
    const paths = circuitArtifactPaths(claimType, artifactsDir);
    const outDir = `${artifactsDir}/${claimType}`;
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    await copyFile(wasm, paths.wasm);
    const initialZkey = `${cacheDir}/${claimType}_0000.zkey`;
    await snarkjs.zKey.newZKey(r1cs, ptau, initialZkey);
    await snarkjs.zKey.contribute(initialZkey, paths.zkey, 'veridity development phase 2', entropy());
    await rm(initialZkey);
    const verificationKey = await snarkjs.zKey.exportVerificationKey(paths.zkey);
    await writeFile(paths.verificationKey, `${JSON.stringify(verificationKey, null, 2)}\n`);

    const files: Record<string, string> = {};
    for (const path of [paths.wasm, paths.zkey, paths.verificationKey]) {
      files[path.slice(artifactsDir.length + 1)] = await sha256File(path);
    }
    manifest.circuits[claimType] = {
      constraints: info.nConstraints,
      wires: info.nVars,
      private_inputs: info.nPrvInputs,
      public_inputs: info.nPubInputs,
      outputs: info.nOutputs,
      domain_power: requiredPower(info),
      files,
    };
    log(`set up ${claimType} (${Math.round(performance.now() - started)} ms)`);
  }

  await writeFile(`${artifactsDir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  log(`wrote ${artifactsDir}/manifest.json`);
}

try {
  await main();
} finally {
  // snarkjs keeps a worker-thread pool on this global; without this the process never exits.
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}
