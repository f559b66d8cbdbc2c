/**
 * The reputation model (docs/reputation.md): pure functions. Evidence becomes items (weighted
 * positive and negative mass at a time), items are summed per component (source and strength)
 * with exponential decay, and the sums give a Beta score and a confidence.
 */
import type { AgentSettlementFacts } from '#modules/x402/list-agent-settlements.ts';

export const SOURCES = ['work', 'validation', 'feedback'] as const;
export type Source = (typeof SOURCES)[number];
/** What backs a piece of evidence, strongest first. */
export const STRENGTHS = ['paid_verified', 'paid', 'verified', 'bare'] as const;
export type Strength = (typeof STRENGTHS)[number];
export type ComponentKey = `${Source}/${Strength}`;

/** Mass of one unit of evidence by strength. */
export const STRENGTH_WEIGHTS: Record<Strength, number> = { paid_verified: 4, paid: 2, verified: 1, bare: 0.25 };
/**
 * The most a component's decayed mass counts for: unpaid evidence anyone can add in bulk (bare
 * feedback from many partners, unpaid feedback on work records, third-party validations).
 */
export const COMPONENT_CAPS: Partial<Record<ComponentKey, number>> = { 'feedback/verified': 5, 'feedback/bare': 2, 'validation/bare': 1 };
/** The Beta prior: a score of 0.5 before any evidence weighs in. */
export const PRIOR = { alpha: 1, beta: 1 } as const;
/** Confidence = mass / (mass + K): 0.5 at a mass of K. */
export const CONFIDENCE_K = 5;
const DAY_MS = 86_400_000;

export type ReputationSettings = {
  /** Evidence mass halves in this many days. */
  halfLifeDays: number;
  /** Settlements of one payer to one agent that count within the window (the rest are recorded but weigh nothing). */
  payerMaxSettlements: number;
  payerWindowHours: number;
};
export const DEFAULT_REPUTATION_SETTINGS: ReputationSettings = { halfLifeDays: 90, payerMaxSettlements: 3, payerWindowHours: 24 };

/** One event's contribution: weighted evidence at `at`, before decay. */
export type ReputationItem = { subjectId: string; source: Source; strength: Strength; at: Date; positive: number; negative: number };
export type Mass = { positive: number; negative: number };
/** Decayed sums per component at a reference time. */
export type Sums = Partial<Record<ComponentKey, Mass>>;

export const componentKey = (item: { source: Source; strength: Strength }): ComponentKey => `${item.source}/${item.strength}`;

/** 2^(-(to - from) / half-life): what one unit of mass at `from` weighs at `to`. */
export function decayFactor(from: Date, to: Date, halfLifeDays: number): number {
  return 2 ** (-(to.getTime() - from.getTime()) / (halfLifeDays * DAY_MS));
}

export function decaySums(sums: Sums, factor: number): Sums {
  const decayed: Sums = {};
  for (const [key, mass] of Object.entries(sums) as [ComponentKey, Mass][]) decayed[key] = { positive: mass.positive * factor, negative: mass.negative * factor };
  return decayed;
}

/** Adds (sign 1) or removes (sign -1) an item's contribution, decayed to `now`, to sums held at `now`. */
export function applyItem(sums: Sums, item: ReputationItem, now: Date, halfLifeDays: number, sign: 1 | -1): void {
  const factor = sign * decayFactor(item.at, now, halfLifeDays);
  const key = componentKey(item);
  const mass = sums[key] ?? { positive: 0, negative: 0 };
  sums[key] = { positive: mass.positive + factor * item.positive, negative: mass.negative + factor * item.negative };
}

/** The sums at `now` of all items, from scratch (what the incremental sums must equal). */
export function sumItems(items: ReputationItem[], now: Date, halfLifeDays: number): Sums {
  const sums: Sums = {};
  for (const item of items) applyItem(sums, item, now, halfLifeDays, 1);
  return sums;
}

export type ComponentView = { source: Source; strength: Strength; positive: number; negative: number; mass: number; cap: number | null; counted_mass: number };
export type Evaluation = { score: number | null; confidence: number; positive: number; negative: number; mass: number; components: ComponentView[] };

/**
 * Score and confidence from sums at one time: each component's mass counts up to its cap (scaled
 * down proportionally), score = (alpha + P) / (alpha + beta + P + N), confidence = M / (M + K).
 * No components (no evidence): score null, confidence 0.
 */
