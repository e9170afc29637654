//! The lint: rules every reply must pass before it is copied to the buyer (brief §8).

use crate::normalize::normalize;
use afterdesk_case::ScenarioKind;
use serde::Serialize;

/// What a lint finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintRule {
    /// Pushes the problem onto the courier ("the courier lost it, claim from them").
    BlameCourier,
    /// Pushes the problem onto the buyer ("you didn't fill in the tracking number").
    BlameBuyer,
    /// Refuses responsibility ("not our problem").
    NotOurProblem,
    /// Threatens the buyer.
    Threat,
    /// Asks the buyer to change the refund reason.
    RefundReason,
    /// The scenario needs an apology and the text has none.
    MissingApology,
    /// Promises a refund, an exchange or money before the goods are inspected.
    PromiseBeforeInspection,
}

impl LintRule {
    /// The stable key used in JSON.
    pub fn key(self) -> &'static str {
        match self {
            LintRule::BlameCourier => "blame_courier",
            LintRule::BlameBuyer => "blame_buyer",
            LintRule::NotOurProblem => "not_our_problem",
            LintRule::Threat => "threat",
            LintRule::RefundReason => "refund_reason",
            LintRule::MissingApology => "missing_apology",
            LintRule::PromiseBeforeInspection => "promise_before_inspection",
        }
    }
}

/// One finding: which rule and a message for the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// The rule.
    pub rule: LintRule,
    /// What is wrong and what to do, in Chinese for the agent.
    pub message: String,
}

/// Forbidden phrases, in normalised Simplified form (no punctuation or spaces), by rule.
///
/// Phrases rather than single words: "快递" alone is everywhere in good replies; what the
/// decks forbid is handing the problem to the courier or the buyer.
const FORBIDDEN: &[(LintRule, &[&str], &str)] = &[
    (
        LintRule::BlameCourier,
        &[
            "快递弄丢",
            "快递丢的",
            "快递的问题",
            "快递的责任",
            "是快递的错",
            "您找快递",
            "你找快递",
            "去找快递",
            "自己联系快递",
            "去问快递",
            "问快递去",
            "找快递索赔",
            "向快递索赔吧",
            "快递公司的事",
            "快递那边的事",
            "怪快递",
        ],
        "不要把问题推给快递：先道歉，由店铺去和快递沟通或索赔。",
    ),
    (
        LintRule::BlameBuyer,
        &[
            "您自己的问题",
            "你自己的问题",
            "是您的问题",
            "是你的问题",
            "您没填",
            "你没填",
            "您自己弄坏",
            "你自己弄坏",
            "您操作不当",
            "你操作不当",
            "您自己没看",
            "你自己没看",
            "谁让你",
            "谁让您",
            "怪您自己",
            "怪你自己",
            "您的责任",
            "你的责任",
        ],
        "不要指责买家：说明情况并给出解决办法。",
    ),
    (
        LintRule::NotOurProblem,
        &[
            "不关我们的事",
            "不关我们事",
            "与我们无关",
            "和我们无关",
            "跟我们没关系",
            "和我们没关系",
            "不是我们的问题",
            "不是我们的责任",
            "不是我们的错",
            "我们不负责",
            "概不负责",
            "我们管不了",
        ],
        "不要说“不关我们的事”之类的话：先承担，再解决。",
    ),
    (
        LintRule::Threat,
        &[
            "拉黑",
            "后果自负",
            "起诉你",
            "告你",
            "走着瞧",
            "你别想",
            "恶意",
            "敲诈",
            "举报你",
            "你等着",
            "您等着瞧",
        ],
        "不要威胁买家。",
    ),
    (
        LintRule::RefundReason,
        &[
            "改退款原因",
            "修改退款原因",
            "改一下退款原因",
            "退款原因改",
            "更改退款原因",
            "换个退款原因",
            "原因改成",
            "原因改为",
            "改成七天无理由",
            "改成无理由",
            "选七天无理由",
            "改下原因",
            "把原因改",
            "改一下原因",
        ],
        "不要要求买家修改退款原因（平台禁止诱导买家改原因）。",
    ),
];

/// Words that make a text an apology.
const APOLOGY: &[&str] = &[
    "抱歉",
    "对不起",
    "不好意思",
    "歉意",
    "道歉",
    "致歉",
    "添麻烦",
    "添了麻烦",
];

/// Words that promise an outcome firmly.
const FIRM: &[&str] = &[
    "保证", "一定", "肯定", "绝对", "包您", "马上", "立刻", "立即", "直接",
];

/// Outcomes that must wait for the inspection of the goods.
const OUTCOME: &[&str] = &[
    "退款",
    "退钱",
    "全额",
    "换新",
    "换货",
    "赔",
    "退给您",
    "补偿",
];

