-- A partner (or agent) submitting the DER of a failed submission again queues it again through
-- evidence_submit() (0016). Retention (0019) may have deleted that submission's bytes meanwhile;
-- the caller has just stored them anew, so the re-queue also clears evidence_purged_at. Same
-- function otherwise; CREATE OR REPLACE keeps its owner and grants.
CREATE OR REPLACE FUNCTION evidence_submit(
  p_id text, p_client_id text, p_agent_id text, p_der_sha256 text, p_der_bytes integer, p_object_key text,
  p_content_object_key text, p_content_bytes integer, p_filename text, p_metadata jsonb, p_created_at timestamptz
) RETURNS TABLE (outcome text, submission evidence_submissions)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_job uuid := gen_random_uuid();
  v_row evidence_submissions;
BEGIN
  INSERT INTO evidence_submissions (id, client_id, der_sha256, der_bytes, object_key, content_object_key, content_bytes, filename, metadata, created_at, agent_id, job_id)
  VALUES (p_id, p_client_id, p_der_sha256, p_der_bytes, p_object_key, p_content_object_key, p_content_bytes, p_filename, p_metadata, p_created_at, p_agent_id, v_job::text)
  ON CONFLICT (client_id, der_sha256) DO NOTHING
  RETURNING * INTO v_row;
  IF NOT FOUND THEN
    UPDATE evidence_submissions
       SET status = 'received', error_code = NULL, error_message = NULL, error_path = NULL, finished_at = NULL, started_at = NULL,
           content_object_key = p_content_object_key, content_bytes = p_content_bytes,
           filename = coalesce(p_filename, filename), metadata = coalesce(p_metadata, metadata), job_id = v_job::text,
           evidence_purged_at = NULL
     WHERE client_id = p_client_id AND der_sha256 = p_der_sha256 AND status = 'failed'
    RETURNING * INTO v_row;
  END IF;
  IF NOT FOUND THEN
    SELECT * INTO STRICT v_row FROM evidence_submissions WHERE client_id = p_client_id AND der_sha256 = p_der_sha256;
    RETURN QUERY SELECT 'duplicate'::text, v_row;
    RETURN;
  END IF;

  INSERT INTO pgboss.job (id, name, data, expire_seconds, deletion_seconds, keep_until, retry_limit, retry_delay, retry_backoff, retry_delay_max, policy, dead_letter, heartbeat_seconds)
  SELECT v_job, q.name, jsonb_build_object('evidence_id', v_row.id), q.expire_seconds, q.deletion_seconds, now() + q.retention_seconds * interval '1 second',
         q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max, q.policy, q.dead_letter, q.heartbeat_seconds
    FROM pgboss.queue q WHERE q.name = 'evidence.verify';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the queue evidence.verify does not exist yet' USING ERRCODE = 'VQ001',
      HINT = 'start veridity serve or veridity worker evidence once: the evidence worker registers it';
  END IF;
  RETURN QUERY SELECT 'accepted'::text, v_row;
END
$$;
