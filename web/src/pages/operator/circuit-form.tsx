import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { Button } from '../../components/ui/button.tsx';
import { Field, Input, Select } from '../../components/ui/input.tsx';
import { CLAIM_TYPES, claimTypeLabel, type ClaimType } from './claim-types.ts';

/** PUT /api/admin/artifacts takes at most 128 MiB per artifact. */
export const ARTIFACT_LIMIT_BYTES = 128 * 1024 * 1024;

/** The artifacts of a circuit version in the order they are uploaded, each with the file it is. */
export const ARTIFACTS = [
  { kind: 'wasm', label: 'Witness generator', extension: '.wasm', accept: 'application/wasm,.wasm', file: 'circuit.wasm' },
  { kind: 'zkey', label: 'Proving key', extension: '.zkey', accept: '.zkey', file: 'circuit.zkey' },
  { kind: 'vkey', label: 'Verification key', extension: '.json', accept: 'application/json,.json', file: 'verification_key.json' },
] as const;
export type ArtifactKind = (typeof ARTIFACTS)[number]['kind'];

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

type Artifact = (typeof ARTIFACTS)[number];

/** What is wrong with the file picked for an artifact, checked like the upload will be; undefined when nothing is. */
function artifactProblem(file: File | undefined, artifact: Artifact): string | undefined {
  const name = artifact.label.toLowerCase();
  if (!(file instanceof File)) return `Choose the ${name} (${artifact.extension})`;
  if (!file.name.toLowerCase().endsWith(artifact.extension)) return `The ${name} is a ${artifact.extension} file`;
  if (file.size === 0) return 'This file is empty';
  if (file.size > ARTIFACT_LIMIT_BYTES) return 'An artifact is at most 128 MiB';
  return undefined;
}

/** A file input's value (a FileList; nothing picked yet: undefined). No transform here: zod skips the object's refinement after a failed one. */
function artifactFile(artifact: Artifact) {
  return z.custom<ArrayLike<File> | null | undefined>().superRefine((files, context) => {
    const message = artifactProblem(files?.[0], artifact);
    if (message) context.addIssue({ code: 'custom', message });
  });
}

/** `registered`: `claim_type@semver` of the versions that exist, refused before anything is uploaded. */
export function circuitFormSchema(registered: ReadonlySet<string>) {
  return z
    .object({
      claim_type: z.enum(CLAIM_TYPES as [ClaimType, ...ClaimType[]], { message: 'Choose the claim type' }),
      semver: z.string().trim().regex(SEMVER, 'A version MAJOR.MINOR.PATCH, e.g. 1.1.0'),
      enabled: z.boolean(),
      wasm: artifactFile(ARTIFACTS[0]),
      zkey: artifactFile(ARTIFACTS[1]),
      vkey: artifactFile(ARTIFACTS[2]),
    })
    .refine((form) => !registered.has(`${form.claim_type}@${form.semver.trim()}`), {
      message: 'This version of the claim type is registered already',
      path: ['semver'],
      // Said at once, not only after the files are chosen (and before anything is uploaded).
      when: ({ value }) => typeof (value as { semver?: unknown }).semver === 'string',
    });
}
type Schema = ReturnType<typeof circuitFormSchema>;
export type CircuitFormInput = z.input<Schema>;

/** A checked form: the version to register and the file of each artifact. */
export type CircuitRegistration = { claim_type: ClaimType; semver: string; enabled: boolean; files: Record<ArtifactKind, File> };

function toRegistration(form: z.output<Schema>): CircuitRegistration {
  const files = Object.fromEntries(ARTIFACTS.map(({ kind }) => [kind, form[kind]![0]!])) as Record<ArtifactKind, File>;
  return { claim_type: form.claim_type, semver: form.semver, enabled: form.enabled, files };
}

export function CircuitRegisterForm(props: { registered: ReadonlySet<string>; busy: boolean; onSubmit: (registration: CircuitRegistration) => void; onCancel: () => void }) {
  const { register, handleSubmit, formState } = useForm<CircuitFormInput, unknown, z.output<Schema>>({
    resolver: zodResolver(circuitFormSchema(props.registered)),
    defaultValues: { claim_type: CLAIM_TYPES[0], semver: '', enabled: true },
  });
  const errors = formState.errors;
  return (
    <form noValidate className="grid grid-cols-1 gap-4" aria-label="Register a circuit version" onSubmit={handleSubmit((form) => props.onSubmit(toRegistration(form)))}>
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <Field label="Claim type" error={errors.claim_type?.message}>
          {(control) => (
            <Select {...control} {...register('claim_type')} disabled={props.busy}>
              {CLAIM_TYPES.map((claimType) => (
                <option key={claimType} value={claimType}>
                  {claimTypeLabel(claimType)} ({claimType})
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Version" hint="Provers ask for it as circuit_version." error={errors.semver?.message}>
          {(control) => <Input {...control} {...register('semver')} placeholder="1.1.0" autoComplete="off" disabled={props.busy} />}
        </Field>
      </div>
      {ARTIFACTS.map((artifact) => (
        <Field key={artifact.kind} label={`${artifact.label} (${artifact.extension})`} error={errors[artifact.kind]?.message}>
          {(control) => <Input {...control} {...register(artifact.kind)} type="file" accept={artifact.accept} className="py-2" disabled={props.busy} />}
        </Field>
      ))}
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" className="size-4 accent-current" {...register('enabled')} disabled={props.busy} />
        Enable at once (provers and POST /api/v1/verify can use it)
      </label>
      <div className="flex justify-end gap-2">
        <Button variant="outline" onClick={props.onCancel} disabled={props.busy}>
          Cancel
        </Button>
        <Button type="submit" busy={props.busy}>
          Upload and register
        </Button>
      </div>
    </form>
  );
}
