//! The merge: an in-memory replica of the shared tables and the rule that applies an op to
//! it.
//!
//! The state is shaped like the store's rows, so that its SQLite counterpart is a direct
//! translation: tables → rows → fields, each field with its winning value and that value's
//! stamp (the store's per-field clock), plus the append-only records of each table by id.
//!
//! The rules (`docs/sync.md`, "How sync works inside"):
//!
//! - **Fields**: per field, the greatest stamp wins; stamps are totally ordered by (wall,
//!   counter, device). Two values with one stamp (a cloned device id can make that) are
//!   ordered by their JSON text, so the result never depends on arrival order.
//! - **Records**: append-only records merge by union, keyed by row id; should two inserts
//!   share an id, the one with the least (stamp, op id) is kept everywhere.
//! - **Tombstones**: deletion is the field `deleted_at`; edits of other fields of a deleted
//!   row still apply (so a late edit is not lost if the row comes back) but leave it
//!   deleted; only a restore whose stamp beats the deletion's brings it back.
//! - **Conflicts**: when an incoming edit was made without seeing the value this replica
//!   holds (see [`Replica::apply`]) and the values differ, a [`Conflict`] is reported. The
//!   winner is the same as without the conflict; the report lets people see both values.
//!
//! Each field's state is the maximum of the edits applied to it and the records are a set
//! union, so applying ops is commutative, associative and idempotent: any order and any
//! duplication of batch files gives the same replica.

use crate::device::Device;
use crate::hlc::Hlc;
use crate::op::{DELETED_AT, Op, OpError, OpId, OpKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// A field's winning value and the stamp of the edit that wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    /// The value.
    pub value: Value,
    /// The stamp of the edit that wrote it.
    pub stamp: Hlc,
    /// The stamp the writing device had for this field before the edit; kept to tell a
    /// late-arriving ancestor of this edit from a concurrent edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Hlc>,
}

impl FieldState {
    /// The winner's order: stamp, then the value's JSON text, then `before`. Only the stamp
    /// matters between distinct edits; the rest makes equal stamps (a cloned device id)
    /// resolve the same way everywhere.
    fn order(&self, other: &FieldState) -> Ordering {
        self.stamp
            .cmp(&other.stamp)
            .then_with(|| self.value.to_string().cmp(&other.value.to_string()))
            .then_with(|| self.before.cmp(&other.before))
    }
}

/// One row: its fields by name. A row exists once any field of it was set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The fields by name.
    pub fields: BTreeMap<String, FieldState>,
}

impl Row {
    /// Whether the row is deleted: its tombstone field holds a non-null value.
    pub fn is_deleted(&self) -> bool {
        self.fields
            .get(DELETED_AT)
            .is_some_and(|field| !field.value.is_null())
    }
}

/// An append-only record: the insert op that made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The op that inserted it.
    pub op: OpId,
    /// That op's stamp.
    pub stamp: Hlc,
    /// The record's fields.
    pub fields: BTreeMap<String, Value>,
}

impl Record {
    /// The order in which records sort and by which the least of two inserts with one id
    /// is kept: (stamp, op id), then the fields' JSON text as a last resort.
    fn order(&self, other: &Record) -> Ordering {
        self.stamp
            .cmp(&other.stamp)
            .then_with(|| self.op.cmp(&other.op))
            .then_with(|| fields_text(&self.fields).cmp(&fields_text(&other.fields)))
    }
}

fn fields_text(fields: &BTreeMap<String, Value>) -> String {
    serde_json::to_string(fields).unwrap_or_default()
}

/// One table: rows with per-field state, and append-only records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The rows by id.
    pub rows: BTreeMap<String, Row>,
    /// The append-only records by id.
    pub records: BTreeMap<String, Record>,
}

/// Which side of a conflict won.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The value this replica held before the op.
    Ours,
    /// The incoming op's value.
    Theirs,
}

