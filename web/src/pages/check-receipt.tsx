import { useQuery } from '@tanstack/react-query';
import { useId, useState, type DragEvent } from 'react';
import { useApi } from '../api/context.tsx';
import { unwrap } from '../api/problem.ts';
import { PageHeader } from '../components/layout.tsx';
import { Badge } from '../components/ui/badge.tsx';
import { Button } from '../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card.tsx';
import { Field, Input, Textarea } from '../components/ui/input.tsx';
import { Table, TBody, Td, Th, THead, Tr } from '../components/ui/table.tsx';
import { ProblemAlert } from '../components/ui/toast.tsx';
import { cn } from '../lib/cn.ts';
import { checkReceipt, type CheckStep, type ReceiptReport } from '../lib/check-receipt.ts';

/** Receipts are a few kilobytes (a 53-hash path at most); anything far bigger is not one. */
const MAX_RECEIPT_BYTES = 64 * 1024;

type ReceiptInput = { kind: 'pasted'; text: string } | { kind: 'file'; name: string; bytes: Uint8Array };

const STEP_MARK: Record<CheckStep['status'], { symbol: string; label: string; className: string }> = {
  passed: { symbol: '✓', label: 'passed', className: 'text-success' },
  failed: { symbol: '✗', label: 'failed', className: 'text-destructive' },
  not_run: { symbol: '–', label: 'not run', className: 'text-muted-foreground' },
};

function Verdict({ report }: { report: ReceiptReport }) {
  if (report.ok) {
    return (
      <p className="text-success">
        <strong>Receipt valid.</strong> Entry {report.index} of <code>{report.origin}</code> is in the ledger's signed checkpoint (tree size {report.treeSize}).
      </p>
    );
  }
  return (
    <p className="text-destructive">
      <strong>Receipt refused</strong> ({report.failure?.code}): {report.failure?.message}
    </p>
  );
}

