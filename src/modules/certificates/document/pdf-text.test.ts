import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { encodableText, firstLines, wrapText } from './pdf-text.ts';

const doc = await PDFDocument.create();
const font = await doc.embedFont(StandardFonts.Helvetica);

test('text outside WinAnsi is reduced, never refused: accents and strokes to base letters, the rest to ?', () => {
  assert.equal(encodableText('Zoë Łódź ő ş € – “quoted”', font), 'Zoë Lódz o s € – “quoted”');
  assert.equal(encodableText('🚀 中文 \u0000\t\n', font), '? ?? ' + '   ');
  for (let i = 0; i < 2000; i++) {
    const text = String.fromCodePoint(...Array.from({ length: 8 }, () => randomInt(0x20, 0x2ffff)).filter((c) => c < 0xd800 || c > 0xdfff));
    assert.doesNotThrow(() => font.encodeText(encodableText(text, font)), text);
  }
});

test('wrapping keeps every line within the width, breaking words longer than a line', () => {
  const text = `${'x'.repeat(200)} a short tail`;
  const lines = wrapText(text, font, 10, 120);
  assert.ok(lines.length > 2);
  for (const line of lines) assert.ok(font.widthOfTextAtSize(line, 10) <= 120, line);
  assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''));
  assert.deepEqual(wrapText('', font, 10, 100), ['']);
  assert.deepEqual(firstLines(['one', 'two', 'three'], 2), ['one', '...']);
  assert.deepEqual(firstLines(['alpha', 'beta', 'gamma'], 2), ['alpha', 'b...']);
  assert.deepEqual(firstLines(['alpha'], 2), ['alpha']);
});
