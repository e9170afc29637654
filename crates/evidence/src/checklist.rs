//! Evidence checklists: the proofs each situation needs, as bundled data, and which
//! situations a case is in.

use crate::unboxing::{UnboxingCheck, UnboxingRules};
use crate::{EvidenceError, Readiness};
use afterdesk_case::{Case, Proof, Reason, RecordId, ScenarioKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The bundled checklist templates.
const CHECKLISTS_TOML: &str = include_str!("../data/checklists.toml");
/// The bundled file's name, for error messages.
const CHECKLISTS_FILE: &str = "data/checklists.toml";

/// A check the program makes on an item's files beyond their presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemCheck {
    /// Duration and timeliness of an unboxing video ([`UnboxingCheck`]).
    UnboxingVideo,
}

/// One proof a situation asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// The stable key, `situation.item` (`signed_by_third_party.third_party_statement`):
    /// stored with each proof, never changed once shipped.
    pub key: String,
    /// The proof's name (签收底单).
    pub title: String,
    /// What makes it valid (快递公司公章（红章）而非财务章…).
    pub valid: String,
    /// Whether it counts towards readiness.
    pub required: bool,
    /// A check beyond presence, if any.
    pub check: Option<ItemCheck>,
}

/// A situation that calls for evidence (not received, counterfeit claim, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Situation {
    /// The stable key (`signed_by_self`).
    pub key: String,
    /// Its Chinese name.
    pub name: String,
    /// When it applies, in a sentence.
    pub when: String,
    /// The proofs it asks for, in the order to gather them.
    pub items: Vec<ChecklistItem>,
}

/// Every situation's checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// The data's version.
    pub version: u32,
    /// The situations, in the order of the data file.
    pub situations: Vec<Situation>,
}

/// The data file's shape: item keys are local to their situation there.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    version: u32,
    situation: Vec<SituationFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SituationFile {
    key: String,
    name: String,
    when: String,
    item: Vec<ItemFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    key: String,
    title: String,
    valid: String,
    required: bool,
    #[serde(default)]
    check: Option<ItemCheck>,
}

impl Checklist {
    /// The checklists bundled with this build.
    pub fn bundled() -> Result<Checklist, EvidenceError> {
        Checklist::parse(CHECKLISTS_TOML, CHECKLISTS_FILE)
    }

    /// Reads checklists from TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &'static str) -> Result<Checklist, EvidenceError> {
        let data: ChecklistFile =
            toml::from_str(text).map_err(|source| EvidenceError::BundledData { file, source })?;
        Ok(Checklist {
            version: data.version,
            situations: data
                .situation
                .into_iter()
                .map(|s| Situation {
                    items: s
                        .item
                        .into_iter()
                        .map(|i| ChecklistItem {
                            key: format!("{}.{}", s.key, i.key),
                            title: i.title,
                            valid: i.valid,
                            required: i.required,
                            check: i.check,
                        })
                        .collect(),
                    key: s.key,
                    name: s.name,
                    when: s.when,
                })
                .collect(),
        })
    }

    /// The situation with this key.
    pub fn situation(&self, key: &str) -> Option<&Situation> {
        self.situations.iter().find(|s| s.key == key)
    }

    /// The item with this full key (`situation.item`).
    pub fn item(&self, key: &str) -> Option<&ChecklistItem> {
        self.situations
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.key == key)
    }

    /// The situations a case is in (see [`situations_for`]), in data order.
    pub fn for_case(&self, case: &Case) -> Vec<&Situation> {
        let keys = situations_for(case);
        self.situations
            .iter()
            .filter(|s| keys.contains(&s.key.as_str()))
            .collect()
    }
}

/// Words in the buyer's text or the shop's tags that say someone else signed for the
/// parcel (family, a doorman, a parcel station or locker).
const THIRD_PARTY_WORDS: &[&str] = &["他人代签", "代签", "代收", "驿站", "快递柜", "丰巢", "门卫"];

/// Tags a shop puts on a case when it refused a damaged return parcel.
const REFUSED_RETURN_TAGS: &[&str] = &["拒收", "退货破损", "拒收破损"];

/// Tags that mark a suspected swapped return even outside a return flow.
const SWAP_TAGS: &[&str] = &["调包", "掉包"];

