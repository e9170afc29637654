//! The script model and the library of scripts.

use afterdesk_case::ScenarioKind;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The built-in library, written by the AfterDesk team (`data/scripts.toml`).
const BUILTIN: &str = include_str!("../data/scripts.toml");

/// Where in a case's conversation a script is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The first answer to the buyer's request.
    FirstReply,
    /// A later message while the case is open (progress, a failed interception...).
    FollowUp,
    /// The message when the case is done (refund paid, new parcel sent).
    Closing,
}

impl Stage {
    /// The stable key used in data files and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Stage::FirstReply => "first_reply",
            Stage::FollowUp => "follow_up",
            Stage::Closing => "closing",
        }
    }

    /// Looks a stage up by its key.
    pub fn from_key(key: &str) -> Option<Self> {
        [Stage::FirstReply, Stage::FollowUp, Stage::Closing]
            .into_iter()
            .find(|s| s.key() == key)
    }
}

/// Which written form of Chinese a text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// Simplified Chinese (简体).
    #[default]
    Hans,
    /// Traditional Chinese (繁體).
    Hant,
}

/// One reply script (话术).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Script {
    /// A stable id such as `quality_issue.first.1`; shop scripts use their own ids.
    pub id: String,
    /// The scenario kind the script answers.
    pub kind: ScenarioKind,
    /// When in the conversation it is used.
    pub stage: Stage,
    /// The text in Simplified Chinese, with `{placeholders}` for case facts.
    pub text: String,
    /// The text in Traditional Chinese, same placeholders.
    pub text_hant: String,
    /// Free tags for search.
    #[serde(default)]
    pub tags: Vec<String>,
    /// A note on tone for the agent (not sent to the buyer).
    #[serde(default)]
    pub tone: String,
    /// Whether the script is offered; shops disable scripts rather than delete them.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Bumped on each edit, so a copied draft can name the exact text it came from.
    #[serde(default = "one")]
    pub version: u32,
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

impl Script {
    /// The text in the given variant.
    pub fn text_in(&self, variant: Variant) -> &str {
        match variant {
            Variant::Hans => &self.text,
            Variant::Hant => &self.text_hant,
        }
    }
}

/// Why a script library could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The TOML does not parse or does not match the script model.
    #[error("话术库格式错误：{0}")]
    Toml(#[source] toml::de::Error),
    /// Two scripts share an id.
    #[error("话术编号“{0}”重复")]
    DuplicateId(String),
    /// A script uses a placeholder the drafts cannot fill.
    #[error("话术“{id}”里的占位符“{{{name}}}”不认识")]
    UnknownPlaceholder {
        /// The script.
        id: String,
        /// The placeholder's name.
        name: String,
    },
    /// The Simplified and Traditional texts use different placeholders.
    #[error("话术“{0}”的简体和繁体占位符不一致")]
    VariantsDiffer(String),
}

#[derive(Deserialize)]
struct File {
    script: Vec<Script>,
}

/// A set of scripts: the built-in ones, then the shop's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Library {
    scripts: Vec<Script>,
}

impl Library {
    /// The built-in library.
    pub fn builtin() -> Result<Self, ScriptError> {
        Self::from_toml(BUILTIN)
    }

    /// Reads a library from TOML (`[[script]]` tables, as in `data/scripts.toml`) and checks
    /// ids and placeholders.
    pub fn from_toml(text: &str) -> Result<Self, ScriptError> {
        let file: File = toml::from_str(text).map_err(ScriptError::Toml)?;
        Self::new(file.script)
    }

