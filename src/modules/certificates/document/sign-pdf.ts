import { SignPdf, Signer } from '@signpdf/signpdf';
import { createCadesSignature, type PdfSigner } from './create-cades-signature.ts';

/** @signpdf hands the bytes the ByteRange covers to a Signer and puts its DER CMS into /Contents. */
class CadesSigner extends Signer {
  readonly #signer: PdfSigner;

  constructor(signer: PdfSigner) {
    super();
    this.#signer = signer;
  }

  override async sign(coveredBytes: Buffer): Promise<Buffer> {
    return Buffer.from(createCadesSignature(coveredBytes, this.#signer));
  }
}

/** Fills the signature placeholder of a PDF (pdflibAddPlaceholder) with a PAdES CMS signature. */
export async function signPdf(pdfWithPlaceholder: Uint8Array, signer: PdfSigner): Promise<Uint8Array> {
  return new Uint8Array(await new SignPdf().sign(Buffer.from(pdfWithPlaceholder), new CadesSigner(signer)));
}
