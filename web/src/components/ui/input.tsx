import { useId, type ComponentProps, type ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';

const FIELD = 'w-full rounded-md border border-input bg-background px-3 text-sm placeholder:text-muted-foreground disabled:opacity-50 aria-[invalid=true]:border-destructive';

export function Input({ className, ...props }: ComponentProps<'input'>) {
  return <input className={cn(FIELD, 'h-10', className)} {...props} />;
}

export function Textarea({ className, ...props }: ComponentProps<'textarea'>) {
  return <textarea className={cn(FIELD, 'min-h-24 py-2 font-mono', className)} {...props} />;
}

export function Select({ className, ...props }: ComponentProps<'select'>) {
  return <select className={cn(FIELD, 'h-10', className)} {...props} />;
}

/**
 * A labelled form control with its hint and error, wired for screen readers: the control gets
 * the id, `aria-describedby` and `aria-invalid` through the render function.
 */
export function Field(props: {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (control: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className="grid grid-cols-1 gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {props.label}
      </label>
      {props.children({ id, ...(describedBy ? { 'aria-describedby': describedBy } : {}), ...(props.error ? { 'aria-invalid': true } : {}) })}
      {props.hint && (
        <p id={hintId} className="text-xs text-muted-foreground">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={errorId} className="text-sm text-destructive">
          {props.error}
        </p>
      )}
    </div>
  );
}

/**
 * Checkboxes for a set of values (a form's array field: `input` is what react-hook-form's
 * `register` returns), each with its label and the value itself, and the group's error wired for
 * screen readers.
 */
export function CheckboxGroup<Value extends string>(props: { legend: string; values: readonly Value[]; label: (value: Value) => string; error?: string | undefined; input: ComponentProps<'input'> }) {
  const errorId = useId();
  return (
    <fieldset className="grid grid-cols-1 gap-2" aria-describedby={props.error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium">{props.legend}</legend>
      <div className="grid grid-cols-1 gap-x-4 gap-y-1.5 sm:grid-cols-2">
        {props.values.map((value) => (
          <label key={value} className="flex items-center gap-2 text-sm">
            <input type="checkbox" value={value} className="size-4 accent-current" {...props.input} />
            {props.label(value)} <code className="text-xs text-muted-foreground">{value}</code>
          </label>
        ))}
      </div>
      {props.error && (
        <p id={errorId} className="text-sm text-destructive">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
