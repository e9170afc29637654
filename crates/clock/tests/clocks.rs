//! The clock semantics of docs/clocks.md, table by table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::{china_rfc3339, parse_china_time};
use afterdesk_case::{Case, CaseFacts, DeviceId, KindSource, Platform, RecordId, ScenarioKind};
use afterdesk_clock::{
    Calendar, ClockError, ClockState, Clockwork, Inapplicable, Length, RulePack, Warning,
    YearCalendar,
};
use chrono::{DateTime, NaiveDate, Utc};
use rstest::rstest;

fn at(text: &str) -> DateTime<Utc> {
    parse_china_time(text).unwrap_or_else(|| panic!("bad test time {text}"))
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn engine() -> Clockwork {
    Clockwork::bundled().expect("the bundled pack and calendars must read")
}

fn case(kind: ScenarioKind, facts: CaseFacts) -> Case {
    let created = at("2026-01-01 00:00:00");
    Case {
        id: RecordId::new(created),
        platform: Platform::Taobao,
        facts,
        kind,
        kind_source: KindSource::Derived,
        flag: None,
        assignee: None,
        tags: Vec::new(),
        open: true,
        origin: "test".to_owned(),
        created_at: created,
        updated_at: created,
        updated_by: DeviceId("test".to_owned()),
        deleted_at: None,
    }
}

fn awaiting_seller(requested: &str) -> CaseFacts {
    CaseFacts {
        refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
        ship_logistics: Some("中通快递 75123456789012".to_owned()),
        requested_at: Some(at(requested)),
        ..CaseFacts::default()
    }
}

/// Working-day clocks across the 2025 and 2026 Spring Festival and National Day breaks,
/// make-up working days on weekends, and clocks starting on a holiday or a make-up day.
#[rstest]
// 2025 National Day + Mid-Autumn: 10/1–10/8 off, Saturday 10/11 worked.
#[case("2025-09-30 10:00:00", 4, "2025-10-13T10:00:00+08:00")]
// Sunday 9/28 is a make-up working day, so Friday + 1 lands on Sunday.
#[case("2025-09-26 15:00:00", 1, "2025-09-28T15:00:00+08:00")]
// 2026 National Day: 10/1–10/7 off, Saturday 10/10 worked.
#[case("2026-09-30 09:00:00", 4, "2026-10-12T09:00:00+08:00")]
#[case("2026-09-18 17:30:00", 1, "2026-09-20T17:30:00+08:00")]
// 2025 Spring Festival: 1/28–2/4 off, Sunday 1/26 and Saturday 2/8 worked.
#[case("2025-01-27 12:00:00", 4, "2025-02-08T12:00:00+08:00")]
#[case("2025-01-24 08:00:00", 1, "2025-01-26T08:00:00+08:00")]
// 2026 Spring Festival: 2/15–2/23 off, Saturdays 2/14 and 2/28 worked.
#[case("2026-02-13 18:00:00", 4, "2026-02-26T18:00:00+08:00")]
#[case("2026-02-13 18:00:00", 6, "2026-02-28T18:00:00+08:00")]
// Starting on a holiday counts from the next working day, at the start's time of day.
#[case("2026-10-03 11:00:00", 3, "2026-10-10T11:00:00+08:00")]
#[case("2025-02-01 23:59:00", 1, "2025-02-05T23:59:00+08:00")]
// Starting on a make-up working day does not count the start day itself.
#[case("2026-02-28 10:00:00", 1, "2026-03-02T10:00:00+08:00")]
// Just after midnight China time is still the holiday, though UTC says 30 September.
#[case("2026-10-01 00:30:00", 1, "2026-10-08T00:30:00+08:00")]
// An ordinary week: Friday + 1 is Monday.
#[case("2026-03-06 16:00:00", 1, "2026-03-09T16:00:00+08:00")]
fn working_days_follow_the_official_schedule(
    #[case] start: &str,
    #[case] n: u32,
    #[case] want: &str,
) {
    let (due, missing) = engine().due(at(start), Length::WorkingDays(n));
    assert_eq!(
        china_rfc3339(due),
        want,
        "{n} working days from {start} (China time) must end at the start's time of day on the {n}th working day"
    );
    assert_eq!(
        missing, None,
        "2025 and 2026 are bundled, no warning expected"
    );
}

#[rstest]
#[case(Length::Hours(72), "2026-02-14 20:00:00", "2026-02-17T20:00:00+08:00")]
#[case(Length::Hours(24), "2025-12-31 23:30:00", "2026-01-01T23:30:00+08:00")]
#[case(Length::Days(5), "2026-10-01 09:15:00", "2026-10-06T09:15:00+08:00")]
#[case(Length::Days(7), "2024-02-28 12:00:00", "2024-03-06T12:00:00+08:00")]
fn natural_clocks_ignore_holidays(#[case] length: Length, #[case] start: &str, #[case] want: &str) {
    let (due, missing) = engine().due(at(start), length);
    assert_eq!(
        china_rfc3339(due),
        want,
        "{length:?} from {start} must end exactly that many hours later, holidays or not"
    );
    assert_eq!(missing, None, "natural clocks never need the calendar");
}

#[test]
fn a_year_without_data_counts_weekends_only_and_says_so() {
    let (due, missing) = engine().due(at("2026-12-30 10:00:00"), Length::WorkingDays(4));
    // 12/31 Thu, 2027-01-01 Fri (no data: a plain weekday), 01-04 Mon, 01-05 Tue.
    assert_eq!(
        china_rfc3339(due),
        "2027-01-05T10:00:00+08:00",
        "without 2027 data only weekends are skipped"
    );
    assert_eq!(missing, Some(2027), "the missing year must be reported");

    let work = engine();
    let mut facts = awaiting_seller("2026-12-20 10:00:00");
    facts.intervention_text = Some("客服介入中".to_owned());
    facts.intervened_at = Some(at("2026-12-30 10:00:00"));
    let case = case(ScenarioKind::NotReceived, facts);
    let clocks = work.case_clocks(&case, at("2026-12-31 10:00:00"));
    let decision = clocks
        .clocks
        .iter()
        .find(|d| d.rule.id == "platform_decision")
        .expect("platform_decision applies under intervention");
    assert_eq!(
        decision.warnings,
        vec![Warning::CalendarMissing { year: 2027 }],
        "the case's clock must carry the missing-calendar warning"
    );
    assert!(
        decision.warnings[0].message().contains("2027"),
        "the message must name the year"
    );
}

#[test]
fn an_imported_year_replaces_the_weekend_guess() {
    let text = "year = 2027\nsource = \"test\"\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n";
    let mut calendar = Calendar::bundled().unwrap();
    calendar.insert(YearCalendar::parse(text, "2027.toml").unwrap());
    let work = Clockwork::new(RulePack::bundled().unwrap(), calendar);
    let (due, missing) = work.due(at("2026-12-30 10:00:00"), Length::WorkingDays(4));
    assert_eq!(
        (china_rfc3339(due).as_str(), missing),
        ("2027-01-06T10:00:00+08:00", None),
        "with 2027 data, 1 January is a holiday and no warning remains"
    );
}

/// States of the five-day refund-response clock (requested 2026-11-20 09:00).
#[rstest]
#[case(
    "买家已经申请退款，等待卖家同意",
    "2026-11-21 09:00:00",
    ClockState::Running
)]
#[case(
    "买家已经申请退款，等待卖家同意",
    "2026-11-25 05:00:00",
    ClockState::DueSoon
)]
#[case(
    "买家已经申请退款，等待卖家同意",
    "2026-11-25 09:00:00",
    ClockState::Overdue
)]
#[case(
    "卖家已经同意退款，等待买家退货",
    "2026-11-26 09:00:00",
    ClockState::Met
)]
#[case("退款成功", "2026-11-21 09:00:00", ClockState::NotApplicable)]
fn refund_response_states(#[case] status: &str, #[case] now: &str, #[case] want: ClockState) {
    let mut facts = awaiting_seller("2026-11-20 09:00:00");
    facts.refund_status_text = Some(status.to_owned());
    let case = case(ScenarioKind::ReturnRefund, facts);
    let work = engine();
    let clocks = work.case_clocks(&case, at(now));
    let clock = clocks
        .clocks
        .iter()
        .find(|d| d.rule.id == "refund_response")
        .expect("refund_response applies to every kind");
    assert_eq!(
        clock.due.map(china_rfc3339).as_deref(),
        Some("2026-11-25T09:00:00+08:00"),
        "5 days = 120 hours after the request"
    );
    assert_eq!(clock.state, want, "status “{status}” at {now}");
}