/// Words that make a promise conditional on the inspection.
const INSPECTION: &[&str] = &[
    "验货",
    "检查",
    "检测",
    "核实",
    "确认后",
    "收到后",
    "看过",
    "核对",
    "验收",
    "收到退货",
    "仓库收到",
    "如果",
    "符合",
];

/// The kinds whose goods the shop must see before promising an outcome.
const INSPECTED_KINDS: &[ScenarioKind] = &[
    ScenarioKind::ReturnRefund,
    ScenarioKind::ReturnNoReason,
    ScenarioKind::Exchange,
    ScenarioKind::QualityIssue,
    ScenarioKind::NotAsDescribed,
    ScenarioKind::Repair,
    ScenarioKind::CounterfeitClaim,
    ScenarioKind::RefundOnlyReceived,
];

/// Whether replies in this scenario must apologise (brief §8: quality, wrong or missing
/// items, courier trouble, late shipping, and every complaint).
pub fn needs_apology(kind: ScenarioKind) -> bool {
    use ScenarioKind as K;
    matches!(
        kind,
        K::QualityIssue
            | K::WrongOrMissingItem
            | K::DamagedInTransit
            | K::LogisticsDelay
            | K::NotReceived
            | K::DelayedShipping
            | K::NotAsDescribed
            | K::Reship
            | K::Repair
            | K::Complaint
            | K::ComplaintThreat
            | K::BadReview
    )
}

/// Checks a reply (a draft or anything the agent typed) in either script of Chinese.
///
/// With a kind, the scenario's own rules apply too (a missing apology, a promise before
/// inspection); without one, only the forbidden phrases and the promise rule are checked.
pub fn lint(text: &str, kind: Option<ScenarioKind>) -> Vec<Lint> {
    let flat = normalize(text);
    let mut found = Vec::new();
    for (rule, phrases, message) in FORBIDDEN {
        if let Some(p) = phrases.iter().find(|p| flat.contains(*p)) {
            found.push(Lint {
                rule: *rule,
                message: format!("{message}（“{p}”）"),
            });
        }
    }
    if kind.is_some_and(needs_apology) && !APOLOGY.iter().any(|a| flat.contains(a)) {
        found.push(Lint {
            rule: LintRule::MissingApology,
            message: "这个场景需要先向买家道歉（如“非常抱歉给您添麻烦了”）。".to_owned(),
        });
    }
    if kind.is_none_or(|k| INSPECTED_KINDS.contains(&k)) {
        let simplified = crate::normalize::to_simplified(text);
        let promise = simplified
            .split(['。', '！', '!', '？', '?', '；', ';', '\n'])
            .map(normalize)
            .find(|s| {
                FIRM.iter().any(|w| s.contains(w))
                    && OUTCOME.iter().any(|w| s.contains(w))
                    && !INSPECTION.iter().any(|w| s.contains(w))
            });
        if let Some(sentence) = promise {
            found.push(Lint {
                rule: LintRule::PromiseBeforeInspection,
                message: format!(
                    "收到并检查商品之前不要承诺退款、换货或赔偿，可改为“收到商品检查后为您处理”（“{sentence}”）。"
                ),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(
        "这是快递弄丢的，您找快递索赔吧",
        Some(ScenarioKind::Other),
        LintRule::BlameCourier
    )]
    #[case(
        "單號是你沒填，不是我們的錯",
        Some(ScenarioKind::Other),
        LintRule::BlameBuyer
    )]
    #[case("这个不关我们的事哦", None, LintRule::NotOurProblem)]
    #[case("再这样就拉黑你", None, LintRule::Threat)]
    #[case("您把退款原因改成七天无理由就能马上退", None, LintRule::RefundReason)]
    #[case(
        "您好，我们会给您补发。",
        Some(ScenarioKind::WrongOrMissingItem),
        LintRule::MissingApology
    )]
    #[case(
        "非常抱歉，我们保证马上全额退款给您",
        Some(ScenarioKind::QualityIssue),
        LintRule::PromiseBeforeInspection
    )]
    fn bad_replies_are_caught(
        #[case] text: &str,
        #[case] kind: Option<ScenarioKind>,
        #[case] want: LintRule,
    ) {
        let found = lint(text, kind);
        assert!(
            found.iter().any(|l| l.rule == want),
            "“{text}” must break {want:?}, found {found:?}"
        );
    }

    #[rstest]
    #[case(
        "非常抱歉给您添麻烦了，收到商品检查后马上为您退款。",
        ScenarioKind::QualityIssue
    )]
    #[case("您好，订单还没发出，马上为您退款。", ScenarioKind::RefundUnshipped)]
    #[case(
        "很抱歉，我们来和快递核实，您不用再跑一趟。",
        ScenarioKind::NotReceived
    )]
    fn good_replies_pass(#[case] text: &str, #[case] kind: ScenarioKind) {
        let found = lint(text, Some(kind));
        assert!(found.is_empty(), "a good reply has no finding: {found:?}");
    }
}
