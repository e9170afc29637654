//! Evidence records: which files answer which case's checklist items.
//!
//! The files themselves are copied and hashed by `afterdesk-evidence` into the evidence
//! folder beside the database; the store only records them. Attaching and detaching land
//! on the case's timeline in the same transaction.

use crate::codec::{instant, ms};
use crate::import::record_event;
use crate::outbox::{Capture, SharedTable};
use crate::{Store, StoreError};
use afterdesk_case::{Actor, DeviceId, Proof, RecordId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, Row, params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// What the evidence folder learnt about a file, ready to be recorded against a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProof {
    /// The checklist item the file answers, if chosen.
    pub item: Option<String>,
    /// SHA-256 of the content, lowercase hex.
    pub hash: String,
    /// The file's name when attached.
    pub original_name: String,
    /// Size in bytes.
    pub size: u64,
    /// MIME type from the file's first bytes.
    pub mime: Option<String>,
    /// Capture time from EXIF or the MP4/MOV header.
    pub captured_at: Option<DateTime<Utc>>,
    /// A video's length in milliseconds.
    pub duration_ms: Option<u64>,
}

const PROOF_COLUMNS: &str = "id, case_id, item, hash, original_name, size, mime, captured_at, \
    duration_ms, added_by, added_at, device, updated_at, updated_by, deleted_at";

/// The timeline field attaching writes.
const EVENT_ATTACHED: &str = crate::TimelineField::EvidenceAttached.key();
/// The timeline field detaching writes.
const EVENT_DETACHED: &str = crate::TimelineField::EvidenceDetached.key();

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn proof_from_row(row: &Row<'_>) -> rusqlite::Result<Proof> {
    let id = |i: usize, what: &str| -> rusqlite::Result<RecordId> {
        RecordId::parse(&row.get::<_, String>(i)?).ok_or_else(|| corrupt(what))
    };
    let unsigned = |v: i64, what: &str| u64::try_from(v).map_err(|_| corrupt(what));
    Ok(Proof {
        id: id(0, "evidence.id")?,
        case_id: id(1, "evidence.case_id")?,
        item: row.get(2)?,
        hash: row.get(3)?,
        original_name: row.get(4)?,
        size: unsigned(row.get(5)?, "evidence.size")?,
        mime: row.get(6)?,
        captured_at: instant(row.get(7)?),
        duration_ms: row
            .get::<_, Option<i64>>(8)?
            .map(|v| unsigned(v, "evidence.duration_ms"))
            .transpose()?,
        added_by: row.get(9)?,
        added_at: instant(row.get(10)?).ok_or_else(|| corrupt("evidence.added_at"))?,
        device: DeviceId(row.get(11)?),
        updated_at: instant(row.get(12)?).ok_or_else(|| corrupt("evidence.updated_at"))?,
        updated_by: DeviceId(row.get(13)?),
        deleted_at: instant(row.get(14)?),
    })
}

fn signed(value: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Invalid(format!("{what} 超出范围：{value}")))
}

