import { erasureReportSchema, type ErasureReport } from './erasure-report.ts';

export type ErasureReportValidation = { ok: true; report: ErasureReport } | { ok: false; path: string; message: string };

/** Checks a parsed JSON value against erasure-report/v1; the first problem, as a JSON pointer. Never throws. */
export function validateErasureReport(json: unknown): ErasureReportValidation {
  const parsed = erasureReportSchema.safeParse(json);
  if (parsed.success) return { ok: true, report: parsed.data };
  const [issue] = parsed.error.issues;
  if (!issue) return { ok: false, path: '', message: 'invalid erasure report' };
  const segments = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return { ok: false, path: jsonPointer(segments), message: issue.code === 'unrecognized_keys' ? `unknown member ${JSON.stringify(issue.keys[0])}` : issue.message };
}

/** RFC 6901: "" for the whole document, "/a/0/b~1c" for a.0["b/c"]. */
function jsonPointer(segments: readonly PropertyKey[]): string {
  return segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
