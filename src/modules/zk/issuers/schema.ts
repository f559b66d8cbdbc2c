import { z } from 'zod';
import { CLAIM_TYPES } from '../credentials/claim-types.ts';
import type { issuers } from '../tables.ts';

// Baby Jubjub (twisted Edwards over the BN254 scalar field): a*x^2 + y^2 = 1 + d*x^2*y^2.
const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const A = 168700n;
const D = 168696n;

export function isOnBabyJubJub(x: bigint, y: bigint): boolean {
  if (x < 0n || y < 0n || x >= P || y >= P) return false;
  const x2 = (x * x) % P;
  const y2 = (y * y) % P;
  return (A * x2 + y2) % P === (1n + ((D * x2) % P) * y2) % P;
}

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,77})$/;
const FieldElement = z.string().regex(CANONICAL_DECIMAL, 'must be a canonical decimal field element');

/** zod runs this refinement even when a coordinate failed its own check: BigInt only sees canonical decimals. */
function isCurvePoint(point: { ax: unknown; ay: unknown }): boolean {
  const { ax, ay } = point;
  if (typeof ax !== 'string' || typeof ay !== 'string' || !CANONICAL_DECIMAL.test(ax) || !CANONICAL_DECIMAL.test(ay)) return true; // already reported
  return isOnBabyJubJub(BigInt(ax), BigInt(ay));
}

export const IssuerCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    public_key: z.strictObject({ ax: FieldElement, ay: FieldElement }),
    claim_types: z.array(z.enum(CLAIM_TYPES)).min(1).refine((v) => new Set(v).size === v.length, 'must not repeat a claim type'),
  })
  .refine((body) => typeof body.public_key !== 'object' || body.public_key === null || isCurvePoint(body.public_key), {
    message: 'is not a point on Baby Jubjub',
    path: ['public_key'],
  })
  .meta({ id: 'IssuerCreate' });

export const IssuerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    public_key: z.object({ ax: z.string(), ay: z.string() }),
    claim_types: z.array(z.string()),
    created_at: z.string(),
    disabled_at: z.string().nullable(),
  })
  .meta({ id: 'Issuer' });

export type Issuer = z.infer<typeof IssuerSchema>;

export function toIssuer(row: typeof issuers.$inferSelect): Issuer {
  return {
    id: row.id,
    name: row.name,
    public_key: { ax: row.publicKeyAx, ay: row.publicKeyAy },
    claim_types: row.claimTypes,
    created_at: row.createdAt.toISOString(),
    disabled_at: row.disabledAt?.toISOString() ?? null,
  };
}

