//! The batch file: a device's ops as one immutable, encrypted file.
//!
//! Layout, version 1 (integers little-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 6 | magic `ADSYNC` |
//! | 2 | format version (u16) |
//! | 2 | header length in bytes, this table's rows together (u16) |
//! | 4 | schema version of the writing store (u32) |
//! | 8 | the batch's sequence number in its device's series (u64) |
//! | 4 | op count (u32) |
//! | 4 | body length in bytes (u32) |
//! | 24 | XChaCha20-Poly1305 nonce, random per file |
//! | 1 + n | `min_app_version`, UTF-8 |
//! | 1 + n | device id, ASCII |
//! | 1 + n | key id, ASCII |
//! | body | the ops as a JSON array, deflated, then encrypted with the data key's file key and the header bytes as associated data (ciphertext and 16-byte tag) |
//!
//! The header is plain so that a device can tell, before it has the key or decrypts
//! anything, whose file it is, which key it needs and whether it is from a newer
//! AfterDesk; it is authenticated as associated data, so it cannot be altered unnoticed.
//! JSON rather than a compact binary body: deflate removes most of its repetition (field
//! and table names), it stays readable when debugging a decrypted file, and serde
//! already speaks it throughout the project.
//!
//! Reading checks the cheap things first and each failure is typed: size and magic, format
//! version ([`FileError::NewerFormat`]: an older app holds its place in the series and asks
//! to be updated), header bounds, op count, key id, the length of the body (a file still
//! arriving is [`FileError::Truncated`]), and only then decrypts and inflates (within
//! [`MAX_BODY_BYTES`]). A file that fails any check is neither applied nor marked seen:
//! the caller tries again later.

use crate::device::Device;
use crate::keys::{DataKey, KeyId, NONCE_BYTES, TAG_BYTES};
use crate::op::{Op, OpError};
use chacha20poly1305::XNonce;
use chacha20poly1305::aead::{Aead, Payload};

/// The first bytes of every batch file.
pub const MAGIC: &[u8; 6] = b"ADSYNC";

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;

/// The largest batch file read, in bytes: 32 MiB. Writers cut batches at [`MAX_OPS`] ops,
/// which deflate far below this. Transports compare a listed file's size with it before
/// downloading, so that a foreign or damaged file is never read whole; [`read_header`]
/// checks it again.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// The largest inflated body, in bytes: 64 MiB of JSON, ample for [`MAX_OPS`] ops of a
/// few kilobytes each, and a cap on what a deflate bomb can make us allocate.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The most ops in one batch. A bulk import's ops go out as several batches, so that
/// one file stays small enough to upload, retry and hold in memory; a device polling
/// every few minutes writes far fewer.
pub const MAX_OPS: u32 = 10_000;

/// The longest `min_app_version` text, in bytes (`1.23.456-beta.7` is 15).
pub const MAX_APP_VERSION_BYTES: usize = 32;

/// The fixed part of the header: everything before the three texts.
const FIXED_HEADER_BYTES: usize = 6 + 2 + 2 + 4 + 8 + 4 + 4 + NONCE_BYTES;

/// The deflate level: 6, zlib's default, nearly the ratio of 9 at a fraction of the time.
const DEFLATE_LEVEL: u8 = 6;

