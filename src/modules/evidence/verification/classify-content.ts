import { OID } from './oids.ts';
import { ERASURE_REPORT_SCHEMA_ID, type ErasureReport } from './erasure-report.ts';
import { validateErasureReport } from './validate-erasure-report.ts';
import { accept, reject, type Step } from './types.ts';

export type ClassifiedContent = {
  mediaType: string;
  document: { schema: typeof ERASURE_REPORT_SCHEMA_ID; report: ErasureReport } | { schema: null };
};

const OPAQUE: ClassifiedContent['document'] = { schema: null };
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * What the signed content is. JSON declaring "schema": "erasure-report/v1" must satisfy that
 * schema (CONTENT_INVALID otherwise, with a JSON pointer); a declared erasure-report version we
 * do not know is refused too rather than certified blind. Anything else is an opaque document
 * with a sniffed media type: application/json, application/pdf, text/plain or
 * application/octet-stream (also for every eContentType other than id-data).
 */
export function classifyContent(content: Uint8Array, eContentType: string): Step<ClassifiedContent> {
  if (eContentType !== OID.data) return accept({ mediaType: 'application/octet-stream', document: OPAQUE });
  if (startsWith(content, '%PDF-')) return accept({ mediaType: 'application/pdf', document: OPAQUE });
  let text: string;
  try {
    text = utf8.decode(content);
  } catch {
    return accept({ mediaType: 'application/octet-stream', document: OPAQUE });
  }
  const json = parseJson(text);
  if (json.parsed) {
    const declared = isObject(json.value) ? json.value.schema : undefined;
    if (declared === ERASURE_REPORT_SCHEMA_ID) {
      const validation = validateErasureReport(json.value);
      if (!validation.ok) return reject('CONTENT_INVALID', `the erasure report is invalid at ${validation.path || '/'}: ${validation.message}`, validation.path);
      return accept({ mediaType: 'application/json', document: { schema: ERASURE_REPORT_SCHEMA_ID, report: validation.report } });
    }
    if (typeof declared === 'string' && declared.startsWith('erasure-report/')) {
      return reject('CONTENT_INVALID', `unknown erasure report schema ${JSON.stringify(declared.slice(0, 64))} (supported: ${ERASURE_REPORT_SCHEMA_ID})`, '/schema');
    }
    return accept({ mediaType: 'application/json', document: OPAQUE });
  }
  // Text: no control characters other than tab, line feed, form feed and carriage return.
  const isText = !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
  return accept({ mediaType: isText ? 'text/plain' : 'application/octet-stream', document: OPAQUE });
}

function parseJson(text: string): { parsed: true; value: unknown } | { parsed: false } {
  try {
    return { parsed: true, value: JSON.parse(text) };
  } catch {
    return { parsed: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function startsWith(bytes: Uint8Array, prefix: string): boolean {
  return bytes.byteLength >= prefix.length && Buffer.from(bytes.subarray(0, prefix.length)).toString('latin1') === prefix;
}
