import { z } from 'zod';
import { PRODUCTS, type Product } from '#modules/metering/products.ts';

export const TIERS = ['starter', 'pro', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

const MinorUnits = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ProductTermsSchema = z.strictObject({
  included_per_month: z.number().int().min(0).max(1_000_000_000).describe('Outcomes included in the month'),
  unit_price: MinorUnits.describe('Price of each outcome beyond the included ones, in minor units of the currency'),
});

/** What an operator sets: every product priced, so a plan never leaves one unpriced. */
export const PlanTermsSchema = z
  .strictObject({
    rate_limit_per_minute: z.number().int().min(1).max(1_000_000),
    monthly_spending_cap: MinorUnits.nullable().describe('Most a partner is charged in a month, in minor units; null: no cap'),
    products: z.strictObject(Object.fromEntries(PRODUCTS.map((product) => [product, ProductTermsSchema])) as Record<Product, typeof ProductTermsSchema>),
  })
  .meta({ id: 'PlanTerms' });
export type PlanTerms = z.infer<typeof PlanTermsSchema>;

const PlanVersionSchema = PlanTermsSchema.extend({
  version: z.number().int(),
  effective_from: z.string().describe('ISO 8601: the first instant of a UTC month'),
});
export type PlanVersion = z.infer<typeof PlanVersionSchema>;

export const PlanSchema = z
  .object({
    tier: z.enum(TIERS),
    currency: z.string().describe('ISO 4217 (BILLING_CURRENCY); prices are integer minor units of it'),
    current: PlanVersionSchema.describe('The version in force now'),
    next: PlanVersionSchema.nullable().describe('An edit waiting for the next period; null: none'),
  })
  .meta({ id: 'Plan' });
export type Plan = z.infer<typeof PlanSchema>;

export const TierParams = z.strictObject({ tier: z.enum(TIERS) });
