//! The open shop's clock engine: loaded once with the one fallback rule, reloaded when a
//! calendar year is imported or another shop is opened.

use crate::{Shop, ShopError};
use afterdesk_clock::Clockwork;
use afterdesk_desk::{CalendarYearView, CaseClocksView, ClockFiles, ClocksError, DashboardView};
use afterdesk_store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The clock settings: the shop's rule file, why a shop file is not in use (if so), and
/// the calendar years the deadlines are counted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockSettings {
    /// The shop's rule overrides file (it may not exist).
    pub rules_file: String,
    /// Why that file, or an imported calendar year, is not in use; the bundled rules or
    /// calendars are used in its place meanwhile.
    pub error: Option<String>,
    /// The calendar years, oldest first.
    pub years: Vec<CalendarYearView>,
}

impl Shop {
    /// Loads the clock engine from the clock files beside `db` (see
    /// [`afterdesk_desk::load_clockwork_or_bundled`] for the fallback rule). A problem is
    /// logged once here and shown in the clock settings.
    pub(crate) fn load_clockwork(&self, db: &Path) {
        let (clockwork, problems) =
            match afterdesk_desk::load_clockwork_or_bundled(&ClockFiles::beside(db)) {
                Ok(loaded) => (Some(Arc::new(loaded.clockwork)), loaded.problems),
                Err(e) => (None, vec![e.to_string()]),
            };
        for problem in &problems {
            eprintln!("AfterDesk: {problem}");
        }
        *self.inner.clockwork.lock() = clockwork;
        *self.inner.clock_problems.lock() = problems;
    }

    /// The open shop's clock engine; `None` only when the bundled data does not read.
    pub fn clockwork(&self) -> Option<Arc<Clockwork>> {
        self.inner.clockwork.lock().clone()
    }

    /// The clock engine, or the error that the bundled data does not read.
    pub fn clockwork_or_error(&self) -> Result<Arc<Clockwork>, ShopError> {
        match self.clockwork() {
            Some(clockwork) => Ok(clockwork),
            None => {
                let problem = self.inner.clock_problems.lock().join("；");
                Err(ShopError::Closed {
                    code: "clock_data_invalid",
                    message: format!("内置时钟数据无法读取：{problem}"),
                })
            }
        }
    }

    /// Why the shop's own clock files are not all in use, if they are not.
    pub fn clock_problems(&self) -> Vec<String> {
        self.inner.clock_problems.lock().clone()
    }

    /// The clock files of the open shop.
    pub fn clock_files(&self) -> ClockFiles {
        ClockFiles::beside(&self.db_path())
    }

    /// The clock settings of the open shop.
    pub fn clock_settings(&self) -> Result<ClockSettings, ShopError> {
        let files = self.clock_files();
        let years = match self.clockwork() {
            Some(clockwork) => afterdesk_desk::calendar_years(&clockwork)?,
            None => Vec::new(),
        };
        let problems = self.clock_problems();
        Ok(ClockSettings {
            rules_file: files.rules.display().to_string(),
            error: (!problems.is_empty()).then(|| problems.join("；")),
            years,
        })
    }

    /// Imports a calendar year file (public holidays and make-up working days) for the open
    /// shop and starts counting with it. A broken file is refused with its line and field.
    pub fn import_calendar_year(&self, file: &Path) -> Result<CalendarYearView, ShopError> {
        let db = self.db_path();
        let year = afterdesk_desk::import_calendar(&ClockFiles::beside(&db), file)?;
        self.load_clockwork(&db);
        Ok(year)
    }

    /// The open cases most urgent first, with the next deadline of each: the workbench's
    /// deadline list. `limit` bounds the entries; the counts cover every open case.
    pub fn dashboard(&self, limit: usize, now: DateTime<Utc>) -> Result<DashboardView, ShopError> {
        let clockwork = self.clockwork_or_error()?;
        self.with_store(|store| {
            let cases = self.open_cases(store)?;
            Ok(afterdesk_desk::rank_cases(&clockwork, &cases, now, limit))
        })
    }

    /// Every clock of one case: due time, state, what to do, and warnings.
    pub fn case_clocks(&self, key: &str, now: DateTime<Utc>) -> Result<CaseClocksView, ShopError> {
        let clockwork = self.clockwork_or_error()?;
        self.with_store(|store| {
            afterdesk_desk::case_clocks(store, &clockwork, key, now)
                .map_err(|e: ClocksError| ShopError::from(e))
        })
    }

    /// When the case's evidence period ends, if the shop's clocks have it running.
    pub fn evidence_deadline(
        &self,
        store: &Store,
        key: &str,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let case = store.find_case(key).ok()?;
        let clockwork = self.clockwork()?;
        afterdesk_desk::evidence_deadline(&clockwork, &case, now)
    }

    /// The shop's rule overrides file.
    pub fn clock_rules_file(&self) -> PathBuf {
        self.clock_files().rules
    }
}
