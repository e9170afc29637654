//! Operations whose shape differs from "lock, call, unlock": long work that holds the shop
//! (an import, a package export), work done mostly outside the lock (an evidence copy),
//! and operations that take something the session owns (the shop's own script library,
//! the clock engine). Each is defined here once, so that the CLI and the app do the same.

use crate::{Shop, ShopError, Work};
use afterdesk_desk::{
    CaseEvidenceView, CopyProgressView, DraftOptions, DraftView, ImportOptions, ImportProgress,
    ImportReport, ParcelImportView, ProofView,
};
use afterdesk_evidence::CopyProgress;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// What an import did: the rows, and the parcels the export's shipping and return texts
/// named, which are added (once) right after it so the case pages show them.
#[derive(Debug)]
pub struct Imported {
    /// The import's report.
    pub report: ImportReport,
    /// The parcels found in the imported cases.
    pub parcels: ParcelImportView,
}

impl Shop {
    /// Imports an export file, reporting progress; other operations answer `busy`
    /// meanwhile, and [`Shop::cancel_import`] stops it leaving the shop exactly as it was.
    ///
    /// Blocks until the import ends: the app runs it on a worker thread.
    pub fn import(
        &self,
        file: &Path,
        agent: &str,
        options: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
        now: DateTime<Utc>,
    ) -> Result<Imported, ShopError> {
        let _work = self.long_work(Work::Import);
        self.inner.cancel_import.store(false, Ordering::Relaxed);
        let mut store = self.store_waiting()?;
        let report = afterdesk_desk::import_file(
            &mut store,
            file,
            agent,
            now,
            options,
            progress,
            &self.inner.cancel_import,
        )?;
        let parcels = afterdesk_desk::parcels_from_imports(&mut store, agent, now)?;
        Ok(Imported { report, parcels })
    }

    /// The draft for a case from the shop's own library (its edited, added and disabled
    /// scripts over the built-in ones): the best script filled from the case, its
    /// variants, the lint and the compensation suggestion.
    pub fn draft(
        &self,
        key: &str,
        options: &DraftOptions,
        now: DateTime<Utc>,
    ) -> Result<DraftView, ShopError> {
        self.with_store(|store| {
            Ok::<_, ShopError>(afterdesk_desk::case_draft(store, key, options, now)?)
        })
    }

    /// A case's evidence checklists with the attached proofs, readiness (with the evidence
    /// period's end when its clock runs) and the unboxing-video checks.
    pub fn case_evidence(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<CaseEvidenceView, ShopError> {
        self.with_store(|store| {
            let rules = afterdesk_desk::shop_settings(store)?.unboxing_rules();
            let deadline = self.evidence_deadline(store, key, now);
            let evidence = afterdesk_desk::case_evidence(store, key, &rules, deadline, now)?;
            Ok::<_, ShopError>(CaseEvidenceView::from(&evidence))
        })
    }

    /// Attaches a file to a case, optionally to one checklist item.
    ///
    /// The copy and hash run without holding the shop, so a 2 GB video never blocks the
    /// rest of the app; only the final record takes the shop, briefly. The file appears in
    /// the evidence folder only once completely copied; [`Shop::cancel_copy`] stops it and
    /// leaves nothing behind. Blocks until the copy ends.
    pub fn attach_evidence(
        &self,
        key: &str,
        file: &Path,
        item: Option<&str>,
        agent: &str,
        progress: &mut dyn FnMut(CopyProgressView),
        now: &dyn Fn() -> DateTime<Utc>,
    ) -> Result<ProofView, ShopError> {
        let folder = self.with_store(|store| {
            if let Some(item) = item {
                afterdesk_desk::check_evidence_item(store, key, item)?;
            }
            Ok::<_, ShopError>(afterdesk_desk::evidence_folder(store)?)
        })?;
        self.inner.cancel_copy.store(false, Ordering::Relaxed);
        let mut copied = |p: CopyProgress| {
            progress(CopyProgressView {
                done: p.done,
                total: p.total,
            });
        };
        let ingested =
            afterdesk_desk::ingest_evidence(&folder, file, &mut copied, &self.inner.cancel_copy)?;
        self.with_store(|store| {
            let proof = afterdesk_desk::record_evidence(store, key, &ingested, item, agent, now())?;
            Ok::<_, ShopError>(ProofView::from(&proof))
        })
    }

    /// Writes the case's evidence package (a zip of the files with a printable index page)
    /// into `out_dir` and returns the zip's path. Holds the shop while it writes; other
    /// operations answer `busy`, and [`Shop::cancel_copy`] stops it.
    pub fn export_evidence_package(
        &self,
        key: &str,
        out_dir: &Path,
        now: DateTime<Utc>,
    ) -> Result<PathBuf, ShopError> {
        let (rules, deadline) = self.with_store(|store| {
            let rules = afterdesk_desk::shop_settings(store)?.unboxing_rules();
            Ok::<_, ShopError>((rules, self.evidence_deadline(store, key, now)))
        })?;
        let _work = self.long_work(Work::Import);
        self.inner.cancel_copy.store(false, Ordering::Relaxed);
        let store = self.store_waiting()?;
        let package = afterdesk_desk::export_evidence_package(
            &store,
            key,
            out_dir,
            &rules,
            deadline,
            now,
            &mut |_| {},
            &self.inner.cancel_copy,
        )?;
        Ok(package.path)
    }
}
