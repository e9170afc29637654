//! The engine: from a case's instants and `now`, each clock's due instant and state, the
//! case's next deadline, and the dashboard's urgency order.

use crate::Calendar;
use crate::rule::{Length, Rule, RulePack, Stage, Trigger};
use afterdesk_case::time::{china, from_china_local};
use afterdesk_case::{Case, Intervention, RecordId, RefundStatus, ScenarioKind};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The default "due soon" window in hours, when the pack names none.
///
/// Six hours is most of an agent's shift: a clock that turns due soon at the start of a
/// shift still falls due within it. Shorter clocks use a quarter of their length instead
/// (see [`Clockwork`]), so a 2-hour clock is not "due soon" from its first minute.
pub const DEFAULT_DUE_SOON_HOURS: u32 = 6;

/// The fraction of a clock's length that counts as "due soon" when that is shorter than
/// the pack's window: a quarter leaves three quarters of the time as plain "running".
const DUE_SOON_FRACTION: i32 = 4;

/// Where a clock stands at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Past due and not met.
    Overdue,
    /// Runs out within its due-soon window.
    DueSoon,
    /// Started, not met, with time left.
    Running,
    /// Met: its meeting event happened, or the case moved past the stage it watches.
    Met,
    /// Not running for this case: see [`Inapplicable`].
    NotApplicable,
}

impl ClockState {
    /// The stable key, as in JSON.
    pub fn key(self) -> &'static str {
        match self {
            ClockState::Overdue => "overdue",
            ClockState::DueSoon => "due_soon",
            ClockState::Running => "running",
            ClockState::Met => "met",
            ClockState::NotApplicable => "not_applicable",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ClockState::Overdue => "已超时",
            ClockState::DueSoon => "即将到期",
            ClockState::Running => "计时中",
            ClockState::Met => "已完成",
            ClockState::NotApplicable => "不适用",
        }
    }

    /// Whether the clock still asks for action.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            ClockState::Overdue | ClockState::DueSoon | ClockState::Running
        )
    }
}

/// Why a clock does not run for a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Inapplicable {
    /// The case is closed.
    Closed,
    /// The start event has not happened (or is missing from the export).
    NoStart,
    /// Exports do not record the start event, so AfterDesk cannot time this clock yet.
    NotRecorded,
}

impl Inapplicable {
    /// The Chinese explanation.
    pub fn zh(self) -> &'static str {
        match self {
            Inapplicable::Closed => "售后单已结束",
            Inapplicable::NoStart => "开始事件尚未发生或导出中没有时间",
            Inapplicable::NotRecorded => "导出中没有记录开始事件，暂时无法计时",
        }
    }
}

/// Something the user must know about a clock's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    /// A working-day count passed through a year with no holiday data: it counted
    /// weekends only, so the due date may be early or late around that year's holidays.
    CalendarMissing {
        /// The year without data.
        year: i32,
    },
    /// The meeting event happened after the due instant.
    MetLate,
}

impl Warning {
    /// A stable machine-readable code.
    pub fn code(self) -> &'static str {
        match self {
            Warning::CalendarMissing { .. } => "calendar_missing",
            Warning::MetLate => "met_late",
        }
    }

    /// The message shown on the case and in the CLI.
    pub fn message(self) -> String {
        match self {
            Warning::CalendarMissing { year } => format!(
                "没有 {year} 年的节假日数据，工作日只按周末计算；请导入 {year} 年的日历（afterdesk calendar import）"
            ),
            Warning::MetLate => "完成时间晚于截止时间".to_owned(),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Warning", 2)?;
        st.serialize_field("code", self.code())?;
        st.serialize_field("message", &self.message())?;
        st.end()
    }
}

