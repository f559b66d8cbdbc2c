-- The least-privileged role of the ingest gateway (`veridity ingest`, issue 13): it may
-- authenticate agents and submit evidence through the two functions below, and read which
-- migrations are applied; no table of the platform (certificates, partners, keys, the ledger,
-- submissions) and nothing of pg-boss is readable or writable by it.

-- Roles belong to the cluster, not to a database: created once, without a password (an operator
-- sets one: ALTER ROLE veridity_ingest PASSWORD '...'). Already there (another database of the
-- cluster migrated first, or an operator made it): kept as it is. The migrating role needs
-- CREATEROLE, or the role made beforehand by one that has it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'veridity_ingest') THEN
    BEGIN
      CREATE ROLE veridity_ingest LOGIN;
    EXCEPTION
      -- Created meanwhile by the migration of another database on the same cluster.
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'cannot create the role veridity_ingest: %', SQLERRM
          USING HINT = 'as a role with CREATEROLE run: CREATE ROLE veridity_ingest LOGIN; then start again';
    END;
  END IF;
END $$;

-- Grants are per database.
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO veridity_ingest', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO veridity_ingest;
-- The gateway checks the schema version at start and in /readyz (it never migrates).
GRANT SELECT ON schema_migrations TO veridity_ingest;

-- A SECURITY DEFINER function runs with its owner's rights, so it must not find the caller's
-- temporary tables first (PostgreSQL searches pg_temp first unless it is named): an
-- `evidence_agents` of the gateway's own session would otherwise answer for the real one.
ALTER FUNCTION evidence_agent_for_credential(bytea) SET search_path = pg_catalog, public, pg_temp;
GRANT EXECUTE ON FUNCTION evidence_agent_for_credential(bytea) TO veridity_ingest;

-- One submission, stored and queued in one statement (the caller's transaction): a new one is
-- inserted with its `evidence.verify` job; a failed one is queued again (new content and job, its
-- filename and metadata replaced when given); any other is answered as it stands (`duplicate`).
-- The job is a plain pg-boss send, written as pg-boss 12 writes one (the queue's retry, expiry,
-- retention and dead-letter settings copied onto the job): the ingest role needs no right on
-- pg-boss's tables, and cannot queue any other job. The queue is registered by `serve` and
-- `veridity worker` (whoever runs the evidence worker); before that this raises.
CREATE FUNCTION evidence_submit(
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
           filename = coalesce(p_filename, filename), metadata = coalesce(p_metadata, metadata), job_id = v_job::text
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
REVOKE ALL ON FUNCTION evidence_submit(text, text, text, text, integer, text, text, integer, text, jsonb, timestamptz) FROM PUBLIC;

-- The gateway's way in: the submission is the partner's of the agent whose credential (its
-- SHA-256) the request carried, while that agent is active; a gateway cannot submit for anyone
-- else. No row: the credential no longer authenticates.
CREATE FUNCTION evidence_submit_as_agent(
  p_credential_hash bytea, p_id text, p_der_sha256 text, p_der_bytes integer, p_object_key text,
  p_content_object_key text, p_content_bytes integer, p_filename text, p_metadata jsonb, p_created_at timestamptz
) RETURNS TABLE (outcome text, submission evidence_submissions)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT s.outcome, s.submission
    FROM evidence_agent_for_credential(p_credential_hash) a,
         LATERAL evidence_submit(p_id, a.client_id, a.agent_id, p_der_sha256, p_der_bytes, p_object_key, p_content_object_key, p_content_bytes, p_filename, p_metadata, p_created_at) s
$$;
REVOKE ALL ON FUNCTION evidence_submit_as_agent(bytea, text, text, integer, text, text, integer, text, jsonb, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION evidence_submit_as_agent(bytea, text, text, integer, text, text, integer, text, jsonb, timestamptz) TO veridity_ingest;