/// What can go wrong writing or reading a batch file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file has no bytes (a cloud placeholder, or a file still being created).
    #[error("the batch file is empty")]
    Empty,
    /// The file ends before its header or body does (a copy still in progress).
    #[error("the batch file is cut short: {found} of {needed} bytes")]
    Truncated {
        /// The bytes the file needs at least.
        needed: u64,
        /// The bytes it has.
        found: u64,
    },
    /// The file does not start with [`MAGIC`].
    #[error("not an AfterDesk batch file")]
    NotABatch,
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the batch file has {size} bytes, more than {max}")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// [`MAX_FILE_BYTES`].
        max: u64,
    },
    /// The file was written by a newer AfterDesk; this one stops here and asks to be
    /// updated, without skipping the file.
    #[error(
        "the batch file has format {found}; this AfterDesk reads up to {supported}: update AfterDesk"
    )]
    NewerFormat {
        /// The file's format.
        found: u16,
        /// [`FORMAT_VERSION`].
        supported: u16,
    },
    /// A header field is malformed.
    #[error("the batch file's header is damaged: {0}")]
    BadHeader(&'static str),
    /// The batch has more ops than [`MAX_OPS`].
    #[error("the batch has {count} ops, more than {max}")]
    TooManyOps {
        /// The op count.
        count: u64,
        /// [`MAX_OPS`].
        max: u32,
    },
    /// The file needs another data key than the one given.
    #[error("the batch file needs key {found}, not {expected}")]
    WrongKey {
        /// The key id in the file.
        found: KeyId,
        /// The id of the key given.
        expected: KeyId,
    },
    /// The body failed authentication: the file was altered or damaged.
    #[error("the batch file is damaged (it fails authentication)")]
    Corrupt,
    /// Bytes follow the body.
    #[error("the batch file has {extra} bytes after its body")]
    TrailingBytes {
        /// How many.
        extra: u64,
    },
    /// The authenticated body is not what its header says (a faulty writer).
    #[error("the batch file's body is malformed: {0}")]
    BadBody(&'static str),
    /// The authenticated body is not a JSON array of ops.
    #[error("the batch file's ops are unreadable: {0}")]
    BodyJson(#[source] serde_json::Error),
    /// An op in the batch is malformed.
    #[error("op {index} of the batch is malformed: {source}")]
    BadOp {
        /// The op's position.
        index: usize,
        /// What is wrong with it.
        source: OpError,
    },
    /// An op in the batch was made by another device than the batch's.
    #[error("op {index} of the batch was made by another device")]
    ForeignOp {
        /// The op's position.
        index: usize,
    },
    /// The operating system gave no random numbers for the nonce.
    #[error("no random numbers from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// Encryption failed (a message beyond the cipher's length limit).
    #[error("encryption failed")]
    Encrypt,
}

/// A batch: one device's ops, numbered in its series.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The writing store's schema version: a reader with an older schema holds its place.
    pub schema: u32,
    /// The oldest AfterDesk that can apply these ops.
    pub min_app_version: String,
    /// The device whose series this is; every op was made by it.
    pub device: Device,
    /// The batch's number in the device's series, from 1, without gaps.
    pub seq: u64,
    /// The ops, in the order the device made them.
    pub ops: Vec<Op>,
}

/// A batch file's plain header, readable without the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    /// The format version.
    pub format: u16,
    /// The writing store's schema version.
    pub schema: u32,
    /// The oldest AfterDesk that can apply the ops.
    pub min_app_version: String,
    /// The device whose series this is.
    pub device: Device,
    /// The batch's number in that series.
    pub seq: u64,
    /// How many ops the body holds.
    pub op_count: u32,
    /// The id of the data key that encrypted the body.
    pub key_id: KeyId,
    body_len: u32,
    nonce: [u8; NONCE_BYTES],
    len: usize,
}

/// Writes `batch` as a batch file encrypted with `key`.
///
/// Everything the reader checks is checked here first, so that this build never writes a
/// file it would refuse to read.
pub fn encode(batch: &Batch, key: &DataKey) -> Result<Vec<u8>, FileError> {
    let count = u32::try_from(batch.ops.len())
        .ok()
        .filter(|&count| count <= MAX_OPS)
        .ok_or(FileError::TooManyOps {
            count: u64::try_from(batch.ops.len()).unwrap_or(u64::MAX),
            max: MAX_OPS,
        })?;
    check_ops(&batch.ops, &batch.device)?;
    if batch.min_app_version.len() > MAX_APP_VERSION_BYTES {
        return Err(FileError::BadHeader("min_app_version too long"));
    }
    let json = serde_json::to_vec(&batch.ops).map_err(FileError::BodyJson)?;
    if json.len() > MAX_BODY_BYTES {
        return Err(FileError::BadBody(
            "the ops' JSON is larger than a batch may be",
        ));
    }
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, DEFLATE_LEVEL);
    let body_len = u32::try_from(deflated.len() + TAG_BYTES)
        .map_err(|_| FileError::BadBody("the body is too long"))?;
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::fill(&mut nonce)?;

    let texts = [
        batch.min_app_version.as_bytes(),
        batch.device.as_str().as_bytes(),
        key.id().as_str().as_bytes(),
    ];
    let len = FIXED_HEADER_BYTES + texts.iter().map(|t| 1 + t.len()).sum::<usize>();
    let header_len = u16::try_from(len).map_err(|_| FileError::BadHeader("header too long"))?;
    let mut out = Vec::with_capacity(len + body_len as usize);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(&batch.schema.to_le_bytes());
    out.extend_from_slice(&batch.seq.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&nonce);
    for text in texts {
        let text_len =
            u8::try_from(text.len()).map_err(|_| FileError::BadHeader("text too long"))?;
        out.push(text_len);
        out.extend_from_slice(text);
    }
    let sealed = key
        .file_cipher()
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: &deflated,
                aad: &out,
            },
        )
        .map_err(|_| FileError::Encrypt)?;
    out.extend_from_slice(&sealed);
    if out.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            size: u64::try_from(out.len()).unwrap_or(u64::MAX),
            max: MAX_FILE_BYTES as u64,
        });
    }
    Ok(out)
}

