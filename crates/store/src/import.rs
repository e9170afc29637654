//! Importing platform facts: one transaction per file, upsert by refund or order number.

use crate::codec::{
    CASE_COLUMN_COUNT, CASE_COLUMNS, bind_case, case_from_row, extra_json, ms, placeholders,
};
use crate::{Store, StoreError};
use afterdesk_case::{Actor, Case, CaseFacts, KindSource, OrderFacts, Platform, RecordId};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// What an import did to the store, row by row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    /// Rows that created a case or order.
    pub created: u64,
    /// Rows that changed an existing one.
    pub updated: u64,
    /// Rows that matched what was stored.
    pub unchanged: u64,
    /// Rows for cases the shop has deleted; they are left deleted.
    pub deleted: u64,
}

/// What one upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Upsert {
    /// A new record.
    Created,
    /// An existing record changed.
    Updated,
    /// Nothing changed.
    Unchanged,
    /// The record is a tombstone and stays one.
    Deleted,
}

/// An import in progress. Everything it writes becomes visible at [`Import::commit`];
/// dropping it (or a crash) leaves the store exactly as it was.
#[derive(Debug)]
pub struct Import<'s> {
    tx: Transaction<'s>,
    /// The highest case `seq` before the import: rows above it are new and get indexed
    /// for search in one statement at commit.
    seq_before: i64,
    /// The `origin` every case this import creates carries.
    origin: String,
    actor: Actor,
    source: String,
    now: DateTime<Utc>,
    counts: ImportCounts,
}

impl Store {
    /// Starts importing the file named `source` as `agent`.
    pub fn begin_import(
        &mut self,
        agent: &str,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<Import<'_>, StoreError> {
        let actor = Actor {
            agent: agent.to_owned(),
            device: self.device.clone(),
        };
        let tx = self.conn.transaction()?;
        let seq_before = max_seq(&tx)?;
        Ok(Import {
            tx,
            seq_before,
            origin: format!("导入 {source}（{agent}）"),
            actor,
            source: source.to_owned(),
            now,
            counts: ImportCounts::default(),
        })
    }
}

