/**
 * A small, deterministic API fuzzer driven by the app's own OpenAPI 3.1 document.
 *
 * For every operation it first sends a schema-valid-ish request, then requests that break one
 * thing at a time (a path segment, a query value, a header, the credentials, one node of the
 * JSON body, or the body as a whole), so a 5xx points at a single cause. Each operation walks
 * its list of such cases in a seeded order and then starts over with fresh random choices.
 *
 * Same seed, same requests: the only input besides the seed is the ids the app hands back
 * (ids it generated itself), which later requests reuse to reach past "not found".
 */
import { WILDCARD_PARAMETER } from '#platform/http/openapi.ts';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '#src/app.ts';
import { SCOPES } from '#modules/clients/schema.ts';
import { createRng, type Rng } from './seeded-random.ts';
import { createPartner, type TestApp } from './test-app.ts';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  items?: Schema;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  pattern?: string;
  format?: string;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Schema };
type OperationObject = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  security?: Record<string, string[]>[];
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema> };
};

export type FuzzCredentials = {
  adminToken: string;
  apiKey: string;
  /** Used for operations that accept OAuth2 client-credentials tokens. */
  accessToken?: string;
  /** Ids the fuzzer must never put in a URL (the partner whose key it uses: rotating or disabling it would end the run). */
  protectedIds?: string[];
};

export type FuzzRequest = {
  index: number;
  method: string;
  /** The OpenAPI path template, to group failures by route. */
  route: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** What this request breaks, e.g. `body .webhook_url: nasty-string`. */
  mutation: string;
};

type Operation = {
  method: string;
  route: string;
  parameters: Parameter[];
  bodySchema?: Schema;
  securitySchemes: string[];
};


// ---------------------------------------------------------------- nasty values

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_PREFIXES = ['cli', 'prf', 'tsk', 'whk', 'iss', 'cir', 'vrq', 'req', 'adm'];
const HARVESTABLE_ID = /^([a-z]{3})_[0-9a-z]{26}$/;

/** Already URL-encoded path segments / query values that break parsers, lookups and storage. */
const URL_NASTIES = [
  '%00', 'a%00b', '%ED%A0%80', '%FF', '%C0%AF', 'x'.repeat(300), 'constructor', '__proto__', 'toString',
  '..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e', '%20', '-1', '1e999', '9'.repeat(40), 'NaN', '0x10', '%25', '%E2%80%AE',
];

/** Strings for JSON bodies: invalid URLs, NUL, lone surrogates, numbers-as-text, non-hex. */
const STRING_NASTIES = [
  'x y', '', ' ', '\u0000', 'a\u0000b', '\ud800', 'a\udfffb', 'abc', 'zz'.repeat(32), '-1', 'NaN', 'Infinity', '1e309',
  '0x1f', '9'.repeat(100), 'constructor', '__proto__', '../../etc/passwd', '%00', 'javascript:alert(1)', 'http://[::1',
  'https://user:pass@example.com/', 'http://169.254.169.254/latest', '日本語', '\u202e', '\uffff', "'; drop table x;--",
];

/** Raw JSON number texts, including ones no double can hold. */
const NUMBER_NASTIES = ['1e400', '-1e400', '1e308', '-1', '-0', '0.5', '5e-324', '18446744073709551616', '9007199254740993', '123456789012345678901234567890'];

const TYPE_CONFUSIONS: unknown[] = [0, -1, 1.5, true, false, null, '1', 'true', [], {}, [1], { a: 1 }];

const RAW_BODIES: (string | Buffer)[] = [
  '', 'not json', '{', '}', 'null', '[]', '"a string"', '1e999', '\uFEFF{}', '{"a":1,"a":2}',
  '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}',
  Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), // {"<invalid UTF-8>":1}
];

const WRONG_CONTENT_TYPES = [
  'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/jsonx', 'application/merge-patch+json', '*/*',
];

const IDEMPOTENCY_KEYS = ['', ' ', 'x'.repeat(300), 'a b', 'é', '\t', '../x', '%00', 'fuzz-reused-key'];

const DEEP_LEVELS = [5_000, 30_000];

