//! Capture of shared writes for team sync: the outbox, the per-field stamps and this
//! device's hybrid logical clock (`docs/sync.md`, "What the store captures").
//!
//! Every write that changes the shop's shared data appends the [`Op`]s that describe it in
//! the same transaction, so a crash or a cancelled import leaves neither the change nor its
//! ops. The clock advances with the `now` the caller passes (the store never reads the
//! clock) and is saved in the same transaction. Capture is always on, also in a shop that
//! has never synced, so that turning sync on later finds the history; once a snapshot
//! covers the outbox, [`Store::trim_outbox`] empties it.

use crate::{Store, StoreError};
use afterdesk_case::DeviceId;
use afterdesk_sync::{Device, FieldEdit, Hlc, HlcClock, Op, OpId, OpKind, natural_row_id};
use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A table whose rows every computer of the shop shares, and therefore captures.
///
/// Per-computer tables (shown reminders, import runs, search indexes, the sync tables
/// themselves) are not listed and never captured; `docs/sync.md` says why for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SharedTable {
    /// Cases (售后单): fields set, tombstones.
    Cases,
    /// Orders: fields set.
    Orders,
    /// Agents' notes: append-only records.
    Notes,
    /// The cases' timeline: append-only records.
    CaseEvents,
    /// The shop's header mappings of export columns.
    ColumnAliases,
    /// Proofs (举证): inserted once, then the checklist item and the tombstone change.
    Evidence,
    /// The shop's scripts: fields set, tombstones.
    Scripts,
    /// Every saved version of a script: append-only records.
    ScriptVersions,
    /// Drafts copied to buyers: append-only records.
    DraftCopies,
    /// Training items: inserted once, then tombstoned.
    TrainingItems,
    /// Parcels: fields set (not the refresh bookkeeping), tombstones.
    Parcels,
    /// Parcels' tracking events: append-only records.
    ParcelEvents,
    /// Interception steps: append-only records.
    Interceptions,
    /// Members: fields set, tombstones.
    Members,
    /// Which member each computer is: fields set.
    DeviceMembers,
    /// Shop-level settings, one row each: fields set.
    ShopSettings,
}

/// Columns no table shares: the local row number, the last-change bookkeeping that the
/// op's stamp already carries (writing them as fields would make every two edits of one
/// row conflict), and the tombstone, which only delete and restore ops write.
const NEVER_CAPTURED: &[&str] = &["seq", "updated_at", "updated_by", "deleted_at"];

impl SharedTable {
    /// Every shared table.
    pub const ALL: [SharedTable; 16] = [
        SharedTable::Cases,
        SharedTable::Orders,
        SharedTable::Notes,
        SharedTable::CaseEvents,
        SharedTable::ColumnAliases,
        SharedTable::Evidence,
        SharedTable::Scripts,
        SharedTable::ScriptVersions,
        SharedTable::DraftCopies,
        SharedTable::TrainingItems,
        SharedTable::Parcels,
        SharedTable::ParcelEvents,
        SharedTable::Interceptions,
        SharedTable::Members,
        SharedTable::DeviceMembers,
        SharedTable::ShopSettings,
    ];

