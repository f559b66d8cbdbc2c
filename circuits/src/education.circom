pragma circom 2.1.5;

include "credential.circom";

// result = 1 iff the credential's education_level >= `param`.

component main {public [issuer_ax, issuer_ay, current_date, param, binding]} =
    CredentialClaim(PREDICATE_EDUCATION_AT_LEAST());
