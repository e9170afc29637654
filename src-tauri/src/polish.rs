//! Commands of the optional AI polish (docs/drafts.md, "AI 润色（可选）"): the settings card
//! (endpoint settings beside the shop, the key in the system keychain) and the draft
//! panel's button.
//!
//! Thin like the others, with two rules of their own. Keychain calls block (on Linux they
//! are D-Bus round trips to the Secret Service, which may even wait for the user to unlock
//! it), so they run on a blocking thread, never on the async executor. And the shop's lock
//! is held only to read what the case knows about the buyer, never during the HTTP call:
//! an endpoint that takes thirty seconds to answer must not freeze every other screen.

use crate::commands::{CommandError, CommandResult};
use crate::keys::Keys;
use crate::shop::Desk;
use afterdesk_desk::{PolishConfigView, PolishSettingsView, PolishedView};
use afterdesk_polish::{KnownPii, PolishError, Polisher};
use afterdesk_secret::{Secret, SecretError, account};
use tauri::State;

impl From<PolishError> for CommandError {
    fn from(e: PolishError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

/// Runs a call on the polish's key, off the async executor.
async fn on_keychain<T: Send + 'static>(
    keys: &Keys,
    call: impl FnOnce(&Secret) -> Result<T, SecretError> + Send + 'static,
) -> CommandResult<T> {
    keys.call(account::POLISH_API_KEY, call).await
}

/// The settings card's view: the settings of the open shop and whether this computer's
/// keychain holds a key. A keychain that cannot be asked is reported in the view rather
/// than failing it, so the card still shows (and the rest of the app never depends on it).
pub async fn settings_view(desk: &Desk, keys: &Keys) -> PolishSettingsView {
    let (has_key, key_error) = match on_keychain(keys, Secret::find).await {
        Ok(found) => (found.is_some(), None),
        Err(e) => (false, Some(e.message)),
    };
    PolishSettingsView::new(&desk.db_path(), has_key, key_error)
}

/// Polishes `text` for the case `key` (empty: no case, only the patterns remove data).
pub async fn polish_text(
    desk: &Desk,
    keys: &Keys,
    key: &str,
    text: &str,
) -> CommandResult<PolishedView> {
    let settings = afterdesk_desk::load_polish_settings(&desk.db_path())?;
    // Turned off, the keychain is not even asked (it may prompt to be unlocked).
    if !settings.enabled {
        return Err(PolishError::Disabled.into());
    }
    let api_key = on_keychain(keys, Secret::find).await?;
    let polisher = Polisher::new(&settings, api_key.as_deref())?;
    // The lock is held for this read only and released before the request goes out.
    let known = if key.trim().is_empty() {
        KnownPii::default()
    } else {
        desk.with_store(|store| Ok(afterdesk_desk::case_known_pii(store, key)?))?
    };
    Ok(polisher.polish(text, &known).await?.into())
}

/// The AI polish settings of the open shop and whether a key is saved on this computer.
#[tauri::command]
#[specta::specta]
pub async fn polish_settings(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
) -> CommandResult<PolishSettingsView> {
    Ok(settings_view(&desk, &keys).await)
}

/// Whether the open shop turned the AI polish on: the draft panel's question, answered from
/// the settings file alone. The keychain is not asked, because on Linux a locked keychain
/// may prompt for its password, and opening a case must never do that.
#[tauri::command]
#[specta::specta]
pub async fn polish_enabled(desk: State<'_, Desk>) -> CommandResult<bool> {
    // A broken settings file shows in the settings card; here it means "off".
    Ok(afterdesk_desk::load_polish_settings(&desk.db_path()).is_ok_and(|s| s.enabled))
}

/// Saves the AI polish settings beside the shop database (never the key).
#[tauri::command]
#[specta::specta]
pub async fn save_polish_settings(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
    settings: PolishConfigView,
) -> CommandResult<PolishSettingsView> {
    afterdesk_desk::save_polish_settings(&desk.db_path(), &settings.into())?;
    Ok(settings_view(&desk, &keys).await)
}

/// Stores the API key in this computer's keychain, replacing any earlier one. The key is
/// never sent back to the page.
#[tauri::command]
#[specta::specta]
pub async fn set_polish_key(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
    key: String,
) -> CommandResult<PolishSettingsView> {
    on_keychain(&keys, move |secret| secret.set(&key)).await?;
    Ok(settings_view(&desk, &keys).await)
}

/// Removes the API key from this computer's keychain (no key is not an error).
#[tauri::command]
#[specta::specta]
pub async fn delete_polish_key(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
) -> CommandResult<PolishSettingsView> {
    on_keychain(&keys, Secret::delete).await?;
    Ok(settings_view(&desk, &keys).await)
}

/// Polishes a draft of the case `key` through the shop's endpoint: the buyer's data is
/// removed first, and a text that changed a fact is refused (`polish_changed_facts`).
#[tauri::command]
#[specta::specta]
pub async fn polish_draft(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
    key: String,
    text: String,
) -> CommandResult<PolishedView> {
    polish_text(&desk, &keys, &key, &text).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use afterdesk_polish::PolishSettings;
    use afterdesk_polish::testing::{FakeChat, Reply};
    use afterdesk_secret::Keychain;
    use std::time::Duration;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }

