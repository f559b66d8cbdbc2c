import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './processes.ts';

/** The shell block after `<!-- <marker> ... -->` in README.md, as a user copies it. */
export async function readmeWalkthrough(marker: string): Promise<string> {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${marker}[^>]*-->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  assert.ok(block, `the README carries the ${marker}`);
  return block;
}

/** The walkthrough with its settings filled in; each setting must be there to be filled. */
export function fillIn(block: string, settings: Record<string, string>): string {
  return Object.entries(settings).reduce((script, [name, value]) => {
    const line = new RegExp(`^${name}=.*$`, 'm');
    assert.match(script, line, `the walkthrough sets ${name}`);
    return script.replace(line, `${name}=${value}`);
  }, block);
}
