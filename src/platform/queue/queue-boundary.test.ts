import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const QUEUE_FOLDER = path.join('src', 'platform', 'queue') + path.sep;
/** pg-boss itself, or the raw instance behind the typed wrapper. */
const BYPASS = /(from|import\()\s*['"]pg-boss['"]|\.boss\b/;

test('only src/platform/queue/ reaches pg-boss: every module goes through the typed queue wrapper', async () => {
  const offenders: string[] = [];
  for (const folder of ['src', 'test', 'bench', 'scripts']) {
    const files = await readdir(path.join(ROOT, folder), { recursive: true }).catch(() => []);
    for (const file of files) {
      const relative = path.join(folder, file);
      if (!relative.endsWith('.ts') || relative.startsWith(QUEUE_FOLDER)) continue;
      const lines = (await readFile(path.join(ROOT, relative), 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (BYPASS.test(line)) offenders.push(`${relative}:${index + 1}: ${line.trim()}`);
      });
    }
  }
  assert.deepEqual(offenders, [], 'use the Queue methods (src/platform/queue/queue.ts) instead');
});