function deepJson(levels: number, rng: Rng): string {
  return rng.chance(0.5) ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

// ---------------------------------------------------------------- schema examples

function resolver(document: OpenApiDocument) {
  return function resolve(schema: Schema | undefined): Schema {
    let current = schema ?? {};
    while (current.$ref) current = document.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')] ?? {};
    return current;
  };
}

function typeOf(schema: Schema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;
}

function compilePattern(pattern: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {}
  }
  return undefined;
}

type Ids = { take(prefix: string, rng: Rng): string | undefined };

function fakeId(prefix: string, rng: Rng): string {
  return `${prefix}_${Array.from({ length: 26 }, () => rng.pick([...ID_ALPHABET])).join('')}`;
}

/** A string the schema accepts: candidates are tried against the pattern rather than generating from the regex. */
function exampleString(schema: Schema, name: string, rng: Rng, ids: Ids): string {
  if (schema.format === 'date-time') return new Date(Date.UTC(2025, 0, 1 + rng.int(365))).toISOString();
  if (schema.format === 'uri') return 'https://example.com/hooks';
  const pattern = schema.pattern ? compilePattern(schema.pattern) : undefined;
  const prefix = schema.pattern?.match(/^\^\(?([a-z]+)_/)?.[1];
  const hexLength = Number(schema.pattern?.match(/\[0-9a-fA-F\]\{(\d+)\}/)?.[1] ?? 64);
  const minLength = schema.minLength ?? 1;
  const candidates = [
    prefix ? (ids.take(prefix, rng) ?? fakeId(prefix, rng)) : undefined,
    /semver|version/.test(name) ? '1.0.0' : undefined,
    Array.from({ length: hexLength }, () => rng.pick([...'0123456789abcdef'])).join(''),
    String(1 + rng.int(100_000)),
    '1.0.0',
    'example.com',
    `fuzz/artifact-${rng.int(1000)}.bin`,
    `fuzz-${rng.int(1000)}`.padEnd(minLength, 'x'),
  ];
  return candidates.find((candidate) => candidate !== undefined && (!pattern || pattern.test(candidate))) ?? 'fuzz';
}

type JsonPath = (string | number)[];

function createExampler(resolve: (schema: Schema | undefined) => Schema, ids: Ids) {
  /**
   * `full`: every optional property too, so each one can be mutated. `freeForm` collects the
   * paths of values the schema leaves open (`{}`): no type check stops what is put there.
   */
  return function example(input: Schema | undefined, rng: Rng, full: boolean, name = '', path: JsonPath = [], freeForm: JsonPath[] = []): unknown {
    const schema = resolve(input);
    if ('const' in schema) return schema.const;
    if (schema.enum) return rng.pick(schema.enum);
    const choices = schema.anyOf ?? schema.oneOf;
    if (choices) return example(choices.find((choice) => resolve(choice).type !== 'null') ?? choices[0], rng, full, name, path, freeForm);
    switch (typeOf(schema)) {
      case 'object': {
        const result: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(schema.properties ?? {})) {
          if (full || schema.required?.includes(key) || rng.chance(0.5)) result[key] = example(property, rng, full, key, [...path, key], freeForm);
        }
        if (!schema.properties && typeof schema.additionalProperties === 'object') result.fuzz = example(schema.additionalProperties, rng, full, 'fuzz', [...path, 'fuzz'], freeForm);
        return result;
      }
      case 'array':
        return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, (_, i) => example(schema.items, rng, full, name, [...path, i], freeForm));
      case 'integer':
      case 'number':
        return schema.default ?? Math.max(schema.minimum ?? 1, Math.min(schema.maximum ?? 1000, 1 + rng.int(100)));
      case 'boolean':
        return schema.default ?? rng.chance(0.5);
      case 'string':
        return exampleString(schema, name, rng, ids);
      default:
        freeForm.push(path);
        return 'fuzz';
    }
  };
}

// ---------------------------------------------------------------- JSON body mutations

