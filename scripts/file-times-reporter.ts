/**
 * A node:test reporter (`scripts/test.ts` adds it beside the spec reporter) that prints the
 * slowest test files at the end: the suite has a time budget (10 minutes on 2 cores), and this
 * says where it goes. A file's time runs from the runner starting its process to that process's
 * end (the file's own `test:dequeue` and `test:complete`), so its `before` hooks (servers,
 * databases, browsers started) count too.
 */
import path from 'node:path';

type TestEvent = { type: string; data: { file?: string; name?: string } };

const SHOWN = 20;

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const spans = new Map<string, { first: number; last: number }>();
  const started = Date.now();
  for await (const event of source) {
    const { file, name } = event.data ?? {};
    // The file's own events are named by its path; those of its tests by their titles.
    if (!file || !name || path.resolve(name) !== file) continue;
    if (event.type === 'test:dequeue') spans.set(file, { first: Date.now(), last: Date.now() });
    const span = spans.get(file);
    if (event.type === 'test:complete' && span) span.last = Date.now();
  }
  const byFile = [...spans].map(([file, span]) => [file, span.last - span.first] as const);
  const slowest = byFile.sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const total = byFile.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\nslowest test files (of ${byFile.length}; ${(total / 1000).toFixed(0)} s summed over files, ${((Date.now() - started) / 1000).toFixed(0)} s wall):\n`;
  for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${path.relative(process.cwd(), file)}\n`;
}