    /// The table's name in the store and in ops.
    pub fn name(self) -> &'static str {
        match self {
            SharedTable::Cases => "cases",
            SharedTable::Orders => "orders",
            SharedTable::Notes => "notes",
            SharedTable::CaseEvents => "case_events",
            SharedTable::ColumnAliases => "column_aliases",
            SharedTable::Evidence => "evidence",
            SharedTable::Scripts => "scripts",
            SharedTable::ScriptVersions => "script_versions",
            SharedTable::DraftCopies => "draft_copies",
            SharedTable::TrainingItems => "training_items",
            SharedTable::Parcels => "parcels",
            SharedTable::ParcelEvents => "parcel_events",
            SharedTable::Interceptions => "interceptions",
            SharedTable::Members => "members",
            SharedTable::DeviceMembers => "device_members",
            SharedTable::ShopSettings => "shop_settings",
        }
    }

    /// The SQL expression that gives a row's id in ops. Most tables have an `id`; the rest
    /// are keyed by what they name (a header, a setting, a device), and a script's version
    /// by the script and its number.
    fn row_sql(self) -> &'static str {
        match self {
            SharedTable::ColumnAliases => "header",
            SharedTable::ScriptVersions => "script_id || '@' || version",
            SharedTable::DeviceMembers => "device_id",
            SharedTable::ShopSettings => "key",
            _ => "id",
        }
    }

    /// Whether the table's rows come into being as one insert op (records are never
    /// edited, only tombstoned at most) rather than as fields set.
    pub fn append_only(self) -> bool {
        matches!(
            self,
            SharedTable::Notes
                | SharedTable::CaseEvents
                | SharedTable::Evidence
                | SharedTable::ScriptVersions
                | SharedTable::DraftCopies
                | SharedTable::TrainingItems
                | SharedTable::ParcelEvents
                | SharedTable::Interceptions
        )
    }

    /// Whether `column` is shared. Besides [`NEVER_CAPTURED`], a parcel's refresh
    /// bookkeeping (when this computer last asked the provider, its last error, when to ask
    /// next, failures in a row) belongs to the computer that polls: every computer refreshes
    /// on its own schedule, and sharing it would make each refresh an op that conflicts
    /// with every other computer's.
    pub fn captures(self, column: &str) -> bool {
        if NEVER_CAPTURED.contains(&column) {
            return false;
        }
        !(self == SharedTable::Parcels
            && matches!(
                column,
                "last_checked" | "last_error" | "next_attempt" | "failures"
            ))
    }
}

/// A shared row's captured fields and whether it is a tombstone, as stored here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedRow {
    /// The captured fields by column name, as JSON (TEXT a string, INTEGER a number).
    pub fields: BTreeMap<String, Value>,
    /// Whether the row's `deleted_at` is set.
    pub deleted: bool,
}

/// One op of the outbox with its local sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The op's place in this device's outbox; numbers are never reused, also after a trim.
    pub seq: i64,
    /// The op.
    pub op: Op,
}

/// A column value as JSON: TEXT a string, INTEGER a number, NULL null.
fn json_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::from(String::from_utf8_lossy(t)),
    }
}

