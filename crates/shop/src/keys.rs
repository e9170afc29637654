//! The shop's keys (the AI polish's, the parcel provider's) in this computer's keychain,
//! and the settings that name them.
//!
//! Keychain calls block (on Linux they are D-Bus round trips to the Secret Service, which
//! may even wait for the user to unlock it), so they run on a blocking thread, never on
//! the async executor. The shop's lock is held only to read what a case knows about the
//! buyer, never during an HTTP call: an endpoint that takes thirty seconds to answer must
//! not freeze every other screen.

use crate::{Shop, ShopError};
use afterdesk_desk::{PolishConfigView, PolishSettingsView, PolishedView, TrackingSettings};
use afterdesk_polish::{KnownPii, PolishError, Polisher};
use afterdesk_secret::{Secret, SecretError, account};
use serde::Serialize;

/// The tracking settings and whether the chosen provider's key is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrackingSettingsView {
    /// The settings (no key).
    pub settings: TrackingSettings,
    /// Whether the provider's key is saved.
    pub has_key: bool,
    /// Why the keychain could not be asked, if it could not.
    pub keychain_error: Option<String>,
}

impl Shop {
    /// Runs a call on the secret `account` on a blocking thread.
    pub async fn on_keychain<T: Send + 'static>(
        &self,
        account: &'static str,
        call: impl FnOnce(&Secret) -> Result<T, SecretError> + Send + 'static,
    ) -> Result<T, ShopError> {
        let secret = self.inner.keychain.secret(account);
        tokio::task::spawn_blocking(move || call(&secret))
            .await
            // The keychain library panicked (a broken D-Bus answer): the app carries on
            // and says the keychain is not usable, which is what it means for the agent.
            .map_err(|e| ShopError::Interrupted {
                what: "访问系统钥匙串",
                detail: e.to_string(),
            })?
            .map_err(ShopError::from)
    }

    /// The AI polish settings card: the settings of the open shop and whether this
    /// computer's keychain holds a key. A keychain that cannot be asked is reported in the
    /// view rather than failing it, so the card still shows.
    pub async fn polish_settings(&self) -> PolishSettingsView {
        let (has_key, key_error) = match self
            .on_keychain(account::POLISH_API_KEY, Secret::find)
            .await
        {
            Ok(found) => (found.is_some(), None),
            Err(e) => (false, Some(e.to_string())),
        };
        PolishSettingsView::new(&self.db_path(), has_key, key_error)
    }

    /// Whether the open shop turned the AI polish on, from the settings file alone: the
    /// keychain is not asked, because a locked one may prompt for its password, and
    /// opening a case must never do that. A broken settings file means "off" here (the
    /// settings card shows why).
    pub fn polish_enabled(&self) -> bool {
        afterdesk_desk::load_polish_settings(&self.db_path()).is_ok_and(|s| s.enabled)
    }

    /// Saves the AI polish settings beside the shop database (never the key).
    pub async fn save_polish_settings(
        &self,
        settings: PolishConfigView,
    ) -> Result<PolishSettingsView, ShopError> {
        afterdesk_desk::save_polish_settings(&self.db_path(), &settings.into())?;
        Ok(self.polish_settings().await)
    }

    /// Stores the polish's API key in this computer's keychain, replacing any earlier one.
    pub async fn set_polish_key(&self, key: String) -> Result<PolishSettingsView, ShopError> {
        self.on_keychain(account::POLISH_API_KEY, move |secret| secret.set(&key))
            .await?;
        Ok(self.polish_settings().await)
    }

    /// Removes the polish's API key from this computer's keychain (none is not an error).
    pub async fn delete_polish_key(&self) -> Result<PolishSettingsView, ShopError> {
        self.on_keychain(account::POLISH_API_KEY, Secret::delete)
            .await?;
        Ok(self.polish_settings().await)
    }

    /// Polishes `text` for the case `key` (empty: no case, only the patterns remove data)
    /// through the shop's endpoint: the buyer's data is removed first, and a text that
    /// changed a fact is refused.
    pub async fn polish(&self, key: &str, text: &str) -> Result<PolishedView, ShopError> {
        let settings = afterdesk_desk::load_polish_settings(&self.db_path())?;
        // Turned off, the keychain is not even asked (it may prompt to be unlocked).
        if !settings.enabled {
            return Err(PolishError::Disabled.into());
        }
        let api_key = self
            .on_keychain(account::POLISH_API_KEY, Secret::find)
            .await?;
        let polisher = Polisher::new(&settings, api_key.as_deref())?;
        // The lock is held for this read only and released before the request goes out.
        let known = if key.trim().is_empty() {
            KnownPii::default()
        } else {
            self.with_store(|store| {
                Ok::<_, ShopError>(afterdesk_desk::case_known_pii(store, key)?)
            })?
        };
        Ok(polisher.polish(text, &known).await?.into())
    }

    /// The tracking settings and whether the chosen provider's key is saved.
    pub async fn tracking_settings(&self) -> Result<TrackingSettingsView, ShopError> {
        let settings = afterdesk_desk::load_tracking_settings(&self.db_path())?;
        let (has_key, keychain_error) = match settings.key_account() {
            None => (false, None),
            Some(account) => match self.on_keychain(account, Secret::find).await {
                Ok(key) => (key.is_some(), None),
                Err(e) => (false, Some(e.to_string())),
            },
        };
        Ok(TrackingSettingsView {
            settings,
            has_key,
            keychain_error,
        })
    }

    /// Saves the shop's tracking settings and, when given, the provider's key (into the
    /// keychain, never the settings file).
    pub async fn save_tracking_settings(
        &self,
        settings: TrackingSettings,
        key: Option<String>,
    ) -> Result<TrackingSettingsView, ShopError> {
        afterdesk_desk::save_tracking_settings(&self.db_path(), &settings)?;
        if let (Some(account), Some(key)) =
            (settings.key_account(), key.filter(|k| !k.trim().is_empty()))
        {
            self.on_keychain(account, move |secret| secret.set(key.trim()))
                .await?;
        }
        self.tracking_settings().await
    }

    /// Deletes the chosen provider's key from the keychain.
    pub async fn delete_tracking_key(&self) -> Result<TrackingSettingsView, ShopError> {
        let settings = afterdesk_desk::load_tracking_settings(&self.db_path())?;
        if let Some(account) = settings.key_account() {
            self.on_keychain(account, Secret::delete).await?;
        }
        self.tracking_settings().await
    }
}
