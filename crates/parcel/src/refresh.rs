//! Refreshing many parcels in the background: bounded concurrency, exponential backoff
//! per parcel, the provider's rate limits, cancellation and progress.
//!
//! The refresh needs no store: the caller lists what to ask ([`RefreshTarget`]), awaits
//! [`refresh`] on its async runtime, and writes the [`RefreshResult`]s back in one short
//! transaction. Offline is not an error of the whole refresh: each parcel that could not
//! be asked keeps its last known state and gets its error and next attempt recorded.

use crate::{TrackError, TrackQuery, Tracker, Tracking};
use afterdesk_case::{RecordId, Waybill};
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many queries run at once by default.
///
/// Both providers throttle per account (快递鸟's free plan allows a few calls per second)
/// and a shop's uplink is often a shared office line; four in flight refresh 300 parcels
/// in well under a minute at the providers' usual half-second answers.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// The first wait after a failed query.
///
/// Five minutes rides out a dropped Wi-Fi or a provider's brief outage without hammering
/// it; the wait doubles with each further failure.
pub const BACKOFF_BASE_MINUTES: i64 = 5;

/// The longest wait between attempts, however many failures.
///
/// Six hours still checks a stuck parcel four times a day, which is as often as the
/// seven-day "stale tracking" rule needs, while a wrong key stops costing queries.
pub const BACKOFF_CAP_HOURS: i64 = 6;

/// How a refresh behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// At most this many queries at once (at least 1).
    pub concurrency: usize,
    /// The first backoff.
    pub backoff_base: Duration,
    /// The longest backoff.
    pub backoff_cap: Duration,
    /// Whether parcels still inside their backoff are left alone. A scheduled refresh
    /// honours it; a user's explicit "track this parcel" does not (rate limits still
    /// apply, because the provider enforces them anyway).
    pub honour_backoff: bool,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        RefreshPolicy {
            concurrency: DEFAULT_CONCURRENCY,
            backoff_base: Duration::minutes(BACKOFF_BASE_MINUTES),
            backoff_cap: Duration::hours(BACKOFF_CAP_HOURS),
            honour_backoff: true,
        }
    }
}

impl RefreshPolicy {
    /// The wait after `failures` failed queries in a row: base × 2^(failures−1), capped.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        let factor = 1i32 << doublings;
        self.backoff_base
            .checked_mul(factor)
            .map_or(self.backoff_cap, |d| d.min(self.backoff_cap))
    }
}

/// One parcel to refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTarget {
    /// The parcel.
    pub parcel_id: RecordId,
    /// What to ask.
    pub query: TrackQuery,
    /// Failed queries in a row so far.
    pub failures: u32,
    /// Not before this instant (backoff or rate limit).
    pub next_attempt: Option<DateTime<Utc>>,
}

/// What happened to one parcel.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// The provider answered; the parcel takes the new state and events.
    Updated(Tracking),
    /// The query failed; the parcel keeps its state, records the error and waits.
    Failed {
        /// What went wrong.
        error: TrackError,
        /// Failed queries in a row, this one included.
        failures: u32,
        /// The next attempt.
        next_attempt: DateTime<Utc>,
    },
    /// Not asked now: the backoff or the provider's rate limit says wait until then.
    Deferred {
        /// When it may be asked.
        until: DateTime<Utc>,
    },
    /// Not asked: no provider is configured (manual), or the refresh was cancelled.
    Skipped {
        /// Why, in Chinese.
        reason: &'static str,
    },
}

impl RefreshOutcome {
    /// A stable key for progress lines and JSON.
    pub fn key(&self) -> &'static str {
        match self {
            RefreshOutcome::Updated(_) => "updated",
            RefreshOutcome::Failed { .. } => "failed",
            RefreshOutcome::Deferred { .. } => "deferred",
            RefreshOutcome::Skipped { .. } => "skipped",
        }
    }
}

/// One parcel's result.
#[derive(Debug)]
pub struct RefreshResult {
    /// The parcel.
    pub parcel_id: RecordId,
    /// Its waybill, for messages.
    pub waybill: Waybill,
    /// When the query was made (or skipped).
    pub at: DateTime<Utc>,
    /// What happened.
    pub outcome: RefreshOutcome,
}

