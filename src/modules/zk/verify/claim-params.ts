import { z } from 'zod';
import { CLAIM_CIRCUITS, type ClaimType } from '../credentials/claim-types.ts';

/** The named parameter each claim type's `param` public signal carries (age claims have a fixed one). */
export const CLAIM_PARAM_NAMES: Record<ClaimType, string | undefined> = {
  age_over_18: undefined,
  age_over_21: undefined,
  citizenship: 'country',
  education: 'min_level',
  income_gte: 'min_income',
};

export const ClaimParamsSchema = z
  .record(z.string(), z.number().int().nonnegative())
  .describe('citizenship: {country: ISO 3166-1 numeric}; education: {min_level}; income_gte: {min_income}; age claims: none');

export type ExpectedParam = { ok: true; param: bigint } | { ok: false; message: string };

/** The `param` a valid proof must carry for this claim type and these request parameters. */
export function expectedParam(claimType: ClaimType, params: Record<string, number> | undefined): ExpectedParam {
  const circuit = CLAIM_CIRCUITS[claimType];
  const name = CLAIM_PARAM_NAMES[claimType];
  if (name === undefined) {
    if (params && Object.keys(params).length > 0) return { ok: false, message: `${claimType} takes no params` };
    return { ok: true, param: circuit.requiredParam! };
  }
  const extra = Object.keys(params ?? {}).filter((key) => key !== name);
  if (extra.length > 0) return { ok: false, message: `${claimType} takes only params.${name}; unknown: ${extra.join(', ')}` };
  const value = params?.[name];
  if (value === undefined) return { ok: false, message: `${claimType} needs params.${name}` };
  const param = BigInt(value);
  if (param < circuit.paramMin || param > circuit.paramMax) {
    return { ok: false, message: `params.${name} must be between ${circuit.paramMin} and ${circuit.paramMax}` };
  }
  return { ok: true, param };
}
