import { createProver, releaseSnarkjsWorkers } from '../../sdk/prover.ts';
import { CliError, usageError } from './cli-error.ts';
import { readJsonFile, writeOutputFile } from './files.ts';
import { parseOptions, parseUrlOption } from './parse-options.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export const PROVE_HELP = `Usage: veridity prove --credential <file> --request <file> [--url <url>] [--circuit-version <semver>] [--out <file>]

Proves a claim on this machine, as a holder's device does (sdk/prover.ts): downloads the
circuit from the platform (checking each file's SHA-256), binds the proof to the request's
nonce and verifier domain, and prints the body for POST /api/v1/verify as JSON. The
credential never leaves this machine.

  --credential <file>        the holder's credential (JSON, from 'veridity issuer sign-credential')
  --request <file>           the proof request (JSON, as POST /api/v1/requests returned it)
  --url <url>                the platform; default: VERIDITY_URL, else ${DEFAULT_URL}
  --circuit-version <semver> default: the newest enabled version for the claim type
  --out <file>               write the body to this file instead of stdout`;

export async function prove(argv: string[]): Promise<void> {
  const { values } = parseOptions({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      credential: { type: 'string' },
      request: { type: 'string' },
      url: { type: 'string' },
      'circuit-version': { type: 'string' },
      out: { type: 'string' },
    },
  }, PROVE_HELP);
  if (values.help) return console.log(PROVE_HELP);
  if (!values.credential || !values.request) throw usageError('--credential and --request are required', PROVE_HELP);

  const credential = await readJsonFile(values.credential, '--credential');
  const request = await readJsonFile(values.request, '--request');
  const baseUrl = parseUrlOption(values.url ?? process.env.VERIDITY_URL ?? DEFAULT_URL, values.url ? '--url' : 'VERIDITY_URL');
  const prover = createProver({ baseUrl }); // snarkjs: the package, imported when proving
  try {
    // The prover checks both documents itself (CREDENTIAL_MALFORMED, REQUEST_MALFORMED).
    const proved = await prover.prove({
      credential: credential as never,
      request: request as never,
      ...(values['circuit-version'] ? { circuitVersion: values['circuit-version'] } : {}),
    });
    if (!proved.ok) throw new CliError(`${proved.code}: ${proved.message}`, 1);
    const text = JSON.stringify(proved.value, null, 2) + '\n';
    if (values.out) await writeOutputFile(values.out, text);
    else process.stdout.write(text);
  } finally {
    await releaseSnarkjsWorkers();
  }
}
