import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeDer } from './decode-der.ts';
import { createFactsCache } from './facts-cache.ts';
import { formatName, nameKey } from './format-name.ts';
import { OID } from './oids.ts';
import { integerHex, sameAlgorithm } from './read-certificate.ts';
import { accept, describeError, reject, type Step } from './types.ts';

/** CRLReason removeFromCRL (RFC 5280 5.3.1): a delta CRL saying the entry is no longer revoked. */
const REMOVE_FROM_CRL = 8;

/** What revocation checking needs from one X.509 CRL. */
export type CrlFacts = {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  signatureValue: Uint8Array;
  issuer: string;
  issuerKey: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Serial numbers (lowercase hex, no leading zeros) listed as revoked. */
  revokedSerials: ReadonlySet<string>;
};

const cached = createFactsCache<CrlFacts>(256);

export function readCrl(der: Uint8Array): Step<CrlFacts> {
  return cached(der, () => parseCrl(der));
}

function parseCrl(der: Uint8Array): Step<CrlFacts> {
  const decoded = decodeDer(der, 'CRL');
  if (!decoded.ok) return decoded;
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: decoded.value });
  } catch (error) {
    return reject('MALFORMED_CMS', `CRL does not parse: ${describeError(error)}`);
  }
  const thisUpdate = crl.thisUpdate.value;
  const nextUpdate = crl.nextUpdate?.value ?? null;
  if (Number.isNaN(thisUpdate.getTime()) || (nextUpdate && Number.isNaN(nextUpdate.getTime()))) return reject('MALFORMED_CMS', 'CRL dates do not parse');
  if (!sameAlgorithm(crl.signature, crl.signatureAlgorithm)) return reject('MALFORMED_CMS', 'CRL signature algorithm differs inside and outside tbsCertList');
  const revokedSerials = new Set<string>();
  for (const entry of crl.revokedCertificates ?? []) {
    if (entryReason(entry) !== REMOVE_FROM_CRL) revokedSerials.add(integerHex(entry.userCertificate));
  }
  return accept({
    der: new Uint8Array(der),
    tbs: crl.tbsView,
    signatureAlgorithm: crl.signatureAlgorithm,
    signatureValue: crl.signatureValue.valueBlock.valueHexView,
    issuer: formatName(crl.issuer),
    issuerKey: nameKey(crl.issuer),
    thisUpdate,
    nextUpdate,
    revokedSerials,
  });
}

/** The entry's reason code, or null; an unreadable reason counts as revoked (fail closed). */
function entryReason(entry: pkijs.RevokedCertificate): number | null {
  const reason = entry.crlEntryExtensions?.extensions.find((extension) => extension.extnID === OID.crlReason);
  if (!reason) return null;
  const value = decodeDer(reason.extnValue.valueBlock.valueHexView, 'CRL reason');
  return value.ok && value.value instanceof asn1js.Enumerated ? value.value.valueBlock.valueDec : null;
}
