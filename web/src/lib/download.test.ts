import { expect, test } from 'vitest';
import { attachmentName } from './download.ts';

test("a download's name is the server's attachment name, else the fallback; never a path", () => {
  expect(attachmentName('attachment; filename="invoice-EUR-2026-000001.pdf"', 'x.pdf')).toBe('invoice-EUR-2026-000001.pdf');
  expect(attachmentName(null, 'x.pdf')).toBe('x.pdf');
  expect(attachmentName('inline', 'x.pdf')).toBe('x.pdf');
  expect(attachmentName('attachment; filename="../etc/passwd"', 'x.csv')).toBe('x.csv');
});
