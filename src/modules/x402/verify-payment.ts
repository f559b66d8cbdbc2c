import { resolveNetwork } from './networks.ts';
import { refuse, type Payment, type Requirement, type Result, type VerifiedPayment } from './payment.ts';

/**
 * Checks a decoded payment against what was required, offline, the way a facilitator's `/verify`
 * does: version, scheme `exact`, network, then the scheme's own checks (signatures, asset, `payTo`,
 * amount, validity). The nonce is not looked at here: recording the payment spends it.
 */
export async function verifyPayment(payment: Payment, requirement: Requirement, now: Date): Promise<Result<VerifiedPayment>> {
  if (payment.x402Version !== requirement.version) return refuse('MALFORMED', `an x402 v${payment.x402Version} payment for v${requirement.version} requirements`);
  const accepted = 'accepted' in payment ? payment.accepted : undefined;
  const scheme = accepted?.scheme ?? ('scheme' in payment ? payment.scheme : undefined);
  if (scheme !== 'exact' || requirement.scheme !== 'exact') return refuse('SCHEME_UNSUPPORTED', 'only scheme exact is accepted');
  const networkName = String(accepted?.network ?? ('network' in payment ? payment.network : ''));
  if (resolveNetwork(networkName)?.caip2 !== requirement.network.caip2) return refuse('NETWORK_MISMATCH', `the payment is for ${networkName}, ${requirement.network.caip2} is required`);
  const sameAsset = (asset: string) => (requirement.network.family === 'evm' ? asset.toLowerCase() === requirement.asset.toLowerCase() : asset === requirement.asset);
  if (accepted && !sameAsset(accepted.asset)) return refuse('ASSET_MISMATCH', `the payment accepted asset ${accepted.asset}, not ${requirement.asset}`);
  // Each scheme's checks load on first use: they bring viem, or @solana/kit (see networks.ts).
  if (requirement.network.family === 'evm') return (await import('./verify-evm-payment.ts')).verifyEvmPayment(payment.payload, requirement, now);
  return (await import('./verify-svm-payment.ts')).verifySvmPayment(payment.payload, requirement);
}