#[test]
fn met_by_event_and_missing_start() {
    let work = engine();
    let facts = CaseFacts {
        refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
        paid_at: Some(at("2026-11-01 10:00:00")),
        shipped_at: Some(at("2026-11-05 10:00:00")),
        ..CaseFacts::default()
    };
    let c = case(ScenarioKind::DelayedShipping, facts);
    let clocks = work.case_clocks(&c, at("2026-11-06 10:00:00"));
    let ship = clocks
        .clocks
        .iter()
        .find(|d| d.rule.id == "ship_order")
        .unwrap();
    assert_eq!(ship.state, ClockState::Met, "shipping meets the ship clock");
    assert_eq!(
        ship.warnings,
        vec![Warning::MetLate],
        "shipped 96 h after payment is later than 72 h"
    );
    let refund = clocks
        .clocks
        .iter()
        .find(|d| d.rule.id == "refund_response")
        .unwrap();
    assert_eq!(
        (refund.state, refund.why),
        (ClockState::NotApplicable, Some(Inapplicable::NoStart)),
        "no request time, no refund clock"
    );
    assert!(
        clocks.clocks.iter().all(|d| d.rule.enabled),
        "disabled rules (flash shipping) are not computed"
    );
}

#[test]
fn next_deadline_is_the_earliest_active_clock() {
    let work = engine();
    let mut facts = awaiting_seller("2026-11-18 09:00:00");
    facts.intervention_text = Some("客服介入中".to_owned());
    facts.intervened_at = Some(at("2026-11-22 09:00:00"));
    let c = case(ScenarioKind::NotReceived, facts);
    let now = at("2026-11-22 10:00:00");
    let clocks = work.case_clocks(&c, now);
    let next = clocks.next_deadline().expect("an active clock");
    assert_eq!(
        (next.rule.id.as_str(), next.state),
        ("agreement_goal", ClockState::Overdue),
        "the 72 h agreement goal and the 3-day dispute window both ended 11-21 09:00; pack order breaks the tie"
    );
    let decision = clocks
        .clocks
        .iter()
        .find(|d| d.rule.id == "platform_decision")
        .unwrap();
    assert_eq!(
        decision.due.map(china_rfc3339).as_deref(),
        Some("2026-11-26T09:00:00+08:00"),
        "intervened on Sunday 11-22: 4 working days end Thursday at the same time"
    );
    let (fast, overdue) = work.next_deadline(&c, now);
    assert_eq!(
        fast.map(|d| d.rule.id.clone()),
        Some(next.rule.id.clone()),
        "the allocation-free path must agree with the full list"
    );
    assert_eq!(
        overdue, 2,
        "the agreement goal and the dispute window are overdue"
    );
}

