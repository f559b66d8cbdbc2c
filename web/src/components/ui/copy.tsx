import { useState } from 'react';
import { Button } from './button.tsx';
import { useToast } from './toast.tsx';

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const toast = useToast();
  return (
    <Button
      variant="outline"
      size="sm"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch (error) {
          toast.problem(error, 'Could not copy: select the text and copy it by hand');
        }
      }}
    >
      <span aria-live="polite">{copied ? 'Copied' : label}</span>
    </Button>
  );
}

/** A secret the API shows this once (an API key, a webhook secret): visible, selectable, copyable. */
export function SecretReveal({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="grid grid-cols-1 gap-2 rounded-md border border-warning/50 p-3">
      <p className="text-sm font-medium">{label}</p>
      <div className="flex items-center gap-2">
        <code data-secret className="min-w-0 flex-1 rounded bg-muted px-2 py-1.5 text-sm break-all select-all">
          {value}
        </code>
        <CopyButton value={value} />
      </div>
      <p className="text-xs text-muted-foreground">{note ?? 'Shown this once: only its hash is kept. Store it now.'}</p>
    </div>
  );
}
