-- Idempotent replays answer the very bytes of the first response (not JSON re-serialised from
-- jsonb, whose key order differs), with its content type and location, on every route that
-- creates something, the operator's included. The stored response is sealed (AES-GCM, like other
-- secrets at rest): it may show an API key or a webhook secret once more. A key belongs to its
-- owner: a partner (`cli_...`) or the operator (`admin:<token id>`), so the column is no longer a
-- reference to api_clients. The request hash now covers the method and path too.
-- Stored responses (kept 10 minutes) cannot be sealed in SQL: they are dropped, and a retry
-- arriving across this migration does its work again.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_client_id_fkey;
ALTER TABLE idempotency_keys RENAME COLUMN client_id TO owner;
ALTER TABLE idempotency_keys DROP COLUMN response_body;
ALTER TABLE idempotency_keys
  ADD COLUMN response_headers jsonb,
  ADD COLUMN response_sealed text;
