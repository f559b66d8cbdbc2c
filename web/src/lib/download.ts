/** Saves text the console already holds (a signed result, a receipt) as a file, without another request. */
export function downloadText(filename: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  // The click has queued the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
