//! Platform clocks for the desk: the shop's rule pack and calendar, each case's clocks,
//! and the dashboard of open cases by urgency.
//!
//! A shop's clock files sit beside its database, because they are the shop's policy and
//! travel with it: `clock-rules.toml` (the shop's overrides and own clocks, optional) and
//! `calendar/<year>.toml` (holiday years imported after the release).

pub(crate) mod reminders;

use crate::DeskError;
use afterdesk_case::time::china_rfc3339;
use afterdesk_case::{Case, ScenarioKind};
use afterdesk_clock::{Calendar, ClockError, Clockwork, Deadline, RulePack, YearCalendar};
use afterdesk_store::{CaseQuery, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The shop's override file's name, beside the database.
pub const CLOCK_RULES_FILE: &str = "clock-rules.toml";

/// The folder of imported calendar years, beside the database.
pub const CALENDAR_DIR: &str = "calendar";

/// Why a clock operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClocksError {
    /// The shop's rule file is broken; the bundled pack (or the last good one) stays in use.
    #[error("时钟规则文件有误：{0}")]
    Rules(#[source] ClockError),
    /// A calendar file is broken or could not be stored.
    #[error("日历文件有误：{0}")]
    Calendar(#[source] ClockError),
    /// The bundled data did not read (a build defect, caught by the tests).
    #[error("内置时钟数据有误：{0}")]
    Bundled(#[source] ClockError),
    /// The store or the desk failed.
    #[error(transparent)]
    Desk(#[from] DeskError),
}

impl From<StoreError> for ClocksError {
    fn from(e: StoreError) -> Self {
        ClocksError::Desk(DeskError::Store(e))
    }
}

impl ClocksError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ClocksError::Rules(_) => "clock_rules_invalid",
            ClocksError::Calendar(_) => "calendar_invalid",
            ClocksError::Bundled(_) => "clock_data_invalid",
            ClocksError::Desk(e) => e.code(),
        }
    }
}

/// Where a shop keeps its clock files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockFiles {
    /// The shop's overrides and own clocks (may not exist).
    pub rules: PathBuf,
    /// The imported calendar years.
    pub calendar_dir: PathBuf,
}

impl ClockFiles {
    /// The clock files of the shop whose database is `db`.
    pub fn beside(db: &Path) -> ClockFiles {
        let dir = crate::shops::settings_file::shop_folder(db);
        ClockFiles {
            rules: dir.join(CLOCK_RULES_FILE),
            calendar_dir: dir.join(CALENDAR_DIR),
        }
    }
}

/// The shop's engine: the bundled pack with the shop's overrides, the bundled calendar
/// with the shop's imported years.
///
/// A broken override file is an error here; a caller that already holds an engine keeps
/// it (see [`Clockwork::reload_pack`]) and shows the error.
pub fn load_clockwork(files: &ClockFiles) -> Result<Clockwork, ClocksError> {
    let mut pack = RulePack::bundled().map_err(ClocksError::Bundled)?;
    if files.rules.exists() {
        pack = pack
            .with_overrides_file(&files.rules)
            .map_err(ClocksError::Rules)?;
    }
    let mut calendar = Calendar::bundled().map_err(ClocksError::Bundled)?;
    calendar
        .import_dir(&files.calendar_dir)
        .map_err(ClocksError::Calendar)?;
    Ok(Clockwork::new(pack, calendar))
}

/// A shop's clock engine as it is used, with what of the shop's own files could not be.
#[derive(Debug)]
pub struct ShopClockwork {
    /// The engine.
    pub clockwork: Clockwork,
    /// Why a shop file is not in use (a broken rule file, a broken calendar year), in the
    /// user's words; empty when every file is in use.
    pub problems: Vec<String>,
}

