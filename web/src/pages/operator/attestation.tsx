import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { CopyButton } from '../../components/ui/copy.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Field, Input, SearchFilter, Select } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { pageOf, Pagination, Table, TBody, Td, Th, THead, Tr, useListFilter } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatDateTime } from '../../lib/format.ts';
import {
  collateralFreshness,
  EXPIRING_SOON_DAYS,
  inspectCollateral,
  MAX_COLLATERAL_FILE_BYTES,
  OsImageFormSchema,
  type CollateralInspection,
  type Freshness,
  type OsImageFormInput,
  type OsImageFormValues,
} from './attestation-inputs.ts';

type StoredCollateral = Schemas['StoredCollateral'];
type OsImage = Schemas['OsImageReference'];

const PAGE_SIZE = 10;
const COLLATERAL_KEY = ['admin', 'attestation-collateral'] as const;
const OS_IMAGES_KEY = ['admin', 'attestation-os-images'] as const;
const FRESHNESS = {
  valid: { tone: 'success', label: 'Valid' },
  expiring: { tone: 'warning', label: `Expires within ${EXPIRING_SOON_DAYS} days` },
  expired: { tone: 'danger', label: 'Expired' },
  not_yet_valid: { tone: 'warning', label: 'Not yet valid' },
} as const satisfies Record<Freshness, { tone: string; label: string }>;

const shortHash = (hash: string) => `${hash.slice(0, 12)}…${hash.slice(-8)}`;

type Upload = { fileName: string; size: number; inspection: CollateralInspection };

