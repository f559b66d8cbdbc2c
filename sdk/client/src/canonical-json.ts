/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * The output is what hashes and signatures are computed over, so the input is checked strictly:
 * only the JSON data model (null, booleans, finite numbers, well-formed strings, arrays, plain
 * objects) is accepted. Anything JSON.stringify would silently drop or coerce (undefined, NaN,
 * Dates, Maps, class instances, bigint, lone surrogates, cycles) throws a TypeError instead, so
 * two callers can never disagree about which bytes a value stands for. Shared with the server
 * (#platform/canonical-json.ts re-exports it), so what it signs and what the SDK checks agree.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalize(value: unknown): string {
  return serialize(value, new Set());
}

function serialize(value: unknown, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value);
    case 'string':
      return serializeString(value);
    case 'object':
      return serializeContainer(value, ancestors);
    default:
      throw new TypeError(`canonical JSON cannot represent a value of type ${typeof value}`);
  }
}

function serializeNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot represent ${value}`);
  // RFC 8785 section 3.2.2.3 adopts ECMAScript Number::toString, which JSON.stringify applies to
  // finite numbers (including -0 -> "0").
  return JSON.stringify(value);
}

function serializeString(value: string): string {
  // RFC 8785 section 3.2.2.2: lone surrogates have no UTF-8 form and must be rejected. Otherwise
  // JSON.stringify's escaping (\b \t \n \f \r \" \\, other C0 controls as lowercase \u00xx, all
  // else literal) is exactly the minimal escaping the RFC prescribes.
  if (!value.isWellFormed()) throw new TypeError('canonical JSON cannot represent a lone surrogate');
  return JSON.stringify(value);
}

function serializeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value)) throw new TypeError('canonical JSON cannot represent a cyclic structure');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new TypeError('canonical JSON cannot represent a sparse array');
        items.push(serialize(value[i], ancestors));
      }
      return `[${items.join(',')}]`;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError('canonical JSON accepts plain objects only (convert Dates, Maps, ... first)');
    }
    const record = value as Record<string, unknown>;
    // Array.prototype.sort compares strings by UTF-16 code units, the order RFC 8785 section 3.2.3 requires.
    const members = Object.keys(record)
      .sort()
      .map((key) => `${serializeString(key)}:${serialize(record[key], ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