/// One clock of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline<'p> {
    /// The rule.
    pub rule: &'p Rule,
    /// When the start event happened.
    pub start: Option<DateTime<Utc>>,
    /// When the clock runs out.
    pub due: Option<DateTime<Utc>>,
    /// Where it stands.
    pub state: ClockState,
    /// Why it does not run, when `state` is [`ClockState::NotApplicable`].
    pub why: Option<Inapplicable>,
    /// What the user must know about the result.
    pub warnings: Vec<Warning>,
}

/// The word in a rule's `actor` that makes the seller the one who must act (卖家, also in
/// 卖家（仓库） and the like).
pub const SELLER_ACTOR: &str = "卖家";

impl Deadline<'_> {
    /// Whether this clock is worth interrupting an agent for: a platform deadline the
    /// seller must act on, still running (or already missed). A buyer's own window (seven
    /// days to return) and the shop's own targets are shown on the case but do not ring.
    pub fn rings(&self) -> bool {
        self.rule.owner == crate::Owner::Platform
            && self.rule.actor.contains(SELLER_ACTOR)
            && matches!(
                self.state,
                ClockState::Running | ClockState::DueSoon | ClockState::Overdue
            )
    }
}

/// Every clock of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseClocks<'p> {
    /// The case.
    pub case_id: RecordId,
    /// Its clocks in pack order.
    pub clocks: Vec<Deadline<'p>>,
    /// The index in `clocks` of the active clock that runs out first.
    pub next: Option<usize>,
}

impl CaseClocks<'_> {
    /// The active clock that runs out first.
    pub fn next_deadline(&self) -> Option<&Deadline<'_>> {
        self.next.and_then(|i| self.clocks.get(i))
    }
}

/// One open case's place on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Urgency<'p> {
    /// The case's index in the slice given to [`Clockwork::rank`].
    pub index: usize,
    /// The case.
    pub case_id: RecordId,
    /// Its next deadline, `None` when no clock is running.
    pub next: Option<Deadline<'p>>,
    /// How many of its clocks are overdue.
    pub overdue: u32,
}

/// The clock engine: a rule pack and a calendar, indexed for fast evaluation.
#[derive(Debug, Clone)]
pub struct Clockwork {
    pack: RulePack,
    calendar: Calendar,
    /// For each scenario kind (by its position in `ScenarioKind::ALL`), the indexes of the
    /// enabled rules that apply to it, so that a case only visits its own rules.
    by_kind: Vec<Vec<usize>>,
}

/// The stages a case is in, as a bit set; 0 means the case is closed.
fn stages(case: &Case) -> u8 {
    let f = &case.facts;
    let status = f.refund_status();
    if !case.open || case.deleted_at.is_some() || !status.is_open() || f.completed_at.is_some() {
        return 0;
    }
    let mut set = Stage::Open.bit();
    if !f.shipped() {
        set |= Stage::Unshipped.bit();
    }
    set |= match status {
        RefundStatus::AwaitingSeller => Stage::AwaitingSeller.bit(),
        RefundStatus::AwaitingReturn => Stage::AwaitingReturn.bit(),
        RefundStatus::AwaitingReceipt => Stage::AwaitingReceipt.bit(),
        RefundStatus::SellerRefused => Stage::SellerRefused.bit(),
        // Without a readable status, the instants tell how far the refund got.
        _ if f.return_received_at.is_some() => 0,
        _ if f.return_shipped_at.is_some() => Stage::AwaitingReceipt.bit(),
        _ if f.requested_at.is_some() => Stage::AwaitingSeller.bit(),
        _ => 0,
    };
    let intervention = f.intervention();
    if intervention == Intervention::Active
        || (f.intervened_at.is_some() && intervention == Intervention::Unknown)
    {
        set |= Stage::Intervention.bit();
    }
    set
}

