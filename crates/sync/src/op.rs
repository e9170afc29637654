//! Operations: the unit of change that travels between devices.
//!
//! An op names one row of one table and says what happened to it, in terms that map onto
//! the store's rows: fields set to values (each with the stamp the field had before, for
//! conflict detection), an append-only record inserted, the row deleted (a tombstone, the
//! field `deleted_at`) or restored. Ops are made by the store in the same transaction as
//! the write they describe (the outbox), and applied by [`crate::Replica`] or its SQLite
//! counterpart.

use crate::device::Device;
use crate::hlc::Hlc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use uuid::Uuid;

/// The field that holds a row's tombstone: the deletion's wall time in UTC milliseconds,
/// or null when the row is live. Only [`OpKind::Delete`] and [`OpKind::Restore`] write it.
pub const DELETED_AT: &str = "deleted_at";

/// The longest table or field name, in bytes. Names come from the store's schema, where
/// the longest is far shorter; the bound keeps a damaged op from carrying a huge key.
pub const MAX_NAME_BYTES: usize = 64;

/// The longest row id, in bytes. Row ids are UUIDs (36 bytes); the bound leaves room for
/// another form without letting a damaged op carry a huge key.
pub const MAX_ROW_BYTES: usize = 128;

thread_local! {
    /// The per-thread counter that keeps op ids made in the same millisecond in order.
    static CONTEXT: uuid::ContextV7 = const { uuid::ContextV7::new() };
}

/// The id of one op: a UUIDv7 in its hyphenated text form.
///
/// UUIDv7 sorts by creation time and needs no coordination between devices. Ops are
/// idempotent by id downstream (the store's applied-ops table), and append-only records
/// sort by (stamp, op id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OpId(String);

impl OpId {
    /// A new id whose time part is the stamp's wall time (so that core code never reads the
    /// clock) and whose remaining bits are random.
    pub fn new(stamp: &Hlc) -> Self {
        let ms = stamp.wall_ms();
        let nanos = u32::try_from((ms % 1000) * 1_000_000).unwrap_or(0);
        let id = CONTEXT
            .with(|context| Uuid::new_v7(uuid::Timestamp::from_unix(context, ms / 1000, nanos)));
        OpId(id.hyphenated().to_string())
    }

    /// Checks that `text` is a lowercase hyphenated UUIDv7 and makes it an id.
    pub fn parse(text: &str) -> Result<Self, OpError> {
        match Uuid::try_parse(text) {
            Ok(id) if id.get_version_num() == 7 && id.hyphenated().to_string() == text => {
                Ok(OpId(text.to_owned()))
            }
            _ => Err(OpError::BadOpId),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One field's new value in a [`OpKind::Set`], with the stamp the field had on the writing
/// device before the write (`None` when it had never been set there).
///
/// `before` does not decide the winner, the stamps do; it tells a receiver whether the
/// writer had seen the value the receiver holds, which is how a conflict (两人同时修改) is
/// recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldEdit {
    /// The new value, as the store's column would hold it in JSON.
    pub value: Value,
    /// The stamp of the value this edit replaced on its device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Hlc>,
}

/// What an op does to its row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Fields of a row get new values; per field, the greatest stamp wins.
    Set {
        /// The edited fields by name.
        fields: BTreeMap<String, FieldEdit>,
    },
    /// An append-only record (a note, a timeline event, a parcel event, an interception
    /// step, an evidence reference, a copied draft, a practice answer) comes into being.
    /// Records are never edited; every replica keeps the union of all of them.
    Insert {
        /// The record's fields by name.
        fields: BTreeMap<String, Value>,
    },
    /// The row is deleted: its tombstone field [`DELETED_AT`] gets the op's wall time.
    /// Later edits of other fields still apply but do not bring the row back.
    Delete {
        /// The stamp the tombstone field had on the writing device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Hlc>,
    },
    /// The row is restored: its tombstone field goes back to null, if this op's stamp is
    /// greater than the deletion's.
    Restore {
        /// The stamp the tombstone field had on the writing device.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Hlc>,
    },
}

/// One change to one row, stamped by its device's clock.
///
/// The device is the stamp's device ([`Op::device`]): an op cannot disagree with itself
/// about who made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// The op's UUIDv7.
    pub id: OpId,
    /// When and where the op was made.
    pub hlc: Hlc,
    /// The table, as the store names it (`cases`, `notes`, ...).
    pub table: String,
    /// The row's id in that table.
    pub row: String,
    /// What happened to the row.
    pub kind: OpKind,
}

