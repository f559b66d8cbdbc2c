import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { SignIn } from '../api/session.ts';
import { Button } from '../components/ui/button.tsx';
import { Field, Input } from '../components/ui/input.tsx';

/** What each credential form takes, checked before anything is sent. */
export const CREDENTIAL_FORMS = {
  admin_token: {
    label: 'Admin token',
    hint: 'VERIDITY_ADMIN_TOKEN, or a token from `veridity admin create-token` (vat_…).',
    submit: 'Sign in as operator',
    schema: z.object({ secret: z.string().trim().min(32, 'An admin token is at least 32 characters').max(512, 'That is too long for an admin token') }),
    body: (secret: string): SignIn => ({ method: 'admin_token', token: secret }),
  },
  api_key: {
    label: 'API key',
    hint: 'Exchanged once for a session: the key is not kept in this browser.',
    submit: 'Sign in as partner',
    schema: z.object({
      secret: z
        .string()
        .trim()
        .regex(/^vk_/, 'Partner API keys start with vk_')
        .regex(/^vk_[A-Za-z0-9_-]{20,200}$/, 'That is not a whole API key: copy all of it'),
    }),
    body: (secret: string): SignIn => ({ method: 'api_key', api_key: secret }),
  },
} as const;

export type CredentialKind = keyof typeof CREDENTIAL_FORMS;

/** An admin token or API key form; the secret leaves the form only as the sign-in body. */
export function CredentialForm(props: { kind: CredentialKind; busy: boolean; onSignIn: (body: SignIn) => void }) {
  const form = CREDENTIAL_FORMS[props.kind];
  const { register, handleSubmit, formState, reset } = useForm<{ secret: string }>({ resolver: zodResolver(form.schema), defaultValues: { secret: '' } });
  return (
    <form
      noValidate
      className="grid grid-cols-1 gap-3"
      aria-label={form.submit}
      onSubmit={handleSubmit(({ secret }) => {
        props.onSignIn(form.body(secret));
        reset();
      })}
    >
      <Field label={form.label} hint={form.hint} error={formState.errors.secret?.message}>
        {(control) => <Input {...control} {...register('secret')} type="password" autoComplete="off" spellCheck={false} />}
      </Field>
      <div>
        <Button type="submit" busy={props.busy}>
          {form.submit}
        </Button>
      </div>
    </form>
  );
}
