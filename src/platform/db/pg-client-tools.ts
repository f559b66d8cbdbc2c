import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from './pool.ts';
import { packagedNativeDir } from './embedded/native-binaries.ts';

const run = promisify(execFile);

export type PgTool = 'pg_dump' | 'pg_restore';

/**
 * The `pg_dump` / `pg_restore` to run against a server of `serverMajor`: the first of the packaged
 * embedded build (when it ships them), Debian's `/usr/lib/postgresql/<major>/bin` (newest first) and
 * PATH whose major version is at least the server's (pg_dump refuses a newer server).
 */
export async function findPgTool(tool: PgTool, serverMajor: number): Promise<{ ok: true; file: string; major: number } | { ok: false; message: string }> {
  const candidates: string[] = [];
  const packaged = await packagedNativeDir().catch(() => undefined);
  if (packaged) candidates.push(path.join(packaged, 'bin', tool));
  const debian = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  for (const major of debian.map(Number).filter(Number.isInteger).sort((a, b) => b - a)) candidates.push(`/usr/lib/postgresql/${major}/bin/${tool}`);
  candidates.push(tool);
  const seen: string[] = [];
  for (const file of candidates) {
    const major = await toolMajor(file);
    if (major === undefined) continue;
    seen.push(`${file} (${major})`);
    if (major >= serverMajor) return { ok: true, file, major };
  }
  return {
    ok: false,
    message:
      `no ${tool} of PostgreSQL ${serverMajor} or newer found (the server is ${serverMajor}; ` +
      (seen.length > 0 ? `found only ${seen.join(', ')}` : 'none found') +
      `): install the PostgreSQL ${serverMajor} client tools (Debian: postgresql-client-${serverMajor})`,
  };
}

async function toolMajor(file: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(file, ['--version']);
    const major = Number(/\) (\d+)/.exec(stdout)?.[1]);
    return Number.isInteger(major) ? major : undefined;
  } catch {
    return undefined;
  }
}

export async function serverMajorVersion(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ version: string }>("SELECT current_setting('server_version_num') AS version");
  return Math.floor(Number(rows[0]!.version) / 10000);
}

/** Runs a client tool against `url`: the password goes in PGPASSWORD, never on the command line (ps shows that). */
export async function runPgTool(file: string, url: string, args: string[]): Promise<void> {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  try {
    await run(file, [...args, '--dbname', parsed.toString()], { env: { ...process.env, PGPASSWORD: password }, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${path.basename(file)} failed: ${stderr || (error as Error).message}`);
  }
}