#[test]
fn dashboard_orders_open_cases_by_urgency() {
    let work = engine();
    let now = at("2026-11-22 12:00:00");
    let soon = case(
        ScenarioKind::ReturnRefund,
        awaiting_seller("2026-11-19 20:00:00"),
    );
    let late = case(
        ScenarioKind::ReturnRefund,
        awaiting_seller("2026-11-15 09:00:00"),
    );
    let fresh = case(
        ScenarioKind::ReturnRefund,
        awaiting_seller("2026-11-22 11:00:00"),
    );
    let idle = case(ScenarioKind::Other, CaseFacts::default());
    let mut closed = case(
        ScenarioKind::ReturnRefund,
        awaiting_seller("2026-11-10 09:00:00"),
    );
    closed.open = false;
    let cases = [fresh, idle, late, closed, soon];
    let order: Vec<usize> = work.rank(&cases, now).iter().map(|u| u.index).collect();
    assert_eq!(
        order,
        vec![2, 4, 0, 1],
        "overdue first, then by next due, idle cases last, closed cases left out"
    );
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "test fixture must contain {from}");
    text.replacen(from, to, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

/// A broken rule file names the file, the line and the field.
#[rstest]
#[case("days = 5", "days = \"five\"", "clock[4].days")]
#[case(
    "kinds = [\"refund_unshipped\", \"delayed_shipping\"]",
    "kinds = [\"refund_unshipped\", \"delayed_shippin\"]",
    "clock[3].kinds"
)]
#[case(
    "starts = \"intervened\"",
    "starts = \"intervention\"",
    "clock[10].starts"
)]
#[case(
    "hours = 72\nactor = \"卖家\"\naction = \"72 小时内与买家达成一致\"",
    "hours = 0\nactor = \"卖家\"\naction = \"72 小时内与买家达成一致\"",
    "clock[5].hours"
)]
#[case("working_days = 4", "working_dayz = 4", "clock[12].working_dayz")]
fn broken_rule_files_point_at_the_field(
    #[case] from: &str,
    #[case] to: &str,
    #[case] want_field: &str,
) {
    let text = replace_once(include_str!("../data/rules.toml"), from, to);
    let err = RulePack::parse(&text, "shop-rules.toml").expect_err("the file is broken");
    let ClockError::Invalid {
        file, line, field, ..
    } = &err
    else {
        panic!("expected an Invalid error, got {err:?}");
    };
    let first_changed = to.lines().next().unwrap();
    assert_eq!(file, "shop-rules.toml", "the error names the file");
    assert_eq!(
        *line,
        line_of(&text, first_changed),
        "the error names the line of {first_changed}: {err}"
    );
    assert_eq!(field, want_field, "the error names the field: {err}");
    let shown = err.to_string();
    assert!(
        shown.contains("shop-rules.toml") && shown.contains(&format!("第 {line} 行")),
        "the message shows file and line: {shown}"
    );
}

