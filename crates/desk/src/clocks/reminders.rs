//! Deadline reminders: which notifications to show now, each exactly once.
//!
//! A reminder is due at each lead time before a deadline (the shop's setting, by default
//! 2 h and 30 min) and once more when the deadline has passed. The store remembers what
//! this device has shown ([`ReminderKey`]), so a restart never repeats one; when the app
//! was closed through several lead times, only the most urgent one is shown and the
//! earlier ones are recorded as passed, so the agent is not greeted by a burst of stale
//! notifications.

use afterdesk_case::Case;
use afterdesk_case::time::china;
use afterdesk_clock::Clockwork;
use afterdesk_store::ReminderKey;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;

/// A notification to show now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// What it is about; recorded as shown once displayed.
    pub key: ReminderKey,
    /// The notification's title, e.g. `30 分钟后到期：退款申请处理`.
    pub title: String,
    /// Its text: the case (refund number, buyer) and what must be done.
    pub body: String,
}

/// What [`due_reminders`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reminders {
    /// Notifications to show, most urgent first.
    pub show: Vec<Reminder>,
    /// Everything to record as shown: the reminders in `show`, and lead times that passed
    /// while a more urgent one replaced them.
    pub record: Vec<ReminderKey>,
}

/// The reminders due at `now` among `cases`, leaving out what `shown` holds.
pub fn due_reminders(
    clockwork: &Clockwork,
    cases: &[Case],
    shown: &HashSet<ReminderKey>,
    leads_minutes: &[u32],
    now: DateTime<Utc>,
) -> Reminders {
    let mut found = Reminders::default();
    let mut urgent: Vec<(DateTime<Utc>, Reminder)> = Vec::new();
    for case in cases {
        for deadline in clockwork.case_clocks(case, now).clocks {
            let Some(due) = deadline.due.filter(|_| deadline.rings()) else {
                continue;
            };
            // Every lead whose moment has come, the deadline itself (lead 0) included once
            // it has passed; the smallest is the most urgent.
            let mut reached: Vec<u32> = leads_minutes
                .iter()
                .copied()
                .filter(|lead| *lead > 0 && now >= due - Duration::minutes(i64::from(*lead)))
                .collect();
            if now >= due {
                reached.push(0);
            }
            let key = |lead_minutes| ReminderKey {
                case_id: case.id,
                clock: deadline.rule.id.clone(),
                due,
                lead_minutes,
            };
            let fresh: Vec<u32> = reached
                .into_iter()
                .filter(|lead| !shown.contains(&key(*lead)))
                .collect();
            let Some(most_urgent) = fresh.iter().copied().min() else {
                continue;
            };
            found.record.extend(fresh.iter().map(|lead| key(*lead)));
            urgent.push((
                due,
                Reminder {
                    key: key(most_urgent),
                    title: title(&deadline.rule.name, most_urgent, due, now),
                    body: body(case, &deadline.rule.action),
                },
            ));
        }
    }
    urgent.sort_by_key(|(due, _)| *due);
    found.show = urgent.into_iter().map(|(_, r)| r).collect();
    found
}

fn title(clock: &str, lead_minutes: u32, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if lead_minutes == 0 {
        return format!("已超时：{clock}");
    }
    let left = (due - now).num_minutes().max(0);
    if left >= 60 {
        format!("{} 小时 {} 分钟后到期：{clock}", left / 60, left % 60)
    } else {
        format!("{left} 分钟后到期：{clock}")
    }
}

fn body(case: &Case, action: &str) -> String {
    let who = case.facts.buyer_nick.as_deref().unwrap_or("买家");
    let number = case
        .facts
        .refund_no
        .as_deref()
        .or(case.facts.order_no.as_deref())
        .unwrap_or("手工售后单");
    format!("{number}（{who}）：{action}")
}

