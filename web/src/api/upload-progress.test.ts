import { expect, test } from 'vitest';
import { parseResponseHeaders, progressTransport, type UploadProgress } from './upload-progress.ts';

/** Stands in for the browser's XMLHttpRequest: records what it was sent, reports progress, answers 201. */
class RecordingXhr {
  static last: RecordingXhr | undefined;
  sent: { method?: string; url?: string; headers: Record<string, string>; body?: Blob | null } = { headers: {} };
  upload: { onprogress?: (event: { loaded: number; total: number; lengthComputable: boolean }) => void } = {};
  withCredentials = false;
  responseType = '';
  status = 0;
  statusText = '';
  response: unknown = null;
  onload?: () => void;
  onerror?: () => void;
  onabort?: () => void;
  constructor() {
    RecordingXhr.last = this;
  }
  open(method: string, url: string) {
    Object.assign(this.sent, { method, url });
  }
  setRequestHeader(name: string, value: string) {
    this.sent.headers[name] = value;
  }
  getAllResponseHeaders() {
    return 'content-type: application/json\r\nx-request-id: req_1\r\n';
  }
  abort() {}
  send(body: Blob | null) {
    this.sent.body = body;
    const size = body?.size ?? 0;
    this.upload.onprogress?.({ loaded: size / 2, total: size, lengthComputable: true });
    this.upload.onprogress?.({ loaded: size, total: size, lengthComputable: true });
    Object.assign(this, { status: 201, statusText: 'Created', response: new Blob([JSON.stringify({ size })]) });
    this.onload?.();
  }
}

test('sends the request through XMLHttpRequest, reports the bytes sent and answers a fetch Response', async () => {
  const heard: UploadProgress[] = [];
  const send = progressTransport((progress) => heard.push(progress), RecordingXhr as unknown as typeof XMLHttpRequest);
  const bytes = new Uint8Array(1000);
  const response = await send(new Request('https://console.test/api/admin/artifacts/a/b.wasm', { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': 't' }, credentials: 'include' }));
  const xhr = RecordingXhr.last!;
  expect(xhr.sent).toMatchObject({ method: 'PUT', url: 'https://console.test/api/admin/artifacts/a/b.wasm', headers: { 'content-type': 'application/octet-stream', 'x-csrf-token': 't' } });
  expect(xhr.sent.body?.size).toBe(1000);
  expect(xhr.withCredentials).toBe(true);
  expect(heard).toEqual([{ loaded: 500, total: 1000 }, { loaded: 1000, total: 1000 }]);
  expect(response.status).toBe(201);
  expect(response.headers.get('x-request-id')).toBe('req_1');
  expect(await response.json()).toEqual({ size: 1000 });
});

test('response headers are read line by line; a value may hold a colon', () => {
  const headers = parseResponseHeaders('content-type: application/json\r\nlocation: http://x.test:8080/a\r\n');
  expect(headers.get('location')).toBe('http://x.test:8080/a');
  expect(headers.get('content-type')).toBe('application/json');
});