/** Upload (or replace) collateral: the file is read and checked here first, then the server checks its signatures and stores it. */
function UploadCollateralDialog(props: { open: boolean; replacing?: StoredCollateral | undefined; stored: StoredCollateral[]; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [upload, setUpload] = useState<Upload | undefined>();
  const [reading, setReading] = useState(false);
  const send = useMutation({
    mutationFn: ({ fmspc, body }: { fmspc: string; body: Record<string, unknown> }) =>
      unwrap(api.client.PUT('/api/admin/attestations/collateral/{fmspc}', { params: { path: { fmspc } }, body })),
    onSuccess: async (stored) => {
      toast.success(`Collateral for FMSPC ${stored.fmspc} stored`, `Valid ${formatDateTime(stored.valid_from)} to ${formatDateTime(stored.valid_until)}.`);
      await queryClient.invalidateQueries({ queryKey: COLLATERAL_KEY });
      close();
    },
  });
  const close = () => {
    setUpload(undefined);
    send.reset();
    props.onClose();
  };
  const pick = async (file: File | undefined) => {
    setUpload(undefined);
    send.reset();
    if (!file) return;
    if (file.size > MAX_COLLATERAL_FILE_BYTES) {
      setUpload({ fileName: file.name, size: file.size, inspection: { ok: false, message: `The file is ${file.size} bytes; collateral is far smaller (the API takes at most ${MAX_COLLATERAL_FILE_BYTES / 1024} KiB).` } });
      return;
    }
    setReading(true);
    try {
      setUpload({ fileName: file.name, size: file.size, inspection: inspectCollateral(await file.text(), props.replacing?.fmspc) });
    } finally {
      setReading(false);
    }
  };
  const found = upload?.inspection.ok ? upload.inspection.summary : undefined;
  const replaces = found && props.stored.find((row) => row.fmspc === found.fmspc && row.tee === found.tee);
  const serverStep = send.isPending ? 'running' : send.isError ? 'failed' : 'waiting';
  return (
    <Dialog
      open={props.open}
      onClose={close}
      title={props.replacing ? `Replace collateral for FMSPC ${props.replacing.fmspc}` : 'Upload collateral'}
      description="Intel PCS/PCCS collateral as a JSON file (the object @phala/dcap-qvl fetches: TCB info, QE identity, CRLs and their issuer chains). It is read here first; the server then checks it chains to Intel's root and its signatures and CRLs before storing it."
    >
      <div className="grid grid-cols-1 gap-4">
        <Field label="Collateral file" hint={`JSON, at most ${MAX_COLLATERAL_FILE_BYTES / 1024} KiB`} error={upload && !upload.inspection.ok ? upload.inspection.message : undefined}>
          {(control) => <Input {...control} type="file" accept="application/json,.json" disabled={send.isPending} onChange={(event) => void pick(event.target.files?.[0])} />}
        </Field>
        <ol aria-label="Upload steps" className="grid grid-cols-1 gap-1 text-sm" aria-live="polite">
          <li>
            {reading ? '… Reading the file' : upload ? `✓ Read ${upload.fileName} (${upload.size.toLocaleString()} bytes)` : '1. Choose the file'}
          </li>
          <li className={upload && !upload.inspection.ok ? 'text-destructive' : undefined}>
            {!upload ? '2. Checked in the browser' : upload.inspection.ok ? '✓ Checked in the browser: every item is there' : '✗ Not collateral this page can send'}
          </li>
          <li className={serverStep === 'failed' ? 'text-destructive' : undefined}>
            {serverStep === 'running' ? '… The server is checking signatures, chains and CRLs' : serverStep === 'failed' ? '✗ The server refused it' : '3. Checked and stored by the server'}
          </li>
        </ol>
        {found && (
          <dl className="grid grid-cols-1 gap-x-4 gap-y-1 rounded-md border p-3 text-sm sm:grid-cols-[11rem_1fr]" aria-label="What the file holds">
            <dt className="text-muted-foreground">TEE and FMSPC</dt>
            <dd>
              {found.tee.toUpperCase()} <code>{found.fmspc}</code>
            </dd>
            <dt className="text-muted-foreground">TCB info</dt>
            <dd>
              v{found.tcbInfoVersion}
              {found.tcbEvaluationDataNumber !== null && `, evaluation data number ${found.tcbEvaluationDataNumber}`}
            </dd>
            <dt className="text-muted-foreground">TCB info issued</dt>
            <dd>{formatDateTime(found.tcbInfoIssueDate)}</dd>
            <dt className="text-muted-foreground">TCB info next update</dt>
            <dd>{formatDateTime(found.tcbInfoNextUpdate)}</dd>
            <dt className="text-muted-foreground">QE identity</dt>
            <dd>
              {formatDateTime(found.qeIdentityIssueDate)} to {formatDateTime(found.qeIdentityNextUpdate)}
            </dd>
            <dt className="text-muted-foreground">Stored for it now</dt>
            <dd>{replaces ? `collateral valid until ${formatDateTime(replaces.valid_until)}: this file replaces it` : 'nothing: this file adds the platform'}</dd>
          </dl>
        )}
        {send.isError && <ProblemAlert error={send.error} title="The collateral was not stored" />}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="outline" onClick={close} disabled={send.isPending}>
            Cancel
          </Button>
          <Button
            disabled={!upload?.inspection.ok}
            busy={send.isPending}
            onClick={() => upload?.inspection.ok && send.mutate({ fmspc: upload.inspection.summary.fmspc, body: upload.inspection.collateral })}
          >
            {replaces ? 'Replace collateral' : 'Upload collateral'}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function CollateralCard() {
  const api = useApi();
  const [uploading, setUploading] = useState<{ replacing?: StoredCollateral } | undefined>();
  const { filter, change, page, setPage } = useListFilter<{ text: string; status: Freshness | 'all' }>({ text: '', status: 'all' });
  const { text, status } = filter;
  const collateral = useQuery({ queryKey: COLLATERAL_KEY, queryFn: () => unwrap(api.client.GET('/api/admin/attestations/collateral')) });
  const now = new Date();
  const needle = text.trim().toLowerCase();
  const all = collateral.data ?? [];
  const matching = all.filter((row) => (needle === '' || row.fmspc.includes(needle)) && (status === 'all' || collateralFreshness(row, now) === status));
  const shown = pageOf(matching, page, PAGE_SIZE);
  const filtered = needle !== '' || status !== 'all';
  return (
    <Card aria-labelledby="collateral-title">
      <CardHeader>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <CardTitle id="collateral-title">Intel collateral</CardTitle>
            <CardDescription>
              TCB info, QE identity and CRLs per platform (FMSPC), used for quotes submitted without collateral. Uploaded here or fetched from PCCS_URL when set.
            </CardDescription>
          </div>
          <Button onClick={() => setUploading({})}>Upload collateral</Button>
        </div>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <SearchFilter label="FMSPC" placeholder="Part of an FMSPC" value={text} onChange={(text) => change({ text })} />
          <Field label="Validity">
            {(control) => (
              <Select
                {...control}
                value={status}
                onChange={(event) => change({ status: event.target.value as Freshness | 'all' })}
              >
                <option value="all">All</option>
                {(Object.keys(FRESHNESS) as Freshness[]).map((value) => (
                  <option key={value} value={value}>
                    {FRESHNESS[value].label}
                  </option>
                ))}
              </Select>
            )}
          </Field>
        </div>
        <QueryState
          query={collateral}
          what="the collateral"
          empty={
            matching.length === 0 && (
              <EmptyState
                title={filtered ? 'No collateral matches' : 'No collateral stored'}
                action={filtered ? undefined : <Button variant="outline" onClick={() => setUploading({})}>Upload collateral</Button>}
              >
                {filtered
                  ? 'Change the FMSPC or the validity to see more.'
                  : 'Quotes submitted without collateral fail with COLLATERAL_MISSING until their platform has some: upload the PCS collateral JSON for its FMSPC, or set PCCS_URL.'}
              </EmptyState>
            )
          }
        >
          <div>
            <Table label="Stored collateral">
              <THead>
                <Tr>
                  <Th>Platform</Th>
                  <Th>Validity</Th>
                  <Th>Valid window</Th>
                  <Th>TCB info issued</Th>
                  <Th>TCB info next update</Th>
                  <Th>Source</Th>
                  <Th aria-label="Actions" />
                </Tr>
              </THead>
              <TBody>
                {shown.rows.map((row) => {
                  const freshness = FRESHNESS[collateralFreshness(row, now)];
                  return (
                    <Tr key={`${row.tee}:${row.fmspc}:${row.pck_ca}`} data-collateral={row.fmspc}>
                      <Td>
                        <p className="font-mono">{row.fmspc}</p>
                        <p className="text-xs text-muted-foreground">
                          {row.tee.toUpperCase()}, {row.pck_ca} CA
                        </p>
                      </Td>
                      <Td>
                        <Badge tone={freshness.tone}>{freshness.label}</Badge>
                      </Td>
                      <Td className="text-xs whitespace-nowrap">
                        {formatDateTime(row.valid_from)}
                        <br />
                        to {formatDateTime(row.valid_until)}
                      </Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(row.tcb_info_issue_date)}</Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(row.tcb_info_next_update)}</Td>
                      <Td>
                        <p className="text-sm">{row.source === 'pccs' ? 'PCCS' : 'Uploaded'}</p>
                        <p className="text-xs whitespace-nowrap text-muted-foreground">{formatDateTime(row.updated_at)}</p>
                      </Td>
                      <Td>
                        <Button variant="outline" size="sm" aria-label={`Replace collateral for ${row.fmspc}`} onClick={() => setUploading({ replacing: row })}>
                          Replace
                        </Button>
                      </Td>
                    </Tr>
                  );
                })}
              </TBody>
            </Table>
            <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} />
          </div>
        </QueryState>
      </CardContent>
      <UploadCollateralDialog open={uploading !== undefined} replacing={uploading?.replacing} stored={all} onClose={() => setUploading(undefined)} />
    </Card>
  );
}

