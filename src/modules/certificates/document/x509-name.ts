import * as pkijs from 'pkijs';
import { OID } from './cms-identifiers.ts';

/** The first commonName of a name, or undefined. */
export function commonName(name: pkijs.RelativeDistinguishedNames): string | undefined {
  const attribute = name.typesAndValues.find((item) => item.type === OID.commonName);
  const value = attribute?.value.valueBlock.value;
  return typeof value === 'string' ? value : undefined;
}

/** The subject commonName of a DER certificate, or undefined when it has none or does not parse. */
export function subjectCommonName(certificateDer: Uint8Array): string | undefined {
  try {
    return commonName(pkijs.Certificate.fromBER(new Uint8Array(certificateDer)).subject);
  } catch {
    return undefined;
  }
}
