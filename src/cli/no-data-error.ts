import path from 'node:path';
import { CliError } from './cli-error.ts';

/** The data dir as the user would type it: relative to where they are when it is below it. */
function shown(dataDir: string): string {
  const relative = path.relative(process.cwd(), dataDir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `./${relative}` : dataDir;
}

/** An operator command pointed at a data dir without an embedded database (it never creates one). */
export function noDataError(dataDir: string): CliError {
  return new CliError(`no Veridity data in ${shown(dataDir)} — set VERIDITY_DATA_DIR, or start the server once with \`npm start\``);
}
