import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const VERIDITY_BIN = path.join(ROOT, 'bin/veridity');

export { freePort } from '#platform/net/free-port.ts';

/** The environment without anything that would point the CLI at another database or token. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(DATABASE_URL|VERIDITY_|TEST_DATABASE_URL|PORT|HOST|LOG_LEVEL)/.test(name)) delete env[name];
  return { ...env, ...extra };
}

export type Running = { child: ChildProcess; output(): string; stdout(): string; exited: Promise<number | null> };

export function startProcess(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(VERIDITY_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, exited };
}

export async function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; stdout: string }> {
  const running = startProcess(args, env);
  const code = await running.exited;
  return { code, output: running.output(), stdout: running.stdout() };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
