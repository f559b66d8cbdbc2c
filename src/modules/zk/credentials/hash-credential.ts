import { ATTRIBUTE_NAMES, type CredentialAttributes } from './attributes.ts';
import { loadEddsa } from './load-eddsa.ts';

/** Poseidon(birth_date, citizenship, education_level, annual_income, expiry_date, holder_secret): the signed message. */
export async function hashCredential(attributes: CredentialAttributes): Promise<bigint> {
  const { poseidon } = await loadEddsa();
  return poseidon.F.toObject(poseidon(ATTRIBUTE_NAMES.map((name) => attributes[name])));
}
