-- AfterDesk schema, version 7: capture of every shared write for team sync.
--
-- Every write that changes the shop's shared data also appends, in the same transaction,
-- the sync ops that describe it (`docs/sync.md`, "What the store captures"). Nothing here
-- is itself synced: these tables are this computer's bookkeeping.

-- The ops this device made, in the order it made them. `seq` is AUTOINCREMENT so that a
-- number is never given twice, even after the outbox was trimmed down to nothing: a
-- reader that remembers "sent through 812" must never see another op 812.
CREATE TABLE sync_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    hlc TEXT NOT NULL,
    tbl TEXT NOT NULL,
    row TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('set', 'insert', 'delete', 'restore')),
    -- set: {field: {"value": v, "before": stamp}}; insert: {field: v}; NULL otherwise.
    fields TEXT CHECK (fields IS NULL OR json_valid(fields)),
    -- delete and restore: the stamp the tombstone had before.
    before TEXT
) STRICT;

-- The stamp of the value each field of a shared row holds here, for the `before` of the
-- next local edit and for a later merge to compare against. A row written whole (a case
-- an import creates) has one entry with field '*', which stands for every field without
-- an entry of its own: one row instead of forty per new case keeps imports fast.
-- The tombstone's stamp is the field 'deleted_at'.
CREATE TABLE sync_stamps (
    tbl TEXT NOT NULL,
    row TEXT NOT NULL,
    field TEXT NOT NULL,
    hlc TEXT NOT NULL,
    PRIMARY KEY (tbl, row, field)
) STRICT, WITHOUT ROWID;

-- This device's hybrid logical clock: the greatest stamp it made or received, so that
-- stamps never go back after a restart, even when the computer's clock did.
CREATE TABLE sync_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last TEXT NOT NULL
) STRICT;
