pragma circom 2.1.5;

include "credential.circom";

// result = 1 iff the credential's annual_income >= `param` (whole currency units).

component main {public [issuer_ax, issuer_ay, current_date, param, binding]} =
    CredentialClaim(PREDICATE_INCOME_AT_LEAST());
