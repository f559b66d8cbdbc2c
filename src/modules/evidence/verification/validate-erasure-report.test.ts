import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { erasureReportSchema } from './erasure-report.ts';
import { readVector } from './test-vectors.ts';
import { validateErasureReport } from './validate-erasure-report.ts';

const jsonSchema = JSON.parse(readFileSync(new URL('./erasure-report.v1.schema.json', import.meta.url), 'utf8')) as JsonSchema;
const validReport = JSON.parse(readVector('erasure-report.json').toString()) as Record<string, Record<string, unknown>>;

function changed(change: (report: Record<string, Record<string, unknown>>) => void): unknown {
  const report = structuredClone(validReport);
  change(report);
  return report;
}

/** [name, document, JSON pointer of the first problem or null when valid] */
const cases: [string, unknown, string | null][] = [
  ['the vector erasure-report.json', validReport, null],
  ['the vector erasure-report-tampered.json (still a valid report)', JSON.parse(readVector('erasure-report-tampered.json').toString()), null],
  ['the vector erasure-report-invalid.json', JSON.parse(readVector('erasure-report-invalid.json').toString()), '/sanitization/method'],
  ['without the optional members', changed((report) => { delete report.report_id; delete report.operator!.id; delete report.site!.id; }), null],
  ['times with an offset and fractions', changed((report) => { report.sanitization!.started_at = '2026-11-30T09:15:00.5+01:00'; }), null],
  ['method destroy', changed((report) => { report.sanitization!.method = 'destroy'; }), null],
  ['missing device serial', changed((report) => { delete report.device!.serial; }), '/device/serial'],
  ['an unknown member', changed((report) => { report.device!.colour = 'grey'; }), '/device/colour'],
  ['an unknown member whose name needs escaping', changed((report) => { (report as Record<string, unknown>)['a/b~c'] = 1; }), '/a~1b~0c'],
  ['a negative capacity', changed((report) => { report.device!.capacity_bytes = -1; }), '/device/capacity_bytes'],
  ['a fractional capacity', changed((report) => { report.device!.capacity_bytes = 1.5; }), '/device/capacity_bytes'],
  ['a time without offset', changed((report) => { report.sanitization!.started_at = '2026-11-30T08:15:00'; }), '/sanitization/started_at'],
  ['a date that does not exist', changed((report) => { report.sanitization!.ended_at = '2026-02-30T08:15:00Z'; }), '/sanitization/ended_at'],
  ['an empty manufacturer', changed((report) => { report.device!.manufacturer = ''; }), '/device/manufacturer'],
  ['an unknown verification', changed((report) => { report.sanitization!.verification = 'visual'; }), '/sanitization/verification'],
  ['another schema version', changed((report) => { (report as Record<string, unknown>).schema = 'erasure-report/v2'; }), '/schema'],
  ['a tool without version', changed((report) => { delete report.tool!.version; }), '/tool/version'],
  ['null', null, ''],
  ['an array', [validReport], ''],
];

describe('validateErasureReport', () => {
  for (const [name, document, path] of cases) {
    test(`${name}: ${path === null ? 'valid' : path}`, () => {
      const result = validateErasureReport(document);
      if (path === null) {
        assert.ok(result.ok, result.ok ? '' : `${result.path}: ${result.message}`);
      } else {
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.path, path, result.message);
      }
    });
  }

  test('ended_at before started_at: the one rule only the zod schema can state', () => {
    const reversed = changed((report) => { report.sanitization!.ended_at = '2026-11-30T08:14:59Z'; });
    const result = validateErasureReport(reversed);
    assert.ok(!result.ok && result.path === '/sanitization/ended_at');
    assert.equal(satisfiesJsonSchema(jsonSchema, reversed), true);
    assert.match(JSON.stringify(jsonSchema.properties!.sanitization), /ended_at must not be before started_at/);
  });
});

describe('erasure-report.v1.schema.json mirrors the zod schema', () => {
  test('it is exactly what z.toJSONSchema makes of erasureReportSchema', () => {
    // To refresh it: write z.toJSONSchema(erasureReportSchema) with JSON.stringify(_, null, 2) + '\n'.
    assert.deepEqual(jsonSchema, z.toJSONSchema(erasureReportSchema));
  });

  test('evaluated on its own, it gives the zod verdict on every case', () => {
    for (const [name, document] of cases) {
      assert.equal(satisfiesJsonSchema(jsonSchema, document), validateErasureReport(document).ok, name);
    }
  });
});

type JsonSchema = {
  type?: 'object' | 'string' | 'integer';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  [annotation: string]: unknown;
};

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'format']);
const ASSERTIONS = new Set(['type', 'properties', 'required', 'additionalProperties', 'enum', 'const', 'minLength', 'maxLength', 'minimum', 'maximum', 'pattern']);

/**
 * JSON Schema 2020-12 for the keywords the committed schema uses, independent of zod; any other
 * keyword fails the test rather than being skipped. (String lengths count UTF-16 units, as zod
 * does; the cases hold no characters outside the BMP.)
 */
function satisfiesJsonSchema(schema: JsonSchema, value: unknown): boolean {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !ASSERTIONS.has(keyword)) throw new Error(`keyword ${keyword} is not evaluated by this test`);
  }
  if (schema.const !== undefined && value !== schema.const) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return false;
      if (schema.minLength !== undefined && value.length < schema.minLength) return false;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
      return schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(value);
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return false;
      return (schema.minimum === undefined || value >= schema.minimum) && (schema.maximum === undefined || value <= schema.maximum);
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const object = value as Record<string, unknown>;
      if (!(schema.required ?? []).every((name) => name in object)) return false;
      if (schema.additionalProperties === false && !Object.keys(object).every((name) => schema.properties?.[name])) return false;
      return Object.entries(schema.properties ?? {}).every(([name, property]) => !(name in object) || satisfiesJsonSchema(property, object[name]));
    }
    default:
      return true;
  }
}
