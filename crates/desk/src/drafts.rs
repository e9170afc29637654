//! Reply drafts and the shop's script library (docs/drafts.md): the draft panel on the case
//! page, the script library screen and the training-material import review.
//!
//! The built-in library and classifier ship with the program; the shop's changes live in
//! the store and are laid over the built-in scripts each time a library is needed, so an
//! edit on one device shows up on the next draft everywhere.

use crate::DeskError;
use afterdesk_case::time::china_rfc3339;
use afterdesk_case::{Fen, ScenarioKind};
use afterdesk_polish::PiiKind;
use afterdesk_script::import::{self, ImportReport};
use afterdesk_script::{
    Classification, Classifier, Compensation, DraftRequest, Ladder, Library, Lint, Placeholder,
    Script, Stage, Variant, compose,
};
use afterdesk_store::{
    DraftCopy, NewDraftCopy, NewTrainingItem, ScriptOrigin, Store, StoredScript, TrainingItemKind,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

/// How many skipped lines an import preview lists one by one; the rest are counted by
/// reason. A deck's noise (page numbers, repeated footers) runs to hundreds of lines that
/// nobody reads one by one, while the counts still account for every line.
pub const PREVIEWED_SKIPS: usize = 200;

/// How many characters of a variant's text the draft panel shows in its picker: enough to
/// tell the variants apart by their opening, short enough for one line.
const VARIANT_PREVIEW_CHARS: usize = 40;

fn builtin_library() -> Result<&'static Library, DeskError> {
    static LIBRARY: OnceLock<Result<Library, String>> = OnceLock::new();
    LIBRARY
        .get_or_init(|| Library::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| DeskError::BuiltinScripts(e.clone()))
}

fn classifier() -> Result<&'static Classifier, DeskError> {
    static CLASSIFIER: OnceLock<Result<Classifier, String>> = OnceLock::new();
    CLASSIFIER
        .get_or_init(|| Classifier::builtin().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| DeskError::BuiltinScripts(e.clone()))
}

/// The shop's library: the built-in scripts with the shop's edits laid over them (same id
/// replaces; a removed edit falls back to the built-in), then the shop's own scripts.
pub fn shop_library(store: &Store) -> Result<Library, DeskError> {
    Ok(library_and_stored(store)?.0)
}

/// [`shop_library`] and the stored scripts it was made from, from one read of the store
/// (the draft panel and the library screen need both).
fn library_and_stored(store: &Store) -> Result<(Library, Vec<StoredScript>), DeskError> {
    let stored = store.stored_scripts(false)?;
    let mut scripts: Vec<Script> = builtin_library()?.scripts().to_vec();
    for s in &stored {
        match scripts.iter_mut().find(|b| b.id == s.script.id) {
            Some(slot) => *slot = s.script.clone(),
            None => scripts.push(s.script.clone()),
        }
    }
    Ok((Library::new(scripts)?, stored))
}

/// What the agent asks the draft panel for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DraftOptions {
    /// The buyer's latest message, if pasted.
    pub message: Option<String>,
    /// `first_reply`, `follow_up` or `closing`; derived from the case when absent.
    pub stage: Option<String>,
    /// Which candidate script to use (0 = the best).
    pub pick: u32,
    /// `hant` for Traditional Chinese; a Traditional message also switches to it.
    pub traditional: bool,
    /// The signer, when the export does not say.
    pub signer: Option<String>,
    /// The new waybill of an exchange or reshipment.
    pub new_waybill: Option<String>,
    /// An amount already on the table for the ladder, in fen.
    pub compensation_fen: Option<i64>,
}

/// A placeholder the case could not fill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlaceholderView {
    /// Its name in scripts, e.g. `signer`.
    pub name: String,
    /// Its label, e.g. 签收人.
    pub label: String,
    /// The mark left in the text, e.g. 【待填：签收人】.
    pub mark: String,
}

impl From<Placeholder> for PlaceholderView {
    fn from(p: Placeholder) -> Self {
        PlaceholderView {
            name: p.name().to_owned(),
            label: p.label().to_owned(),
            mark: p.mark(),
        }
    }
}

/// A lint finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LintView {
    /// The rule's key, e.g. `blame_courier`.
    pub rule: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl From<&Lint> for LintView {
    fn from(l: &Lint) -> Self {
        LintView {
            rule: l.rule.key().to_owned(),
            message: l.message.clone(),
        }
    }
}

/// The compensation ladder's suggestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CompensationView {
    /// `explain`, `coupon`, `money`, `reship` or `exchange`.
    pub step: String,
    /// The money to offer, in fen.
    pub amount_fen: Option<i64>,
    /// Whether a manager must approve it.
    pub needs_approval: bool,
    /// The suggestion for the agent.
    pub message: String,
}

impl From<&Compensation> for CompensationView {
    fn from(c: &Compensation) -> Self {
        CompensationView {
            step: key_of(&c.step),
            amount_fen: c.amount.map(|a| a.0),
            needs_approval: c.needs_approval,
            message: c.message.clone(),
        }
    }
}

/// A kind with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindGuessView {
    /// The kind's key.
    pub kind: String,
    /// Its Chinese name.
    pub kind_name: String,
    /// From 0 to 1.
    pub confidence: f64,
}

