import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import type { Schemas } from '../../api/client.ts';
import { useApi } from '../../api/context.tsx';
import { unwrap } from '../../api/problem.ts';
import { PageHeader } from '../../components/layout.tsx';
import { Badge } from '../../components/ui/badge.tsx';
import { Button } from '../../components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '../../components/ui/card.tsx';
import { CopyButton } from '../../components/ui/copy.tsx';
import { Dialog } from '../../components/ui/dialog.tsx';
import { StatusFilterEmptyState } from '../../components/ui/empty-state.tsx';
import { allOr, Field, FilterSelect, Textarea } from '../../components/ui/input.tsx';
import { JsonTree } from '../../components/ui/json-tree.tsx';
import { QueryState } from '../../components/ui/query-state.tsx';
import { NameCell, Pagination, Table, TBody, Td, Th, THead, Tr } from '../../components/ui/table.tsx';
import { ProblemAlert, useToast } from '../../components/ui/toast.tsx';
import { Detail, DetailList } from '../../components/ui/detail-list.tsx';
import { useCursorPages } from '../../lib/cursor-pages.ts';
import { downloadBlob, downloadText } from '../../lib/download.ts';
import { formatDateTime } from '../../lib/format.ts';

type Certificate = Schemas['Certificate'];
type CertificateStatus = Certificate['status'];

const PAGE_SIZE = 10;
const CERTIFICATES_KEY = ['partner', 'certificates'] as const;
const STATUS_TONE = { CERTIFIED_NO_ANCHOR: 'success', ANCHORED: 'success', REVOKED: 'danger' } as const satisfies Record<CertificateStatus, string>;
const STATUS_LABEL = { CERTIFIED_NO_ANCHOR: 'certified', ANCHORED: 'anchored', REVOKED: 'revoked' } as const satisfies Record<CertificateStatus, string>;
const STATUSES = Object.keys(STATUS_TONE) as CertificateStatus[];
/** The API's bound on a revocation reason. */
const MAX_REASON = 500;

/** What the certificate is of, in a few words: the erased device, or the document's type. */
function subjectOf(certificate: Certificate): string {
  const report = certificate.certificate.report;
  if (report) return [report.device.manufacturer, report.device.model, report.device.serial].filter(Boolean).join(' ') || report.device.type;
  return certificate.certificate.document.schema ?? certificate.certificate.document.media_type;
}

/**
 * A file the API serves for download (the PDF, the JSON bundle, the receipt): 202 with Retry-After
 * while the ledger checkpoint the file embeds is not there yet, said as such rather than saved.
 */
async function fileOrPending<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ kind: 'ready'; data: T } | { kind: 'pending'; retryAfter: number }> {
  let status = 0;
  let retryAfter: string | null = null;
  const data = await unwrap(
    call.then((answer) => {
      ({ status } = answer.response);
      retryAfter = answer.response.headers.get('retry-after');
      return answer;
    }),
  );
  return status === 202 ? { kind: 'pending', retryAfter: Number(retryAfter ?? 2) } : { kind: 'ready', data };
}

type FileOrPending<T> = Awaited<ReturnType<typeof fileOrPending<T>>>;

/** Downloads one of a certificate's files, or says when to try again. */
function useFileDownload<T>(what: string, fetchFile: () => Promise<FileOrPending<T>>, save: (data: T) => void) {
  const toast = useToast();
  return useMutation({
    mutationFn: fetchFile,
    onSuccess: (file) => {
      if (file.kind === 'ready') save(file.data);
      else toast.success(`The ${what} is not ready yet`, `A ledger checkpoint covers a new certificate within seconds: try again in ${file.retryAfter} s.`);
    },
    onError: (error) => toast.problem(error, `Could not download the ${what}`),
  });
}

