//! The parcel rules as a table: one case, its parcels and a moment → the attention items.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_arguments
)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{
    Case, CaseFacts, DeviceId, KindSource, Parcel, Platform, RecordId, ScenarioKind,
};
use afterdesk_parcel::{
    Attention, AttentionReason as R, CaseParcels, Courier, InterceptionState, ParcelDirection as D,
    ParcelRules, ParcelState as S, Waybill, attention, sort_by_urgency,
};
use chrono::{DateTime, Duration, Utc};
use rstest::rstest;

fn t(text: &str) -> DateTime<Utc> {
    parse_china_time(text).unwrap()
}

/// The moment every row is judged at.
fn now() -> DateTime<Utc> {
    t("2026-11-20 09:00:00")
}

fn case(kind: ScenarioKind, status: &str, return_logistics: Option<&str>) -> Case {
    Case {
        id: RecordId::new(now()),
        platform: Platform::Taobao,
        facts: CaseFacts {
            refund_status_text: Some(status.to_owned()),
            return_logistics: return_logistics.map(str::to_owned),
            ..CaseFacts::default()
        },
        kind,
        kind_source: KindSource::Derived,
        flag: None,
        assignee: None,
        tags: Vec::new(),
        open: true,
        origin: "test".to_owned(),
        created_at: now() - Duration::days(30),
        updated_at: now(),
        updated_by: DeviceId("d".into()),
        deleted_at: None,
    }
}

fn parcel(case: &Case, direction: D, state: S, days_since_update: Option<i64>) -> Parcel {
    let last = days_since_update.map(|d| now() - Duration::days(d) - Duration::hours(1));
    Parcel {
        id: RecordId::new(now()),
        case_id: case.id,
        direction,
        courier: Some(Courier::Zto),
        waybill: Waybill::parse("75123456789012").unwrap(),
        phone_tail: None,
        state,
        state_since: last,
        last_update: last,
        last_checked: None,
        last_error: None,
        next_attempt: None,
        failures: 0,
        origin: "manual".into(),
        created_at: now() - Duration::days(20),
        updated_at: now(),
        updated_by: DeviceId("d".into()),
        deleted_at: None,
    }
}

const AWAITING_SELLER: &str = "买家已经申请退款，等待卖家同意";
const AWAITING_RETURN: &str = "卖家已经同意退款，等待买家退货";
const AWAITING_RECEIPT: &str = "买家已经退货，等待卖家确认收货";