/// Progress after each parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshProgress {
    /// Parcels finished.
    pub done: usize,
    /// Parcels in the refresh.
    pub total: usize,
    /// The parcel just finished.
    pub parcel_id: RecordId,
    /// Its waybill.
    pub waybill: Waybill,
    /// Its outcome's key (`updated`, `failed`, `deferred`, `skipped`).
    pub outcome: &'static str,
}

/// Why a parcel was skipped because the refresh was cancelled.
pub const SKIPPED_CANCELLED: &str = "已取消";
/// Why a parcel was skipped because no provider is configured.
pub const SKIPPED_MANUAL: &str = "未配置物流查询接口（手动记录）";

async fn one(
    tracker: &dyn Tracker,
    target: RefreshTarget,
    policy: &RefreshPolicy,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    cancel: &AtomicBool,
) -> RefreshResult {
    let now = clock();
    let done = |outcome| RefreshResult {
        parcel_id: target.parcel_id,
        waybill: target.query.waybill.clone(),
        at: now,
        outcome,
    };
    if cancel.load(Ordering::Relaxed) {
        return done(RefreshOutcome::Skipped {
            reason: SKIPPED_CANCELLED,
        });
    }
    if tracker.is_manual() {
        return done(RefreshOutcome::Skipped {
            reason: SKIPPED_MANUAL,
        });
    }
    if policy.honour_backoff
        && let Some(until) = target.next_attempt.filter(|t| *t > now)
    {
        return done(RefreshOutcome::Deferred { until });
    }
    let outcome = match tracker.track(&target.query, now).await {
        Ok(tracking) => RefreshOutcome::Updated(tracking),
        Err(TrackError::RateLimited { next_allowed, .. }) => RefreshOutcome::Deferred {
            until: next_allowed,
        },
        Err(error) => {
            let failures = target.failures.saturating_add(1);
            // The clock is read again: a timed-out query may have taken many seconds.
            let next_attempt = clock() + policy.backoff(failures);
            RefreshOutcome::Failed {
                error,
                failures,
                next_attempt,
            }
        }
    };
    done(outcome)
}

/// Refreshes `targets` through `tracker`, at most `policy.concurrency` at once.
///
/// `clock` gives the current instant each time one is needed (the core never reads the
/// system clock itself). `progress` is called once per parcel as each finishes, in
/// completion order. Setting `cancel` stops new queries at once; those already under way
/// finish (each within the client's timeout) and the rest come back skipped. Results are
/// returned in completion order, one per target.
pub async fn refresh(
    tracker: &dyn Tracker,
    targets: Vec<RefreshTarget>,
    policy: &RefreshPolicy,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    progress: &mut (dyn FnMut(RefreshProgress) + Send),
    cancel: &AtomicBool,
) -> Vec<RefreshResult> {
    let total = targets.len();
    let mut results = Vec::with_capacity(total);
    let mut running = futures_util::stream::iter(
        targets
            .into_iter()
            .map(|target| one(tracker, target, policy, clock, cancel)),
    )
    .buffer_unordered(policy.concurrency.max(1));
    while let Some(result) = running.next().await {
        progress(RefreshProgress {
            done: results.len() + 1,
            total,
            parcel_id: result.parcel_id,
            waybill: result.waybill.clone(),
            outcome: result.outcome.key(),
        });
        results.push(result);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(1, 5)]
    #[case(2, 10)]
    #[case(3, 20)]
    #[case(6, 160)]
    #[case(7, 320)]
    #[case(8, 360)]
    #[case(40, 360)]
    #[case(u32::MAX, 360)]
    fn backoff_doubles_and_is_capped(#[case] failures: u32, #[case] minutes: i64) {
        assert_eq!(
            RefreshPolicy::default().backoff(failures),
            Duration::minutes(minutes),
            "after {failures} failures the wait must be {minutes} minutes (5 × 2^(n−1), at most 6 h)"
        );
    }
}
