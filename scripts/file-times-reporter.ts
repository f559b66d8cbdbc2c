/**
 * A node:test reporter (`scripts/test.ts` adds it beside the spec reporter) that sums the time of
 * each file's top-level tests and prints the slowest files at the end: the suite has a time
 * budget (10 minutes on 2 cores), and this says where it goes.
 */
import path from 'node:path';

type TestEvent = { type: string; data: { nesting?: number; file?: string; details?: { duration_ms?: number } } };

const SHOWN = 15;

export default async function* fileTimes(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const byFile = new Map<string, number>();
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.nesting !== 0 || !event.data.file) continue;
    byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
  }
  const slowest = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  const total = [...byFile.values()].reduce((sum, ms) => sum + ms, 0);
  yield `\nslowest test files (of ${byFile.size}, ${(total / 1000).toFixed(0)} s of test time in all):\n`;
  for (const [file, ms] of slowest) yield `  ${(ms / 1000).toFixed(1).padStart(7)} s  ${path.relative(process.cwd(), file)}\n`;
}
