pragma circom 2.1.5;

include "credential.circom";

// result = 1 iff the holder is at least `param` years old on current_date.
// Same circuit as age_over_21; the verifier requires param == 18.

component main {public [issuer_ax, issuer_ay, current_date, param, binding]} =
    CredentialClaim(PREDICATE_AGE_AT_LEAST());
