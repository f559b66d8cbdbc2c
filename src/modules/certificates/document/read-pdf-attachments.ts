import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';

export type PdfAttachments =
  | { ok: true; files: ReadonlyMap<string, Uint8Array>; keywords: string | undefined }
  | { ok: false; message: string };

/** Far above a certificate's attachments; a larger (or flate-bombed) one is refused, not inflated. */
const MAX_ATTACHMENT_BYTES = 1024 * 1024;
const MAX_TREE_DEPTH = 8;
/** Names and nodes visited, all told: a tree whose Kids point back at itself stops here. */
const MAX_TREE_ENTRIES = 256;

class AttachmentError extends Error {}

function fileBytes(fileSpec: PDFDict): Uint8Array {
  const stream = fileSpec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
  if (!(stream instanceof PDFRawStream)) throw new AttachmentError('an attachment has no embedded file stream');
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter === undefined ? [] : [filter];
  if (filters.length === 0 && stream.getContentsSize() <= MAX_ATTACHMENT_BYTES) return stream.getContents();
  if (filters.length !== 1 || filters[0] !== PDFName.of('FlateDecode') || stream.dict.has(PDFName.of('DecodeParms'))) {
    throw new AttachmentError('an attachment is encoded other than with plain FlateDecode, or is too large');
  }
  try {
    return inflateSync(stream.getContents(), { maxOutputLength: MAX_ATTACHMENT_BYTES });
  } catch (error) {
    throw new AttachmentError(`an attachment does not inflate (or exceeds ${MAX_ATTACHMENT_BYTES} bytes): ${(error as Error).message}`);
  }
}

/** Walks an EmbeddedFiles name tree (Names pairs and Kids), keeping the wanted names. */
function collect(node: PDFDict, depth: number, wanted: ReadonlySet<string>, files: Map<string, Uint8Array>, visited: { entries: number }): void {
  if (depth > MAX_TREE_DEPTH || ++visited.entries > MAX_TREE_ENTRIES) throw new AttachmentError('the attachment name tree is too deep or too large');
  const names = node.lookupMaybe(PDFName.of('Names'), PDFArray);
  for (let i = 0; names && i + 1 < names.size(); i += 2) {
    if (++visited.entries > MAX_TREE_ENTRIES) throw new AttachmentError('the PDF has too many attachments');
    const key = names.lookup(i);
    if (!(key instanceof PDFString || key instanceof PDFHexString)) throw new AttachmentError('an attachment name is not a string');
    const name = key.decodeText();
    if (!wanted.has(name)) continue;
    if (files.has(name)) throw new AttachmentError(`the PDF has two attachments named ${name}`);
    const fileSpec = names.lookup(i + 1);
    if (!(fileSpec instanceof PDFDict)) throw new AttachmentError(`the attachment ${name} has no file specification`);
    files.set(name, fileBytes(fileSpec));
  }
  const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
  for (let i = 0; kids && i < kids.size(); i++) {
    const kid = kids.lookup(i);
    if (kid instanceof PDFDict) collect(kid, depth + 1, wanted, files, visited);
  }
}

/**
 * The named attachments of a PDF (catalog /Names /EmbeddedFiles) and its document keywords.
 * Never throws: a PDF that does not parse, or whose attachments cannot be read, is a failure.
 */
export async function readPdfAttachments(pdf: Uint8Array, names: readonly string[]): Promise<PdfAttachments> {
  try {
    // Strict: an invalid object fails the read (pdf-lib would otherwise guess, and log to the console).
    const doc = await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
    const files = new Map<string, Uint8Array>();
    const tree = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict)?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
    if (tree) collect(tree, 0, new Set(names), files, { entries: 0 });
    return { ok: true, files, keywords: doc.getKeywords() };
  } catch (error) {
    const message = error instanceof AttachmentError ? error.message : `the PDF does not parse: ${(error as Error)?.message ?? String(error)}`;
    return { ok: false, message };
  }
}