/// Reads a batch file's plain header, without the key: whose file it is, which key it
/// needs, and whether this build can read it.
pub fn read_header(bytes: &[u8]) -> Result<BatchHeader, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            max: MAX_FILE_BYTES as u64,
        });
    }
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err(FileError::NotABatch);
    }
    let mut reader = Reader { bytes, at: 0 };
    reader.take(MAGIC.len())?;
    let format = reader.u16()?;
    if format > FORMAT_VERSION {
        return Err(FileError::NewerFormat {
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    if format == 0 {
        return Err(FileError::BadHeader("format 0"));
    }
    let header_len = usize::from(reader.u16()?);
    let schema = reader.u32()?;
    let seq = reader.u64()?;
    let op_count = reader.u32()?;
    let body_len = reader.u32()?;
    let mut nonce = [0u8; NONCE_BYTES];
    nonce.copy_from_slice(reader.take(NONCE_BYTES)?);
    let min_app_version = reader.text(MAX_APP_VERSION_BYTES, "min_app_version")?;
    let device = Device::parse(&reader.text(crate::device::MAX_DEVICE_BYTES, "device")?)
        .map_err(|_| FileError::BadHeader("device"))?;
    let key_id =
        KeyId::parse(&reader.text(64, "key id")?).map_err(|_| FileError::BadHeader("key id"))?;
    if reader.at != header_len {
        return Err(FileError::BadHeader("header length"));
    }
    if op_count > MAX_OPS {
        return Err(FileError::TooManyOps {
            count: u64::from(op_count),
            max: MAX_OPS,
        });
    }
    if (body_len as usize) < TAG_BYTES {
        return Err(FileError::BadHeader("body length"));
    }
    Ok(BatchHeader {
        format,
        schema,
        min_app_version,
        device,
        seq,
        op_count,
        key_id,
        body_len,
        nonce,
        len: header_len,
    })
}

/// Reads and decrypts a batch file with `key`, checking every op.
pub fn decode(bytes: &[u8], key: &DataKey) -> Result<Batch, FileError> {
    let header = read_header(bytes)?;
    if &header.key_id != key.id() {
        return Err(FileError::WrongKey {
            found: header.key_id,
            expected: key.id().clone(),
        });
    }
    let end = header.len + header.body_len as usize;
    if bytes.len() < end {
        return Err(FileError::Truncated {
            needed: u64::try_from(end).unwrap_or(u64::MAX),
            found: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        });
    }
    if bytes.len() > end {
        return Err(FileError::TrailingBytes {
            extra: u64::try_from(bytes.len() - end).unwrap_or(u64::MAX),
        });
    }
    let (aad, sealed) = bytes.split_at(header.len);
    let deflated = key
        .file_cipher()
        .decrypt(&XNonce::from(header.nonce), Payload { msg: sealed, aad })
        .map_err(|_| FileError::Corrupt)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_BODY_BYTES)
        .map_err(|_| FileError::BadBody("the body does not inflate within the limit"))?;
    let ops: Vec<Op> = serde_json::from_slice(&json).map_err(FileError::BodyJson)?;
    if ops.len() != header.op_count as usize {
        return Err(FileError::BadBody("the op count differs from the header's"));
    }
    check_ops(&ops, &header.device)?;
    Ok(Batch {
        schema: header.schema,
        min_app_version: header.min_app_version,
        device: header.device,
        seq: header.seq,
        ops,
    })
}

fn check_ops(ops: &[Op], device: &Device) -> Result<(), FileError> {
    for (index, op) in ops.iter().enumerate() {
        op.check()
            .map_err(|source| FileError::BadOp { index, source })?;
        if op.device() != device {
            return Err(FileError::ForeignOp { index });
        }
    }
    Ok(())
}

/// Whether an AfterDesk at version `current` is older than `required` (a batch's or
/// `SHOP.json`'s `min_app_version`), comparing the dotted numbers (`1.10.0` > `1.9.3`);
/// anything after the numbers (`-beta.1`) is ignored. An unreadable `required` counts as
/// newer, so that a device holds its place rather than applying what it may not
/// understand.
pub fn requires_newer_app(required: &str, current: &str) -> bool {
    match (version_numbers(required), version_numbers(current)) {
        (Some(required), Some(current)) => required > current,
        (None, _) => true,
        (Some(_), None) => false,
    }
}

fn version_numbers(text: &str) -> Option<[u64; 3]> {
    let core = text.trim().split(['-', '+']).next()?;
    let mut numbers = [0u64; 3];
    let mut parts = core.split('.');
    for slot in &mut numbers {
        match parts.next() {
            Some(part) => *slot = part.parse().ok()?,
            None => break,
        }
    }
    if parts.next().is_some() || core.is_empty() {
        return None;
    }
    Some(numbers)
}

/// A cursor over the header's bytes whose every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FileError> {
        let end = self.at.saturating_add(n);
        let slice = self.bytes.get(self.at..end).ok_or(FileError::Truncated {
            needed: u64::try_from(end).unwrap_or(u64::MAX),
            found: u64::try_from(self.bytes.len()).unwrap_or(u64::MAX),
        })?;
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], FileError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, FileError> {
        self.array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32, FileError> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, FileError> {
        self.array().map(u64::from_le_bytes)
    }

    fn text(&mut self, max: usize, what: &'static str) -> Result<String, FileError> {
        let len = usize::from(self.array::<1>()?[0]);
        if len > max {
            return Err(FileError::BadHeader(what));
        }
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| FileError::BadHeader(what))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::hlc::Hlc;
    use crate::op::{FieldEdit, OpKind};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn device() -> Device {
        Device::parse("0192d3f4-a5b6-7c8d-9e0f-112233445566").unwrap()
    }

    fn key(byte: u8) -> DataKey {
        DataKey::from_bytes(&[byte; 32])
    }

    fn batch(ops: usize) -> Batch {
        let ops = (0..ops)
            .map(|i| {
                let hlc = Hlc::new(1_790_000_000_000 + i as u64, 0, device());
                let fields = BTreeMap::from([(
                    "status".to_owned(),
                    FieldEdit {
                        value: json!(format!("状态 {i}")),
                        before: None,
                    },
                )]);
                Op::new(hlc, "cases", &format!("row-{i}"), OpKind::Set { fields })
            })
            .collect();
        Batch {
            schema: 12,
            min_app_version: "0.1.0".to_owned(),
            device: device(),
            seq: 42,
            ops,
        }
    }

    #[test]
    fn a_batch_round_trips_and_its_header_reads_without_the_key() {
        for ops in [0, 1, 200] {
            let written = batch(ops);
            let bytes = encode(&written, &key(1)).unwrap();
            let header = read_header(&bytes).unwrap();
            assert_eq!(
                (
                    header.format,
                    header.schema,
                    header.seq,
                    header.op_count as usize
                ),
                (FORMAT_VERSION, 12, 42, ops),
                "the plain header tells format, schema, seq and op count"
            );
            assert_eq!(&header.key_id, key(1).id(), "the header names the key");
            assert_eq!(
                decode(&bytes, &key(1)).unwrap(),
                written,
                "a batch round-trips"
            );
        }
    }

    #[test]
    fn the_body_is_compressed_and_encrypted() {
        let bytes = encode(&batch(200), &key(1)).unwrap();
        let json = serde_json::to_vec(&batch(200).ops).unwrap();
        assert!(
            bytes.len() < json.len() / 3,
            "the body is deflated: {} of {}",
            bytes.len(),
            json.len()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("cases") && !text.contains("row-1"),
            "no plain op text in the file"
        );
        let again = encode(&batch(200), &key(1)).unwrap();
        assert_ne!(bytes, again, "each file has its own random nonce");
    }

    /// Names the error kinds the table below expects.
    fn kind(error: &FileError) -> &'static str {
        match error {
            FileError::Empty => "empty",
            FileError::Truncated { .. } => "truncated",
            FileError::NotABatch => "not a batch",
            FileError::TooLarge { .. } => "too large",
            FileError::NewerFormat {
                found: 2,
                supported: 1,
            } => "newer format",
            FileError::NewerFormat { .. } => "newer format (other numbers)",
            FileError::BadHeader(_) => "bad header",
            FileError::TooManyOps { .. } => "too many ops",
            FileError::WrongKey { .. } => "wrong key",
            FileError::Corrupt => "corrupt",
            FileError::TrailingBytes { .. } => "trailing bytes",
            _ => "other",
        }
    }

    #[test]
    fn bad_files_are_refused_with_typed_errors() {
        let good = encode(&batch(3), &key(1)).unwrap();
        let header_len = read_header(&good).unwrap().len;
        let patched = |at: usize, with: &[u8]| {
            let mut bytes = good.clone();
            bytes[at..at + with.len()].copy_from_slice(with);
            bytes
        };
        let flipped_body = {
            let mut bytes = good.clone();
            let last = bytes.len() - 1;
            bytes[last] ^= 1;
            bytes
        };
        let flipped_header = patched(10, &13u32.to_le_bytes());
        let cases: Vec<(Vec<u8>, &str, &str)> = vec![
            (vec![], "empty", "a zero-byte file (a placeholder) is Empty"),
            (
                good[..3].to_vec(),
                "truncated",
                "a file cut inside the magic",
            ),
            (
                good[..20].to_vec(),
                "truncated",
                "a file cut inside the header",
            ),
            (
                good[..header_len].to_vec(),
                "truncated",
                "a file with no body yet",
            ),
            (
                good[..good.len() - 1].to_vec(),
                "truncated",
                "a file missing its last byte",
            ),
            (
                [good.clone(), vec![0]].concat(),
                "trailing bytes",
                "a file with bytes past its body",
            ),
            (
                b"PK\x03\x04 a zip".to_vec(),
                "not a batch",
                "another kind of file",
            ),
            (
                patched(6, &2u16.to_le_bytes()),
                "newer format",
                "a file from a newer AfterDesk",
            ),
            (patched(6, &0u16.to_le_bytes()), "bad header", "format 0"),
            (
                patched(8, &999u16.to_le_bytes()),
                "bad header",
                "a wrong header length",
            ),
            (
                patched(22, &(MAX_OPS + 1).to_le_bytes()),
                "too many ops",
                "an op count past the bound",
            ),
            (
                flipped_body,
                "corrupt",
                "a damaged body fails authentication",
            ),
            (
                flipped_header,
                "corrupt",
                "a damaged header fails authentication",
            ),
            (
                vec![b'A'; MAX_FILE_BYTES + 1],
                "too large",
                "a file past the size bound",
            ),
        ];
        for (bytes, expected, what) in cases {
            let error = decode(&bytes, &key(1)).unwrap_err();
            assert_eq!(kind(&error), expected, "{what}: got {error}");
        }
    }

    #[test]
    fn a_newer_format_is_reported_before_anything_else_is_read() {
        // A newer format may have any header after its version: only the magic and the
        // version are read, so an older app reports NewerFormat rather than a damaged file.
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&7u16.to_le_bytes());
        bytes.extend_from_slice(b"a header this build cannot read");
        let error = read_header(&bytes).unwrap_err();
        assert!(
            matches!(
                error,
                FileError::NewerFormat {
                    found: 7,
                    supported: FORMAT_VERSION
                }
            ),
            "NewerFormat carries both versions: {error:?}"
        );
    }

    #[test]
    fn the_wrong_key_is_named_and_nothing_is_decrypted() {
        let bytes = encode(&batch(2), &key(1)).unwrap();
        match decode(&bytes, &key(2)) {
            Err(FileError::WrongKey { found, expected }) => {
                assert_eq!(&found, key(1).id(), "the file's key is named");
                assert_eq!(&expected, key(2).id(), "and the key given");
            }
            other => panic!("a file under another key is WrongKey, got {other:?}"),
        }
    }

    #[test]
    fn the_writer_refuses_what_the_reader_would() {
        let mut too_many = batch(0);
        let one = batch(1).ops.remove(0);
        too_many.ops = vec![one.clone(); MAX_OPS as usize + 1];
        let mut foreign = batch(1);
        foreign.device = Device::parse("someone-else").unwrap();
        let mut long_version = batch(1);
        long_version.min_app_version = "1".repeat(MAX_APP_VERSION_BYTES + 1);
        let cases: [(Batch, &str); 3] = [
            (too_many, "too many ops"),
            (foreign, "foreign op"),
            (long_version, "bad header"),
        ];
        for (batch, expected) in cases {
            let error = encode(&batch, &key(1)).unwrap_err();
            let got = match error {
                FileError::ForeignOp { .. } => "foreign op",
                ref other => kind(other),
            };
            assert_eq!(got, expected, "the writer refuses: {error}");
        }
    }

    #[test]
    fn app_versions_compare_by_their_numbers() {
        let cases = [
            ("0.1.0", "0.1.0", false),
            ("0.2.0", "0.1.9", true),
            ("1.10.0", "1.9.3", true),
            ("1.9.3", "1.10.0", false),
            ("1.2", "1.2.0", false),
            ("1.2.1-beta.1", "1.2.0", true),
            ("not a version", "1.0.0", true),
            ("", "1.0.0", true),
        ];
        for (required, current, newer) in cases {
            assert_eq!(
                requires_newer_app(required, current),
                newer,
                "{current} {} {required}",
                if newer { "is older than" } else { "satisfies" }
            );
        }
    }
}
