-- AfterDesk schema, version 2: evidence (举证材料) attached to cases.
--
-- The files live beside the database in the content-addressed `evidence/` folder, named
-- by their SHA-256; a row here says which case and checklist item a file answers and what
-- the file told us about itself. Facts read from the file never change once recorded
-- (enforced below); only the checklist item, the sync columns and the tombstone may.
-- Rows are never deleted: a detached proof is a tombstone so that the removal syncs.

CREATE TABLE evidence (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    item TEXT,
    hash TEXT NOT NULL CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
    original_name TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    mime TEXT,
    captured_at INTEGER,
    duration_ms INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
    added_by TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    device TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

-- A case's live proofs, in the order they were added: the only list the desk shows.
CREATE INDEX evidence_case ON evidence(case_id, added_at) WHERE deleted_at IS NULL;
-- Which records still use a file, before a file could ever be cleaned up.
CREATE INDEX evidence_hash ON evidence(hash);

CREATE TRIGGER evidence_never_deleted BEFORE DELETE ON evidence BEGIN
    SELECT RAISE(ABORT, 'evidence rows are tombstoned, never deleted');
END;

CREATE TRIGGER evidence_file_facts_fixed BEFORE UPDATE ON evidence
WHEN old.id IS NOT new.id OR old.case_id IS NOT new.case_id OR old.hash IS NOT new.hash
    OR old.original_name IS NOT new.original_name OR old.size IS NOT new.size
    OR old.mime IS NOT new.mime OR old.captured_at IS NOT new.captured_at
    OR old.duration_ms IS NOT new.duration_ms OR old.added_by IS NOT new.added_by
    OR old.added_at IS NOT new.added_at OR old.device IS NOT new.device BEGIN
    SELECT RAISE(ABORT, 'a proof''s file facts never change');
END;
