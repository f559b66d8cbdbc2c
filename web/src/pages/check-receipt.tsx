import { useQuery } from '@tanstack/react-query';
import { useId, useState, type DragEvent, type ReactNode } from 'react';
import { useApi } from '../api/context.tsx';
import { unwrap } from '../api/problem.ts';
import { PageHeader } from '../components/layout.tsx';
import { Badge } from '../components/ui/badge.tsx';
import { Button } from '../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../components/ui/card.tsx';
import { Field, Input, Textarea } from '../components/ui/input.tsx';
import { JsonTree } from '../components/ui/json-tree.tsx';
import { Table, TableHead, TBody, Td, Tr } from '../components/ui/table.tsx';
import { ProblemAlert } from '../components/ui/toast.tsx';
import { cn } from '../lib/cn.ts';
import type { CertificateJwkSet } from '../../../sdk/client/src/certificates.ts';
import { type CertificateReport, type CertificateStep, checkCertificate, looksLikeCertificate, type RevocationStatus } from '../lib/check-certificate.ts';
import { checkReceipt, type CheckStep, type ReceiptReport } from '../lib/check-receipt.ts';

/** Receipts are a few kilobytes, a certificate's JSON (with its receipt) a few more; anything far bigger is neither. */
const MAX_INPUT_BYTES = 256 * 1024;

type CheckInput = { kind: 'pasted'; text: string } | { kind: 'file'; name: string; bytes: Uint8Array };
type Result = { kind: 'receipt'; report: ReceiptReport } | { kind: 'certificate'; report: CertificateReport };

const STEP_MARK: Record<CertificateStep['status'], { symbol: string; label: string; className: string }> = {
  passed: { symbol: '✓', label: 'passed', className: 'text-success' },
  failed: { symbol: '✗', label: 'failed', className: 'text-destructive' },
  not_run: { symbol: '–', label: 'not run', className: 'text-muted-foreground' },
  not_applicable: { symbol: '○', label: 'not applicable', className: 'text-muted-foreground' },
};

const inputText = (input: CheckInput) => (input.kind === 'file' ? new TextDecoder().decode(input.bytes) : input.text);

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

