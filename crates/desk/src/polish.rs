//! The optional AI polish as the app and the CLI use it (docs/drafts.md, "AI 润色（可选）"):
//! the shop's settings file, the buyer's data a case already knows (removed from a draft
//! before it leaves the machine), and the views the settings card and the draft panel show.
//!
//! The API key is not handled here: it lives in the operating system's keychain
//! (`afterdesk-secret`), which the app and the CLI read themselves, so that nothing this
//! module writes can ever contain it.

use crate::DeskError;
use afterdesk_polish::{KnownPii, PiiKind, PolishSettings, Polished};
use afterdesk_store::{CaseDetail, Store};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The name of the shop's AI polish settings file, beside the shop database.
///
/// Beside the database rather than in the computer's settings folder because the endpoint
/// and the model are the shop's choice, shared by its computers like the clock rules; the
/// key is not in it (each computer keeps its own in its keychain), so the file may sit in
/// a synced folder.
pub const POLISH_SETTINGS_FILE: &str = "polish.json";

/// The longest timeout the settings accept, in seconds. An agent at the desk does not wait
/// five minutes for a reply to be reworded; a larger number is a typo.
pub const MAX_POLISH_TIMEOUT_SECS: u32 = 300;

/// The AI polish settings file of the shop whose database is `db`.
pub fn polish_settings_path(db: &Path) -> PathBuf {
    crate::shops::settings_file::shop_folder(db).join(POLISH_SETTINGS_FILE)
}

/// The shop's AI polish settings; a missing file gives the defaults (turned off).
pub fn load_polish_settings(db: &Path) -> Result<PolishSettings, DeskError> {
    crate::shops::settings_file::read_json(polish_settings_path(db))
}

/// Checks and saves the shop's AI polish settings; returns them as saved (trimmed).
///
/// A mistyped URL, an out-of-range timeout or temperature, or turning the polish on
/// without an endpoint is refused here, when the person who configures it is looking,
/// rather than at an agent's first polish. The file is written under a temporary name and
/// renamed, so a crash never leaves it half-written.
pub fn save_polish_settings(
    db: &Path,
    settings: &PolishSettings,
) -> Result<PolishSettings, DeskError> {
    let settings = checked(settings)?;
    crate::shops::settings_file::write_json(&polish_settings_path(db), &settings)?;
    Ok(settings)
}

fn checked(settings: &PolishSettings) -> Result<PolishSettings, DeskError> {
    let out = PolishSettings {
        enabled: settings.enabled,
        base_url: settings.base_url.trim().to_owned(),
        model: settings.model.trim().to_owned(),
        timeout_secs: settings.timeout_secs,
        temperature: settings.temperature,
    };
    if !(1..=MAX_POLISH_TIMEOUT_SECS).contains(&out.timeout_secs) {
        return Err(DeskError::Invalid(format!(
            "AI 润色的等待时间应在 1 到 {MAX_POLISH_TIMEOUT_SECS} 秒之间"
        )));
    }
    if let Some(t) = out.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(DeskError::Invalid(
            "AI 润色的温度应在 0 到 2 之间（不填则用接口的默认值）".to_owned(),
        ));
    }
    if !out.base_url.is_empty() {
        afterdesk_polish::endpoint(&out.base_url).map_err(|e| DeskError::Polish(Box::new(e)))?;
    }
    if out.enabled && (out.base_url.is_empty() || out.model.is_empty()) {
        return Err(DeskError::Invalid(
            "开启 AI 润色前请填写接口地址和模型名称".to_owned(),
        ));
    }
    Ok(out)
}

/// The buyer's data the case at `key` already knows, read from the store: removed from a
/// draft wherever it appears, whatever the patterns would have said.
pub fn case_known_pii(store: &Store, key: &str) -> Result<KnownPii, DeskError> {
    Ok(known_pii(&store.case_detail(key)?))
}

