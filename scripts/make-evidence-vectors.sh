#!/bin/sh
# Makes the signed-evidence test vectors in src/modules/evidence/verification/fixtures with the
# openssl CLI: test PKIs (EC and RSA roots, an intermediate, a TSA), signers, CMS signatures,
# RFC 3161 timestamp tokens, a CRL and EnvelopedData. Every key, certificate, signature, digest,
# timestamp and encryption is made by openssl; scripts/evidence-vector-cms.ts only moves bytes
# between DER structures where the openssl 3.0 CLI has no command (a timestamp token into a
# SignerInfo's unsigned attributes; an Ed25519 SignedData, which openssl 3.0 cms cannot sign).
#
# Tests read the committed output; they never run this script. Running it again makes new keys,
# so every file changes (names, subjects, serial numbers and validity dates stay the same; the
# fixtures' SHA256SUMS is rewritten); then update the date and openssl version in PROVENANCE.md
# and run the evidence verification tests.
#
# Usage: scripts/make-evidence-vectors.sh   (needs openssl and Node 24 on PATH)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/src/modules/evidence/verification/fixtures"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

FAR_START=20250101000000Z
FAR_END=20460101000000Z

log() { echo "make-evidence-vectors: $*" >&2; }

# --- configuration ---------------------------------------------------------------------------
cp "$ROOT/scripts/evidence-test-pki.cnf" "$WORK/ca.cnf"

# openssl ts -reply reads its TSA from a config section; signer, key and chain come per call.
cat >"$WORK/tsa.cnf" <<'EOF'
[tsa]
default_tsa = tsa_default

[tsa_default]
dir = $ENV::TSA_DIR
serial = $dir/tsaserial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.2.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
EOF

# --- helpers ---------------------------------------------------------------------------------
new_key() { # name kind  (ec256 | ec384 | rsa2048 | rsa1024 | ed25519)
  case "$2" in
    ec256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$1.key" ;;
    ec384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$WORK/$1.key" ;;
    rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1.key" 2>/dev/null ;;
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$WORK/$1.key" 2>/dev/null ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$WORK/$1.key" ;;
  esac
}

ca_dir() { # name first-serial-hex
  mkdir -p "$WORK/ca-$1"
  : >"$WORK/ca-$1/index.txt"
  echo "$2" >"$WORK/ca-$1/serial"
  echo 01 >"$WORK/ca-$1/crlnumber"
}

ca() { # ca-name openssl-ca-arguments...
  name=$1; shift
  CA_DIR="$WORK/ca-$name" SIGNER_KEY_USAGE="${SIGNER_KEY_USAGE:-digitalSignature, nonRepudiation}" openssl ca -batch -notext -config "$WORK/ca.cnf" "$@" 2>"$WORK/ca.log" || { cat "$WORK/ca.log" >&2; exit 1; }
}

self_signed_ca() { # name key-kind subject start end [extensions]
  new_key "$1" "$2"
  ca_dir "$1" 1000
  openssl req -new -key "$WORK/$1.key" -subj "$3" -out "$WORK/$1.csr"
  ca "$1" -selfsign -keyfile "$WORK/$1.key" -in "$WORK/$1.csr" -out "$WORK/$1.pem" \
    -extensions "${6:-root_ca}" -startdate "$4" -enddate "$5"
}

issue() { # issuer name key-kind subject extensions start end
  new_key "$2" "$3"
  openssl req -new -key "$WORK/$2.key" -subj "$4" -out "$WORK/$2.csr"
  ca "$1" -cert "$WORK/$1.pem" -keyfile "$WORK/$1.key" -in "$WORK/$2.csr" -out "$WORK/$2.pem" \
    -extensions "$5" -startdate "$6" -enddate "$7"
}

sign() { # signer out-name content mode(embedded|detached) [extra cms -sign arguments...]
  signer=$1; name=$2; content=$3; mode=$4; shift 4
  detach=""
  [ "$mode" = embedded ] && detach=-nodetach
  openssl cms -sign -binary -outform DER $detach -in "$OUT/$content" \
    -signer "$WORK/$signer.pem" -inkey "$WORK/$signer.key" -out "$OUT/$name" "$@"
}

cms_verify() { # der anchor [detached-content] : openssl's own check of a vector we expect to be valid
  if [ -n "${3:-}" ]; then
    openssl cms -verify -binary -inform DER -in "$OUT/$1" -content "$OUT/$3" -CAfile "$OUT/$2" -purpose any -out /dev/null 2>"$WORK/verify.log"
  else
    openssl cms -verify -binary -inform DER -in "$OUT/$1" -CAfile "$OUT/$2" -purpose any -out /dev/null 2>"$WORK/verify.log"
  fi || { cat "$WORK/verify.log" >&2; exit 1; }
}

