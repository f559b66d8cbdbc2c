/**
 * The CMS verification library (pkijs, asn1js) is loaded on first use, so a server that receives
 * no signed evidence never holds it (see load-certificate-documents.ts).
 */
export const loadEvidenceVerification = () => import('./verification/index.ts');
