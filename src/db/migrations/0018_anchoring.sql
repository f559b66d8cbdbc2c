-- Anchoring (issue 13): signed ledger checkpoints submitted to a public chain, and what that
-- changes for the certificates they cover. See src/modules/anchoring/ and docs/DECISIONS.md.

-- One row per checkpoint an adapter anchors (the anchoring module's table). The transaction is
-- signed before it is sent and recorded with its hash first, so a worker that restarts finds it
-- here and never sends a second transaction for the same checkpoint (it re-sends these same bytes
-- when the chain has lost them).
CREATE TABLE anchors (
  adapter text NOT NULL CHECK (adapter IN ('evm')),
  checkpoint_tree_size bigint NOT NULL CHECK (checkpoint_tree_size > 0),
  checkpoint_root bytea NOT NULL CHECK (octet_length(checkpoint_root) = 32),
  chain_id bigint NOT NULL CHECK (chain_id > 0),
  from_address text NOT NULL CHECK (from_address ~ '^0x[0-9a-f]{40}$'),
  to_address text NOT NULL CHECK (to_address ~ '^0x[0-9a-f]{40}$'),
  tx_hash text NOT NULL UNIQUE CHECK (tx_hash ~ '^0x[0-9a-f]{64}$'),
  -- The signed transaction (public once sent): what a restarted worker sends again when the chain lost it.
  raw_transaction bytea NOT NULL CHECK (octet_length(raw_transaction) BETWEEN 1 AND 4096),
  block_number bigint CHECK (block_number >= 0),
  confirmations integer NOT NULL DEFAULT 0 CHECK (confirmations >= 0),
  -- submitted: sent (or about to be), waiting for its block and confirmations; confirmed: deep
  -- enough, the certificates it covers are ANCHORED; reverted: mined but failed (terminal).
  status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'confirmed', 'reverted')),
  -- Sends of the raw transaction (the first and any re-sends).
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error text CHECK (char_length(last_error) <= 500),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  PRIMARY KEY (checkpoint_tree_size, adapter),
  CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL)),
  CHECK (status = 'submitted' OR block_number IS NOT NULL)
);
CREATE INDEX anchors_open_idx ON anchors (adapter, checkpoint_tree_size) WHERE status = 'submitted';

-- Certificates (the certificates module's tables): ANCHORED once a confirmed anchor covers the
-- certificate's ledger entry; `anchor` is the reference printed into its PDF (chain, transaction,
-- block, the checkpoint it anchors). A revocation later keeps the anchor.
ALTER TABLE certificates DROP CONSTRAINT certificates_status_check;
ALTER TABLE certificates ADD CONSTRAINT certificates_status_check CHECK (status IN ('CERTIFIED_NO_ANCHOR', 'ANCHORED', 'REVOKED'));
ALTER TABLE certificates ADD COLUMN anchor jsonb CHECK (jsonb_typeof(anchor) = 'object');
ALTER TABLE certificates ADD COLUMN anchored_at timestamptz;
ALTER TABLE certificates ADD CONSTRAINT certificates_anchored_check CHECK ((anchor IS NULL) = (anchored_at IS NULL) AND (status <> 'ANCHORED' OR anchor IS NOT NULL));

-- Every PDF rendered for a certificate, kept: a PDF issued before its certificate was anchored
-- (or revoked) stays downloadable beside the one rendered after. certificates.pdf_object_key
-- points at the current one.
CREATE TABLE certificate_pdfs (
  certificate_id text NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
  version integer NOT NULL CHECK (version >= 1),
  object_key text NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- What the PDF says: its status and whether it carries an anchor reference.
  status text NOT NULL CHECK (status IN ('valid', 'revoked')),
  anchored boolean NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (certificate_id, version)
);
INSERT INTO certificate_pdfs (certificate_id, version, object_key, sha256, status, anchored, created_at)
SELECT id, 1, pdf_object_key, pdf_sha256, CASE status WHEN 'REVOKED' THEN 'revoked' ELSE 'valid' END, false, created_at
FROM certificates WHERE pdf_object_key IS NOT NULL;
