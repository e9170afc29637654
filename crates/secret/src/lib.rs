//! Secrets the shop configures (API keys of the AI polish endpoint and the parcel
//! tracking providers), kept in the operating system's keychain: the Windows Credential
//! Manager, the macOS keychain, or the Linux desktop's Secret Service.
//!
//! A key never goes into the shop database nor into a settings file: the database may sit
//! in a synced folder and is copied into backups, and a settings file is easy to share by
//! mistake. The keychain keeps the key per computer and per user account, so every
//! computer of the shop stores its own copy.
//!
//! Tests and scripts use a [`Keychain::Memory`] instead, which lives as long as the
//! process; [`Keychain::from_env`] picks it when `AFTERDESK_KEYCHAIN=memory`, so the CLI's
//! own tests never touch the real keychain.
//!
//! The system keychain calls block (on Linux they are D-Bus round trips): the app calls
//! them from a blocking task, never on its async executor.
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Whether a secret (an API key, or a query signed with one) may be sent to `url`: over
/// `https` anywhere, over plain `http` only to this computer (`localhost`, 127.0.0.0/8,
/// `::1`), where nothing crosses a network. A local model server or the tests' fake
/// providers often speak only http; any other host would see the key in the clear. The AI
/// polish and the parcel providers both check their addresses and every redirect with it.
pub fn secure_transport(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// The service name every AfterDesk secret is filed under in the keychain, so that the
/// user recognises them in the system's keychain viewer.
pub const SERVICE: &str = "AfterDesk";

/// The environment variable that selects the keychain of [`Keychain::from_env`].
pub const KEYCHAIN_ENV: &str = "AFTERDESK_KEYCHAIN";

/// The account names of AfterDesk's secrets: `<feature>.<what>`.
pub mod account {
    /// The API key of the OpenAI-compatible endpoint used by the AI polish.
    pub const POLISH_API_KEY: &str = "polish.api_key";
    /// The key of the 快递100 parcel tracking API.
    pub const KUAIDI100_KEY: &str = "kuaidi100.key";
    /// The customer number (`customer`) of the 快递100 API, which goes with its key.
    pub const KUAIDI100_CUSTOMER: &str = "kuaidi100.customer";
    /// The API key of the 快递鸟 parcel tracking API.
    pub const KDNIAO_KEY: &str = "kdniao.key";
}

/// Where secrets are kept.
#[derive(Debug, Clone, Default)]
pub enum Keychain {
    /// The operating system's keychain.
    #[default]
    System,
    /// A keychain in this process's memory, for tests and scripts: nothing is written
    /// anywhere and everything is gone when the process ends.
    Memory(MemoryKeychain),
}

impl Keychain {
    /// An empty in-memory keychain.
    pub fn memory() -> Self {
        Keychain::Memory(MemoryKeychain::default())
    }

    /// The keychain chosen by `AFTERDESK_KEYCHAIN`: `memory` gives an empty in-memory
    /// keychain, anything else (or nothing) the system keychain.
    pub fn from_env() -> Self {
        match std::env::var(KEYCHAIN_ENV) {
            Ok(v) if v.trim().eq_ignore_ascii_case("memory") => Keychain::memory(),
            _ => Keychain::System,
        }
    }

    /// The secret `account` of AfterDesk's [`SERVICE`] in this keychain.
    pub fn secret(&self, account: &str) -> Secret {
        Secret::new(SERVICE, account, self.clone())
    }
}

/// An in-memory keychain; clones share the same entries.
#[derive(Clone, Default)]
pub struct MemoryKeychain {
    entries: Arc<Mutex<BTreeMap<(String, String), String>>>,
}

// Only which secrets are stored is shown, never their values: Debug output reaches logs,
// and the app keeps its keychain in state that may be printed.
impl std::fmt::Debug for MemoryKeychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let stored: Vec<String> = self.with(|e| {
            e.keys()
                .map(|(service, account)| format!("{service}/{account}"))
                .collect()
        });
        f.debug_struct("MemoryKeychain")
            .field("stored", &stored)
            .finish()
    }
}

