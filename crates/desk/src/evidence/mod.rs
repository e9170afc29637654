//! Evidence on a case: checklists and readiness, attaching files, listing and detaching
//! proofs, and exporting the evidence package.
//!
//! Attaching is split in two so that the app never holds the shop's store while a 2 GB
//! video is copied: [`ingest_evidence`] copies and hashes the file into the evidence
//! folder (no store needed; run it on a background thread with a progress callback and a
//! cancel flag), then [`record_evidence`] writes the record in a short transaction.
//! [`attach_evidence`] does both, for the CLI.

pub(crate) mod view;

use crate::DeskError;
use crate::evidence::view::{EvidenceCheckView, EvidenceCleanView, EvidenceFileView};
use afterdesk_case::Proof;
use afterdesk_evidence::{
    CaseEvidence, Checklist, CopyProgress, EvidenceError, EvidenceFolder, Ingested, Package,
    PackageContents, UnboxingRules, appeal_risks, write_package,
};
use afterdesk_store::{NewProof, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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
    sweep_incoming(store, now);
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

/// Removes the copies crashed attaches left in the shop's `evidence/.incoming`, once they
/// are older than the clean-up's grace period ([`afterdesk_evidence::CLEAN_GRACE`]).
///
/// Run on every attach, the one moment the folder is written anyway, so leftovers never pile
/// up and nobody has to remember `evidence clean`. Best effort: a leftover that cannot be
/// removed now costs only disk space until the next attach, and must not fail the attach.
fn sweep_incoming(store: &Store, now: DateTime<Utc>) {
    if let Ok(folder) = evidence_folder(store) {
        let _ = folder.sweep_incoming(now.into(), false);
    }
}

/// What attaching did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachReport {
    /// The proof as recorded.
    pub proof: Proof,
    /// Whether the same content was already in the evidence folder, intact.
    pub already_stored: bool,
    /// Whether a damaged copy of the same content was in the folder and this file replaced
    /// it.
    pub repaired: bool,
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
        repaired: ingested.repaired,
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

/// Checks every file in the shop's evidence folder against its name (its SHA-256) and lists
/// the files the shop's records name that are damaged or missing, with the proofs that
/// name them. Reads every byte once, with progress over all files and cancellation;
/// changes nothing. A damaged or missing file is repaired by attaching the original again.
pub fn verify_evidence(
    store: &Store,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<EvidenceCheckView, DeskError> {
    let folder = evidence_folder(store)?;
    let proofs = store.every_proof()?;
    let referenced: BTreeSet<String> = proofs.iter().map(|p| p.hash.clone()).collect();
    let verification = folder.verify(&referenced, progress, cancel)?;
    let damaged = verification
        .damaged
        .iter()
        .map(|f| EvidenceFileView::new(&f.hash, &f.path, Some(f.size), &proofs))
        .collect();
    let missing = verification
        .missing
        .iter()
        .map(|hash| EvidenceFileView::new(hash, &folder.path_of(hash), None, &proofs))
        .collect();
    Ok(EvidenceCheckView::new(
        verification.checked,
        verification.bytes,
        damaged,
        missing,
    ))
}

/// Cleans the shop's evidence folder: removes leftovers of crashed attaches in
/// `.incoming`, and stored files that no record names, each only once older than the grace
/// period ([`afterdesk_evidence::CLEAN_GRACE`]). With `dry_run` nothing is removed and the
/// report lists what would be.
///
/// A file is kept while any record names it: a live proof or a detached one (a detach may
/// be undone, and sync will need the file) of this shop, of another shop database in the
/// same folder (they share `evidence/`), or of a backup in `backups/` (it may be restored).
/// If any of those databases cannot be read, no stored file is removed and the error names
/// the database.
pub fn clean_evidence(
    store: &Store,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<EvidenceCleanView, DeskError> {
    let folder = evidence_folder(store)?;
    let incoming = folder.sweep_incoming(now.into(), dry_run)?;
    let mut referenced: BTreeSet<String> =
        store.every_proof()?.into_iter().map(|p| p.hash).collect();
    for database in databases_sharing(store)? {
        referenced.extend(Store::evidence_hashes_in(&database)?);
    }
    let unreferenced = folder.remove_unreferenced(&referenced, now.into(), dry_run)?;
    Ok(EvidenceCleanView::new(dry_run, &incoming, &unreferenced))
}

/// The databases whose records may name files in this shop's evidence folder: every
/// `*.sqlite` file beside the shop's database (they share the folder; the shop's own is
/// read again, harmlessly) and in its `backups/` folder.
fn databases_sharing(store: &Store) -> Result<Vec<PathBuf>, DeskError> {
    let Some(own) = store.path() else {
        return Ok(Vec::new());
    };
    let beside = match own.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut found = Vec::new();
    for folder in [Some(beside), store.backup_dir()].into_iter().flatten() {
        let unreadable = |source| EvidenceError::Unreadable {
            path: folder.clone(),
            source,
        };
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(unreadable(source).into()),
        };
        for entry in entries {
            let path = entry.map_err(unreadable)?.path();
            if path.extension().is_some_and(|x| x == "sqlite") && path.is_file() {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
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

    /// Attaches `bytes` as a file named `name` to the case `key`.
    fn attach(store: &mut Store, dir: &Path, key: &str, name: &str, bytes: &[u8]) -> AttachReport {
        let file = dir.join(name);
        std::fs::write(&file, bytes).unwrap();
        let now = parse_china_time("2026-03-03 10:00:00").unwrap();
        attach_evidence(
            store,
            key,
            &file,
            None,
            "甲",
            now,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .unwrap()
    }

    /// Makes a file look last written `days` days before `now`.
    fn age(path: &Path, now: DateTime<Utc>, days: i64) {
        let at = now - chrono::Duration::days(days);
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(at.into())
            .unwrap();
    }

    #[test]
    fn the_clean_up_keeps_every_file_a_record_names_and_removes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = shop(dir.path());
        let later = parse_china_time("2026-03-10 10:00:00").unwrap();
        let live = attach(&mut store, dir.path(), &key, "live.pdf", b"a live proof");
        let detached = attach(
            &mut store,
            dir.path(),
            &key,
            "detached.pdf",
            b"a detached proof",
        );
        detach_evidence(&mut store, &detached.proof.id.to_string(), "甲", later).unwrap();
        // Another shop database in the same folder shares evidence/.
        let (mut other, other_key) = {
            let sub = dir.path().join("other");
            std::fs::create_dir_all(&sub).unwrap();
            shop(&sub)
        };
        let other_file = dir.path().join("other-shop.pdf");
        std::fs::write(&other_file, b"another shop's proof").unwrap();
        let folder = evidence_folder(&store).unwrap();
        let ingested = folder
            .ingest(&other_file, &mut |_| {}, &AtomicBool::new(false))
            .unwrap();
        record_evidence(&mut other, &other_key, &ingested, None, "乙", later).unwrap();
        drop(other);
        std::fs::rename(
            dir.path().join("other").join("shop.sqlite"),
            dir.path().join("other.sqlite"),
        )
        .unwrap();
        // Content whose record was never written (a crash between copy and record).
        let orphan = folder
            .ingest(
                &{
                    let f = dir.path().join("orphan.pdf");
                    std::fs::write(&f, b"no record names me").unwrap();
                    f
                },
                &mut |_| {},
                &AtomicBool::new(false),
            )
            .unwrap();
        for stored in [
            &live.proof.hash,
            &detached.proof.hash,
            &ingested.hash,
            &orphan.hash,
        ] {
            age(&folder.path_of(stored), later, 3);
        }

        let dry = clean_evidence(&store, true, later).unwrap();
        let listed: Vec<Option<String>> = dry.unreferenced.iter().map(|f| f.hash.clone()).collect();
        assert_eq!(
            listed,
            vec![Some(orphan.hash.clone())],
            "the dry run lists only the content no record names"
        );
        assert!(folder.contains(&orphan.hash), "a dry run removes nothing");

        let cleaned = clean_evidence(&store, false, later).unwrap();
        assert_eq!(
            cleaned.unreferenced.len(),
            1,
            "one file goes: {}",
            cleaned.summary
        );
        assert!(
            !folder.contains(&orphan.hash),
            "the unreferenced file is removed"
        );
        assert!(
            folder.contains(&live.proof.hash),
            "a live proof's file survives"
        );
        assert!(
            folder.contains(&detached.proof.hash),
            "a file named only by a detached (tombstoned) proof survives: the detach may be undone"
        );
        assert!(
            folder.contains(&ingested.hash),
            "a file named by another shop database in the same folder survives"
        );
    }

    #[test]
    fn a_file_named_only_by_a_backup_survives_and_an_unreadable_database_stops_the_clean_up() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = shop(dir.path());
        let later = parse_china_time("2026-03-10 10:00:00").unwrap();
        let proof = attach(
            &mut store,
            dir.path(),
            &key,
            "kept.pdf",
            b"in yesterday's backup",
        );
        let backup = store
            .backup(later, afterdesk_store::BackupReason::Manual)
            .unwrap()
            .unwrap();
        // Replace the shop database by one without the proof; only the backup names it.
        drop(store);
        std::fs::remove_file(dir.path().join("shop.sqlite")).unwrap();
        let (store, _) = shop(dir.path());
        let folder = evidence_folder(&store).unwrap();
        age(&folder.path_of(&proof.proof.hash), later, 3);
        clean_evidence(&store, false, later).unwrap();
        assert!(
            folder.contains(&proof.proof.hash),
            "a file named by a backup ({}) survives: the backup may be restored",
            backup.display()
        );

        std::fs::write(
            dir.path().join("broken.sqlite"),
            b"these bytes are not a database",
        )
        .unwrap();
        let error = clean_evidence(&store, false, later).unwrap_err();
        assert!(
            error.to_string().contains("broken.sqlite"),
            "a database that cannot be read stops the clean-up and is named: {error}"
        );
        assert!(
            folder.contains(&proof.proof.hash),
            "nothing is removed then"
        );
    }

    #[test]
    fn attaching_sweeps_old_incoming_leftovers_and_keeps_fresh_ones() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = shop(dir.path());
        let now = parse_china_time("2026-03-03 10:00:00").unwrap();
        let incoming = dir.path().join("evidence").join(".incoming");
        std::fs::create_dir_all(&incoming).unwrap();
        let old = incoming.join("1-0.partial");
        let fresh = incoming.join("2-0.partial");
        std::fs::write(&old, b"left by a crash").unwrap();
        std::fs::write(&fresh, b"another process copying").unwrap();
        age(&old, now, 2);
        age(&fresh, now, 0);
        attach(&mut store, dir.path(), &key, "a.pdf", b"content");
        assert!(
            !old.exists(),
            "an old leftover goes when a file is attached"
        );
        assert!(
            fresh.exists(),
            "a fresh partial copy survives: an attach may be in progress"
        );
    }

    #[test]
    fn verify_names_the_proofs_of_a_damaged_file_and_reattaching_repairs_it() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, key) = shop(dir.path());
        let report = attach(
            &mut store,
            dir.path(),
            &key,
            "开箱.mp4",
            b"the original bytes",
        );
        let stored = evidence_folder(&store).unwrap().path_of(&report.proof.hash);
        std::fs::write(&stored, b"the original bytez").unwrap();
        let cancel = AtomicBool::new(false);
        let check = verify_evidence(&store, &mut |_| {}, &cancel).unwrap();
        assert_eq!(check.damaged.len(), 1, "{}", check.summary);
        assert_eq!(
            check.damaged[0].proofs[0].original_name, "开箱.mp4",
            "the report names the file to attach again"
        );
        let again = attach(
            &mut store,
            dir.path(),
            &key,
            "开箱.mp4",
            b"the original bytes",
        );
        assert!(again.repaired, "attaching the original repairs the copy");
        assert_eq!(
            again.proof.id, report.proof.id,
            "the repair records no second proof"
        );
        let check = verify_evidence(&store, &mut |_| {}, &cancel).unwrap();
        assert!(
            check.damaged.is_empty() && check.missing.is_empty(),
            "after the repair the folder verifies: {}",
            check.summary
        );
    }

    #[test]
    fn an_in_memory_shop_has_no_evidence_folder() {
        let store = Store::open_in_memory(DeviceId("d".to_owned())).unwrap();
        let error = evidence_folder(&store).unwrap_err();
        assert_eq!(error.code(), "no_evidence_folder", "{error}");
    }
}
