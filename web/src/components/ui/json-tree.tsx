/**
 * A JSON document as a tree a person can read: objects and arrays fold (the first levels open),
 * values are shown as JSON literals. Focusable: a deep document scrolls sideways. Native <details>, so folding works by keyboard and screen reader.
 */
export function JsonTree({ value, label, openDepth = 1 }: { value: unknown; label: string; openDepth?: number }) {
  return (
    <div className="overflow-x-auto rounded-md border p-3 font-mono text-xs" role="group" aria-label={label} tabIndex={0}>
      <JsonNode name={undefined} value={value} depth={0} openDepth={openDepth} />
    </div>
  );
}

function JsonNode({ name, value, depth, openDepth }: { name: string | undefined; value: unknown; depth: number; openDepth: number }) {
  const key = name === undefined ? null : <span className="text-muted-foreground">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div className="break-all">
        {key}
        <span className={typeof value === 'string' ? 'text-success' : 'text-foreground'}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0) {
    return (
      <div>
        {key}
        {Array.isArray(value) ? '[]' : '{}'}
      </div>
    );
  }
  return (
    <details open={depth < openDepth}>
      <summary className="cursor-pointer">
        {key ?? <span className="text-muted-foreground">document </span>}
        <span className="text-muted-foreground">{summary}</span>
      </summary>
      <div className="border-l pl-4">
        {entries.map(([childName, child]) => (
          <JsonNode key={childName} name={childName} value={child} depth={depth + 1} openDepth={openDepth} />
        ))}
      </div>
    </details>
  );
}
