import type { FastifyRequest } from 'fastify';
import { ApiError } from '#platform/http/errors.ts';
import { BULK_BODY_LIMIT_BYTES, MAX_BULK_ITEMS, MAX_DER_BYTES } from './schema.ts';
import type { BatchItem } from './submit-evidence-batch.ts';

/** Busboy's limits for the bulk route (@fastify/multipart options): a part over MAX_DER_BYTES is cut and flagged, not thrown. */
export const MULTIPART_LIMITS = {
  limits: { parts: MAX_BULK_ITEMS, files: MAX_BULK_ITEMS, fields: MAX_BULK_ITEMS, fileSize: MAX_DER_BYTES, fieldSize: 1024, fieldNameSize: 200, headerPairs: 50 },
  throwFileSizeLimit: false,
} as const;

const FILENAME = /^[^\u0000-\u001f\u007f/\\]{1,255}$/;

const PARTS_LIMIT_CODES = new Set(['FST_PARTS_LIMIT', 'FST_FILES_LIMIT', 'FST_FIELDS_LIMIT']);

/**
 * A multipart/form-data bulk body: each file part is one document (its file name kept when it is
 * a plain name); a part that is not a file, or a file over 1 MiB, is a refused item. Read whole
 * before anything is submitted, so that a body over the limits (more than 500 parts, over 32 MiB
 * in all) is refused as a whole (400 / 413) with nothing stored.
 */
export async function readMultipartBatch(request: FastifyRequest): Promise<BatchItem[]> {
  const items: BatchItem[] = [];
  let total = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') {
        items.push({ refused: { reason: 'INVALID_ITEM', message: `part ${JSON.stringify(part.fieldname.slice(0, 50))} is a field, not a file: send one document per file part` } });
        continue;
      }
      const filename = FILENAME.test(part.filename) ? part.filename : undefined;
      const der = await part.toBuffer();
      total += der.length;
      if (total > BULK_BODY_LIMIT_BYTES) throw new ApiError('PAYLOAD_TOO_LARGE', `the files add up to more than ${BULK_BODY_LIMIT_BYTES} bytes`);
      items.push(part.file.truncated ? { refused: { reason: 'TOO_LARGE', message: `the file is over the limit of ${MAX_DER_BYTES} bytes` }, filename } : { item: { der, filename } });
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && PARTS_LIMIT_CODES.has(code)) throw new ApiError('VALIDATION_FAILED', `more than ${MAX_BULK_ITEMS} parts: send at most ${MAX_BULK_ITEMS} documents per request`, { fields: ['body'] });
    throw new ApiError('VALIDATION_FAILED', 'the multipart body is malformed or cut off', { fields: ['body'] });
  }
  if (items.length === 0) throw new ApiError('VALIDATION_FAILED', 'no file part: send one document per file part', { fields: ['body'] });
  return items;
}