impl Trigger {
    /// The instant this event happened on a case, if recorded.
    pub fn instant(self, case: &Case) -> Option<DateTime<Utc>> {
        let f = &case.facts;
        match self {
            Trigger::Paid => f.paid_at,
            Trigger::Shipped => f.shipped_at,
            Trigger::Signed => f.signed_at,
            Trigger::Requested => f.requested_at,
            Trigger::ReturnShipped => f.return_shipped_at,
            Trigger::ReturnReceived => f.return_received_at,
            Trigger::Intervened => f.intervened_at,
            Trigger::Completed => f.completed_at,
            Trigger::Complaint => f.requested_at.or(Some(case.created_at)),
            Trigger::ReturnAgreed
            | Trigger::TradeSuccess
            | Trigger::TradeClosed
            | Trigger::ComplaintHandled
            | Trigger::ReviewPosted
            | Trigger::TrackingUpdate
            | Trigger::CourierNotice => None,
        }
    }
}

fn kind_index(kind: ScenarioKind) -> usize {
    kind as usize
}

impl Clockwork {
    /// An engine over a pack and a calendar.
    pub fn new(pack: RulePack, calendar: Calendar) -> Clockwork {
        let by_kind = index(&pack);
        Clockwork {
            pack,
            calendar,
            by_kind,
        }
    }

    /// The bundled pack and calendar, without shop overrides or imported years.
    pub fn bundled() -> Result<Clockwork, crate::ClockError> {
        Ok(Clockwork::new(RulePack::bundled()?, Calendar::bundled()?))
    }

    /// The rule pack.
    pub fn pack(&self) -> &RulePack {
        &self.pack
    }

    /// The calendar.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Swaps in a newly read pack when it read well, keeping the current one otherwise;
    /// returns the reading error for the caller to show.
    pub fn reload_pack(
        &mut self,
        read: Result<RulePack, crate::ClockError>,
    ) -> Result<(), crate::ClockError> {
        let pack = read?;
        self.by_kind = index(&pack);
        self.pack = pack;
        Ok(())
    }

    /// Replaces the calendar (after a year was imported).
    pub fn set_calendar(&mut self, calendar: Calendar) {
        self.calendar = calendar;
    }

    /// When a clock of `length` started at `start` runs out, and the year without
    /// calendar data the count crossed, if any.
    pub fn due(&self, start: DateTime<Utc>, length: Length) -> (DateTime<Utc>, Option<i32>) {
        match length {
            Length::Hours(n) => (start + Duration::hours(i64::from(n)), None),
            Length::Days(n) => (start + Duration::hours(i64::from(n) * 24), None),
            Length::WorkingDays(n) => {
                let local = start.with_timezone(&china()).naive_local();
                let (date, missing) = self.calendar.add_working_days(local.date(), n);
                (from_china_local(date.and_time(local.time())), missing)
            }
        }
    }

