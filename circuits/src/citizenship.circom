pragma circom 2.1.5;

include "credential.circom";

// result = 1 iff the credential's citizenship equals `param` (ISO 3166-1 numeric).

component main {public [issuer_ax, issuer_ay, current_date, param, binding]} =
    CredentialClaim(PREDICATE_CITIZENSHIP_EQUALS());
