-- AfterDesk schema, version 5: parcels (包裹) linked to cases, their tracking events and
-- the interception record of refunds in transit.
--
-- A parcel row carries its last known state and the bookkeeping of background refresh
-- (last checked, last error, next attempt, failures in a row); removing a parcel leaves a
-- tombstone so that the removal syncs. Tracking events are append-only and recorded once
-- per (parcel, time, text), so re-reading a route adds only what is new. Interception
-- steps are append-only: the state is their fold.

CREATE TABLE parcels (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    direction TEXT NOT NULL,
    courier TEXT,
    waybill TEXT NOT NULL CHECK (length(waybill) > 0),
    phone_tail TEXT,
    state TEXT NOT NULL,
    state_since INTEGER,
    last_update INTEGER,
    last_checked INTEGER,
    last_error TEXT,
    next_attempt INTEGER,
    failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    deleted_at INTEGER
) STRICT;

-- One live parcel per case and waybill: adding it again (an import run twice) finds it.
CREATE UNIQUE INDEX parcels_case_waybill ON parcels(case_id, waybill) WHERE deleted_at IS NULL;
-- `afterdesk track WAYBILL` and pasting a number into the search.
CREATE INDEX parcels_waybill ON parcels(waybill);

CREATE TRIGGER parcels_never_deleted BEFORE DELETE ON parcels BEGIN
    SELECT RAISE(ABORT, 'parcel rows are tombstoned, never deleted');
END;

CREATE TABLE parcel_events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    parcel_id TEXT NOT NULL REFERENCES parcels(id),
    at INTEGER NOT NULL,
    place TEXT,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    device TEXT NOT NULL,
    UNIQUE (parcel_id, at, text)
) STRICT;

CREATE TRIGGER parcel_events_append_only_update BEFORE UPDATE ON parcel_events BEGIN
    SELECT RAISE(ABORT, 'parcel events are never changed');
END;

CREATE TRIGGER parcel_events_append_only_delete BEFORE DELETE ON parcel_events BEGIN
    SELECT RAISE(ABORT, 'parcel events are never deleted');
END;

CREATE TABLE interceptions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES cases(id),
    parcel_id TEXT REFERENCES parcels(id),
    step TEXT NOT NULL,
    courier TEXT,
    contact TEXT,
    note TEXT,
    at INTEGER NOT NULL,
    agent TEXT NOT NULL,
    device TEXT NOT NULL
) STRICT;

CREATE INDEX interceptions_case ON interceptions(case_id, at);

CREATE TRIGGER interceptions_append_only_update BEFORE UPDATE ON interceptions BEGIN
    SELECT RAISE(ABORT, 'interception steps are never changed');
END;

CREATE TRIGGER interceptions_append_only_delete BEFORE DELETE ON interceptions BEGIN
    SELECT RAISE(ABORT, 'interception steps are never deleted');
END;