function CertificatesCard({ selected, onSelect }: { selected: string | undefined; onSelect: (id: string) => void }) {
  const api = useApi();
  const [status, setStatus] = useState<CertificateStatus | 'all'>('all');
  const pages = useCursorPages();
  const certificates = useQuery({
    queryKey: [...CERTIFICATES_KEY, 'list', status, pages.cursor],
    queryFn: () => unwrap(api.client.GET('/api/v1/certificates', { params: { query: { limit: PAGE_SIZE, ...(status === 'all' ? {} : { status }), ...(pages.cursor ? { cursor: pages.cursor } : {}) } } })),
  });
  const rows = certificates.data?.data ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Certificates</CardTitle>
        <CardDescription>
          Newest first. Each certifies one signed document you submitted: those, with their outcome and why one was rejected, are on the{' '}
          <Link to="/proofs" className="underline underline-offset-2">
            Proofs
          </Link>{' '}
          page.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4">
        <div className="max-w-56">
          <FilterSelect
            label="Status"
            value={status}
            options={allOr(STATUSES, (value) => STATUS_LABEL[value])}
            onChange={(value) => {
              setStatus(value);
              pages.reset();
            }}
          />
        </div>
        <QueryState
          query={certificates}
          what="the certificates"
          empty={
            rows.length === 0 &&
            pages.page === 1 && (
              <StatusFilterEmptyState
                status={status === 'all' ? status : STATUS_LABEL[status]}
                noun="certificates"
                whatFillsIt="A signed document (POST /api/v1/proofs, or an enrolled agent) that verifies against your trust anchors is certified: its certificate appears here."
              />
            )
          }
        >
          <div>
            <Table label="Certificates">
              <THead>
                <Tr>
                  <Th>Certificate</Th>
                  <Th>Status</Th>
                  <Th>Issued</Th>
                  <Th aria-label="Actions" />
                </Tr>
              </THead>
              <TBody>
                {rows.map((row) => (
                  <Tr key={row.id} data-certificate={row.id} data-status={row.status}>
                    <NameCell name={subjectOf(row)} id={row.id} />
                    <Td>
                      <Badge tone={STATUS_TONE[row.status]}>{STATUS_LABEL[row.status]}</Badge>
                    </Td>
                    <Td className="text-xs whitespace-nowrap">{formatDateTime(row.issued_at)}</Td>
                    <Td>
                      <Button variant={selected === row.id ? 'default' : 'ghost'} size="sm" aria-pressed={selected === row.id} aria-label={`Details of ${row.id}`} onClick={() => onSelect(row.id)}>
                        Details
                      </Button>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
            <Pagination page={pages.page} hasNext={Boolean(certificates.data?.next_cursor)} onPage={(page) => pages.go(page, certificates.data?.next_cursor)} />
          </div>
        </QueryState>
      </CardContent>
    </Card>
  );
}

function RevokeDialog({ certificate, open, onClose }: { certificate: Certificate; open: boolean; onClose: () => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>();
  const revoke = useMutation({
    mutationFn: (body: { reason: string }) =>
      unwrap(api.client.POST('/api/v1/certificates/{id}/revoke', { params: { path: { id: certificate.id }, header: { 'idempotency-key': crypto.randomUUID() } }, body })),
    onSuccess: async (revoked) => {
      toast.success('Certificate revoked', `${revoked.id}: its verify page and every public check now say revoked.`);
      await queryClient.invalidateQueries({ queryKey: CERTIFICATES_KEY });
      onClose();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Say why: the reason is kept with the certificate (you alone see it)');
      return;
    }
    revoke.mutate({ reason: reason.trim() });
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Revoke ${certificate.id}?`}
      description="Revoking cannot be undone. The ledger records it, a certificate.revoked webhook is sent, and the verify page and public checks say revoked (with the time, not the reason). PDFs already handed out stay signed, but their checks say revoked."
    >
      <form className="grid grid-cols-1 gap-4" onSubmit={submit} noValidate>
        <Field label="Reason" hint="Kept with the certificate; shown to you only" error={error}>
          {(control) => (
            <Textarea
              {...control}
              rows={3}
              maxLength={MAX_REASON}
              className="font-sans"
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
                setError(undefined);
              }}
            />
          )}
        </Field>
        {revoke.isError && <ProblemAlert error={revoke.error} title="The certificate was not revoked" />}
        <div className="flex flex-wrap justify-end gap-2">
          <Button variant="outline" onClick={onClose} disabled={revoke.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="destructive" busy={revoke.isPending}>
            Revoke certificate
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function CertificateDetail({ id }: { id: string }) {
  const api = useApi();
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const certificate = useQuery({ queryKey: [...CERTIFICATES_KEY, 'one', id], queryFn: () => unwrap(api.client.GET('/api/v1/certificates/{id}', { params: { path: { id } } })) });
  const data = certificate.data;
  const name = `certificate-${data?.public_id ?? id}`;
  const json = useFileDownload(
    'certificate JSON',
    () => fileOrPending(api.client.GET('/api/v1/certificates/{id}/certificate.json', { params: { path: { id } } })),
    (bundle) => downloadText(`${name}.json`, JSON.stringify(bundle, null, 2), 'application/json'),
  );
  const pdf = useFileDownload(
    'PDF',
    () => fileOrPending(api.client.GET('/api/v1/certificates/{id}/certificate.pdf', { params: { path: { id } }, parseAs: 'blob' })),
    (blob) => downloadBlob(`${name}.pdf`, blob),
  );
  const receipt = useFileDownload(
    'ledger receipt',
    () => fileOrPending(api.client.GET('/api/v1/receipts/{id}', { params: { path: { id } }, parseAs: 'text' })),
    (text) => downloadText(`${id}.receipt`, text),
  );
  return (
    <Card aria-labelledby="certificate-detail" data-certificate-detail={id} data-status={data?.status}>
      <CardHeader>
        <CardTitle id="certificate-detail">
          Certificate <span className="font-mono break-all">{id}</span>
        </CardTitle>
        {data && (
          <div role="status" className="flex flex-wrap items-center gap-2 text-sm">
            <Badge tone={STATUS_TONE[data.status]}>{STATUS_LABEL[data.status]}</Badge>
            {data.status === 'REVOKED' && <span className="text-muted-foreground">since {formatDateTime(data.revoked_at)}</span>}
          </div>
        )}
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-5">
        {certificate.isError && <ProblemAlert error={certificate.error} title="Could not load the certificate" />}
        {data && (
          <>
            <DetailList>
              <Detail label="Subject">{data.certificate.subject.display_name}</Detail>
              <Detail label="Of">{subjectOf(data)}</Detail>
              <Detail label="Issued">{formatDateTime(data.issued_at)}</Detail>
              {data.status === 'REVOKED' && (
                <Detail label="Revoked">
                  {formatDateTime(data.revoked_at)}: {data.revocation_reason}
                </Detail>
              )}
              <Detail label="Public id" className="font-mono text-xs break-all">{data.public_id}</Detail>
              <Detail label="Verify page" className="flex flex-wrap items-center gap-2 break-all">
                <a className="underline underline-offset-2" href={data.verify_url}>
                  {data.verify_url}
                </a>
                <CopyButton value={data.verify_url} label="Copy verify URL" />
              </Detail>
              <Detail label="Submission">
                <span className="font-mono text-xs break-all">{data.evidence_id}</span>{' '}
                <Link to="/proofs" className="text-sm underline underline-offset-2">
                  on the Proofs page
                </Link>
              </Detail>
              <Detail label="Document SHA-256" className="font-mono text-xs break-all">{data.document_sha256}</Detail>
              {data.anchor && (
                <Detail label="Anchor" className="font-mono text-xs break-all">
                  chain {data.anchor.chain_id}, transaction {data.anchor.transaction}
                </Detail>
              )}
            </DetailList>
            <div className="flex flex-wrap gap-2">
              <Button variant="outline" size="sm" busy={json.isPending} onClick={() => json.mutate()}>
                Download JSON
              </Button>
              <Button variant="outline" size="sm" busy={pdf.isPending} onClick={() => pdf.mutate()}>
                Download PDF
              </Button>
              <Button variant="outline" size="sm" busy={receipt.isPending} onClick={() => receipt.mutate()}>
                Download ledger receipt
              </Button>
              {data.status !== 'REVOKED' && (
                <Button variant="destructive" size="sm" onClick={() => setConfirmRevoke(true)}>
                  Revoke…
                </Button>
              )}
            </div>
            <p className="text-sm text-muted-foreground">
              The JSON (the signed certificate, its JWS and ledger receipt) is checked offline on the{' '}
              <Link to="/check" className="underline underline-offset-2">
                Check a receipt or certificate
              </Link>{' '}
              page, or with <code>veridity verify-certificate</code>.
            </p>
            <section aria-labelledby="signed-certificate" className="grid grid-cols-1 gap-2">
              <h3 id="signed-certificate" className="font-medium">
                Signed certificate
              </h3>
              <JsonTree value={data.certificate} label="Signed certificate" openDepth={2} />
            </section>
            <RevokeDialog certificate={data} open={confirmRevoke} onClose={() => setConfirmRevoke(false)} />
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** Evidence certificates: the list, one certificate's details and files, and its revocation. */
export function CertificatesPage() {
  const [selected, setSelected] = useState<string | undefined>();
  return (
    <>
      <PageHeader title="Certificates" description="The certificates issued for your signed evidence: what each certifies, its files for offline checks, and revocation." />
      {selected && <CertificateDetail key={selected} id={selected} />}
      <CertificatesCard selected={selected} onSelect={setSelected} />
    </>
  );
}
