import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { Button, FormActions } from '../../components/ui/button.tsx';
import { SecretReveal } from '../../components/ui/copy.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { Field, Input } from '../../components/ui/input.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { isHttpUrl } from '../../lib/http-url.ts';

export const EndpointUrlSchema = z.object({
  url: z.string().trim().min(1, 'Give the URL your receiver listens on').max(2048, 'At most 2048 characters').refine(isHttpUrl, 'An http(s) URL without credentials'),
});
type EndpointUrlForm = z.infer<typeof EndpointUrlSchema>;

/**
 * Sets or changes the partner's webhook URL. A first URL comes with its signing secret, shown here
 * once; a change keeps the secret (and re-enables an endpoint a 410 Gone disabled).
 */
export function EndpointUrlDialog(props: { open: boolean; current: string | null; queryKey: readonly unknown[]; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { register, handleSubmit, formState, reset } = useForm<EndpointUrlForm>({ resolver: zodResolver(EndpointUrlSchema), values: { url: props.current ?? '' } });
  const save = useMutation({
    mutationFn: (form: EndpointUrlForm) => unwrap(api.client.PUT('/api/v1/webhooks/endpoint', { body: { url: form.url } })),
    onSuccess: async (endpoint) => {
      await queryClient.invalidateQueries({ queryKey: props.queryKey });
      if (!endpoint.webhook_secret) {
        toast.success('Webhook URL saved', 'Events go there from now on, signed with the same secret.');
        close();
      }
    },
  });
  const close = () => {
    save.reset();
    reset();
    props.onClose();
  };
  return (
    <Dialog open={props.open} onClose={close} title={save.data?.webhook_secret ? 'Webhook signing secret' : props.current ? 'Change the webhook URL' : 'Set a webhook URL'}>
      {save.data?.webhook_secret ? (
        <div className="grid grid-cols-1 gap-4">
          <SecretReveal label="Webhook signing secret" value={save.data.webhook_secret} note="Shown this once: your receiver checks every event's signature with it." />
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form noValidate className="grid grid-cols-1 gap-4" aria-label="Webhook endpoint" onSubmit={handleSubmit((form) => save.mutate(form))}>
          {save.error && <ProblemAlert error={save.error} title="Could not save the URL" />}
          <Field label="URL" hint="Public http(s) only: private, loopback and link-local addresses are refused." error={formState.errors.url?.message}>
            {(control) => <Input {...control} {...register('url')} type="url" inputMode="url" placeholder="https://hooks.example.com/veridity" autoComplete="off" />}
          </Field>
          <FormActions submitLabel="Save URL" busy={save.isPending} onCancel={close} />
        </form>
      )}
    </Dialog>
  );
}
