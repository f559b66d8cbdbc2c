import { spawn } from 'node:child_process';

/** `env` is added to this process's environment. */
export type ProcessOptions = { input?: Buffer; timeoutMs?: number; env?: Record<string, string> };
export type ProcessResult = { code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string };

/**
 * Runs a command to its end with `input` on stdin. Resolves with the exit code (the caller checks
 * it); rejects when the command cannot start. Killed past `timeoutMs` (code null, a signal).
 */
export function runProcess(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const env = options.env ? { ...process.env, ...options.env } : process.env;
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000, env });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8') }));
    child.stdin.end(options.input);
  });
}

/** The same, for a command that must succeed: its stdout, or an error naming what it said. */
export async function runChecked(command: string, args: readonly string[], options: ProcessOptions = {}): Promise<Buffer> {
  const result = await runProcess(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} exited with ${result.code ?? result.signal}: ${result.stderr.trim().slice(0, 500)}`);
  return result.stdout;
}

/** Runs `work` over every item, at most `concurrency` at a time. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
}