impl Store {
    /// Records a file as evidence for the case `key` (id, refund number or order number).
    ///
    /// Attaching the same file (same hash) to the same item of the same case again returns
    /// the proof already recorded instead of listing the file twice.
    pub fn attach_proof(
        &mut self,
        key: &str,
        new: NewProof,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Proof, StoreError> {
        let case = self.find_case(key)?;
        if case.deleted_at.is_some() {
            return Err(StoreError::Invalid(format!(
                "售后单“{key}”已删除，不能添加证据；请先恢复"
            )));
        }
        if new.hash.len() != 64 || !new.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "证据文件的哈希“{}”不是 SHA-256",
                new.hash
            )));
        }
        if let Some(existing) = self
            .proofs_of(&case.id)?
            .into_iter()
            .find(|p| p.hash == new.hash && p.item == new.item)
        {
            return Ok(existing);
        }
        let proof = Proof {
            id: RecordId::new(now),
            case_id: case.id,
            item: new.item,
            hash: new.hash.to_ascii_lowercase(),
            original_name: new.original_name,
            size: new.size,
            mime: new.mime,
            captured_at: new.captured_at,
            duration_ms: new.duration_ms,
            added_by: agent.to_owned(),
            added_at: now,
            device: self.device.clone(),
            updated_at: now,
            updated_by: self.device.clone(),
            deleted_at: None,
        };
        let actor = Actor {
            agent: agent.to_owned(),
            device: self.device.clone(),
        };
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            &format!(
                "INSERT INTO evidence ({PROOF_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
            ),
            params![
                proof.id.to_string(),
                proof.case_id.to_string(),
                proof.item,
                proof.hash,
                proof.original_name,
                signed(proof.size, "文件大小")?,
                proof.mime,
                ms(proof.captured_at),
                proof.duration_ms.map(|d| signed(d, "视频时长")).transpose()?,
                proof.added_by,
                proof.added_at.timestamp_millis(),
                proof.device.0,
                proof.updated_at.timestamp_millis(),
                proof.updated_by.0,
                ms(proof.deleted_at),
            ],
        )?;
        capture.created(&tx, SharedTable::Evidence, &proof.id.to_string(), now)?;
        record_event(
            &tx,
            &mut capture,
            &actor,
            now,
            &case.id,
            EVENT_ATTACHED,
            None,
            Some(&event_text(&proof)),
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(proof)
    }

    /// The live (not detached) proofs of the case `key`, oldest first.
    pub fn proofs(&self, key: &str) -> Result<Vec<Proof>, StoreError> {
        let case = self.find_case(key)?;
        self.proofs_of(&case.id)
    }

    fn proofs_of(&self, case_id: &RecordId) -> Result<Vec<Proof>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PROOF_COLUMNS} FROM evidence WHERE case_id = ?1 AND deleted_at IS NULL ORDER BY added_at, seq"
        ))?;
        Ok(stmt
            .query_map([case_id.to_string()], proof_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Every proof record of the shop, detached ones included, oldest first: the files
    /// the evidence folder must keep and check.
    pub fn every_proof(&self) -> Result<Vec<Proof>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PROOF_COLUMNS} FROM evidence ORDER BY added_at, seq"
        ))?;
        Ok(stmt
            .query_map([], proof_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Every content hash that the evidence records of the database file at `path` name,
    /// detached proofs included, read without changing the file.
    ///
    /// For the evidence clean-up, which must keep the files of every database that shares
    /// the evidence folder (another shop's database in the same folder, a backup that may
    /// be restored). A database without evidence records (an older schema, or no table at
    /// all) names none.
    pub fn evidence_hashes_in(path: &Path) -> Result<BTreeSet<String>, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_millis(crate::BUSY_TIMEOUT_MS))
            .map_err(open_err)?;
        let has_table: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'evidence')",
                [],
                |row| row.get(0),
            )
            .map_err(open_err)?;
        if !has_table {
            return Ok(BTreeSet::new());
        }
        let mut stmt = conn
            .prepare("SELECT DISTINCT lower(hash) FROM evidence")
            .map_err(open_err)?;
        let hashes = stmt
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(open_err)?
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(open_err)?;
        Ok(hashes)
    }

    /// One proof by id, detached or not.
    pub fn proof(&self, id: &str) -> Result<Proof, StoreError> {
        let parsed = RecordId::parse(id).ok_or_else(|| StoreError::ProofNotFound(id.to_owned()))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PROOF_COLUMNS} FROM evidence WHERE id = ?1"
        ))?;
        let mut rows = stmt.query_map([parsed.to_string()], proof_from_row)?;
        match rows.next() {
            Some(proof) => Ok(proof?),
            None => Err(StoreError::ProofNotFound(id.to_owned())),
        }
    }

    /// Detaches a proof as a tombstone: it leaves the case's lists and package but stays
    /// recorded, so that the removal reaches other devices. The file stays in the evidence
    /// folder (another case or device may use the same content). Detaching twice is a
    /// no-op.
    pub fn detach_proof(
        &mut self,
        id: &str,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Proof, StoreError> {
        let mut proof = self.proof(id)?;
        if proof.deleted_at.is_some() {
            return Ok(proof);
        }
        proof.deleted_at = Some(now);
        proof.updated_at = now;
        proof.updated_by = self.device.clone();
        let actor = Actor {
            agent: agent.to_owned(),
            device: self.device.clone(),
        };
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            "UPDATE evidence SET deleted_at = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
            params![
                proof.id.to_string(),
                ms(proof.deleted_at),
                proof.updated_at.timestamp_millis(),
                proof.updated_by.0
            ],
        )?;
        capture.tombstone(&tx, SharedTable::Evidence, &proof.id.to_string(), true, now)?;
        record_event(
            &tx,
            &mut capture,
            &actor,
            now,
            &proof.case_id,
            EVENT_DETACHED,
            Some(&event_text(&proof)),
            None,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(proof)
    }
}

