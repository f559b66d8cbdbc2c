import * as asn1js from 'asn1js';
import { EVIDENCE_LIMITS } from './limits.ts';
import { accept, describeError, reject, type Step } from './types.ts';

/**
 * One BER/DER element filling `bytes` exactly, decoded with asn1js under our limits: asn1js
 * recurses per nesting level, so its own depth cap (64) is what keeps a deeply nested input from
 * exhausting the stack; the element cap bounds the work a 1 MiB input can cause. Contents of
 * OCTET and BIT STRINGs are not decoded here (parseEmbedded off); callers decode what they need.
 */
export function decodeDer(bytes: Uint8Array, what: string): Step<asn1js.AsnType> {
  if (bytes.byteLength === 0) return reject('MALFORMED_CMS', `${what} is empty`);
  let decoded: ReturnType<typeof asn1js.fromBER>;
  try {
    decoded = asn1js.fromBER(bytes, { maxDepth: EVIDENCE_LIMITS.maxAsn1Depth, maxNodes: EVIDENCE_LIMITS.maxAsn1Elements, parseEmbedded: false });
  } catch (error) {
    // Some value decoders (GeneralizedTime, for one) throw instead of reporting an error.
    return reject('MALFORMED_CMS', `${what} is not valid DER (${describeError(error)})`);
  }
  const error = firstError(decoded.result);
  if (error === asn1js_NODES_ERROR) return reject('LIMIT_EXCEEDED', `${what} has more than ${EVIDENCE_LIMITS.maxAsn1Elements} ASN.1 elements`);
  if (error === asn1js_DEPTH_ERROR) return reject('MALFORMED_CMS', `${what} is nested deeper than ${EVIDENCE_LIMITS.maxAsn1Depth} ASN.1 levels`);
  if (decoded.offset === -1 || error !== null) return reject('MALFORMED_CMS', `${what} is not valid DER${error ? ` (${error})` : ''}`);
  if (decoded.offset !== bytes.byteLength) return reject('MALFORMED_CMS', `${what} has ${bytes.byteLength - decoded.offset} bytes after its DER element`);
  return accept(decoded.result);
}

const asn1js_DEPTH_ERROR = 'Maximum ASN.1 nesting depth exceeded';
const asn1js_NODES_ERROR = 'Maximum ASN.1 node count exceeded';

/** asn1js reports a failure on the innermost block and only sometimes propagates it outwards. */
function firstError(root: asn1js.AsnType): string | null {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const block = pending.pop() as { error?: string; valueBlock?: { error?: string; value?: unknown } } | undefined;
    if (!block || typeof block !== 'object') continue;
    if (block.error) return block.error;
    if (block.valueBlock?.error) return block.valueBlock.error;
    if (Array.isArray(block.valueBlock?.value)) pending.push(...block.valueBlock.value);
  }
  return null;
}
