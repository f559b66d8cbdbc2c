import { randomBytes } from 'node:crypto';
import { ATTRIBUTE_NAMES, generateHolderSecret, type AttributeName, type CredentialAttributes } from '#modules/zk/credentials/attributes.ts';
import { generateIssuerKey } from '#modules/zk/credentials/generate-issuer-key.ts';
import { signCredential } from '#modules/zk/credentials/sign-credential.ts';
import type { Credential } from '#modules/zk/credentials/credential-format.ts';
import { CliError, usageError } from './cli-error.ts';
import { readJsonFile, writeOutputFile } from './files.ts';
import { parseOptions } from './parse-options.ts';

export const ISSUER_HELP = `Usage: veridity issuer <command> [options]

Development and demo tools for a credential issuer. They run on this machine only: the
private key is never sent anywhere. Register the public key with the platform
(POST /api/admin/issuers) so that it trusts credentials signed by it.

Commands:
  keygen              Generate an issuer key (EdDSA on BabyJubJub); prints
                      {"private_key", "public_key": {"ax", "ay"}} as JSON.
  sign-credential     Sign a credential for a holder; prints it as JSON.

Run 'veridity issuer <command> --help' for a command's options.`;

const SIGN_HELP = `Usage: veridity issuer sign-credential --key <hex> (--attributes <file> | attribute flags) [--out <file>]

Signs the Poseidon hash of the holder's attributes with the issuer's private key
(see circuits/README.md) and prints the credential the holder keeps, as JSON.

  --key <hex>               the issuer's private key (64 hex digits, from 'veridity issuer keygen');
                            default: the VERIDITY_ISSUER_KEY environment variable
  --attributes <file>       JSON object with the attributes (numbers or decimal strings)
  --birth-date <date>       YYYYMMDD or YYYY-MM-DD
  --citizenship <code>      ISO 3166-1 numeric, 1-999 (e.g. 756 for Switzerland)
  --education-level <n>     0-255
  --annual-income <n>       whole currency units, 0 - 2^64-1
  --expiry-date <date>      last valid day, YYYYMMDD or YYYY-MM-DD
  --holder-secret <n>       default: a fresh random field element (recommended)
  --out <file>              write the credential to this file (mode 0600) instead of stdout

Flags override values from --attributes. Every attribute but holder_secret is required.`;

const KEYGEN_HELP = `Usage: veridity issuer keygen [--out <file>]

Generates a development issuer key and prints {"private_key", "public_key": {"ax", "ay"}} as
JSON (or writes it to --out, mode 0600). Keep private_key secret; register public_key with
POST /api/admin/issuers.`;

const FLAG_FOR: Record<AttributeName, string> = {
  birth_date: 'birth-date',
  citizenship: 'citizenship',
  education_level: 'education-level',
  annual_income: 'annual-income',
  expiry_date: 'expiry-date',
  holder_secret: 'holder-secret',
};

/** A whole number as a JSON number, a decimal string, or (dates) YYYY-MM-DD. */
function parseAttributeValue(name: AttributeName, value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string') {
    const text = value.trim();
    const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (isoDate && (name === 'birth_date' || name === 'expiry_date')) return BigInt(isoDate.slice(1).join(''));
    if (/^\d+$/.test(text)) return BigInt(text);
  }
  throw new CliError(`${name}: expected a non-negative whole number${name.endsWith('_date') ? ' (a date as YYYYMMDD or YYYY-MM-DD)' : ''}, got ${JSON.stringify(value)}`);
}

async function readAttributesFile(file: string): Promise<Record<string, unknown>> {
  const parsed = await readJsonFile(file, '--attributes');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError(`--attributes ${file}: expected a JSON object`);
  const unknown = Object.keys(parsed).filter((key) => !(ATTRIBUTE_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) throw new CliError(`--attributes ${file}: unknown attribute(s) ${unknown.join(', ')}; expected ${ATTRIBUTE_NAMES.join(', ')}`);
  return parsed as Record<string, unknown>;
}

async function output(value: unknown, file: string | undefined): Promise<void> {
  const text = JSON.stringify(value, null, 2) + '\n';
  if (file) await writeOutputFile(file, text);
  else process.stdout.write(text);
}

/** Signs a credential from attribute values (missing holder_secret: a fresh random one). */
async function issueCredential(privateKey: string, values: Partial<Record<AttributeName, unknown>>): Promise<Credential> {
  if (!/^[0-9a-f]{64}$/i.test(privateKey)) throw new CliError('--key: expected the issuer private key as 64 hex digits');
  const attributes = {} as CredentialAttributes;
  for (const name of ATTRIBUTE_NAMES) {
    const value = values[name];
    if (value === undefined) {
      if (name !== 'holder_secret') throw usageError(`missing attribute ${name}: give --${FLAG_FOR[name]} or put it in --attributes`, SIGN_HELP);
      attributes[name] = generateHolderSecret(randomBytes);
    } else {
      attributes[name] = parseAttributeValue(name, value);
    }
  }
  const signed = await signCredential(privateKey, attributes);
  if (!signed.ok) throw new CliError(`cannot sign: ${signed.message}`);
  return signed.value;
}

export async function issuer(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(ISSUER_HELP);
    return;
  }
  const usage = command === 'keygen' ? KEYGEN_HELP : command === 'sign-credential' ? SIGN_HELP : ISSUER_HELP;
  const { values } = parseOptions({
    args: rest,
    options: {
      help: { type: 'boolean', short: 'h' },
      key: { type: 'string' },
      attributes: { type: 'string' },
      out: { type: 'string' },
      ...Object.fromEntries(Object.values(FLAG_FOR).map((flag) => [flag, { type: 'string' as const }])),
    },
  }, usage) as { values: Record<string, string | boolean | undefined> };

  switch (command) {
    case 'keygen': {
      if (values.help) return console.log(KEYGEN_HELP);
      const key = await generateIssuerKey();
      await output({ private_key: key.privateKey, public_key: key.publicKey }, values.out as string | undefined);
      return;
    }
    case 'sign-credential': {
      if (values.help) return console.log(SIGN_HELP);
      const privateKey = (values.key as string | undefined) ?? process.env.VERIDITY_ISSUER_KEY;
      if (!privateKey) throw usageError('--key is required (or set VERIDITY_ISSUER_KEY)', SIGN_HELP);
      const fromFile = values.attributes ? await readAttributesFile(values.attributes as string) : {};
      const fromFlags = Object.fromEntries(ATTRIBUTE_NAMES.filter((name) => values[FLAG_FOR[name]] !== undefined).map((name) => [name, values[FLAG_FOR[name]]]));
      const credential = await issueCredential(privateKey, { ...fromFile, ...fromFlags });
      await output(credential, values.out as string | undefined);
      return;
    }
    default:
      throw usageError(`unknown issuer command '${command}'`, ISSUER_HELP);
  }
}
