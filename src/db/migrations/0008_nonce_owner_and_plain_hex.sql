-- A proof request's nonce belongs to the partner that created it: verification looks a nonce up
-- across partners, to refuse one presented by another partner. Nonces are 256 random bits, so
-- they are unique across partners too.
CREATE UNIQUE INDEX proof_requests_nonce_key ON proof_requests (nonce);

-- Nonces of hex digits only (no 0x) used to be read as base64; they are now read as hex. A used
-- one keeps guarding under its new form: when its length is a multiple of 4 the stored base64url
-- re-encoding is the nonce as it was sent (hex digits are base64url characters), so its hex form
-- can be derived here. The old rows stay until the maintenance purge.
INSERT INTO used_nonces (client_id, nonce, used_at, proof_id)
SELECT client_id, '0x' || coalesce(nullif(ltrim(lower(substr(nonce, 5)), '0'), ''), '0'), used_at, proof_id
  FROM used_nonces
 WHERE nonce ~ '^b64:([0-9a-fA-F]{4})+$'
ON CONFLICT DO NOTHING;