/// Which situations (data keys) a case is in, from its kind, reason, facts and tags.
///
/// * Not received (kind, or the reason once the platform shows a signing): signed by the
///   buyer, or by a third party when the buyer's words or a tag say so (代签, 驿站, …).
/// * Counterfeit claim (kind or reason).
/// * Any flow where goods come back (return needed, return, exchange, repair, a return
///   shipped or received): the unboxing proofs against a swapped or damaged return.
/// * A refused damaged return: tagged by the shop (拒收, 退货破损), since no export
///   field records the refusal.
/// * Quality, not-as-described or damaged goods (kind or reason).
pub fn situations_for(case: &Case) -> Vec<&'static str> {
    use ScenarioKind as K;
    let facts = &case.facts;
    let reason = facts.reason();
    let tagged = |words: &[&str]| {
        case.tags
            .iter()
            .any(|t| words.iter().any(|w| t.contains(w)))
    };
    let said = |words: &[&str]| {
        [&facts.buyer_note, &facts.reason_text]
            .into_iter()
            .flatten()
            .any(|text| words.iter().any(|w| text.contains(w)))
    };
    let mut keys = Vec::new();
    let not_received =
        case.kind == K::NotReceived || (reason == Reason::NotReceived && facts.signed_at.is_some());
    if not_received {
        if tagged(THIRD_PARTY_WORDS) || said(THIRD_PARTY_WORDS) {
            keys.push("signed_by_third_party");
        } else {
            keys.push("signed_by_self");
        }
    }
    if case.kind == K::CounterfeitClaim || reason == Reason::Counterfeit {
        keys.push("counterfeit");
    }
    if tagged(REFUSED_RETURN_TAGS) {
        keys.push("damaged_return_refusal");
    }
    let goods_come_back = facts.return_needed == Some(true)
        || matches!(
            case.kind,
            K::ReturnRefund | K::ReturnNoReason | K::Exchange | K::Repair
        )
        || facts.return_shipped_at.is_some()
        || facts.return_received_at.is_some();
    if goods_come_back || tagged(SWAP_TAGS) {
        keys.push("swapped_return");
    }
    if matches!(
        case.kind,
        K::QualityIssue | K::NotAsDescribed | K::DamagedInTransit
    ) || matches!(
        reason,
        Reason::Quality | Reason::NotAsDescribed | Reason::Damaged
    ) {
        keys.push("quality_claim");
    }
    keys
}

/// One checklist item with the proofs attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemProofs {
    /// The item.
    pub item: ChecklistItem,
    /// Its live proofs, oldest first.
    pub proofs: Vec<Proof>,
}

/// One situation with its items' proofs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SituationProofs {
    /// The situation's key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// When it applies.
    pub when: String,
    /// Its items and their proofs.
    pub items: Vec<ItemProofs>,
}

/// Everything the desk shows about a case's evidence: its checklists with attached proofs,
/// proofs not yet assigned to an item, readiness and the unboxing-video checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvidence {
    /// The case.
    pub case_id: RecordId,
    /// Its situations' checklists with proofs.
    pub situations: Vec<SituationProofs>,
    /// Proofs attached without an item, or to an item none of the case's situations has
    /// (the case's kind changed since): kept and packaged, counted towards nothing.
    pub unassigned: Vec<Proof>,
    /// How many required proofs are there.
    pub readiness: Readiness,
    /// One check per video attached to an unboxing-video item.
    pub unboxing: Vec<UnboxingCheck>,
}