timestamp() { # signed-der tsa-name out-token : an RFC 3161 token over the first signature value
  node "$ROOT/scripts/evidence-vector-cms.ts" signature-value "$1" "$WORK/signature.bin"
  openssl ts -query -data "$WORK/signature.bin" -sha256 -cert -out "$WORK/request.tsq" 2>/dev/null
  TSA_DIR="$WORK/ca-$2" openssl ts -reply -config "$WORK/tsa.cnf" -queryfile "$WORK/request.tsq" \
    -signer "$WORK/$2.pem" -inkey "$WORK/$2.key" -token_out -out "$3" 2>"$WORK/ts.log" || { cat "$WORK/ts.log" >&2; exit 1; }
}

cp_cert() { cp "$WORK/$1.pem" "$OUT/$1.pem"; }

rm -f "$OUT"/*.der "$OUT"/*.pem "$OUT"/*.json "$OUT"/*.txt "$OUT/SHA256SUMS"

# --- documents -------------------------------------------------------------------------------
log "documents"
cat >"$OUT/erasure-report.json" <<'EOF'
{
  "schema": "erasure-report/v1",
  "report_id": "ER-2026-000123",
  "device": {
    "type": "ssd",
    "manufacturer": "Samsung",
    "model": "MZ-7LH960",
    "serial": "S45NNE0M123456",
    "capacity_bytes": 960197124096
  },
  "sanitization": {
    "method": "purge",
    "technique": "ata-sanitize-crypto-scramble",
    "verification": "full",
    "result": "success",
    "started_at": "2026-11-30T08:15:00Z",
    "ended_at": "2026-11-30T08:17:42Z"
  },
  "operator": { "name": "A. Technician", "id": "op-0042" },
  "tool": { "name": "WipeStation", "version": "4.2.1" },
  "site": { "name": "Hamburg recycling centre", "id": "site-hh-01" }
}
EOF
# The same report with one value changed after signing (tampered detached content).
sed 's/"result": "success"/"result": "failure"/' "$OUT/erasure-report.json" >"$OUT/erasure-report-tampered.json"
# Not a method NIST SP 800-88 Rev. 1 defines.
sed 's/"method": "purge"/"method": "wipe"/' "$OUT/erasure-report.json" >"$OUT/erasure-report-invalid.json"
printf 'Certificate of destruction for asset 7731, shredded on 2026-11-30.\n' >"$OUT/document.txt"

# --- PKIs ------------------------------------------------------------------------------------
log "test PKIs"
self_signed_ca ec-root-ca ec384 "/C=DE/O=Veridity Test/CN=Veridity Test EC Root CA" $FAR_START $FAR_END
ca_dir ec-intermediate-ca 2000
issue ec-root-ca ec-intermediate-ca ec256 "/C=DE/O=Veridity Test/CN=Veridity Test EC Intermediate CA" intermediate_ca $FAR_START $FAR_END
self_signed_ca rsa-root-ca rsa2048 "/C=DE/O=Veridity Test/CN=Veridity Test RSA Root CA" $FAR_START $FAR_END
self_signed_ca untrusted-root-ca ec256 "/C=DE/O=Somebody Else/CN=Untrusted Root CA" $FAR_START $FAR_END
self_signed_ca tsa-root-ca ec256 "/C=DE/O=Veridity Test/CN=Veridity Test TSA Root CA" $FAR_START $FAR_END
self_signed_ca untrusted-tsa-root-ca ec256 "/C=DE/O=Somebody Else/CN=Untrusted TSA Root CA" $FAR_START $FAR_END
ca_dir tsa 01
echo 01 >"$WORK/ca-tsa/tsaserial"
issue tsa-root-ca tsa ec256 "/C=DE/O=Veridity Test/CN=Veridity Test TSA" tsa $FAR_START $FAR_END
ca_dir untrusted-tsa 01
echo 01 >"$WORK/ca-untrusted-tsa/tsaserial"
issue untrusted-tsa-root-ca untrusted-tsa ec256 "/C=DE/O=Somebody Else/CN=Untrusted TSA" tsa $FAR_START $FAR_END
# For trust-anchor inspection: a CA with a 1024-bit RSA key, and a CA that expired in 2020.
self_signed_ca weak-rsa1024-ca rsa1024 "/C=DE/O=Veridity Test/CN=Weak RSA-1024 CA" $FAR_START $FAR_END
self_signed_ca expired-ca ec256 "/C=DE/O=Veridity Test/CN=Expired CA" 20150101000000Z 20200101000000Z
# Below ec-intermediate-ca (pathlen 0) a further CA is not allowed.
ca_dir sub-intermediate-ca 3000
issue ec-intermediate-ca sub-intermediate-ca ec256 "/C=DE/O=Veridity Test/CN=Sub-intermediate CA (violates pathlen)" chain_ca $FAR_START $FAR_END
# An end-entity certificate (CA:false) that nevertheless issues a certificate.
ca_dir not-a-ca 4000
issue ec-root-ca not-a-ca ec256 "/C=DE/O=Veridity Test/CN=Not a CA" signer $FAR_START $FAR_END
# Eleven CAs in a row below the EC root: a path of 13 certificates.
parent=ec-root-ca
chain_certs=""
for i in 01 02 03 04 05 06 07 08 09 10 11; do
  ca_dir long-chain-ca-$i 5000
  issue $parent long-chain-ca-$i ec256 "/C=DE/O=Veridity Test/CN=Long chain CA $i" chain_ca $FAR_START $FAR_END
  chain_certs="$chain_certs $WORK/long-chain-ca-$i.pem"
  parent=long-chain-ca-$i
done
cat $chain_certs >"$WORK/long-chain.pem"

log "signers"
issue ec-intermediate-ca signer-ec ec256 "/C=DE/O=Veridity Test/OU=Erasure station 1/CN=Signer EC P-256" signer $FAR_START $FAR_END
issue ec-intermediate-ca signer-p384 ec384 "/C=DE/O=Veridity Test/CN=Signer EC P-384" signer $FAR_START $FAR_END
issue ec-intermediate-ca signer-ed25519 ed25519 "/C=DE/O=Veridity Test/CN=Signer Ed25519" signer $FAR_START $FAR_END
issue rsa-root-ca signer-rsa rsa2048 "/C=DE/O=Veridity Test/CN=Signer RSA 2048" signer $FAR_START $FAR_END
issue ec-intermediate-ca signer-expired ec256 "/C=DE/O=Veridity Test/CN=Signer expired 2021" signer 20200101000000Z 20210101000000Z
issue ec-intermediate-ca signer-not-yet-valid ec256 "/C=DE/O=Veridity Test/CN=Signer valid from 2040" signer 20400101000000Z $FAR_END
issue ec-intermediate-ca signer-until-2040 ec256 "/C=DE/O=Veridity Test/CN=Signer valid until 2040" signer $FAR_START 20400101000000Z
issue ec-intermediate-ca signer-revoked ec256 "/C=DE/O=Veridity Test/CN=Signer revoked" signer $FAR_START $FAR_END
SIGNER_KEY_USAGE=keyEncipherment
issue ec-intermediate-ca signer-encipherment-only ec256 "/C=DE/O=Veridity Test/CN=Signer keyEncipherment only" signer $FAR_START $FAR_END
unset SIGNER_KEY_USAGE
issue ec-intermediate-ca signer-unknown-critical ec256 "/C=DE/O=Veridity Test/CN=Signer with unknown critical extension" signer_unknown_critical $FAR_START $FAR_END
issue untrusted-root-ca signer-untrusted ec256 "/C=DE/O=Somebody Else/CN=Signer under an untrusted root" signer $FAR_START $FAR_END
issue sub-intermediate-ca signer-pathlen ec256 "/C=DE/O=Veridity Test/CN=Signer below a pathlen violation" signer $FAR_START $FAR_END
issue not-a-ca signer-issued-by-non-ca ec256 "/C=DE/O=Veridity Test/CN=Signer issued by a non-CA" signer $FAR_START $FAR_END
issue long-chain-ca-11 signer-long-chain ec256 "/C=DE/O=Veridity Test/CN=Signer at the end of a long chain" signer $FAR_START $FAR_END

log "revocation"
ca ec-intermediate-ca -revoke "$WORK/signer-revoked.pem" -cert "$WORK/ec-intermediate-ca.pem" -keyfile "$WORK/ec-intermediate-ca.key" -crl_reason keyCompromise
ca ec-intermediate-ca -gencrl -cert "$WORK/ec-intermediate-ca.pem" -keyfile "$WORK/ec-intermediate-ca.key" \
  -crl_lastupdate 20261101000000Z -crl_nextupdate $FAR_END -out "$OUT/ec-intermediate-ca.crl.pem"
ca ec-root-ca -gencrl -cert "$WORK/ec-root-ca.pem" -keyfile "$WORK/ec-root-ca.key" \
  -crl_lastupdate 20261101000000Z -crl_nextupdate $FAR_END -out "$OUT/ec-root-ca.crl.pem"

log "platform evidence keys (test keys, committed)"
new_key platform-evidence-rsa rsa2048
openssl req -new -x509 -key "$WORK/platform-evidence-rsa.key" -subj "/C=DE/O=Veridity Test/CN=Veridity TEST platform evidence key (RSA)" \
  -days 7300 -addext "keyUsage=critical,keyEncipherment" -addext "basicConstraints=critical,CA:false" -out "$WORK/platform-evidence-rsa.pem"
new_key platform-evidence-ec ec256
openssl req -new -x509 -key "$WORK/platform-evidence-ec.key" -subj "/C=DE/O=Veridity Test/CN=Veridity TEST platform evidence key (EC P-256)" \
  -days 7300 -addext "keyUsage=critical,keyAgreement" -addext "basicConstraints=critical,CA:false" -out "$WORK/platform-evidence-ec.pem"
cp "$WORK/platform-evidence-rsa.key" "$OUT/platform-evidence-rsa.TEST-KEY.pem"
cp "$WORK/platform-evidence-ec.key" "$OUT/platform-evidence-ec.TEST-KEY.pem"

for cert in ec-root-ca ec-intermediate-ca rsa-root-ca untrusted-root-ca tsa-root-ca untrusted-tsa-root-ca tsa \
  weak-rsa1024-ca expired-ca signer-ec platform-evidence-rsa platform-evidence-ec; do
  cp_cert $cert
done

# --- signatures ------------------------------------------------------------------------------
log "signatures"
INTERMEDIATE="$WORK/ec-intermediate-ca.pem"
sign signer-ec ec-embedded.der erasure-report.json embedded -certfile "$INTERMEDIATE"
cms_verify ec-embedded.der ec-root-ca.pem
sign signer-ec ec-detached.der erasure-report.json detached -certfile "$INTERMEDIATE"
cms_verify ec-detached.der ec-root-ca.pem erasure-report.json
sign signer-p384 ec-p384-sha384.der erasure-report.json embedded -certfile "$INTERMEDIATE" -md sha384
cms_verify ec-p384-sha384.der ec-root-ca.pem
sign signer-rsa rsa-pkcs1.der erasure-report.json embedded
cms_verify rsa-pkcs1.der rsa-root-ca.pem
sign signer-rsa rsa-pss.der erasure-report.json embedded -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:32
cms_verify rsa-pss.der rsa-root-ca.pem
openssl cms -sign -binary -outform DER -nodetach -in "$OUT/erasure-report.json" -certfile "$INTERMEDIATE" \
  -signer "$WORK/signer-ec.pem" -inkey "$WORK/signer-ec.key" -signer "$WORK/signer-rsa.pem" -inkey "$WORK/signer-rsa.key" -out "$OUT/two-signers.der"
sign signer-ec ec-no-signed-attributes.der document.txt embedded -certfile "$INTERMEDIATE" -noattr
cms_verify ec-no-signed-attributes.der ec-root-ca.pem
sign signer-ec opaque-text.der document.txt embedded -certfile "$INTERMEDIATE"
sign signer-ec invalid-report.der erasure-report-invalid.json embedded -certfile "$INTERMEDIATE"
sign signer-ec ec-sha1.der erasure-report.json embedded -certfile "$INTERMEDIATE" -md sha1
sign signer-ec signer-certificate-missing.der erasure-report.json embedded -nocerts
openssl crl2pkcs7 -nocrl -certfile "$WORK/signer-ec.pem" -outform DER -out "$OUT/no-signers.der"
sign signer-expired expired-signer.der erasure-report.json embedded -certfile "$INTERMEDIATE"
sign signer-not-yet-valid not-yet-valid-signer.der erasure-report.json embedded -certfile "$INTERMEDIATE"
sign signer-revoked revoked-signer.der erasure-report.json embedded -certfile "$INTERMEDIATE"
sign signer-encipherment-only key-usage-invalid.der erasure-report.json embedded -certfile "$INTERMEDIATE"
sign signer-unknown-critical unknown-critical-extension.der erasure-report.json embedded -certfile "$INTERMEDIATE"
sign signer-untrusted untrusted-chain.der erasure-report.json embedded
cat "$WORK/sub-intermediate-ca.pem" "$INTERMEDIATE" >"$WORK/pathlen-chain.pem"
sign signer-pathlen pathlen-exceeded.der erasure-report.json embedded -certfile "$WORK/pathlen-chain.pem"
sign signer-issued-by-non-ca issuer-not-a-ca.der erasure-report.json embedded -certfile "$WORK/not-a-ca.pem"
sign signer-long-chain long-chain.der erasure-report.json embedded -certfile "$WORK/long-chain.pem"

log "Ed25519 (openssl pkeyutl signs, evidence-vector-cms.ts assembles)"
openssl dgst -sha512 -binary -out "$WORK/report.sha512" "$OUT/erasure-report.json"
node "$ROOT/scripts/evidence-vector-cms.ts" signed-attributes "$WORK/report.sha512" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$WORK/ed25519-attributes.der"
openssl pkeyutl -sign -rawin -inkey "$WORK/signer-ed25519.key" -in "$WORK/ed25519-attributes.der" -out "$WORK/ed25519.sig"
openssl pkey -in "$WORK/signer-ed25519.key" -pubout -out "$WORK/signer-ed25519.pub"
openssl pkeyutl -verify -rawin -pubin -inkey "$WORK/signer-ed25519.pub" -in "$WORK/ed25519-attributes.der" -sigfile "$WORK/ed25519.sig" >/dev/null
node "$ROOT/scripts/evidence-vector-cms.ts" assemble-signed-data "$OUT/erasure-report.json" "$WORK/ed25519-attributes.der" \
  "$WORK/ed25519.sig" "$WORK/signer-ed25519.pem" "$OUT/ed25519.der" "$INTERMEDIATE"

log "timestamps"
sign signer-until-2040 ec-until-2040.der erasure-report.json embedded -certfile "$INTERMEDIATE"
timestamp "$OUT/ec-until-2040.der" tsa "$WORK/until-2040.tst"
node "$ROOT/scripts/evidence-vector-cms.ts" signature-value "$OUT/ec-until-2040.der" "$WORK/until-2040.sig"
openssl ts -verify -token_in -in "$WORK/until-2040.tst" -data "$WORK/until-2040.sig" -CAfile "$OUT/tsa-root-ca.pem" -untrusted "$OUT/tsa.pem" >/dev/null 2>&1
node "$ROOT/scripts/evidence-vector-cms.ts" add-timestamp "$OUT/ec-until-2040.der" "$WORK/until-2040.tst" "$OUT/ec-until-2040-timestamped.der"
cms_verify ec-until-2040-timestamped.der ec-root-ca.pem
timestamp "$OUT/ec-embedded.der" untrusted-tsa "$WORK/untrusted.tst"
node "$ROOT/scripts/evidence-vector-cms.ts" add-timestamp "$OUT/ec-embedded.der" "$WORK/untrusted.tst" "$OUT/ec-untrusted-tsa.der"
cms_verify ec-untrusted-tsa.der ec-root-ca.pem
# A genuine token from the trusted TSA, but over another signature (ec-until-2040's).
node "$ROOT/scripts/evidence-vector-cms.ts" add-timestamp "$OUT/ec-embedded.der" "$WORK/until-2040.tst" "$OUT/ec-timestamp-other-signature.der"
cms_verify ec-timestamp-other-signature.der ec-root-ca.pem

log "envelopes"
openssl cms -encrypt -binary -outform DER -aes256 -in "$OUT/ec-embedded.der" -recip "$WORK/platform-evidence-rsa.pem" \
  -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256 -out "$OUT/enveloped-rsa-oaep.der"
openssl cms -encrypt -binary -outform DER -aes128 -in "$OUT/rsa-pkcs1.der" -recip "$WORK/platform-evidence-ec.pem" \
  -keyopt ecdh_kdf_md:sha256 -out "$OUT/enveloped-ecdh.der"
openssl cms -encrypt -binary -outform DER -aes256 -in "$OUT/ec-embedded.der" -recip "$WORK/platform-evidence-rsa.pem" \
  -out "$OUT/enveloped-rsa-pkcs1v15.der"
openssl cms -decrypt -binary -inform DER -in "$OUT/enveloped-ecdh.der" -recip "$WORK/platform-evidence-ec.pem" \
  -inkey "$WORK/platform-evidence-ec.key" -out "$WORK/decrypted.der"
cmp "$WORK/decrypted.der" "$OUT/rsa-pkcs1.der"

(cd "$OUT" && sha256sum $(ls | grep -v -e '^PROVENANCE.md$' -e '^SHA256SUMS$') >SHA256SUMS)
log "done: $(ls "$OUT" | wc -l) files in $OUT ($(openssl version)); record the date and version in PROVENANCE.md"