function nodePaths(value: unknown, path: JsonPath = []): JsonPath[] {
  const children = Array.isArray(value) ? value.map((child, i) => nodePaths(child, [...path, i])) :
    value && typeof value === 'object' ? Object.entries(value).map(([key, child]) => nodePaths(child, [...path, key])) : [];
  return [path, ...children.flat()];
}

function nodeAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<any>((node, key) => node?.[key], value);
}

const SENTINEL = '\u0001fuzz-sentinel\u0001';

/** Serializes `value` with the node at `path` replaced by raw JSON text (which may be no valid JSON value at all), or removed. */
function serializeWith(value: unknown, path: JsonPath, rawText: string | undefined): string {
  if (path.length === 0) return rawText ?? '';
  const copy = structuredClone(value) as any;
  const parent = nodeAt(copy, path.slice(0, -1)) as any;
  const key = path[path.length - 1]!;
  if (parent === null || typeof parent !== 'object') return JSON.stringify(copy);
  if (rawText === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
    return JSON.stringify(copy);
  }
  parent[key] = SENTINEL;
  return JSON.stringify(copy).replace(JSON.stringify(SENTINEL), () => rawText);
}

/** Each returns the raw JSON text to put at a node, or undefined to remove the node. */
const NODE_MUTATIONS: Record<string, (node: unknown, rng: Rng) => string | undefined> = {
  'remove': () => undefined,
  'type-confusion': (node, rng) => JSON.stringify(rng.pick(TYPE_CONFUSIONS.filter((value) => typeof value !== typeof node || Array.isArray(value) !== Array.isArray(node)))),
  'nasty-string': (_node, rng) => JSON.stringify(rng.pick(STRING_NASTIES)),
  'huge-string': (_node, rng) => JSON.stringify(rng.pick(['a', '9', '\u0000', 'é']).repeat(rng.pick([10_000, 100_000, 300_000]))),
  'huge-number': (_node, rng) => rng.pick(NUMBER_NASTIES),
  'deep-nesting': (_node, rng) => deepJson(rng.pick(DEEP_LEVELS), rng),
  'wrapped-in-array': (node) => JSON.stringify([node]),
  'extra-field': (node, rng) => {
    const key = rng.pick(['__proto__', 'constructor', 'prototype', 'extra', '']);
    return JSON.stringify(node && typeof node === 'object' && !Array.isArray(node) ? { ...node, [key]: 1 } : { [key]: node });
  },
};

// ---------------------------------------------------------------- operations

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([route, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method]!;
      const content = operation.requestBody?.content ?? {};
      return {
        method: method.toUpperCase(),
        route,
        parameters: operation.parameters ?? [],
        bodySchema: (content['application/json'] ?? Object.values(content)[0])?.schema,
        securitySchemes: (operation.security ?? []).flatMap((requirement) => Object.keys(requirement)),
      };
    }),
  );
}

/** What one request breaks; everything else about it stays valid. */
type Case =
  | { dimension: 'valid' }
  | { dimension: 'path'; name: string; value: (valid: string, rng: Rng) => string; label: string }
  | { dimension: 'query'; label: string; build: (valid: URLSearchParams, rng: Rng) => string }
  | { dimension: 'header'; name: string; value: string }
  | { dimension: 'auth'; kind: 'none' | 'garbage' | 'swapped' }
  | { dimension: 'body'; label: string; build: (valid: unknown, rng: Rng) => { payload: string | Buffer; contentType?: string } }
  | { dimension: 'node'; path: JsonPath; mutation: string };

function wrongPrefix(valid: string, rng: Rng): string {
  const match = valid.match(HARVESTABLE_ID);
  const prefix = rng.pick(ID_PREFIXES.filter((candidate) => candidate !== match?.[1]));
  return match ? `${prefix}${valid.slice(3)}` : `${prefix}_${valid}`;
}

