/** How much of a request body has gone out. */
export type UploadProgress = { loaded: number; total: number };

/** Statuses whose response has no body (a Response with one throws). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** `getAllResponseHeaders()`'s CRLF-separated `name: value` lines as Headers. */
export function parseResponseHeaders(raw: string): Headers {
  const headers = new Headers();
  for (const line of raw.trim().split(/[\r\n]+/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * A transport for the typed client that sends through XMLHttpRequest, because fetch reports no
 * upload progress: `onProgress` hears how many bytes of the body have gone. The answer comes back
 * as a fetch Response, so the client parses it as any other.
 */
export function progressTransport(onProgress: (progress: UploadProgress) => void, Xhr: typeof XMLHttpRequest = XMLHttpRequest) {
  return async (request: Request): Promise<Response> => {
    const body = request.body ? await request.blob() : null;
    return new Promise<Response>((resolve, reject) => {
      const xhr = new Xhr();
      xhr.open(request.method, request.url);
      xhr.withCredentials = request.credentials === 'include';
      xhr.responseType = 'blob';
      request.headers.forEach((value, name) => xhr.setRequestHeader(name, value));
      xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : (body?.size ?? 0) });
      xhr.onload = () => {
        const headers = parseResponseHeaders(xhr.getAllResponseHeaders());
        resolve(new Response(NULL_BODY_STATUSES.has(xhr.status) ? null : (xhr.response as Blob), { status: xhr.status, statusText: xhr.statusText, headers }));
      };
      // fetch's way of failing, so callers tell "no answer" from an answer.
      xhr.onerror = () => reject(new TypeError('the upload failed before the server answered'));
      xhr.onabort = () => reject(new DOMException('the upload was cancelled', 'AbortError'));
      request.signal.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(body);
    });
  };
}
