import { registerHooks } from 'node:module';

/**
 * From now on, imports of drizzle-orm in this thread load its CommonJS build instead of its ES
 * modules: the same code, but Node 24's ES module loader holds ~1 MB per drizzle module (the
 * pg-core graph alone: ~160 MB of heap at import, ~55 MB of resident memory kept afterwards),
 * against ~20 MB for the CommonJS build. Called first by the command line, before any command's
 * modules are imported (imports resolved earlier keep the ES build).
 */
export function loadDrizzleAsCommonJs(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (!resolved.url.includes('/node_modules/drizzle-orm/') || !resolved.url.endsWith('.js')) return resolved;
      return { ...resolved, url: `${resolved.url.slice(0, -'.js'.length)}.cjs`, format: 'commonjs' };
    },
  });
}
