//! Evidence on a case: checklists and readiness, attaching files, listing and detaching
//! proofs, and exporting the evidence package.
//!
//! Attaching is split in two so that the app never holds the shop's store while a 2 GB
//! video is copied: [`ingest_evidence`] copies and hashes the file into the evidence
//! folder (no store needed; run it on a background thread with a progress callback and a
//! cancel flag), then [`record_evidence`] writes the record in a short transaction.
//! [`attach_evidence`] does both, for the CLI.

use crate::DeskError;
use afterdesk_case::Proof;
use afterdesk_evidence::{
    CaseEvidence, Checklist, CopyProgress, EvidenceError, EvidenceFolder, Ingested, Package,
    PackageContents, UnboxingRules, appeal_risks, write_package,
};
use afterdesk_store::{NewProof, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The evidence folder of the open shop: `evidence/` beside its database file.
pub fn evidence_folder(store: &Store) -> Result<EvidenceFolder, DeskError> {
    store
        .path()
        .map(EvidenceFolder::beside)
        .ok_or(DeskError::NoEvidenceFolder)
}

/// A case's checklists with attached proofs, readiness and unboxing-video checks.
///
/// `deadline` is the end of the evidence period from the clocks engine, when known; the
/// readiness sentence then says how long is left.
pub fn case_evidence(
    store: &Store,
    key: &str,
    rules: &UnboxingRules,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<CaseEvidence, DeskError> {
    let case = store.find_case(key)?;
    let proofs = store.proofs(&case.id.to_string())?;
    let checklist = Checklist::bundled()?;
    Ok(CaseEvidence::build(
        &checklist, &case, &proofs, rules, deadline, now,
    ))
}

/// Checks that `item` is one of the case's checklist items, before any file is copied.
pub fn check_evidence_item(store: &Store, key: &str, item: &str) -> Result<(), DeskError> {
    let evidence = case_evidence(
        store,
        key,
        &UnboxingRules::default(),
        None,
        DateTime::UNIX_EPOCH,
    )?;
    let keys = evidence.item_keys();
    if keys.contains(&item) {
        return Ok(());
    }
    Err(EvidenceError::UnknownItem {
        key: item.to_owned(),
        choices: if keys.is_empty() {
            "（这张售后单没有举证清单，可不指定材料项）".to_owned()
        } else {
            keys.join("、")
        },
    }
    .into())
}

/// Copies and hashes `file` into the shop's evidence folder, in bounded memory, with
/// progress and cancellation. Needs no store: the app runs it off the main thread. A
/// failure or cancel leaves no file in the folder.
pub fn ingest_evidence(
    folder: &EvidenceFolder,
    file: &Path,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<Ingested, DeskError> {
    Ok(folder.ingest(file, progress, cancel)?)
}

/// Records an ingested file as a proof on the case `key`, answering `item` if given.
pub fn record_evidence(
    store: &mut Store,
    key: &str,
    ingested: &Ingested,
    item: Option<&str>,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<Proof, DeskError> {
    if let Some(item) = item {
        check_evidence_item(store, key, item)?;
    }
    let new = NewProof {
        item: item.map(str::to_owned),
        hash: ingested.hash.clone(),
        original_name: ingested.original_name.clone(),
        size: ingested.size,
        mime: ingested.meta.mime.clone(),
        captured_at: ingested.meta.captured_at,
        duration_ms: ingested.meta.duration_ms,
    };
    Ok(store.attach_proof(key, new, agent, now)?)
}

/// What attaching did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachReport {
    /// The proof as recorded.
    pub proof: Proof,
    /// Whether the same content was already in the evidence folder.
    pub already_stored: bool,
}

/// Attaches `file` to the case `key`: checks the case and the item first, then copies and
/// hashes the file with progress and cancellation, then records it.
#[allow(clippy::too_many_arguments)]
pub fn attach_evidence(
    store: &mut Store,
    key: &str,
    file: &Path,
    item: Option<&str>,
    agent: &str,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<AttachReport, DeskError> {
    // Refuse an unknown case or item before spending minutes copying a large video.
    let case = store.find_case(key)?;
    if let Some(item) = item {
        check_evidence_item(store, key, item)?;
    }
    let folder = evidence_folder(store)?;
    let ingested = ingest_evidence(&folder, file, progress, cancel)?;
    let proof = record_evidence(store, &case.id.to_string(), &ingested, item, agent, now)?;
    Ok(AttachReport {
        proof,
        already_stored: ingested.already_stored,
    })
}

/// The live proofs of a case, oldest first.
pub fn list_evidence(store: &Store, key: &str) -> Result<Vec<Proof>, DeskError> {
    Ok(store.proofs(key)?)
}

/// Detaches a proof (a tombstone; the file stays in the evidence folder).
pub fn detach_evidence(
    store: &mut Store,
    proof_id: &str,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<Proof, DeskError> {
    Ok(store.detach_proof(proof_id, agent, now)?)
}

/// Writes the case's evidence package (zip with every proof, `index.html` and the
/// appeal-risk review) into `out_dir`, with progress and cancellation.
#[allow(clippy::too_many_arguments)]
pub fn export_evidence_package(
    store: &Store,
    key: &str,
    out_dir: &Path,
    rules: &UnboxingRules,
    deadline: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<Package, DeskError> {
    let case = store.find_case(key)?;
    let evidence = case_evidence(store, &case.id.to_string(), rules, deadline, now)?;
    let folder = evidence_folder(store)?;
    let risks = appeal_risks()?;
    let contents = PackageContents {
        case: &case,
        evidence: &evidence,
        risks: &risks,
    };
    Ok(write_package(
        &folder, &contents, out_dir, now, progress, cancel,
    )?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use afterdesk_case::DeviceId;
    use afterdesk_case::time::parse_china_time;
    use afterdesk_store::NewCase;

    fn shop(dir: &Path) -> (Store, String) {
        let now = parse_china_time("2026-03-03 09:00:00").unwrap();
        let mut store =
            Store::open(&dir.join("shop.sqlite"), DeviceId("d".to_owned()), now).unwrap();
        let case = store
            .add_case(
                NewCase {
                    kind: Some(afterdesk_case::ScenarioKind::NotReceived),
                    ..NewCase::default()
                },
                "甲",
                now,
            )
            .unwrap();
        (store, case.id.to_string())
    }

    #[test]
    fn attach_checks_the_item_then_copies_then_records() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = shop(dir.path());
        let now = parse_china_time("2026-03-03 10:00:00").unwrap();
        let file = dir.path().join("签收底单.png");
        std::fs::write(&file, b"\x89PNG\r\n\x1a\n0000").unwrap();
        let cancel = AtomicBool::new(false);
        let error = attach_evidence(
            &mut store,
            &key,
            &file,
            Some("counterfeit.purchase_invoice"),
            "甲",
            now,
            &mut |_| {},
            &cancel,
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("signed_by_self.signing_slip"),
            "an item of another checklist is refused, listing the choices: {error}"
        );
        assert!(
            !dir.path().join("evidence").exists(),
            "nothing is copied for a refused item"
        );
        let report = attach_evidence(
            &mut store,
            &key,
            &file,
            Some("signed_by_self.signing_slip"),
            "甲",
            now,
            &mut |_| {},
            &cancel,
        )
        .unwrap();
        assert_eq!(report.proof.mime.as_deref(), Some("image/png"));
        assert!(
            dir.path()
                .join("evidence")
                .join(&report.proof.hash[..2])
                .join(&report.proof.hash)
                .is_file(),
            "the file is in evidence/ beside the database"
        );
        let evidence = case_evidence(&store, &key, &UnboxingRules::default(), None, now).unwrap();
        assert_eq!(
            (evidence.readiness.ready, evidence.readiness.required),
            (1, 2),
            "one of the two required proofs of a not-received case"
        );
        detach_evidence(&mut store, &report.proof.id.to_string(), "甲", now).unwrap();
        assert!(list_evidence(&store, &key).unwrap().is_empty(), "detached");
    }

    #[test]
    fn an_in_memory_shop_has_no_evidence_folder() {
        let store = Store::open_in_memory(DeviceId("d".to_owned())).unwrap();
        let error = evidence_folder(&store).unwrap_err();
        assert_eq!(error.code(), "no_evidence_folder", "{error}");
    }
}
