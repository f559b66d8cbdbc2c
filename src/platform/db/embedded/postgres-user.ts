import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ProcessOwner = { uid: number; gid: number };

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user (created if absent). */
export async function postgresProcessOwner(): Promise<ProcessOwner | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** Whether `owner` can reach (traverse every folder down to) `dir`: asked of the kernel, ACLs and groups included. */
export async function canTraverse(owner: ProcessOwner, dir: string): Promise<boolean> {
  try {
    await run('test', ['-x', dir], { uid: owner.uid, gid: owner.gid });
    return true;
  } catch {
    return false;
  }
}
