import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const VERIDITY_BIN = path.join(ROOT, 'bin/veridity');

export { freePort } from '#platform/net/free-port.ts';

/** The environment without anything that would point the CLI at another database or token. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(DATABASE_URL|INGEST_DATABASE_URL|VERIDITY_|TEST_DATABASE_URL|PORT|HOST|LOG_LEVEL)/.test(name)) delete env[name];
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

/**
 * Runs a POSIX shell script (`sh -eu`) to its end, as a person pasting it into a shell would.
 * The shell leads a process group of its own: whatever the script left running in the background
 * (a receiver it started, when it stopped half-way) is stopped with it.
 */
export function runShell(script: string, options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-eu', '-c', script], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('exit', (code) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Nothing of the group is left.
      }
      resolve({ code, stdout, stderr });
    });
  });
}