#[rstest]
// Staleness: 7 days is the line, 7 + 3 the claim.
#[case::fresh("fresh route", ScenarioKind::LogisticsDelay, AWAITING_SELLER, D::Outbound, S::InTransit, Some(2), None, InterceptionState::NotRequested, &[])]
#[case::exactly_seven("6 days 23 h is not yet stale", ScenarioKind::LogisticsDelay, AWAITING_SELLER, D::Outbound, S::InTransit, Some(6), None, InterceptionState::NotRequested, &[])]
#[case::stale("8 days without update", ScenarioKind::LogisticsDelay, AWAITING_SELLER, D::Outbound, S::InTransit, Some(8), None, InterceptionState::NotRequested, &[R::StaleTracking])]
#[case::claim("11 days: investigation over", ScenarioKind::NotReceived, AWAITING_SELLER, D::Outbound, S::InTransit, Some(11), None, InterceptionState::NotRequested, &[R::LossClaim])]
#[case::no_record_counts_from_creation("no record for 20 days", ScenarioKind::NotReceived, AWAITING_SELLER, D::Outbound, S::NoRecord, None, None, InterceptionState::NotRequested, &[R::LossClaim])]
#[case::signed_is_never_stale("signed long ago", ScenarioKind::NotReceived, AWAITING_SELLER, D::Outbound, S::Signed, Some(15), None, InterceptionState::NotRequested, &[])]
// Problem parcels.
#[case::problem("problem 1 day ago", ScenarioKind::LogisticsDelay, AWAITING_SELLER, D::Outbound, S::Problem, Some(1), None, InterceptionState::NotRequested, &[R::ProblemParcel])]
#[case::problem_and_stale("problem 9 days ago", ScenarioKind::LogisticsDelay, AWAITING_SELLER, D::Outbound, S::Problem, Some(9), None, InterceptionState::NotRequested, &[R::StaleTracking, R::ProblemParcel])]
// Returns.
#[case::return_signed("return signed", ScenarioKind::ReturnRefund, AWAITING_RECEIPT, D::Return, S::Signed, Some(0), None, InterceptionState::NotRequested, &[R::ReturnSigned])]
#[case::return_signed_by_locker("return at a locker", ScenarioKind::ReturnRefund, AWAITING_RECEIPT, D::Return, S::SignedByAgent, Some(0), None, InterceptionState::NotRequested, &[R::ReturnSigned])]
#[case::outbound_signed_is_not_a_return("outbound signed", ScenarioKind::ReturnRefund, AWAITING_RETURN, D::Outbound, S::Signed, Some(5), Some(3), InterceptionState::NotRequested, &[R::ReturnWaybillMissing])]
#[case::return_waybill_missing("agreed 3 days ago, no waybill", ScenarioKind::ReturnRefund, AWAITING_RETURN, D::Outbound, S::Signed, Some(10), Some(3), InterceptionState::NotRequested, &[R::ReturnWaybillMissing])]
#[case::return_waybill_not_yet("agreed 1 day ago", ScenarioKind::ReturnRefund, AWAITING_RETURN, D::Outbound, S::Signed, Some(10), Some(1), InterceptionState::NotRequested, &[])]
#[case::return_parcel_present("agreed 3 days ago, return parcel in transit", ScenarioKind::ReturnRefund, AWAITING_RETURN, D::Return, S::InTransit, Some(1), Some(3), InterceptionState::NotRequested, &[])]
// Interception outcomes shown by the route.
#[case::intercepted("intercepted while requested", ScenarioKind::RefundInTransit, AWAITING_SELLER, D::Outbound, S::Intercepted, Some(0), None, InterceptionState::Requested, &[R::InterceptionOutcome])]
#[case::refused("refused while requested", ScenarioKind::RefundInTransit, AWAITING_SELLER, D::Outbound, S::Refused, Some(0), None, InterceptionState::Requested, &[R::InterceptionOutcome])]
#[case::delivered_anyway("signed while requested", ScenarioKind::RefundInTransit, AWAITING_SELLER, D::Outbound, S::Signed, Some(0), None, InterceptionState::Requested, &[R::InterceptionOutcome])]
#[case::already_recorded("intercepted, success recorded", ScenarioKind::RefundInTransit, AWAITING_SELLER, D::Outbound, S::Intercepted, Some(0), None, InterceptionState::Succeeded, &[])]
fn parcel_rules_table(
    #[case] what: &str,
    #[case] kind: ScenarioKind,
    #[case] status: &str,
    #[case] direction: D,
    #[case] state: S,
    #[case] days_since_update: Option<i64>,
    #[case] agreed_days_ago: Option<i64>,
    #[case] interception: InterceptionState,
    #[case] expected: &[R],
) {
    let case = case(kind, status, None);
    let parcels = vec![parcel(&case, direction, state, days_since_update)];
    let input = CaseParcels {
        case: &case,
        parcels: &parcels,
        return_agreed_at: agreed_days_ago.map(|d| now() - Duration::days(d)),
        interception,
    };
    let got: Vec<R> = attention(&input, &ParcelRules::default(), now())
        .iter()
        .map(|a| a.reason)
        .collect();
    assert_eq!(
        got, expected,
        "{what}: the rules must give exactly {expected:?}"
    );
}

#[test]
fn prompts_name_the_parcel_the_deadline_and_the_transit_times() {
    let case = case(ScenarioKind::LogisticsDelay, AWAITING_SELLER, None);
    let parcels = vec![parcel(&case, D::Outbound, S::InTransit, Some(8))];
    let items = attention(
        &CaseParcels {
            case: &case,
            parcels: &parcels,
            return_agreed_at: None,
            interception: InterceptionState::NotRequested,
        },
        &ParcelRules::default(),
        now(),
    );
    let prompt = &items[0].prompt;
    assert!(
        prompt.contains("75123456789012"),
        "names the waybill: {prompt}"
    );
    assert!(prompt.contains("8 天"), "says how long: {prompt}");
    assert!(
        prompt.contains("跨省 3–4 天"),
        "gives the normal transit times: {prompt}"
    );
    assert_eq!(
        items[0].due,
        Some(now() - Duration::days(8) - Duration::hours(1) + Duration::days(10)),
        "the deadline is the claim date: last update + 7 + 3 days"
    );
}

