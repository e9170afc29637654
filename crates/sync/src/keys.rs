//! The shop's keys: the passphrase, the key-encryption key derived from it, the data key
//! it wraps, and names derived from the data key.
//!
//! The shop passphrase goes through Argon2id (memory-hard, so guessing passphrases on
//! graphics cards is expensive) to a key-encryption key, which wraps a random 32-byte data
//! key with XChaCha20-Poly1305. `SHOP.json` in the shared folder holds the wrapped key and
//! the parameters ([`ShopKeyFile`]); the passphrase is never stored, and changing it
//! re-wraps the same data key, so no file needs re-encrypting. The data key encrypts the
//! batch files and blobs; subkeys derived from it by HMAC-SHA256 give the key id and the
//! blob names, so that names reveal neither the key nor the files' plain hashes.
//!
//! Choices: RustCrypto's `argon2` and `chacha20poly1305` (pure Rust, audited lineage, no C
//! to compile), `hmac` + `sha2` already in the dependency tree for the keyed hashes,
//! `getrandom` for the operating system's random numbers, `zeroize` to wipe key bytes when
//! they are dropped. Keys never appear in `Debug` output.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use zeroize::Zeroizing;

/// The data key's length: 256 bits, XChaCha20-Poly1305's key size.
pub const DATA_KEY_BYTES: usize = 32;

/// The salt's length: 128 bits, Argon2's recommendation, random per shop and per
/// passphrase change.
pub const SALT_BYTES: usize = 16;

/// An XChaCha20-Poly1305 nonce: 192 bits, long enough to be drawn at random for every
/// file without any risk of reuse.
pub const NONCE_BYTES: usize = 24;

/// The Poly1305 tag that follows every ciphertext.
pub const TAG_BYTES: usize = 16;

/// The shortest passphrase accepted, in characters. The passphrase protects everything in
/// a folder that lives on someone else's servers; Argon2id makes each guess costly, but a
/// very short passphrase is guessable whatever it costs.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// The version of [`ShopKeyFile`]'s layout written by this build.
pub const SHOP_KEY_FORMAT: u16 = 1;

/// The largest `SHOP.json` read, in bytes: it holds a few short fields (under 1 KiB); the
/// bound stops a damaged or hostile file before it is parsed.
pub const MAX_SHOP_FILE_BYTES: usize = 64 * 1024;

/// The most memory a stored parameter set may ask of Argon2id, in KiB: 1 GiB, sixteen
/// times the recommended 64 MiB, room to raise the parameters for years while a damaged
/// `SHOP.json` cannot make every device allocate without bound.
pub const MAX_KDF_MEMORY_KIB: u32 = 1024 * 1024;

/// The most passes a stored parameter set may ask for, for the same reason.
pub const MAX_KDF_PASSES: u32 = 64;

/// The most lanes a stored parameter set may ask for, for the same reason.
pub const MAX_KDF_LANES: u32 = 16;

/// The length of a key id's bytes (shown as twice as many hexadecimal digits).
const KEY_ID_BYTES: usize = 8;

/// The labels of the subkeys derived from the data key, one per purpose, so that no two
/// uses share a key.
const LABEL_KEY_ID: &[u8] = b"afterdesk.sync.key-id.v1";
const LABEL_FILE_KEY: &[u8] = b"afterdesk.sync.file-key.v1";
const LABEL_BLOB_NAME: &[u8] = b"afterdesk.sync.blob-name.v1";

/// The associated data of the wrapped key, followed by the key id: binds the wrapped key
/// to this purpose and to its id.
const WRAP_CONTEXT: &[u8] = b"afterdesk.sync.shop-key.v1\0";

type HmacSha256 = Hmac<Sha256>;