/// The shop's engine with the one fallback rule every front end uses: a broken rule file
/// falls back to the bundled rules and keeps the shop's imported calendar years; a broken
/// calendar file falls back to the bundled calendar and keeps the shop's rules. Deadlines
/// are never silently missing, and a problem in one file never discards the other.
///
/// Only the bundled data failing to read is an error (a build defect the tests rule out).
pub fn load_clockwork_or_bundled(files: &ClockFiles) -> Result<ShopClockwork, ClocksError> {
    let mut problems = Vec::new();
    let mut pack = RulePack::bundled().map_err(ClocksError::Bundled)?;
    if files.rules.exists() {
        match pack.clone().with_overrides_file(&files.rules) {
            Ok(own) => pack = own,
            Err(e) => problems.push(ClocksError::Rules(e).to_string()),
        }
    }
    let mut calendar = Calendar::bundled().map_err(ClocksError::Bundled)?;
    let mut own = calendar.clone();
    match own.import_dir(&files.calendar_dir) {
        Ok(_) => calendar = own,
        Err(e) => problems.push(ClocksError::Calendar(e).to_string()),
    }
    Ok(ShopClockwork {
        clockwork: Clockwork::new(pack, calendar),
        problems,
    })
}

/// One year of the calendar, for `calendar list` and the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CalendarYearView {
    /// The year.
    pub year: i32,
    /// `bundled` or `imported`.
    pub origin: String,
    /// The notice the schedule comes from.
    pub source: String,
    /// Days off.
    pub holidays: u32,
    /// Weekend days worked (调休).
    pub make_up_days: u32,
    /// The holidays, `春节 2026-02-15..2026-02-23`.
    pub names: Vec<String>,
}

fn year_view(year: &YearCalendar, origin: &str) -> CalendarYearView {
    CalendarYearView {
        year: year.year,
        origin: origin.to_owned(),
        source: year.source.clone(),
        holidays: year
            .holidays
            .iter()
            .map(|h| u32::try_from((h.to - h.from).num_days() + 1).unwrap_or(0))
            .sum(),
        make_up_days: year
            .holidays
            .iter()
            .map(|h| u32::try_from(h.make_up.len()).unwrap_or(0))
            .sum(),
        names: year
            .holidays
            .iter()
            .map(|h| format!("{} {}..{}", h.name, h.from, h.to))
            .collect(),
    }
}

/// The calendar years the shop's engine counts with, oldest first.
pub fn calendar_years(clockwork: &Clockwork) -> Result<Vec<CalendarYearView>, ClocksError> {
    let bundled = Calendar::bundled().map_err(ClocksError::Bundled)?;
    Ok(clockwork
        .calendar()
        .years()
        .iter()
        .map(|y| {
            let origin = if bundled.year(y.year) == Some(y) {
                "bundled"
            } else {
                "imported"
            };
            year_view(y, origin)
        })
        .collect())
}

/// Checks a year file and keeps a copy in the shop's calendar folder as `<year>.toml`,
/// replacing an earlier import of that year. A broken file is refused and nothing is
/// written.
pub fn import_calendar(files: &ClockFiles, file: &Path) -> Result<CalendarYearView, ClocksError> {
    // Bounded and decoded like every other clock file: a huge file is refused before it
    // is read into memory, and a GBK file gets a message naming the problem.
    let text = afterdesk_clock::read_limited(file).map_err(ClocksError::Calendar)?;
    let year =
        YearCalendar::parse(&text, &file.display().to_string()).map_err(ClocksError::Calendar)?;
    let write_err = |path: &Path, source| {
        ClocksError::Calendar(ClockError::Write {
            file: path.to_owned(),
            source,
        })
    };
    std::fs::create_dir_all(&files.calendar_dir).map_err(|e| write_err(&files.calendar_dir, e))?;
    let target = files.calendar_dir.join(format!("{}.toml", year.year));
    // Write beside and rename, so that a crash never leaves half a year file that would
    // make every later start fail.
    let partial = files
        .calendar_dir
        .join(format!(".{}.toml.partial", year.year));
    std::fs::write(&partial, &text).map_err(|e| write_err(&partial, e))?;
    std::fs::rename(&partial, &target).map_err(|e| write_err(&target, e))?;
    Ok(year_view(&year, "imported"))
}

