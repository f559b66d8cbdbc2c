import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Schemas } from '../../api/client.ts';
import { isHttpUrl } from '../../lib/http-url.ts';
import { FormActions } from '../../components/ui/button.tsx';
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
    .refine((value) => value === '' || isHttpUrl(value), 'An http(s) URL without credentials, or empty'),
  rate_limit_per_minute: z
    .string()
    .trim()
    .refine((value) => value === '' || (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 1_000_000), 'A whole number from 1 to 1,000,000, or empty for the plan’s'),
});
export type PartnerForm = z.infer<typeof PartnerFormSchema>;

/** The form filled with a partner's current values (to edit it). */
export function toForm(partner: Schemas['ApiClient']): PartnerForm {
  return { name: partner.name, scopes: partner.scopes, webhook_url: partner.webhook_url ?? '', rate_limit_per_minute: partner.rate_limit_per_minute?.toString() ?? '' };
}

/** Only what changed, as the API's ApiClientUpdate (an emptied field: null, back to none or the plan's); undefined when nothing did. */
export function toUpdateBody(form: PartnerForm, partner: Schemas['ApiClient']): Schemas['ApiClientUpdate'] | undefined {
  const before = toForm(partner);
  const body: Schemas['ApiClientUpdate'] = {};
  if (form.name !== before.name) body.name = form.name;
  if ([...form.scopes].sort().join() !== [...before.scopes].sort().join()) body.scopes = form.scopes;
  if (form.webhook_url !== before.webhook_url) body.webhook_url = form.webhook_url || null;
  if (form.rate_limit_per_minute !== before.rate_limit_per_minute) body.rate_limit_per_minute = form.rate_limit_per_minute ? Number(form.rate_limit_per_minute) : null;
  return Object.keys(body).length > 0 ? body : undefined;
}

export function toCreateBody(form: PartnerForm): Schemas['ApiClientCreate'] {
  return {
    name: form.name,
    scopes: form.scopes,
    ...(form.webhook_url ? { webhook_url: form.webhook_url } : {}),
    ...(form.rate_limit_per_minute ? { rate_limit_per_minute: Number(form.rate_limit_per_minute) } : {}),
  };
}

const EMPTY_FORM: PartnerForm = { name: '', scopes: [], webhook_url: '', rate_limit_per_minute: '' };

/** A partner's name, scopes, webhook URL and rate limit: empty to create one, or a partner's own to edit it. */
export function PartnerFields(props: { label: string; submitLabel: string; initial?: PartnerForm; busy: boolean; onSubmit: (form: PartnerForm) => void; onCancel: () => void }) {
  const { register, handleSubmit, formState } = useForm<PartnerForm>({ resolver: zodResolver(PartnerFormSchema), defaultValues: props.initial ?? EMPTY_FORM });
  const errors = formState.errors;
  return (
    <form noValidate className="grid grid-cols-1 gap-4" aria-label={props.label} onSubmit={handleSubmit(props.onSubmit)}>
      <Field label="Name" error={errors.name?.message}>
        {(control) => <Input {...control} {...register('name')} autoComplete="off" />}
      </Field>
      <CheckboxGroup legend="Scopes" options={SCOPES.map((scope) => [scope, SCOPE_LABELS[scope]] as const)} field={register('scopes')} error={errors.scopes?.message} />
      <Field label="Webhook URL (optional)" hint="Where signed events are sent; its secret is shown once." error={errors.webhook_url?.message}>
        {(control) => <Input {...control} {...register('webhook_url')} type="url" inputMode="url" placeholder="https://hooks.example.com/veridity" />}
      </Field>
      <Field label="Rate limit per minute (optional)" hint="Empty: the plan’s limit." error={errors.rate_limit_per_minute?.message}>
        {(control) => <Input {...control} {...register('rate_limit_per_minute')} inputMode="numeric" />}
      </Field>
      <FormActions submitLabel={props.submitLabel} busy={props.busy} onCancel={props.onCancel} />
    </form>
  );
}