impl CaseEvidence {
    /// Joins a case's checklists and its live proofs.
    ///
    /// `deadline` is the end of the evidence period when the clocks engine knows it;
    /// readiness is complete without it.
    pub fn build(
        checklist: &Checklist,
        case: &Case,
        proofs: &[Proof],
        rules: &UnboxingRules,
        deadline: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> CaseEvidence {
        let situations: Vec<SituationProofs> = checklist
            .for_case(case)
            .into_iter()
            .map(|s| SituationProofs {
                key: s.key.clone(),
                name: s.name.clone(),
                when: s.when.clone(),
                items: s
                    .items
                    .iter()
                    .map(|item| ItemProofs {
                        item: item.clone(),
                        proofs: proofs
                            .iter()
                            .filter(|p| p.deleted_at.is_none())
                            .filter(|p| p.item.as_deref() == Some(item.key.as_str()))
                            .cloned()
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let known = |key: &str| {
            situations
                .iter()
                .flat_map(|s| &s.items)
                .any(|i| i.item.key == key)
        };
        let unassigned = proofs
            .iter()
            .filter(|p| p.deleted_at.is_none())
            .filter(|p| !p.item.as_deref().is_some_and(known))
            .cloned()
            .collect();
        let unboxing = situations
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.item.check == Some(ItemCheck::UnboxingVideo))
            .flat_map(|i| &i.proofs)
            .map(|p| UnboxingCheck::of(p, case.facts.return_received_at, rules))
            .collect();
        let readiness = Readiness::of(&situations, deadline, now);
        CaseEvidence {
            case_id: case.id,
            situations,
            unassigned,
            readiness,
            unboxing,
        }
    }

    /// The item keys a proof for this case may name.
    pub fn item_keys(&self) -> Vec<&str> {
        self.situations
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| i.item.key.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use afterdesk_case::{CaseFacts, DeviceId, KindSource, Platform};
    use rstest::rstest;

    pub(crate) fn case(kind: ScenarioKind, facts: CaseFacts, tags: &[&str]) -> Case {
        Case {
            id: RecordId::new(DateTime::UNIX_EPOCH),
            platform: Platform::Taobao,
            facts,
            kind,
            kind_source: KindSource::Derived,
            flag: None,
            assignee: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            open: true,
            origin: String::new(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            updated_by: DeviceId("d".to_owned()),
            deleted_at: None,
        }
    }

    #[test]
    fn bundled_checklists_parse_and_cover_every_mapped_situation() {
        let checklist = Checklist::bundled().unwrap();
        for key in [
            "signed_by_self",
            "signed_by_third_party",
            "counterfeit",
            "damaged_return_refusal",
            "swapped_return",
            "quality_claim",
        ] {
            let situation = checklist.situation(key);
            assert!(situation.is_some(), "situation {key} must be in the data");
            assert!(
                situation.is_some_and(|s| s.items.iter().any(|i| i.required)),
                "situation {key} must require at least one proof"
            );
        }
        let mut keys: Vec<&str> = checklist
            .situations
            .iter()
            .flat_map(|s| &s.items)
            .map(|i| i.key.as_str())
            .collect();
        let count = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), count, "item keys must be unique");
    }

    #[test]
    fn the_third_party_statement_names_the_red_seal() {
        let checklist = Checklist::bundled().unwrap();
        let item = checklist
            .item("signed_by_third_party.third_party_statement")
            .unwrap();
        assert!(
            item.valid.contains("红章") && item.valid.contains("财务章"),
            "{}",
            item.valid
        );
        let video = checklist.item("swapped_return.unboxing_video").unwrap();
        assert_eq!(video.check, Some(ItemCheck::UnboxingVideo));
        assert!(video.valid.contains("六个面"), "{}", video.valid);
    }

    #[test]
    fn a_broken_file_names_the_file_and_line() {
        let error =
            Checklist::parse("version = 1\n[[situation]]\nkey = 3\n", "bad.toml").unwrap_err();
        let text = format!(
            "{error}: {:?}",
            std::error::Error::source(&error).map(|s| s.to_string())
        );
        assert!(
            text.contains("bad.toml") && text.contains("line 3"),
            "{text}"
        );
    }

    fn facts(reason: &str) -> CaseFacts {
        CaseFacts {
            reason_text: Some(reason.to_owned()),
            ..CaseFacts::default()
        }
    }

    #[rstest]
    #[case::not_received(ScenarioKind::NotReceived, facts("未收到货"), &[], &["signed_by_self"])]
    #[case::parcel_station(
        ScenarioKind::NotReceived,
        CaseFacts { buyer_note: Some("快递放驿站了我没拿到".to_owned()), ..facts("未收到货") },
        &[],
        &["signed_by_third_party"]
    )]
    #[case::tagged_third_party(ScenarioKind::NotReceived, facts("未收到货"), &["他人代签"], &["signed_by_third_party"])]
    #[case::counterfeit(ScenarioKind::CounterfeitClaim, facts("假冒品牌"), &[], &["counterfeit"])]
    #[case::return_quality(
        ScenarioKind::QualityIssue,
        CaseFacts { return_needed: Some(true), ..facts("质量问题") },
        &[],
        &["swapped_return", "quality_claim"]
    )]
    #[case::no_reason_return(ScenarioKind::ReturnNoReason, facts("七天无理由"), &[], &["swapped_return"])]
    #[case::refused_damaged(ScenarioKind::ReturnRefund, facts("不想要了"), &["拒收破损"], &["damaged_return_refusal", "swapped_return"])]
    #[case::unshipped(ScenarioKind::RefundUnshipped, facts("拍错"), &[], &[])]
    fn cases_map_to_their_situations(
        #[case] kind: ScenarioKind,
        #[case] facts: CaseFacts,
        #[case] tags: &[&str],
        #[case] want: &[&str],
    ) {
        let case = case(kind, facts, tags);
        let checklist = Checklist::bundled().unwrap();
        let got: Vec<&str> = checklist
            .for_case(&case)
            .iter()
            .map(|s| s.key.as_str())
            .collect();
        assert_eq!(
            got, want,
            "kind {kind} tags {tags:?} must need exactly these checklists"
        );
    }
}