/// How many cases have a deadline the shop must meet before the end of today (China
/// date), overdue ones included: the number on the tray icon.
pub fn due_today(clockwork: &Clockwork, cases: &[Case], now: DateTime<Utc>) -> usize {
    let today = now.with_timezone(&china()).date_naive();
    cases
        .iter()
        .filter(|case| {
            clockwork.case_clocks(case, now).clocks.iter().any(|d| {
                d.rings()
                    && d.due
                        .is_some_and(|due| due.with_timezone(&china()).date_naive() <= today)
            })
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_LEADS_MINUTES;
    use afterdesk_case::time::parse_china_time;
    use afterdesk_case::{CaseFacts, DeviceId, KindSource, Platform, RecordId, ScenarioKind};
    use rstest::rstest;

    fn at(text: &str) -> DateTime<Utc> {
        parse_china_time(text).unwrap()
    }

    /// An open refund request waiting for the seller since `requested`: the platform's
    /// 24-hour clock for an unshipped refund (seller must act) runs from it.
    fn waiting_case(requested: &str) -> Case {
        let created = at("2026-11-01 00:00:00");
        Case {
            id: RecordId::new(created),
            platform: Platform::Taobao,
            facts: CaseFacts {
                refund_no: Some("200000000000000042".to_owned()),
                buyer_nick: Some("tb_小鱼".to_owned()),
                refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
                requested_at: Some(at(requested)),
                ..CaseFacts::default()
            },
            kind: ScenarioKind::RefundUnshipped,
            kind_source: KindSource::Manual,
            flag: None,
            assignee: None,
            tags: Vec::new(),
            open: true,
            origin: "test".to_owned(),
            created_at: created,
            updated_at: created,
            updated_by: DeviceId("t".to_owned()),
            deleted_at: None,
        }
    }

    fn clockwork() -> Clockwork {
        Clockwork::bundled().unwrap()
    }

    fn leads_of(found: &Reminders, clock: &str) -> Vec<u32> {
        found
            .show
            .iter()
            .filter(|r| r.key.clock == clock)
            .map(|r| r.key.lead_minutes)
            .collect()
    }

    // Requested at 10:00, so the 24-hour clock is due at 10:00 the next day.
    #[rstest]
    #[case::long_before("2026-11-20 12:00:00", vec![])]
    #[case::two_hours_before("2026-11-21 08:10:00", vec![120])]
    #[case::half_an_hour_before("2026-11-21 09:45:00", vec![30])]
    #[case::overdue("2026-11-21 10:01:00", vec![0])]
    fn rings_at_each_lead_time_and_at_the_deadline(#[case] now: &str, #[case] expected: Vec<u32>) {
        let case = waiting_case("2026-11-20 10:00:00");
        let found = due_reminders(
            &clockwork(),
            std::slice::from_ref(&case),
            &HashSet::new(),
            &DEFAULT_LEADS_MINUTES,
            at(now),
        );
        assert_eq!(
            leads_of(&found, "refund_unshipped_response"),
            expected,
            "at {now} the most urgent reached lead rings, once"
        );
    }

    #[test]
    fn a_reminder_is_never_shown_twice_and_passed_leads_are_not_replayed() {
        let case = waiting_case("2026-11-20 10:00:00");
        let clockwork = clockwork();
        let cases = std::slice::from_ref(&case);
        // The app was closed until after the deadline: one overdue reminder, not three.
        let late = at("2026-11-21 10:05:00");
        let first = due_reminders(
            &clockwork,
            cases,
            &HashSet::new(),
            &DEFAULT_LEADS_MINUTES,
            late,
        );
        assert_eq!(
            leads_of(&first, "refund_unshipped_response"),
            vec![0],
            "only the overdue one is shown"
        );
        let recorded: Vec<u32> = first
            .record
            .iter()
            .filter(|k| k.clock == "refund_unshipped_response")
            .map(|k| k.lead_minutes)
            .collect();
        assert_eq!(
            recorded.len(),
            3,
            "the passed leads are recorded too: {recorded:?}"
        );

        let shown: HashSet<ReminderKey> = first.record.into_iter().collect();
        let again = due_reminders(
            &clockwork,
            cases,
            &shown,
            &DEFAULT_LEADS_MINUTES,
            late + Duration::minutes(10),
        );
        assert!(
            leads_of(&again, "refund_unshipped_response").is_empty(),
            "nothing is shown twice for the same clock and lead time"
        );
    }

    #[test]
    fn a_closed_case_never_rings_and_the_tray_counts_todays_deadlines() {
        let clockwork = clockwork();
        let mut closed = waiting_case("2026-11-20 10:00:00");
        closed.open = false;
        let due_today = waiting_case("2026-11-20 16:00:00");
        let due_later = waiting_case("2026-11-21 23:00:00");
        let now = at("2026-11-21 09:00:00");
        let found = due_reminders(
            &clockwork,
            std::slice::from_ref(&closed),
            &HashSet::new(),
            &DEFAULT_LEADS_MINUTES,
            at("2026-11-21 10:05:00"),
        );
        assert!(
            found.show.is_empty(),
            "a closed case rings nothing: {found:?}"
        );
        assert_eq!(
            super::due_today(&clockwork, &[closed, due_today, due_later], now),
            1,
            "only the case due before midnight China time counts"
        );
    }
}