/// The classifier's answer for a buyer's message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClassificationView {
    /// The best guess.
    pub best: KindGuessView,
    /// The next two.
    pub alternatives: Vec<KindGuessView>,
}

fn guess(kind: ScenarioKind, confidence: f64) -> KindGuessView {
    KindGuessView {
        kind: kind.key().to_owned(),
        kind_name: kind.zh_name().to_owned(),
        confidence,
    }
}

impl From<&Classification> for ClassificationView {
    fn from(c: &Classification) -> Self {
        ClassificationView {
            best: guess(c.kind, c.confidence),
            alternatives: c
                .alternatives
                .iter()
                .map(|a| guess(a.kind, a.confidence))
                .collect(),
        }
    }
}

/// One of the scripts the panel can switch to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VariantChoiceView {
    /// The `pick` that selects it.
    pub pick: u32,
    /// `id@version`.
    pub script_id: String,
    /// The opening of its text.
    pub preview: String,
    /// The tone note.
    pub tone: String,
    /// Whether it is the shop's own or edited script.
    pub shop: bool,
}

/// The draft panel's content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DraftView {
    /// The scenario kind answered.
    pub kind: String,
    /// Its Chinese name.
    pub kind_name: String,
    /// The stage.
    pub stage: String,
    /// The filled text, with 【待填：…】 marks for missing facts.
    pub text: String,
    /// The scripts used (`id@version`).
    pub script_ids: Vec<String>,
    /// The placeholders still unfilled.
    pub unfilled: Vec<PlaceholderView>,
    /// The marks in `text` still to be filled in, with their spans.
    pub marks: Vec<MarkView>,
    /// Lint findings on the text.
    pub lint: Vec<LintView>,
    /// The ladder's suggestion.
    pub compensation: Option<CompensationView>,
    /// The classification of the buyer's message, when one was given.
    pub classification: Option<ClassificationView>,
    /// The scripts for this kind and stage, to switch between.
    pub variants: Vec<VariantChoiceView>,
    /// Which of them this draft uses.
    pub pick: u32,
    /// Whether the text is Traditional Chinese.
    pub traditional: bool,
}

fn stage_of(text: Option<&str>) -> Result<Option<Stage>, DeskError> {
    text.filter(|s| !s.is_empty())
        .map(|s| {
            Stage::from_key(s).ok_or_else(|| {
                DeskError::Invalid(format!("“{s}”不是阶段：first_reply、follow_up 或 closing"))
            })
        })
        .transpose()
}

/// The ladder for a limit in fen; `None` is unlimited (a 店长), which the ladder counts as
/// the largest limit a shop can set.
fn ladder(limit_fen: Option<i64>) -> Ladder {
    let mut ladder = Ladder::default();
    let max = limit_fen.unwrap_or(crate::MAX_LIMIT_FEN).max(0);
    ladder.agent_max = Fen(max);
    ladder.agent_min = Fen(ladder.agent_min.0.min(max));
    ladder
}

/// The limit a draft obeys: the shop's limit for the role of the member this store's
/// computer is bound to (an agent's when it is bound to no one). Never an argument, so no
/// computer can give itself a higher limit than the shop set.
fn draft_limit(store: &Store) -> Result<Option<i64>, DeskError> {
    let settings = crate::shop_settings(store)?;
    let role = store.device_member(store.device())?.map(|m| m.role);
    Ok(crate::limit_for(&settings, role))
}

/// The draft for the case `key`: the best script for its kind and stage (or the kind the
/// buyer's message is about), filled from the case, linted, with the ladder's suggestion
/// and the other scripts the agent can switch to.
pub fn case_draft(
    store: &Store,
    key: &str,
    options: &DraftOptions,
    now: DateTime<Utc>,
) -> Result<DraftView, DeskError> {
    let detail = store.case_detail(key)?;
    let (library, stored) = library_and_stored(store)?;
    let stored: HashSet<String> = stored.into_iter().map(|s| s.script.id).collect();
    let mut req = DraftRequest::new(&detail.case, now);
    let message = options.message.as_deref().filter(|m| !m.trim().is_empty());
    req.message = message;
    req.stage = stage_of(options.stage.as_deref())?;
    req.pick = options.pick as usize;
    req.variant = if options.traditional {
        Variant::Hant
    } else {
        Variant::Hans
    };
    req.signer = options.signer.clone();
    req.new_waybill = options.new_waybill.clone();
    req.compensation = options.compensation_fen.map(Fen);
    let draft = compose(&library, classifier()?, &ladder(draft_limit(store)?), &req);
    let variant = draft.variant;
    let candidates = library.candidates(draft.kind, draft.stage);
    let variants: Vec<VariantChoiceView> = candidates
        .iter()
        .enumerate()
        .map(|(i, s)| VariantChoiceView {
            pick: u32::try_from(i).unwrap_or(u32::MAX),
            script_id: format!("{}@{}", s.id, s.version),
            preview: s
                .text_in(variant)
                .chars()
                .take(VARIANT_PREVIEW_CHARS)
                .collect(),
            tone: s.tone.clone(),
            shop: stored.contains(&s.id),
        })
        .collect();
    let pick = if variants.is_empty() {
        0
    } else {
        options.pick % u32::try_from(variants.len()).unwrap_or(1).max(1)
    };
    Ok(DraftView {
        kind: draft.kind.key().to_owned(),
        kind_name: draft.kind.zh_name().to_owned(),
        stage: draft.stage.key().to_owned(),
        marks: mark_views(&draft.text),
        text: draft.text,
        script_ids: draft.script_ids,
        unfilled: draft
            .unfilled
            .into_iter()
            .map(PlaceholderView::from)
            .collect(),
        lint: draft.lint.iter().map(LintView::from).collect(),
        compensation: draft.compensation.as_ref().map(CompensationView::from),
        classification: draft.classification.as_ref().map(ClassificationView::from),
        variants,
        pick,
        traditional: variant == Variant::Hant,
    })
}