/** Cases come in groups (one per parameter, body node, ...): each round takes one case of every group before a second one. */
function caseGroupsFor(operation: Operation, validBody: unknown): Case[][] {
  const groups: Case[][] = [];
  for (const parameter of operation.parameters) {
    const { name } = parameter;
    if (parameter.in === 'path') {
      groups.push([
        { dimension: 'path', name, label: 'wrong-prefix', value: wrongPrefix },
        { dimension: 'path', name, label: 'valid+%00', value: (valid) => `${valid}%00` },
        ...URL_NASTIES.map((nasty): Case => ({ dimension: 'path', name, label: nasty.slice(0, 40), value: () => nasty })),
        ...(name === WILDCARD_PARAMETER ? [{ dimension: 'path', name, label: '300-byte inner segment', value: () => `a/${'x'.repeat(300)}/b` } as const] : []),
      ]);
    }
    if (parameter.in === 'query') {
      groups.push([
        ...URL_NASTIES.map((nasty): Case => ({ dimension: 'query', label: `${name}=${nasty.slice(0, 40)}`, build: (valid) => { valid.delete(name); return `${valid}&${name}=${nasty}`; } })),
        { dimension: 'query', label: `${name} twice`, build: (valid) => `${valid}&${name}=1&${name}=2` },
      ]);
    }
    if (parameter.in === 'header') groups.push(IDEMPOTENCY_KEYS.map((value): Case => ({ dimension: 'header', name, value })));
  }
  groups.push([{ dimension: 'query', label: 'unknown and prototype keys', build: (valid) => `${valid}&__proto__[polluted]=1&constructor[prototype][x]=1&unknown=1` }]);
  groups.push((['none', 'garbage', 'swapped'] as const).map((kind): Case => ({ dimension: 'auth', kind })));

  if (validBody !== undefined) {
    for (const path of nodePaths(validBody)) groups.push(Object.keys(NODE_MUTATIONS).map((mutation): Case => ({ dimension: 'node', path, mutation })));
    groups.push(WRONG_CONTENT_TYPES.map((contentType): Case => ({ dimension: 'body', label: `valid body as ${contentType}`, build: (valid) => ({ payload: JSON.stringify(valid), contentType }) })));
  }
  if (operation.method !== 'GET') {
    groups.push([
      ...RAW_BODIES.map((raw): Case => ({ dimension: 'body', label: `raw ${JSON.stringify(raw.toString()).slice(0, 40)}`, build: () => ({ payload: raw }) })),
      { dimension: 'body', label: 'octet-stream bytes', build: (_valid, rng) => ({ payload: Buffer.from(Array.from({ length: 1 + rng.int(2048) }, () => rng.int(256))), contentType: 'application/octet-stream' }) },
      { dimension: 'body', label: 'empty octet-stream', build: () => ({ payload: '', contentType: 'application/octet-stream' }) },
    ]);
  }
  return groups;
}

