-- Evidence operations (issue 13, parts 5 and 6): re-tests of recoverable submissions and retention.
--
-- rejected_at: when the rejection that is in the ledger was decided. It stays when a re-test later
-- certifies the submission, so the ledger audit still finds the outcome that entry logged.
-- retests / retested_at: re-tests by the `evidence.retry` worker (a failed one queued again, a
-- rejected one verified again after its partner's trust changed), bounded by EVIDENCE_RETEST_LIMIT.
-- evidence_purged_at: when retention deleted the DER and detached content from object storage.
ALTER TABLE evidence_submissions
  ADD COLUMN rejected_at timestamptz,
  ADD COLUMN retests integer NOT NULL DEFAULT 0 CHECK (retests >= 0),
  ADD COLUMN retested_at timestamptz,
  ADD COLUMN evidence_purged_at timestamptz;
UPDATE evidence_submissions SET rejected_at = finished_at WHERE status = 'rejected';
ALTER TABLE evidence_submissions ADD CONSTRAINT evidence_submissions_rejected_at_check CHECK (status <> 'rejected' OR rejected_at IS NOT NULL);

-- The ledger audit's search of rejections without an entry reads rejected_at now.
DROP INDEX evidence_submissions_rejected_idx;
CREATE INDEX evidence_submissions_rejected_at_idx ON evidence_submissions (rejected_at) WHERE rejected_at IS NOT NULL;
-- The retry pass: recoverable submissions whose bytes are still stored.
CREATE INDEX evidence_submissions_retest_idx ON evidence_submissions (finished_at) WHERE status IN ('failed', 'rejected') AND evidence_purged_at IS NULL;
-- The retention pass: decided submissions not purged yet, oldest first.
CREATE INDEX evidence_submissions_retention_idx ON evidence_submissions (created_at) WHERE evidence_purged_at IS NULL AND status IN ('certified', 'rejected', 'failed');

-- When each trust set last changed (an anchor or CRL added, replaced or removed): a rejection
-- decided before a change of the set its code depends on is worth re-testing. client_id null:
-- the operator's TSA anchors.
CREATE TABLE evidence_trust_changes (
  client_id text REFERENCES api_clients (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('signing', 'timestamping')),
  changed_at timestamptz NOT NULL,
  CONSTRAINT evidence_trust_changes_owner_key UNIQUE NULLS NOT DISTINCT (client_id, role),
  CHECK (client_id IS NOT NULL OR role = 'timestamping')
);
INSERT INTO evidence_trust_changes (client_id, role, changed_at)
  SELECT client_id, role, max(created_at) FROM evidence_trust_anchors GROUP BY client_id, role;
