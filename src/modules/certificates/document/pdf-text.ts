import type { PDFFont } from 'pdf-lib';

const supportedByFont = new WeakMap<PDFFont, Set<number>>();

/** Latin letters with a stroke rather than an accent: NFKD leaves them whole. */
const STROKED_LETTERS: Readonly<Record<string, string>> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', Ŧ: 'T', ŧ: 't', ı: 'i' };

function supported(font: PDFFont): Set<number> {
  let set = supportedByFont.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    supportedByFont.set(font, set);
  }
  return set;
}

/**
 * Text the font can encode: the standard fonts have WinAnsi's 218 characters only, and pdf-lib
 * throws on anything else. Controls become spaces, an accented or stroked letter outside WinAnsi
 * its base letter (NFKD without the marks), anything else (emoji, CJK) '?'. The JSON attachment keeps
 * the exact text.
 */
export function encodableText(text: string, font: PDFFont): string {
  const characters = supported(font);
  let out = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (/\p{Cc}/u.test(character)) out += ' ';
    else if (characters.has(codePoint)) out += character;
    else {
      const base = STROKED_LETTERS[character] ?? character.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base.length > 0 && [...base].every((c) => characters.has(c.codePointAt(0)!)) ? base : '?';
    }
  }
  return out;
}

/** Encodable text broken into lines no wider than `width`: at spaces, and inside words longer than a line. */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (line: string) => font.widthOfTextAtSize(line, size) <= width;
  const lines: string[] = [];
  let line = '';
  for (const word of encodableText(text, font).split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    for (const character of word) {
      if (line && !fits(line + character)) {
        lines.push(line);
        line = '';
      }
      line += character;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** At most `count` lines, the last ending in an ellipsis when text was cut. */
export function firstLines(lines: readonly string[], count: number): string[] {
  if (lines.length <= count) return [...lines];
  const kept = lines.slice(0, count);
  kept[count - 1] = `${kept[count - 1]!.replace(/.{0,3}$/u, '')}...`;
  return kept;
}
