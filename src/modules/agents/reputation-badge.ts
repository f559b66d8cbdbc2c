import { SignJWT } from 'jose';
import type { KeyPurpose, PlatformKeys } from '#platform/crypto/platform-keys.ts';
import { escapeMarkup } from '#platform/http/escape-markup.ts';
import type { AgentReputation } from './get-reputation.ts';

export const REPUTATION_BADGE_KEY_PURPOSE: KeyPurpose = 'reputation-badges';
export const REPUTATION_BADGE_JWKS_PATH = '/api/v1/reputation-badges/jwks.json';
/** A badge is a statement as of its `iat`: it expires after a day (embedders fetch a fresh one). */
export const BADGE_TTL_SECONDS = 86_400;
const BADGE_TYPE = 'reputation-badge+jwt';

export type BadgeClaims = {
  iss: string;
  sub: string;
  iat: number;
  exp: number;
  name: string;
  /** Ownership proved by the controller's signature. */
  verified: boolean;
  score: number | null;
  confidence: number;
  mass: number;
  registration_url: string;
};

export function badgeClaims(reputation: AgentReputation, publicUrl: string): BadgeClaims {
  const iat = Math.floor(reputation.asOf.getTime() / 1000);
  const { agent, evaluation } = reputation;
  return {
    iss: publicUrl, sub: agent.id, iat, exp: iat + BADGE_TTL_SECONDS, name: agent.name, verified: agent.verifiedAt !== null,
    score: evaluation.score, confidence: evaluation.confidence, mass: evaluation.mass, registration_url: `${publicUrl}/agents/${agent.id}/registration.json`,
  };
}

/** The badge as a JWS compact (EdDSA, `typ` reputation-badge+jwt, `kid` a key of the published JWKS). */
export async function signReputationBadge(platformKeys: PlatformKeys, claims: BadgeClaims): Promise<string> {
  const key = await platformKeys.activeKey(REPUTATION_BADGE_KEY_PURPOSE);
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: BADGE_TYPE, kid: key.id }).sign(key.privateKey);
}

const percent = (value: number) => `${Math.round(value * 100)}%`;
/** Rough width of text at 11px Verdana (shields.io's layout): enough for a badge, no font metrics needed. */
const textWidth = (text: string) => Math.ceil(text.length * 6.5) + 10;

/** A shields-style SVG badge: "reputation" | score, confidence and a check mark when ownership is verified. Every text is escaped. */
export function renderBadgeSvg(claims: BadgeClaims): string {
  const label = 'reputation';
  const value = claims.score === null ? 'no evidence' : `${percent(claims.score)} · conf ${percent(claims.confidence)}${claims.verified ? ' ✓' : ''}`;
  const [left, right] = [textWidth(label), textWidth(value)];
  const colour = claims.score === null ? '#9f9f9f' : claims.score >= 0.8 ? '#4c1' : claims.score >= 0.6 ? '#a4a61d' : claims.score >= 0.4 ? '#dfb317' : '#e05d44';
  const title = `${claims.name}: reputation ${value} (Veridity)`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${left + right}" height="20" role="img" aria-label="${escapeMarkup(title)}">` +
    `<title>${escapeMarkup(title)}</title>` +
    `<rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${colour}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${left / 2}" y="14">${escapeMarkup(label)}</text><text x="${left + right / 2}" y="14">${escapeMarkup(value)}</text></g></svg>`;
}