    /// Builds a library from scripts, checking ids and placeholders.
    pub fn new(scripts: Vec<Script>) -> Result<Self, ScriptError> {
        let mut ids = HashSet::new();
        for s in &scripts {
            if !ids.insert(s.id.as_str()) {
                return Err(ScriptError::DuplicateId(s.id.clone()));
            }
            let names = crate::draft::placeholder_names(&s.text);
            for name in &names {
                if crate::Placeholder::from_name(name).is_none() {
                    return Err(ScriptError::UnknownPlaceholder {
                        id: s.id.clone(),
                        name: name.clone(),
                    });
                }
            }
            let mut a = names;
            let mut b = crate::draft::placeholder_names(&s.text_hant);
            a.sort();
            b.sort();
            if a != b {
                return Err(ScriptError::VariantsDiffer(s.id.clone()));
            }
        }
        Ok(Self { scripts })
    }

    /// Every script, built-in first.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// A script by id.
    pub fn get(&self, id: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.id == id)
    }

    /// The enabled scripts for a kind and stage, in library order.
    pub fn candidates(&self, kind: ScenarioKind, stage: Stage) -> Vec<&Script> {
        self.scripts
            .iter()
            .filter(|s| s.enabled && s.kind == kind && s.stage == stage)
            .collect()
    }

    /// Adds or replaces a shop script (same id: replaced, version bumped).
    pub fn upsert(&mut self, mut script: Script) {
        match self.scripts.iter_mut().find(|s| s.id == script.id) {
            Some(old) => {
                script.version = old.version.saturating_add(1);
                *old = script;
            }
            None => self.scripts.push(script),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn builtin_library_loads() {
        let lib = Library::builtin();
        assert!(lib.is_ok(), "the built-in library must parse: {lib:?}");
    }

    #[rstest]
    fn every_kind_has_three_variants(
        #[values(Stage::FirstReply, Stage::FollowUp, Stage::Closing)] _stage: Stage,
    ) {
        let Ok(lib) = Library::builtin() else {
            panic!("built-in library");
        };
        for kind in ScenarioKind::ALL {
            let n = lib.scripts().iter().filter(|s| s.kind == *kind).count();
            assert!(n >= 3, "kind {kind} needs at least three scripts, has {n}");
            assert!(
                !lib.candidates(*kind, Stage::FirstReply).is_empty(),
                "kind {kind} needs a first reply"
            );
        }
    }

    #[test]
    fn every_script_has_a_traditional_text() {
        let Ok(lib) = Library::builtin() else {
            panic!("built-in library");
        };
        for s in lib.scripts() {
            assert!(
                !s.text_hant.is_empty() && s.text_hant != s.text,
                "script {} needs its own Traditional text",
                s.id
            );
        }
    }

    /// Characters OpenCC's character-level conversion gets wrong in after-sales text: 发 is
    /// 發 (send) here, never 髮 (hair); 干 in 干净 is 乾, never 幹.
    const MISCONVERSIONS: &[&str] = &["髮", "幹淨"];

    #[test]
    fn traditional_texts_avoid_known_misconversions() {
        let Ok(lib) = Library::builtin() else {
            panic!("built-in library");
        };
        for s in lib.scripts() {
            for bad in MISCONVERSIONS {
                assert!(
                    !s.text_hant.contains(bad),
                    "script {} has the mis-converted “{bad}” in its Traditional text",
                    s.id
                );
            }
        }
    }

    #[rstest]
    #[case(
        "[[script]]\nid='a'\nkind='other'\nstage='closing'\ntext='{nope}'\ntext_hant='{nope}'",
        "不认识"
    )]
    #[case(
        "[[script]]\nid='a'\nkind='other'\nstage='closing'\ntext='x'\ntext_hant='x'\n[[script]]\nid='a'\nkind='other'\nstage='closing'\ntext='y'\ntext_hant='y'",
        "重复"
    )]
    #[case(
        "[[script]]\nid='a'\nkind='other'\nstage='closing'\ntext='{amount}'\ntext_hant='x'",
        "不一致"
    )]
    fn bad_libraries_are_refused(#[case] toml: &str, #[case] want: &str) {
        let err = Library::from_toml(toml).err().map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(want)),
            "a bad library is refused with a message naming the fault, got {err:?}"
        );
    }
}
