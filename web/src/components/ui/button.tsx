import type { ComponentProps } from 'react';
import { cn } from '../../lib/cn.ts';

const VARIANTS = {
  default: 'bg-primary text-primary-foreground hover:opacity-90',
  secondary: 'bg-muted text-foreground hover:bg-accent',
  outline: 'border border-input bg-transparent hover:bg-accent',
  ghost: 'bg-transparent hover:bg-accent',
  destructive: 'bg-destructive text-destructive-foreground hover:opacity-90',
} as const;

const SIZES = {
  sm: 'h-8 px-3 text-sm',
  md: 'h-10 px-4 text-sm',
  icon: 'h-9 w-9',
} as const;

export type ButtonProps = ComponentProps<'button'> & { variant?: keyof typeof VARIANTS; size?: keyof typeof SIZES; busy?: boolean };

/** `busy`: the action is running; the button is disabled and says so to screen readers. */
export function Button({ variant = 'default', size = 'md', busy = false, className, disabled, children, type = 'button', ...props }: ButtonProps) {
  return (
    <button
      type={type}
      className={cn(
        'inline-flex shrink-0 items-center justify-center gap-2 rounded-md font-medium whitespace-nowrap transition-colors motion-reduce:transition-none disabled:pointer-events-none disabled:opacity-50',
        VARIANTS[variant],
        SIZES[size],
        className,
      )}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...props}
    >
      {busy && <Spinner />}
      {children}
    </button>
  );
}

export function Spinner({ className }: { className?: string }) {
  return <span aria-hidden="true" className={cn('inline-block size-4 animate-spin rounded-full border-2 border-current border-r-transparent', className)} />;
}

/** A form's last row: Cancel, and the submit button saying what it does (`disabled`: not yet possible). */
export function FormActions(props: { submitLabel: string; busy: boolean; onCancel: () => void; disabled?: boolean }) {
  return (
    <div className="flex justify-end gap-2">
      <Button variant="outline" onClick={props.onCancel} disabled={props.busy}>
        Cancel
      </Button>
      <Button type="submit" busy={props.busy} disabled={props.disabled}>
        {props.submitLabel}
      </Button>
    </div>
  );
}
