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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::op::FieldEdit;
    use serde_json::json;

    fn stamp(wall: u64, device: &str) -> Hlc {
        Hlc::new(wall, 0, Device::parse(device).unwrap())
    }

    fn set(at: &Hlc, row: &str, field: &str, value: Value, before: Option<&Hlc>) -> Op {
        let fields = BTreeMap::from([(
            field.to_owned(),
            FieldEdit {
                value,
                before: before.cloned(),
            },
        )]);
        Op::new(at.clone(), "cases", row, OpKind::Set { fields })
    }

    fn kind_op(at: &Hlc, row: &str, kind: OpKind) -> Op {
        Op::new(at.clone(), "cases", row, kind)
    }

    fn replay(ops: &[&Op]) -> (Replica, Vec<Conflict>) {
        let mut replica = Replica::new();
        let mut conflicts = Vec::new();
        for op in ops {
            conflicts.extend(replica.apply(op).unwrap().conflicts);
        }
        (replica, conflicts)
    }

    #[test]
    fn two_devices_edit_one_case_offline_both_see_the_conflict_and_the_same_winner() {
        let s0 = stamp(1_000, "a");
        let base = set(&s0, "r1", "status", json!("open"), None);
        // Offline, each edits the status having seen only `base`.
        let by_a = set(
            &stamp(2_000, "a"),
            "r1",
            "status",
            json!("closed"),
            Some(&s0),
        );
        let by_b = set(
            &stamp(3_000, "b"),
            "r1",
            "status",
            json!("refunded"),
            Some(&s0),
        );

        let mut a = Replica::new();
        a.apply(&base).unwrap();
        a.apply(&by_a).unwrap();
        let seen_by_a = a.apply(&by_b).unwrap();

        let mut b = Replica::new();
        b.apply(&base).unwrap();
        b.apply(&by_b).unwrap();
        let seen_by_b = b.apply(&by_a).unwrap();

        assert_eq!(a, b, "both devices end with the same state");
        assert_eq!(
            a.value("cases", "r1", "status"),
            Some(&json!("refunded")),
            "the later stamp wins"
        );
        assert_eq!(seen_by_a.conflicts.len(), 1, "device a sees the conflict");
        assert_eq!(seen_by_b.conflicts.len(), 1, "device b sees the conflict");
        let (on_a, on_b) = (&seen_by_a.conflicts[0], &seen_by_b.conflicts[0]);
        assert_eq!(
            on_a.pair(),
            on_b.pair(),
            "both report the same pair of edits"
        );
        assert_eq!(
            (on_a.kept, &on_a.ours, &on_a.theirs, on_a.who.as_str()),
            (Side::Theirs, &json!("closed"), &json!("refunded"), "b"),
            "on a, b's value is kept and a's own stays visible"
        );
        assert_eq!(
            (on_b.kept, &on_b.ours, &on_b.theirs, on_b.who.as_str()),
            (Side::Ours, &json!("refunded"), &json!("closed"), "a"),
            "on b, its own value is kept and a's stays visible"
        );
    }

    #[test]
    fn edits_made_after_seeing_the_value_are_not_conflicts() {
        let s1 = stamp(1_000, "a");
        let s2 = stamp(2_000, "b");
        let s3 = stamp(3_000, "a");
        let a1 = set(&s1, "r1", "status", json!(1), None);
        let b2 = set(&s2, "r1", "status", json!(2), Some(&s1));
        let a3 = set(&s3, "r1", "status", json!(3), Some(&s2));
        let a3_same_value = set(&stamp(2_500, "c"), "r1", "status", json!(2), Some(&s1));
        // Every delivery order of a causal chain: no conflict, one result.
        let orders: [&[&Op]; 6] = [
            &[&a1, &b2, &a3],
            &[&a3, &b2, &a1],
            &[&b2, &a1, &a3],
            &[&a3, &a1, &b2],
            &[&b2, &a3, &a1],
            &[&a1, &a3, &b2],
        ];
        for order in orders {
            let (replica, conflicts) = replay(order);
            assert_eq!(
                replica.value("cases", "r1", "status"),
                Some(&json!(3)),
                "the last edit of a chain wins in any order"
            );
            assert!(
                conflicts.is_empty(),
                "a chain of edits, each made after seeing the last, has no conflict: {conflicts:?}"
            );
        }
        let (_, conflicts) = replay(&[&a1, &b2, &a3_same_value]);
        assert!(
            conflicts.is_empty(),
            "concurrent edits that agree on the value are not a conflict"
        );
    }

    #[test]
    fn tombstones_keep_a_row_deleted_until_a_later_restore() {
        let del = |wall| kind_op(&stamp(wall, "a"), "r1", OpKind::Delete { before: None });
        let res = |wall| kind_op(&stamp(wall, "b"), "r1", OpKind::Restore { before: None });
        let edit = |wall, v: i64| set(&stamp(wall, "c"), "r1", "note", json!(v), None);
        let cases: Vec<(Vec<Op>, bool, Option<Value>, &str)> = vec![
            (
                vec![edit(1, 1), del(2)],
                true,
                Some(json!(1)),
                "a delete deletes",
            ),
            (
                vec![edit(1, 1), del(2), edit(3, 7)],
                true,
                Some(json!(7)),
                "a later edit applies but does not resurrect",
            ),
            (
                vec![del(5), res(4)],
                true,
                None,
                "a restore older than the delete does not restore",
            ),
            (
                vec![del(5), res(6)],
                false,
                None,
                "a later restore restores",
            ),
            (
                vec![res(6), del(5), edit(9, 2)],
                false,
                Some(json!(2)),
                "a restore beats an earlier delete in any order",
            ),
            (
                vec![del(2), res(3), del(4)],
                true,
                None,
                "a delete after the restore deletes again",
            ),
        ];
        for (ops, deleted, note, rule) in cases {
            for order in [ops.clone(), ops.iter().rev().cloned().collect()] {
                let refs: Vec<&Op> = order.iter().collect();
                let (replica, _) = replay(&refs);
                assert_eq!(replica.is_deleted("cases", "r1"), deleted, "{rule}");
                assert_eq!(
                    replica.value("cases", "r1", "note").cloned(),
                    note,
                    "{rule}: other fields merge as usual"
                );
            }
        }
    }

    #[test]
    fn applying_an_op_twice_changes_nothing_the_second_time() {
        let ops = [
            set(&stamp(1, "a"), "r1", "status", json!("x"), None),
            kind_op(&stamp(2, "a"), "r1", OpKind::Delete { before: None }),
            kind_op(
                &stamp(3, "a"),
                "n1",
                OpKind::Insert {
                    fields: BTreeMap::from([("text".to_owned(), json!("hi"))]),
                },
            ),
        ];
        for op in &ops {
            let mut replica = Replica::new();
            let first = replica.apply(op).unwrap();
            let snapshot = replica.clone();
            let second = replica.apply(op).unwrap();
            assert!(
                !first.is_noop(),
                "the first application changes the replica"
            );
            assert!(second.is_noop(), "the second application is a no-op");
            assert_eq!(
                replica, snapshot,
                "applying an op twice is applying it once"
            );
        }
    }

    #[test]
    fn records_are_a_union_sorted_by_stamp_and_op_id() {
        let note = |wall, device: &str, id: &str, text: &str| {
            Op::new(
                stamp(wall, device),
                "notes",
                id,
                OpKind::Insert {
                    fields: BTreeMap::from([("text".to_owned(), json!(text))]),
                },
            )
        };
        let n1 = note(30, "a", "n1", "first");
        let n2 = note(10, "b", "n2", "second");
        let n3 = note(20, "c", "n3", "third");
        let n1_again = note(40, "b", "n1", "clash");
        let (x, _) = replay(&[&n1, &n2, &n3, &n1_again]);
        let (y, _) = replay(&[&n1_again, &n3, &n2, &n1, &n2]);
        assert_eq!(x, y, "records merge to the same set in any order");
        let ids: Vec<&str> = x.records("notes").iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, ["n2", "n3", "n1"], "records sort by stamp");
        assert_eq!(
            x.records("notes")[2].1.fields["text"],
            json!("first"),
            "of two inserts with one id the earlier is kept everywhere"
        );
    }

    #[test]
    fn equal_stamps_from_a_cloned_device_resolve_the_same_everywhere() {
        let at = stamp(5, "a");
        let one = set(&at, "r1", "status", json!("one"), None);
        let two = set(&at, "r1", "status", json!("two"), None);
        let (x, _) = replay(&[&one, &two]);
        let (y, _) = replay(&[&two, &one]);
        assert_eq!(x, y, "equal stamps are ordered by value, not by arrival");
    }

    #[test]
    fn joining_replicas_equals_applying_all_their_ops() {
        let s0 = stamp(1, "a");
        let ops_a = [
            set(&s0, "r1", "status", json!(1), None),
            kind_op(&stamp(4, "a"), "r2", OpKind::Delete { before: None }),
        ];
        let ops_b = [
            set(&stamp(2, "b"), "r1", "status", json!(2), Some(&s0)),
            set(&stamp(3, "b"), "r2", "amount", json!(900), None),
        ];
        let (mut a, _) = replay(&ops_a.iter().collect::<Vec<_>>());
        let (b, _) = replay(&ops_b.iter().collect::<Vec<_>>());
        let all: Vec<&Op> = ops_a.iter().chain(&ops_b).collect();
        let (expected, _) = replay(&all);
        assert!(a.join(&b) > 0, "joining new state reports changes");
        assert_eq!(a, expected, "a join is the same as applying every op");
        assert_eq!(a.join(&b), 0, "joining twice changes nothing");
    }

    #[test]
    fn a_replica_survives_serde_as_a_snapshot() {
        let s0 = stamp(1, "a");
        let ops = [
            set(&s0, "r1", "status", json!("open"), None),
            set(&stamp(2, "b"), "r1", "status", json!("closed"), Some(&s0)),
            kind_op(&stamp(3, "a"), "r2", OpKind::Delete { before: None }),
        ];
        let (replica, _) = replay(&ops.iter().collect::<Vec<_>>());
        let json = serde_json::to_string(&replica).unwrap();
        let back: Replica = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back, replica,
            "values, stamps and tombstones survive a snapshot"
        );
    }

    #[test]
    fn malformed_ops_are_refused_before_they_touch_the_replica() {
        let mut op = set(&stamp(5, "a"), "r1", "status", json!(1), None);
        op.table = "bad table".to_owned();
        let mut replica = Replica::new();
        assert!(replica.apply(&op).is_err(), "a malformed op is an error");
        assert_eq!(replica, Replica::new(), "and leaves the replica untouched");
    }
}