#[test]
fn a_broken_override_keeps_the_last_good_pack() {
    let mut work = engine();
    let before = work.pack().clone();
    let bad = "[override.refund_respons]\ndays = 3\n";
    let err = work.reload_pack(before.with_overrides(bad, "overrides.toml"));
    let err = err.expect_err("an unknown rule id is an error");
    assert!(
        matches!(&err, ClockError::Invalid { line: 1, field, .. } if field == "override.refund_respons"),
        "the error points at the override table: {err}"
    );
    assert_eq!(work.pack(), &before, "the last good pack stays in use");
}

#[test]
fn shop_overrides_are_reported() {
    let pack = RulePack::bundled().unwrap();
    let text = r#"
[override.refund_response]
days = 3

[override.ship_order_flash]
enabled = true

[[clock]]
id = "callback_goal"
name = "回访（店铺目标）"
owner = "shop"
kinds = ["quality_issue"]
stages = ["awaiting_seller"]
starts = "requested"
hours = 4
actor = "负责客服"
action = "4 小时内电话回访"
consequence = "买家流失"
source = "店铺制度"
"#;
    let shop = pack.with_overrides(text, "overrides.toml").unwrap();
    let refund = shop.rule("refund_response").unwrap();
    assert_eq!(
        (
            refund.length,
            refund.default_length,
            refund.overridden.clone()
        ),
        (Length::Days(3), Length::Days(5), vec!["length"]),
        "an overridden length keeps the pack's value beside it and says it was overridden"
    );
    assert_eq!(
        shop.rule("ship_order_flash").unwrap().overridden,
        vec!["enabled"],
        "enabling a rule is an override"
    );
    assert_eq!(
        shop.rule("callback_goal").unwrap().overridden,
        vec!["added"],
        "a shop clock is marked added"
    );
    assert!(
        shop.rule("evidence_period").unwrap().overridden.is_empty(),
        "untouched rules are not marked"
    );
    let work = Clockwork::new(shop, Calendar::bundled().unwrap());
    let c = case(
        ScenarioKind::QualityIssue,
        awaiting_seller("2026-11-20 09:00:00"),
    );
    let clocks = work.case_clocks(&c, at("2026-11-20 10:00:00"));
    let due = |id: &str| {
        clocks
            .clocks
            .iter()
            .find(|d| d.rule.id == id)
            .and_then(|d| d.due)
            .map(china_rfc3339)
    };
    assert_eq!(
        due("refund_response").as_deref(),
        Some("2026-11-23T09:00:00+08:00"),
        "the overridden length is used"
    );
    assert_eq!(
        due("callback_goal").as_deref(),
        Some("2026-11-20T13:00:00+08:00"),
        "the shop's own clock is computed"
    );
}

/// Broken calendar files are refused with the place of the mistake.
#[rstest]
#[case(
    "make_up = [\"2026-10-10\"]",
    "make_up = [\"2026-10-09\"]",
    "holiday[1].make_up",
    "周五"
)]
#[case("to = \"2026-10-07\"", "to = \"2026-01-07\"", "holiday[1].to", "早于")]
#[case(
    "from = \"2026-10-01\"",
    "from = \"2025-10-01\"",
    "holiday[1].from",
    "2026"
)]
#[case(
    "from = \"2026-10-01\"",
    "from = \"10/1\"",
    "holiday[1].from",
    "YYYY-MM-DD"
)]
#[case(
    "make_up = [\"2026-10-10\"]",
    "make_up = [\"2026-10-04\"]",
    "holiday[1].make_up",
    "同时"
)]
fn broken_calendar_files_are_refused(
    #[case] from: &str,
    #[case] to: &str,
    #[case] want_field: &str,
    #[case] want_text: &str,
) {
    let good = "year = 2026\nsource = \"test\"\n\n[[holiday]]\nname = \"国庆节\"\nfrom = \"2026-10-01\"\nto = \"2026-10-07\"\nmake_up = [\"2026-10-10\"]\n";
    assert!(
        YearCalendar::parse(good, "2026.toml").is_ok(),
        "the base file is good"
    );
    let text = replace_once(good, from, to);
    let err = YearCalendar::parse(&text, "next.toml").expect_err("broken");
    let ClockError::Invalid {
        line,
        field,
        message,
        ..
    } = &err
    else {
        panic!("expected Invalid, got {err:?}");
    };
    assert_eq!(*line, line_of(&text, to), "line of {to}: {err}");
    assert_eq!(field, want_field, "field: {err}");
    assert!(message.contains(want_text), "message explains: {message}");
}

