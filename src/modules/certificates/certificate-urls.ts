/** Where each view of a certificate lives; `baseUrl` is PUBLIC_URL (absolute: it goes into QR codes and webhooks). */
export function verifyPageUrl(baseUrl: string, publicId: string): string {
  return `${baseUrl}/verify/${publicId}`;
}

export function publicCertificateUrl(publicId: string): string {
  return `/api/v1/public/certificates/${publicId}`;
}

export function partnerCertificateUrl(certificateId: string): string {
  return `/api/v1/certificates/${certificateId}`;
}
