/**
 * A partner's PKI for the end-to-end run, made by the openssl CLI in a temp dir at bench start
 * with the certificate profiles of the committed fixtures (scripts/evidence-test-pki.cnf): an EC
 * P-256 root (the partner's trust anchor), an intermediate below it (pathlen 0, carried in every
 * CMS as in the fixtures) and `stations` signer certificates below that, one per erasure station.
 * The fixtures keep no signer private key (fixtures/PROVENANCE.md), so the bench cannot sign new
 * documents with theirs; it makes its own keys, which are never kept. Documents are signed with
 * `openssl cms -sign`: real signatures over distinct contents.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachConcurrently, runChecked } from './run-process.ts';

const PROFILES = fileURLToPath(new URL('../../scripts/evidence-test-pki.cnf', import.meta.url));
// The profiles file reads these when it is loaded; CA_DIR only matters to `openssl ca`, which the bench does not run.
const PROFILE_ENV = { CA_DIR: '.', SIGNER_KEY_USAGE: 'digitalSignature, nonRepudiation' };
const VALIDITY_DAYS = '30';
const SUBJECT = '/O=Veridity Bench Recycler';

export type BenchPki = {
  /** The root certificate (PEM), what the partner uploads as its trust anchor. */
  anchorPem: Buffer;
  /** `openssl cms -sign -nodetach` of `content` by station `station` (modulo the station count), with the intermediate. */
  sign(content: Buffer, station: number): Promise<Buffer>;
};

export async function createBenchPki(dir: string, options: { stations: number; concurrency: number }): Promise<BenchPki> {
  const file = (name: string) => path.join(dir, name);
  /** A new P-256 key and its certificate with the `profile` extensions, signed by `issuer` (self-signed without one). */
  const issue = async (name: string, subject: string, profile: string, issuer?: string) => {
    await runChecked('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${name}.key`)]);
    await runChecked('openssl', ['req', '-new', '-key', file(`${name}.key`), '-subj', `${SUBJECT}/${subject}`, '-out', file(`${name}.csr`)]);
    const signer = issuer ? ['-CA', file(`${issuer}.pem`), '-CAkey', file(`${issuer}.key`)] : ['-signkey', file(`${name}.key`)];
    await runChecked(
      'openssl',
      ['x509', '-req', '-in', file(`${name}.csr`), ...signer, '-set_serial', `0x${randomBytes(12).toString('hex')}`, '-days', VALIDITY_DAYS, '-sha256', '-extfile', PROFILES, '-extensions', profile, '-out', file(`${name}.pem`)],
      { env: PROFILE_ENV },
    );
  };

  await issue('root', 'CN=Bench Root CA', 'root_ca');
  await issue('intermediate', 'CN=Bench Intermediate CA', 'intermediate_ca', 'root');
  const stations = Array.from({ length: options.stations }, (_, n) => `station-${n}`);
  await forEachConcurrently(stations, options.concurrency, (name) => issue(name, `OU=Erasure stations/CN=Bench ${name}`, 'signer', 'intermediate'));

  return {
    anchorPem: await runChecked('openssl', ['x509', '-in', file('root.pem')]),
    sign(content, station) {
      const name = stations[station % stations.length]!;
      return runChecked('openssl', ['cms', '-sign', '-binary', '-nodetach', '-outform', 'DER', '-signer', file(`${name}.pem`), '-inkey', file(`${name}.key`), '-certfile', file('intermediate.pem')], { input: content });
    },
  };
}
