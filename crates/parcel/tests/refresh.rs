//! Refreshing many parcels against the local server: the concurrency bound, backoff,
//! rate limits, offline parcels, cancellation, progress and the manual provider.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::RecordId;
use afterdesk_case::time::parse_china_time;
use afterdesk_parcel::fake::{FakeKeys, FakeServer, Scripted};
use afterdesk_parcel::{
    Courier, HttpSettings, Kuaidi100, Kuaidi100Settings, Manual, RefreshOutcome, RefreshPolicy,
    RefreshTarget, TrackQuery, Waybill, refresh,
};
use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration as StdDuration;

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn targets(n: usize) -> Vec<RefreshTarget> {
    (0..n)
        .map(|i| RefreshTarget {
            parcel_id: RecordId::new(now()),
            query: TrackQuery {
                courier: Some(Courier::Zto),
                waybill: Waybill::parse(&format!("7512345{i:07}")).unwrap(),
                phone_tail: None,
                last_queried: None,
            },
            failures: 0,
            next_attempt: None,
        })
        .collect()
}

async fn setup(delay_ms: u64) -> (FakeServer, Kuaidi100) {
    let server = FakeServer::start(FakeKeys::default(), StdDuration::from_millis(delay_ms))
        .await
        .unwrap();
    let client = Kuaidi100::new(
        Kuaidi100Settings {
            customer: "C".to_owned(),
            key: "K".to_owned(),
            url: Some(server.kuaidi100_url()),
        },
        &HttpSettings {
            timeout: StdDuration::from_millis(500),
            connect_timeout: StdDuration::from_millis(500),
        },
    )
    .unwrap();
    (server, client)
}

#[tokio::test]
async fn at_most_n_queries_run_at_once_and_progress_counts_every_parcel() {
    let (server, client) = setup(20).await;
    let policy = RefreshPolicy {
        concurrency: 3,
        ..RefreshPolicy::default()
    };
    let mut seen = Vec::new();
    let results = refresh(
        &client,
        targets(40),
        &policy,
        &now,
        &mut |p| seen.push((p.done, p.total)),
        &AtomicBool::new(false),
    )
    .await;
    assert_eq!(results.len(), 40, "one result per parcel");
    assert!(
        results
            .iter()
            .all(|r| matches!(r.outcome, RefreshOutcome::Updated(_))),
        "every parcel answered"
    );
    assert!(
        server.max_in_flight() <= 3,
        "the server saw {} requests at once; the bound is 3",
        server.max_in_flight()
    );
    assert!(
        server.max_in_flight() >= 2,
        "the refresh runs queries concurrently (saw {})",
        server.max_in_flight()
    );
    assert_eq!(
        seen.last(),
        Some(&(40, 40)),
        "progress ends at total: {seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[1].0 == w[0].0 + 1),
        "progress counts up by one"
    );
}

#[tokio::test]
async fn failures_back_off_and_deferred_parcels_are_not_asked() {
    let (server, client) = setup(0).await;
    let mut list = targets(3);
    // The first fails (a slow answer beyond the timeout), after two failures already.
    server.script(
        list[0].query.waybill.as_str(),
        Scripted::ok("{}").after(StdDuration::from_secs(2)),
    );
    list[0].failures = 2;
    // The second is inside its backoff.
    list[1].next_attempt = Some(now() + Duration::minutes(5));
    let results = refresh(
        &client,
        list.clone(),
        &RefreshPolicy::default(),
        &now,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .await;
    let by_id = |id: RecordId| results.iter().find(|r| r.parcel_id == id).unwrap();
    match &by_id(list[0].parcel_id).outcome {
        RefreshOutcome::Failed {
            failures,
            next_attempt,
            error,
        } => {
            assert_eq!(*failures, 3, "failures in a row grow");
            assert_eq!(
                *next_attempt,
                now() + Duration::minutes(20),
                "the third failure waits 5 × 2² minutes"
            );
            assert!(error.is_transient(), "{error}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(
        matches!(by_id(list[1].parcel_id).outcome, RefreshOutcome::Deferred { until } if until == now() + Duration::minutes(5)),
        "a parcel inside its backoff is not asked"
    );
    assert!(matches!(
        by_id(list[2].parcel_id).outcome,
        RefreshOutcome::Updated(_)
    ));
    assert_eq!(
        server.requests(),
        2,
        "the deferred parcel never reached the server"
    );

    // An explicit "track" ignores the backoff, but not the provider's 30-minute rule.
    let policy = RefreshPolicy {
        honour_backoff: false,
        ..RefreshPolicy::default()
    };
    let again = refresh(
        &client,
        list[1..].to_vec(),
        &policy,
        &now,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .await;
    let by_id = |id: RecordId| again.iter().find(|r| r.parcel_id == id).unwrap();
    assert!(
        matches!(by_id(list[1].parcel_id).outcome, RefreshOutcome::Updated(_)),
        "asked despite its backoff"
    );
    assert!(
        matches!(by_id(list[2].parcel_id).outcome, RefreshOutcome::Deferred { until } if until == now() + Duration::minutes(30)),
        "answered a moment ago: 快递100's rule defers it 30 minutes"
    );
}

#[tokio::test]
async fn cancelling_stops_new_queries() {
    let (server, client) = setup(30).await;
    let cancel = AtomicBool::new(false);
    let policy = RefreshPolicy {
        concurrency: 2,
        ..RefreshPolicy::default()
    };
    let results = refresh(
        &client,
        targets(20),
        &policy,
        &now,
        &mut |p| {
            if p.done == 4 {
                cancel.store(true, Ordering::Relaxed);
            }
        },
        &cancel,
    )
    .await;
    let skipped = results
        .iter()
        .filter(|r| matches!(r.outcome, RefreshOutcome::Skipped { .. }))
        .count();
    assert_eq!(results.len(), 20, "every parcel is accounted for");
    assert!(
        skipped >= 14,
        "after the cancel only the queries already under way finish ({skipped} skipped)"
    );
    assert!(server.requests() <= 6, "{} requests", server.requests());
}

#[tokio::test]
async fn the_manual_provider_asks_nothing() {
    let results = refresh(
        &Manual,
        targets(3),
        &RefreshPolicy::default(),
        &now,
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .await;
    assert!(
        results
            .iter()
            .all(|r| matches!(r.outcome, RefreshOutcome::Skipped { .. })),
        "manual parcels keep what the agent recorded"
    );
}
