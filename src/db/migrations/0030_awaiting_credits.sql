-- Certificates wait for credits (issue 15 part 3), and the operator's refunds and adjustments.
--
-- A submission from a partner over its hard cap (the billing module's rule, billing_over_cap below)
-- is accepted and stored, but not queued: status `awaiting_credits`, no job. So is any submission
-- while older ones of the partner still wait (first in, first out). The global manager's
-- `release-awaiting-credits` task queues them, in the order they started to wait, as many as the partner's credits
-- cover (src/modules/evidence/release-awaiting-evidence.ts). Both ways in, the API and the ingest
-- gateway, go through evidence_submit(), so they cannot differ.

ALTER TABLE evidence_submissions DROP CONSTRAINT evidence_submissions_status_check;
ALTER TABLE evidence_submissions ADD CONSTRAINT evidence_submissions_status_check
  CHECK (status IN ('awaiting_credits', 'received', 'validating', 'certified', 'rejected', 'failed'));
-- Its place in the partner's line, drawn when it starts to wait (ids and clocks tie within a
-- millisecond: a bulk submission); the release takes the lowest first.
CREATE SEQUENCE evidence_awaiting_credits_seq;
ALTER TABLE evidence_submissions ADD COLUMN awaiting_position bigint;
CREATE INDEX evidence_submissions_awaiting_credits_idx ON evidence_submissions (client_id, awaiting_position) WHERE status = 'awaiting_credits';

