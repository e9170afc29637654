//! The buyer-message classifier: keyword rules plus a vote of the nearest labelled
//! examples over character n-grams. Offline and deterministic.

use crate::normalize::normalize;
use afterdesk_case::ScenarioKind;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The classifier's built-in knowledge (`data/classifier.toml`).
const BUILTIN: &str = include_str!("../data/classifier.toml");

/// How much the nearest example counts against the rules: a message identical to an
/// example scores as much as one strong keyword (4), so examples settle messages the rules
/// miss (typos, paraphrases) without outvoting a clear keyword.
const EXAMPLE_WEIGHT: f64 = 4.0;

/// The score "other" starts with, so a message that matches nothing (a greeting, a typo
/// storm) falls back to "other" instead of to whichever kind happens to come first.
const OTHER_PRIOR: f64 = 1.5;

/// The softmax temperature turning scores into confidences: at 1.5 a lead of one strong
/// keyword (4 points) gives about 93 % against a single rival, which matches how sure an
/// agent is when a message names its problem outright.
const TEMPERATURE: f64 = 1.5;

/// Why the classifier's data could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    /// The TOML does not parse.
    #[error("分类器数据格式错误：{0}")]
    Toml(#[source] toml::de::Error),
    /// A kind key is not a scenario kind.
    #[error("分类器数据里的售后类型“{0}”不认识")]
    UnknownKind(String),
    /// A rule is not `pattern:weight`.
    #[error("分类器规则“{0}”应写成“关键词:权重”")]
    BadRule(String),
}

#[derive(Deserialize)]
struct File {
    kind: Vec<KindData>,
}

#[derive(Deserialize)]
struct KindData {
    key: String,
    rules: Vec<String>,
    /// Rules that only count for the agent's side of the conversation (a training deck's
    /// reply scripts), where the scenario shows in what the shop says it will do.
    #[serde(default)]
    reply_rules: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
}

/// One keyword rule: every part must occur, no excluded part may.
#[derive(Debug, Clone)]
struct Rule {
    parts: Vec<String>,
    /// Parts written `!…`: the rule does not fire when one of them occurs, so "发出+退款"
    /// can leave "还没发出" to the refund-before-shipping kind.
    not: Vec<String>,
    weight: f64,
}

impl Rule {
    fn parse(text: &str) -> Result<Self, ClassifierError> {
        let bad = || ClassifierError::BadRule(text.to_owned());
        let (pattern, weight) = text.rsplit_once(':').ok_or_else(bad)?;
        let weight: f64 = weight.parse().map_err(|_| bad())?;
        let (mut parts, mut not) = (Vec::new(), Vec::new());
        for part in pattern.split('+') {
            match part.strip_prefix('!') {
                Some(p) => not.push(normalize(p)),
                None => parts.push(normalize(part)),
            }
        }
        if parts.iter().chain(&not).any(String::is_empty) {
            return Err(bad());
        }
        Ok(Self { parts, not, weight })
    }

    fn fires(&self, flat: &str) -> bool {
        self.parts.iter().all(|p| flat.contains(p.as_str()))
            && !self.not.iter().any(|p| flat.contains(p.as_str()))
    }
}

#[derive(Debug, Clone)]
struct KindModel {
    kind: ScenarioKind,
    rules: Vec<Rule>,
    reply_rules: Vec<Rule>,
    examples: Vec<HashSet<String>>,
}

/// Whose words are classified: the buyer's message, or a reply the shop sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Buyer,
    Shop,
}

/// One alternative kind with its confidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alternative {
    /// The kind.
    pub kind: ScenarioKind,
    /// From 0 to 1.
    pub confidence: f64,
}

/// The classifier's answer: the best kind and the next two.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// The best kind.
    pub kind: ScenarioKind,
    /// Its confidence, from 0 to 1.
    pub confidence: f64,
    /// The next two kinds, best first.
    pub alternatives: Vec<Alternative>,
}

/// Classifies buyers' messages into scenario kinds.
#[derive(Debug, Clone)]
pub struct Classifier {
    kinds: Vec<KindModel>,
}

/// Character unigrams and bigrams of a normalised text: robust to a wrong character
/// (a typo breaks two bigrams, not the whole word) and needs no dictionary.
fn grams(text: &str) -> HashSet<String> {
    let chars: Vec<char> = normalize(text).chars().collect();
    let mut out: HashSet<String> = chars.iter().map(|c| c.to_string()).collect();
    out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    out
}

/// The cosine of two n-gram sets.
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count() as f64;
    common / ((a.len() as f64).sqrt() * (b.len() as f64).sqrt())
}