const MEASUREMENTS = [
  { name: 'mr_td', label: 'MRTD' },
  { name: 'rt_mr0', label: 'RTMR0' },
  { name: 'rt_mr1', label: 'RTMR1' },
  { name: 'rt_mr2', label: 'RTMR2' },
] as const;

function AddOsImageDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { register, handleSubmit, formState, reset } = useForm<OsImageFormInput, unknown, OsImageFormValues>({
    resolver: zodResolver(OsImageFormSchema),
    defaultValues: { os_image_hash: '', label: '', mr_td: '', rt_mr0: '', rt_mr1: '', rt_mr2: '' },
  });
  const add = useMutation({
    mutationFn: ({ os_image_hash, ...body }: OsImageFormValues) =>
      unwrap(api.client.PUT('/api/admin/attestations/os-images/{os_image_hash}', { params: { path: { os_image_hash } }, body })),
    onSuccess: async (image) => {
      toast.success('OS image allowed', `dstack evidence from ${shortHash(image.os_image_hash)} passes the os check when its measurements match.`);
      await queryClient.invalidateQueries({ queryKey: OS_IMAGES_KEY });
      close();
    },
  });
  const close = () => {
    reset();
    add.reset();
    onClose();
  };
  const errors = formState.errors;
  return (
    <Dialog open={open} onClose={close} title="Allow an OS image" description="A dstack OS image's hash and the boot measurements a TD booted from it has (computed offline, e.g. with dstack-mr). Registering a hash again replaces its measurements.">
      <form noValidate className="grid grid-cols-1 gap-4" aria-label="Allow an OS image" onSubmit={handleSubmit((values) => add.mutate(values))}>
        <Field label="OS image hash" hint="32 bytes of hex, as in the vm_config of dstack's GetQuote; stored in lower case without 0x." error={errors.os_image_hash?.message}>
          {(control) => <Input {...control} {...register('os_image_hash')} autoComplete="off" spellCheck={false} className="font-mono" />}
        </Field>
        <Field label="Name (optional)" error={errors.label?.message}>
          {(control) => <Input {...control} {...register('label')} autoComplete="off" placeholder="dstack-0.5.3" />}
        </Field>
        {MEASUREMENTS.map(({ name, label }) => (
          <Field key={name} label={label} hint="48 bytes of hex" error={errors[name]?.message}>
            {(control) => <Input {...control} {...register(name)} autoComplete="off" spellCheck={false} className="font-mono" />}
          </Field>
        ))}
        {add.isError && <ProblemAlert error={add.error} title="The OS image was not allowed" />}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="outline" onClick={close} disabled={add.isPending}>
            Cancel
          </Button>
          <Button type="submit" busy={add.isPending}>
            Allow OS image
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function OsImagesCard() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<OsImage | undefined>();
  const { filter, change, page, setPage } = useListFilter({ text: '' });
  const { text } = filter;
  const images = useQuery({ queryKey: OS_IMAGES_KEY, queryFn: () => unwrap(api.client.GET('/api/admin/attestations/os-images')) });
  const remove = useMutation({
    mutationFn: (image: OsImage) => unwrap(api.client.DELETE('/api/admin/attestations/os-images/{os_image_hash}', { params: { path: { os_image_hash: image.os_image_hash } } })),
    onSuccess: async (image) => {
      setRemoving(undefined);
      toast.success('OS image removed', `dstack evidence from ${shortHash(image.os_image_hash)} now fails the os check (OS_IMAGE_UNKNOWN).`);
      await queryClient.invalidateQueries({ queryKey: OS_IMAGES_KEY });
    },
    onError: (error) => {
      setRemoving(undefined);
      toast.problem(error, 'Could not remove the OS image');
    },
  });
  const needle = text.trim().toLowerCase().replace(/^0x/, '');
  const matching = (images.data ?? []).filter((image) => needle === '' || image.os_image_hash.includes(needle) || (image.label ?? '').toLowerCase().includes(needle));
  const shown = pageOf(matching, page, PAGE_SIZE);
  const describe = (image: OsImage) => image.label ?? shortHash(image.os_image_hash);
  return (
    <Card aria-labelledby="os-images-title">
      <CardHeader>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="grid gap-1">
            <CardTitle id="os-images-title">OS images</CardTitle>
            <CardDescription>dstack OS images whose boot measurements are known: a task's os check passes only for one of these, with matching MRTD and RTMR0..2.</CardDescription>
          </div>
          <Button onClick={() => setAdding(true)}>Allow an OS image</Button>
        </div>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="sm:max-w-sm">
          <SearchFilter label="Filter" placeholder="Hash or name" value={text} onChange={(text) => change({ text })} />
        </div>
        <QueryState
          query={images}
          what="the OS images"
          empty={
            matching.length === 0 && (
              <EmptyState
                title={needle ? 'No OS image matches' : 'No OS image allowed yet'}
                action={needle ? undefined : <Button variant="outline" onClick={() => setAdding(true)}>Allow an OS image</Button>}
              >
                {needle ? 'Change the filter to see more.' : 'Until one is allowed, dstack evidence fails the os check with OS_IMAGE_UNKNOWN: allow the OS images your dstack apps boot from, with their measurements.'}
              </EmptyState>
            )
          }
        >
          <div>
            <Table label="Allowed OS images">
              <THead>
                <Tr>
                  <Th>OS image</Th>
                  <Th>Measurements</Th>
                  <Th>Added or changed</Th>
                  <Th aria-label="Actions" />
                </Tr>
              </THead>
              <TBody>
                {shown.rows.map((image) => (
                  <Tr key={image.os_image_hash} data-os-image={image.os_image_hash}>
                    <Td>
                      <p className="font-medium">{image.label ?? 'Unnamed'}</p>
                      <p className="font-mono text-xs break-all text-muted-foreground" title={image.os_image_hash}>
                        {image.os_image_hash}
                      </p>
                    </Td>
                    <Td className="font-mono text-xs whitespace-nowrap">
                      {MEASUREMENTS.map(({ name, label }) => (
                        <p key={name} title={image[name]}>
                          {label} {shortHash(image[name])}
                        </p>
                      ))}
                    </Td>
                    <Td className="text-xs whitespace-nowrap">{formatDateTime(image.updated_at)}</Td>
                    <Td>
                      <div className="flex gap-2">
                        <CopyButton value={image.os_image_hash} label="Copy hash" />
                        <Button variant="outline" size="sm" className="text-destructive" aria-label={`Remove ${describe(image)}`} onClick={() => setRemoving(image)}>
                          Remove
                        </Button>
                      </div>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} />
          </div>
        </QueryState>
      </CardContent>
      <AddOsImageDialog open={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing ? describe(removing) : ''}?`}
        description={`dstack evidence from ${removing?.os_image_hash ?? ''} will fail the os check with OS_IMAGE_UNKNOWN. Finished tasks keep their verdict; allowing it again needs its measurements.`}
        confirmLabel="Remove OS image"
        destructive
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing)}
        onCancel={() => setRemoving(undefined)}
      />
    </Card>
  );
}

export function AttestationPage() {
  return (
    <>
      <PageHeader title="Attestation" description="The trust material TEE tasks are verified against: Intel collateral per platform and the dstack OS images allowed." />
      <CollateralCard />
      <OsImagesCard />
    </>
  );
}
