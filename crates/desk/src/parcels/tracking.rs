//! Which tracking provider the shop uses (docs/parcels.md): the settings file beside the
//! shop database, without keys. Keys live in the operating system's keychain
//! (`afterdesk-secret`); the app reads them at the edge and hands them to
//! [`provider_settings`].

use crate::DeskError;
use crate::RefreshScope;
use afterdesk_parcel::{
    HttpSettings, KdniaoSettings, Kuaidi100Settings, ProviderSettings, RefreshPolicy, Tracker,
};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The settings file beside the shop database. It may sit in a synced folder, which is
/// why it never holds a key.
pub const TRACKING_FILE: &str = "tracking.json";

/// The shop's tracking settings, as the settings screen edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct TrackingSettings {
    /// `manual`, `kuaidi100` or `kdniao`.
    pub provider: String,
    /// 快递100's `customer` id.
    pub kuaidi100_customer: String,
    /// 快递100's query address, when not the public one (tests, proxies).
    pub kuaidi100_url: Option<String>,
    /// 快递鸟's `EBusinessID`.
    pub kdniao_business_id: String,
    /// 快递鸟's query address, when not the public one.
    pub kdniao_url: Option<String>,
    /// At most this many queries at once.
    pub concurrency: u32,
    /// Whether the app refreshes open cases' parcels by itself.
    pub auto_refresh: bool,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        TrackingSettings {
            provider: "manual".to_owned(),
            kuaidi100_customer: String::new(),
            kuaidi100_url: None,
            kdniao_business_id: String::new(),
            kdniao_url: None,
            concurrency: u32::try_from(afterdesk_parcel::DEFAULT_CONCURRENCY).unwrap_or(4),
            auto_refresh: true,
        }
    }
}

impl TrackingSettings {
    /// The keychain account holding this provider's key, if it needs one.
    pub fn key_account(&self) -> Option<&'static str> {
        match self.provider.as_str() {
            "kuaidi100" => Some(afterdesk_secret::account::KUAIDI100_KEY),
            "kdniao" => Some(afterdesk_secret::account::KDNIAO_KEY),
            _ => None,
        }
    }
}

/// The tracking settings file of the shop at `db`.
pub fn tracking_settings_path(db: &Path) -> PathBuf {
    crate::shops::settings_file::shop_folder(db).join(TRACKING_FILE)
}

/// The shop's tracking settings; manual tracking when it has no file.
pub fn load_tracking_settings(db: &Path) -> Result<TrackingSettings, DeskError> {
    crate::shops::settings_file::read_json(tracking_settings_path(db))
}

/// Saves the shop's tracking settings (written to a temporary file and renamed, so a
/// crash never leaves half a file).
pub fn save_tracking_settings(db: &Path, settings: &TrackingSettings) -> Result<(), DeskError> {
    check(settings)?;
    crate::shops::settings_file::write_json(&tracking_settings_path(db), settings)
}

fn check(settings: &TrackingSettings) -> Result<(), DeskError> {
    // An address is checked when it is saved, not at the first refresh: a typo, or plain
    // http to another computer (the key would travel in the clear), is refused while the
    // person configuring it is looking.
    for (url, provider) in [
        (&settings.kuaidi100_url, "快递100"),
        (&settings.kdniao_url, "快递鸟"),
    ] {
        if let Some(url) = url.as_deref().filter(|u| !u.trim().is_empty()) {
            afterdesk_parcel::provider_url(url, provider)?;
        }
    }
    match settings.provider.as_str() {
        "manual" => Ok(()),
        "kuaidi100" if settings.kuaidi100_customer.trim().is_empty() => Err(DeskError::Invalid(
            "请填写快递100的 customer（授权码）".to_owned(),
        )),
        "kdniao" if settings.kdniao_business_id.trim().is_empty() => Err(DeskError::Invalid(
            "请填写快递鸟的商户 ID（EBusinessID）".to_owned(),
        )),
        "kuaidi100" | "kdniao" => Ok(()),
        other => Err(DeskError::Invalid(format!(
            "未知的物流查询接口“{other}”，可选：manual、kuaidi100、kdniao"
        ))),
    }
}

