import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import { unwrap } from '../api/problem.ts';
import { Field, Select } from './ui/input.tsx';

type Partner = Schemas['ApiClient'];

/** Every partner (the operator's list), and a partner's name by id (its id when it is not listed). */
export function usePartnerNames() {
  const api = useApi();
  const partners = useQuery({ queryKey: ['admin', 'partners'], queryFn: () => unwrap(api.client.GET('/api/admin/clients')) });
  const list: Partner[] = partners.data ?? [];
  return { partners: list, nameOf: (id: string) => list.find((partner) => partner.id === id)?.name ?? id };
}

/** A list's "Partner" filter: one partner by name, or all of them (`''`). */
export function PartnerFilter(props: { partners: Partner[]; value: string; onChange: (clientId: string) => void }) {
  return (
    <Field label="Partner">
      {(control) => (
        <Select {...control} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
          <option value="">All partners</option>
          {props.partners.map((partner) => (
            <option key={partner.id} value={partner.id}>
              {partner.name}
            </option>
          ))}
        </Select>
      )}
    </Field>
  );
}
