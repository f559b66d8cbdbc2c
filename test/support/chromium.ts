import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './processes.ts';

/** Debian's Chromium, which the browser tests drive with playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Installs it first when it is missing (scripts/ensure-chromium.sh: apt-get, root or passwordless sudo). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync('sh', [path.join(ROOT, 'scripts/ensure-chromium.sh')], { stdio: 'inherit' });
}