/// The checks on a text the agent typed or edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReplyCheckView {
    /// Lint findings.
    pub lint: Vec<LintView>,
    /// The marks still to be filled in, with their spans in the text.
    pub marks: Vec<MarkView>,
}

/// Lints a text the agent typed or edited, for the scenario `kind` (a key; unknown or
/// empty → no scenario-specific rules), and finds the marks it still holds.
pub fn lint_reply(text: &str, kind: &str) -> ReplyCheckView {
    ReplyCheckView {
        lint: afterdesk_script::lint(text, ScenarioKind::from_key(kind))
            .iter()
            .map(LintView::from)
            .collect(),
        marks: mark_views(text),
    }
}

/// Classifies a buyer's message.
pub fn classify_message(message: &str) -> Result<ClassificationView, DeskError> {
    Ok(ClassificationView::from(&classifier()?.classify(message)))
}

/// A draft the agent copies to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CopyDraftInput {
    /// The text as it will be sent (possibly edited).
    pub text: String,
    /// The scenario kind's key.
    pub kind: String,
    /// The scripts it came from (`id@version`); empty for a reply typed by hand.
    pub script_ids: Vec<String>,
    /// The agent confirmed sending it with 【待填：…】 marks left in.
    pub confirm_unfilled: bool,
}

/// A copied draft, as the case page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DraftCopyView {
    /// Its id.
    pub id: String,
    /// The text copied.
    pub text: String,
    /// The scripts it came from.
    pub script_ids: Vec<String>,
    /// Placeholders sent unfilled on the agent's confirmation.
    pub confirmed_unfilled: Vec<String>,
    /// Lint rules the text still broke.
    pub lint: Vec<String>,
    /// Who copied it.
    pub copied_by: String,
    /// When.
    pub copied_at: String,
}

impl From<&DraftCopy> for DraftCopyView {
    fn from(c: &DraftCopy) -> Self {
        DraftCopyView {
            id: c.id.to_string(),
            text: c.draft.text.clone(),
            script_ids: c.draft.script_ids.clone(),
            confirmed_unfilled: c.draft.confirmed_unfilled.clone(),
            lint: c.draft.lint.clone(),
            copied_by: c.copied_by.clone(),
            copied_at: china_rfc3339(c.copied_at),
        }
    }
}

/// The AI polish's markers (〔电话〕〔地址〕〔身份证号〕〔姓名〕), which block a copy like
/// a 【待填：…】 mark: a marker sent as it is would tell the buyer nothing.
fn redaction_markers() -> [&'static str; 4] {
    PiiKind::ALL.map(PiiKind::marker)
}

/// Every mark in `text` that has to be filled in before it goes to a buyer: the
/// 【待填：…】 placeholders and the AI polish's markers (the script crate finds them).
fn marks_of(text: &str) -> Vec<afterdesk_script::UnfilledMark> {
    afterdesk_script::unfilled_marks(text, &redaction_markers())
}

/// A mark still to be filled in, as the draft panel underlines and fills it: its span in
/// UTF-16 code units (JavaScript strings index that way) and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MarkView {
    /// `placeholder` (a 【待填：…】 mark) or `marker` (the AI polish's 〔电话〕…).
    pub kind: String,
    /// What the agent fills in: a placeholder's label (签收人), a marker as written
    /// (〔电话〕). Marks with the same label are filled in together.
    pub label: String,
    /// Where the mark starts, in UTF-16 code units of the text.
    pub start: u32,
    /// Where it ends (exclusive), in UTF-16 code units.
    pub end: u32,
}

impl From<&afterdesk_script::UnfilledMark> for MarkView {
    fn from(m: &afterdesk_script::UnfilledMark) -> Self {
        MarkView {
            kind: key_of(&m.kind),
            label: m.label.clone(),
            start: count(m.utf16.start),
            end: count(m.utf16.end),
        }
    }
}

/// The marks of `text` as views.
pub fn mark_views(text: &str) -> Vec<MarkView> {
    marks_of(text).iter().map(MarkView::from).collect()
}

/// What still has to be filled in before a text goes to a buyer, each label once, in the
/// order of the text.
fn unfilled_labels(text: &str) -> Vec<String> {
    afterdesk_script::unfilled_labels(&marks_of(text))
}