    fn evaluate<'p>(
        &'p self,
        rule: &'p Rule,
        case: &Case,
        stage_set: u8,
        now: DateTime<Utc>,
    ) -> Deadline<'p> {
        let mut deadline = Deadline {
            rule,
            start: rule.starts.instant(case),
            due: None,
            state: ClockState::NotApplicable,
            why: None,
            warnings: Vec::new(),
        };
        let Some(start) = deadline.start else {
            deadline.why = Some(if rule.starts.is_recorded() {
                Inapplicable::NoStart
            } else {
                Inapplicable::NotRecorded
            });
            if stage_set == 0 {
                deadline.why = Some(Inapplicable::Closed);
            }
            return deadline;
        };
        let (due, missing) = self.due(start, rule.length);
        deadline.due = Some(due);
        if let Some(year) = missing {
            deadline
                .warnings
                .push(crate::Warning::CalendarMissing { year });
        }
        if stage_set == 0 {
            deadline.why = Some(Inapplicable::Closed);
            return deadline;
        }
        if let Some(met) = rule.met_by.and_then(|t| t.instant(case)) {
            deadline.state = ClockState::Met;
            if met > due {
                deadline.warnings.push(Warning::MetLate);
            }
            return deadline;
        }
        if stage_set & rule.stage_mask == 0 {
            // The case has moved past every stage the clock watches.
            deadline.state = ClockState::Met;
            return deadline;
        }
        let window = rule.due_soon_hours.map_or_else(
            || {
                Duration::hours(i64::from(self.pack.due_soon_hours))
                    .min((due - start) / DUE_SOON_FRACTION)
            },
            |h| Duration::hours(i64::from(h)),
        );
        deadline.state = if now >= due {
            ClockState::Overdue
        } else if due - now <= window {
            ClockState::DueSoon
        } else {
            ClockState::Running
        };
        deadline
    }

    fn rules_for(&self, kind: ScenarioKind) -> &[usize] {
        self.by_kind
            .get(kind_index(kind))
            .map_or(&[], Vec::as_slice)
    }

    /// Every enabled clock that applies to the case's kind, and its next deadline.
    pub fn case_clocks(&self, case: &Case, now: DateTime<Utc>) -> CaseClocks<'_> {
        let stage_set = stages(case);
        let clocks: Vec<Deadline<'_>> = self
            .rules_for(case.kind)
            .iter()
            .filter_map(|&i| self.pack.rules.get(i))
            .map(|rule| self.evaluate(rule, case, stage_set, now))
            .collect();
        let next = clocks
            .iter()
            .enumerate()
            .filter(|(_, d)| d.state.is_active())
            .min_by_key(|(_, d)| d.due)
            .map(|(i, _)| i);
        CaseClocks {
            case_id: case.id,
            clocks,
            next,
        }
    }

    /// The case's active clock that runs out first, and how many of its clocks are
    /// overdue, without collecting the others.
    pub fn next_deadline(&self, case: &Case, now: DateTime<Utc>) -> (Option<Deadline<'_>>, u32) {
        self.next_deadline_in(case, stages(case), now)
    }

    fn next_deadline_in(
        &self,
        case: &Case,
        stage_set: u8,
        now: DateTime<Utc>,
    ) -> (Option<Deadline<'_>>, u32) {
        let mut next: Option<Deadline<'_>> = None;
        let mut overdue = 0;
        if stage_set == 0 {
            return (None, 0);
        }
        for rule in self
            .rules_for(case.kind)
            .iter()
            .filter_map(|&i| self.pack.rules.get(i))
        {
            // Skipping unstartable clocks here saves the due computation for most rules.
            let Some(_) = rule.starts.instant(case) else {
                continue;
            };
            let d = self.evaluate(rule, case, stage_set, now);
            if !d.state.is_active() {
                continue;
            }
            if d.state == ClockState::Overdue {
                overdue += 1;
            }
            if next.as_ref().is_none_or(|n| d.due < n.due) {
                next = Some(d);
            }
        }
        (next, overdue)
    }

    /// The open cases among `cases`, most urgent first: the dashboard.
    ///
    /// Cases with an active clock come first, by the due instant of their next deadline
    /// (so overdue cases lead, longest overdue first); cases with no running clock follow
    /// in input order. Closed and deleted cases are left out.
    pub fn rank<'c>(
        &self,
        cases: impl IntoIterator<Item = &'c Case>,
        now: DateTime<Utc>,
    ) -> Vec<Urgency<'_>> {
        // The case's stages are read once: they parse the platform's status texts.
        let mut ranked: Vec<Urgency<'_>> = cases
            .into_iter()
            .enumerate()
            .filter_map(|(index, case)| {
                let stage_set = stages(case);
                (stage_set != 0).then(|| {
                    let (next, overdue) = self.next_deadline_in(case, stage_set, now);
                    Urgency {
                        index,
                        case_id: case.id,
                        next,
                        overdue,
                    }
                })
            })
            .collect();
        ranked.sort_unstable_by_key(|u| {
            let due = u.next.as_ref().and_then(|d| d.due);
            (due.is_none(), due, u.index)
        });
        ranked
    }
}

fn index(pack: &RulePack) -> Vec<Vec<usize>> {
    ScenarioKind::ALL
        .iter()
        .map(|&kind| {
            pack.rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.enabled && r.applies_to(kind))
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}
