import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateHolderSecret, toYyyymmdd } from '#modules/zk/credentials/attributes.ts';
import { CLAIM_TYPES, isClaimType, type ClaimType } from '#modules/zk/credentials/claim-types.ts';
import { generateIssuerKey } from '#modules/zk/credentials/generate-issuer-key.ts';
import { signCredential } from '#modules/zk/credentials/sign-credential.ts';
import { CLAIM_PARAM_NAMES } from '#modules/zk/verify/claim-params.ts';
import { SCOPES } from '#modules/clients/schema.ts';
import { CliError, usageError } from './cli-error.ts';
import { loadTeeSample } from './demo-tee-sample.ts';
import { walkthrough } from './demo-walkthrough.ts';
import { parseOptions, parseUrlOption } from './parse-options.ts';
import { DEFAULT_URL } from './prove.ts';

const DEFAULT_DOMAIN = 'bank.example';

export const DEMO_HELP = `Usage: veridity demo [--url <url>] [--admin-token <token>] [--claim-type <type>] [--domain <domain>] [--dir <dir>]

Seeds development data into a running server and prints a copy-paste walkthrough of
request -> prove -> verify -> status -> receipt -> offline 'veridity verify-receipt', then a
TEE attestation task (submitted, verified by a worker, its receipt checked offline). It:
  1. generates a development issuer key on this machine (printed; never sent to the server)
     and registers its public key as trusted for every claim type;
  2. creates a partner with every scope, tee_attestation included (its API key is printed once);
  3. signs a sample credential with the issuer key and writes it to <dir>/credential.json;
  4. creates a proof request and writes it to <dir>/request.json;
  5. writes <dir>/tee-task.json: a real Intel TDX quote with its collateral (the repository's
     test vector), ready for POST /api/v1/tasks.

  --url <url>            the server; default: VERIDITY_URL, else ${DEFAULT_URL}
  --admin-token <token>  operator token; default: VERIDITY_ADMIN_TOKEN (printed at the server's first start)
  --claim-type <type>    ${CLAIM_TYPES.join(', ')}; default: age_over_18
  --domain <domain>      the verifier domain the proof is bound to; default: ${DEFAULT_DOMAIN}
  --dir <dir>            where the files go; default: a new temporary directory

Start a server first: 'npm start' (it prints the admin token once).`;

/** A parameter each claim type's sample credential satisfies (the credential below). */
const SAMPLE_PARAM: Record<ClaimType, number | undefined> = {
  age_over_18: undefined,
  age_over_21: undefined,
  citizenship: 756,
  education: 4,
  income_gte: 50_000,
};

type Http = <T = Record<string, any>>(method: 'GET' | 'POST', route: string, headers: Record<string, string>, body?: unknown) => Promise<T>;

