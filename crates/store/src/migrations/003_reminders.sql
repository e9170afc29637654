-- AfterDesk schema, version 3: which deadline reminders this device has shown.
--
-- A reminder is shown once per case, clock, deadline and lead time (120 and 30 minutes
-- before, 0 at the deadline), also across restarts. The deadline is part of the key:
-- when a clock starts again (a new refund request, a new return), its new deadline is
-- a new reminder. Each device keeps its own rows, because each shows its own
-- notifications; rows are only ever added.

CREATE TABLE reminders_shown (
    case_id TEXT NOT NULL,
    clock TEXT NOT NULL,
    due INTEGER NOT NULL,
    lead_minutes INTEGER NOT NULL CHECK (lead_minutes >= 0),
    device TEXT NOT NULL,
    shown_at INTEGER NOT NULL,
    PRIMARY KEY (case_id, clock, due, lead_minutes, device)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER reminders_shown_append_only_update BEFORE UPDATE ON reminders_shown BEGIN
    SELECT RAISE(ABORT, 'shown reminders are never changed');
END;
