-- AfterDesk schema, version 1: cases, notes, timeline, orders, shop settings, import runs.
--
-- Every synced record has a UUIDv7 `id` (the same on every device), a local `seq` rowid
-- (never synced; it links full-text rows), `updated_at`/`updated_by` for merge ordering and
-- `deleted_at` for tombstones. Notes and events are append-only, enforced by triggers.
-- Instants are INTEGER milliseconds since the Unix epoch, UTC. Money is INTEGER fen.

CREATE TABLE cases (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    refund_no TEXT,
    order_no TEXT,
    alipay_no TEXT,
    buyer_nick TEXT,
    item_title TEXT,
    sku_code TEXT,
    reason_text TEXT,
    buyer_note TEXT,
    refund_status_text TEXT,
    goods_status_text TEXT,
    intervention_text TEXT,
    return_needed INTEGER,
    full_refund INTEGER,
    manual_refund INTEGER,
    paid_fen INTEGER,
    refund_fen INTEGER,
    ship_logistics TEXT,
    return_logistics TEXT,
    paid_at INTEGER,
    shipped_at INTEGER,
    signed_at INTEGER,
    requested_at INTEGER,
    return_shipped_at INTEGER,
    return_received_at INTEGER,
    intervened_at INTEGER,
    completed_at INTEGER,
    extra TEXT,
    refund_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    kind TEXT NOT NULL,
    kind_source TEXT NOT NULL,
    flag TEXT,
    assignee TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    open INTEGER NOT NULL,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE UNIQUE INDEX cases_refund_no ON cases(refund_no) WHERE refund_no IS NOT NULL;
CREATE INDEX cases_order_no ON cases(order_no);
-- Lists and counts only ever look at live cases; indexing just those (tombstones are
-- left out) lets SQLite answer a count or a page from the index alone.
CREATE INDEX cases_open_kind_requested ON cases(open, kind, requested_at) WHERE deleted_at IS NULL;
CREATE INDEX cases_open_requested ON cases(open, requested_at) WHERE deleted_at IS NULL;
CREATE INDEX cases_assignee ON cases(assignee) WHERE assignee IS NOT NULL;
CREATE INDEX cases_flag ON cases(flag) WHERE flag IS NOT NULL;

CREATE INDEX cases_item_title ON cases(item_title) WHERE item_title IS NOT NULL;

-- Search that works for Chinese. The trigram tokenizer indexes every three characters, so
-- any substring of three or more characters is found through the index; shorter queries
-- use LIKE over the same (small) tables. Only free text is tokenised, because trigram
-- indexing is the dominant cost of an import:
-- * buyer nick, the buyer's reason and own words, per case (case_search, rowid = cases.seq);
-- * item titles, once per distinct title (a shop sells far fewer items than it has cases);
-- * agents' notes (note_search).
-- Refund and order numbers are matched exactly or by prefix through their B-tree indexes.
-- New cases are indexed by the store in one INSERT ... SELECT per transaction (see
-- `index_new_cases`): a row-by-row FTS5 insert from a trigger measured six times slower.
-- Changes to an indexed value are rare and are kept current by the trigger below.
CREATE VIRTUAL TABLE case_search USING fts5(body, tokenize = 'trigram');

CREATE TRIGGER cases_search_update AFTER UPDATE OF buyer_nick, reason_text, buyer_note ON cases
WHEN old.buyer_nick IS NOT new.buyer_nick OR old.reason_text IS NOT new.reason_text
    OR old.buyer_note IS NOT new.buyer_note BEGIN
    UPDATE case_search SET body = concat_ws(char(10), new.buyer_nick, new.reason_text, new.buyer_note)
    WHERE rowid = new.seq;
END;

CREATE TRIGGER cases_title_update AFTER UPDATE OF item_title ON cases
WHEN new.item_title IS NOT NULL AND old.item_title IS NOT new.item_title BEGIN
    INSERT OR IGNORE INTO item_titles(title) VALUES (new.item_title);
END;

CREATE TABLE item_titles (
    seq INTEGER PRIMARY KEY,
    title TEXT NOT NULL UNIQUE
) STRICT;

CREATE VIRTUAL TABLE title_search USING fts5(body, tokenize = 'trigram');

CREATE TRIGGER item_titles_search_insert AFTER INSERT ON item_titles BEGIN
    INSERT INTO title_search(rowid, body) VALUES (new.seq, new.title);
END;

CREATE TABLE notes (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    author TEXT NOT NULL,
    device TEXT NOT NULL,
    at INTEGER NOT NULL,
    text TEXT NOT NULL
) STRICT;

CREATE INDEX notes_case ON notes(case_id, at);

CREATE VIRTUAL TABLE note_search USING fts5(body, tokenize = 'trigram');

CREATE TRIGGER notes_search_insert AFTER INSERT ON notes BEGIN
    INSERT INTO note_search(rowid, body) VALUES (new.seq, new.text);
END;

CREATE TRIGGER notes_append_only_update BEFORE UPDATE ON notes BEGIN
    SELECT RAISE(ABORT, 'notes are append-only');
END;

CREATE TRIGGER notes_append_only_delete BEFORE DELETE ON notes BEGIN
    SELECT RAISE(ABORT, 'notes are append-only');
END;

CREATE TABLE case_events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    actor TEXT NOT NULL,
    device TEXT NOT NULL,
    at INTEGER NOT NULL,
    field TEXT NOT NULL,
    old TEXT,
    new TEXT
) STRICT;

CREATE INDEX case_events_case ON case_events(case_id, at);

CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

CREATE TABLE orders (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    order_no TEXT NOT NULL UNIQUE,
    buyer_nick TEXT,
    item_title TEXT,
    paid_fen INTEGER,
    paid_at INTEGER,
    shipped_at INTEGER,
    status_text TEXT,
    logistics TEXT,
    address TEXT,
    extra TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE TABLE column_aliases (
    header TEXT PRIMARY KEY,
    field TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE import_runs (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    actor TEXT NOT NULL,
    device TEXT NOT NULL,
    at INTEGER NOT NULL,
    summary TEXT NOT NULL
) STRICT;