impl MemoryKeychain {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<(String, String), String>) -> T) -> T {
        // A panic while the lock was held cannot leave the map half-updated (every
        // operation is a single insert, get or remove), so a poisoned lock is still usable.
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut entries)
    }
}

/// One secret: a service and an account in a keychain. It holds no value itself; each call
/// asks the keychain, so a key changed elsewhere is seen at once.
#[derive(Debug, Clone)]
pub struct Secret {
    service: String,
    account: String,
    keychain: Keychain,
}

impl Secret {
    /// The secret `account` of `service` in `keychain`.
    pub fn new(service: &str, account: &str, keychain: Keychain) -> Self {
        Secret {
            service: service.to_owned(),
            account: account.to_owned(),
            keychain,
        }
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The account name.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The stored value; [`SecretError::Missing`] if there is none.
    pub fn get(&self) -> Result<String, SecretError> {
        self.find()?.ok_or_else(|| SecretError::Missing {
            service: self.service.clone(),
            account: self.account.clone(),
        })
    }

    /// The stored value, or `None` if there is none.
    pub fn find(&self) -> Result<Option<String>, SecretError> {
        match &self.keychain {
            Keychain::Memory(m) => Ok(m.with(|e| {
                e.get(&(self.service.clone(), self.account.clone()))
                    .cloned()
            })),
            Keychain::System => match self.entry()?.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(self.error(e)),
            },
        }
    }

    /// Stores `value` (surrounding white space removed: a key pasted from a web page
    /// often carries a line break), replacing any earlier one.
    pub fn set(&self, value: &str) -> Result<(), SecretError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(SecretError::Empty {
                account: self.account.clone(),
            });
        }
        match &self.keychain {
            Keychain::Memory(m) => {
                m.with(|e| {
                    e.insert(
                        (self.service.clone(), self.account.clone()),
                        value.to_owned(),
                    )
                });
                Ok(())
            }
            Keychain::System => self.entry()?.set_password(value).map_err(|e| self.error(e)),
        }
    }

    /// Removes the secret. `false` if there was none, which is not an error: the user
    /// wanted it gone and it is.
    pub fn delete(&self) -> Result<bool, SecretError> {
        match &self.keychain {
            Keychain::Memory(m) => Ok(m.with(|e| {
                e.remove(&(self.service.clone(), self.account.clone()))
                    .is_some()
            })),
            Keychain::System => match self.entry()?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(self.error(e)),
            },
        }
    }

    fn entry(&self) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &self.account).map_err(|e| self.error(e))
    }

    fn error(&self, source: keyring::Error) -> SecretError {
        let account = self.account.clone();
        match source {
            keyring::Error::NoEntry => SecretError::Missing {
                service: self.service.clone(),
                account,
            },
            keyring::Error::BadEncoding(_)
            | keyring::Error::TooLong(..)
            | keyring::Error::Invalid(..)
            | keyring::Error::Ambiguous(_) => SecretError::Unreadable { account, source },
            _ => SecretError::Unavailable { account, source },
        }
    }
}

/// What went wrong with a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// Nothing is stored under this name.
    #[error("钥匙串里没有 {account}（{service}），请先保存")]
    Missing {
        /// The service name.
        service: String,
        /// The account name.
        account: String,
    },
    /// The keychain could not be reached: locked, no Secret Service running, access
    /// denied.
    #[error("无法访问系统钥匙串（{account}）：{source}")]
    Unavailable {
        /// The account name.
        account: String,
        /// What the keychain said.
        #[source]
        source: keyring::Error,
    },
    /// The keychain answered with something unusable: not UTF-8, too long, several
    /// entries for one name.
    #[error("钥匙串里的 {account} 无法读取或保存：{source}")]
    Unreadable {
        /// The account name.
        account: String,
        /// What the keychain said.
        #[source]
        source: keyring::Error,
    },
    /// An empty value was given to [`Secret::set`].
    #[error("{account} 不能为空")]
    Empty {
        /// The account name.
        account: String,
    },
}