/// What can go wrong with keys and `SHOP.json`.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The passphrase does not unlock the data key (or `SHOP.json`'s wrapped key was
    /// altered, which looks the same).
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// A new passphrase is shorter than [`MIN_PASSPHRASE_CHARS`].
    #[error("a shop passphrase needs at least {min} characters")]
    PassphraseTooShort {
        /// [`MIN_PASSPHRASE_CHARS`].
        min: usize,
    },
    /// `SHOP.json` was written by a newer AfterDesk.
    #[error(
        "SHOP.json has format {found}; this AfterDesk reads up to {supported}: update AfterDesk"
    )]
    NewerFormat {
        /// The file's format.
        found: u16,
        /// [`SHOP_KEY_FORMAT`].
        supported: u16,
    },
    /// `SHOP.json` is larger than [`MAX_SHOP_FILE_BYTES`].
    #[error("SHOP.json has {size} bytes, more than the {max} a shop key file can have")]
    TooLarge {
        /// The file's size.
        size: usize,
        /// [`MAX_SHOP_FILE_BYTES`].
        max: usize,
    },
    /// `SHOP.json` is not valid JSON of the expected shape.
    #[error("SHOP.json is not readable: {0}")]
    Json(#[from] serde_json::Error),
    /// A field of `SHOP.json` is malformed (hexadecimal, lengths).
    #[error("SHOP.json is damaged: {0}")]
    Malformed(&'static str),
    /// The key-derivation parameters are outside the bounds this build accepts.
    #[error("the key-derivation parameters are out of range: {0}")]
    KdfOutOfRange(&'static str),
    /// Argon2 refused the parameters or failed.
    #[error("key derivation failed: {0}")]
    Kdf(#[from] argon2::Error),
    /// The unwrapped key does not match the key id stored with it.
    #[error("SHOP.json's key id does not match its key")]
    KeyIdMismatch,
    /// The operating system gave no random numbers.
    #[error("no random numbers from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// Encryption failed (a message beyond the cipher's length limit).
    #[error("encryption failed")]
    Encrypt,
}

/// The key-derivation function: only Argon2id, named so that another can be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KdfAlgorithm {
    /// Argon2id, version 0x13 (RFC 9106).
    Argon2id,
}

/// Argon2id's parameters, stored in `SHOP.json` so that they can be raised later (by
/// re-wrapping with the passphrase) and so that every device derives the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// The function.
    pub algorithm: KdfAlgorithm,
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub passes: u32,
    /// Parallel lanes.
    pub lanes: u32,
}

impl KdfParams {
    /// The parameters of a new shop key: 64 MiB, 3 passes, 1 lane. RFC 9106's second
    /// recommended option, about half a second on a 2020 office laptop, once per device
    /// (the unwrapped key is then cached in the keychain).
    pub const RECOMMENDED: KdfParams = KdfParams {
        algorithm: KdfAlgorithm::Argon2id,
        memory_kib: 64 * 1024,
        passes: 3,
        lanes: 1,
    };

    /// Cheap parameters for tests (64 KiB, 1 pass): the recommended ones take seconds in a
    /// debug build. Never used by the app or the CLI.
    #[cfg(any(test, feature = "testing"))]
    pub const TESTING: KdfParams = KdfParams {
        algorithm: KdfAlgorithm::Argon2id,
        memory_kib: 64,
        passes: 1,
        lanes: 1,
    };

    /// Checks the stored parameters against this build's bounds.
    fn check(&self) -> Result<(), KeyError> {
        if self.memory_kib > MAX_KDF_MEMORY_KIB {
            return Err(KeyError::KdfOutOfRange("memory"));
        }
        if self.passes == 0 || self.passes > MAX_KDF_PASSES {
            return Err(KeyError::KdfOutOfRange("passes"));
        }
        if self.lanes == 0 || self.lanes > MAX_KDF_LANES {
            return Err(KeyError::KdfOutOfRange("lanes"));
        }
        Ok(())
    }

    /// Derives the key-encryption key from `passphrase` and `salt`.
    fn derive(
        &self,
        passphrase: &str,
        salt: &[u8],
    ) -> Result<Zeroizing<[u8; DATA_KEY_BYTES]>, KeyError> {
        self.check()?;
        let params = argon2::Params::new(
            self.memory_kib,
            self.passes,
            self.lanes,
            Some(DATA_KEY_BYTES),
        )?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut kek = Zeroizing::new([0u8; DATA_KEY_BYTES]);
        argon.hash_password_into(passphrase.as_bytes(), salt, kek.as_mut())?;
        Ok(kek)
    }
}

/// The short public name of a data key: sixteen hexadecimal digits of a keyed hash of the
/// key. Batch headers carry it, so a device knows which key a file needs before trying.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    /// Checks that `text` is sixteen lowercase hexadecimal digits.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.len() == KEY_ID_BYTES * 2
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(KeyId(text.to_owned()))
        } else {
            Err(KeyError::Malformed("key id"))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KeyId {
    type Error = KeyError;

    fn try_from(text: String) -> Result<Self, KeyError> {
        KeyId::parse(&text)
    }
}

impl From<KeyId> for String {
    fn from(id: KeyId) -> String {
        id.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The shop's data key, with the subkeys derived from it. Its bytes are wiped when it is
/// dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct DataKey {
    secret: Zeroizing<[u8; DATA_KEY_BYTES]>,
    file_key: Zeroizing<[u8; DATA_KEY_BYTES]>,
    name_key: Zeroizing<[u8; DATA_KEY_BYTES]>,
    id: KeyId,
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl DataKey {
    /// A new random data key, from the operating system's random numbers.
    pub fn generate() -> Result<DataKey, KeyError> {
        let mut secret = Zeroizing::new([0u8; DATA_KEY_BYTES]);
        getrandom::fill(secret.as_mut())?;
        Ok(DataKey::from_bytes(&secret))
    }

    /// The data key whose bytes are `secret` (as cached in the keychain).
    pub fn from_bytes(secret: &[u8; DATA_KEY_BYTES]) -> DataKey {
        let file_key = subkey(secret, LABEL_FILE_KEY);
        let name_key = subkey(secret, LABEL_BLOB_NAME);
        let id_bytes = subkey(secret, LABEL_KEY_ID);
        let id = KeyId(hex::encode(&id_bytes[..KEY_ID_BYTES]));
        DataKey {
            secret: Zeroizing::new(*secret),
            file_key,
            name_key,
            id,
        }
    }

    /// The key's bytes, for the keychain cache only: whoever holds them reads every file.
    pub fn secret_bytes(&self) -> &[u8; DATA_KEY_BYTES] {
        &self.secret
    }

    /// The key's public id.
    pub fn id(&self) -> &KeyId {
        &self.id
    }

    /// The cipher of batch files and blobs.
    pub(crate) fn file_cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&chacha20poly1305::Key::from(*self.file_key))
    }

    /// The name of a blob (an evidence file) with `content`: 64 hexadecimal digits of
    /// HMAC-SHA256 under a subkey of the data key. The same content gets the same name on
    /// every device of the shop (so a blob is uploaded once), while someone who sees the
    /// shared folder cannot tell whether it holds a file whose plain hash they know.
    pub fn blob_name(&self, content: &[u8]) -> String {
        let mut namer = self.blob_namer();
        namer.update(content);
        namer.finish()
    }

    /// A blob name computed piece by piece, for files too large to read at once.
    pub fn blob_namer(&self) -> BlobNamer {
        BlobNamer {
            mac: mac(self.name_key.as_ref()),
        }
    }
}

/// A blob name being computed over a file read in pieces ([`DataKey::blob_namer`]).
pub struct BlobNamer {
    mac: HmacSha256,
}

impl fmt::Debug for BlobNamer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BlobNamer(<keyed>)")
    }
}