    /// A desk with the demo shop open (its database file beside the settings file) and the
    /// id and buyer nick of one of its cases.
    fn demo_desk(dir: &tempfile::TempDir) -> (Desk, String, String) {
        let desk = Desk::open(
            dir.path().join("shop.sqlite"),
            DeviceId("t".to_owned()),
            None,
            now(),
        );
        desk.open_demo("小王", now()).unwrap();
        let (id, nick) = desk
            .with_store(|store| {
                let list = store
                    .list_cases(&afterdesk_store::CaseQuery {
                        limit: 100,
                        ..Default::default()
                    })
                    .unwrap();
                let case = list
                    .cases
                    .iter()
                    .find(|c| {
                        c.facts
                            .buyer_nick
                            .as_deref()
                            .is_some_and(|n| n.chars().count() > 1)
                    })
                    .unwrap();
                Ok((case.id.to_string(), case.facts.buyer_nick.clone().unwrap()))
            })
            .unwrap();
        (desk, id, nick)
    }

    fn configure(desk: &Desk, base_url: &str, timeout_secs: u32) {
        afterdesk_desk::save_polish_settings(
            &desk.db_path(),
            &PolishSettings {
                enabled: true,
                base_url: base_url.to_owned(),
                model: "deepseek-chat".to_owned(),
                timeout_secs,
                temperature: None,
            },
        )
        .unwrap();
    }

    #[tokio::test]
    async fn settings_start_off_and_the_key_goes_to_the_keychain_only() {
        let dir = tempfile::tempdir().unwrap();
        let (desk, _, _) = demo_desk(&dir);
        let keys = Keys(Keychain::memory());
        let view = settings_view(&desk, &keys).await;
        assert!(!view.settings.enabled && !view.has_key, "{view:?}");
        assert_eq!(view.key_error, None);

        on_keychain(&keys, |s| s.set("sk-app-secret-7"))
            .await
            .unwrap();
        configure(&desk, "https://api.deepseek.com/v1", 30);
        let view = settings_view(&desk, &keys).await;
        assert!(view.settings.enabled && view.has_key, "{view:?}");
        let shown = serde_json::to_string(&view).unwrap();
        assert!(
            !shown.contains("sk-app-secret-7"),
            "the view never carries the key"
        );
        let file = std::fs::read_to_string(&view.file).unwrap();
        assert!(!file.contains("sk-app-secret-7"), "nor the settings file");

        on_keychain(&keys, Secret::delete).await.unwrap();
        assert!(!settings_view(&desk, &keys).await.has_key);
    }

    #[tokio::test]
    async fn polishes_a_cases_draft_without_sending_the_buyers_data() {
        let server = FakeChat::start(Reply::Echo).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (desk, id, nick) = demo_desk(&dir);
        let keys = Keys(Keychain::memory());
        configure(&desk, &server.base_url(), 10);
        on_keychain(&keys, |s| s.set("sk-app-1")).await.unwrap();

        let text =
            format!("{nick} 您好，请拨打 138 1234 5678 联系快递员，订单 4102938475610293847。");
        let polished = polish_text(&desk, &keys, &id, &text).await.unwrap();
        let sent = server.requests();
        assert_eq!(sent.len(), 1);
        assert!(
            !sent[0].body.contains("5678") && !sent[0].body.contains(nick.as_str()),
            "the phone and the buyer's nick stay on the machine: {}",
            sent[0].body
        );
        assert_eq!(sent[0].header("authorization"), Some("Bearer sk-app-1"));
        assert!(
            sent[0].body.contains("4102938475610293847"),
            "the order number goes"
        );
        assert!(polished.sent_text.contains("〔电话〕") && polished.sent_text.contains("〔姓名〕"));
        assert!(
            polished.text.contains("〔电话〕"),
            "markers are never filled back"
        );
        let kinds: Vec<&str> = polished.removed.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["phone", "name"]);
        assert!(
            polished.warnings.iter().any(|w| w.code == "markers_left"),
            "{:?}",
            polished.warnings
        );
    }

    #[tokio::test]
    async fn each_failure_is_a_plain_error_with_its_code() {
        let dir = tempfile::tempdir().unwrap();
        let (desk, id, _) = demo_desk(&dir);
        let keys = Keys(Keychain::memory());
        let err = polish_text(&desk, &keys, &id, "亲，您好")
            .await
            .unwrap_err();
        assert_eq!(err.code, "polish_disabled", "off by default: {err:?}");

        let denied = FakeChat::start(Reply::Status(
            401,
            r#"{"error": {"message": "Incorrect API key"}}"#.to_owned(),
        ))
        .unwrap();
        configure(&desk, &denied.base_url(), 10);
        let err = polish_text(&desk, &keys, &id, "亲，您好")
            .await
            .unwrap_err();
        assert_eq!(err.code, "polish_no_key", "{err:?}");
        on_keychain(&keys, |s| s.set("sk-wrong")).await.unwrap();
        let err = polish_text(&desk, &keys, &id, "亲，您好")
            .await
            .unwrap_err();
        assert_eq!(err.code, "polish_unauthorized");
        assert!(err.message.contains("Incorrect API key"), "{}", err.message);

        let slow =
            FakeChat::start(Reply::Slow(Duration::from_secs(3), Box::new(Reply::Echo))).unwrap();
        configure(&desk, &slow.base_url(), 1);
        let err = polish_text(&desk, &keys, &id, "亲，您好")
            .await
            .unwrap_err();
        assert_eq!(err.code, "polish_timeout");
        assert!(err.message.contains("1 秒"), "{}", err.message);

        let err = polish_text(&desk, &keys, "no-such-case", "亲，您好")
            .await
            .unwrap_err();
        assert_eq!(err.code, "case_not_found", "{err:?}");
    }
}