impl SecretError {
    /// A stable code for the app's `{code, message}` errors.
    pub fn code(&self) -> &'static str {
        match self {
            SecretError::Missing { .. } => "secret_missing",
            SecretError::Unavailable { .. } => "keychain_unavailable",
            SecretError::Unreadable { .. } => "secret_unreadable",
            SecretError::Empty { .. } => "secret_empty",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::error::Error as _;

    #[test]
    fn memory_keychain_round_trips_and_clones_share_entries() {
        let keychain = Keychain::memory();
        let secret = keychain.secret(account::POLISH_API_KEY);
        assert!(
            secret.find().unwrap().is_none(),
            "a fresh keychain must be empty"
        );
        secret.set("  sk-test-123\n").unwrap();
        let again = keychain.clone().secret(account::POLISH_API_KEY);
        assert_eq!(
            again.get().unwrap(),
            "sk-test-123",
            "a clone of the keychain must see the stored, trimmed key"
        );
        assert_eq!(again.service(), SERVICE);
        assert!(
            keychain
                .secret(account::KUAIDI100_KEY)
                .find()
                .unwrap()
                .is_none(),
            "accounts must not share values"
        );
        assert!(
            secret.delete().unwrap(),
            "delete must report it removed one"
        );
        assert!(!secret.delete().unwrap(), "a second delete finds nothing");
        assert!(matches!(secret.get(), Err(SecretError::Missing { .. })));
    }

    #[test]
    fn debug_output_never_shows_a_stored_value() {
        let keychain = Keychain::memory();
        let secret = keychain.secret(account::POLISH_API_KEY);
        secret.set("sk-never-in-logs-42").unwrap();
        for shown in [
            format!("{keychain:?}"),
            format!("{keychain:#?}"),
            format!("{secret:?}"),
        ] {
            assert!(
                !shown.contains("sk-never-in-logs-42"),
                "a key must never reach a log: {shown}"
            );
            assert!(
                shown.contains(account::POLISH_API_KEY),
                "which accounts are stored stays visible: {shown}"
            );
        }
    }

    #[test]
    fn separate_memory_keychains_are_separate() {
        Keychain::memory().secret("a").set("1").unwrap();
        assert!(Keychain::memory().secret("a").find().unwrap().is_none());
    }

    #[test]
    fn an_empty_key_is_refused() {
        let err = Keychain::memory()
            .secret(account::POLISH_API_KEY)
            .set(" \n")
            .unwrap_err();
        assert_eq!(err.code(), "secret_empty");
        assert!(err.to_string().contains("不能为空"), "{err}");
    }

    #[rstest]
    #[case::no_entry(keyring::Error::NoEntry, "secret_missing", "钥匙串里没有")]
    #[case::no_access(
        keyring::Error::NoStorageAccess("locked".into()),
        "keychain_unavailable",
        "无法访问系统钥匙串"
    )]
    #[case::platform(
        keyring::Error::PlatformFailure("dbus down".into()),
        "keychain_unavailable",
        "无法访问系统钥匙串"
    )]
    #[case::encoding(keyring::Error::BadEncoding(vec![0xff]), "secret_unreadable", "无法读取")]
    fn keyring_errors_map_to_plain_chinese(
        #[case] source: keyring::Error,
        #[case] code: &str,
        #[case] words: &str,
    ) {
        let secret = Secret::new(SERVICE, account::KDNIAO_KEY, Keychain::System);
        let keeps_source = !matches!(source, keyring::Error::NoEntry);
        let err = secret.error(source);
        assert_eq!(err.code(), code, "error code of {err:?}");
        let text = err.to_string();
        assert!(
            text.contains(words) && text.contains(account::KDNIAO_KEY),
            "the message must say what failed and for which account: {text}"
        );
        assert_eq!(
            err.source().is_some(),
            keeps_source,
            "the keychain's own error must stay reachable as the source"
        );
    }

    #[test]
    fn keyring_mock_errors_surface_through_the_same_mapping() {
        // keyring's own mock store fails the way a locked keychain does.
        let mock = keyring::mock::MockCredential::default();
        mock.set_error(keyring::Error::NoStorageAccess("locked".into()));
        let entry = keyring::Entry::new_with_credential(Box::new(mock));
        let source = entry.get_password().unwrap_err();
        let err = Secret::new(SERVICE, account::POLISH_API_KEY, Keychain::System).error(source);
        assert_eq!(err.code(), "keychain_unavailable");
    }
}
