//! Reading the platform's export files.
//!
//! Sellers download their refund list (退款管理 → 导出) and order list from the seller back
//! office as CSV (usually GBK-encoded, sometimes UTF-8 with or without a BOM) or as an Excel
//! workbook. This crate turns such a file, streamed row by row in bounded memory, into
//! [`afterdesk_case::CaseFacts`] and [`afterdesk_case::OrderFacts`], reporting every row it
//! cannot read with its row number, column and reason. It knows nothing of storage: the
//! store decides what a row means for the shop's existing cases.
#![deny(missing_docs)]

mod cell;
mod columns;
mod error;
mod guard;
pub mod limits;
mod record;
mod sniff;
mod table;

pub use columns::{ColumnAlias, ExportKind, Field, Layout};
pub use error::{ExportError, RowError};
pub use record::{ParsedRow, Preview, RowOutcome};
pub use sniff::{FileFormat, TMALL_FILE_WORDS, TextEncoding, guess_platform};
pub use table::{ExportFile, ReadProgress, RowVisitor};