/// The provider the settings and the key (read from the keychain by the caller) name.
/// A provider without its key falls back to manual tracking and says so, rather than
/// failing every parcel's query.
pub fn provider_settings(
    settings: &TrackingSettings,
    key: Option<String>,
) -> Result<ProviderSettings, DeskError> {
    check(settings)?;
    let url = |u: &Option<String>| {
        u.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let key = key.filter(|k| !k.trim().is_empty());
    Ok(match (settings.provider.as_str(), key) {
        ("kuaidi100", Some(key)) => ProviderSettings::Kuaidi100(Kuaidi100Settings {
            customer: settings.kuaidi100_customer.trim().to_owned(),
            key,
            url: url(&settings.kuaidi100_url),
        }),
        ("kdniao", Some(key)) => ProviderSettings::Kdniao(KdniaoSettings {
            business_id: settings.kdniao_business_id.trim().to_owned(),
            app_key: key,
            url: url(&settings.kdniao_url),
        }),
        ("manual", _) => ProviderSettings::Manual,
        (provider, None) => {
            return Err(DeskError::Invalid(format!(
                "已选择{}查询物流，但系统钥匙串里还没有它的密钥；请在 设置 → 物流查询 里保存密钥",
                if provider == "kdniao" {
                    "快递鸟"
                } else {
                    "快递100"
                }
            )));
        }
        _ => ProviderSettings::Manual,
    })
}

/// The tracker and the refresh policy for a refresh of `scope` with the shop's settings
/// and key: at most the shop's number of queries at once, and parcels inside their
/// backoff left alone by a refresh of everything (an agent's refresh of one case asks
/// anyway; the provider's rate limits still hold).
pub fn refresh_setup(
    settings: &TrackingSettings,
    key: Option<String>,
    scope: &RefreshScope,
) -> Result<(Box<dyn Tracker>, RefreshPolicy), DeskError> {
    let provider = provider_settings(settings, key)?;
    let tracker = afterdesk_parcel::tracker(&provider, &HttpSettings::default())?;
    let policy = RefreshPolicy {
        concurrency: usize::try_from(settings.concurrency.max(1)).unwrap_or(1),
        honour_backoff: *scope == RefreshScope::All,
        ..RefreshPolicy::default()
    };
    Ok((tracker, policy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn settings_round_trip_beside_the_shop_and_never_hold_a_key() {
        let dir = tempfile::tempdir().ok();
        let Some(dir) = dir else { panic!("temp dir") };
        let db = dir.path().join("shop.sqlite");
        let loaded = load_tracking_settings(&db).ok();
        assert_eq!(
            loaded,
            Some(TrackingSettings::default()),
            "no file means manual"
        );
        let settings = TrackingSettings {
            provider: "kuaidi100".to_owned(),
            kuaidi100_customer: "CUST".to_owned(),
            ..TrackingSettings::default()
        };
        assert!(save_tracking_settings(&db, &settings).is_ok());
        assert_eq!(load_tracking_settings(&db).ok(), Some(settings));
        let text = std::fs::read_to_string(tracking_settings_path(&db)).unwrap_or_default();
        assert!(
            !text.to_lowercase().contains("\"key\""),
            "the file has no key field: {text}"
        );
    }

    #[rstest]
    #[case("kuaidi100", "", None, "customer")]
    #[case("kdniao", "", None, "EBusinessID")]
    #[case("ems", "", None, "未知")]
    #[case("kuaidi100", "CUST", None, "钥匙串")]
    fn bad_settings_are_refused_plainly(
        #[case] provider: &str,
        #[case] id: &str,
        #[case] key: Option<String>,
        #[case] want: &str,
    ) {
        let settings = TrackingSettings {
            provider: provider.to_owned(),
            kuaidi100_customer: id.to_owned(),
            kdniao_business_id: id.to_owned(),
            ..TrackingSettings::default()
        };
        let err = provider_settings(&settings, key)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(want)),
            "settings must be refused naming “{want}”, got {err:?}"
        );
    }

    /// A provider address is checked when the settings are saved: plain http only to this
    /// computer, https otherwise, and nothing is written when refused.
    #[rstest]
    #[case::k100_remote_http(
        "kuaidi100",
        "http://poll.kuaidi100.com/poll/query.do",
        Some("track_insecure_url")
    )]
    #[case::kdn_remote_http(
        "kdniao",
        "http://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx",
        Some("track_insecure_url")
    )]
    #[case::not_a_url("kuaidi100", "poll.kuaidi100.com", Some("track_settings"))]
    #[case::k100_https("kuaidi100", "https://poll.kuaidi100.com/poll/query.do", None)]
    #[case::kdn_loopback("kdniao", "http://127.0.0.1:8080/q", None)]
    #[case::blank_means_default("kuaidi100", " ", None)]
    fn provider_addresses_are_checked_when_saved(
        #[case] provider: &str,
        #[case] url: &str,
        #[case] refused: Option<&str>,
    ) {
        let Some(dir) = tempfile::tempdir().ok() else {
            panic!("temp dir")
        };
        let db = dir.path().join("shop.sqlite");
        let settings = TrackingSettings {
            provider: provider.to_owned(),
            kuaidi100_customer: "CUST".to_owned(),
            kuaidi100_url: Some(url.to_owned()),
            kdniao_business_id: "1234567".to_owned(),
            kdniao_url: Some(url.to_owned()),
            ..TrackingSettings::default()
        };
        let got = save_tracking_settings(&db, &settings).err();
        assert_eq!(
            got.as_ref().map(DeskError::code),
            refused,
            "{provider} at {url}: http:// only to this computer, https:// otherwise: {got:?}"
        );
        assert_eq!(
            tracking_settings_path(&db).exists(),
            refused.is_none(),
            "nothing is written when refused"
        );
        let got = provider_settings(&settings, Some("key".to_owned()))
            .err()
            .map(|e| e.code());
        assert_eq!(got, refused, "the same check before a refresh ({url})");
    }

    #[test]
    fn a_broken_file_names_itself() {
        let Some(dir) = tempfile::tempdir().ok() else {
            panic!("temp dir")
        };
        let db = dir.path().join("shop.sqlite");
        let _ = std::fs::write(tracking_settings_path(&db), "{not json");
        let err = load_tracking_settings(&db).err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(TRACKING_FILE)),
            "the error names the file: {err:?}"
        );
    }
}