/// A warning on a clock, for the UI and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockWarningView {
    /// `calendar_missing` or `met_late`.
    pub code: String,
    /// The message to show.
    pub message: String,
}

/// One clock of one case, flat for the UI; the same shape as `afterdesk clocks --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockView {
    /// The case's id.
    pub case_id: String,
    /// The rule's id.
    pub clock: String,
    /// The rule's Chinese name.
    pub name: String,
    /// `platform` or `shop`.
    pub owner: String,
    /// When it started, RFC 3339 in China time.
    pub start: Option<String>,
    /// When it runs out, RFC 3339 in China time.
    pub due: Option<String>,
    /// `running`, `due_soon`, `overdue`, `met` or `not_applicable`.
    pub state: String,
    /// The state in Chinese.
    pub state_name: String,
    /// Why it does not run: `closed`, `no_start` or `not_recorded`.
    pub why: Option<String>,
    /// The length, `72 小时`, `5 天`, `4 个工作日`.
    pub length: String,
    /// Who must act.
    pub actor: String,
    /// What must be done.
    pub action: String,
    /// What happens if it is missed.
    pub consequence: String,
    /// What the shop's override file changed (`length`, `enabled`, `due_soon_hours`,
    /// `added`).
    pub overridden: Vec<String>,
    /// What the user must know about the result.
    pub warnings: Vec<ClockWarningView>,
}

/// Converts an engine deadline into its view.
pub fn clock_view(case: &Case, d: &Deadline<'_>) -> ClockView {
    ClockView {
        case_id: case.id.to_string(),
        clock: d.rule.id.clone(),
        name: d.rule.name.clone(),
        owner: match d.rule.owner {
            afterdesk_clock::Owner::Platform => "platform",
            afterdesk_clock::Owner::Shop => "shop",
        }
        .to_owned(),
        start: d.start.map(china_rfc3339),
        due: d.due.map(china_rfc3339),
        state: d.state.key().to_owned(),
        state_name: d.state.zh().to_owned(),
        why: d.why.map(|w| {
            match w {
                afterdesk_clock::Inapplicable::Closed => "closed",
                afterdesk_clock::Inapplicable::NoStart => "no_start",
                afterdesk_clock::Inapplicable::NotRecorded => "not_recorded",
            }
            .to_owned()
        }),
        length: d.rule.length.zh(),
        actor: d.rule.actor.clone(),
        action: d.rule.action.clone(),
        consequence: d.rule.consequence.clone(),
        overridden: d.rule.overridden.iter().map(|s| (*s).to_owned()).collect(),
        warnings: d
            .warnings
            .iter()
            .map(|w| ClockWarningView {
                code: w.code().to_owned(),
                message: w.message(),
            })
            .collect(),
    }
}

/// Every clock of one case and its next deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseClocksView {
    /// The case's id.
    pub case_id: String,
    /// The scenario kind's key.
    pub kind: String,
    /// Every clock that applies to the case's kind, in pack order.
    pub clocks: Vec<ClockView>,
    /// The active clock that runs out first.
    pub next: Option<ClockView>,
}

/// The clocks of the case found by `key` (id, refund number or order number).
pub fn case_clocks(
    store: &Store,
    clockwork: &Clockwork,
    key: &str,
    now: DateTime<Utc>,
) -> Result<CaseClocksView, ClocksError> {
    let case = store.find_case(key)?;
    Ok(clocks_of(clockwork, &case, now))
}

