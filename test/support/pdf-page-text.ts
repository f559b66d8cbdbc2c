import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, type PDFRawStream } from 'pdf-lib';

/** The text a PDF's first page shows, one drawText per line: pdf-lib writes each as a WinAnsi hex string shown with Tj (in a Flate stream). */
export async function pageText(pdf: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const contents = doc.getPages()[0]!.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
  return streams
    .map((stream) => inflateSync((stream as PDFRawStream).getContents()).toString('latin1'))
    .flatMap((operators) => [...operators.matchAll(/<([0-9A-Fa-f]*)> Tj/g)].map((m) => Buffer.from(m[1]!, 'hex').toString('latin1')))
    .join('\n');
}
