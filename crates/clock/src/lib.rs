//! Platform clocks: which deadline a case runs against, when it falls due, and what the
//! desk must do about it.
//!
//! Three parts work together:
//!
//! - the [`RulePack`], data rather than code: every clock of the platform and the shop,
//!   read from a bundled, versioned TOML file that a shop can override;
//! - the [`Calendar`] of Chinese public holidays and official make-up working days (调休),
//!   one data file per year, bundled for 2024 to 2026 and extendable at run time;
//! - the engine ([`Clockwork`]), which reads a [`Case`](afterdesk_case::Case)'s instants and
//!   computes each applicable clock's due instant and state, the case's next deadline, and
//!   the urgency order of many cases for the dashboard.
//!
//! Every clock runs in China time (UTC+8) whatever the computer's zone, and nothing here
//! reads the system clock: callers pass `now` in. The semantics are documented for users
//! in `docs/clocks.md`.
#![deny(missing_docs)]

mod calendar;
mod engine;
mod error;
mod file;
mod rule;

pub use calendar::{Calendar, DayKind, Holiday, YearCalendar};
pub use engine::{
    CaseClocks, ClockState, Clockwork, DEFAULT_DUE_SOON_HOURS, Deadline, Inapplicable,
    SELLER_ACTOR, Urgency, Warning,
};
pub use error::ClockError;
pub use file::{MAX_FILE_BYTES, read_limited};
pub use rule::{Length, Owner, Rule, RulePack, Stage, Trigger};