/// Reads one shared row's captured fields, or `None` when there is no such row.
pub(crate) fn snapshot(
    conn: &Connection,
    table: SharedTable,
    row: &str,
) -> Result<Option<SharedRow>, StoreError> {
    let sql = format!(
        "SELECT * FROM {} WHERE {} = ?1",
        table.name(),
        table.row_sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt
        .column_names()
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    Ok(stmt
        .query_row([row], |r| Ok(shared_row(table, &names, 0, r)))
        .optional()?)
}

/// Reads a shared row's columns from column `first` on (the columns before it are the
/// caller's).
fn shared_row(
    table: SharedTable,
    names: &[String],
    first: usize,
    r: &rusqlite::Row<'_>,
) -> SharedRow {
    let mut out = SharedRow::default();
    for (i, name) in names.iter().enumerate().skip(first) {
        let Ok(value) = r.get_ref(i) else { continue };
        if name == "deleted_at" {
            out.deleted = value != ValueRef::Null;
        } else if table.captures(name) {
            out.fields.insert(name.clone(), json_of(value));
        }
    }
    out
}

/// The sync device of a store's device id. AfterDesk's ids are UUIDs, which sync accepts
/// as they are; any other text (a hand-edited device file) is replaced by a UUID derived
/// from it, so that capture never fails and the same text always gives the same device.
fn sync_device(device: &DeviceId) -> Result<Device, StoreError> {
    Device::parse(&device.0)
        .or_else(|_| Device::parse(&natural_row_id("devices", &[&device.0])))
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// The capture of one write transaction: this device's clock, loaded when the
/// transaction begins and saved by [`Capture::finish`] before it commits.
#[derive(Debug)]
pub(crate) struct Capture {
    clock: HlcClock,
    /// A reusable buffer for the ops' field JSON, so that a bulk import does not allocate
    /// one per op.
    buf: Vec<u8>,
    /// Set only by the import benchmark's baseline (a test), to time the same import
    /// without capture in the same run; nothing else in the store sets it, and nothing
    /// outside the store can.
    pub(crate) off: bool,
}

/// Appends one op to the outbox.
const INSERT_OP: &str = "INSERT INTO sync_outbox (op_id, hlc, tbl, row, kind, fields, before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// Records the stamp of the value a field now holds.
const UPSERT_STAMP: &str = "INSERT INTO sync_stamps (tbl, row, field, hlc) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (tbl, row, field) DO UPDATE SET hlc = excluded.hlc";

/// The stamp a field holds: its own entry, or else the row's whole-row entry ('*').
const SELECT_STAMP: &str =
    "SELECT hlc FROM sync_stamps WHERE tbl = ?1 AND row = ?2 AND field IN (?3, '*')
     ORDER BY field = '*' LIMIT 1";

impl Capture {
    /// Loads this device's clock inside the write transaction `conn`.
    pub(crate) fn begin(conn: &Connection, device: &DeviceId) -> Result<Capture, StoreError> {
        let device = sync_device(device)?;
        let last: Option<String> = conn
            .prepare_cached("SELECT last FROM sync_clock WHERE id = 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let clock = match last {
            Some(text) => HlcClock::resume(&Hlc::parse(&text).map_err(corrupt)?, device),
            None => HlcClock::new(device),
        };
        Ok(Capture {
            clock,
            buf: Vec::new(),
            off: false,
        })
    }

    /// Saves the clock; call it before the transaction commits.
    pub(crate) fn finish(&self, conn: &Connection) -> Result<(), StoreError> {
        conn.prepare_cached(
            "INSERT INTO sync_clock (id, last) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET last = excluded.last",
        )?
        .execute([self.clock.last().to_string()])?;
        Ok(())
    }

    /// Whether capture is off (only ever in the import benchmark's baseline).
    fn is_off(&self) -> bool {
        self.off
    }

    fn append(
        conn: &Connection,
        hlc: &Hlc,
        table: SharedTable,
        row: &str,
        kind: &str,
        fields: Option<&str>,
        before: Option<&Hlc>,
    ) -> Result<(), StoreError> {
        conn.prepare_cached(INSERT_OP)?.execute(params![
            OpId::new(hlc).as_str(),
            hlc.to_string(),
            table.name(),
            row,
            kind,
            fields,
            before.map(ToString::to_string),
        ])?;
        Ok(())
    }

    fn stamp_of(
        conn: &Connection,
        table: SharedTable,
        row: &str,
        field: &str,
    ) -> Result<Option<Hlc>, StoreError> {
        let text: Option<String> = conn
            .prepare_cached(SELECT_STAMP)?
            .query_row(params![table.name(), row, field], |r| r.get(0))
            .optional()?;
        text.map(|t| Hlc::parse(&t).map_err(corrupt)).transpose()
    }

    fn write_stamp(
        conn: &Connection,
        table: SharedTable,
        row: &str,
        field: &str,
        hlc: &str,
    ) -> Result<(), StoreError> {
        conn.prepare_cached(UPSERT_STAMP)?
            .execute(params![table.name(), row, field, hlc])?;
        Ok(())
    }

    /// A set op: `fields` of `row` got these values. With `whole`, the row is new and
    /// `fields` are all its fields: no field had a stamp before, and one whole-row stamp
    /// stands for them all. Otherwise each field's previous stamp is looked up for the op's
    /// `before` and replaced by the new one. Nothing is appended for no field.
    pub(crate) fn set<V: Serialize>(
        &mut self,
        conn: &Connection,
        table: SharedTable,
        row: &str,
        fields: &[(&str, V)],
        whole: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if fields.is_empty() || self.is_off() {
            return Ok(());
        }
        let hlc = self.clock.send(now);
        let hlc_text = hlc.to_string();
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.push(b'{');
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            serde_json::to_writer(&mut buf, name).map_err(corrupt)?;
            buf.extend_from_slice(b":{\"value\":");
            serde_json::to_writer(&mut buf, value).map_err(corrupt)?;
            if !whole && let Some(before) = Self::stamp_of(conn, table, row, name)? {
                buf.extend_from_slice(b",\"before\":");
                serde_json::to_writer(&mut buf, &before).map_err(corrupt)?;
            }
            buf.push(b'}');
            if !whole {
                Self::write_stamp(conn, table, row, name, &hlc_text)?;
            }
        }
        buf.push(b'}');
        let text = std::str::from_utf8(&buf).map_err(corrupt)?;
        Self::append(conn, &hlc, table, row, "set", Some(text), None)?;
        self.buf = buf;
        if whole {
            Self::write_stamp(conn, table, row, "*", &hlc_text)?;
        }
        Ok(())
    }

    /// An insert op: an append-only record with these fields came into being.
    pub(crate) fn insert<V: Serialize>(
        &mut self,
        conn: &Connection,
        table: SharedTable,
        row: &str,
        fields: &[(&str, V)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.is_off() {
            return Ok(());
        }
        let hlc = self.clock.send(now);
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        buf.push(b'{');
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            serde_json::to_writer(&mut buf, name).map_err(corrupt)?;
            buf.push(b':');
            serde_json::to_writer(&mut buf, value).map_err(corrupt)?;
        }
        buf.push(b'}');
        let text = std::str::from_utf8(&buf).map_err(corrupt)?;
        Self::append(conn, &hlc, table, row, "insert", Some(text), None)?;
        self.buf = buf;
        Ok(())
    }

    /// A delete (`deleted`) or restore op on `row`.
    pub(crate) fn tombstone(
        &mut self,
        conn: &Connection,
        table: SharedTable,
        row: &str,
        deleted: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.is_off() {
            return Ok(());
        }
        let hlc = self.clock.send(now);
        let before = Self::stamp_of(conn, table, row, "deleted_at")?;
        let kind = if deleted { "delete" } else { "restore" };
        Self::append(conn, &hlc, table, row, kind, None, before.as_ref())?;
        Self::write_stamp(conn, table, row, "deleted_at", &hlc.to_string())
    }

    /// Captures what a write did to `row`, given the row as it was before the write
    /// (`None`: it did not exist): a new row of an append-only table is an insert op, of
    /// another table a set op of all its fields; an existing row gives a set op of the
    /// fields that changed, and a delete or restore op when its tombstone changed.
    pub(crate) fn changed(
        &mut self,
        conn: &Connection,
        table: SharedTable,
        row: &str,
        before: Option<&SharedRow>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if self.is_off() {
            return Ok(());
        }
        let Some(after) = snapshot(conn, table, row)? else {
            return Ok(());
        };
        match before {
            None => {
                let fields: Vec<(&str, &Value)> =
                    after.fields.iter().map(|(k, v)| (k.as_str(), v)).collect();
                if table.append_only() {
                    self.insert(conn, table, row, &fields, now)?;
                } else {
                    self.set(conn, table, row, &fields, true, now)?;
                }
            }
            Some(old) => {
                let fields: Vec<(&str, &Value)> = after
                    .fields
                    .iter()
                    .filter(|(k, v)| old.fields.get(*k) != Some(*v))
                    .map(|(k, v)| (k.as_str(), v))
                    .collect();
                self.set(conn, table, row, &fields, false, now)?;
            }
        }
        let was_deleted = before.is_some_and(|old| old.deleted);
        if after.deleted != was_deleted {
            self.tombstone(conn, table, row, after.deleted, now)?;
        }
        Ok(())
    }

    /// Captures a row a write just created (see [`Capture::changed`]).
    pub(crate) fn created(
        &mut self,
        conn: &Connection,
        table: SharedTable,
        row: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.changed(conn, table, row, None, now)
    }
}

impl Store {
    /// The ops captured after outbox number `after_seq`, at most `limit` of them, oldest
    /// first: what the sync loop writes into its next batch files.
    pub fn outbox(&self, after_seq: i64, limit: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, op_id, hlc, tbl, row, kind, fields, before FROM sync_outbox
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after_seq, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, hlc, table, row, kind, fields, before) = row?;
            let before = before
                .map(|b| Hlc::parse(&b).map_err(corrupt))
                .transpose()?;
            let fields = fields.unwrap_or_default();
            let kind = match kind.as_str() {
                "set" => OpKind::Set {
                    fields: serde_json::from_str::<BTreeMap<String, FieldEdit>>(&fields)
                        .map_err(corrupt)?,
                },
                "insert" => OpKind::Insert {
                    fields: serde_json::from_str(&fields).map_err(corrupt)?,
                },
                "delete" => OpKind::Delete { before },
                _ => OpKind::Restore { before },
            };
            out.push(OutboxEntry {
                seq,
                op: Op {
                    id: OpId::parse(&id).map_err(corrupt)?,
                    hlc: Hlc::parse(&hlc).map_err(corrupt)?,
                    table,
                    row,
                    kind,
                },
            });
        }
        Ok(out)
    }

    /// Removes the outbox's ops up to and including number `through_seq`, once a batch
    /// file or a snapshot holds them; returns how many were removed. The numbers of later
    /// ops stay as they were.
    pub fn trim_outbox(&mut self, through_seq: i64) -> Result<usize, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM sync_outbox WHERE seq <= ?1", [through_seq])?)
    }

    /// Every row of a shared table with its captured fields, by row id (as ops name it),
    /// tombstones included: what a snapshot of this shop holds for the table.
    pub fn shared_rows(
        &self,
        table: SharedTable,
    ) -> Result<BTreeMap<String, SharedRow>, StoreError> {
        let sql = format!(
            "SELECT {} AS sync_row, * FROM {}",
            table.row_sql(),
            table.name()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let names: Vec<String> = stmt
            .column_names()
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        let mut out = BTreeMap::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            out.insert(id, shared_row(table, &names, 1, r));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod bench {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
    use super::*;
    use afterdesk_case::{CaseFacts, Fen, OrderFacts, Platform};
    use std::time::Instant;

    /// Rows per timed import: enough that per-row costs dominate opening the file.
    const ROWS: u64 = 20_000;

    fn row(n: u64, now: DateTime<Utc>) -> CaseFacts {
        CaseFacts {
            refund_no: Some(format!("{:019}", 3_000_000_000_000_000_000u64 + n)),
            order_no: Some(format!("{:019}", 4_000_000_000_000_000_000u64 + n)),
            alipay_no: Some(format!("2026{n:020}")),
            buyer_nick: Some(format!("买家{n}号")),
            item_title: Some(format!(
                "纯棉T恤 白色 {}",
                ["S", "M", "L", "XL"][(n % 4) as usize]
            )),
            sku_code: Some(format!("SKU-{}", n % 97)),
            reason_text: Some("质量问题".to_owned()),
            buyer_note: Some("衣服有破洞，要求退货退款".to_owned()),
            refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
            goods_status_text: Some("买家已收到货".to_owned()),
            return_needed: Some(true),
            paid: Some(Fen(12_950)),
            refund: Some(Fen(12_950)),
            ship_logistics: Some(format!("中通快递 7512{n:010}")),
            paid_at: Some(now - chrono::Duration::days(5)),
            shipped_at: Some(now - chrono::Duration::days(4)),
            requested_at: Some(now - chrono::Duration::days(1)),
            extra: vec![("店铺备注".to_owned(), format!("备注{n}"))],
            ..CaseFacts::default()
        }
    }

    /// Imports `ROWS` refunds and as many orders into a new shop file; returns seconds.
    fn timed_import(dir: &std::path::Path, name: &str, capture: bool) -> f64 {
        let now = DateTime::from_timestamp_millis(1_795_000_000_000).unwrap();
        let device = DeviceId("0192d3f4-a5b6-7c8d-9e0f-112233445566".to_owned());
        let mut store = Store::open(&dir.join(name), device, now).unwrap();
        let started = Instant::now();
        let mut import = store.begin_import("导入员", "refunds.csv", now).unwrap();
        import.capture.off = !capture;
        for n in 0..ROWS {
            import.case(Platform::Tmall, row(n, now), n + 2).unwrap();
            let order = OrderFacts {
                order_no: format!("{:019}", 4_000_000_000_000_000_000u64 + n),
                buyer_nick: Some(format!("买家{n}号")),
                paid: Some(Fen(12_950)),
                ..OrderFacts::default()
            };
            import.order(order, n + 2).unwrap();
        }
        import.commit(&serde_json::json!({})).unwrap();
        started.elapsed().as_secs_f64()
    }

    /// `cargo test --release -p afterdesk-store import_speed_with_and_without_capture --
    /// --ignored --nocapture`: the same import with and without capture, alternating, in
    /// one run; prints the median times and their ratio (the target: with capture
    /// at least 80 % of the speed without).
    #[test]
    #[ignore = "a benchmark; run it in release"]
    fn import_speed_with_and_without_capture() {
        let dir = tempfile::tempdir().unwrap();
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for run in 0..5 {
            without.push(timed_import(dir.path(), &format!("off{run}.sqlite"), false));
            with.push(timed_import(dir.path(), &format!("on{run}.sqlite"), true));
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (with, without) = (median(with), median(without));
        println!(
            "import of {ROWS} refunds + {ROWS} orders: without capture {without:.3} s, with capture {with:.3} s, speed ratio {:.2}",
            without / with
        );
        assert!(with > 0.0 && without > 0.0, "both imports ran");
    }
}