impl Classifier {
    /// The built-in classifier.
    pub fn builtin() -> Result<Self, ClassifierError> {
        Self::from_toml(BUILTIN)
    }

    /// Reads a classifier from TOML shaped like `data/classifier.toml`.
    pub fn from_toml(text: &str) -> Result<Self, ClassifierError> {
        let file: File = toml::from_str(text).map_err(ClassifierError::Toml)?;
        let mut kinds = Vec::new();
        for k in file.kind {
            let kind = ScenarioKind::from_key(&k.key)
                .ok_or_else(|| ClassifierError::UnknownKind(k.key.clone()))?;
            let parse = |rules: &[String]| {
                rules
                    .iter()
                    .map(|r| Rule::parse(r))
                    .collect::<Result<Vec<_>, ClassifierError>>()
            };
            let examples = k.examples.iter().map(|e| grams(e)).collect();
            kinds.push(KindModel {
                kind,
                rules: parse(&k.rules)?,
                reply_rules: parse(&k.reply_rules)?,
                examples,
            });
        }
        // Declaration order of the kinds breaks ties, whatever order the file has.
        kinds.sort_by_key(|k| ScenarioKind::ALL.iter().position(|a| *a == k.kind));
        Ok(Self { kinds })
    }

    /// Every kind's raw score for a message, in kind declaration order.
    fn scores(&self, message: &str, side: Side) -> Vec<(ScenarioKind, f64)> {
        let flat = normalize(message);
        let g = grams(message);
        self.kinds
            .iter()
            .map(|k| {
                let reply_rules: &[Rule] = match side {
                    Side::Buyer => &[],
                    Side::Shop => &k.reply_rules,
                };
                let rules: f64 = k
                    .rules
                    .iter()
                    .chain(reply_rules)
                    .filter(|r| r.fires(&flat))
                    .map(|r| r.weight)
                    .sum();
                let nearest = k
                    .examples
                    .iter()
                    .map(|e| similarity(&g, e))
                    .fold(0.0, f64::max);
                let prior = if k.kind == ScenarioKind::Other {
                    OTHER_PRIOR
                } else {
                    0.0
                };
                (k.kind, rules + EXAMPLE_WEIGHT * nearest + prior)
            })
            .collect()
    }

    /// Classifies a buyer's message (Simplified or Traditional, emoji and typos allowed).
    pub fn classify(&self, message: &str) -> Classification {
        answer(self.scores(message, Side::Buyer))
    }

    /// Classifies a reply the shop sends (a script from a training deck): the buyer's
    /// rules still apply, because replies repeat the buyer's problem ("您收到的商品有破损"),
    /// and the reply rules add what only the shop says ("为您补发", "情绪激动").
    pub fn classify_reply(&self, reply: &str) -> Classification {
        answer(self.scores(reply, Side::Shop))
    }
}

/// Turns raw scores into the best kind and the next two, with softmax confidences.
fn answer(mut scored: Vec<(ScenarioKind, f64)>) -> Classification {
    let top = scored.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let total: f64 = scored
        .iter()
        .map(|s| ((s.1 - top) / TEMPERATURE).exp())
        .sum();
    // Stable sort: equal scores keep declaration order, so the answer is deterministic.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let conf = |s: f64| {
        let c = ((s - top) / TEMPERATURE).exp() / total;
        (c * 1000.0).round() / 1000.0
    };
    let (kind, score) = scored
        .first()
        .copied()
        .unwrap_or((ScenarioKind::Other, 0.0));
    Classification {
        kind,
        confidence: conf(score),
        alternatives: scored
            .iter()
            .skip(1)
            .take(2)
            .map(|(kind, s)| Alternative {
                kind: *kind,
                confidence: conf(*s),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("能開發票嗎？", ScenarioKind::Invoice)]
    #[case("在吗", ScenarioKind::Other)]
    #[case("😭😭😭", ScenarioKind::Other)]
    #[case("刚买就降价了，差价退我", ScenarioKind::PriceDrop)]
    fn obvious_messages_classify(#[case] message: &str, #[case] want: ScenarioKind) {
        let Ok(c) = Classifier::builtin() else {
            panic!("built-in classifier");
        };
        let got = c.classify(message);
        assert_eq!(
            got.kind, want,
            "“{message}” names its kind outright: {got:?}"
        );
        assert_eq!(
            got.alternatives.len(),
            2,
            "two alternatives are always given"
        );
        assert!(
            got.alternatives
                .iter()
                .all(|a| a.confidence <= got.confidence),
            "alternatives are never more likely than the answer"
        );
    }
}
