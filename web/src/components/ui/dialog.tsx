import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Button } from './button.tsx';

/**
 * A modal on the native <dialog>: the browser traps focus, closes on Escape and returns focus
 * to where it was; `onClose` keeps `open` in step when it does.
 */
export function Dialog(props: { open: boolean; onClose: () => void; title: string; description?: ReactNode; children?: ReactNode; footer?: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      onClose={props.onClose}
      aria-labelledby={titleId}
      aria-describedby={props.description ? descriptionId : undefined}
      className="m-auto w-[min(32rem,calc(100vw-2rem))] rounded-lg border bg-card p-0 text-foreground shadow-xl"
    >
      {props.open && (
        <div className="grid grid-cols-1 gap-4 p-5">
          <div className="grid grid-cols-1 gap-1">
            <h2 id={titleId} className="text-lg font-semibold">
              {props.title}
            </h2>
            {props.description && (
              <div id={descriptionId} className="text-sm text-muted-foreground">
                {props.description}
              </div>
            )}
          </div>
          {props.children}
          {props.footer && <div className="flex flex-wrap justify-end gap-2">{props.footer}</div>}
        </div>
      )}
    </dialog>
  );
}

/** Asks before a destructive or irreversible action; the action's own button says what it does. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      open={props.open}
      onClose={props.onCancel}
      title={props.title}
      description={props.description}
      footer={
        <>
          <Button variant="outline" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </Button>
          <Button variant={props.destructive ? 'destructive' : 'default'} onClick={props.onConfirm} busy={props.busy}>
            {props.confirmLabel}
          </Button>
        </>
      }
    />
  );
}