/// Records a draft the agent copies to the buyer (which scripts, what text, which lint
/// findings were overridden). A text that still holds 【待填：…】 marks is refused unless
/// the agent confirmed sending it that way, so a half-filled reply never reaches a buyer
/// by accident.
pub fn copy_draft(
    store: &mut Store,
    key: &str,
    input: &CopyDraftInput,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<DraftCopyView, DeskError> {
    let marks = unfilled_labels(&input.text);
    if !marks.is_empty() && !input.confirm_unfilled {
        return Err(DeskError::Unfilled(marks.join("、")));
    }
    let kind = ScenarioKind::from_key(&input.kind).unwrap_or(ScenarioKind::Other);
    let lint = afterdesk_script::lint(&input.text, Some(kind))
        .iter()
        .map(|l| l.rule.key().to_owned())
        .collect();
    let copy = store.record_draft_copy(
        key,
        NewDraftCopy {
            kind,
            script_ids: input.script_ids.clone(),
            text: input.text.clone(),
            confirmed_unfilled: marks,
            lint,
        },
        agent,
        now,
    )?;
    Ok(DraftCopyView::from(&copy))
}

/// The drafts copied for a case, newest first.
pub fn draft_copies(store: &Store, key: &str) -> Result<Vec<DraftCopyView>, DeskError> {
    let mut list: Vec<DraftCopyView> = store
        .draft_copies(key)?
        .iter()
        .map(DraftCopyView::from)
        .collect();
    list.reverse();
    Ok(list)
}

/// One script in the library screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScriptView {
    /// Its id.
    pub id: String,
    /// The kind's key.
    pub kind: String,
    /// The kind's Chinese name.
    pub kind_name: String,
    /// The stage's key.
    pub stage: String,
    /// Simplified text.
    pub text: String,
    /// Traditional text.
    pub text_hant: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Tone note.
    pub tone: String,
    /// Whether drafts use it.
    pub enabled: bool,
    /// Current version.
    pub version: u32,
    /// `builtin` (as shipped), `builtin_edited`, `shop` or `import`.
    pub origin: String,
    /// Who saved the current version (empty for a shipped built-in).
    pub updated_by: String,
    /// When (empty for a shipped built-in).
    pub updated_at: String,
    /// The lint findings on its Simplified text, so a bad script shows in the library.
    pub lint: Vec<LintView>,
}

fn script_view(s: &Script, stored: Option<&StoredScript>) -> ScriptView {
    let origin = match stored.map(|st| st.origin) {
        None => "builtin",
        Some(ScriptOrigin::Builtin) => "builtin_edited",
        Some(ScriptOrigin::Shop) => "shop",
        Some(ScriptOrigin::Import) => "import",
    };
    ScriptView {
        id: s.id.clone(),
        kind: s.kind.key().to_owned(),
        kind_name: s.kind.zh_name().to_owned(),
        stage: s.stage.key().to_owned(),
        text: s.text.clone(),
        text_hant: s.text_hant.clone(),
        tags: s.tags.clone(),
        tone: s.tone.clone(),
        enabled: s.enabled,
        version: s.version,
        origin: origin.to_owned(),
        updated_by: stored.map(|st| st.updated_by.clone()).unwrap_or_default(),
        updated_at: stored
            .map(|st| china_rfc3339(st.updated_at))
            .unwrap_or_default(),
        lint: afterdesk_script::lint(&s.text, Some(s.kind))
            .iter()
            .map(LintView::from)
            .collect(),
    }
}

/// The library screen's filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScriptQueryInput {
    /// Words to find in the text (either script), tags, tone or id.
    pub search: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// Only these origins (`builtin`, `builtin_edited`, `shop`, `import`); all when empty.
    pub origins: Vec<String>,
}

/// The library screen: every script (built-in, edited, the shop's), filtered.
pub fn script_library(
    store: &Store,
    query: &ScriptQueryInput,
) -> Result<Vec<ScriptView>, DeskError> {
    let (library, stored) = library_and_stored(store)?;
    let needle = query
        .search
        .as_deref()
        .map(afterdesk_script::normalize)
        .filter(|n| !n.is_empty());
    Ok(library
        .scripts()
        .iter()
        .map(|s| script_view(s, stored.iter().find(|st| st.script.id == s.id)))
        .filter(|v| {
            query
                .kind
                .as_deref()
                .is_none_or(|k| k.is_empty() || v.kind == k)
        })
        .filter(|v| {
            query
                .stage
                .as_deref()
                .is_none_or(|k| k.is_empty() || v.stage == k)
        })
        .filter(|v| query.origins.is_empty() || query.origins.contains(&v.origin))
        .filter(|v| {
            needle.as_deref().is_none_or(|n| {
                [&v.text, &v.text_hant, &v.tone, &v.id, &v.kind_name]
                    .into_iter()
                    .chain(v.tags.iter())
                    .any(|field| afterdesk_script::normalize(field).contains(n))
            })
        })
        .collect())
}

/// A script as the editor saves it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScriptInput {
    /// The id of the script edited; `None` for a new one.
    pub id: Option<String>,
    /// The kind's key.
    pub kind: String,
    /// The stage's key.
    pub stage: String,
    /// Simplified text.
    pub text: String,
    /// Traditional text; made from the Simplified one when empty.
    pub text_hant: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Tone note.
    pub tone: String,
    /// Whether drafts use it.
    pub enabled: bool,
    /// The version the editor opened (refuses to overwrite a colleague's newer save).
    pub base_version: Option<u32>,
}

