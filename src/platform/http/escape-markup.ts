const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value safe inside HTML or XML (SVG): the five markup characters as entities. */
export const escapeMarkup = (value: string | number): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