function httpClient(baseUrl: URL): Http {
  return async (method, route, headers, body) => {
    const url = new URL(route.replace(/^\//, ''), baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new CliError(`no Veridity server answers at ${baseUrl.origin} (${(error as Error).message}); start one with 'npm start'`, 1);
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, any>;
    if (!response.ok) {
      const hint = response.status === 401 && route.startsWith('/api/admin') ? ' (is the admin token right?)' : '';
      throw new CliError(`${method} ${route} answered ${response.status} ${answer.error_code ?? ''}: ${answer.error ?? response.statusText}${hint}`, 1);
    }
    return answer as never;
  };
}

export async function demo(argv: string[]): Promise<void> {
  const { values } = parseOptions({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string' },
      'admin-token': { type: 'string' },
      'claim-type': { type: 'string', default: 'age_over_18' },
      domain: { type: 'string', default: DEFAULT_DOMAIN },
      dir: { type: 'string' },
    },
  }, DEMO_HELP);
  if (values.help) return console.log(DEMO_HELP);
  const baseUrl = parseUrlOption(values.url ?? process.env.VERIDITY_URL ?? DEFAULT_URL, values.url ? '--url' : 'VERIDITY_URL');
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const adminToken = values['admin-token'] ?? process.env.VERIDITY_ADMIN_TOKEN;
  if (!adminToken) throw usageError('the admin token is required: --admin-token or VERIDITY_ADMIN_TOKEN (the server prints one at its first start)', DEMO_HELP);
  const claimType = values['claim-type'];
  if (!isClaimType(claimType)) throw usageError(`--claim-type: expected one of ${CLAIM_TYPES.join(', ')}`, DEMO_HELP);
  const domain = values.domain;

  const http = httpClient(baseUrl);
  const asAdmin = { authorization: `Bearer ${adminToken}` };
  await http('GET', '/healthz', {});

  const dir = values.dir ?? (await mkdtemp(path.join(tmpdir(), 'veridity-demo-')));
  await mkdir(dir, { recursive: true }).catch((error: Error) => {
    throw new CliError(`--dir ${dir}: cannot create it: ${error.message}`);
  });
  const files = {
    issuerKey: path.join(dir, 'issuer-key.json'),
    credential: path.join(dir, 'credential.json'),
    request: path.join(dir, 'request.json'),
  };
  const writeJson = (file: string, value: unknown) => writeFile(file, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });

  // 1. Issuer: the key stays here; the platform only learns the public key.
  const key = await generateIssuerKey();
  await writeJson(files.issuerKey, { private_key: key.privateKey, public_key: key.publicKey });
  const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const issuer = await http('POST', '/api/admin/issuers', asAdmin, { name: `Demo issuer (development) ${stamp}`, public_key: key.publicKey, claim_types: [...CLAIM_TYPES] });

  // 2. Partner: every zk claim scope and tee_attestation.
  const partner = await http('POST', '/api/admin/clients', asAdmin, { name: `Demo partner ${stamp}`, scopes: [...SCOPES] });

  // 3. Credential: born 1990-05-15, Swiss (756), education level 5, income 85,000, valid for 3 more years.
  const now = new Date();
  const expiry = new Date(Date.UTC(now.getUTCFullYear() + 3, now.getUTCMonth(), 1));
  const attributes = {
    birth_date: 19900515n,
    citizenship: 756n,
    education_level: 5n,
    annual_income: 85_000n,
    expiry_date: BigInt(toYyyymmdd(expiry)),
    holder_secret: generateHolderSecret(randomBytes),
  };
  const credential = await signCredential(key.privateKey, attributes);
  if (!credential.ok) throw new Error(`the sample credential is invalid: ${credential.message}`); // a bug in the sample
  await writeJson(files.credential, credential.value);

  // 4. A proof request, as the partner's backend would create it.
  const paramName = CLAIM_PARAM_NAMES[claimType];
  const requestBody = { claim_type: claimType, verifier_domain: domain, ...(paramName ? { params: { [paramName]: SAMPLE_PARAM[claimType]! } } : {}) };
  const request = await http('POST', '/api/v1/requests', { 'x-api-key': partner.api_key }, requestBody);
  await writeJson(files.request, request);

  // 5. A TEE attestation task body, from the repository's test vector when this checkout has it.
  const teeSample = await loadTeeSample();
  const teeTaskFile = teeSample ? path.join(dir, 'tee-task.json') : undefined;
  if (teeSample && teeTaskFile) await writeJson(teeTaskFile, teeSample.body);

  const origin = baseUrl.href.replace(/\/$/, '');
  const lines = [
    `Veridity demo: development data on ${origin}`,
    '',
    `  issuer      ${issuer.id}, trusted for every claim type`,
    `              private key (development only; never sent to the server): ${key.privateKey}`,
    `              public key: ax=${key.publicKey.ax}`,
    `                          ay=${key.publicKey.ay}`,
    `  partner     ${partner.id}, scopes ${SCOPES.join(', ')}`,
    `              API key (shown once): ${partner.api_key}`,
    `  credential  ${files.credential}`,
    `              born 1990-05-15, citizenship 756, education level 5, income 85000, expires ${expiry.toISOString().slice(0, 10)}; the holder keeps it private`,
    `  request     ${files.request}`,
    `              ${claimType}${paramName ? ` (${paramName} ${SAMPLE_PARAM[claimType]})` : ''} for ${domain}, expires ${request.expires_at}`,
    ...(teeSample && teeTaskFile ? [`  TEE task    ${teeTaskFile}`, `              ${teeSample.description}`] : []),
    '',
    'Walkthrough: paste these lines into a shell (a POSIX shell with curl; the block also runs as a script).',
    '',
    ...walkthrough({ origin, apiKey: partner.api_key, dir, requestBody, teeTaskFile }),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
