// A server under test in a process of its own, started with `node`, ready once GET `readyPath` is 200.
import { spawn, type ChildProcess } from 'node:child_process';

export type ServerProcess = { name: string; url: string; pid: number; stop(): Promise<void> };

/** `command`: what to run (default: this node); it must exec the server so that `pid` is the server's. */
export async function startServerProcess(options: { name: string; command?: string; args: string[]; env: NodeJS.ProcessEnv; port: number; readyPath: string }): Promise<ServerProcess> {
  const child = spawn(options.command ?? process.execPath, options.args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep); // warn-level logs: shown if start-up fails
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop(child, exited);
      throw new Error(`${options.name} was not ready within 120 s:\n${output}`);
    }
    const ready = await fetch(url + options.readyPath).then((response) => response.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { name: options.name, url, pid: child.pid!, stop: () => stop(child, exited) };
}

/** SIGTERM (the servers stop their PostgreSQL on it), SIGKILL after 20 s. */
async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}