/// Saves a script from the editor: a new shop script, a new version of one, or the shop's
/// edit of a built-in script.
pub fn save_script(
    store: &mut Store,
    input: &ScriptInput,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ScriptView, DeskError> {
    let kind = ScenarioKind::from_key(&input.kind)
        .ok_or_else(|| DeskError::Invalid(format!("未知的售后类型“{}”", input.kind)))?;
    let stage = stage_of(Some(&input.stage))?.unwrap_or(Stage::FirstReply);
    let id = match input.id.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        Some(id) => id.to_owned(),
        None => format!("shop.{}", afterdesk_case::RecordId::new(now)),
    };
    let builtin = builtin_library()?.get(&id);
    let origin = if builtin.is_some() {
        ScriptOrigin::Builtin
    } else {
        ScriptOrigin::Shop
    };
    let script = Script {
        id,
        kind,
        stage,
        text: input.text.trim().to_owned(),
        text_hant: input.text_hant.trim().to_owned(),
        tags: input
            .tags
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        tone: input.tone.trim().to_owned(),
        enabled: input.enabled,
        version: 1,
    };
    let saved = store.save_script(script, origin, input.base_version, agent, now)?;
    Ok(script_view(&saved.script, Some(&saved)))
}

/// Turns a script on or off for drafts. A built-in script the shop never edited is stored
/// as the shop's edit with only the switch changed.
pub fn set_script_enabled(
    store: &mut Store,
    id: &str,
    enabled: bool,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ScriptView, DeskError> {
    let (current, base, origin) = match store.stored_script(id)? {
        Some(st) if st.deleted_at.is_none() => {
            let version = st.script.version;
            (st.script, Some(version), st.origin)
        }
        _ => match builtin_library()?.get(id) {
            Some(b) => (b.clone(), Some(b.version), ScriptOrigin::Builtin),
            None => return Err(afterdesk_store::StoreError::ScriptNotFound(id.to_owned()).into()),
        },
    };
    if current.enabled == enabled {
        let stored = store.stored_script(id)?;
        return Ok(script_view(&current, stored.as_ref()));
    }
    let saved = store.save_script(Script { enabled, ..current }, origin, base, agent, now)?;
    Ok(script_view(&saved.script, Some(&saved)))
}

/// Removes a shop script, or drops the shop's edit of a built-in script (the built-in
/// text comes back). `removed = false` undoes it.
pub fn remove_script(
    store: &mut Store,
    id: &str,
    removed: bool,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    store.remove_script(id, removed, agent, now)?;
    Ok(())
}

/// One saved version, for the script's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScriptVersionView {
    /// The version number.
    pub version: u32,
    /// Its Simplified text.
    pub text: String,
    /// Whether it was enabled.
    pub enabled: bool,
    /// Who saved it.
    pub changed_by: String,
    /// When.
    pub changed_at: String,
}

/// A script's saved versions, newest first.
pub fn script_history(store: &Store, id: &str) -> Result<Vec<ScriptVersionView>, DeskError> {
    let mut list: Vec<ScriptVersionView> = store
        .script_versions(id)?
        .into_iter()
        .map(|v| ScriptVersionView {
            version: v.script.version,
            text: v.script.text,
            enabled: v.script.enabled,
            changed_by: v.changed_by,
            changed_at: china_rfc3339(v.changed_at),
        })
        .collect();
    list.reverse();
    Ok(list)
}

/// A proposal in the import review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProposalView {
    /// `script`, `question` or `exercise`.
    pub item: String,
    /// The guessed kind's key (the reviewer may change it).
    pub kind: String,
    /// The stage for a script (`first_reply` unless the text reads as a closing).
    pub stage: String,
    /// How sure the kind guess is (0–1).
    pub confidence: f64,
    /// The text of a script; the stem of a question; the buyer's message of an exercise.
    pub text: String,
    /// A question's options as `A. text`; an exercise's model answer as one entry; the
    /// section heading a script was found under.
    pub details: Vec<String>,
    /// A question's answer letters.
    pub answer: String,
    /// Where it was found (first line, 1-based).
    pub line: u32,
    /// How many times it occurred in the material (repeats merged).
    pub occurrences: u32,
    /// Lint findings, for scripts.
    pub lint: Vec<LintView>,
    /// Whether the same text is already in the library (accepting it adds nothing).
    pub known: bool,
}

/// A skipped line in the import review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SkippedLineView {
    /// The line (1-based).
    pub line: u32,
    /// Its text.
    pub text: String,
    /// `noise`, `duplicate`, `heading` or `prose`.
    pub reason: String,
}

