import * as pkijs from 'pkijs';
import { accept, describeError, reject, type Step } from './types.ts';

export type ContentInfoParts = { contentType: string; content: unknown };

/** ContentInfo (RFC 5652 3): its content type and the (still undecoded by pkijs) content. */
export function readContentInfo(element: unknown, what: string): Step<ContentInfoParts> {
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: element });
    return accept({ contentType: contentInfo.contentType, content: contentInfo.content });
  } catch (error) {
    return reject('MALFORMED_CMS', `${what} is not a CMS ContentInfo: ${describeError(error)}`);
  }
}
