-- Tamper-evident ledger: an RFC 6962 / RFC 9162 Merkle transparency log of every verification
-- outcome, with C2SP signed checkpoints. See src/modules/ledger/.
--
-- Write path: the outcome's transaction inserts a pending entry (idx NULL). One sequencer at a
-- time (transaction-level advisory lock) gives pending entries their positions in batches,
-- stores the perfect subtrees they complete and moves the tree head; every
-- LEDGER_CHECKPOINT_SECONDS it signs a checkpoint after checking it is consistent with the
-- previous one. Entries, nodes and checkpoints are never updated or deleted once written (the
-- triggers below refuse it), and `veridity verify-ledger` recomputes everything from the leaves.

-- Pending and sequenced entries in one table, so that one unique key covers (kind, public_id)
-- whether or not the entry has been sequenced yet. Pending ones are the partial index below.
CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
  public_id text NOT NULL CHECK (char_length(public_id) BETWEEN 1 AND 200),
  -- RFC 8785 canonical JSON of {kind, public_id, claim_type, status, public_hash, ts}: the leaf.
  leaf bytea NOT NULL CHECK (octet_length(leaf) BETWEEN 2 AND 4096),
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  -- Set together by the sequencer: the position in the log, SHA-256(0x00 || leaf).
  idx bigint UNIQUE CHECK (idx >= 0),
  leaf_hash bytea CHECK (octet_length(leaf_hash) = 32),
  sequenced_at timestamptz,
  UNIQUE (kind, public_id),
  CHECK ((idx IS NULL) = (leaf_hash IS NULL) AND (idx IS NULL) = (sequenced_at IS NULL))
);
CREATE INDEX ledger_entries_pending_idx ON ledger_entries (id) WHERE idx IS NULL;

-- Hashes of perfect subtrees (level >= 1; level 0 is ledger_entries.leaf_hash): node (level, idx)
-- covers leaves [idx * 2^level, (idx + 1) * 2^level). Written once, when its last leaf arrives.
CREATE TABLE ledger_nodes (
  level smallint NOT NULL CHECK (level BETWEEN 1 AND 62),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (level, idx)
);

-- The current (unsigned) tree: one row. `origin` names the log in its checkpoints and is the
-- name of its note key; fixed when the log is created.
CREATE TABLE ledger_tree_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  origin text NOT NULL CHECK (origin ~ '^[A-Za-z0-9._/-]{1,100}$'),
  tree_size bigint NOT NULL CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ledger_tree_head (origin, tree_size, root_hash)
VALUES ('veridity/ledger/' || left(replace(gen_random_uuid()::text, '-', ''), 16), 0, sha256(''::bytea));

-- Every signed checkpoint, kept forever: at most one per tree size, each checked to be
-- consistent with the previous one before it was signed.
CREATE TABLE ledger_checkpoints (
  tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
  root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
  signed_note text NOT NULL,
  key_id text NOT NULL REFERENCES platform_keys (id),
  created_at timestamptz NOT NULL
);

-- Append-only guards. They stop mistakes and careless scripts, not a superuser (who can disable
-- them): that is what the signed checkpoints and `veridity verify-ledger` are for.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % is not allowed: the ledger is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- A pending entry may be sequenced once; nothing else about an entry ever changes.
CREATE FUNCTION ledger_entries_guard_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.idx IS NOT NULL OR NEW.id <> OLD.id OR NEW.kind <> OLD.kind OR NEW.public_id <> OLD.public_id
     OR NEW.leaf <> OLD.leaf OR NEW.enqueued_at <> OLD.enqueued_at THEN
    RAISE EXCEPTION 'ledger entry % can only be sequenced once and never changed', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE OR TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_sequence_once BEFORE UPDATE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_guard_update();
CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_nodes
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
