import { createHash } from 'node:crypto';

/** A parameterised SQL statement, as `pg`'s `query()` takes it; `name` makes it a prepared statement per connection. */
export type Statement = { name?: string; text: string; values: unknown[] };

/**
 * Independent writes as one statement: each part becomes a data-modifying CTE, and PostgreSQL
 * runs all of them to completion, atomically (a lone statement is its own transaction), in one
 * round trip. A part's placeholders ($1..$n) are renumbered after the parts before it. The parts
 * share one snapshot: none sees another's rows, so only writes that do not read each other compose.
 * The result is a prepared statement named after its text (the parts present vary, their texts do not).
 */
export function composeStatements(parts: readonly Statement[]): Statement {
  if (parts.length === 0) throw new Error('composeStatements: no statements');
  const values: unknown[] = [];
  const ctes = parts.map((part, index) => {
    const offset = values.length;
    values.push(...part.values);
    const text = part.text.replace(/\$(\d+)/g, (_placeholder, n: string) => {
      if (Number(n) > part.values.length) throw new Error(`composeStatements: $${n} in a statement with ${part.values.length} values`);
      return `$${Number(n) + offset}`;
    });
    return `s${index} AS (${text})`;
  });
  const text = `WITH ${ctes.join(',\n')}\nSELECT 1`;
  return { name: `composed-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** The constraint a statement violated, when it was a unique violation (SQLSTATE 23505). */
export function uniqueViolation(error: unknown): string | undefined {
  const candidate = error as { code?: unknown; constraint?: unknown } | null;
  return candidate?.code === '23505' && typeof candidate.constraint === 'string' ? candidate.constraint : undefined;
}