/// Why an op is not well formed. An op read from a batch file is checked before it is
/// applied; a malformed one means a faulty writer, and its whole batch is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// The op id is not a lowercase hyphenated UUIDv7.
    #[error("an op id must be a UUIDv7")]
    BadOpId,
    /// A table or field name is empty, too long, or holds characters other than
    /// lowercase ASCII letters, digits and `_`.
    #[error("{what} name {name:?} is not a lowercase identifier of at most {MAX_NAME_BYTES} bytes")]
    BadName {
        /// `table` or `field`.
        what: &'static str,
        /// The name, cut to [`MAX_NAME_BYTES`].
        name: String,
    },
    /// The row id is empty, too long or holds control characters.
    #[error("a row id must have 1 to {MAX_ROW_BYTES} bytes and no control characters")]
    BadRow,
    /// A set or insert op names no field.
    #[error("a set or insert op must name at least one field")]
    NoFields,
    /// A set or insert op writes the tombstone field, which only delete and restore write.
    #[error("only delete and restore ops write {DELETED_AT}")]
    TombstoneField,
    /// A `before` stamp is not earlier than the op's own stamp, which a clock never makes.
    #[error("a field's previous stamp must be earlier than the op's stamp")]
    BeforeNotEarlier,
}

impl Op {
    /// A new op stamped `hlc` with a fresh id.
    pub fn new(hlc: Hlc, table: &str, row: &str, kind: OpKind) -> Self {
        Op {
            id: OpId::new(&hlc),
            hlc,
            table: table.to_owned(),
            row: row.to_owned(),
            kind,
        }
    }

    /// The device that made the op.
    pub fn device(&self) -> &Device {
        self.hlc.device()
    }

    /// Checks that the op is well formed: its id, names, row id and stamps.
    pub fn check(&self) -> Result<(), OpError> {
        OpId::parse(self.id.as_str())?;
        check_name("table", &self.table)?;
        if self.row.is_empty()
            || self.row.len() > MAX_ROW_BYTES
            || self.row.chars().any(char::is_control)
        {
            return Err(OpError::BadRow);
        }
        let before_ok = |before: &Option<Hlc>| before.as_ref().is_none_or(|b| *b < self.hlc);
        match &self.kind {
            OpKind::Set { fields } => {
                if fields.is_empty() {
                    return Err(OpError::NoFields);
                }
                for (name, edit) in fields {
                    check_field(name)?;
                    if !before_ok(&edit.before) {
                        return Err(OpError::BeforeNotEarlier);
                    }
                }
            }
            OpKind::Insert { fields } => {
                if fields.is_empty() {
                    return Err(OpError::NoFields);
                }
                for name in fields.keys() {
                    check_field(name)?;
                }
            }
            OpKind::Delete { before } | OpKind::Restore { before } => {
                if !before_ok(before) {
                    return Err(OpError::BeforeNotEarlier);
                }
            }
        }
        Ok(())
    }
}

fn check_field(name: &str) -> Result<(), OpError> {
    check_name("field", name)?;
    if name == DELETED_AT {
        return Err(OpError::TombstoneField);
    }
    Ok(())
}

fn check_name(what: &'static str, name: &str) -> Result<(), OpError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(OpError::BadName {
            what,
            name: name.chars().take(MAX_NAME_BYTES).collect(),
        })
    }
}

/// The domain tag hashed before every natural key, so that these ids can never equal a
/// hash made for another purpose; the version lets a future scheme coexist.
const NATURAL_KEY_DOMAIN: &[u8] = b"afterdesk.sync.natural-key.v1";

