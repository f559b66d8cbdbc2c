import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import type { UploadProgress } from '../../api/upload-progress.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent } from '../../components/ui/card.tsx';
import { ConfirmDialog, Dialog } from '../../components/ui/dialog.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { NameCell, Pagination, Table, TableHead, TBody, Td, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { formatBytes, formatDateTime } from '../../lib/format.ts';
import { ARTIFACTS, CircuitRegisterForm, type ArtifactKind, type CircuitRegistration } from './circuit-form.tsx';
import { CatalogFilters, useCatalogList, type CatalogFilter } from './catalog-list.tsx';
import { claimTypeLabel, type ClaimType } from './claim-types.ts';

type Circuit = Schemas['CircuitVersion'];
const STATUSES = [['all', 'All'], ['enabled', 'Enabled'], ['disabled', 'Disabled']] as const;
type StatusFilter = (typeof STATUSES)[number][0];
export type CircuitFilter = CatalogFilter<StatusFilter>;

const CIRCUITS_KEY = ['admin', 'circuits'] as const;

export function matchesCircuitFilter(circuit: Circuit, filter: CircuitFilter): boolean {
  if (filter.claimType !== 'all' && circuit.claim_type !== filter.claimType) return false;
  if (filter.status !== 'all' && circuit.enabled !== (filter.status === 'enabled')) return false;
  const needle = filter.text.trim().toLowerCase();
  return needle === '' || [circuit.semver, circuit.id].some((value) => value.toLowerCase().includes(needle));
}

/** Where a registration's artifacts go: a folder of their own, so a retry or a refused version never overwrites a registered version's bytes. */
export function artifactKeys(claimType: ClaimType, semver: string, attempt: string): Record<ArtifactKind, string> {
  const folder = `circuits/${claimType}/${semver}/${attempt}`;
  return Object.fromEntries(ARTIFACTS.map((artifact) => [artifact.kind, `${folder}/${artifact.file}`])) as Record<ArtifactKind, string>;
}

/** Each artifact's upload as it goes, then the registration: what the dialog shows while it works. */
type Stage = { uploads: Partial<Record<ArtifactKind, UploadProgress & { sha256?: string }>>; registering: boolean };

function UploadStages({ form, stage }: { form: CircuitRegistration; stage: Stage }) {
  return (
    <ol className="grid grid-cols-1 gap-2 text-sm" aria-label="Upload progress">
      {ARTIFACTS.map((artifact) => {
        const file = form.files[artifact.kind];
        const upload = stage.uploads[artifact.kind];
        const loaded = upload?.loaded ?? 0;
        const total = upload?.total || file.size;
        return (
          <li key={artifact.kind} className="grid grid-cols-1 gap-1">
            <div className="flex flex-wrap justify-between gap-x-3">
              <span className="font-medium">{artifact.label}</span>
              <span className="text-muted-foreground">{upload?.sha256 ? 'stored' : upload ? `${formatBytes(loaded)} of ${formatBytes(total)}` : 'waiting'}</span>
            </div>
            <progress className="h-2 w-full accent-current" max={total} value={upload?.sha256 ? total : loaded} aria-label={`${artifact.label} upload`} />
            {upload?.sha256 && <p className="font-mono text-xs break-all text-muted-foreground">sha256 {upload.sha256}</p>}
          </li>
        );
      })}
      <li className="text-muted-foreground">{stage.registering ? 'Checking the verification key and registering…' : 'Registration follows the uploads.'}</li>
    </ol>
  );
}