#[test]
fn bundled_calendars_match_the_official_schedules() {
    let calendar = Calendar::bundled().unwrap();
    assert_eq!(
        calendar.years().iter().map(|y| y.year).collect::<Vec<_>>(),
        vec![2024, 2025, 2026],
        "2024–2026 are bundled"
    );
    let holidays = |year: i32| {
        calendar
            .years()
            .iter()
            .find(|y| y.year == year)
            .unwrap()
            .holidays
            .iter()
            .flat_map(|h| h.from.iter_days().take_while(move |d| *d <= h.to))
            .count()
    };
    // Days off: 2024: 1+8+3+5+1+3+7; 2025: 1+8+3+5+3+8; 2026: 3+9+3+5+3+3+7.
    assert_eq!(
        (holidays(2024), holidays(2025), holidays(2026)),
        (28, 28, 33),
        "days off per year"
    );
    for d in [
        "2024-02-04",
        "2024-02-18",
        "2024-04-07",
        "2024-04-28",
        "2024-05-11",
        "2024-09-14",
        "2024-09-29",
        "2024-10-12",
        "2025-01-26",
        "2025-02-08",
        "2025-04-27",
        "2025-09-28",
        "2025-10-11",
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ] {
        assert!(
            calendar.day(date(d)).is_some_and(|k| k.is_working()),
            "{d} is an official make-up working day"
        );
    }
    assert!(
        calendar.day(date("2027-01-04")).is_none(),
        "2027 has no data"
    );
}

#[test]
fn every_clock_of_the_brief_is_in_the_pack() {
    let pack = RulePack::bundled().unwrap();
    for id in [
        "ship_order",
        "refund_unshipped_response",
        "refund_response",
        "agreement_goal",
        "not_received_dispute",
        "complaint_negotiation",
        "complaint_buyer_confirm",
        "evidence_period",
        "intervention_preprocess",
        "platform_decision",
        "return_tracking_chase",
        "return_parcel_limit",
        "no_reason_window",
        "aftersales_claim_window",
        "broken_promise_window",
        "auto_confirm_express",
        "auto_confirm_post",
        "auto_confirm_auto_ship",
        "auto_confirm_virtual",
        "review_window",
        "review_change_window",
        "stale_tracking",
        "undeliverable_hold",
        "first_contact",
        "progress_report",
        "major_complaint",
    ] {
        let rule = pack
            .rule(id)
            .unwrap_or_else(|| panic!("brief §3 clock {id} is missing"));
        assert!(
            !rule.name.is_empty() && !rule.actor.is_empty() && !rule.source.is_empty(),
            "{id} names itself, who acts and its source"
        );
    }
    assert_eq!(
        pack.rule("platform_decision").unwrap().length,
        Length::WorkingDays(4),
        "the platform decides within 4 working days"
    );
}

/// Each row: a bundled rule, the state of its clock, and whether it rings a reminder.
#[rstest]
#[case::sellers_platform_deadline("refund_response", ClockState::Running, true)]
#[case::due_soon("refund_response", ClockState::DueSoon, true)]
#[case::overdue("ship_order", ClockState::Overdue, true)]
#[case::met("refund_response", ClockState::Met, false)]
#[case::not_running("refund_response", ClockState::NotApplicable, false)]
#[case::buyers_window("complaint_buyer_confirm", ClockState::Running, false)]
#[case::both_sides("evidence_period", ClockState::Running, false)]
#[case::platforms_own("platform_decision", ClockState::Running, false)]
#[case::shops_own_target("agreement_goal", ClockState::Running, false)]
fn only_the_sellers_running_platform_deadlines_ring(
    #[case] id: &str,
    #[case] state: ClockState,
    #[case] rings: bool,
) {
    let pack = RulePack::bundled().unwrap();
    let rule = pack.rule(id).unwrap_or_else(|| panic!("bundled rule {id}"));
    let deadline = afterdesk_clock::Deadline {
        rule,
        start: None,
        due: None,
        state,
        why: None,
        warnings: Vec::new(),
    };
    assert_eq!(
        deadline.rings(),
        rings,
        "{id} {state:?}: only a platform deadline the seller must act on, still open, rings"
    );
}
