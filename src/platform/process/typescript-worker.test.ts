import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from './typescript-worker.ts';

// Each worker gets `execArgv: []`: the test runner's own --import hook is TypeScript, and would
// load the type stripper into the worker before any of its modules.
let dir: string;
const url = (file: string) => pathToFileURL(path.join(dir, file));

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'typescript-worker-'));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(
    path.join(dir, 'double.ts'),
    'export interface Doubled { readonly value: number }\nexport function double(value: number): Doubled {\n  return { value: (value as number) * 2 };\n}\n',
  );
  await writeFile(
    path.join(dir, 'entry.ts'),
    [
      "import { parentPort, workerData } from 'node:worker_threads';",
      "import { double, type Doubled } from './double.ts';",
      'const result: Doubled = double(workerData.input as number);',
      "const stripperLoaded = process.moduleLoadList.some((name: string) => name.includes('amaro'));",
      'parentPort!.postMessage({ doubled: result.value, stripperLoaded, line: new Error().stack!.split("\\n")[1] });',
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'enum.ts'), 'enum Colour { Red }\nconsole.log(Colour.Red);\n');
});
after(() => rm(dir, { recursive: true, force: true }));

function firstEvent(worker: Worker): Promise<{ message: unknown } | { error: Error }> {
  return new Promise((resolve) => {
    worker.once('message', (message) => resolve({ message }));
    worker.once('error', (error) => resolve({ error }));
  });
}

it("runs a TypeScript entry and its TypeScript imports, stripped by the parent: the worker never loads the stripper, and keeps the caller's workerData and the files' line numbers", async () => {
  const worker = startTypeScriptWorker(url('entry.ts'), { execArgv: [], workerData: { input: 21 } });
  try {
    const event = await firstEvent(worker);
    assert.ok('message' in event, 'error' in event ? event.error.stack : '');
    const { doubled, stripperLoaded, line } = event.message as { doubled: number; stripperLoaded: boolean; line: string };
    assert.equal(doubled, 42);
    assert.equal(stripperLoaded, false);
    assert.match(line, new RegExp(`${url('entry.ts').href.replace(/[.]/g, '[.]')}:5:`));
  } finally {
    await worker.terminate();
  }
});

it('fails the worker as Node would when a module cannot be stripped or found', async () => {
  for (const [file, expected] of [
    ['enum.ts', /enum|TypeScript|syntax/i],
    ['missing.ts', /Cannot find module/],
  ] as const) {
    const worker = startTypeScriptWorker(url(file), { execArgv: [] });
    const event = await firstEvent(worker);
    assert.ok('error' in event, `${file}: expected an error, got a message`);
    assert.match(event.error.message, expected, file);
    await worker.terminate();
  }
});