function Report({ report }: { report: ReceiptReport }) {
  return (
    <Card aria-labelledby="receipt-result">
      <CardHeader>
        <CardTitle id="receipt-result">Result</CardTitle>
        <div role="status" data-verdict={report.ok ? 'valid' : 'refused'}>
          <Verdict report={report} />
        </div>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5">
        <ol className="grid grid-cols-1 gap-2" aria-label="Checks">
          {report.steps.map((step) => {
            const mark = STEP_MARK[step.status];
            return (
              <li key={step.id} data-check={step.id} data-status={step.status} className="flex gap-3">
                <span aria-hidden="true" className={cn('w-4 font-bold', mark.className)}>
                  {mark.symbol}
                </span>
                <div className="min-w-0">
                  <p className="text-sm font-medium">
                    {step.title} <span className="sr-only">: {mark.label}</span>
                  </p>
                  {step.detail && <p className="text-sm break-all text-muted-foreground">{step.detail}</p>}
                </div>
              </li>
            );
          })}
        </ol>
        {report.entry && (
          <div className="grid grid-cols-1 gap-2">
            <h3 className="text-sm font-medium">
              Ledger entry {report.ok ? <Badge tone="success">verified</Badge> : <Badge tone="danger">not verified</Badge>}
            </h3>
            <Table label="Ledger entry">
              <THead>
                <Tr>
                  <Th>Field</Th>
                  <Th>Value</Th>
                </Tr>
              </THead>
              <TBody>
                {Object.entries(report.entry).map(([name, value]) => (
                  <Tr key={name}>
                    <Td className="font-mono text-xs">{name}</Td>
                    <Td className="font-mono text-xs break-all">{value === null ? '—' : String(value)}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

/**
 * The public receipt checker (no sign-in): a receipt dropped or pasted here is checked in this
 * browser, with WebCrypto, against the ledger key this server publishes (or one pasted), so
 * nothing about the receipt is sent anywhere.
 */
export function CheckReceiptPage() {
  const api = useApi();
  const fileInputId = useId();
  const [input, setInput] = useState<ReceiptInput>({ kind: 'pasted', text: '' });
  const [otherKey, setOtherKey] = useState('');
  const [report, setReport] = useState<ReceiptReport | undefined>();
  const [inputError, setInputError] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const [dragging, setDragging] = useState(false);
  const ledgerKey = useQuery({
    queryKey: ['ledger-key'],
    queryFn: async () => (await unwrap(api.client.GET('/api/v1/ledger/key', { parseAs: 'text' }))).trim(),
    staleTime: Infinity,
  });
  const key = otherKey.trim() || ledgerKey.data;

  async function takeFile(file: File | undefined) {
    setReport(undefined);
    if (!file) return;
    if (file.size > MAX_RECEIPT_BYTES) {
      setInputError(`${file.name} is ${file.size} bytes: a receipt is a few kilobytes`);
      return;
    }
    setInputError(undefined);
    setInput({ kind: 'file', name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  }

  async function check() {
    if (!key) return;
    const receipt = input.kind === 'file' ? input.bytes : input.text.endsWith('\n') ? input.text : `${input.text}\n`; // copying often drops the final newline
    setChecking(true);
    try {
      setReport(await checkReceipt(receipt, key));
    } finally {
      setChecking(false);
    }
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void takeFile(event.dataTransfer.files[0]);
  };
  const hasReceipt = input.kind === 'file' || input.text.trim().length > 0;
  // WebCrypto exists only in secure contexts (https, or http on localhost).
  const canCheck = typeof crypto !== 'undefined' && crypto.subtle !== undefined;

  return (
    <>
      <PageHeader
        title="Check a receipt"
        description="A receipt proves that a verification outcome is recorded in this platform's tamper-evident ledger. It is checked here, in your browser, against the ledger's public key: nothing is uploaded."
      />
      <Card>
        <CardHeader>
          <CardTitle>Receipt</CardTitle>
          <CardDescription>
            The <code>tlog-proof</code> text from <code>GET /api/v1/receipts/&#123;id&#125;</code> (a <code>.receipt</code> file).
          </CardDescription>
        </CardHeader>
        <CardContent className="grid grid-cols-1 gap-4">
          <div
            onDragOver={(event) => {
              event.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            className={cn('grid grid-cols-1 gap-3 rounded-md border-2 border-dashed p-4', dragging && 'border-ring bg-accent')}
          >
            <p className="text-sm">
              Drop a receipt file here, or{' '}
              {/* The input is hidden but focusable: its label shows the keyboard focus. */}
              <input id={fileInputId} type="file" accept=".receipt,.txt,text/plain" className="peer sr-only" onChange={(event) => void takeFile(event.target.files?.[0])} />
              <label
                htmlFor={fileInputId}
                className="cursor-pointer rounded-sm font-medium underline underline-offset-2 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-ring"
              >
                choose a file
              </label>
              {input.kind === 'file' && (
                <>
                  {' '}
                  — <strong>{input.name}</strong> ({input.bytes.length} bytes){' '}
                  <Button variant="ghost" size="sm" onClick={() => setInput({ kind: 'pasted', text: '' })}>
                    Clear
                  </Button>
                </>
              )}
            </p>
            {input.kind === 'pasted' && (
              <Field label="…or paste it">
                {(control) => (
                  <Textarea
                    {...control}
                    rows={8}
                    spellCheck={false}
                    placeholder={'c2sp.org/tlog-proof@v1\nextra …\nindex …'}
                    value={input.text}
                    onChange={(event) => {
                      setReport(undefined);
                      setInput({ kind: 'pasted', text: event.target.value.slice(0, MAX_RECEIPT_BYTES) });
                    }}
                  />
                )}
              </Field>
            )}
            {inputError && <p role="alert" className="text-sm text-destructive">{inputError}</p>}
          </div>
          <div className="grid grid-cols-1 gap-2 text-sm">
            <p>
              Ledger key:{' '}
              {ledgerKey.isPending ? (
                <span className="text-muted-foreground">loading…</span>
              ) : ledgerKey.data ? (
                <code data-testid="pinned-key" className="break-all">{ledgerKey.data}</code>
              ) : (
                <span className="text-muted-foreground">not available from this server: paste one below</span>
              )}
            </p>
            {ledgerKey.isError && <ProblemAlert error={ledgerKey.error} title="Could not load the ledger key" />}
            <details>
              <summary className="cursor-pointer text-muted-foreground">Check against another ledger's key</summary>
              <div className="pt-2">
                <Field label="Verifier key" hint="<origin>+<key id>+<base64 key>, as GET /api/v1/ledger/key publishes it">
                  {(control) => <Input {...control} className="font-mono" spellCheck={false} value={otherKey} onChange={(event) => setOtherKey(event.target.value)} />}
                </Field>
              </div>
            </details>
          </div>
          {!canCheck && <ProblemAlert title="This browser cannot check receipts here" error={new Error('Web Crypto is only available over https (or on localhost): open this page over https.')} />}
          <div>
            <Button onClick={() => void check()} disabled={!hasReceipt || !key || !canCheck} busy={checking}>
              Check receipt
            </Button>
          </div>
        </CardContent>
      </Card>
      {report && <Report report={report} />}
      <p className="text-sm text-muted-foreground">
        Holding a credential? <a className="underline underline-offset-2" href="/prove">Prove a claim</a> on the holder page.
      </p>
    </>
  );
}
