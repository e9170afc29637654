//! Evidence (举证) for after-sales disputes.
//!
//! A shop wins or loses a dispute on the proofs it gives inside the platform's evidence
//! period. This crate knows, without any storage or user interface:
//!
//! * which proofs each situation needs and what makes each one valid ([`Checklist`], read
//!   from bundled data in `data/checklists.toml`), and which situations a case is in;
//! * how to keep the files: a content-addressed [`EvidenceFolder`] beside the shop
//!   database, filled by one streaming copy-and-hash pass with progress and cancellation;
//! * what a file says about itself ([`FileMeta`]: type by magic bytes, capture time from
//!   EXIF or the MP4/MOV header, a video's duration), never guessing what it does not say;
//! * how ready a case is ([`Readiness`]), whether an unboxing video holds up
//!   ([`UnboxingCheck`]), and the zip [`Package`] with a printable index page to upload;
//! * the appeal-risk review ([`AppealRisk`], `data/appeal_risks.toml`);
//! * keeping the folder sound ([`Verification`], [`Cleaning`]): every file checked against
//!   its name, leftovers of crashed attaches and content no record names removed.
//!
//! Records of attached proofs ([`afterdesk_case::Proof`]) are stored by `afterdesk-store`;
//! `afterdesk-desk` joins the two. Core code never reads the clock: `now` is passed in.
#![deny(missing_docs)]

mod checklist;
mod error;
mod folder;
mod html;
mod meta;
mod package;
mod readiness;
mod risk;
mod unboxing;
mod upkeep;

pub use checklist::{
    CaseEvidence, Checklist, ChecklistItem, ItemCheck, ItemProofs, Situation, SituationProofs,
    situations_for,
};
pub use error::EvidenceError;
pub use folder::{COPY_BUFFER_BYTES, CopyProgress, EvidenceFolder, Ingested, hash_file};
pub use meta::{EARLIEST_PLAUSIBLE_CAPTURE, FileMeta, read_meta};
pub use package::{INDEX_NAME, Package, PackageContents, write_package};
pub use readiness::Readiness;
pub use risk::{AppealRisk, appeal_risks};
pub use unboxing::{
    CLOCK_TOLERANCE, DEFAULT_MAX_DELAY, DEFAULT_MIN_DURATION, Finding, UnboxingCheck, UnboxingRules,
};
pub use upkeep::{CLEAN_GRACE, CleanedFile, Cleaning, StoredFile, Verification};
