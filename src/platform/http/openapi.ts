import { isDeepStrictEqual } from 'node:util';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { errorStatusDescription } from './schemas.ts';

/**
 * The two hooks @fastify/swagger calls, around fastify-type-provider-zod's own: they turn the
 * route schemas into a document a client generator can take as it is (see openapi-lint.test.ts).
 */

type Json = Record<string, unknown>;
type RouteDocument = Parameters<typeof jsonSchemaTransform>[0];
type ObjectDocument = Parameters<typeof jsonSchemaTransformObject>[0];

/** A path's trailing wildcard (`/api/admin/artifacts/*`) is documented as this parameter: `*` is no name a client can use. */
export const WILDCARD_PARAMETER = 'key';
const REF_PREFIX = '#/components/schemas/';
/** fastify-type-provider-zod names the request-side variant of every registered schema `<id>Input`. */
const INPUT_SUFFIX = 'Input';

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Each response with its description (errors get their status's usual one) and its body under `content`. */
function describeResponses(responses: Json): Json {
  return Object.fromEntries(Object.entries(responses).map(([status, response]) => {
    if (!isObject(response)) return [status, response];
    const fallback = Number(status) >= 400 ? errorStatusDescription(Number(status)) : undefined;
    // A body-less response (304) stays a bare schema: @fastify/swagger emits no content for `type: 'null'`.
    if (!isObject(response.content)) return [status, response.type === 'null' || !fallback ? response : { description: fallback, content: { 'application/json': { schema: response } } }];
    return [status, { ...(fallback ? { description: fallback } : {}), ...response }];
  }));
}

function renameWildcard(params: unknown): unknown {
  if (!isObject(params) || !isObject(params.properties) || !('*' in params.properties)) return params;
  const { '*': wildcard, ...rest } = params.properties;
  const described = { ...(wildcard as Json), description: 'The rest of the path: may contain `/`' };
  return {
    ...params,
    properties: { ...rest, [WILDCARD_PARAMETER]: described },
    ...(Array.isArray(params.required) ? { required: params.required.map((name) => (name === '*' ? WILDCARD_PARAMETER : name)) } : {}),
  };
}

const JSON_MEDIA_TYPE = 'application/json';

/** How a body of a media type is documented where no schema of the route's says more: bytes (or text) as they are, one file per multipart part, or JSON the operation describes. */
function unparsedBody(mediaType: string): Json {
  if (mediaType === JSON_MEDIA_TYPE) return { type: ['object', 'string'], description: 'JSON, as the operation describes' };
  if (mediaType === 'multipart/form-data') {
    return { type: 'object', additionalProperties: { type: 'string', contentMediaType: 'application/octet-stream' }, description: 'One file per part' };
  }
  return { type: 'string', contentMediaType: mediaType, description: 'The raw bytes' };
}

/**
 * The request body of a route. Without a body schema, the route reads its bodies itself: each
 * media type it names as such (artifact uploads, a certificate PDF, the certificate check's JSON).
 * With one, that schema for JSON and the raw form of each other media type it names (a route
 * taking a document as JSON or as it is).
 */
function requestBody(body: unknown, consumes: string[]): Json {
  const content = (types: string[]) => types.map((mediaType) => [mediaType, { schema: unparsedBody(mediaType) }]);
  if (!body) return consumes.length > 0 ? { body: { content: Object.fromEntries(content(consumes)) } } : {};
  const raw = consumes.filter((mediaType) => mediaType !== JSON_MEDIA_TYPE);
  if (raw.length === 0) return {};
  return { body: { content: Object.fromEntries([[JSON_MEDIA_TYPE, { schema: body }], ...content(raw)]) } };
}

/** Per route: zod to JSON Schema, then response descriptions, the wildcard's name and raw bodies. */
export function transformRoute(document: RouteDocument): { schema: Json; url: string } {
  const { schema, url } = jsonSchemaTransform(document) as { schema: Json | undefined; url: string };
  if (!schema || schema.hide) return { schema: schema ?? {}, url };
  const consumes = Array.isArray(schema.consumes) ? (schema.consumes as string[]) : [];
  const rawBody = requestBody(schema.body, consumes);
  return {
    schema: {
      ...schema,
      ...rawBody,
      ...(schema.params ? { params: renameWildcard(schema.params) } : {}),
      ...(isObject(schema.response) ? { response: describeResponses(schema.response) } : {}),
    },
    url: url.replace(/\*$/, `:${WILDCARD_PARAMETER}`),
  };
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) return value.forEach((item) => collectRefs(item, into));
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX)) into.add(child.slice(REF_PREFIX.length));
    else collectRefs(child, into);
  }
}

/** Schemas reachable from the operations and webhooks, following references between schemas. */
function reachableSchemas(document: Json, schemas: Json): Set<string> {
  const reached = new Set<string>();
  collectRefs({ ...document, components: { ...(document.components as Json), schemas: {} } }, reached);
  const pending = [...reached];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const found = new Set<string>();
    collectRefs(schemas[name], found);
    for (const next of found) {
      if (reached.has(next)) continue;
      reached.add(next);
      pending.push(next);
    }
  }
  return reached;
}

function renameRefs<T>(value: T, names: Map<string, string>): T {
  return JSON.parse(JSON.stringify(value), (key, child) =>
    key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX) ? REF_PREFIX + (names.get(child.slice(REF_PREFIX.length)) ?? child.slice(REF_PREFIX.length)) : child,
  ) as T;
}

/**
 * fastify-type-provider-zod emits every registered schema twice, `X` (as responses serialize
 * it) and `XInput` (as requests validate it), used or not. Keeps the reachable ones only, under
 * their own id: `XInput` becomes `X` when the output variant is unused or identical, and
 * `XRequest` when both are used and differ (defaults make a field optional on input only).
 */
function withoutInputSuffixes(document: Json): Json {
  const components = document.components as Json;
  const schemas = components.schemas as Json;
  const reached = reachableSchemas(document, schemas);
  const names = new Map<string, string>();
  const inputs = [...reached].filter((name) => name.endsWith(INPUT_SUFFIX) && name.slice(0, -INPUT_SUFFIX.length) in schemas);
  for (const input of inputs) names.set(input, input.slice(0, -INPUT_SUFFIX.length));
  // Merging one pair can make another pair equal or not: settle on a fixed point.
  for (let changed = true; changed;) {
    changed = false;
    for (const input of inputs) {
      const output = input.slice(0, -INPUT_SUFFIX.length);
      if (!reached.has(output) || names.get(input) !== output) continue;
      if (isDeepStrictEqual(renameRefs(schemas[input], names), renameRefs(schemas[output], names))) continue;
      names.set(input, `${output}Request`);
      changed = true;
    }
  }
  const kept: Json = {};
  for (const name of Object.keys(schemas).sort()) if (reached.has(name)) kept[names.get(name) ?? name] = renameRefs(schemas[name], names);
  return renameRefs({ ...document, components: { ...components, schemas: kept } }, names);
}

/** The whole document: components from the zod registry, the webhooks, then one name per schema. */
export function transformDocument(webhooks: Json): (document: ObjectDocument) => Json {
  return (document) => withoutInputSuffixes({ ...(jsonSchemaTransformObject(document) as Json), webhooks });
}
