//! The identity of a device as sync sees it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest device id sync accepts, in bytes.
///
/// AfterDesk's device ids are hyphenated UUIDs (36 bytes); the bound leaves room for a
/// differently made id while keeping every header field and file name short.
pub const MAX_DEVICE_BYTES: usize = 64;

/// One installation of AfterDesk: the author of a series of batch files and the tie-break
/// of equal clock readings.
///
/// The id becomes a folder name (`log/<device>/`) and a part of every stamp, so it is
/// limited to ASCII letters, digits, `-` and `_`: such a name is the same folder on
/// Windows, macOS and every sync client, and never escapes its parent folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Device(String);

/// Why a text is not a device id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The id is empty.
    #[error("a device id cannot be empty")]
    Empty,
    /// The id is longer than [`MAX_DEVICE_BYTES`].
    #[error("a device id has at most {max} characters, this one has {len}")]
    TooLong {
        /// The id's length in bytes.
        len: usize,
        /// [`MAX_DEVICE_BYTES`].
        max: usize,
    },
    /// The id holds a character other than ASCII letters, digits, `-` and `_`.
    #[error("a device id holds only ASCII letters, digits, '-' and '_'")]
    BadCharacter,
}

impl Device {
    /// Checks `text` and makes it a device id.
    pub fn parse(text: &str) -> Result<Self, DeviceError> {
        if text.is_empty() {
            return Err(DeviceError::Empty);
        }
        if text.len() > MAX_DEVICE_BYTES {
            return Err(DeviceError::TooLong {
                len: text.len(),
                max: MAX_DEVICE_BYTES,
            });
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(DeviceError::BadCharacter);
        }
        Ok(Device(text.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Device {
    type Error = DeviceError;

    fn try_from(text: String) -> Result<Self, DeviceError> {
        Device::parse(&text)
    }
}

impl From<Device> for String {
    fn from(device: Device) -> String {
        device.0
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn device_ids_are_safe_folder_names() {
        let cases: &[(&str, Result<(), DeviceError>)] = &[
            ("0192d3f4-a5b6-7c8d-9e0f-112233445566", Ok(())),
            ("dev_1", Ok(())),
            ("", Err(DeviceError::Empty)),
            ("../etc", Err(DeviceError::BadCharacter)),
            ("a/b", Err(DeviceError::BadCharacter)),
            ("柜台", Err(DeviceError::BadCharacter)),
            ("a b", Err(DeviceError::BadCharacter)),
            (
                &"x".repeat(65),
                Err(DeviceError::TooLong { len: 65, max: 64 }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(
                Device::parse(text).map(|_| ()),
                *expected,
                "a device id is a short ASCII folder name: {text:?}"
            );
        }
    }
}