/// The clocks of a case already in hand (the app recomputes them after each change).
pub fn clocks_of(clockwork: &Clockwork, case: &Case, now: DateTime<Utc>) -> CaseClocksView {
    let clocks = clockwork.case_clocks(case, now);
    CaseClocksView {
        case_id: case.id.to_string(),
        kind: case.kind.key().to_owned(),
        clocks: clocks.clocks.iter().map(|d| clock_view(case, d)).collect(),
        next: clocks.next_deadline().map(|d| clock_view(case, d)),
    }
}

/// One line of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DashboardEntryView {
    /// The case's id.
    pub case_id: String,
    /// The platform's refund number.
    pub refund_no: Option<String>,
    /// The buyer.
    pub buyer_nick: Option<String>,
    /// The scenario kind's key.
    pub kind: String,
    /// The scenario kind's Chinese name.
    pub kind_name: String,
    /// The agent responsible.
    pub assignee: Option<String>,
    /// The clock that runs out first; `None` when no clock runs.
    pub next: Option<ClockView>,
    /// How many of the case's clocks are overdue.
    pub overdue: u32,
}

/// The open cases by urgency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DashboardView {
    /// How many cases are open.
    pub open: u32,
    /// How many open cases have an overdue clock.
    pub overdue: u32,
    /// How many open cases have a clock due soon (and none overdue).
    pub due_soon: u32,
    /// The most urgent cases, at most the limit asked for.
    pub entries: Vec<DashboardEntryView>,
}

/// Every open case of the shop, for ranking. Reads the whole open set: the ranking needs
/// each case's instants, and 100,000 open cases fit easily in memory.
pub fn open_cases(store: &Store) -> Result<Vec<Case>, ClocksError> {
    Ok(store
        .list_cases(&CaseQuery {
            open: Some(true),
            limit: u32::MAX,
            ..CaseQuery::default()
        })?
        .cases)
}