function interleave<T>(groups: T[][]): T[] {
  const result: T[] = [];
  for (let round = 0; groups.some((group) => round < group.length); round++) {
    for (const group of groups) if (round < group.length) result.push(group[round]!);
  }
  return result;
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function describePath(path: JsonPath): string {
  return path.length === 0 ? '(root)' : path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
}

// ---------------------------------------------------------------- the generator

export type OpenApiFuzzer = {
  /** The next request; the stream never ends. */
  next(): FuzzRequest;
  /** Feed each response back: ids it contains are reused by later requests. */
  observe(response: LightMyRequestResponse): void;
};

export function createOpenApiFuzzer(document: OpenApiDocument, options: { seed: number; credentials: FuzzCredentials }): OpenApiFuzzer {
  const rng = createRng(options.seed);
  const { credentials } = options;
  const protectedIds = new Set(credentials.protectedIds ?? []);
  const seenIds = new Map<string, string[]>();
  const ids: Ids = {
    // Always draws the same amount of randomness, so the request stream does not depend on what was seen.
    take(prefix, random) {
      const use = random.chance(0.6);
      const index = random.int(1 << 30);
      const pool = seenIds.get(prefix);
      return use && pool?.length ? pool[index % pool.length] : undefined;
    },
  };
  const resolve = resolver(document);
  const example = createExampler(resolve, ids);
  const operations = operationsOf(document);
  // Operations with more surface (a body, path parameters) get more turns.
  const schedule = operations.flatMap((operation) => {
    const turns = 1 + (operation.bodySchema ? 2 : 0) + (operation.parameters.some((p) => p.in === 'path') ? 1 : 0);
    return Array.from({ length: turns }, () => operation);
  });
  shuffle(schedule, rng);
  const pending = new Map<Operation, Case[]>();
  let index = 0;

  function credentialHeaders(operation: Operation): Record<string, string> {
    if (operation.securitySchemes.length === 0) return {};
    const scheme = rng.pick(operation.securitySchemes);
    if (scheme === 'BearerAuth') return { authorization: `Bearer ${credentials.adminToken}` };
    if (scheme === 'OAuth2ClientCredentials' && credentials.accessToken) return { authorization: `Bearer ${credentials.accessToken}` };
    return { 'x-api-key': credentials.apiKey };
  }

  function brokenCredentials(kind: 'none' | 'garbage' | 'swapped'): Record<string, string> {
    if (kind === 'none') return {};
    if (kind === 'swapped') return rng.pick<Record<string, string>>([{ 'x-api-key': credentials.adminToken }, { authorization: `Bearer ${credentials.apiKey}` }]);
    return rng.pick<Record<string, string>>([
      { authorization: `Bearer ${'x'.repeat(5000)}` },
      { authorization: 'Bearer ' },
      { authorization: 'Basic Og==' },
      { authorization: `Bearer ${credentials.adminToken}\u0000` },
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJjbGlfeCJ9.' },
      { 'x-api-key': `vk_${'z'.repeat(40)}` },
      { 'x-api-key': '' },
      { 'x-api-key': `${credentials.apiKey}%00` },
    ]);
  }

  function validPathValue(parameter: Parameter): string {
    const value = String(example(parameter.schema, rng, false, parameter.name));
    if (protectedIds.has(value)) return fakeId(value.slice(0, 3), rng);
    // The wildcard keeps its slashes: it is an object key like `fuzz/artifact-1.bin`.
    return parameter.name === WILDCARD_PARAMETER ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
  }

  function validQuery(operation: Operation): URLSearchParams {
    const query = new URLSearchParams();
    for (const parameter of operation.parameters) {
      if (parameter.in === 'query' && (parameter.required || rng.chance(0.5))) query.set(parameter.name, String(example(parameter.schema, rng, false, parameter.name)));
    }
    return query;
  }

  function nextCase(operation: Operation, validBody: unknown, freeForm: JsonPath[]): Case {
    let cases = pending.get(operation);
    if (!cases?.length) {
      // Free-form values (`{}` in the schema) are where nesting depth goes unchecked: try those first.
      const deepFirst = freeForm.map((path): Case => ({ dimension: 'node', path, mutation: 'deep-nesting' }));
      const groups = caseGroupsFor(operation, validBody).map((group) => shuffle(group, rng));
      // Every round starts with a valid request (it also harvests ids), then one case of each group.
      cases = [{ dimension: 'valid' }, ...deepFirst, ...interleave(shuffle(groups, rng))];
      pending.set(operation, cases);
    }
    return cases.shift()!;
  }

  function build(operation: Operation): FuzzRequest {
    // Mutations get every optional field, so each one can be the target; valid requests vary.
    const freeForm: JsonPath[] = [];
    const fullBody = operation.bodySchema ? example(operation.bodySchema, rng, true, '', [], freeForm) : undefined;
    const testCase = nextCase(operation, fullBody, freeForm);
    const validBody = operation.bodySchema && testCase.dimension === 'valid' ? example(operation.bodySchema, rng, false) : fullBody;

    let path = operation.route;
    for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
      const valid = validPathValue(parameter);
      const value = testCase.dimension === 'path' && testCase.name === parameter.name ? testCase.value(valid, rng) : valid;
      path = path.replace(`{${parameter.name}}`, () => value);
    }
    const query = validQuery(operation);
    const search = testCase.dimension === 'query' ? testCase.build(query, rng) : query.toString();
    const url = search ? `${path}?${search.replace(/^&/, '')}` : path;

    const headers = testCase.dimension === 'auth' ? brokenCredentials(testCase.kind) : credentialHeaders(operation);
    if (testCase.dimension === 'header') headers[testCase.name] = testCase.value;

    let payload: string | Buffer | undefined;
    let contentType: string | undefined = 'application/json';
    let mutation: string = testCase.dimension;
    if (testCase.dimension === 'node') {
      const rawText = NODE_MUTATIONS[testCase.mutation]!(nodeAt(validBody, testCase.path), rng);
      payload = serializeWith(validBody, testCase.path, rawText);
      mutation = `body ${describePath(testCase.path)}: ${testCase.mutation}`;
    } else if (testCase.dimension === 'body') {
      ({ payload, contentType = 'application/json' } = testCase.build(validBody ?? {}, rng));
      mutation = `body: ${testCase.label}`;
    } else if (validBody !== undefined) {
      payload = JSON.stringify(validBody);
    } else if (operation.method === 'PUT') {
      // A PUT without a JSON body in the document takes raw bytes (artifact uploads).
      payload = Buffer.from(`fuzz artifact ${rng.int(1000)}`);
      contentType = 'application/octet-stream';
    } else {
      contentType = undefined;
    }
    if (payload !== undefined && contentType !== undefined) headers['content-type'] = contentType;
    if (testCase.dimension === 'path' || testCase.dimension === 'query') mutation = `${testCase.dimension}: ${testCase.label}`;
    if (testCase.dimension === 'header') mutation = `header ${testCase.name}: ${JSON.stringify(testCase.value.slice(0, 40))}`;
    if (testCase.dimension === 'auth') mutation = `auth: ${testCase.kind}`;

    return { index: index++, method: operation.method, route: operation.route, url, headers, payload, mutation };
  }

  function harvest(value: unknown): void {
    if (typeof value === 'string') {
      const prefix = value.match(HARVESTABLE_ID)?.[1];
      const pool = prefix ? (seenIds.get(prefix) ?? seenIds.set(prefix, []).get(prefix)!) : undefined;
      if (pool && !protectedIds.has(value) && !pool.includes(value) && pool.length < 50) pool.push(value);
    } else if (value && typeof value === 'object') {
      for (const child of Object.values(value)) harvest(child);
    }
  }

  return {
    next: () => build(schedule[index % schedule.length]!),
    observe(response) {
      if (!String(response.headers['content-type'] ?? '').includes('json')) return;
      try {
        harvest(response.json());
      } catch {}
    },
  };
}

