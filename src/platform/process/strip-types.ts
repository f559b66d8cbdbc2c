import { stripTypeScriptTypes } from 'node:module';

/**
 * TypeScript as JavaScript by node:module's type stripper, the one Node runs this code with: types
 * blanked out in place (positions unchanged, so no source map is needed). The stripper warns once
 * per process that it is experimental: noise in every server's log. That one warning is dropped;
 * the call is synchronous, so no other warning can be emitted while the filter is in place.
 */
export function stripTypes(source: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: never[]) => {
    if (!String(warning).includes('stripTypeScriptTypes')) emitWarning.call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}
