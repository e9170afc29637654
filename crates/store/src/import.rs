//! Importing platform facts: one transaction per file, upsert by refund or order number.

use crate::TimelineField;
use crate::codec::{
    CASE_COLUMN_COUNT, CASE_COLUMN_NAMES, CASE_COLUMNS, Cell, bind_case, case_cells, case_from_row,
    extra_json, ms, placeholders,
};
use crate::outbox::{Capture, SharedTable, snapshot};
use crate::{Store, StoreError};
use afterdesk_case::{
    Actor, Case, CaseFacts, KindSource, OrderFacts, Platform, RecordId, Standing,
};
use afterdesk_sync::natural_row_id;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::LazyLock;

/// How many duplicate rows an import lists; the count covers them all.
///
/// A thousand rows is more than anyone reads, and a file that repeats every row must not
/// hold a million-entry list in memory.
pub const DUPLICATES_LISTED: usize = 1_000;

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
    /// Rows older than what the shop already holds for their refund (an older export);
    /// they change nothing.
    pub older: u64,
    /// Rows that repeat a refund or order number another row of the same file also has,
    /// and lost to it (see [`DuplicateRow`]).
    pub duplicates: u64,
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
    /// The row is older than what is stored and changes nothing.
    Older,
    /// Another row of the same file for the same record won.
    Duplicate,
}

/// A row that lost to another row of the same file with the same refund or order number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateRow {
    /// The refund number (or order number for an order list).
    pub key: String,
    /// The row that was not used.
    pub row: u64,
    /// The row that was used instead.
    pub kept_row: u64,
}

/// The best row of this file so far for one refund or order number.
#[derive(Debug, Clone, Copy)]
struct Seen {
    /// How far along the process the row is.
    standing: Standing,
    /// A fingerprint of the row's facts, so that of two rows that are equally far along
    /// the same one wins whatever their order in the file.
    fingerprint: u64,
    /// The row's number in the file.
    row: u64,
    /// What applying it did.
    outcome: Upsert,
}

impl Seen {
    fn rank(&self) -> (Standing, u64) {
        (self.standing, self.fingerprint)
    }
}

/// What this import has done to one stored record so far.
#[derive(Debug)]
enum Before {
    /// Nothing: the stored record is as it was before the import.
    Untouched,
    /// The import created it.
    Created,
    /// The import changed it; this is how it was before, as JSON. A case in memory takes
    /// about four times its JSON (every field its own allocation), and an import of a
    /// later export changes tens of thousands of cases; kept as text, a 100,000-row
    /// re-import stays within a shop's means. Read back only at commit, and for the rare
    /// row that beats an earlier row of its file.
    Was(Box<str>),
}

/// One refund number of the file: its best row so far, and what the import did
/// to the record. A later row of the file that wins over an earlier one is judged against
/// the record as it was before the import, not as the earlier row left it, and the
/// timeline is written from that state at commit, so a file's rows in any order give the
/// same case and the same history.
#[derive(Debug)]
struct Touched {
    best: Seen,
    before: Before,
}

/// A fingerprint that is the same for equal facts in every run (a fixed seed), so a
/// re-import picks the same winner among equal rows. foldhash, because every row of every
/// import is fingerprinted and SipHash showed in the import benchmark.
fn fingerprint(facts: &impl Hash) -> u64 {
    foldhash::fast::FixedState::with_seed(FINGERPRINT_SEED).hash_one(facts)
}

/// The seed of [`fingerprint`]: any fixed value; changing it changes which of two equally
/// advanced but different rows of one refund wins.
const FINGERPRINT_SEED: u64 = 0x5348_4f50_4445_534b;