export function evaluate(sums: Sums): Evaluation {
  let positive = 0;
  let negative = 0;
  const components: ComponentView[] = [];
  for (const source of SOURCES) {
    for (const strength of STRENGTHS) {
      const sum = sums[`${source}/${strength}`];
      if (!sum) continue;
      // Removals leave float dust: never below zero.
      const p = Math.max(0, sum.positive);
      const n = Math.max(0, sum.negative);
      const cap = COMPONENT_CAPS[`${source}/${strength}`] ?? null;
      const scale = cap !== null && p + n > cap ? cap / (p + n) : 1;
      positive += p * scale;
      negative += n * scale;
      components.push({ source, strength, positive: p, negative: n, mass: p + n, cap, counted_mass: (p + n) * scale });
    }
  }
  const mass = positive + negative;
  if (components.length === 0) return { score: null, confidence: 0, positive: 0, negative: 0, mass: 0, components };
  return { score: (PRIOR.alpha + positive) / (PRIOR.alpha + PRIOR.beta + mass), confidence: mass / (mass + CONFIDENCE_K), positive, negative, mass, components };
}

/** Splits `weight` of evidence at a score in [0, 100]: s/100 positive, the rest negative. */
function scored(weight: number, score: number): Mass {
  return { positive: (weight * score) / 100, negative: (weight * (100 - score)) / 100 };
}

/** Who the agent is, to tell self-dealing: its controller's address and the partners with an agent of that controller (the owner included). */
export type AgentSelf = { controllerNamespace: 'eip155' | 'solana'; controllerAddress: string; clients: ReadonlySet<string> };

/**
 * Whether a settlement backs evidence: not refused by the facilitator, not paid by the agent's
 * own side (a partner with an agent of the same controller, or the controller's own account),
 * and within the payer's first `payerMaxSettlements` to this agent in `payerWindowHours`.
 */
export function settlementCounts(settlement: AgentSettlementFacts, self: AgentSelf, settings: ReputationSettings): boolean {
  if (settlement.status === 'settle_failed') return false;
  if (settlement.clientId === null || self.clients.has(settlement.clientId)) return false;
  const samePayer = self.controllerNamespace === 'eip155' ? settlement.payer.toLowerCase() === self.controllerAddress.toLowerCase() : settlement.payer === self.controllerAddress;
  return !samePayer && settlement.payerRank <= settings.payerMaxSettlements;
}

/** A work record: its outcome, one unit, `verified` (Veridity verified its evidence) or `paid_verified` (a counting settlement pays it). */
export function workItem(work: { id: string; outcome: 'succeeded' | 'failed'; recordedAt: Date }, paid: boolean): ReputationItem {
  const strength = paid ? 'paid_verified' : 'verified';
  return { subjectId: work.id, source: 'work', strength, at: work.recordedAt, ...scored(STRENGTH_WEIGHTS[strength], work.outcome === 'succeeded' ? 100 : 0) };
}

/** A third party's validation (unverified: `bare`); Veridity's own is the work record's item already. */
export function validationItem(validation: { id: string; response: number; verified: boolean; createdAt: Date }): ReputationItem | undefined {
  if (validation.verified) return undefined;
  return { subjectId: validation.id, source: 'validation', strength: 'bare', at: validation.createdAt, ...scored(STRENGTH_WEIGHTS.bare, validation.response) };
}

export type FeedbackFacts = { id: string; score: number; workId: string | null; self: boolean; createdAt: Date; revokedAt: Date | null; earlier: number };

/**
 * Feedback: none when self or revoked. Strength: paid by a counting settlement and about a work
 * record (its own `work_id` or the settlement's) `paid_verified`, paid `paid`, about a work record
 * `verified`, else `bare`; the weight is divided by 1 + the author's earlier feedback on the agent.
 */
export function feedbackItem(feedback: FeedbackFacts, settlement: { counts: boolean; workId: string | null } | undefined): ReputationItem | undefined {
  if (feedback.self || feedback.revokedAt !== null) return undefined;
  const paid = settlement?.counts === true;
  const aboutWork = feedback.workId !== null || (paid && settlement.workId !== null);
  const strength: Strength = paid ? (aboutWork ? 'paid_verified' : 'paid') : aboutWork ? 'verified' : 'bare';
  return { subjectId: feedback.id, source: 'feedback', strength, at: feedback.createdAt, ...scored(STRENGTH_WEIGHTS[strength] / (1 + feedback.earlier), feedback.score) };
}

/** Whether two items contribute the same (what an event changed). */
export function sameItem(a: ReputationItem, b: ReputationItem): boolean {
  return a.source === b.source && a.strength === b.strength && a.at.getTime() === b.at.getTime() && a.positive === b.positive && a.negative === b.negative;
}