impl BlobNamer {
    /// Adds the next piece of the content.
    pub fn update(&mut self, piece: &[u8]) {
        self.mac.update(piece);
    }

    /// The blob's name.
    pub fn finish(self) -> String {
        hex::encode(self.mac.finalize().into_bytes())
    }
}

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` has no failure for HMAC, but the
    // signature is fallible, so fall back to the (unreachable) default rather than panic.
    <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()))
}

fn subkey(secret: &[u8; DATA_KEY_BYTES], label: &[u8]) -> Zeroizing<[u8; DATA_KEY_BYTES]> {
    let mut mac = mac(secret);
    mac.update(label);
    let mut out = Zeroizing::new([0u8; DATA_KEY_BYTES]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

/// The part of `SHOP.json` that holds the shop's key: the data key wrapped by the
/// passphrase, and what is needed to unwrap it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopKeyFile {
    /// The layout's version ([`SHOP_KEY_FORMAT`]).
    pub format: u16,
    /// How the key-encryption key is derived from the passphrase.
    pub kdf: KdfParams,
    /// The salt, hexadecimal.
    pub salt: String,
    /// The nonce and the encrypted data key with its tag, hexadecimal.
    pub wrapped_key: String,
    /// The data key's id.
    pub key_id: KeyId,
    /// The oldest AfterDesk that may write to this shared location.
    pub min_app_version: String,
}

impl ShopKeyFile {
    /// A new random data key, wrapped by `passphrase`: the start of a new shared location.
    pub fn create(
        passphrase: &str,
        kdf: KdfParams,
        min_app_version: &str,
    ) -> Result<(ShopKeyFile, DataKey), KeyError> {
        let key = DataKey::generate()?;
        let file = ShopKeyFile::wrap(&key, passphrase, kdf, min_app_version)?;
        Ok((file, key))
    }

    /// Wraps `key` with `passphrase` under a fresh salt: for a new shop, a new passphrase,
    /// or a new data key after a member leaves.
    pub fn wrap(
        key: &DataKey,
        passphrase: &str,
        kdf: KdfParams,
        min_app_version: &str,
    ) -> Result<ShopKeyFile, KeyError> {
        let chars = passphrase.chars().count();
        if chars < MIN_PASSPHRASE_CHARS {
            return Err(KeyError::PassphraseTooShort {
                min: MIN_PASSPHRASE_CHARS,
            });
        }
        let mut salt = [0u8; SALT_BYTES];
        getrandom::fill(&mut salt)?;
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce)?;
        let kek = kdf.derive(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(*kek));
        let aad = wrap_aad(key.id());
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: key.secret_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| KeyError::Encrypt)?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend_from_slice(&sealed);
        Ok(ShopKeyFile {
            format: SHOP_KEY_FORMAT,
            kdf,
            salt: hex::encode(salt),
            wrapped_key: hex::encode(wrapped),
            key_id: key.id().clone(),
            min_app_version: min_app_version.to_owned(),
        })
    }

    /// Unwraps the data key with `passphrase`; [`KeyError::WrongPassphrase`] when it does
    /// not fit.
    pub fn unlock(&self, passphrase: &str) -> Result<DataKey, KeyError> {
        self.check()?;
        let salt = hex::decode(&self.salt).map_err(|_| KeyError::Malformed("salt"))?;
        if salt.len() != SALT_BYTES {
            return Err(KeyError::Malformed("salt length"));
        }
        let wrapped =
            hex::decode(&self.wrapped_key).map_err(|_| KeyError::Malformed("wrapped key"))?;
        if wrapped.len() != NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES {
            return Err(KeyError::Malformed("wrapped key length"));
        }
        let (nonce, sealed) = wrapped.split_at(NONCE_BYTES);
        let mut nonce_bytes = [0u8; NONCE_BYTES];
        nonce_bytes.copy_from_slice(nonce);
        let kek = self.kdf.derive(passphrase, &salt)?;
        let cipher = XChaCha20Poly1305::new(&chacha20poly1305::Key::from(*kek));
        let aad = wrap_aad(&self.key_id);
        let opened = Zeroizing::new(
            cipher
                .decrypt(
                    &XNonce::from(nonce_bytes),
                    Payload {
                        msg: sealed,
                        aad: &aad,
                    },
                )
                .map_err(|_| KeyError::WrongPassphrase)?,
        );
        let mut secret = Zeroizing::new([0u8; DATA_KEY_BYTES]);
        if opened.len() != DATA_KEY_BYTES {
            return Err(KeyError::Malformed("data key length"));
        }
        secret.copy_from_slice(&opened);
        let key = DataKey::from_bytes(&secret);
        if key.id() != &self.key_id {
            return Err(KeyError::KeyIdMismatch);
        }
        Ok(key)
    }

    /// The same data key wrapped by `new` instead of `old`, under a fresh salt and `kdf`
    /// (which may raise the parameters): the key and its id stay, so nothing already
    /// written needs re-encrypting.
    pub fn change_passphrase(
        &self,
        old: &str,
        new: &str,
        kdf: KdfParams,
    ) -> Result<ShopKeyFile, KeyError> {
        let key = self.unlock(old)?;
        ShopKeyFile::wrap(&key, new, kdf, &self.min_app_version)
    }

    /// Reads `SHOP.json`'s key part, refusing a file past [`MAX_SHOP_FILE_BYTES`], a newer
    /// format and parameters beyond this build's bounds before anything is derived.
    pub fn from_json(bytes: &[u8]) -> Result<ShopKeyFile, KeyError> {
        if bytes.len() > MAX_SHOP_FILE_BYTES {
            return Err(KeyError::TooLarge {
                size: bytes.len(),
                max: MAX_SHOP_FILE_BYTES,
            });
        }
        let file: ShopKeyFile = serde_json::from_slice(bytes)?;
        file.check()?;
        Ok(file)
    }

    /// The JSON written to `SHOP.json`.
    pub fn to_json(&self) -> Result<Vec<u8>, KeyError> {
        Ok(serde_json::to_vec_pretty(self)?)
    }

    fn check(&self) -> Result<(), KeyError> {
        if self.format > SHOP_KEY_FORMAT {
            return Err(KeyError::NewerFormat {
                found: self.format,
                supported: SHOP_KEY_FORMAT,
            });
        }
        if self.format == 0 {
            return Err(KeyError::Malformed("format 0"));
        }
        self.kdf.check()
    }
}

fn wrap_aad(id: &KeyId) -> Vec<u8> {
    let mut aad = WRAP_CONTEXT.to_vec();
    aad.extend_from_slice(id.as_str().as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const PASS: &str = "店铺口令 correct horse";

    fn shop() -> (ShopKeyFile, DataKey) {
        ShopKeyFile::create(PASS, KdfParams::TESTING, "0.1.0").unwrap()
    }

    #[test]
    fn the_passphrase_unlocks_the_data_key_and_a_wrong_one_is_refused() {
        let (file, key) = shop();
        let cases = [
            (PASS, true),
            ("店铺口令 correct horsE", false),
            ("", false),
            ("店铺口令 correct horse ", false),
        ];
        for (passphrase, fits) in cases {
            match file.unlock(passphrase) {
                Ok(unlocked) => {
                    assert!(fits, "only the passphrase unlocks: {passphrase:?}");
                    assert_eq!(
                        unlocked.secret_bytes(),
                        key.secret_bytes(),
                        "unlocking gives back the data key"
                    );
                }
                Err(error) => {
                    assert!(!fits, "the passphrase unlocks: {error}");
                    assert!(
                        matches!(error, KeyError::WrongPassphrase),
                        "a wrong passphrase is WrongPassphrase, not {error:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn changing_the_passphrase_rewraps_the_same_key() {
        let (file, key) = shop();
        let changed = file
            .change_passphrase(PASS, "新的口令 battery staple", KdfParams::TESTING)
            .unwrap();
        assert_eq!(changed.key_id, file.key_id, "the key id stays");
        assert_ne!(changed.salt, file.salt, "a new salt is drawn");
        let unlocked = changed.unlock("新的口令 battery staple").unwrap();
        assert_eq!(
            unlocked.secret_bytes(),
            key.secret_bytes(),
            "the data key stays"
        );
        assert!(
            matches!(changed.unlock(PASS), Err(KeyError::WrongPassphrase)),
            "the old passphrase no longer unlocks"
        );
        assert!(
            matches!(
                file.change_passphrase("not the passphrase", "whatever long", KdfParams::TESTING),
                Err(KeyError::WrongPassphrase)
            ),
            "changing needs the current passphrase"
        );
    }

    #[test]
    fn shop_key_file_round_trips_and_bad_files_are_typed_errors() {
        let (file, _) = shop();
        let json = file.to_json().unwrap();
        assert_eq!(
            ShopKeyFile::from_json(&json).unwrap(),
            file,
            "SHOP.json round-trips"
        );

        let tamper = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut value: serde_json::Value = serde_json::from_slice(&json).unwrap();
            edit(&mut value);
            serde_json::to_vec(&value).unwrap()
        };
        let newer = tamper(&|v| v["format"] = 2.into());
        let huge_memory = tamper(&|v| v["kdf"]["memory_kib"] = (MAX_KDF_MEMORY_KIB + 1).into());
        let bad_id = tamper(&|v| v["key_id"] = "XYZ".into());
        let too_large = vec![b' '; MAX_SHOP_FILE_BYTES + 1];
        let cases: [(&[u8], &str); 4] = [
            (&newer, "newer"),
            (&huge_memory, "kdf"),
            (&bad_id, "json"),
            (&too_large, "too large"),
        ];
        for (bytes, expected) in cases {
            let error = ShopKeyFile::from_json(bytes).unwrap_err();
            let kind = match error {
                KeyError::NewerFormat {
                    found: 2,
                    supported: 1,
                } => "newer",
                KeyError::KdfOutOfRange(_) => "kdf",
                KeyError::Json(_) => "json",
                KeyError::TooLarge { .. } => "too large",
                _ => "other",
            };
            assert_eq!(
                kind, expected,
                "a bad SHOP.json is refused as {expected}: {error}"
            );
        }

        let mut swapped = file.clone();
        let (other, _) = shop();
        swapped.key_id = other.key_id;
        assert!(
            matches!(swapped.unlock(PASS), Err(KeyError::WrongPassphrase)),
            "the wrapped key is bound to its key id"
        );
    }

    #[test]
    fn short_passphrases_are_refused() {
        assert!(
            matches!(
                ShopKeyFile::create("1234567", KdfParams::TESTING, "0.1.0"),
                Err(KeyError::PassphraseTooShort {
                    min: MIN_PASSPHRASE_CHARS
                })
            ),
            "a new passphrase needs {MIN_PASSPHRASE_CHARS} characters"
        );
        assert!(
            ShopKeyFile::create("八个汉字的口令呀", KdfParams::TESTING, "0.1.0").is_ok(),
            "characters are counted, not bytes"
        );
    }

    #[test]
    fn blob_names_are_keyed_and_never_the_plain_hash() {
        let a = DataKey::from_bytes(&[1; DATA_KEY_BYTES]);
        let b = DataKey::from_bytes(&[2; DATA_KEY_BYTES]);
        let content = b"unboxing video bytes";
        let plain = hex::encode(<Sha256 as sha2::Digest>::digest(content));
        let name = a.blob_name(content);
        assert_eq!(name, a.blob_name(content), "one content, one name");
        assert_eq!(name.len(), 64, "a blob name is 64 hexadecimal digits");
        assert_ne!(name, plain, "a blob name is not the content's SHA-256");
        assert_ne!(
            name,
            b.blob_name(content),
            "another shop's key names it differently"
        );
        let mut namer = a.blob_namer();
        for piece in content.chunks(5) {
            namer.update(piece);
        }
        assert_eq!(namer.finish(), name, "naming in pieces gives the same name");
    }

    #[test]
    fn debug_output_never_shows_a_key() {
        let key = DataKey::from_bytes(&[0xab; DATA_KEY_BYTES]);
        let shown = format!("{key:?} {:?}", key.blob_namer());
        assert!(
            !shown.contains("ab, ab") && !shown.contains("abab") && !shown.contains("171"),
            "no key bytes in {shown}"
        );
        assert!(shown.contains(key.id().as_str()), "the key id is shown");
    }

    #[test]
    fn recommended_parameters_meet_the_design() {
        let p = KdfParams::RECOMMENDED;
        assert!(p.memory_kib >= 64 * 1024, "at least 64 MiB");
        assert_eq!((p.passes, p.lanes), (3, 1), "three passes, one lane");
        assert!(
            p.check().is_ok(),
            "the recommended parameters are within bounds"
        );
    }
}

#[cfg(test)]
mod recommended {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_recommended_parameters_wrap_and_unwrap() {
        let (file, key) =
            ShopKeyFile::create("店铺口令 correct horse", KdfParams::RECOMMENDED, "0.1.0").unwrap();
        assert_eq!(
            file.kdf,
            KdfParams::RECOMMENDED,
            "the parameters are stored"
        );
        let unlocked = file.unlock("店铺口令 correct horse").unwrap();
        assert_eq!(unlocked.id(), key.id(), "the real parameters round-trip");
    }
}