function RegisterDialog({ open, registered, onClose }: { open: boolean; registered: ReadonlySet<string>; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [stage, setStage] = useState<Stage>({ uploads: {}, registering: false });
  const register = useMutation({
    mutationFn: async (form: CircuitRegistration) => {
      // One attempt, one folder and one idempotency key: a retry after a failure uploads afresh.
      const attempt = crypto.randomUUID();
      const keys = artifactKeys(form.claim_type, form.semver, attempt);
      setStage({ uploads: {}, registering: false });
      for (const { kind } of ARTIFACTS) {
        const track = (progress: UploadProgress) => setStage((current) => ({ ...current, uploads: { ...current.uploads, [kind]: progress } }));
        const stored = await unwrap(
          api.client.PUT('/api/admin/artifacts/{key}', {
            params: { path: { key: keys[kind] } },
            // The contract types a raw body as a string; the File goes as its bytes, unserialised.
            body: form.files[kind] as unknown as string,
            bodySerializer: (body) => body,
            headers: { 'content-type': 'application/octet-stream' },
            fetch: api.uploadFetch(track),
          }),
        );
        setStage((current) => ({ ...current, uploads: { ...current.uploads, [kind]: { loaded: stored.size, total: stored.size, sha256: stored.sha256 } } }));
      }
      setStage((current) => ({ ...current, registering: true }));
      return unwrap(
        api.client.POST('/api/admin/circuits', {
          body: { claim_type: form.claim_type, semver: form.semver, wasm_s3: keys.wasm, zkey_s3: keys.zkey, vkey_s3: keys.vkey, enabled: form.enabled },
          params: { header: { 'idempotency-key': attempt } },
        }),
      );
    },
    onSettled: () => setStage((current) => ({ ...current, registering: false })),
    onSuccess: async (circuit) => {
      toast.success(`${circuit.claim_type} ${circuit.semver} is registered`, circuit.enabled ? 'Provers can use it now.' : 'Enable it when provers may use it.');
      await queryClient.invalidateQueries({ queryKey: CIRCUITS_KEY });
      close();
    },
  });
  const close = () => {
    register.reset();
    setStage({ uploads: {}, registering: false });
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={() => !register.isPending && close()}
      title="Register a circuit version"
      description="The three artifacts of a Groth16 circuit, as the circuit build writes them; they are uploaded, then the verification key is checked and the version registered."
    >
      <div className="grid grid-cols-1 gap-4">
        {register.error && <ProblemAlert error={register.error} title="The version was not registered" />}
        {register.variables && (register.isPending || register.isError) && <UploadStages form={register.variables} stage={stage} />}
        <CircuitRegisterForm registered={registered} busy={register.isPending} onSubmit={(form) => register.mutate(form)} onCancel={close} />
      </div>
    </Dialog>
  );
}

function Fingerprints({ circuit }: { circuit: Circuit }) {
  return (
    <ul className="grid grid-cols-1 gap-0.5 font-mono text-xs">
      {ARTIFACTS.map(({ kind }) => {
        const sha256 = circuit.sha256[kind];
        return (
          <li key={kind} className="whitespace-nowrap">
            {kind} {sha256 ? <span title={sha256}>{sha256.slice(0, 12)}…</span> : '—'}
          </li>
        );
      })}
    </ul>
  );
}

export function CircuitsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [registering, setRegistering] = useState(false);
  const [disabling, setDisabling] = useState<Circuit | undefined>();
  const circuits = useQuery({ queryKey: CIRCUITS_KEY, queryFn: () => unwrap(api.client.GET('/api/admin/circuits')) });

  const toggle = useMutation({
    mutationFn: ({ circuit, enabled }: { circuit: Circuit; enabled: boolean }) => unwrap(api.client.PATCH('/api/admin/circuits/{id}', { params: { path: { id: circuit.id } }, body: { enabled } })),
    onSuccess: async (circuit) => {
      setDisabling(undefined);
      toast.success(`${circuit.claim_type} ${circuit.semver} is ${circuit.enabled ? 'enabled' : 'disabled'}`, circuit.enabled ? 'Provers can use it again.' : 'Proofs for it are refused with UNKNOWN_CIRCUIT.');
      await queryClient.invalidateQueries({ queryKey: CIRCUITS_KEY });
    },
    onError: (error, { enabled }) => {
      setDisabling(undefined);
      toast.problem(error, enabled ? 'Could not enable the version' : 'Could not disable the version');
    },
  });

  const all = circuits.data ?? [];
  const registered = new Set(all.map((circuit) => `${circuit.claim_type}@${circuit.semver}`));
  const { filter, change, filtered, shown, setPage } = useCatalogList<Circuit, StatusFilter>(all, 'all', matchesCircuitFilter);
  const registerButton = <Button onClick={() => setRegistering(true)}>Register version</Button>;

  return (
    <>
      <PageHeader title="Circuits" description="The Groth16 circuit versions proofs are checked against, per claim type." actions={registerButton} />
      <Card>
        <CardContent className="grid grid-cols-1 gap-4 pt-5">
          <CatalogFilters filter={filter} onChange={change} placeholder="Version or id" statuses={STATUSES} />
          <QueryState
            query={circuits}
            what="the circuit versions"
            empty={
              all.length === 0 ? (
                <EmptyState title="No circuit versions yet" action={registerButton}>
                  Register a version with its wasm, zkey and verification key; the bundled development circuits are registered at the server's first start.
                </EmptyState>
              ) : (
                filtered.length === 0 && <EmptyState title="No circuit version matches">Change the filter, the claim type or the status to see more versions.</EmptyState>
              )
            }
          >
            <div>
              <Table label="Circuit versions">
                <TableHead columns={['Claim type', 'Version', 'Status', 'Artifacts (SHA-256)', 'Created']} actions="Actions" />
                <TBody>
                  {shown.rows.map((circuit) => (
                    <Tr key={circuit.id}>
                      <NameCell name={claimTypeLabel(circuit.claim_type)} id={circuit.claim_type} />
                      <Td>
                        <p className="font-mono">{circuit.semver}</p>
                        <p className="font-mono text-xs text-muted-foreground">{circuit.id}</p>
                      </Td>
                      <Td>{circuit.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="danger">disabled</Badge>}</Td>
                      <Td>
                        <Fingerprints circuit={circuit} />
                      </Td>
                      <Td className="text-xs whitespace-nowrap">{formatDateTime(circuit.created_at)}</Td>
                      <Td>
                        {circuit.enabled ? (
                          <Button variant="outline" size="sm" className="text-destructive" onClick={() => setDisabling(circuit)} aria-label={`Disable ${circuit.claim_type} ${circuit.semver}`}>
                            Disable
                          </Button>
                        ) : (
                          <Button
                            variant="outline"
                            size="sm"
                            busy={toggle.isPending && toggle.variables.circuit.id === circuit.id}
                            onClick={() => toggle.mutate({ circuit, enabled: true })}
                            aria-label={`Enable ${circuit.claim_type} ${circuit.semver}`}
                          >
                            Enable
                          </Button>
                        )}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
              <Pagination page={shown.page} pages={shown.pages} hasNext={shown.page < shown.pages} onPage={setPage} summary={`${filtered.length} version${filtered.length === 1 ? '' : 's'} · page ${shown.page} of ${shown.pages}`} />
            </div>
          </QueryState>
        </CardContent>
      </Card>
      <RegisterDialog open={registering} registered={registered} onClose={() => setRegistering(false)} />
      <ConfirmDialog
        open={disabling !== undefined}
        title={`Disable ${disabling?.claim_type ?? ''} ${disabling?.semver ?? ''}?`}
        description="Proofs for this version are refused with UNKNOWN_CIRCUIT and provers no longer see it in GET /api/v1/circuits. Outcomes already recorded stand; you can enable it again."
        confirmLabel="Disable version"
        destructive
        busy={toggle.isPending}
        onConfirm={() => disabling && toggle.mutate({ circuit: disabling, enabled: false })}
        onCancel={() => setDisabling(undefined)}
      />
    </>
  );
}
