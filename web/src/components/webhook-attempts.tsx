import type { Schemas } from '../api/client.ts';
import { formatDateTime } from '../lib/format.ts';
import { Button } from './ui/button.tsx';
import { Td, Tr } from './ui/table.tsx';

type Delivery = Schemas['WebhookDelivery'];

/** A webhook delivery's attempts: when, outcome, HTTP status, latency, error and the start of the answer. */
function WebhookAttempts({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts.length === 0) return <p className="text-sm text-muted-foreground">Not attempted yet{delivery.next_attempt_at ? `: due ${formatDateTime(delivery.next_attempt_at)}` : ''}.</p>;
  return (
    <ol className="grid grid-cols-1 gap-2">
      {delivery.attempts.map((attempt) => (
        <li key={attempt.attempt} className="grid grid-cols-1 gap-0.5 rounded-md border p-2 text-xs">
          <p>
            <strong>#{attempt.attempt}</strong> {formatDateTime(attempt.attempted_at)} · {attempt.outcome}
            {attempt.status_code !== null && ` · HTTP ${attempt.status_code}`} · {attempt.latency_ms} ms
          </p>
          {attempt.error && <p className="text-destructive">{attempt.error_code ? `${attempt.error_code}: ` : ''}{attempt.error}</p>}
          {attempt.response_body && (
            <pre className="overflow-x-auto rounded bg-muted p-1.5 whitespace-pre-wrap">
              {attempt.response_body}
              {attempt.response_body_truncated && '…'}
            </pre>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The button that shows or hides a delivery's attempts (the row below it, `WebhookAttemptsRow`). */
export function WebhookAttemptsToggle({ delivery, open, onToggle }: { delivery: Delivery; open: boolean; onToggle: () => void }) {
  return (
    <Button variant="ghost" size="sm" aria-expanded={open} aria-controls={`attempts-${delivery.id}`} onClick={onToggle}>
      {open ? 'Hide attempts' : 'Attempts'}
    </Button>
  );
}

/** A table row under a delivery's row with its attempts, spanning the table's `columns`. */
export function WebhookAttemptsRow({ delivery, open, columns }: { delivery: Delivery; open: boolean; columns: number }) {
  if (!open) return null;
  return (
    <Tr id={`attempts-${delivery.id}`}>
      <Td colSpan={columns} className="bg-muted/40">
        <WebhookAttempts delivery={delivery} />
      </Td>
    </Tr>
  );
}
