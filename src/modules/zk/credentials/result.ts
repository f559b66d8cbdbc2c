/** Outcome of an operation whose failures are expected (bad input), never thrown. */
export type Result<T, Code extends string> =
  | { ok: true; value: T }
  | { ok: false; code: Code; message: string };

export function fail<Code extends string>(code: Code, message: string): { ok: false; code: Code; message: string } {
  return { ok: false, code, message };
}
