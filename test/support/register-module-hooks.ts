/**
 * Imported before every test file (`--import`, see scripts/test.ts): test processes load modules
 * as `veridity` does (src/main.ts), drizzle-orm's CommonJS build included — the same code the
 * server runs, and ~0.5 s less start-up per test file than drizzle's ES modules.
 */
import { loadDrizzleAsCommonJs } from '#platform/process/load-drizzle-as-commonjs.ts';

loadDrizzleAsCommonJs();
