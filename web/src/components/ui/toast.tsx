import { createContext, use, useCallback, useMemo, useState, type ReactNode } from 'react';
import { ApiProblem } from '../../api/problem.ts';
import { cn } from '../../lib/cn.ts';
import { Button } from './button.tsx';

type Toast = { id: number; tone: 'success' | 'error'; title: string; description?: string; requestId?: string | undefined };
type Toaster = { success(title: string, description?: string): void; problem(error: unknown, title?: string): void };

const ToastContext = createContext<Toaster | undefined>(undefined);

/** What an error says: the API's message and request id, or the error's own message. */
export function describeProblem(error: unknown): { message: string; code?: string; requestId?: string | undefined } {
  if (error instanceof ApiProblem) return { message: error.message, code: error.code, requestId: error.requestId };
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * Notices in a live region (announced by screen readers). Successes leave by themselves;
 * errors stay until dismissed, so their request id can be copied.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const dismiss = useCallback((id: number) => setToasts((current) => current.filter((toast) => toast.id !== id)), []);
  const push = useCallback(
    (toast: Omit<Toast, 'id'>) => {
      const id = Date.now() + Math.random();
      setToasts((current) => [...current.slice(-3), { ...toast, id }]);
      if (toast.tone === 'success') setTimeout(() => dismiss(id), 6000);
    },
    [dismiss],
  );
  const toaster = useMemo<Toaster>(
    () => ({
      success: (title, description) => push({ tone: 'success', title, ...(description ? { description } : {}) }),
      problem: (error, title = 'Something went wrong') => {
        const { message, requestId } = describeProblem(error);
        push({ tone: 'error', title, description: message, requestId });
      },
    }),
    [push],
  );
  return (
    <ToastContext value={toaster}>
      {children}
      <div aria-live="polite" role="status" className="pointer-events-none fixed inset-x-0 bottom-0 z-50 grid justify-items-end gap-2 p-4">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={cn('pointer-events-auto grid w-full max-w-sm gap-1 rounded-md border bg-card p-4 shadow-lg', toast.tone === 'error' ? 'border-destructive/50' : 'border-success/50')}
          >
            <div className="flex items-start justify-between gap-3">
              <p className={cn('font-medium', toast.tone === 'error' ? 'text-destructive' : 'text-success')}>{toast.title}</p>
              <Button variant="ghost" size="sm" onClick={() => dismiss(toast.id)} aria-label={`Dismiss: ${toast.title}`}>
                ✕
              </Button>
            </div>
            {toast.description && <p className="text-sm break-words">{toast.description}</p>}
            {toast.requestId && <p className="text-xs text-muted-foreground">Request id: <code className="select-all">{toast.requestId}</code></p>}
          </div>
        ))}
      </div>
    </ToastContext>
  );
}

export function useToast(): Toaster {
  const toaster = use(ToastContext);
  if (!toaster) throw new Error('useToast outside <ToastProvider>');
  return toaster;
}

/** An inline error: the API's message, its code and the request id to quote. */
export function ProblemAlert({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  const { message, code, requestId } = describeProblem(error);
  return (
    <div role="alert" className="grid grid-cols-1 gap-1 rounded-md border border-destructive/50 p-3 text-sm">
      <p className="font-medium text-destructive">{title}</p>
      <p className="break-words">{message}</p>
      {(code || requestId) && (
        <p className="text-xs text-muted-foreground">
          {code && <code>{code}</code>}
          {code && requestId && ' · '}
          {requestId && (
            <>
              request id <code className="select-all">{requestId}</code>
            </>
          )}
        </p>
      )}
    </div>
  );
}