/// Two edits of one field made without seeing each other (两人同时修改), with different
/// values. The field holds the winner's value as it would without the conflict; this
/// record lets people see both values and who made the other one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// The table.
    pub table: String,
    /// The row.
    pub row: String,
    /// The field.
    pub field: String,
    /// The value this replica held.
    pub ours: Value,
    /// The stamp of the value this replica held.
    pub our_stamp: Hlc,
    /// The incoming value.
    pub theirs: Value,
    /// The device that made the incoming edit.
    pub who: Device,
    /// The incoming edit's stamp (its wall part is when it was made).
    pub when: Hlc,
    /// Which value the field holds now.
    pub kept: Side,
}

impl Conflict {
    /// The field and the two stamps, least first: the same on every replica that records
    /// this conflict, whichever side it saw first, so reports from several devices can be
    /// matched.
    pub fn pair(&self) -> (&str, &str, &str, &Hlc, &Hlc) {
        let (low, high) = if self.our_stamp <= self.when {
            (&self.our_stamp, &self.when)
        } else {
            (&self.when, &self.our_stamp)
        };
        (&self.table, &self.row, &self.field, low, high)
    }
}

/// What applying one op did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applied {
    /// The fields whose winning value or stamp changed (the tombstone field included).
    pub changed: Vec<String>,
    /// Whether an append-only record was added or replaced.
    pub inserted: bool,
    /// The conflicts the op revealed.
    pub conflicts: Vec<Conflict>,
}

impl Applied {
    /// Whether the op changed nothing (a duplicate, or an edit that lost everywhere).
    pub fn is_noop(&self) -> bool {
        self.changed.is_empty() && !self.inserted
    }
}

/// The shared tables of one shop as one device sees them.
///
/// Serde writes it as nested maps (tables, rows, fields with their stamps), which is what a
/// snapshot for a new device holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replica {
    tables: BTreeMap<String, Table>,
}

impl Replica {
    /// An empty replica.
    pub fn new() -> Self {
        Replica::default()
    }

    /// Applies `op`: idempotent, and in any order with other ops the result is the same.
    ///
    /// A conflict is reported for a field when the incoming value differs from the one
    /// held here and the incoming edit did not replace it knowingly: its `before` is not
    /// the held stamp, the held edit's `before` is not the incoming stamp (that would make
    /// the incoming edit an ancestor arriving late), and the two were made on different
    /// devices (one device's edits are sequential). A field this replica never held has no
    /// conflict.
    pub fn apply(&mut self, op: &Op) -> Result<Applied, OpError> {
        op.check()?;
        let table = self.tables.entry(op.table.clone()).or_default();
        let mut applied = Applied::default();
        let mut set = |field: &str, candidate: FieldState, applied: &mut Applied| {
            let row = table.rows.entry(op.row.clone()).or_default();
            merge_field(&op.table, &op.row, row, field, candidate, applied);
        };
        match &op.kind {
            OpKind::Set { fields } => {
                for (field, edit) in fields {
                    let candidate = FieldState {
                        value: edit.value.clone(),
                        stamp: op.hlc.clone(),
                        before: edit.before.clone(),
                    };
                    set(field, candidate, &mut applied);
                }
            }
            OpKind::Delete { before } => {
                let candidate = FieldState {
                    value: Value::from(op.hlc.wall_ms()),
                    stamp: op.hlc.clone(),
                    before: before.clone(),
                };
                set(DELETED_AT, candidate, &mut applied);
            }
            OpKind::Restore { before } => {
                let candidate = FieldState {
                    value: Value::Null,
                    stamp: op.hlc.clone(),
                    before: before.clone(),
                };
                set(DELETED_AT, candidate, &mut applied);
            }
            OpKind::Insert { fields } => {
                let candidate = Record {
                    op: op.id.clone(),
                    stamp: op.hlc.clone(),
                    fields: fields.clone(),
                };
                applied.inserted = merge_record(&mut table.records, &op.row, candidate);
            }
        }
        Ok(applied)
    }