/// The buyer's data a case and its order carry: the buyer's nicknames, the order's
/// address, and the export columns the shop kept (which of them name a phone, an address
/// or a recipient is the polish crate's rule, [`afterdesk_polish::column_pii_kind`]).
pub fn known_pii(detail: &CaseDetail) -> KnownPii {
    let order = detail.order.as_ref().map(|o| &o.facts);
    let nicks = [
        detail.case.facts.buyer_nick.as_deref(),
        order.and_then(|o| o.buyer_nick.as_deref()),
    ];
    let extras = detail
        .case
        .facts
        .extra
        .iter()
        .chain(order.map(|o| o.extra.iter()).into_iter().flatten())
        .map(|(header, value)| (header.as_str(), value.as_str()));
    afterdesk_polish::known_pii(
        nicks.into_iter().flatten(),
        order.and_then(|o| o.address.as_deref()),
        extras,
    )
}

/// The AI polish settings as the settings card edits them. The API key is not among them:
/// it goes to the keychain on its own and is never read back into the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PolishConfigView {
    /// Whether agents may polish drafts. Off until the shop turns it on.
    pub enabled: bool,
    /// The endpoint's base URL, e.g. `https://api.deepseek.com/v1`.
    pub base_url: String,
    /// The model name, e.g. `deepseek-chat`.
    pub model: String,
    /// How long to wait for the answer, in seconds.
    pub timeout_secs: u32,
    /// The sampling temperature; `null` leaves the endpoint's default.
    pub temperature: Option<f32>,
}

impl From<PolishSettings> for PolishConfigView {
    fn from(s: PolishSettings) -> Self {
        PolishConfigView {
            enabled: s.enabled,
            base_url: s.base_url,
            model: s.model,
            timeout_secs: s.timeout_secs,
            temperature: s.temperature,
        }
    }
}

impl From<PolishConfigView> for PolishSettings {
    fn from(v: PolishConfigView) -> Self {
        PolishSettings {
            enabled: v.enabled,
            base_url: v.base_url,
            model: v.model,
            timeout_secs: v.timeout_secs,
            temperature: v.temperature,
        }
    }
}

/// What the settings card shows about the AI polish.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PolishSettingsView {
    /// The settings (the defaults when the file is missing or broken).
    pub settings: PolishConfigView,
    /// Whether this computer's keychain holds a key. The key itself never leaves Rust.
    pub has_key: bool,
    /// Why the keychain could not be asked (locked, no Secret Service running), if so.
    pub key_error: Option<String>,
    /// Why the settings file could not be read, if so; saving replaces it.
    pub error: Option<String>,
    /// The settings file.
    pub file: String,
    /// The longest draft sent, in characters.
    pub max_chars: u32,
}

impl PolishSettingsView {
    /// The view of the shop at `db`, with what the keychain said.
    pub fn new(db: &Path, has_key: bool, key_error: Option<String>) -> Self {
        let (settings, error) = match load_polish_settings(db) {
            Ok(s) => (s, None),
            Err(e) => (PolishSettings::default(), Some(e.to_string())),
        };
        PolishSettingsView {
            settings: settings.into(),
            has_key,
            key_error,
            error,
            file: polish_settings_path(db).display().to_string(),
            max_chars: u32::try_from(afterdesk_polish::MAX_INPUT_CHARS).unwrap_or(u32::MAX),
        }
    }
}

/// How many values of one kind were removed before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemovedView {
    /// `phone`, `address`, `id_number` or `name`.
    pub kind: String,
    /// The marker left in its place, e.g. 〔电话〕.
    pub marker: String,
    /// How many.
    pub count: u32,
}

/// Something the agent should look at before using a polished text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PolishWarningView {
    /// `markers_left`, `added_promise` or `truncated`.
    pub code: String,
    /// What to look at, in Chinese.
    pub message: String,
}

/// A polished draft, offered to the agent as a proposal beside the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PolishedView {
    /// The polished text; it keeps the markers (〔电话〕…) for the agent to fill in.
    pub text: String,
    /// Exactly what left the machine: the draft with the buyer's data replaced by markers.
    pub sent_text: String,
    /// How many values of each kind were removed before sending, in a fixed order.
    pub removed: Vec<RemovedView>,
    /// Things to look at before using the text.
    pub warnings: Vec<PolishWarningView>,
    /// The marks in `text` still to be filled in, with their spans.
    pub marks: Vec<crate::MarkView>,
}

