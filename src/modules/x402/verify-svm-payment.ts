import { address, getAddressEncoder, getCompiledTransactionMessageDecoder, getProgramDerivedAddress, isAddress, type Address } from '@solana/kit';
import { decodeTransactionFromPayload, MEMO_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS, TOKEN_PROGRAM_ADDRESS, transactionMessageHash } from '@x402/svm';
import { refuse, type Requirement, type Result, type VerifiedPayment } from './payment.ts';

const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111';
const ASSOCIATED_TOKEN_PROGRAM = address('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const TOKEN_PROGRAMS = new Set<string>([TOKEN_PROGRAM_ADDRESS, TOKEN_2022_PROGRAM_ADDRESS]);
/** Besides the one transfer: compute budget and memo instructions, nothing else. */
const ALLOWED_PROGRAMS = new Set<string>([COMPUTE_BUDGET_PROGRAM, MEMO_PROGRAM_ADDRESS]);
const TRANSFER_CHECKED = 12;
const addressEncoder = getAddressEncoder();

/** The associated token account of `owner` for `mint` (what an x402 payment's destination must be). */
export async function associatedTokenAccount(owner: Address, mint: Address, tokenProgram: Address): Promise<Address> {
  const [pda] = await getProgramDerivedAddress({ programAddress: ASSOCIATED_TOKEN_PROGRAM, seeds: [addressEncoder.encode(owner), addressEncoder.encode(tokenProgram), addressEncoder.encode(mint)] });
  return pda;
}

async function verifyEd25519(signer: string, signature: ArrayLike<number>, message: ArrayLike<number>): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', new Uint8Array(addressEncoder.encode(address(signer))), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, Uint8Array.from(signature), Uint8Array.from(message));
  } catch {
    return false;
  }
}

/**
 * Offline, as a facilitator's `/verify` does for scheme `exact` on Solana: a partially signed
 * transaction whose one SPL `TransferChecked` (Token or Token-2022) moves at least the amount of the
 * mint `asset` to `payTo`'s associated token account, signed by every signer but the fee payer
 * (account 0: the facilitator signs last). Compute budget and memo instructions may come with it,
 * nothing else. The blockhash cannot be checked offline: a stale one fails at settlement.
 */
export async function verifySvmPayment(payload: unknown, requirement: Requirement): Promise<Result<VerifiedPayment>> {
  if (requirement.network.family !== 'svm') return refuse('NETWORK_MISMATCH', 'not a Solana network');
  const encoded = (payload as { transaction?: unknown } | null)?.transaction;
  if (typeof encoded !== 'string') return refuse('MALFORMED', 'the payload carries no transaction');
  if (!isAddress(requirement.asset) || !isAddress(requirement.payTo)) return refuse('MALFORMED', 'the requirements\' asset and payTo must be Solana addresses');
  let transaction: ReturnType<typeof decodeTransactionFromPayload>;
  let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>['decode']>;
  try {
    transaction = decodeTransactionFromPayload({ transaction: encoded });
    message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  } catch {
    return refuse('MALFORMED', 'the transaction does not decode');
  }
  if ('addressTableLookups' in message && (message.addressTableLookups?.length ?? 0) > 0) {
    return refuse('MALFORMED', 'address lookup tables cannot be resolved offline');
  }
  const accounts = message.staticAccounts.map(String);
  const feePayer = accounts[0];
  const expectedFeePayer = requirement.extra.feePayer;
  if (!feePayer || (typeof expectedFeePayer === 'string' && feePayer !== expectedFeePayer)) return refuse('MALFORMED', 'the fee payer is not the facilitator\'s (extra.feePayer)');
  const transfers = [];
  for (const instruction of message.instructions) {
    const program = accounts[instruction.programAddressIndex];
    if (program && TOKEN_PROGRAMS.has(program)) transfers.push({ program, instruction });
    else if (!program || !ALLOWED_PROGRAMS.has(program)) return refuse('MALFORMED', `an instruction of program ${program ?? '?'} is not allowed`);
  }
  const transfer = transfers[0];
  const data = transfer?.instruction.data;
  const indices = transfer?.instruction.accountIndices ?? [];
  if (transfers.length !== 1 || !data || data.length !== 10 || data[0] !== TRANSFER_CHECKED || indices.length < 4) {
    return refuse('MALFORMED', 'the transaction must hold exactly one SPL TransferChecked instruction');
  }
  const [, mint, destination, authority] = indices.map((index) => accounts[index]);
  if (!mint || !destination || !authority) return refuse('MALFORMED', 'the transfer names accounts the message does not hold');
  if (mint !== requirement.asset) return refuse('ASSET_MISMATCH', `the transfer moves mint ${mint}, not ${requirement.asset}`);
  if (destination !== await associatedTokenAccount(address(requirement.payTo), address(mint), address(transfer.program))) {
    return refuse('PAY_TO_MISMATCH', 'the transfer goes to another account than payTo\'s associated token account');
  }
  const amount = Buffer.from(data).readBigUInt64LE(1);
  if (amount < requirement.amount) return refuse('AMOUNT_TOO_LOW', `the transfer moves ${amount}, ${requirement.amount} is required`);
  if (authority === feePayer) return refuse('MALFORMED', 'the fee payer must not be the one paying');
  const signers = accounts.slice(0, message.header.numSignerAccounts);
  if (!signers.includes(authority)) return refuse('SIGNATURE_INVALID', 'the transfer\'s authority does not sign the transaction');
  for (const signer of signers.slice(1)) {
    const signature = transaction.signatures[signer as Address];
    if (!signature || !(await verifyEd25519(signer, signature, transaction.messageBytes))) {
      return refuse('SIGNATURE_INVALID', `the signature of ${signer} is missing or does not verify`);
    }
  }
  return { ok: true, value: { payer: authority, amount, nonceScope: mint, nonce: transactionMessageHash(transaction), validAfter: null, validBefore: null } };
}