    /// Merges another replica's state into this one (a snapshot into a device's own
    /// state): the same join as applying every op behind `other`, without the conflict
    /// reports, which need the ops. Returns how many fields and records changed here.
    pub fn join(&mut self, other: &Replica) -> usize {
        let mut changes = 0;
        for (name, theirs) in &other.tables {
            let table = self.tables.entry(name.clone()).or_default();
            for (id, their_row) in &theirs.rows {
                let row = table.rows.entry(id.clone()).or_default();
                for (field, state) in &their_row.fields {
                    let mut applied = Applied::default();
                    merge_field(name, id, row, field, state.clone(), &mut applied);
                    changes += applied.changed.len();
                }
            }
            for (id, record) in &theirs.records {
                changes += usize::from(merge_record(&mut table.records, id, record.clone()));
            }
        }
        changes
    }

    /// One table, if any op touched it.
    pub fn table(&self, table: &str) -> Option<&Table> {
        self.tables.get(table)
    }

    /// The tables by name.
    pub fn tables(&self) -> &BTreeMap<String, Table> {
        &self.tables
    }

    /// One row, deleted or not.
    pub fn row(&self, table: &str, row: &str) -> Option<&Row> {
        self.tables.get(table)?.rows.get(row)
    }

    /// One field's state: what the store needs for the `before` of a local edit.
    pub fn field(&self, table: &str, row: &str, field: &str) -> Option<&FieldState> {
        self.row(table, row)?.fields.get(field)
    }

    /// One field's winning value.
    pub fn value(&self, table: &str, row: &str, field: &str) -> Option<&Value> {
        self.field(table, row, field).map(|state| &state.value)
    }

    /// Whether the row exists and is deleted.
    pub fn is_deleted(&self, table: &str, row: &str) -> bool {
        self.row(table, row).is_some_and(Row::is_deleted)
    }

    /// A table's append-only records in their order: by (stamp, op id).
    pub fn records(&self, table: &str) -> Vec<(&str, &Record)> {
        let mut records: Vec<(&str, &Record)> = self
            .tables
            .get(table)
            .map(|t| t.records.iter().map(|(id, r)| (id.as_str(), r)).collect())
            .unwrap_or_default();
        records.sort_by(|a, b| a.1.order(b.1));
        records
    }
}

/// Keeps the winner of the held state and `candidate` for one field, noting the change and
/// any conflict in `applied`.
fn merge_field(
    table: &str,
    row_id: &str,
    row: &mut Row,
    field: &str,
    candidate: FieldState,
    applied: &mut Applied,
) {
    match row.fields.entry(field.to_owned()) {
        Entry::Vacant(slot) => {
            slot.insert(candidate);
            applied.changed.push(field.to_owned());
        }
        Entry::Occupied(mut slot) => {
            let held = slot.get();
            if *held == candidate {
                return;
            }
            let wins = candidate.order(held) == Ordering::Greater;
            if is_conflict(held, &candidate) {
                applied.conflicts.push(Conflict {
                    table: table.to_owned(),
                    row: row_id.to_owned(),
                    field: field.to_owned(),
                    ours: held.value.clone(),
                    our_stamp: held.stamp.clone(),
                    theirs: candidate.value.clone(),
                    who: candidate.stamp.device().clone(),
                    when: candidate.stamp.clone(),
                    kept: if wins { Side::Theirs } else { Side::Ours },
                });
            }
            if wins {
                slot.insert(candidate);
                applied.changed.push(field.to_owned());
            }
        }
    }
}

/// Whether two edits of one field were made without seeing each other and disagree.
fn is_conflict(held: &FieldState, incoming: &FieldState) -> bool {
    held.value != incoming.value
        && held.stamp.device() != incoming.stamp.device()
        && incoming.before.as_ref() != Some(&held.stamp)
        && held.before.as_ref() != Some(&incoming.stamp)
}

/// Adds `candidate` to the records unless a record with its id and a lesser order is held;
/// whether the records changed.
fn merge_record(records: &mut BTreeMap<String, Record>, id: &str, candidate: Record) -> bool {
    match records.entry(id.to_owned()) {
        Entry::Vacant(slot) => {
            slot.insert(candidate);
            true
        }
        Entry::Occupied(mut slot) => {
            if candidate.order(slot.get()) == Ordering::Less {
                slot.insert(candidate);
                true
            } else {
                false
            }
        }
    }
}
