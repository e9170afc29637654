//! Reply scripts (话术) for the after-sales desk.
//!
//! The shop's agents answer buyers with scripts: short replies for each scenario kind and
//! stage of a case. This crate holds the [`Library`] of scripts (a built-in one written by
//! the AfterDesk team in Simplified and Traditional Chinese, shops add their own), turns a
//! script into a [`Draft`] filled from a case's facts, checks any reply text with the
//! [`lint`] rules the training decks teach, suggests the next step of the shop's
//! compensation ladder ([`Ladder`]), classifies a buyer's message into a scenario kind
//! ([`Classifier`]) and reads training material into proposals ([`import`]).
//!
//! Everything here is pure and deterministic: no network, no clock (callers pass `now`),
//! no storage. Only [`import::read_file`] touches the file system.
#![deny(missing_docs)]

mod classify;
mod draft;
mod hant;
pub mod import;
mod ladder;
mod lint;
mod mark;
mod normalize;
mod script;

pub use classify::{Alternative, Classification, Classifier, ClassifierError};
pub use draft::{Draft, DraftRequest, Placeholder, compose};
pub use hant::to_traditional;
pub use ladder::{Compensation, Ladder, LadderStep};
pub use lint::{Lint, LintRule, lint, needs_apology};
pub use mark::{
    MarkKind, UNFILLED_MARK, UNFILLED_MARK_END, UnfilledMark, unfilled_labels, unfilled_marks,
};
pub use normalize::{normalize, to_simplified};
pub use script::{Library, Script, ScriptError, Stage, Variant};
