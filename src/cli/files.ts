import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from './cli-error.ts';

/** Why a file operation failed, in words that point at the fix. */
function reason(error: NodeJS.ErrnoException, file: string): string {
  switch (error.code) {
    case 'ENOENT':
      return `no such file or folder (does ${path.dirname(path.resolve(file))} exist?)`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return error.message;
  }
}

/** Writes an output file (mode 0600: outputs hold keys and credentials); a failure is a one-line usage error. */
export async function writeOutputFile(file: string, text: string, option = '--out'): Promise<void> {
  try {
    await writeFile(file, text, { mode: 0o600 });
  } catch (error) {
    throw new CliError(`${option} ${file}: cannot write: ${reason(error as NodeJS.ErrnoException, file)}`);
  }
}

/** Reads an input file; a failure is a one-line usage error naming the option. */
export async function readInputFile(file: string, option: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new CliError(`${option} ${file}: cannot read: ${reason(error as NodeJS.ErrnoException, file)}`);
  }
}

/** Reads a JSON input file; unreadable or not JSON is a one-line usage error. */
export async function readJsonFile(file: string, option: string): Promise<unknown> {
  const bytes = await readInputFile(file, option);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new CliError(`${option} ${file}: not JSON: ${(error as Error).message}`);
  }
}