/** Each check with its mark; a certificate's say whether they ran offline or asked the server. */
function Checks({ steps }: { steps: Array<CheckStep | CertificateStep> }) {
  return (
    <ol className="grid grid-cols-1 gap-2" aria-label="Checks">
      {steps.map((step) => {
        const mark = STEP_MARK[step.status];
        return (
          <li key={step.id} data-check={step.id} data-status={step.status} className="flex gap-3">
            <span aria-hidden="true" className={cn('w-4 font-bold', mark.className)}>
              {mark.symbol}
            </span>
            <div className="min-w-0">
              <p className="text-sm font-medium">
                {step.title} <span className="sr-only">: {mark.label}</span> {'where' in step && <Badge tone="neutral">{step.where}</Badge>}
              </p>
              {step.detail && <p className="text-sm break-all text-muted-foreground">{step.detail}</p>}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** The verdict, each check, and what the document says (`children`). */
function ResultCard(props: { ok: boolean; verdict: ReactNode; steps: Array<CheckStep | CertificateStep>; children?: ReactNode }) {
  return (
    <Card aria-labelledby="check-result">
      <CardHeader>
        <CardTitle id="check-result">Result</CardTitle>
        <div role="status" data-verdict={props.ok ? 'valid' : 'refused'}>
          {props.verdict}
        </div>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5">
        <Checks steps={props.steps} />
        {props.children}
      </CardContent>
    </Card>
  );
}

function ReceiptResult({ report }: { report: ReceiptReport }) {
  return (
    <ResultCard ok={report.ok} verdict={<Verdict report={report} />} steps={report.steps}>
      {report.entry && (
        <div className="grid grid-cols-1 gap-2">
          <h3 className="text-sm font-medium">
            Ledger entry {report.ok ? <Badge tone="success">verified</Badge> : <Badge tone="danger">not verified</Badge>}
          </h3>
          <Table label="Ledger entry">
            <TableHead columns={['Field', 'Value']} />
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
    </ResultCard>
  );
}

function CertificateVerdict({ report }: { report: CertificateReport }) {
  if (!report.ok) {
    return (
      <p className="text-destructive">
        <strong>Certificate refused</strong> ({report.failure?.code}): {report.failure?.message}
      </p>
    );
  }
  return (
    <p className="text-success">
      <strong>Certificate valid.</strong> Signed by the platform and in its ledger
      {report.status === 'valid' ? ', and not revoked.' : '; whether it was revoked since was not checked.'}
    </p>
  );
}

function CertificateResult({ report }: { report: CertificateReport }) {
  return (
    <ResultCard ok={report.ok} verdict={<CertificateVerdict report={report} />} steps={report.steps}>
      {report.certificate && (
        <div className="grid grid-cols-1 gap-2">
          <h3 className="text-sm font-medium">
            Signed certificate <Badge tone="success">signature verified</Badge>
          </h3>
          <JsonTree value={report.certificate} label="Signed certificate" openDepth={2} />
        </div>
      )}
    </ResultCard>
  );
}

/** The certificates keys pasted to check against instead of this server's: a JWK Set, as GET /api/v1/certificates/keys answers. */
function parseKeySet(text: string): CertificateJwkSet | undefined {
  try {
    const value = JSON.parse(text) as { keys?: unknown } | null;
    return Array.isArray(value?.keys) && value.keys.every((jwk) => typeof (jwk as { kid?: unknown } | null)?.kid === 'string') ? (value as CertificateJwkSet) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The public checker (no sign-in): a ledger receipt or an evidence certificate dropped or pasted
 * here is checked in this browser, with WebCrypto, against the keys this server publishes (or
 * ones pasted), so the document is sent nowhere; only a certificate's public id is, when asked
 * whether it was revoked.
 */
export function CheckReceiptPage() {
  const api = useApi();
  const fileInputId = useId();
  const [input, setInput] = useState<CheckInput>({ kind: 'pasted', text: '' });
  const [otherKey, setOtherKey] = useState('');
  const [otherCertificateKeys, setOtherCertificateKeys] = useState('');
  const [askRevocation, setAskRevocation] = useState(true);
  const [result, setResult] = useState<Result | undefined>();
  const [inputError, setInputError] = useState<string | undefined>();
  const [checking, setChecking] = useState(false);
  const [dragging, setDragging] = useState(false);
  const ledgerKey = useQuery({
    queryKey: ['ledger-key'],
    queryFn: async () => (await unwrap(api.client.GET('/api/v1/ledger/key', { parseAs: 'text' }))).trim(),
    staleTime: Infinity,
  });
  const certificateKeys = useQuery({
    queryKey: ['certificate-keys'],
    queryFn: () => unwrap(api.client.GET('/api/v1/certificates/keys')),
    staleTime: Infinity,
  });
  const key = otherKey.trim() || ledgerKey.data;
  const pastedKeySet = otherCertificateKeys.trim() ? parseKeySet(otherCertificateKeys) : undefined;
  const keySet = otherCertificateKeys.trim() ? pastedKeySet : certificateKeys.data;
  const isCertificate = looksLikeCertificate(inputText(input));

  async function takeFile(file: File | undefined) {
    setResult(undefined);
    if (!file) return;
    if (file.size > MAX_INPUT_BYTES) {
      setInputError(`${file.name} is ${file.size} bytes: a receipt or a certificate's JSON is a few kilobytes`);
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (new TextDecoder().decode(bytes.subarray(0, 5)) === '%PDF-') {
      setInputError(`${file.name} is a PDF: drop its certificate.json here (GET /api/v1/certificates/{id}/certificate.json), or check the PDF with veridity verify-certificate`);
      return;
    }
    setInputError(undefined);
    setInput({ kind: 'file', name: file.name, bytes });
  }

  const askStatus = async (publicId: string): Promise<RevocationStatus> => {
    const answer = await api.client.GET('/api/v1/public/certificates/{public_id}', { params: { path: { public_id: publicId } } });
    if (answer.response.status === 404) return 'unknown';
    return (await unwrap(Promise.resolve(answer))).status;
  };

  async function check() {
    if (!key) return;
    setChecking(true);
    try {
      if (isCertificate) {
        if (!keySet) return;
        const document = input.kind === 'file' ? input.bytes : input.text;
        setResult({ kind: 'certificate', report: await checkCertificate(document, { certificateKeys: keySet, ledgerKey: key }, askRevocation ? askStatus : undefined) });
      } else {
        const receipt = input.kind === 'file' ? input.bytes : input.text.endsWith('\n') ? input.text : `${input.text}\n`; // copying often drops the final newline
        setResult({ kind: 'receipt', report: await checkReceipt(receipt, key) });
      }
    } finally {
      setChecking(false);
    }
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void takeFile(event.dataTransfer.files[0]);
  };
  const hasInput = input.kind === 'file' || input.text.trim().length > 0;
  // WebCrypto exists only in secure contexts (https, or http on localhost).
  const canCheck = typeof crypto !== 'undefined' && crypto.subtle !== undefined;

  return (
    <>
      <PageHeader
        title="Check a receipt or certificate"
        description="A receipt proves that a verification outcome is recorded in this platform's tamper-evident ledger; a certificate, that the platform certified a signed document. Either is checked here, in your browser, against the platform's public keys: nothing is uploaded."
      />
      <Card>
        <CardHeader>
          <CardTitle>Receipt or certificate</CardTitle>
          <CardDescription>
            The <code>tlog-proof</code> text from <code>GET /api/v1/receipts/&#123;id&#125;</code> (a <code>.receipt</code> file), or a certificate's JSON from{' '}
            <code className="break-all">GET /api/v1/certificates/&#123;id&#125;/certificate.json</code> (its signature and ledger receipt).
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
              Drop a receipt or certificate file here, or{' '}
              {/* The input is hidden but focusable: its label shows the keyboard focus. */}
              <input id={fileInputId} type="file" accept=".receipt,.txt,.json,.jws,text/plain,application/json" className="peer sr-only" onChange={(event) => void takeFile(event.target.files?.[0])} />
              <label
                htmlFor={fileInputId}
                className="cursor-pointer rounded-sm font-medium underline underline-offset-2 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-ring"
              >
                choose a file
              </label>
              {input.kind === 'file' && (
                <>
                  {' '}
                  — <strong className="break-all">{input.name}</strong> ({input.bytes.length} bytes){' '}
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
                    placeholder={'c2sp.org/tlog-proof@v1\nextra …\nindex …\n\nor {"certificate": …, "jws": "…", "receipt": "…"}'}
                    value={input.text}
                    onChange={(event) => {
                      setResult(undefined);
                      setInput({ kind: 'pasted', text: event.target.value.slice(0, MAX_INPUT_BYTES) });
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
            <p>
              Certificates keys:{' '}
              {certificateKeys.isPending ? (
                <span className="text-muted-foreground">loading…</span>
              ) : certificateKeys.data ? (
                <code data-testid="pinned-certificate-keys" className="break-all">{certificateKeys.data.keys.map((jwk) => jwk.kid).join(', ')}</code>
              ) : (
                <span className="text-muted-foreground">not available from this server: paste them below</span>
              )}
            </p>
            {certificateKeys.isError && <ProblemAlert error={certificateKeys.error} title="Could not load the certificates keys" />}
            <details>
              <summary className="cursor-pointer text-muted-foreground">Check against other keys</summary>
              <div className="grid grid-cols-1 gap-3 pt-2">
                <Field label="Verifier key" hint="<origin>+<key id>+<base64 key>, as GET /api/v1/ledger/key publishes it">
                  {(control) => <Input {...control} className="font-mono" spellCheck={false} value={otherKey} onChange={(event) => setOtherKey(event.target.value)} />}
                </Field>
                <Field
                  label="Certificates keys"
                  hint="The JSON of GET /api/v1/certificates/keys (a JWK Set)"
                  error={otherCertificateKeys.trim() && !pastedKeySet ? 'Not a JWK Set: expected {"keys": [...]}' : undefined}
                >
                  {(control) => <Textarea {...control} rows={3} spellCheck={false} value={otherCertificateKeys} onChange={(event) => setOtherCertificateKeys(event.target.value)} />}
                </Field>
              </div>
            </details>
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={askRevocation} onChange={(event) => setAskRevocation(event.target.checked)} />
              Ask this server whether a certificate was revoked (sends its public id; every other check is offline)
            </label>
          </div>
          {!canCheck && <ProblemAlert title="This browser cannot check here" error={new Error('Web Crypto is only available over https (or on localhost): open this page over https.')} />}
          <div>
            <Button onClick={() => void check()} disabled={!hasInput || !key || !canCheck || (isCertificate && !keySet)} busy={checking}>
              {isCertificate ? 'Check certificate' : 'Check receipt'}
            </Button>
          </div>
        </CardContent>
      </Card>
      {result?.kind === 'receipt' && <ReceiptResult report={result.report} />}
      {result?.kind === 'certificate' && <CertificateResult report={result.report} />}
      <p className="text-sm text-muted-foreground">
        Holding a credential? <a className="underline underline-offset-2" href="/prove">Prove a claim</a> on the holder page.
      </p>
    </>
  );
}