/// What an import of training material found, for the review screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScriptImportView {
    /// The file's name (or 粘贴的文字).
    pub source: String,
    /// Lines read.
    pub lines: u32,
    /// The proposals: scripts, then questions, then exercises.
    pub proposals: Vec<ProposalView>,
    /// Skipped lines counted by reason (`noise`, `duplicate`, `heading`, `prose`).
    pub skipped_counts: Vec<(String, u32)>,
    /// The first [`PREVIEWED_SKIPS`] skipped lines.
    pub skipped: Vec<SkippedLineView>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn key_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn import_view(source: String, report: ImportReport, library: &Library) -> ScriptImportView {
    let known: HashSet<String> = library
        .scripts()
        .iter()
        .flat_map(|s| {
            [
                afterdesk_script::normalize(&s.text),
                afterdesk_script::normalize(&s.text_hant),
            ]
        })
        .collect();
    let mut proposals = Vec::new();
    for s in &report.scripts {
        // The template is the text with the deck's stand-ins (XX先生, 单号:XXXXX) turned
        // into placeholders, so an accepted script fills from each case.
        let text = if s.template.trim().is_empty() {
            s.text.clone()
        } else {
            s.template.clone()
        };
        proposals.push(ProposalView {
            item: "script".to_owned(),
            kind: s.kind.key().to_owned(),
            stage: s.stage.key().to_owned(),
            confidence: s.confidence,
            details: s.section.iter().cloned().collect(),
            answer: String::new(),
            line: count(s.line),
            occurrences: count(s.occurrences),
            lint: s.lint.iter().map(LintView::from).collect(),
            known: known.contains(&afterdesk_script::normalize(&text)),
            text,
        });
    }
    for q in &report.questions {
        proposals.push(ProposalView {
            item: "question".to_owned(),
            kind: q.kind.key().to_owned(),
            stage: String::new(),
            confidence: 1.0,
            text: q.stem.clone(),
            details: q.options.iter().map(|(l, t)| format!("{l}. {t}")).collect(),
            answer: q.answer.iter().collect(),
            line: count(q.line),
            occurrences: 1,
            lint: Vec::new(),
            known: false,
        });
    }
    for e in &report.exercises {
        proposals.push(ProposalView {
            item: "exercise".to_owned(),
            kind: e.kind.key().to_owned(),
            stage: String::new(),
            confidence: 1.0,
            text: e.customer.clone(),
            details: e.agent.iter().cloned().collect(),
            answer: String::new(),
            line: count(e.line),
            occurrences: 1,
            lint: Vec::new(),
            known: false,
        });
    }
    let mut skipped_counts: Vec<(String, u32)> = report
        .skipped_counts
        .iter()
        .map(|(r, n)| (key_of(r), count(*n)))
        .collect();
    skipped_counts.sort();
    ScriptImportView {
        source,
        lines: count(report.lines),
        proposals,
        skipped_counts,
        skipped: report
            .skipped
            .iter()
            .take(PREVIEWED_SKIPS)
            .map(|s| SkippedLineView {
                line: count(s.line),
                text: s.text.clone(),
                reason: key_of(&s.reason),
            })
            .collect(),
    }
}

/// Reads a training file (.txt, .md, .docx, .pptx) into proposals for review; nothing is
/// stored until the reviewer accepts.
pub fn preview_script_import(store: &Store, path: &Path) -> Result<ScriptImportView, DeskError> {
    let text = import::read_file(path)?;
    let report = import::import_text(&text, classifier()?);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok(import_view(name, report, &shop_library(store)?))
}

/// Reads pasted training text into proposals for review.
pub fn preview_script_text(store: &Store, text: &str) -> Result<ScriptImportView, DeskError> {
    let report = import::import_text(text, classifier()?);
    Ok(import_view(
        "粘贴的文字".to_owned(),
        report,
        &shop_library(store)?,
    ))
}

/// What the reviewer accepted.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AcceptImportInput {
    /// The file the proposals came from.
    pub source: String,
    /// The accepted proposals, as edited in the review.
    pub proposals: Vec<ProposalView>,
}

/// What accepting stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AcceptImportView {
    /// New scripts.
    pub scripts: u32,
    /// New questions and exercises.
    pub training_items: u32,
    /// Accepted items already in the library or stored before, not added again.
    pub already_known: u32,
}

