pragma circom 2.1.5;

// Shared templates for the Veridity credential circuits. Every claim circuit is
// `CredentialClaim(<predicate>)`; the per-claim main files only pick the predicate.
//
// Bit widths below are mirrored in src/modules/zk/credentials/attributes.ts, which
// refuses to sign or prove values that do not fit (so an honest holder never hits a
// failing range check).

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/poseidon.circom";

function DATE_BITS() { return 27; }       // YYYYMMDD <= 99991231 < 2^27
function YEARS_BITS() { return 8; }       // age threshold in years, <= 255
function LEVEL_BITS() { return 8; }       // education level, <= 255
function INCOME_BITS() { return 64; }     // annual income in whole currency units

function PREDICATE_AGE_AT_LEAST() { return 1; }
function PREDICATE_CITIZENSHIP_EQUALS() { return 2; }
function PREDICATE_EDUCATION_AT_LEAST() { return 3; }
function PREDICATE_INCOME_AT_LEAST() { return 4; }

// out = 1 iff in[0] <= in[1]. circomlib's LessEqThan(n) silently gives wrong answers
// when an input does not fit in n bits (the difference wraps around the field), so both
// inputs are range-checked here rather than trusting every caller to do it.
template UintLessEq(n) {
    signal input in[2];
    signal output out;

    _ <== Num2Bits(n)(in[0]);
    _ <== Num2Bits(n)(in[1]);
    out <== LessEqThan(n)(in);
}

// Hard constraint: (R8, S) is the issuer's EdDSA-Poseidon signature over
// Poseidon(attributes). Without a valid signature no witness exists.
template IssuerSignedAttributes() {
    signal input attributes[6];
    signal input issuer_ax;
    signal input issuer_ay;
    signal input signature_r8x;
    signal input signature_r8y;
    signal input signature_s;

    signal credential_hash <== Poseidon(6)(attributes);
    EdDSAPoseidonVerifier()(
        1, issuer_ax, issuer_ay, signature_s, signature_r8x, signature_r8y, credential_hash
    );
}

// 1 iff birth_date + years * 10000 <= current_date, i.e. the holder turned `years` on or
// before current_date (YYYYMMDD: adding N years is adding N * 10000). Someone born on
// Feb 29 reaches the age on Mar 1 of non-leap years (YYYY0229 is then not a real date,
// and YYYY0228 < YYYY0229 < YYYY0301).
template AgeAtLeast() {
    signal input birth_date;
    signal input current_date;
    signal input years;
    signal output out;

    _ <== Num2Bits(DATE_BITS())(birth_date);
    _ <== Num2Bits(YEARS_BITS())(years);
    // < 2^27 + 255 * 10000 < 2^28, so one more bit than a date.
    out <== UintLessEq(DATE_BITS() + 1)([birth_date + years * 10000, current_date]);
}

template CredentialClaim(PREDICATE) {
    // Private: the signed attributes (order = Poseidon input order) and the signature.
    signal input birth_date;
    signal input citizenship;
    signal input education_level;
    signal input annual_income;
    signal input expiry_date;
    signal input holder_secret;
    signal input signature_r8x;
    signal input signature_r8y;
    signal input signature_s;

    // Public (this declaration order is the public-signal order after the outputs).
    signal input issuer_ax;
    signal input issuer_ay;
    signal input current_date;
    signal input param;
    signal input binding;

    signal output result;
    signal output not_expired;

    IssuerSignedAttributes()(
        [birth_date, citizenship, education_level, annual_income, expiry_date, holder_secret],
        issuer_ax, issuer_ay, signature_r8x, signature_r8y, signature_s
    );

    not_expired <== UintLessEq(DATE_BITS())([current_date, expiry_date]);

    if (PREDICATE == PREDICATE_AGE_AT_LEAST()) {
        result <== AgeAtLeast()(birth_date, current_date, param);
    } else if (PREDICATE == PREDICATE_CITIZENSHIP_EQUALS()) {
        result <== IsEqual()([citizenship, param]);
    } else if (PREDICATE == PREDICATE_EDUCATION_AT_LEAST()) {
        result <== UintLessEq(LEVEL_BITS())([param, education_level]);
    } else if (PREDICATE == PREDICATE_INCOME_AT_LEAST()) {
        result <== UintLessEq(INCOME_BITS())([param, annual_income]);
    } else {
        assert(0); // unknown predicate: a compile-time error, not a circuit
    }

    // A public input that appears in no constraint can be changed after proving without
    // invalidating a Groth16 proof. binding is otherwise unconstrained, so tie it to a
    // (useless) quadratic constraint; param and current_date already feed comparators.
    signal binding_square <== binding * binding;
}
