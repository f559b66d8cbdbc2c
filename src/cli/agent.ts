import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCadesSignature } from '#modules/certificates/document/create-cades-signature.ts';
import { createCsr } from '#modules/evidence/agents/create-csr.ts';
import { CliError, usageError } from './cli-error.ts';
import { readInputFile } from './files.ts';
import { parseOptions, parseUrlOption } from './parse-options.ts';

export const AGENT_HELP = `Usage: veridity agent enroll --url <url> --token <enr_...> --out <dir>
       veridity agent submit <file>... [--dir <dir>] [--url <url>]

An evidence agent (an erasure station, a demo): enroll once, then sign and submit documents.

  enroll   generates an ECDSA P-256 key on this machine (it is never sent), sends a CSR with the
           one-time token (POST /api/v1/evidence/enrollments made it) to <url>/ingest/v1/enroll,
           and writes into <dir> (mode 0700, files 0600): agent.key, agent.pem, chain.pem,
           credential and agent.json (the URL and the agent's ids)
  submit   signs each file with the enrolled key (CMS SignedData, the file encapsulated) and
           submits it to <url>/ingest/v1/proofs with the agent's credential; prints one line per
           file: the file, the submission id and its status (exit 1 when one was refused)

  --dir <dir>   the enrolled agent's folder; default: VERIDITY_AGENT_DIR, else ./veridity-agent
  --url <url>   the platform (or its ingest gateway); submit defaults to the URL enrolled with`;

const FILES = { key: 'agent.key', certificate: 'agent.pem', chain: 'chain.pem', credential: 'credential', info: 'agent.json' } as const;

type AgentInfo = { url: string; agent_id: string; agent_ca_id: string; crl_url: string; not_after: string };

/** What the platform answered, or a one-line failure naming its error code (exit 1). */
async function call(url: URL, init: RequestInit): Promise<Record<string, any>> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new CliError(`${url.origin}: cannot connect: ${(error as Error).message}`, 1);
  }
  const text = await response.text();
  let body: Record<string, any>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CliError(`${url.pathname}: HTTP ${response.status}: ${text.slice(0, 200)}`, 1);
  }
  if (!response.ok) throw new CliError(`${url.pathname}: HTTP ${response.status} ${body.error_code}${body.reason ? ` (${body.reason})` : ''}: ${body.error}`, 1);
  return body;
}

/** Writes a file of the agent's folder, 0600 even when it existed before. */
async function writePrivate(dir: string, name: string, text: string): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** `veridity agent enroll`: key pair here, CSR and token to the platform, the answer into `out`. */
export async function enrollAgentInto(options: { url: URL; token: string; out: string }): Promise<AgentInfo> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const csr = await createCsr(keys, 'veridity agent');
  const enrolled = await call(new URL('ingest/v1/enroll', withSlash(options.url)), {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/pkcs10' },
    body: new Uint8Array(csr),
  });
  await mkdir(options.out, { recursive: true, mode: 0o700 });
  await chmod(options.out, 0o700);
  const info: AgentInfo = { url: options.url.toString(), agent_id: enrolled.agent_id, agent_ca_id: enrolled.agent_ca_id, crl_url: enrolled.crl_url, not_after: enrolled.not_after };
  await writePrivate(options.out, FILES.key, keys.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  await writePrivate(options.out, FILES.certificate, enrolled.certificate);
  await writePrivate(options.out, FILES.chain, enrolled.chain.join(''));
  await writePrivate(options.out, FILES.credential, `${enrolled.credential}\n`);
  await writePrivate(options.out, FILES.info, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

const withSlash = (url: URL) => new URL(url.href.endsWith('/') ? url.href : `${url.href}/`);

const pemCertificates = (text: string) => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((block) => new X509Certificate(block).raw);

/** A submission's id and status, or why the platform refused the file. */
export type SubmittedFile = { file: string; id: string; status: string } | { file: string; refused: string };

/** `veridity agent submit`: each file signed with the enrolled key and submitted with the agent's credential. */
export async function submitFilesAsAgent(options: { dir: string; files: string[]; url?: URL }): Promise<SubmittedFile[]> {
  const read = (name: string) => readInputFile(path.join(options.dir, name), '--dir').then((bytes) => bytes.toString('utf8'));
  const info = JSON.parse(await read(FILES.info)) as AgentInfo;
  const privateKey = createPrivateKey(await read(FILES.key));
  const chain = [...pemCertificates(await read(FILES.certificate)), ...pemCertificates(await read(FILES.chain))];
  const credential = (await read(FILES.credential)).trim();
  const endpoint = new URL('ingest/v1/proofs', withSlash(options.url ?? new URL(info.url)));
  const submitted: SubmittedFile[] = [];
  for (const file of options.files) {
    const content = await readInputFile(file, 'file');
    const der = createCadesSignature(content, { privateKey, certificateChainDer: chain }, { encapsulate: true });
    try {
      const body = await call(endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ der_base64: Buffer.from(der).toString('base64'), filename: path.basename(file).slice(0, 255) }),
      });
      submitted.push({ file, id: body.id, status: body.status });
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      submitted.push({ file, refused: error.message });
    }
  }
  return submitted;
}

export async function agent(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h') return console.log(AGENT_HELP);
  const { values, positionals } = parseOptions({
    args: rest,
    allowPositionals: sub === 'submit',
    options: { help: { type: 'boolean', short: 'h' }, url: { type: 'string' }, token: { type: 'string' }, out: { type: 'string' }, dir: { type: 'string' } },
  }, AGENT_HELP);
  if (values.help) return console.log(AGENT_HELP);
  if (sub === 'enroll') {
    if (!values.url || !values.token || !values.out) throw usageError('--url, --token and --out are required', AGENT_HELP);
    const info = await enrollAgentInto({ url: parseUrlOption(values.url, '--url'), token: values.token, out: values.out });
    console.log(`enrolled ${info.agent_id} (certificate valid until ${info.not_after}); key, certificate, chain and credential in ${path.resolve(values.out)}`);
    return;
  }
  if (sub === 'submit') {
    if (positionals.length === 0) throw usageError('name at least one file to submit', AGENT_HELP);
    const dir = values.dir ?? process.env.VERIDITY_AGENT_DIR ?? './veridity-agent';
    const submitted = await submitFilesAsAgent({ dir, files: positionals, ...(values.url ? { url: parseUrlOption(values.url, '--url') } : {}) });
    for (const item of submitted) console.log('refused' in item ? `${item.file}\trefused\t${item.refused}` : `${item.file}\t${item.id}\t${item.status}`);
    if (submitted.some((item) => 'refused' in item)) throw new CliError('some files were refused (see above)', 1);
    return;
  }
  throw usageError(`unknown agent command '${sub}' (enroll, submit)`, AGENT_HELP);
}