/// How a proof reads on the timeline: the file name, the item and the hash's start.
fn event_text(proof: &Proof) -> String {
    let short: String = proof.hash.chars().take(12).collect();
    match &proof.item {
        Some(item) => format!("{}（{item}，{short}）", proof.original_name),
        None => format!("{}（{short}）", proof.original_name),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::NewCase;

    fn store_with_case() -> (Store, String) {
        let mut store = Store::open_in_memory(DeviceId("d1".to_owned())).unwrap();
        let case = store
            .add_case(NewCase::default(), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        (store, case.id.to_string())
    }

    fn new_proof(hash_byte: char, item: Option<&str>) -> NewProof {
        NewProof {
            item: item.map(str::to_owned),
            hash: hash_byte.to_string().repeat(64),
            original_name: "开箱<视频>.mp4".to_owned(),
            size: 1234,
            mime: Some("video/mp4".to_owned()),
            captured_at: DateTime::from_timestamp_millis(1_800_000_000_000),
            duration_ms: Some(65_000),
        }
    }

    #[test]
    fn attach_list_detach_round_trip_and_timeline() {
        let (mut store, key) = store_with_case();
        let now = DateTime::from_timestamp_millis(1_800_000_100_000).unwrap();
        let proof = store
            .attach_proof(
                &key,
                new_proof('a', Some("swapped_return.unboxing_video")),
                "甲",
                now,
            )
            .unwrap();
        let again = store
            .attach_proof(
                &key,
                new_proof('a', Some("swapped_return.unboxing_video")),
                "乙",
                now,
            )
            .unwrap();
        assert_eq!(
            proof.id, again.id,
            "the same file for the same item is recorded once"
        );
        let listed = store.proofs(&key).unwrap();
        assert_eq!(
            listed,
            vec![proof.clone()],
            "what is listed is what was recorded"
        );
        store
            .detach_proof(&proof.id.to_string(), "甲", now)
            .unwrap();
        assert!(
            store.proofs(&key).unwrap().is_empty(),
            "a detached proof leaves the list"
        );
        let tomb = store.proof(&proof.id.to_string()).unwrap();
        assert_eq!(tomb.deleted_at, Some(now), "detaching leaves a tombstone");
        let detail = store.case_detail(&key).unwrap();
        let fields: Vec<&str> = detail.events.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![EVENT_ATTACHED, EVENT_DETACHED],
            "both land on the timeline"
        );
    }

    #[test]
    fn rows_are_never_deleted_and_file_facts_never_change() {
        let (mut store, key) = store_with_case();
        let proof = store
            .attach_proof(&key, new_proof('b', None), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        let id = proof.id.to_string();
        assert!(
            store
                .conn
                .execute("DELETE FROM evidence WHERE id = ?1", [&id])
                .is_err(),
            "the trigger must refuse deleting an evidence row"
        );
        assert!(
            store
                .conn
                .execute(
                    "UPDATE evidence SET hash = ?2 WHERE id = ?1",
                    [&id, &"c".repeat(64)]
                )
                .is_err(),
            "the trigger must refuse changing a recorded hash"
        );
        assert!(
            store
                .conn
                .execute("UPDATE evidence SET item = 'x' WHERE id = ?1", [&id])
                .is_ok(),
            "the checklist item may be changed"
        );
    }

    #[test]
    fn hashes_of_detached_proofs_are_still_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.sqlite");
        let mut store =
            Store::open(&path, DeviceId("d1".to_owned()), DateTime::UNIX_EPOCH).unwrap();
        let case = store
            .add_case(NewCase::default(), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        let key = case.id.to_string();
        let live = store
            .attach_proof(&key, new_proof('a', None), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        let gone = store
            .attach_proof(&key, new_proof('b', None), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        store
            .detach_proof(&gone.id.to_string(), "甲", DateTime::UNIX_EPOCH)
            .unwrap();
        let every: Vec<String> = store
            .every_proof()
            .unwrap()
            .into_iter()
            .map(|p| p.hash)
            .collect();
        assert_eq!(
            every,
            vec![live.hash.clone(), gone.hash.clone()],
            "every proof lists detached proofs too"
        );
        let named = Store::evidence_hashes_in(&path).unwrap();
        assert_eq!(
            named,
            BTreeSet::from([live.hash, gone.hash]),
            "another process reading the file sees live and detached hashes while the store is open"
        );
        drop(store);
        assert_eq!(
            Store::evidence_hashes_in(&path).unwrap().len(),
            2,
            "and after it is closed"
        );
    }

    #[test]
    fn a_database_without_evidence_names_nothing_and_junk_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("other.sqlite");
        Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE t (x INTEGER);")
            .unwrap();
        assert!(
            Store::evidence_hashes_in(&empty).unwrap().is_empty(),
            "a database without an evidence table names no file"
        );
        let junk = dir.path().join("junk.sqlite");
        std::fs::write(&junk, b"not a database at all, just some bytes in a file").unwrap();
        let error = Store::evidence_hashes_in(&junk).unwrap_err();
        assert!(
            error.to_string().contains("junk.sqlite"),
            "an unreadable database is an error that names it: {error}"
        );
    }

    #[test]
    fn a_malformed_hash_is_refused() {
        let (mut store, key) = store_with_case();
        let mut bad = new_proof('a', None);
        bad.hash = "not-a-hash".to_owned();
        let error = store
            .attach_proof(&key, bad, "甲", DateTime::UNIX_EPOCH)
            .unwrap_err();
        assert!(
            error.to_string().contains("SHA-256"),
            "says what is wrong: {error}"
        );
    }
}