#[test]
fn shop_overrides_change_the_thresholds() {
    let rules =
        ParcelRules::from_toml("stale_after_days = 3\ninvestigation_days = 2\n", "x.toml").unwrap();
    assert_eq!(
        rules.problem_fix_days, 3,
        "keys left out keep their defaults"
    );
    let case = case(ScenarioKind::LogisticsDelay, AWAITING_SELLER, None);
    let parcels = vec![parcel(&case, D::Outbound, S::InTransit, Some(4))];
    let input = CaseParcels {
        case: &case,
        parcels: &parcels,
        return_agreed_at: None,
        interception: InterceptionState::NotRequested,
    };
    let reasons: Vec<R> = attention(&input, &rules, now())
        .iter()
        .map(|a| a.reason)
        .collect();
    assert_eq!(
        reasons,
        vec![R::StaleTracking],
        "4 days is stale for a 3-day shop"
    );
    let error = ParcelRules::from_toml("stale_days = 3", "parcel-rules.toml").unwrap_err();
    assert!(
        error.to_string().contains("parcel-rules.toml"),
        "an unknown key names the file: {error}"
    );
}

#[test]
fn closed_cases_need_nothing() {
    let mut case = case(ScenarioKind::LogisticsDelay, AWAITING_SELLER, None);
    case.open = false;
    let parcels = vec![parcel(&case, D::Outbound, S::InTransit, Some(30))];
    let input = CaseParcels {
        case: &case,
        parcels: &parcels,
        return_agreed_at: None,
        interception: InterceptionState::NotRequested,
    };
    assert!(attention(&input, &ParcelRules::default(), now()).is_empty());
}

/// One attention item of `reason`, waiting since `days_ago` days before [`now`].
fn item(reason: R, days_ago: i64) -> Attention {
    Attention {
        case_id: RecordId::new(now()),
        parcel_id: None,
        reason,
        prompt: String::new(),
        due: None,
        since: now() - Duration::days(days_ago),
    }
}

/// Each row: the items as found (reason, days waiting), and the order the shop-wide list
/// must show them in.
#[rstest]
#[case::money_and_deadlines_before_reminders(
    &[(R::ReturnWaybillMissing, 9), (R::StaleTracking, 8), (R::ReturnSigned, 7), (R::InterceptionOutcome, 6), (R::LossClaim, 5), (R::ProblemParcel, 4)],
    &[(R::ProblemParcel, 4), (R::LossClaim, 5), (R::InterceptionOutcome, 6), (R::ReturnSigned, 7), (R::StaleTracking, 8), (R::ReturnWaybillMissing, 9)]
)]
#[case::same_reason_longest_waiting_first(
    &[(R::StaleTracking, 1), (R::StaleTracking, 12), (R::StaleTracking, 5)],
    &[(R::StaleTracking, 12), (R::StaleTracking, 5), (R::StaleTracking, 1)]
)]
#[case::reason_outranks_age(
    &[(R::StaleTracking, 30), (R::LossClaim, 1)],
    &[(R::LossClaim, 1), (R::StaleTracking, 30)]
)]
fn the_attention_list_is_sorted_by_urgency(#[case] found: &[(R, i64)], #[case] want: &[(R, i64)]) {
    let mut items: Vec<Attention> = found.iter().map(|&(r, d)| item(r, d)).collect();
    sort_by_urgency(&mut items);
    let got: Vec<(R, i64)> = items
        .iter()
        .map(|a| (a.reason, (now() - a.since).num_days()))
        .collect();
    assert_eq!(
        got, want,
        "the most pressing reason comes first, then the item that has waited longest"
    );
}
