import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useApi } from '../../api/context.tsx';
import { ApiProblem, unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { EmptyState } from '../../components/ui/empty-state.tsx';
import { Figures } from '../../components/ui/figures.tsx';
import { Field, Input } from '../../components/ui/input.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { ProblemAlert } from '../../components/ui/toast.tsx';
import { encodeBase64, parseDecimal } from '../../../../sdk/client/src/bytes.ts';
import { runWithWebCrypto } from '../../../../sdk/client/src/crypto-steps.ts';
import { openCheckpoint, parseCheckpoint } from '../../../../sdk/client/src/tlog/checkpoint.ts';

type LatestCheckpoint = { note: string; key: string; origin: string; treeSize: number; rootHash: string; signature: { ok: true } | { ok: false; message: string } };

/**
 * The newest checkpoint, its signature checked here against the published key (what a monitor
 * does); null before the ledger signed one.
 */
async function readLatestCheckpoint(api: ReturnType<typeof useApi>): Promise<LatestCheckpoint | null> {
  let note: string;
  try {
    note = await unwrap(api.client.GET('/api/v1/ledger/checkpoint', { parseAs: 'text' }));
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return null;
    throw error;
  }
  const key = (await unwrap(api.client.GET('/api/v1/ledger/key', { parseAs: 'text' }))).trim();
  const opened = await runWithWebCrypto(openCheckpoint(note, key));
  // Shown even when the signature fails: the operator needs to see what the server serves.
  const parsed = opened.ok ? opened : parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1));
  if (!parsed.ok) throw new Error(`The served checkpoint is malformed: ${parsed.message}`);
  const { origin, treeSize, rootHash } = parsed.checkpoint;
  return { note, key, origin, treeSize, rootHash: encodeBase64(rootHash), signature: opened.ok ? { ok: true } : { ok: false, message: opened.message } };
}

function CheckpointCard({ checkpoint }: { checkpoint: LatestCheckpoint }) {
  const items: Array<[string, string]> = [
    ['Tree size', String(checkpoint.treeSize)],
    ['Origin', checkpoint.origin],
    ['Root hash', checkpoint.rootHash],
    ['Verifier key', checkpoint.key],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2">
          Latest checkpoint {checkpoint.signature.ok ? <Badge tone="success">signature valid</Badge> : <Badge tone="danger">signature invalid</Badge>}
        </CardTitle>
        <CardDescription>
          {checkpoint.signature.ok ? 'Signed by the ledger key this server publishes; checked in this browser.' : `The checkpoint's signature does not check against the published key: ${checkpoint.signature.message}.`}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <Figures mono className="grid-cols-1 sm:grid-cols-2" items={items} />
      </CardContent>
    </Card>
  );
}

function ConsistencyCard({ latestSize }: { latestSize: number }) {
  const api = useApi();
  const [from, setFrom] = useState('1');
  const [to, setTo] = useState(String(latestSize));
  const [inputError, setInputError] = useState<string | undefined>();
  const prove = useMutation({ mutationFn: (sizes: { from: number; to: number }) => unwrap(api.client.GET('/api/v1/ledger/proof/consistency', { params: { query: sizes } })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fromSize = parseDecimal(from.trim());
    const toSize = parseDecimal(to.trim());
    if (fromSize === undefined || toSize === undefined || fromSize > toSize) {
      prove.reset();
      setInputError(fromSize === undefined || toSize === undefined ? 'Both sizes are whole numbers' : 'The earlier size cannot be larger than the later one');
      return;
    }
    setInputError(undefined);
    prove.mutate({ from: fromSize, to: toSize });
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Consistency between two sizes</CardTitle>
        <CardDescription>
          The RFC 9162 proof, served by the ledger, that the tree of the earlier size is a prefix of the later one: the ledger only grew. A monitor checks it against the root
          hashes of two signed checkpoints it kept.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <form onSubmit={submit} className="grid grid-cols-1 items-end gap-3 sm:grid-cols-[1fr_1fr_auto]" noValidate>
          <Field label="Earlier size" error={inputError}>
            {(control) => <Input {...control} inputMode="numeric" value={from} onChange={(event) => setFrom(event.target.value)} />}
          </Field>
          <Field label="Later size">{(control) => <Input {...control} inputMode="numeric" value={to} onChange={(event) => setTo(event.target.value)} />}</Field>
          <Button type="submit" busy={prove.isPending}>
            Get proof
          </Button>
        </form>
        {prove.error && <ProblemAlert error={prove.error} title="No consistency proof" />}
        {prove.data && (
          <div className="grid grid-cols-1 gap-2" data-consistency={`${prove.data.from}-${prove.data.to}`}>
            <p className="text-sm">
              The tree of size {prove.data.from} is proved a prefix of the tree of size {prove.data.to} with {prove.data.consistency_path.length} hash{prove.data.consistency_path.length === 1 ? '' : 'es'}
              {prove.data.consistency_path.length === 0 ? ' (equal sizes or an empty tree need none).' : ':'}
            </p>
            {prove.data.consistency_path.length > 0 && (
              <ol className="grid grid-cols-1 gap-1 rounded-md border p-2 font-mono text-xs break-all">
                {prove.data.consistency_path.map((hash, position) => (
                  <li key={position}>{hash}</li>
                ))}
              </ol>
            )}
          </div>
        )}
      </CardContent>
    </Card>
  );
}

export function LedgerPage() {
  const api = useApi();
  const checkpoint = useQuery({ queryKey: ['admin', 'ledger-checkpoint'], queryFn: () => readLatestCheckpoint(api), refetchInterval: 30_000 });
  return (
    <>
      <PageHeader
        title="Ledger"
        description={
          <>
            The transparency log of verification outcomes. Its daily audit reports through the <code>veridity_ledger_audit_mismatches</code> metric and the log (not through the API); run{' '}
            <code>veridity verify-ledger</code> for a full check.
          </>
        }
      />
      <QueryState
        query={checkpoint}
        what="the latest checkpoint"
        empty={checkpoint.data === null && <EmptyState title="No checkpoint yet">The ledger signs its first checkpoint once a verification outcome is sequenced.</EmptyState>}
      >
        {checkpoint.data && (
          <>
            <CheckpointCard checkpoint={checkpoint.data} />
            <ConsistencyCard latestSize={checkpoint.data.treeSize} />
          </>
        )}
      </QueryState>
    </>
  );
}