/// Stores the accepted proposals: scripts into the shop's library (as imported scripts,
/// enabled), questions and exercises as training items. A script whose text is already in
/// the library is not added twice.
pub fn accept_script_import(
    store: &mut Store,
    input: &AcceptImportInput,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<AcceptImportView, DeskError> {
    let library = shop_library(store)?;
    let mut known: HashSet<String> = library
        .scripts()
        .iter()
        .map(|s| afterdesk_script::normalize(&s.text))
        .collect();
    let mut scripts = Vec::new();
    let mut training = Vec::new();
    let mut already_known = 0u32;
    for p in &input.proposals {
        let kind = ScenarioKind::from_key(&p.kind).unwrap_or(ScenarioKind::Other);
        match p.item.as_str() {
            "script" => {
                let text = p.text.trim();
                if text.is_empty() || !known.insert(afterdesk_script::normalize(text)) {
                    already_known += 1;
                    continue;
                }
                let stage = stage_of(Some(&p.stage))?.unwrap_or(Stage::FirstReply);
                scripts.push(Script {
                    id: format!("import.{}", afterdesk_case::RecordId::new(now)),
                    kind,
                    stage,
                    text: text.to_owned(),
                    text_hant: String::new(),
                    tags: vec![format!("导入：{}", input.source)],
                    tone: String::new(),
                    enabled: true,
                    version: 1,
                });
            }
            "question" | "exercise" => {
                let question = p.item == "question";
                let body = if question {
                    serde_json::json!({"stem": p.text, "options": p.details, "answer": p.answer})
                } else {
                    serde_json::json!({"customer": p.text, "agent": p.details.first()})
                };
                training.push(NewTrainingItem {
                    item: if question {
                        TrainingItemKind::Question
                    } else {
                        TrainingItemKind::Exercise
                    },
                    kind,
                    body,
                    source: input.source.clone(),
                });
            }
            other => return Err(DeskError::Invalid(format!("未知的导入条目类型“{other}”"))),
        }
    }
    // Each script saves in its own transaction; a refusal names the script and stops
    // before the training items, and what was saved before it stays saved and is
    // reported by the library screen.
    let added_scripts = count(scripts.len());
    for script in scripts {
        let preview: String = script.text.chars().take(VARIANT_PREVIEW_CHARS).collect();
        store
            .save_script(script, ScriptOrigin::Import, None, agent, now)
            .map_err(|e| DeskError::Invalid(format!("话术“{preview}”无法保存：{e}")))?;
    }
    let training_total = count(training.len());
    let added_training = count(store.add_training_items(training, agent, now)?);
    Ok(AcceptImportView {
        scripts: added_scripts,
        training_items: added_training,
        already_known: already_known + (training_total - added_training),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use chrono::TimeZone;
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn demo() -> Store {
        let Ok(mut store) = Store::open_in_memory(DeviceId("test".to_owned())) else {
            panic!("in-memory store");
        };
        if let Err(e) = crate::demo_shop(&mut store, "小王", now()) {
            panic!("demo shop: {e}");
        }
        store
    }

    fn first_case(store: &Store) -> String {
        let query = afterdesk_store::CaseQuery {
            limit: 1,
            ..Default::default()
        };
        match store.list_cases(&query) {
            Ok(list) => list
                .cases
                .first()
                .map(|c| c.id.to_string())
                .unwrap_or_default(),
            Err(e) => panic!("list: {e}"),
        }
    }

    #[rstest]
    #[case::placeholder("请补发【待填：新运单号】", &[("placeholder", "新运单号", 3, 12)])]
    #[case::polish_marker("请拨打〔电话〕", &[("marker", "〔电话〕", 3, 7)])]
    #[case::astral_text_before("😀〔地址〕", &[("marker", "〔地址〕", 2, 6)])]
    #[case::other_brackets("〔注〕【优惠】", &[])]
    fn a_reply_check_carries_the_marks_in_utf16(
        #[case] text: &str,
        #[case] want: &[(&str, &str, u32, u32)],
    ) {
        let check = lint_reply(text, "");
        let got: Vec<(&str, &str, u32, u32)> = check
            .marks
            .iter()
            .map(|m| (m.kind.as_str(), m.label.as_str(), m.start, m.end))
            .collect();
        assert_eq!(
            got, want,
            "{text}: the placeholders and the polish's markers, spanned in UTF-16 units"
        );
    }

    #[test]
    fn every_demo_case_gets_a_draft_and_copying_records_the_script() {
        let mut store = demo();
        let key = first_case(&store);
        let draft = case_draft(&store, &key, &DraftOptions::default(), now());
        let Ok(draft) = draft else {
            panic!("a draft for the demo case: {draft:?}");
        };
        assert!(!draft.text.is_empty(), "the draft has text");
        assert!(!draft.variants.is_empty(), "the panel lists the variants");
        let input = CopyDraftInput {
            text: draft.text.clone(),
            kind: draft.kind.clone(),
            script_ids: draft.script_ids.clone(),
            confirm_unfilled: false,
        };
        let copied = copy_draft(&mut store, &key, &input, "小王", now());
        if draft.unfilled.is_empty() {
            assert!(copied.is_ok(), "a filled draft copies: {copied:?}");
        } else {
            assert!(
                matches!(copied, Err(DeskError::Unfilled(_))),
                "a draft with marks needs confirmation: {copied:?}"
            );
            let confirmed = copy_draft(
                &mut store,
                &key,
                &CopyDraftInput {
                    confirm_unfilled: true,
                    ..input
                },
                "小王",
                now(),
            );
            assert!(confirmed.is_ok(), "confirmed marks copy: {confirmed:?}");
        }
        let copies = draft_copies(&store, &key).unwrap_or_default();
        assert_eq!(
            copies.first().map(|c| c.script_ids.clone()),
            Some(draft.script_ids),
            "the copy names the script it came from"
        );
    }

    #[test]
    fn a_polished_text_with_redaction_markers_copies_only_once_filled_or_confirmed() {
        let mut store = demo();
        let key = first_case(&store);
        let input = CopyDraftInput {
            text: "亲，快递员会打您的〔电话〕，请留意。".to_owned(),
            kind: "not_received".to_owned(),
            script_ids: Vec::new(),
            confirm_unfilled: false,
        };
        let refused = copy_draft(&mut store, &key, &input, "小王", now());
        let Err(err) = refused else {
            panic!("a marker must block the copy: {refused:?}");
        };
        assert_eq!(err.code(), "draft_unfilled");
        assert!(err.to_string().contains("〔电话〕"), "{err}");
        let confirmed = copy_draft(
            &mut store,
            &key,
            &CopyDraftInput {
                confirm_unfilled: true,
                ..input.clone()
            },
            "小王",
            now(),
        );
        let Ok(confirmed) = confirmed else {
            panic!("confirmed, it copies: {confirmed:?}");
        };
        assert_eq!(confirmed.confirmed_unfilled, ["〔电话〕"]);
        let filled = CopyDraftInput {
            text: input.text.replace("〔电话〕", "手机"),
            ..input
        };
        assert!(copy_draft(&mut store, &key, &filled, "小王", now()).is_ok());
    }

    #[test]
    fn every_demo_case_and_every_variant_drafts_lint_clean() {
        let store = demo();
        let query = afterdesk_store::CaseQuery {
            limit: 1000,
            ..Default::default()
        };
        let cases = store
            .list_cases(&query)
            .map(|l| l.cases)
            .unwrap_or_default();
        assert!(!cases.is_empty(), "the demo shop has cases");
        for case in cases {
            let key = case.id.to_string();
            for traditional in [false, true] {
                let first = DraftOptions {
                    traditional,
                    ..Default::default()
                };
                let Ok(draft) = case_draft(&store, &key, &first, now()) else {
                    panic!("case {key} has no draft");
                };
                for pick in 0..u32::try_from(draft.variants.len()).unwrap_or(0) {
                    let options = DraftOptions {
                        pick,
                        traditional,
                        ..Default::default()
                    };
                    let Ok(d) = case_draft(&store, &key, &options, now()) else {
                        panic!("case {key} variant {pick}");
                    };
                    assert!(
                        d.lint.is_empty(),
                        "built-in draft {:?} for a {} case breaks the lint: {:?}",
                        d.script_ids,
                        d.kind,
                        d.lint
                    );
                }
            }
        }
    }

    #[test]
    fn a_shop_edit_replaces_the_builtin_in_drafts_and_removing_it_brings_the_builtin_back() {
        let mut store = demo();
        let Ok(builtin) = builtin_library() else {
            panic!("built-in library");
        };
        let Some(original) = builtin.scripts().first().cloned() else {
            panic!("a built-in script");
        };
        let input = ScriptInput {
            id: Some(original.id.clone()),
            kind: original.kind.key().to_owned(),
            stage: original.stage.key().to_owned(),
            text: "亲，非常抱歉，这是本店改过的话术。".to_owned(),
            text_hant: String::new(),
            tags: vec![],
            tone: String::new(),
            enabled: true,
            base_version: Some(original.version),
        };
        let saved = save_script(&mut store, &input, "店长", now());
        assert_eq!(
            saved.as_ref().map(|s| (s.origin.as_str(), s.version)).ok(),
            Some(("builtin_edited", original.version + 1)),
            "an edit of a built-in is the next version of it: {saved:?}"
        );
        let lib = shop_library(&store).unwrap_or_default();
        assert_eq!(
            lib.get(&original.id).map(|s| s.text.as_str()),
            Some("亲，非常抱歉，这是本店改过的话术。"),
            "the shop's edit replaces the built-in"
        );
        let _ = remove_script(&mut store, &original.id, true, "店长", now());
        let lib = shop_library(&store).unwrap_or_default();
        assert_eq!(
            lib.get(&original.id).map(|s| s.text.clone()),
            Some(original.text),
            "removing the edit brings the built-in back"
        );
    }

    #[test]
    fn disabling_a_builtin_takes_it_out_of_drafts_but_not_out_of_the_library_screen() {
        let mut store = demo();
        let Some(original) = builtin_library()
            .ok()
            .and_then(|l| l.scripts().first().cloned())
        else {
            panic!("a built-in script");
        };
        let off = set_script_enabled(&mut store, &original.id, false, "店长", now());
        assert!(off.is_ok_and(|v| !v.enabled), "the switch is stored");
        let lib = shop_library(&store).unwrap_or_default();
        assert!(
            !lib.candidates(original.kind, original.stage)
                .iter()
                .any(|s| s.id == original.id),
            "a disabled script is no draft candidate"
        );
        let screen = script_library(&store, &ScriptQueryInput::default()).unwrap_or_default();
        assert!(
            screen.iter().any(|s| s.id == original.id && !s.enabled),
            "the library screen still lists it, switched off"
        );
    }

    #[test]
    fn accepting_an_import_adds_scripts_once() {
        let mut store = demo();
        let text = "客服：亲，给您添麻烦了，我们马上为您补发缺少的配件。\n客服：亲，给您添麻烦了，我们马上为您补发缺少的配件。\n";
        let preview = preview_script_text(&store, text);
        let Ok(preview) = preview else {
            panic!("preview: {preview:?}");
        };
        assert_eq!(
            preview.proposals.len(),
            1,
            "repeats merge into one proposal"
        );
        let input = AcceptImportInput {
            source: "粘贴".to_owned(),
            proposals: preview.proposals.clone(),
        };
        let first = accept_script_import(&mut store, &input, "店长", now());
        let again = accept_script_import(&mut store, &input, "店长", now());
        assert_eq!(
            (
                first.map(|a| a.scripts).ok(),
                again.map(|a| (a.scripts, a.already_known)).ok()
            ),
            (Some(1), Some((0, 1))),
            "an accepted script is added once; accepting it again adds nothing"
        );
    }
}
