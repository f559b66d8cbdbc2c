/**
 * The document library (pdf-lib, pkijs, qrcode, @signpdf: ~40 MB resident once loaded) is loaded
 * on first use, so a server that renders, signs or checks no certificate never holds it. What
 * every path needs (the JSON body, its JWS) is imported from its own light files instead.
 */
export const loadCertificateDocuments = () => import('./document/index.ts');
