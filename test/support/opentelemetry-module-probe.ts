import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * Loaded with `node --import` (NODE_OPTIONS) into a process under test: appends to
 * OTEL_MODULE_PROBE_FILE a line `<url> <importer url>` for every OpenTelemetry module the process
 * loads, by import or require, so a test can tell whether telemetry cost anything.
 */
const file = process.env.OTEL_MODULE_PROBE_FILE;
if (file) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (/\/node_modules\/(@opentelemetry|import-in-the-middle|require-in-the-middle)\//.test(resolved.url)) appendFileSync(file, `${resolved.url} ${context.parentURL ?? ''}\n`);
      return resolved;
    },
  });
}
