import { useId, type ComponentProps, type ReactNode } from 'react';
import type { UseFormRegisterReturn } from 'react-hook-form';
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

/** A filter's options: "All", then each of `values` with its label (by default as the API names it, underscores as spaces). */
export function allOr<T extends string>(values: readonly T[], label: (value: T) => string = (value) => value.replaceAll('_', ' ')): ReadonlyArray<readonly [T | 'all', string]> {
  return [['all', 'All'], ...values.map((value) => [value, label(value)] as const)];
}

/** A list's filter: a labelled select of `[value, label]` options, reporting the value chosen. */
/** A list's free-text filter: a labelled search box whose every change is passed on (a caller resets its paging there). */
export function SearchFilter(props: { label: string; placeholder: string; value: string; onChange: (value: string) => void }) {
  return <Field label={props.label}>{(control) => <Input {...control} type="search" placeholder={props.placeholder} value={props.value} onChange={(event) => props.onChange(event.target.value)} />}</Field>;
}

export function FilterSelect<T extends string>(props: { label: string; value: T; options: ReadonlyArray<readonly [T, string]>; onChange: (value: T) => void }) {
  return (
    <Field label={props.label}>
      {(control) => (
        <Select {...control} value={props.value} onChange={(event) => props.onChange(event.target.value as T)}>
          {props.options.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}

/**
 * Checkboxes of one form field (react-hook-form's `register` of an array field), each an option's
 * label and its API value, with the field's error said for the group.
 */
export function CheckboxGroup(props: { legend: string; options: ReadonlyArray<readonly [value: string, label: string]>; field: UseFormRegisterReturn; error?: string | undefined; className?: string }) {
  const errorId = useId();
  return (
    <fieldset className="grid grid-cols-1 gap-2" aria-describedby={props.error ? errorId : undefined}>
      <legend className="mb-1 text-sm font-medium">{props.legend}</legend>
      <div className={cn('grid grid-cols-1 gap-x-4 gap-y-1.5 sm:grid-cols-2', props.className)}>
        {props.options.map(([value, label]) => (
          <label key={value} className="flex items-center gap-2 text-sm">
            <input type="checkbox" value={value} className="size-4 shrink-0 accent-current" {...props.field} />
            <span className="min-w-0">
              {label} <code className="text-xs text-muted-foreground">{value}</code>
            </span>
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
