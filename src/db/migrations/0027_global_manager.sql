-- The global manager (`veridity global-manager`, or embedded in `serve`): one row per task run of
-- a cycle, for its status page and lag. A row is written `running` when the task starts (so a
-- leader killed mid-task leaves a trace), and finished in place; the next leader marks the
-- `running` rows it finds `interrupted` (it holds the advisory lock: nobody else runs them).
CREATE TABLE global_manager_runs (
  cycle_id text NOT NULL CHECK (cycle_id LIKE 'gmc\_%'),
  task text NOT NULL,
  -- Order of the task in its cycle.
  position integer NOT NULL,
  -- application_name of the leader's lock connection: host and pid of the process that ran it.
  runner text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  outcome text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted', 'skipped')),
  -- What the task reports it did: { "partners": 12, "deleted": 3 }.
  counts jsonb NOT NULL DEFAULT '{}',
  error text,
  PRIMARY KEY (cycle_id, task),
  CHECK ((outcome = 'running') = (finished_at IS NULL))
);
CREATE INDEX global_manager_runs_started_idx ON global_manager_runs (started_at DESC);
CREATE INDEX global_manager_runs_running_idx ON global_manager_runs (outcome) WHERE outcome = 'running';

-- The gateway vault: a signed snapshot of what an edge gateway needs to authorise traffic
-- (src/modules/gateway-vault). A new version only when the content changes; `content_sha256`
-- is the SHA-256 of the canonical JSON of the partners list (what is compared).
CREATE TABLE gateway_vaults (
  version bigint PRIMARY KEY CHECK (version > 0),
  content_sha256 bytea NOT NULL CHECK (octet_length(content_sha256) = 32),
  partners integer NOT NULL,
  jws text NOT NULL,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL,
  -- When vault/<version>.jws and vault/latest.jws were written to object storage (null: not yet,
  -- the next run writes them: a leader killed between the commit and the writes is resumed).
  published_at timestamptz
);
