import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { Schemas } from '../../api/client.ts';
import { Button } from '../../components/ui/button.tsx';
import { CheckboxGroup, Field, Input, Textarea } from '../../components/ui/input.tsx';
import { CLAIM_TYPES, claimTypeLabel, type ClaimType } from './claim-types.ts';

type PublicKey = Schemas['IssuerCreate']['public_key'];

/** A field element as the API takes it: canonical decimal, at most 78 digits (the curve check is the API's). */
const FIELD_ELEMENT = /^(0|[1-9][0-9]{0,77})$/;

/**
 * The pasted public key: `{"ax": "...", "ay": "..."}`, what `veridity issuer keygen` prints under
 * `public_key`. Its whole output is refused: the private key has no business in a browser.
 */
export function parsePublicKey(text: string): { ok: true; key: PublicKey } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Paste the public key as JSON: {"ax": "…", "ay": "…"}' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'The public key is a JSON object with ax and ay' };
  if ('private_key' in value) return { ok: false, message: 'This holds the private key: paste only public_key, and keep the private key with the issuer' };
  const { ax, ay } = value as { ax?: unknown; ay?: unknown };
  if (typeof ax !== 'string' || typeof ay !== 'string' || !FIELD_ELEMENT.test(ax) || !FIELD_ELEMENT.test(ay)) return { ok: false, message: 'ax and ay are decimal numbers, as strings' };
  return { ok: true, key: { ax, ay } };
}

export const IssuerFormSchema = z.object({
  name: z.string().trim().min(1, 'Give the issuer a name').max(200, 'At most 200 characters'),
  public_key: z.string().transform((text, context) => {
    const parsed = parsePublicKey(text.trim());
    if (parsed.ok) return parsed.key;
    context.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }),
  claim_types: z.array(z.enum(CLAIM_TYPES as [ClaimType, ...ClaimType[]])).min(1, 'Choose at least one claim type'),
});
export type IssuerFormInput = z.input<typeof IssuerFormSchema>;

export function IssuerCreateForm(props: { busy: boolean; onSubmit: (body: Schemas['IssuerCreate']) => void; onCancel: () => void }) {
  const { register, handleSubmit, formState } = useForm<IssuerFormInput, unknown, Schemas['IssuerCreate']>({
    resolver: zodResolver(IssuerFormSchema),
    defaultValues: { name: '', public_key: '', claim_types: [] },
  });
  const errors = formState.errors;
  return (
    <form noValidate className="grid grid-cols-1 gap-4" aria-label="Trust an issuer" onSubmit={handleSubmit(props.onSubmit)}>
      <Field label="Name" error={errors.name?.message}>
        {(control) => <Input {...control} {...register('name')} autoComplete="off" />}
      </Field>
      <Field label="Public key" hint={<>Baby Jubjub point as JSON, e.g. the public_key that <code>veridity issuer keygen</code> prints.</>} error={errors.public_key?.message}>
        {(control) => <Textarea {...control} {...register('public_key')} spellCheck={false} placeholder='{"ax": "…", "ay": "…"}' />}
      </Field>
      <CheckboxGroup legend="Trusted to sign credentials for" options={CLAIM_TYPES.map((claimType) => [claimType, claimTypeLabel(claimType)] as const)} field={register('claim_types')} error={errors.claim_types?.message} />
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </Button>
        <Button type="submit" busy={props.busy}>
          Trust issuer
        </Button>
      </div>
    </form>
  );
}
