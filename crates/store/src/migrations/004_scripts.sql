-- AfterDesk schema, version 4: the shop's reply scripts, copied drafts and training items.
--
-- `scripts` holds the shop's own scripts and its edits of built-in ones (same id as the
-- built-in script it replaces). The built-in library itself ships with the program and is
-- never stored, so a program update can improve it; a shop's edit wins over it. Every
-- saved version is also appended to `script_versions`, so a copied draft names the exact
-- text it came from (`id@version`) and a colleague's edit on another device never erases
-- an earlier text. Removing a script is a tombstone, so that the removal syncs.

CREATE TABLE scripts (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL CHECK (origin IN ('builtin', 'shop', 'import')),
    kind TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('first_reply', 'follow_up', 'closing')),
    text TEXT NOT NULL,
    text_hant TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    tone TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    version INTEGER NOT NULL CHECK (version >= 1),
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    device TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TRIGGER scripts_never_deleted BEFORE DELETE ON scripts BEGIN
    SELECT RAISE(ABORT, 'scripts are tombstoned, never deleted');
END;

CREATE TABLE script_versions (
    script_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    kind TEXT NOT NULL,
    stage TEXT NOT NULL,
    text TEXT NOT NULL,
    text_hant TEXT NOT NULL,
    tags TEXT NOT NULL,
    tone TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    device TEXT NOT NULL,
    PRIMARY KEY (script_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER script_versions_append_only_update BEFORE UPDATE ON script_versions BEGIN
    SELECT RAISE(ABORT, 'script versions are never changed');
END;
CREATE TRIGGER script_versions_append_only_delete BEFORE DELETE ON script_versions BEGIN
    SELECT RAISE(ABORT, 'script versions are never deleted');
END;

-- Each draft an agent copied to the buyer: the text as copied, the scripts (id@version)
-- it came from, the placeholders the agent confirmed unfilled and the lint findings the
-- agent saw. Append-only, like the case timeline it also writes to.
CREATE TABLE draft_copies (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    script_ids TEXT NOT NULL CHECK (json_valid(script_ids)),
    text TEXT NOT NULL,
    confirmed_unfilled TEXT NOT NULL CHECK (json_valid(confirmed_unfilled)),
    lint TEXT NOT NULL CHECK (json_valid(lint)),
    copied_by TEXT NOT NULL,
    copied_at INTEGER NOT NULL,
    device TEXT NOT NULL
) STRICT;

CREATE INDEX draft_copies_case ON draft_copies(case_id, copied_at);

CREATE TRIGGER draft_copies_append_only_update BEFORE UPDATE ON draft_copies BEGIN
    SELECT RAISE(ABORT, 'copied drafts are never changed');
END;
CREATE TRIGGER draft_copies_append_only_delete BEFORE DELETE ON draft_copies BEGIN
    SELECT RAISE(ABORT, 'copied drafts are never deleted');
END;

-- Questions and reply exercises accepted from imported training material, for trainees.
-- The body is the item as JSON (stem, options, answer; or the buyer's message and the
-- model answer); tombstoned like everything else.
CREATE TABLE training_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    item TEXT NOT NULL CHECK (item IN ('question', 'exercise')),
    kind TEXT NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body)),
    source TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    device TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TRIGGER training_items_never_deleted BEFORE DELETE ON training_items BEGIN
    SELECT RAISE(ABORT, 'training items are tombstoned, never deleted');
END;