impl Import<'_> {
    /// The counts so far.
    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    fn count(&mut self, upsert: Upsert) -> Upsert {
        let c = &mut self.counts;
        match upsert {
            Upsert::Created => c.created += 1,
            Upsert::Updated => c.updated += 1,
            Upsert::Unchanged => c.unchanged += 1,
            Upsert::Deleted => c.deleted += 1,
        }
        upsert
    }

    /// Creates or updates the case with these facts' refund number.
    ///
    /// On update the platform's facts are merged (a column the new export lacks keeps its
    /// old value), each changed field is written to the timeline, and the shop's own
    /// fields (notes, flag, assignee, tags, a kind set by hand) are kept.
    pub fn case(&mut self, platform: Platform, facts: CaseFacts) -> Result<Upsert, StoreError> {
        let Some(refund_no) = facts.refund_no.clone() else {
            return Err(StoreError::Invalid("退款编号为空的记录不能导入".to_owned()));
        };
        let existing = self
            .tx
            .prepare_cached(&SELECT_BY_REFUND_NO)?
            .query_row([&refund_no], case_from_row)
            .optional()?;
        let outcome = match existing {
            None => {
                self.insert_case(platform, facts)?;
                Upsert::Created
            }
            Some(old) if old.deleted_at.is_some() => Upsert::Deleted,
            Some(old) if old.facts == facts && old.platform == platform => Upsert::Unchanged,
            Some(old) => self.update_case(old, platform, facts)?,
        };
        Ok(self.count(outcome))
    }

    fn insert_case(&mut self, platform: Platform, facts: CaseFacts) -> Result<(), StoreError> {
        let case = Case {
            id: RecordId::new(self.now),
            platform,
            kind: facts.derive_kind(),
            kind_source: KindSource::Derived,
            open: facts.refund_status().is_open(),
            facts,
            flag: None,
            assignee: None,
            tags: Vec::new(),
            origin: self.origin.clone(),
            created_at: self.now,
            updated_at: self.now,
            updated_by: self.actor.device.clone(),
            deleted_at: None,
        };
        write_case(&self.tx, &case, false)
    }

    fn update_case(
        &mut self,
        old: Case,
        platform: Platform,
        facts: CaseFacts,
    ) -> Result<Upsert, StoreError> {
        let merged = merge_facts(&old.facts, facts)?;
        if merged == old.facts && old.platform == platform {
            return Ok(Upsert::Unchanged);
        }
        let mut case = old.clone();
        case.platform = platform;
        case.facts = merged;
        case.open = case.facts.refund_status().is_open();
        if case.kind_source == KindSource::Derived {
            case.kind = case.facts.derive_kind();
        }
        case.updated_at = self.now;
        case.updated_by = self.actor.device.clone();
        write_case(&self.tx, &case, true)?;
        for (field, before, after) in diff(&old, &case)? {
            record_event(
                &self.tx,
                &self.actor,
                self.now,
                &case.id,
                &field,
                before.as_deref(),
                after.as_deref(),
            )?;
        }
        Ok(Upsert::Updated)
    }

    /// Creates or updates the order with this order number. A field the new export leaves
    /// empty keeps its stored value.
    pub fn order(&mut self, facts: OrderFacts) -> Result<Upsert, StoreError> {
        let existing: Option<(String, Option<i64>)> = self
            .tx
            .prepare_cached("SELECT id, deleted_at FROM orders WHERE order_no = ?1")?
            .query_row([&facts.order_no], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((_, Some(_))) = existing {
            return Ok(self.count(Upsert::Deleted));
        }
        // Both statements take the same parameters in the same places.
        let (sql, id) = match existing {
            Some((id, _)) => (UPDATE_ORDER, id),
            None => (INSERT_ORDER, RecordId::new(self.now).to_string()),
        };
        let changed = self.tx.prepare_cached(sql)?.execute(params![
            id,
            facts.order_no,
            facts.buyer_nick,
            facts.item_title,
            facts.paid.map(|f| f.0),
            ms(facts.paid_at),
            ms(facts.shipped_at),
            facts.status_text,
            facts.logistics,
            facts.address,
            extra_json(&facts.extra),
            self.now.timestamp_millis(),
            self.actor.device.0,
        ])?;
        let outcome = match (sql == INSERT_ORDER, changed > 0) {
            (true, _) => Upsert::Created,
            (false, true) => Upsert::Updated,
            (false, false) => Upsert::Unchanged,
        };
        Ok(self.count(outcome))
    }

    /// Makes the import's changes durable and records the run (its summary as JSON).
    pub fn commit(self, summary: &Value) -> Result<ImportCounts, StoreError> {
        index_new_cases(&self.tx, self.seq_before)?;
        self.tx.execute(
            "INSERT INTO import_runs (id, file_name, actor, device, at, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                RecordId::new(self.now).to_string(),
                self.source,
                self.actor.agent,
                self.actor.device.0,
                self.now.timestamp_millis(),
                summary.to_string(),
            ],
        )?;
        // An import can change the shop's size by orders of magnitude; fresh statistics
        // keep the planner on the selective indexes (see `ANALYSIS_LIMIT`).
        self.tx.execute_batch("ANALYZE;")?;
        self.tx.commit()?;
        Ok(self.counts)
    }
}

// The statements an import runs per row, built once: formatting them per row showed up
// in import profiles.
static INSERT_CASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO cases ({CASE_COLUMNS}) VALUES ({})",
        placeholders(1, CASE_COLUMN_COUNT)
    )
});
static UPDATE_CASE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE cases SET ({CASE_COLUMNS}) = ({}) WHERE id = ?1",
        placeholders(1, CASE_COLUMN_COUNT)
    )
});
static SELECT_BY_REFUND_NO: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {CASE_COLUMNS} FROM cases WHERE refund_no = ?1"));

/// Writes a whole case row: an INSERT for a new case, an UPDATE keyed by id otherwise.
pub(crate) fn write_case(
    tx: &rusqlite::Connection,
    case: &Case,
    existing: bool,
) -> Result<(), StoreError> {
    let sql: &str = if existing { &UPDATE_CASE } else { &INSERT_CASE };
    let mut stmt = tx.prepare_cached(sql)?;
    bind_case(&mut stmt, 1, case)?;
    stmt.raw_execute().map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::DuplicateRefundNo(case.facts.refund_no.clone().unwrap_or_default())
        }
        other => StoreError::Sql(other),
    })?;
    Ok(())
}

/// Inserts an order; parameters as bound in [`Import::order`].
const INSERT_ORDER: &str =
    "INSERT INTO orders (id, order_no, buyer_nick, item_title, paid_fen, paid_at, shipped_at,
     status_text, logistics, address, extra, created_at, updated_at, updated_by)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)";