impl From<Polished> for PolishedView {
    fn from(p: Polished) -> Self {
        let removed = PiiKind::ALL
            .iter()
            .filter_map(|kind| {
                let count = *p.redacted.removed.get(kind)?;
                (count > 0).then(|| RemovedView {
                    kind: pii_key(*kind).to_owned(),
                    marker: kind.marker().to_owned(),
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                })
            })
            .collect();
        PolishedView {
            marks: crate::drafts::mark_views(&p.text),
            text: p.text,
            sent_text: p.redacted.text,
            removed,
            warnings: p
                .warnings
                .iter()
                .map(|w| PolishWarningView {
                    code: w.code().to_owned(),
                    message: w.message(),
                })
                .collect(),
        }
    }
}

/// The key of a kind as the JSON of `afterdesk polish` writes it.
fn pii_key(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::Phone => "phone",
        PiiKind::Address => "address",
        PiiKind::IdNumber => "id_number",
        PiiKind::Name => "name",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::{
        Case, CaseFacts, DeviceId, KindSource, Order, OrderFacts, Platform, RecordId, ScenarioKind,
    };
    use afterdesk_polish::{Redacted, Warning};
    use std::collections::BTreeMap;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn configured() -> PolishSettings {
        PolishSettings {
            enabled: true,
            base_url: " https://api.deepseek.com/v1 ".to_owned(),
            model: "deepseek-chat\n".to_owned(),
            timeout_secs: 20,
            temperature: Some(0.3),
        }
    }

    #[test]
    fn a_missing_file_means_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let settings = load_polish_settings(&db).unwrap();
        assert!(!settings.enabled, "the polish is off by default");
        assert_eq!(settings, PolishSettings::default());
        assert_eq!(polish_settings_path(&db), dir.path().join("polish.json"));
    }

    #[test]
    fn settings_round_trip_trimmed_and_the_file_holds_no_key() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let saved = save_polish_settings(&db, &configured()).unwrap();
        assert_eq!(saved.base_url, "https://api.deepseek.com/v1");
        assert_eq!(saved.model, "deepseek-chat");
        assert_eq!(load_polish_settings(&db).unwrap(), saved);

        let text = std::fs::read_to_string(polish_settings_path(&db)).unwrap();
        assert!(
            !text.to_lowercase().contains("key") && !text.contains("sk-"),
            "the settings file must never hold an API key: {text}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut fields: Vec<&String> = value.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "base_url",
                "enabled",
                "model",
                "temperature",
                "timeout_secs"
            ],
            "only the endpoint settings are written"
        );
        assert!(
            !dir.path().join(".polish.json.partial").exists(),
            "no temporary file is left behind"
        );
    }

    #[test]
    fn a_key_written_into_the_file_by_hand_is_ignored_and_dropped_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        std::fs::write(
            polish_settings_path(&db),
            r#"{"enabled": false, "api_key": "sk-secret-1"}"#,
        )
        .unwrap();
        let loaded = load_polish_settings(&db).unwrap();
        save_polish_settings(&db, &loaded).unwrap();
        let text = std::fs::read_to_string(polish_settings_path(&db)).unwrap();
        assert!(!text.contains("sk-secret-1"), "{text}");
    }

    #[test]
    fn a_broken_file_is_a_plain_error_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let path = polish_settings_path(&db);
        std::fs::write(&path, "{ enabled: yes").unwrap();
        let err = load_polish_settings(&db).unwrap_err();
        assert_eq!(err.code(), "settings");
        let text = err.to_string();
        assert!(
            text.contains("已损坏") && text.contains(&path.display().to_string()),
            "{text}"
        );
        let view = PolishSettingsView::new(&db, false, None);
        assert!(
            !view.settings.enabled,
            "a broken file leaves the polish off"
        );
        assert_eq!(view.error.as_deref(), Some(text.as_str()));
    }

    #[test]
    fn settings_that_cannot_work_are_refused_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let cases = [
            (
                PolishSettings {
                    base_url: "api.deepseek.com".to_owned(),
                    ..configured()
                },
                "polish_bad_url",
            ),
            (
                PolishSettings {
                    base_url: "http://api.deepseek.com/v1".to_owned(),
                    ..configured()
                },
                "polish_insecure_url",
            ),
            (
                PolishSettings {
                    model: " ".to_owned(),
                    ..configured()
                },
                "invalid",
            ),
            (
                PolishSettings {
                    timeout_secs: 0,
                    ..configured()
                },
                "invalid",
            ),
            (
                PolishSettings {
                    temperature: Some(5.0),
                    ..configured()
                },
                "invalid",
            ),
        ];
        for (settings, code) in cases {
            let err = save_polish_settings(&db, &settings).unwrap_err();
            assert_eq!(err.code(), code, "{settings:?}: {err}");
        }
        assert!(
            !polish_settings_path(&db).exists(),
            "nothing is written when refused"
        );
        // A model server on this computer may speak plain http.
        let local = PolishSettings {
            base_url: "http://localhost:11434/v1".to_owned(),
            ..configured()
        };
        assert!(
            save_polish_settings(&db, &local).is_ok(),
            "plain http to this computer is allowed"
        );
        std::fs::remove_file(polish_settings_path(&db)).unwrap();
        // Turned off, an unfinished configuration may be kept.
        let off = PolishSettings {
            enabled: false,
            model: String::new(),
            ..configured()
        };
        assert!(save_polish_settings(&db, &off).is_ok());
    }

    fn detail(case_extra: Vec<(&str, &str)>, order: Option<OrderFacts>) -> CaseDetail {
        let facts = CaseFacts {
            buyer_nick: Some("tb_小明2020".to_owned()),
            extra: case_extra
                .into_iter()
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect(),
            ..CaseFacts::default()
        };
        let case = Case {
            id: RecordId::new(now()),
            platform: Platform::Taobao,
            facts,
            kind: ScenarioKind::Other,
            kind_source: KindSource::Derived,
            flag: None,
            assignee: None,
            tags: Vec::new(),
            open: true,
            origin: String::new(),
            created_at: now(),
            updated_at: now(),
            updated_by: DeviceId("t".to_owned()),
            deleted_at: None,
        };
        CaseDetail {
            case,
            notes: Vec::new(),
            events: Vec::new(),
            order: order.map(|facts| Order {
                id: RecordId::new(now()),
                facts,
            }),
        }
    }

    #[test]
    fn known_pii_gathers_the_case_and_order_fields() {
        let order = OrderFacts {
            order_no: "4102938475610293847".to_owned(),
            buyer_nick: Some("tb_小明2020".to_owned()),
            address: Some("浙江省 杭州市 余杭区 文一西路969号".to_owned()),
            extra: vec![("收货人姓名".to_owned(), "王小明".to_owned())],
            ..OrderFacts::default()
        };
        let known = known_pii(&detail(vec![("联系手机", "13812345678")], Some(order)));
        assert_eq!(
            (known.names, known.addresses, known.phones),
            (
                vec!["tb_小明2020".to_owned(), "王小明".to_owned()],
                vec!["浙江省 杭州市 余杭区 文一西路969号".to_owned()],
                vec!["13812345678".to_owned()]
            ),
            "the case's and the order's nick, the order's address and both sets of extra columns are gathered"
        );
        let bare = known_pii(&detail(Vec::new(), None));
        assert_eq!(
            bare.names,
            ["tb_小明2020"],
            "a case without an order gives its nick"
        );
    }

    #[test]
    fn the_polished_view_counts_what_was_removed_and_keeps_the_warnings() {
        let polished = Polished {
            text: "亲，请拨打〔电话〕联系我们".to_owned(),
            redacted: Redacted {
                text: "请拨打〔电话〕".to_owned(),
                removed: BTreeMap::from([(PiiKind::Name, 2), (PiiKind::Phone, 1)]),
            },
            warnings: vec![Warning::MarkersLeft {
                markers: vec!["〔电话〕".to_owned()],
            }],
        };
        let view = PolishedView::from(polished);
        assert_eq!(view.sent_text, "请拨打〔电话〕");
        let removed: Vec<(&str, u32)> = view
            .removed
            .iter()
            .map(|r| (r.kind.as_str(), r.count))
            .collect();
        assert_eq!(removed, [("phone", 1), ("name", 2)], "in the fixed order");
        assert_eq!(view.warnings[0].code, "markers_left");
        assert!(view.warnings[0].message.contains("〔电话〕"));
    }
}
