/** An http(s) URL without credentials, at most 2048 characters: what the API accepts for a webhook URL. */
export function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password;
}