/// Updates an order where a value changed (`?2`, the order number, is the match key and
/// stays); parameters as bound in [`Import::order`].
const UPDATE_ORDER: &str = "UPDATE orders SET buyer_nick = coalesce(?3, buyer_nick), item_title = coalesce(?4, item_title),
     paid_fen = coalesce(?5, paid_fen), paid_at = coalesce(?6, paid_at), shipped_at = coalesce(?7, shipped_at),
     status_text = coalesce(?8, status_text), logistics = coalesce(?9, logistics), address = coalesce(?10, address),
     extra = coalesce(?11, extra), updated_at = ?12, updated_by = ?13
     WHERE id = ?1 AND order_no = ?2 AND NOT (
       buyer_nick IS coalesce(?3, buyer_nick) AND item_title IS coalesce(?4, item_title)
       AND paid_fen IS coalesce(?5, paid_fen) AND paid_at IS coalesce(?6, paid_at)
       AND shipped_at IS coalesce(?7, shipped_at) AND status_text IS coalesce(?8, status_text)
       AND logistics IS coalesce(?9, logistics) AND address IS coalesce(?10, address)
       AND extra IS coalesce(?11, extra))";

/// The highest case `seq` so far (0 for an empty store).
pub(crate) fn max_seq(tx: &rusqlite::Connection) -> Result<i64, StoreError> {
    Ok(tx.query_row("SELECT ifnull(max(seq), 0) FROM cases", [], |r| r.get(0))?)
}

/// Adds the cases stored after `seq_before` to the search indexes, in bulk.
pub(crate) fn index_new_cases(
    tx: &rusqlite::Connection,
    seq_before: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO case_search(rowid, body)
         SELECT seq, concat_ws(char(10), buyer_nick, reason_text, buyer_note) FROM cases WHERE seq > ?1",
        [seq_before],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO item_titles(title)
         SELECT DISTINCT item_title FROM cases WHERE seq > ?1 AND item_title IS NOT NULL",
        [seq_before],
    )?;
    Ok(())
}

/// Appends one event to a case's timeline.
pub(crate) fn record_event(
    tx: &rusqlite::Connection,
    actor: &Actor,
    at: DateTime<Utc>,
    case_id: &RecordId,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO case_events (id, case_id, actor, device, at, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        RecordId::new(at).to_string(),
        case_id.to_string(),
        actor.agent,
        actor.device.0,
        at.timestamp_millis(),
        field,
        old,
        new
    ])?;
    Ok(())
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// The new export's facts laid over the stored ones: a field the new export leaves empty
/// keeps its stored value, and extra columns merge by header.
fn merge_facts(old: &CaseFacts, new: CaseFacts) -> Result<CaseFacts, StoreError> {
    let mut extra = old.extra.clone();
    for (header, value) in &new.extra {
        match extra.iter_mut().find(|(h, _)| h == header) {
            Some(slot) => slot.1.clone_from(value),
            None => extra.push((header.clone(), value.clone())),
        }
    }
    let mut merged = as_map(serde_json::to_value(old).map_err(json_err)?);
    for (key, value) in as_map(serde_json::to_value(&new).map_err(json_err)?) {
        if !value.is_null() {
            merged.insert(key, value);
        }
    }
    let mut facts: CaseFacts = serde_json::from_value(Value::Object(merged)).map_err(json_err)?;
    facts.extra = extra;
    Ok(facts)
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// One changed field for the timeline: its name, the value before and after.
type FieldChange = (String, Option<String>, Option<String>);

/// The fields that differ between two versions of a case, as timeline text.
fn diff(old: &Case, new: &Case) -> Result<Vec<FieldChange>, StoreError> {
    let before = as_map(serde_json::to_value(&old.facts).map_err(json_err)?);
    let after = as_map(serde_json::to_value(&new.facts).map_err(json_err)?);
    let mut changes: Vec<FieldChange> = after
        .iter()
        .filter(|(key, value)| before.get(*key) != Some(*value))
        .map(|(key, value)| {
            (
                key.clone(),
                before.get(key).and_then(scalar_text),
                scalar_text(value),
            )
        })
        .collect();
    if old.kind != new.kind {
        changes.push((
            "kind".to_owned(),
            Some(old.kind.key().to_owned()),
            Some(new.kind.key().to_owned()),
        ));
    }
    if old.open != new.open {
        changes.push((
            "open".to_owned(),
            Some(old.open.to_string()),
            Some(new.open.to_string()),
        ));
    }
    if old.platform != new.platform {
        changes.push((
            "platform".to_owned(),
            Some(old.platform.key().to_owned()),
            Some(new.platform.key().to_owned()),
        ));
    }
    Ok(changes)
}