/// The row id of the row that a natural key names, the same on every device: for example
/// a case by `natural_row_id("cases", &["taobao", refund_number])`, an order by
/// `natural_row_id("orders", &[platform, order_number])`.
///
/// Two devices that import the same export while offline must end with one case per
/// refund number, carrying both devices' notes and history. Deriving the id from the key
/// makes the two imports write the same row, so the ordinary per-field merge unites them,
/// with no alias table to merge and no id to rewrite in the notes that already point at
/// the row. The id is a UUIDv8 (RFC 9562's custom version, whose appendix shows exactly
/// this use) made of the first 128 bits of SHA-256 over a domain tag, the table and the
/// key parts, each length-prefixed so that ("ab", "c") and ("a", "bc") differ. SHA-256
/// rather than UUIDv5's SHA-1, which is deprecated for new designs; the version and
/// variant bits leave 122 bits, ample against accidental collisions.
///
/// Parts are trimmed of surrounding whitespace (exports pad cells); anything else (letter
/// case, full-width digits) must be made canonical by the caller, since only the caller
/// knows which differences matter. Unlike UUIDv7s these ids do not sort by time.
pub fn natural_row_id(table: &str, key: &[&str]) -> String {
    let mut hash = Sha256::new();
    hash.update(NATURAL_KEY_DOMAIN);
    for part in std::iter::once(table).chain(key.iter().map(|part| part.trim())) {
        hash.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::new_v8(bytes).hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    fn stamp(wall: u64, device: &str) -> Hlc {
        Hlc::new(wall, 0, Device::parse(device).unwrap())
    }

    fn set(field: &str, value: Value, before: Option<Hlc>) -> OpKind {
        OpKind::Set {
            fields: BTreeMap::from([(field.to_owned(), FieldEdit { value, before })]),
        }
    }

    #[test]
    fn natural_keys_give_one_row_id_everywhere() {
        let a = natural_row_id("cases", &["taobao", "R123"]);
        let cases = [
            (
                natural_row_id("cases", &["taobao", "R123"]),
                true,
                "the same key twice",
            ),
            (
                natural_row_id("cases", &[" taobao", "R123\t"]),
                true,
                "padding is trimmed",
            ),
            (
                natural_row_id("cases", &["taobao", "R124"]),
                false,
                "another refund",
            ),
            (
                natural_row_id("cases", &["douyin", "R123"]),
                false,
                "another platform",
            ),
            (
                natural_row_id("orders", &["taobao", "R123"]),
                false,
                "another table",
            ),
            (
                natural_row_id("cases", &["taobaoR", "123"]),
                false,
                "parts do not run together",
            ),
        ];
        for (id, same, what) in cases {
            assert_eq!(id == a, same, "natural row ids: {what}");
        }
        let parsed = Uuid::parse_str(&a).unwrap();
        assert_eq!(parsed.get_version_num(), 8, "a natural row id is a UUIDv8");
    }

    #[test]
    fn ops_round_trip_through_json() {
        let hlc = stamp(1_790_000_000_000, "a");
        let ops = [
            Op::new(
                hlc.clone(),
                "cases",
                "r1",
                set("status", json!("closed"), Some(stamp(5, "b"))),
            ),
            Op::new(
                hlc.clone(),
                "notes",
                "n1",
                OpKind::Insert {
                    fields: BTreeMap::from([("text".to_owned(), json!("已联系买家"))]),
                },
            ),
            Op::new(hlc.clone(), "cases", "r1", OpKind::Delete { before: None }),
            Op::new(
                hlc,
                "cases",
                "r1",
                OpKind::Restore {
                    before: Some(stamp(7, "a")),
                },
            ),
        ];
        for op in ops {
            op.check().unwrap();
            let json = serde_json::to_string(&op).unwrap();
            let back: Op = serde_json::from_str(&json).unwrap();
            assert_eq!(back, op, "an op survives JSON unchanged: {json}");
        }
    }

    #[test]
    fn malformed_ops_are_refused() {
        let hlc = stamp(1000, "a");
        let good = Op::new(hlc.clone(), "cases", "r1", set("status", json!(1), None));
        let mut bad_id = good.clone();
        bad_id.id = OpId("0192d3f4-a5b6-4c8d-9e0f-112233445566".to_owned());
        let cases: Vec<(Op, OpError)> = vec![
            (bad_id, OpError::BadOpId),
            (
                Op {
                    table: "Cases".to_owned(),
                    ..good.clone()
                },
                OpError::BadName {
                    what: "table",
                    name: "Cases".to_owned(),
                },
            ),
            (
                Op {
                    row: String::new(),
                    ..good.clone()
                },
                OpError::BadRow,
            ),
            (
                Op {
                    row: "x".repeat(129),
                    ..good.clone()
                },
                OpError::BadRow,
            ),
            (
                Op {
                    kind: OpKind::Set {
                        fields: BTreeMap::new(),
                    },
                    ..good.clone()
                },
                OpError::NoFields,
            ),
            (
                Op {
                    kind: set(DELETED_AT, json!(1), None),
                    ..good.clone()
                },
                OpError::TombstoneField,
            ),
            (
                Op {
                    kind: set("status", json!(1), Some(hlc.clone())),
                    ..good.clone()
                },
                OpError::BeforeNotEarlier,
            ),
            (
                Op {
                    kind: OpKind::Delete {
                        before: Some(stamp(2000, "a")),
                    },
                    ..good.clone()
                },
                OpError::BeforeNotEarlier,
            ),
        ];
        assert_eq!(good.check(), Ok(()), "the base op is well formed");
        for (op, expected) in cases {
            assert_eq!(op.check(), Err(expected.clone()), "refused as {expected}");
        }
    }
}
