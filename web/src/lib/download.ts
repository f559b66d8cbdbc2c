/** Saves text the console already holds (a signed result, a receipt) as a file, without another request. */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  downloadBlob(filename, new Blob([text], { type }));
}

/** Saves bytes the console already holds (a PDF it fetched) as a file. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  // The click has queued the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
