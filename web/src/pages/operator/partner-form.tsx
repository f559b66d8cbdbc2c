import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Schemas } from '../../api/client.ts';
import { Button } from '../../components/ui/button.tsx';
import { CheckboxGroup, Field, Input } from '../../components/ui/input.tsx';

type Scope = Schemas['Scope'];

/** Every scope the API knows (a Record: a scope added to the contract fails the type check until it is described here). */
export const SCOPE_LABELS: Record<Scope, string> = {
  age_over_18: 'Age over 18',
  age_over_21: 'Age over 21',
  citizenship: 'Citizenship',
  education: 'Education',
  income_gte: 'Income at least',
  tee_attestation: 'TEE attestation',
  evidence: 'Signed evidence',
  agents: 'Agent registry',
};
export const SCOPES = Object.keys(SCOPE_LABELS) as Scope[];

/** The form as typed; `toCreateBody` turns it into the API's ApiClientCreate. */
export const PartnerFormSchema = z.object({
  name: z.string().trim().min(1, 'Give the partner a name').max(200, 'At most 200 characters'),
  scopes: z.array(z.enum(SCOPES as [Scope, ...Scope[]])).min(1, 'Choose at least one scope'),
  webhook_url: z
    .string()
    .trim()
    .max(2048, 'At most 2048 characters')
    .refine((value) => {
      if (value === '') return true;
      const url = URL.parse(value);
      return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
    }, 'An http(s) URL without credentials, or empty'),
  rate_limit_per_minute: z
    .string()
    .trim()
    .refine((value) => value === '' || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 1_000_000), 'A whole number from 1 to 1,000,000, or empty for the plan’s'),
});
export type PartnerForm = z.infer<typeof PartnerFormSchema>;

export function toCreateBody(form: PartnerForm): Schemas['ApiClientCreate'] {
  return {
    name: form.name,
    scopes: form.scopes,
    ...(form.webhook_url ? { webhook_url: form.webhook_url } : {}),
    ...(form.rate_limit_per_minute ? { rate_limit_per_minute: Number(form.rate_limit_per_minute) } : {}),
  };
}

export function PartnerCreateForm(props: { busy: boolean; onSubmit: (body: Schemas['ApiClientCreate']) => void; onCancel: () => void }) {
  const { register, handleSubmit, formState } = useForm<PartnerForm>({
    resolver: zodResolver(PartnerFormSchema),
    defaultValues: { name: '', scopes: [], webhook_url: '', rate_limit_per_minute: '' },
  });
  const errors = formState.errors;
  return (
    <form noValidate className="grid grid-cols-1 gap-4" aria-label="New partner" onSubmit={handleSubmit((form) => props.onSubmit(toCreateBody(form)))}>
      <Field label="Name" error={errors.name?.message}>
        {(control) => <Input {...control} {...register('name')} autoComplete="off" />}
      </Field>
      <CheckboxGroup legend="Scopes" values={SCOPES} label={(scope) => SCOPE_LABELS[scope]} error={errors.scopes?.message} input={register('scopes')} />
      <Field label="Webhook URL (optional)" hint="Where signed events are sent; its secret is shown once." error={errors.webhook_url?.message}>
        {(control) => <Input {...control} {...register('webhook_url')} type="url" inputMode="url" placeholder="https://hooks.example.com/veridity" />}
      </Field>
      <Field label="Rate limit per minute (optional)" hint="Empty: the plan’s limit." error={errors.rate_limit_per_minute?.message}>
        {(control) => <Input {...control} {...register('rate_limit_per_minute')} inputMode="numeric" />}
      </Field>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </Button>
        <Button type="submit" busy={props.busy}>
          Create partner
        </Button>
      </div>
    </form>
  );
}
