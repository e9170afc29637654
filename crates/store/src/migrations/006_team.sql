-- AfterDesk schema, version 6: the shop's members, which member each computer is, and the
-- shop-level settings.
--
-- These used to live on each computer (the agent's name and compensation limit in the
-- window's storage, the reminder lead times and the unboxing-video limits in code, the
-- parcel thresholds in a file beside the database), so a limit one agent set bound no one
-- else. They now belong to the shop and are shaped like every other record, ready for a
-- later sync: `updated_at` in UTC milliseconds, `updated_by` the device, a tombstone
-- instead of a deletion.

-- The people who work on the shop. The role is a stable English key (agent, warehouse,
-- finance, owner); the UI shows 客服, 仓库, 财务, 店长. A name is unique among the live
-- members only, so a name can be given again after its member was removed.
CREATE TABLE members (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    role TEXT NOT NULL CHECK (role IN ('agent', 'warehouse', 'finance', 'owner')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

CREATE UNIQUE INDEX members_live_name ON members(name) WHERE deleted_at IS NULL;

CREATE TRIGGER members_never_deleted BEFORE DELETE ON members BEGIN
    SELECT RAISE(ABORT, 'members are tombstoned, never deleted');
END;

-- Which member works on each computer (device). One row per device; unbinding sets
-- `member_id` to NULL rather than deleting the row, so the change reaches other devices.
CREATE TABLE device_members (
    device_id TEXT PRIMARY KEY,
    member_id TEXT REFERENCES members(id),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER device_members_never_deleted BEFORE DELETE ON device_members BEGIN
    SELECT RAISE(ABORT, 'device bindings are unbound, never deleted');
END;

-- One row per setting, its value as JSON: two devices changing different settings never
-- touch the same row. A setting without a row has its documented default.
CREATE TABLE shop_settings (
    key TEXT PRIMARY KEY CHECK (length(key) > 0),
    value TEXT NOT NULL CHECK (json_valid(value)),
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER shop_settings_never_deleted BEFORE DELETE ON shop_settings BEGIN
    SELECT RAISE(ABORT, 'shop settings are changed, never deleted');
END;