-- Refunds and adjustments say why (the operator's words, shown to the partner with the transaction).
ALTER TABLE balance_transactions ADD COLUMN reason text CHECK (char_length(reason) BETWEEN 1 AND 500);
ALTER TABLE balance_transactions ADD CONSTRAINT balance_transactions_reason_kind_check
  CHECK ((kind IN ('refund', 'adjustment')) = (reason IS NOT NULL));

-- Why a partner's billable work is refused now, or NULL: the billing module's overCapReason
-- (src/modules/billing/billing-account.ts) over billing_accounts, for the submission functions,
-- which the ingest gateway's role calls without reading any table. Kept equal to the TypeScript
-- rule by test/awaiting-credits.test.ts. The month's spend counts only in its month (UTC).
CREATE FUNCTION billing_over_cap(p_client_id text, p_at timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT CASE
           WHEN a.cap IS NOT NULL AND s.spend > 0 AND s.spend >= a.cap THEN 'SPENDING_CAP'
           WHEN a.billing_mode = 'prepaid' AND (a.balance < 0 OR (a.balance = 0 AND s.spend > 0)) THEN 'BALANCE_EXHAUSTED'
         END
    FROM billing_accounts a,
         LATERAL (SELECT CASE WHEN a.period = date_trunc('month', p_at, 'UTC') THEN a.spend ELSE 0 END AS spend) s
   WHERE a.client_id = p_client_id
$$;
REVOKE ALL ON FUNCTION billing_over_cap(text, timestamptz) FROM PUBLIC;

-- The `evidence.verify` job of a submission, written as pg-boss 12 writes one (migration 0016):
-- for evidence_submit() and for the release of waiting submissions. Raises VQ001 before any
-- evidence worker registered the queue.
CREATE FUNCTION evidence_enqueue_verify(p_job uuid, p_evidence_id text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO pgboss.job (id, name, data, expire_seconds, deletion_seconds, keep_until, retry_limit, retry_delay, retry_backoff, retry_delay_max, policy, dead_letter, heartbeat_seconds)
  SELECT p_job, q.name, jsonb_build_object('evidence_id', p_evidence_id), q.expire_seconds, q.deletion_seconds, now() + q.retention_seconds * interval '1 second',
         q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max, q.policy, q.dead_letter, q.heartbeat_seconds
    FROM pgboss.queue q WHERE q.name = 'evidence.verify';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the queue evidence.verify does not exist yet' USING ERRCODE = 'VQ001',
      HINT = 'start veridity serve or veridity worker evidence once: the evidence worker registers it';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION evidence_enqueue_verify(uuid, text) FROM PUBLIC;

-- The submission functions of 0016 and 0021 take one more argument, the id of the
-- `evidence.awaiting_credits` webhook delivery (`whk_...`, made by the caller like every id):
-- dropped and made again, with their grants.
DROP FUNCTION evidence_submit_as_agent(bytea, text, text, integer, text, text, integer, text, jsonb, timestamptz);
DROP FUNCTION evidence_submit(text, text, text, text, integer, text, text, integer, text, jsonb, timestamptz);

-- One submission, stored in one statement (the caller's transaction): a new one is inserted, a
-- failed one taken again (0021: new content, purge mark cleared); any other is answered as it
-- stands (`duplicate`). Taken in: queued with its `evidence.verify` job, or, while the partner is
-- over its cap or older submissions of its wait, left `awaiting_credits` without a job and
-- announced with the `evidence.awaiting_credits` webhook (to a partner with a webhook endpoint
-- that is not disabled, as enqueueWebhookEvent does).
CREATE FUNCTION evidence_submit(
  p_id text, p_client_id text, p_agent_id text, p_der_sha256 text, p_der_bytes integer, p_object_key text,
  p_content_object_key text, p_content_bytes integer, p_filename text, p_metadata jsonb, p_created_at timestamptz, p_webhook_id text
) RETURNS TABLE (outcome text, submission evidence_submissions)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_waits boolean := billing_over_cap(p_client_id, p_created_at) IS NOT NULL
    OR EXISTS (SELECT 1 FROM evidence_submissions WHERE client_id = p_client_id AND status = 'awaiting_credits');
  v_job uuid := CASE WHEN v_waits THEN NULL ELSE gen_random_uuid() END;
  v_status text := CASE WHEN v_waits THEN 'awaiting_credits' ELSE 'received' END;
  v_position bigint := CASE WHEN v_waits THEN nextval('evidence_awaiting_credits_seq') END;
  v_row evidence_submissions;
BEGIN
  INSERT INTO evidence_submissions (id, client_id, der_sha256, der_bytes, object_key, content_object_key, content_bytes, filename, metadata, created_at, agent_id, job_id, status, awaiting_position)
  VALUES (p_id, p_client_id, p_der_sha256, p_der_bytes, p_object_key, p_content_object_key, p_content_bytes, p_filename, p_metadata, p_created_at, p_agent_id, v_job::text, v_status, v_position)
  ON CONFLICT (client_id, der_sha256) DO NOTHING
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    UPDATE evidence_submissions
       SET status = v_status, error_code = NULL, error_message = NULL, error_path = NULL, finished_at = NULL, started_at = NULL,
           content_object_key = p_content_object_key, content_bytes = p_content_bytes,
           filename = coalesce(p_filename, filename), metadata = coalesce(p_metadata, metadata), job_id = v_job::text,
           evidence_purged_at = NULL, awaiting_position = v_position
     WHERE client_id = p_client_id AND der_sha256 = p_der_sha256 AND status = 'failed'
    RETURNING * INTO v_row;
  END IF;
  IF NOT FOUND THEN
    SELECT * INTO STRICT v_row FROM evidence_submissions WHERE client_id = p_client_id AND der_sha256 = p_der_sha256;
    RETURN QUERY SELECT 'duplicate'::text, v_row;
    RETURN;
  END IF;

  IF v_waits THEN
    INSERT INTO webhooks_outbox (id, client_id, event_type, subject_id, payload)
    SELECT p_webhook_id, p_client_id, 'evidence.awaiting_credits', v_row.id,
           json_build_object('event', 'evidence.awaiting_credits', 'evidence_id', v_row.id, 'sha256', v_row.der_sha256, 'status', 'awaiting_credits',
                             'ts', to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
     WHERE EXISTS (SELECT 1 FROM webhook_endpoints e JOIN api_clients c ON c.id = e.client_id WHERE e.client_id = p_client_id AND c.disabled_at IS NULL);
  ELSE
    PERFORM evidence_enqueue_verify(v_job, v_row.id);
  END IF;
  RETURN QUERY SELECT 'accepted'::text, v_row;
END
$$;
REVOKE ALL ON FUNCTION evidence_submit(text, text, text, text, integer, text, text, integer, text, jsonb, timestamptz, text) FROM PUBLIC;

-- The gateway's way in (0016): the submission is the partner's of the agent whose credential (its
-- SHA-256) the request carried, while that agent is active. No row: the credential no longer authenticates.
CREATE FUNCTION evidence_submit_as_agent(
  p_credential_hash bytea, p_id text, p_der_sha256 text, p_der_bytes integer, p_object_key text,
  p_content_object_key text, p_content_bytes integer, p_filename text, p_metadata jsonb, p_created_at timestamptz, p_webhook_id text
) RETURNS TABLE (outcome text, submission evidence_submissions)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.outcome, s.submission
    FROM evidence_agent_for_credential(p_credential_hash) a,
         LATERAL evidence_submit(p_id, a.client_id, a.agent_id, p_der_sha256, p_der_bytes, p_object_key, p_content_object_key, p_content_bytes, p_filename, p_metadata, p_created_at, p_webhook_id) s
$$;
REVOKE ALL ON FUNCTION evidence_submit_as_agent(bytea, text, text, integer, text, text, integer, text, jsonb, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION evidence_submit_as_agent(bytea, text, text, integer, text, text, integer, text, jsonb, timestamptz, text) TO veridity_ingest;