/// Ranks open cases already in hand: the dashboard without the store, for an app that
/// keeps the open cases in memory and for the benchmark.
pub fn rank_cases(
    clockwork: &Clockwork,
    cases: &[Case],
    now: DateTime<Utc>,
    limit: usize,
) -> DashboardView {
    let ranked = clockwork.rank(cases, now);
    let count = |state: afterdesk_clock::ClockState| {
        let n = ranked
            .iter()
            .filter(|u| u.next.as_ref().is_some_and(|d| d.state == state))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    let entries = ranked
        .iter()
        .take(limit)
        .filter_map(|u| {
            let case = cases.get(u.index)?;
            Some(DashboardEntryView {
                case_id: case.id.to_string(),
                refund_no: case.facts.refund_no.clone(),
                buyer_nick: case.facts.buyer_nick.clone(),
                kind: case.kind.key().to_owned(),
                kind_name: ScenarioKind::zh_name(case.kind).to_owned(),
                assignee: case.assignee.clone(),
                next: u.next.as_ref().map(|d| clock_view(case, d)),
                overdue: u.overdue,
            })
        })
        .collect();
    DashboardView {
        open: u32::try_from(ranked.len()).unwrap_or(u32::MAX),
        overdue: count(afterdesk_clock::ClockState::Overdue),
        due_soon: count(afterdesk_clock::ClockState::DueSoon),
        entries,
    }
}

/// The dashboard: the shop's open cases, most urgent first, at most `limit` of them.
pub fn dashboard(
    store: &Store,
    clockwork: &Clockwork,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<DashboardView, ClocksError> {
    let cases = open_cases(store)?;
    Ok(rank_cases(clockwork, &cases, now, limit))
}

/// The clock whose due instant ends the evidence period (举证期).
pub const EVIDENCE_PERIOD_CLOCK: &str = "evidence_period";

/// When the case's evidence period ends, if that clock is running: the deadline the
/// evidence readiness counts down to.
pub fn evidence_deadline(
    clockwork: &Clockwork,
    case: &Case,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    clockwork
        .case_clocks(case, now)
        .clocks
        .iter()
        .find(|d| d.rule.id == EVIDENCE_PERIOD_CLOCK && d.state.is_active())
        .and_then(|d| d.due)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_shop;
    use afterdesk_case::DeviceId;
    use chrono::TimeZone;

    #[test]
    fn an_oversized_or_gbk_calendar_is_refused_before_anything_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let files = ClockFiles::beside(&dir.path().join("shop.sqlite"));
        let huge = dir.path().join("2027.toml");
        let mut text = String::from("year = 2027\n");
        while text.len() as u64 <= afterdesk_clock::MAX_FILE_BYTES {
            text.push_str("# 注释注释注释注释注释注释注释注释注释注释注释注释注释\n");
        }
        std::fs::write(&huge, &text).unwrap();
        let error = import_calendar(&files, &huge).unwrap_err();
        assert_eq!(
            error.code(),
            "calendar_invalid",
            "a calendar over the clock files' limit is refused: {error}"
        );
        assert!(
            error.to_string().contains("超过规则和节假日文件的上限"),
            "the message says the file is too large: {error}"
        );
        let gbk = dir.path().join("2028.toml");
        std::fs::write(&gbk, b"year = 2028\n# \xd6\xd0\xce\xc4\n").unwrap();
        let error = import_calendar(&files, &gbk).unwrap_err();
        assert!(
            !error
                .to_string()
                .contains("stream did not contain valid UTF-8"),
            "a GBK file gets the clock crate's own message, not the OS's: {error}"
        );
        assert!(
            !files.calendar_dir.exists()
                || std::fs::read_dir(&files.calendar_dir).unwrap().count() == 0,
            "nothing is stored for a refused file"
        );
    }

    #[test]
    fn the_demo_shop_ranks_every_open_case_once() {
        let mut store = Store::open_in_memory(DeviceId("d".to_owned())).unwrap();
        let now = Utc
            .with_ymd_and_hms(2026, 11, 22, 2, 0, 0)
            .single()
            .unwrap();
        demo_shop(&mut store, "演示", now).unwrap();
        let work = Clockwork::bundled().unwrap();
        let board = dashboard(&store, &work, now, usize::MAX).unwrap();
        let open = open_cases(&store).unwrap().len();
        assert_eq!(board.entries.len(), open, "every open case appears once");
        let dues: Vec<_> = board
            .entries
            .iter()
            .map_while(|e| e.next.as_ref().and_then(|n| n.due.clone()))
            .collect();
        assert!(
            dues.windows(2).all(|w| w[0] <= w[1]),
            "cases with a running clock come first, earliest due first"
        );
        assert!(
            board.entries[dues.len()..].iter().all(|e| e.next.is_none()),
            "cases without a running clock come last"
        );
    }

    #[test]
    fn an_imported_year_is_kept_beside_the_shop() {
        let dir = tempfile::tempdir().unwrap();
        let files = ClockFiles::beside(&dir.path().join("shop.sqlite"));
        let file = dir.path().join("next.toml");
        std::fs::write(
            &file,
            "year = 2027\nsource = \"测试\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n",
        )
        .unwrap();
        let view = import_calendar(&files, &file).unwrap();
        assert_eq!((view.year, view.holidays), (2027, 1));
        let work = load_clockwork(&files).unwrap();
        let years = calendar_years(&work).unwrap();
        assert_eq!(
            years
                .iter()
                .map(|y| (y.year, y.origin.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (2024, "bundled"),
                (2025, "bundled"),
                (2026, "bundled"),
                (2027, "imported")
            ],
            "the imported year is loaded with the bundled ones"
        );
        std::fs::write(
            &file,
            "year = 2028\n[[holiday]]\nname = \"x\"\nfrom = \"2028-13-01\"\nto = \"2028-01-01\"\n",
        )
        .unwrap();
        let err = import_calendar(&files, &file).unwrap_err();
        assert_eq!(err.code(), "calendar_invalid", "{err}");
        assert!(
            !files.calendar_dir.join("2028.toml").exists(),
            "a broken file is not kept"
        );
    }
}