// ---------------------------------------------------------------- running it

export type FuzzFailure = {
  seed: number;
  index: number;
  method: string;
  route: string;
  url: string;
  mutation: string;
  status: number;
  errorCode?: string;
  body: string;
  /** From the app's log line for this request (`unhandled error`): message and top stack frame. */
  loggedError?: string;
  payloadPreview?: string;
};

export type FuzzReport = {
  seed: number;
  requests: number;
  statusCounts: Record<number, number>;
  failures: FuzzFailure[];
  /** Requests app.inject refused to send (invalid header characters and the like): the harness's problem, not the app's. */
  unsendable: { mutation: string; url: string; message: string }[];
};

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
}

/** The error the app logged for a request: its message and the first stack frame. */
export function loggedErrorFor(logs: string, requestId: string | undefined): string | undefined {
  if (!requestId) return undefined;
  for (const line of logs.split('\n')) {
    if (!line.includes(requestId) || !line.includes('"err"')) continue;
    try {
      const err = JSON.parse(line).err as { type?: string; message?: string; stack?: string };
      const frames = (err.stack ?? '').split('\n').map((stackLine) => stackLine.trim()).filter((stackLine) => stackLine.startsWith('at '));
      // The first frame in the project's own code says more than one inside pg or node:internal.
      const frame = frames.find((stackLine) => stackLine.includes('/src/') && !stackLine.includes('node_modules')) ?? frames[0];
      // Wrapped errors (DrizzleQueryError) end their message with the cause: keep both ends.
      const message = err.message ?? '';
      const shortMessage = message.length > 240 ? `${message.slice(0, 120)} ... ${message.slice(-120)}` : message;
      return `${err.type ?? 'Error'}: ${shortMessage}${frame ? ` | ${frame}` : ''}`;
    } catch {}
  }
  return undefined;
}

