import { Field, Select } from './input.tsx';

/**
 * A list's filter: "All" or one of `values`, shown as the API names them (underscores as spaces).
 * The caller starts its pages over in `onChange`.
 */
export function FilterSelect<T extends string>(props: { label: string; value: T | 'all'; values: readonly T[]; onChange: (value: T | 'all') => void }) {
  return (
    <div className="max-w-56">
      <Field label={props.label}>
        {(control) => (
          <Select {...control} value={props.value} onChange={(event) => props.onChange(event.target.value as T | 'all')}>
            <option value="all">All</option>
            {props.values.map((value) => (
              <option key={value} value={value}>
                {value.replaceAll('_', ' ')}
              </option>
            ))}
          </Select>
        )}
      </Field>
    </div>
  );
}