/// The maps an import keeps per refund or order number, hashed with foldhash: they are
/// looked up twice for every row.
type NumberMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

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
    /// Each refund number this file has.
    seen_cases: NumberMap<Touched>,
    /// Each order number this file has.
    seen_orders: NumberMap<Seen>,
    /// The first [`DUPLICATES_LISTED`] duplicate rows.
    duplicates: Vec<DuplicateRow>,
    /// The sync ops of everything this import writes, in its transaction.
    pub(crate) capture: Capture,
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
        let capture = Capture::begin(&tx, &self.device)?;
        Ok(Import {
            tx,
            seq_before,
            origin: format!("导入 {source}（{agent}）"),
            actor,
            source: source.to_owned(),
            now,
            counts: ImportCounts::default(),
            seen_cases: NumberMap::default(),
            seen_orders: NumberMap::default(),
            duplicates: Vec::new(),
            capture,
        })
    }
}

impl Import<'_> {
    /// The counts so far.
    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// The duplicate rows found so far (the first [`DUPLICATES_LISTED`]; the count in
    /// [`ImportCounts::duplicates`] covers them all).
    pub fn duplicates(&self) -> &[DuplicateRow] {
        &self.duplicates
    }

    fn tally(&mut self, upsert: Upsert, delta: i64) {
        let c = &mut self.counts;
        let slot = match upsert {
            Upsert::Created => &mut c.created,
            Upsert::Updated => &mut c.updated,
            Upsert::Unchanged => &mut c.unchanged,
            Upsert::Deleted => &mut c.deleted,
            Upsert::Older => &mut c.older,
            Upsert::Duplicate => &mut c.duplicates,
        };
        *slot = slot.saturating_add_signed(delta);
    }

    fn count(&mut self, upsert: Upsert) -> Upsert {
        self.tally(upsert, 1);
        upsert
    }

    fn duplicate(&mut self, key: &str, row: u64, kept_row: u64) {
        self.tally(Upsert::Duplicate, 1);
        if self.duplicates.len() < DUPLICATES_LISTED {
            self.duplicates.push(DuplicateRow {
                key: key.to_owned(),
                row,
                kept_row,
            });
        }
    }

    /// Decides whether order row `row` with this `standing` is the file's best so far for
    /// `order_no`. Returns `false` (and records the duplicate) when an earlier row wins;
    /// otherwise records the row as the best, takes back the count of the row it beats,
    /// and returns `true`. (Cases do the same inline in [`Import::case`], which also keeps
    /// what the import did to the case.)
    fn order_wins(
        &mut self,
        order_no: &str,
        standing: Standing,
        fingerprint: u64,
        row: u64,
    ) -> bool {
        let candidate = Seen {
            standing,
            fingerprint,
            row,
            outcome: Upsert::Unchanged,
        };
        let beaten = match self.seen_orders.get_mut(order_no) {
            Some(best) if candidate.rank() <= best.rank() => {
                let kept_row = best.row;
                self.duplicate(order_no, row, kept_row);
                return false;
            }
            Some(best) => Some(std::mem::replace(best, candidate)),
            None => {
                self.seen_orders.insert(order_no.to_owned(), candidate);
                None
            }
        };
        if let Some(beaten) = beaten {
            self.tally(beaten.outcome, -1);
            self.duplicate(order_no, beaten.row, row);
        }
        true
    }

    /// Remembers what the winning row for `order_no` did, so that a later row that beats
    /// it can take its count back.
    fn settle_order(&mut self, order_no: &str, outcome: Upsert) -> Upsert {
        if let Some(best) = self.seen_orders.get_mut(order_no) {
            best.outcome = outcome;
        }
        self.count(outcome)
    }

    /// Creates or updates the case with these facts' refund number, from row `row` of the
    /// file.
    ///
    /// Within one file, one row per refund number wins: the one furthest along the
    /// platform's process ([`CaseFacts::standing`]), whatever the rows' order; the others
    /// are counted and listed as duplicates. Against what is stored, a row that is behind
    /// (an older export) changes nothing, so a finished refund never reopens and no field
    /// goes back. Otherwise the platform's facts are merged (a column the new export
    /// lacks keeps its old value), each changed field is written to the timeline, and the
    /// shop's own fields (notes, flag, assignee, tags, a kind set by hand) are kept.
    pub fn case(
        &mut self,
        platform: Platform,
        facts: CaseFacts,
        row: u64,
    ) -> Result<Upsert, StoreError> {
        let Some(refund_no) = facts.refund_no.clone() else {
            return Err(StoreError::Invalid("退款编号为空的记录不能导入".to_owned()));
        };
        let standing = facts.standing();
        let candidate = Seen {
            standing,
            fingerprint: fingerprint(&facts),
            row,
            outcome: Upsert::Unchanged,
        };
        // The entry is taken out and put back once at the end: one lookup each way on
        // this path, which every row of every import takes.
        let (key, earlier) = match self.seen_cases.remove_entry(refund_no.as_str()) {
            Some((key, touched)) if candidate.rank() <= touched.best.rank() => {
                let kept_row = touched.best.row;
                self.seen_cases.insert(key, touched);
                self.duplicate(&refund_no, row, kept_row);
                return Ok(Upsert::Duplicate);
            }
            Some((key, touched)) => {
                self.tally(touched.best.outcome, -1);
                self.duplicate(&refund_no, touched.best.row, row);
                (key, touched.before)
            }
            None => (refund_no, Before::Untouched),
        };
        let current = self
            .tx
            .prepare_cached(&SELECT_BY_REFUND_NO)?
            .query_row([&key], case_from_row)
            .optional()?;
        let current_id = current.as_ref().map(|c| c.id);
        let stored = current.is_some();
        // A row that beat an earlier row of this file is judged against the case as it
        // was before the import, not as the earlier row left it.
        let was;
        let (base, earlier_changed) = match earlier {
            Before::Untouched => (current.as_ref(), false),
            Before::Created => (None, true),
            Before::Was(json) => {
                was = case_from_json(&json)?;
                (Some(&was), true)
            }
        };
        let (outcome, target) = match base {
            None => {
                let mut case = self.new_case(platform, facts);
                if let Some(id) = current_id {
                    // An earlier row of this file created the case; keep its identity.
                    case.id = id;
                }
                (Upsert::Created, Some(case))
            }
            Some(old) if old.deleted_at.is_some() => (Upsert::Deleted, None),
            Some(old) if old.facts.standing() > standing => (Upsert::Older, None),
            Some(old) => match self.updated_case(old, platform, facts)? {
                Some(case) => (Upsert::Updated, Some(case)),
                None => (Upsert::Unchanged, None),
            },
        };
        let written = match (&target, base) {
            (Some(case), _) => Some(case),
            // The case stays as it was before the import; if an earlier row of the file
            // had changed it, that change is undone.
            (None, Some(old)) if earlier_changed => Some(old),
            (None, _) => None,
        };
        if let Some(case) = written {
            write_case(&self.tx, case, stored)?;
            capture_case(
                &mut self.capture,
                &self.tx,
                current.as_ref(),
                case,
                self.now,
            )?;
        }
        let before = match (outcome, base) {
            (Upsert::Created, _) | (Upsert::Updated, None) => Before::Created,
            (Upsert::Updated, Some(old)) => Before::Was(
                serde_json::to_string(&old)
                    .map_err(json_err)?
                    .into_boxed_str(),
            ),
            _ => Before::Untouched,
        };
        self.seen_cases.insert(
            key,
            Touched {
                best: Seen {
                    outcome,
                    ..candidate
                },
                before,
            },
        );
        Ok(self.count(outcome))
    }

    fn new_case(&self, platform: Platform, facts: CaseFacts) -> Case {
        Case {
            id: case_id(platform, facts.refund_no.as_deref(), self.now),
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
        }
    }

    /// `old` with the row's facts merged in, or `None` when that changes nothing.
    fn updated_case(
        &self,
        old: &Case,
        platform: Platform,
        facts: CaseFacts,
    ) -> Result<Option<Case>, StoreError> {
        if old.facts == facts && old.platform == platform {
            return Ok(None);
        }
        let merged = merge_facts(&old.facts, facts);
        if merged == old.facts && old.platform == platform {
            return Ok(None);
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
        Ok(Some(case))
    }

    /// Writes the timeline of every case the import changed: one event per field that
    /// differs between the case before the import and after it.
    fn record_history(&mut self) -> Result<(), StoreError> {
        let mut changed: Vec<(&String, &str)> = self
            .seen_cases
            .iter()
            .filter_map(|(refund_no, touched)| match &touched.before {
                Before::Was(old) => Some((refund_no, &**old)),
                _ => None,
            })
            .collect();
        // Sorted so that the timeline's ids come out in the same order on every run.
        changed.sort_by(|a, b| a.0.cmp(b.0));
        for (refund_no, old) in changed {
            let Some(new) = self
                .tx
                .prepare_cached(&SELECT_BY_REFUND_NO)?
                .query_row([refund_no], case_from_row)
                .optional()?
            else {
                continue;
            };
            for (field, before, after) in diff(&case_from_json(old)?, &new)? {
                record_event(
                    &self.tx,
                    &mut self.capture,
                    &self.actor,
                    self.now,
                    &new.id,
                    &field,
                    before.as_deref(),
                    after.as_deref(),
                )?;
            }
        }
        Ok(())
    }

    /// Creates or updates the order with this order number. A field the new export leaves
    /// empty keeps its stored value.
    ///
    /// Within one file, one row per order number wins, as for cases: the one with the
    /// latest payment or shipping time, whatever the rows' order.
    pub fn order(&mut self, facts: OrderFacts, row: u64) -> Result<Upsert, StoreError> {
        let standing = Standing {
            latest: facts.paid_at.max(facts.shipped_at),
            progress: 0,
        };
        let order_no = facts.order_no.clone();
        // A row that beats an earlier row of this file which created the order still
        // counts as creating it.
        let created_here = self
            .seen_orders
            .get(&order_no)
            .is_some_and(|best| best.outcome == Upsert::Created);
        if !self.order_wins(&order_no, standing, fingerprint(&facts), row) {
            return Ok(Upsert::Duplicate);
        }
        let existing: Option<(String, Option<i64>)> = self
            .tx
            .prepare_cached("SELECT id, deleted_at FROM orders WHERE order_no = ?1")?
            .query_row([&facts.order_no], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((_, Some(_))) = existing {
            return Ok(self.settle_order(&order_no, Upsert::Deleted));
        }
        // Both statements take the same parameters in the same places.
        let (sql, id, before) = match existing {
            Some((id, _)) => {
                let before = snapshot(&self.tx, SharedTable::Orders, &id)?;
                (UPDATE_ORDER, id, before)
            }
            None => (INSERT_ORDER, order_id(&facts.order_no, self.now), None),
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
        if changed > 0 {
            self.capture.changed(
                &self.tx,
                SharedTable::Orders,
                &id,
                before.as_ref(),
                self.now,
            )?;
        }
        let outcome = match (sql == INSERT_ORDER || created_here, changed > 0) {
            (true, _) => Upsert::Created,
            (false, true) => Upsert::Updated,
            (false, false) => Upsert::Unchanged,
        };
        Ok(self.settle_order(&order_no, outcome))
    }

    /// Makes the import's changes durable and records the run (its summary as JSON).
    pub fn commit(mut self, summary: &Value) -> Result<ImportCounts, StoreError> {
        self.record_history()?;
        self.capture.finish(&self.tx)?;
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
        other => StoreError::from(other),
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

/// The id of a new case: derived from its platform and refund number when it has one, so
/// that two computers importing the same export offline create the same case
/// (`docs/sync.md`, natural keys); a new UUIDv7 for a case without one.
pub(crate) fn case_id(platform: Platform, refund_no: Option<&str>, now: DateTime<Utc>) -> RecordId {
    refund_no
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| RecordId::parse(&natural_row_id("cases", &[platform.key(), r])))
        .unwrap_or_else(|| RecordId::new(now))
}

/// The id of a new order, derived from its order number like [`case_id`].
fn order_id(order_no: &str, now: DateTime<Utc>) -> String {
    RecordId::parse(&natural_row_id("orders", &[order_no]))
        .unwrap_or_else(|| RecordId::new(now))
        .to_string()
}

/// Captures a case write: all fields of a new case (`previous` is `None`), or the fields
/// that differ from the row as it was just before this write.
pub(crate) fn capture_case(
    capture: &mut Capture,
    tx: &rusqlite::Connection,
    previous: Option<&Case>,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let names = &*CASE_COLUMN_NAMES;
    let cells = case_cells(case);
    let old = previous.map(case_cells);
    let fields: Vec<(&str, &Cell<'_>)> = names
        .iter()
        .zip(cells.iter())
        .enumerate()
        .filter(|(i, (name, cell))| {
            SharedTable::Cases.captures(name)
                && old.as_ref().is_none_or(|old| old.get(*i) != Some(*cell))
        })
        .map(|(_, (name, cell))| (*name, cell))
        .collect();
    let id = case.id.to_string();
    capture.set(
        tx,
        SharedTable::Cases,
        &id,
        &fields,
        previous.is_none(),
        now,
    )?;
    let was_deleted = previous.is_some_and(|p| p.deleted_at.is_some());
    if was_deleted != case.deleted_at.is_some() {
        capture.tombstone(tx, SharedTable::Cases, &id, case.deleted_at.is_some(), now)?;
    }
    Ok(())
}

/// Appends one event to a case's timeline, and its insert op to the outbox.
// Every caller has these eight values at hand and no two of them belong together more than
// with the rest; a struct would only be built to be taken apart here.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_event(
    tx: &rusqlite::Connection,
    capture: &mut Capture,
    actor: &Actor,
    at: DateTime<Utc>,
    case_id: &RecordId,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<(), StoreError> {
    let id = RecordId::new(at).to_string();
    let case_id = case_id.to_string();
    let at_ms = at.timestamp_millis();
    tx.prepare_cached(
        "INSERT INTO case_events (id, case_id, actor, device, at, field, old, new) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![id, case_id, actor.agent, actor.device.0, at_ms, field, old, new])?;
    let fields: [(&str, Value); 8] = [
        ("id", Value::from(id.as_str())),
        ("case_id", Value::from(case_id)),
        ("actor", Value::from(actor.agent.as_str())),
        ("device", Value::from(actor.device.0.as_str())),
        ("at", Value::from(at_ms)),
        ("field", Value::from(field)),
        ("old", old.map_or(Value::Null, Value::from)),
        ("new", new.map_or(Value::Null, Value::from)),
    ];
    capture.insert(tx, SharedTable::CaseEvents, &id, &fields, at)
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

/// A case kept as JSON by [`Before::Was`], read back.
fn case_from_json(json: &str) -> Result<Case, StoreError> {
    serde_json::from_str(json).map_err(json_err)
}

/// The new export's facts laid over the stored ones: a field the new export leaves empty
/// keeps its stored value, and extra columns merge by header.
///
/// Written field by field (the destructuring makes a new field a compile error here)
/// because a round trip through JSON copied every extra column twice per row.
fn merge_facts(old: &CaseFacts, new: CaseFacts) -> CaseFacts {
    let CaseFacts {
        refund_no,
        order_no,
        alipay_no,
        buyer_nick,
        item_title,
        sku_code,
        reason_text,
        buyer_note,
        refund_status_text,
        goods_status_text,
        intervention_text,
        return_needed,
        full_refund,
        manual_refund,
        paid,
        refund,
        ship_logistics,
        return_logistics,
        paid_at,
        shipped_at,
        signed_at,
        requested_at,
        return_shipped_at,
        return_received_at,
        intervened_at,
        completed_at,
        extra,
    } = new;
    CaseFacts {
        refund_no: refund_no.or_else(|| old.refund_no.clone()),
        order_no: order_no.or_else(|| old.order_no.clone()),
        alipay_no: alipay_no.or_else(|| old.alipay_no.clone()),
        buyer_nick: buyer_nick.or_else(|| old.buyer_nick.clone()),
        item_title: item_title.or_else(|| old.item_title.clone()),
        sku_code: sku_code.or_else(|| old.sku_code.clone()),
        reason_text: reason_text.or_else(|| old.reason_text.clone()),
        buyer_note: buyer_note.or_else(|| old.buyer_note.clone()),
        refund_status_text: refund_status_text.or_else(|| old.refund_status_text.clone()),
        goods_status_text: goods_status_text.or_else(|| old.goods_status_text.clone()),
        intervention_text: intervention_text.or_else(|| old.intervention_text.clone()),
        return_needed: return_needed.or(old.return_needed),
        full_refund: full_refund.or(old.full_refund),
        manual_refund: manual_refund.or(old.manual_refund),
        paid: paid.or(old.paid),
        refund: refund.or(old.refund),
        ship_logistics: ship_logistics.or_else(|| old.ship_logistics.clone()),
        return_logistics: return_logistics.or_else(|| old.return_logistics.clone()),
        paid_at: paid_at.or(old.paid_at),
        shipped_at: shipped_at.or(old.shipped_at),
        signed_at: signed_at.or(old.signed_at),
        requested_at: requested_at.or(old.requested_at),
        return_shipped_at: return_shipped_at.or(old.return_shipped_at),
        return_received_at: return_received_at.or(old.return_received_at),
        intervened_at: intervened_at.or(old.intervened_at),
        completed_at: completed_at.or(old.completed_at),
        extra: merge_extra(&old.extra, extra),
    }
}

/// Extra columns by header: the stored ones in their order with new values laid over
/// them, then headers only the new export has. Linear in the number of columns (a
/// 10,000-column export re-imported at 125 ms a row when each header was searched for).
fn merge_extra(old: &[(String, String)], new: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut merged = old.to_vec();
    let mut at: HashMap<String, usize> = merged
        .iter()
        .enumerate()
        .map(|(i, (header, _))| (header.clone(), i))
        .collect();
    for (header, value) in new {
        match at.get(&header) {
            Some(&i) => merged[i].1 = value,
            None => {
                at.insert(header.clone(), merged.len());
                merged.push((header, value));
            }
        }
    }
    merged
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

/// The fields that differ between two versions of a case, as timeline text. Extra export
/// columns are compared one by one and only a changed one is recorded (as
/// `extra.<header>`), so a wide export does not copy all its columns into every event.
fn diff(old: &Case, new: &Case) -> Result<Vec<FieldChange>, StoreError> {
    let fields = |facts: &CaseFacts| -> Result<Map<String, Value>, StoreError> {
        let mut map = as_map(serde_json::to_value(facts).map_err(json_err)?);
        map.remove("extra");
        Ok(map)
    };
    let before = fields(&old.facts)?;
    let after = fields(&new.facts)?;
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
    let old_extra: HashMap<&str, &str> = old
        .facts
        .extra
        .iter()
        .map(|(h, v)| (h.as_str(), v.as_str()))
        .collect();
    for (header, value) in &new.facts.extra {
        let was = old_extra.get(header.as_str()).copied();
        if was != Some(value.as_str()) {
            changes.push((
                crate::timeline::extra_name(header),
                was.map(str::to_owned),
                Some(value.clone()),
            ));
        }
    }
    if old.kind != new.kind {
        changes.push((
            TimelineField::Kind.key().to_owned(),
            Some(old.kind.key().to_owned()),
            Some(new.kind.key().to_owned()),
        ));
    }
    if old.open != new.open {
        changes.push((
            TimelineField::Open.key().to_owned(),
            Some(old.open.to_string()),
            Some(new.open.to_string()),
        ));
    }
    if old.platform != new.platform {
        changes.push((
            TimelineField::Platform.key().to_owned(),
            Some(old.platform.key().to_owned()),
            Some(new.platform.key().to_owned()),
        ));
    }
    Ok(changes)
}
