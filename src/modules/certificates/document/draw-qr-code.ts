import { type PDFPage, rgb } from 'pdf-lib';
import QRCode from 'qrcode';

/** Modules of white border around the symbol, as ISO/IEC 18004 asks for reliable scanning. */
const QUIET_ZONE = 4;

/**
 * Draws a QR code for `text` as vector rectangles (one per horizontal run of dark modules): sharp
 * at any zoom, no image. (x, y) is the lower-left corner of the square, quiet zone included.
 */
export function drawQrCode(page: PDFPage, text: string, at: { x: number; y: number; size: number }): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const cell = at.size / (modules.size + 2 * QUIET_ZONE);
  page.drawRectangle({ x: at.x, y: at.y, width: at.size, height: at.size, color: rgb(1, 1, 1) });
  for (let row = 0; row < modules.size; row++) {
    const top = at.y + at.size - (QUIET_ZONE + row + 1) * cell;
    let column = 0;
    while (column < modules.size) {
      if (!modules.get(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.size && modules.get(row, column)) column++;
      page.drawRectangle({ x: at.x + (QUIET_ZONE + start) * cell, y: top, width: (column - start) * cell, height: cell, color: rgb(0, 0, 0) });
    }
  }
}
