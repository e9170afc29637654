//! AfterDesk's team sync: the pure core, and the transports that are its only I/O. No
//! storage.
//!
//! Every device keeps its own SQLite shop and shares immutable, encrypted batch files of
//! changes through a folder, WebDAV or S3 (`docs/sync.md`, "How sync works inside"). This
//! crate holds what those devices must agree on byte for byte and rule for rule:
//!
//! - [`hlc`]: the hybrid logical clock that stamps and orders every change, with the guard
//!   against far-future stamps;
//! - [`op`]: the operations (set fields, insert an append-only record, delete, restore) and
//!   the deterministic row ids of natural keys;
//! - [`merge`]: the in-memory replica and its merge (per-field last writer wins, union of
//!   records, tombstones, conflicts), commutative, associative and idempotent;
//! - [`file`]: the batch file format (plain header, compressed JSON body, XChaCha20-Poly1305)
//!   and [`name`] the names of files in the shared folder, temporary files and sync
//!   clients' conflicted copies;
//! - [`keys`]: the shop passphrase, Argon2id, the wrapped data key and keyed blob names.
//!
//! - [`transport`]: the [`transport::Transport`] trait and its three backends (a local
//!   folder, WebDAV, S3-compatible storage), the only part of the crate that does I/O.
//!
//! Core code takes `now` as a parameter and never reads the clock; it works on bytes and
//! names. The transports are adapters: they talk to the shared location, and only S3's
//! request signing reads the clock (a signature must carry the time it is sent).
#![deny(missing_docs)]

pub mod device;
pub mod file;
pub mod hlc;
pub mod keys;
pub mod merge;
pub mod name;
pub mod op;
pub mod transport;

pub use device::{Device, DeviceError};
pub use file::{Batch, BatchHeader, FileError};
pub use hlc::{Hlc, HlcClock, HlcError};
pub use keys::{DataKey, KdfParams, KeyError, KeyId, ShopKeyFile};
pub use merge::{Applied, Conflict, Replica, Side};
pub use op::{FieldEdit, Op, OpError, OpId, OpKind, natural_row_id};
pub use transport::{AnyTransport, Transport, TransportError};