export async function runFuzz(options: {
  app: App;
  document: OpenApiDocument;
  credentials: FuzzCredentials;
  seed: number;
  requests: number;
  logs?: () => string;
  onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const fuzzer = createOpenApiFuzzer(options.document, { seed: options.seed, credentials: options.credentials });
  const report: FuzzReport = { seed: options.seed, requests: 0, statusCounts: {}, failures: [], unsendable: [] };
  for (let i = 0; i < options.requests; i++) {
    const request = fuzzer.next();
    let response: LightMyRequestResponse;
    try {
      response = await options.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });
    } catch (error) {
      report.unsendable.push({ mutation: request.mutation, url: truncate(request.url, 200), message: (error as Error).message });
      continue;
    }
    report.requests++;
    report.statusCounts[response.statusCode] = (report.statusCounts[response.statusCode] ?? 0) + 1;
    fuzzer.observe(response);
    if (response.statusCode >= 500) {
      const requestId = response.headers['x-request-id'] as string | undefined;
      report.failures.push({
        seed: options.seed,
        index: request.index,
        method: request.method,
        route: request.route,
        url: truncate(request.url, 200),
        mutation: request.mutation,
        status: response.statusCode,
        errorCode: response.body.match(/"error_code":"(\w+)"/)?.[1],
        body: truncate(response.body, 300),
        loggedError: options.logs ? loggedErrorFor(options.logs(), requestId) : undefined,
        payloadPreview: request.payload === undefined ? undefined : truncate(request.payload.toString(), 200),
      });
    }
    if ((i + 1) % 1000 === 0) options.onProgress?.(i + 1);
  }
  return report;
}

/** One line per distinct cause (route + logged error), with how often it was hit and the first request that hit it. */
export function distinctFailures(failures: FuzzFailure[]): { key: string; count: number; example: FuzzFailure }[] {
  const groups = new Map<string, { key: string; count: number; example: FuzzFailure }>();
  for (const failure of failures) {
    // Messages echo the input, so a logged error is told apart by its type and frame; an unlogged one by its error_code.
    const logged = failure.loggedError?.match(/^(\w+):.*?(?: \| (.*))?$/s);
    const cause = logged ? `${logged[1]} ${logged[2] ?? ''}` : `${failure.status} ${failure.errorCode ?? failure.body.slice(0, 80)} (not logged)`;
    const key = `${failure.method} ${failure.route} -> ${cause}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { key, count: 1, example: failure });
  }
  return [...groups.values()];
}

export function formatFailure(failure: FuzzFailure): string {
  return [
    `#${failure.index} ${failure.method} ${failure.url} -> ${failure.status} (seed ${failure.seed}; ${failure.mutation})`,
    failure.payloadPreview !== undefined ? `  payload: ${JSON.stringify(failure.payloadPreview)}` : undefined,
    `  response: ${failure.body}`,
    failure.loggedError ? `  logged: ${failure.loggedError}` : undefined,
  ].filter(Boolean).join('\n');
}

/** The document and credentials to fuzz a test app with: a partner holding every scope, and an OAuth2 token of it. */
export async function prepareFuzzTarget(t: TestApp): Promise<{ document: OpenApiDocument; credentials: FuzzCredentials }> {
  const partner = await createPartner(t, { name: 'Fuzz Partner', scopes: [...SCOPES], rate_limit_per_minute: 1_000_000 });
  const token = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    payload: { grant_type: 'client_credentials', client_id: partner.id, client_secret: partner.api_key },
  });
  if (token.statusCode !== 200) throw new Error(`oauth token failed: ${token.statusCode} ${token.body}`);
  const document = await t.app.inject({ url: '/openapi.json' });
  if (document.statusCode !== 200) throw new Error(`/openapi.json failed: ${document.statusCode}`);
  return {
    document: document.json(),
    credentials: { adminToken: t.adminToken, apiKey: partner.api_key, accessToken: token.json().access_token, protectedIds: [partner.id] },
  };
}
