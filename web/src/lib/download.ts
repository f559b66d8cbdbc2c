/** Saves a file the console holds (a signed result, a receipt, an invoice fetched with the session), without another request. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  // The click has queued the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Saves text the console already holds as a file. */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  downloadBlob(filename, new Blob([text], { type }));
}

/** The file name a response's `Content-Disposition` gives (`attachment; filename="..."`), else `fallback`. */
export function attachmentName(disposition: string | null, fallback: string): string {
  const name = disposition && /filename="([^"]+)"/i.exec(disposition)?.[1];
  // Only a plain name: never a path the server (or a proxy) slipped in.
  return name && !/[/\\]/.test(name) ? name : fallback;
}
