//! Parcels for the after-sales desk: which courier a waybill belongs to, what the
//! tracking providers say about it, refreshing many parcels in the background, the rules
//! that turn a parcel into a prompt, and the interception flow of a refund in transit.
//!
//! The records themselves ([`Parcel`](afterdesk_case::Parcel), [`Trace`], ...) live in
//! `afterdesk-case` and are stored by `afterdesk-store`. This crate performs network I/O
//! only through a [`Tracker`] the caller builds from its settings, and never reads the
//! clock, the environment or a keychain: `now`, addresses and keys are passed in.
#![deny(missing_docs)]

mod courier;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
mod interception;
mod provider;
mod refresh;
mod rules;

pub use afterdesk_case::{Courier, ParcelDirection, ParcelState, Trace, Waybill};
pub use courier::{CourierHint, LogisticsText, courier_from_name, detect, parse_logistics};
pub use error::{ParcelError, TrackError};
pub use interception::InterceptionState;
pub use provider::{
    DEFAULT_CONNECT_TIMEOUT_SECS, DEFAULT_TIMEOUT_SECS, HttpSettings, KDNIAO_DEFAULT_URL,
    KUAIDI100_DEFAULT_URL, KUAIDI100_MIN_INTERVAL_MINUTES, Kdniao, KdniaoSettings, Kuaidi100,
    Kuaidi100Settings, MAX_ANSWER_BYTES, Manual, ProviderSettings, TrackFuture, TrackQuery,
    Tracker, Tracking, kdniao_answer, kdniao_sign, kdniao_state, kuaidi100_answer,
    kuaidi100_error_meaning, kuaidi100_sign, kuaidi100_state, provider_url, secure_transport,
    tracker,
};
pub use refresh::{
    BACKOFF_BASE_MINUTES, BACKOFF_CAP_HOURS, DEFAULT_CONCURRENCY, RefreshOutcome, RefreshPolicy,
    RefreshProgress, RefreshResult, RefreshTarget, SKIPPED_CANCELLED, SKIPPED_MANUAL, refresh,
};
pub use rules::{
    Attention, AttentionReason, CaseParcels, INVESTIGATION_DAYS, PARCEL_RULES_FILE,
    PROBLEM_FIX_DAYS, ParcelRules, RETURN_WAYBILL_DAYS, STALE_AFTER_DAYS, TRANSIT_TIMES_HINT,
    attention, china_short, sort_by_urgency,
};
