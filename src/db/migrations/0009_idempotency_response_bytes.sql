-- Idempotent replays answer the very bytes of the first response (not JSON re-serialised from
-- jsonb, whose key order differs), with its content type and location, on every partner route that creates
-- something. The request hash now covers the method and path too: one key, one endpoint.
ALTER TABLE idempotency_keys
  ADD COLUMN response_bytes bytea,
  ADD COLUMN response_headers jsonb;
-- Responses stored before (at most 10 minutes old) keep their content, in jsonb's text form.
UPDATE idempotency_keys
   SET response_bytes = convert_to(response_body::text, 'UTF8'), response_headers = '{"content-type": "application/json; charset=utf-8"}'
 WHERE response_body IS NOT NULL;
ALTER TABLE idempotency_keys DROP COLUMN response_body;
