//! Drafts: a script chosen for a case and filled with its facts.

use crate::{
    Classification, Classifier, Compensation, Ladder, Library, Lint, Script, Stage, Variant, lint,
};
use afterdesk_case::time::china;
use afterdesk_case::{Case, Fen, KindSource, RefundStatus, ScenarioKind};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How far ahead a draft promises the next answer when the agent gives no deadline: the
/// decks teach a concrete time, and 24 hours is the platform's own first-response window.
pub const DEFAULT_PROMISE: Duration = Duration::hours(24);

/// A classification of the buyer's message at least this sure replaces the case's derived
/// kind: the message says what the buyer asks now (often "where is my refund" on a return
/// case), while a weaker guess should not override the platform's fields.
pub const MESSAGE_OVERRIDE: f64 = 0.6;

/// A fact a script can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// 买家昵称.
    BuyerNick,
    /// 订单号.
    OrderNo,
    /// 快递公司.
    Courier,
    /// 运单号.
    Waybill,
    /// 金额（元）.
    Amount,
    /// 答复期限.
    Deadline,
    /// 签收人.
    Signer,
    /// 签收时间.
    SignedAt,
    /// 新运单号（换货、补发）.
    NewWaybill,
}

const ALL: &[(Placeholder, &str, &str)] = &[
    (Placeholder::BuyerNick, "buyer_nick", "买家昵称"),
    (Placeholder::OrderNo, "order_no", "订单号"),
    (Placeholder::Courier, "courier", "快递公司"),
    (Placeholder::Waybill, "waybill", "运单号"),
    (Placeholder::Amount, "amount", "金额"),
    (Placeholder::Deadline, "deadline", "答复时间"),
    (Placeholder::Signer, "signer", "签收人"),
    (Placeholder::SignedAt, "signed_at", "签收时间"),
    (Placeholder::NewWaybill, "new_waybill", "新运单号"),
];

impl Placeholder {
    /// Looks a placeholder up by the name written in braces.
    pub fn from_name(name: &str) -> Option<Self> {
        ALL.iter().find(|p| p.1 == name).map(|p| p.0)
    }

    /// The name written in braces.
    pub fn name(self) -> &'static str {
        ALL.iter().find(|p| p.0 == self).map_or("", |p| p.1)
    }

    /// The Chinese label shown in the visible mark of an unfilled placeholder.
    pub fn label(self) -> &'static str {
        ALL.iter().find(|p| p.0 == self).map_or("", |p| p.2)
    }

    /// The visible mark left in a draft for a fact the case does not have.
    pub fn mark(self) -> String {
        format!(
            "{}{}{}",
            crate::UNFILLED_MARK,
            self.label(),
            crate::UNFILLED_MARK_END
        )
    }
}

/// The names between braces in a script text, in order of appearance.
pub(crate) fn placeholder_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        out.push(after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

/// What the agent asks a draft for.
#[derive(Debug, Clone)]
pub struct DraftRequest<'a> {
    /// The case.
    pub case: &'a Case,
    /// The buyer's latest message, if any.
    pub message: Option<&'a str>,
    /// The current instant (deadlines are counted from it).
    pub now: DateTime<Utc>,
    /// The stage; derived from the case's status when absent.
    pub stage: Option<Stage>,
    /// Which of the candidate scripts to use (wraps around), for "another variant".
    pub pick: usize,
    /// Simplified or Traditional; a Traditional message makes it Traditional.
    pub variant: Variant,
    /// The promised time; `now` + [`DEFAULT_PROMISE`] when absent.
    pub deadline: Option<DateTime<Utc>>,
    /// Facts the export does not carry, given by the agent.
    pub signer: Option<String>,
    /// The new waybill of an exchange or reshipment.
    pub new_waybill: Option<String>,
    /// An amount already on the table for the compensation ladder.
    pub compensation: Option<Fen>,
}

impl<'a> DraftRequest<'a> {
    /// A request with defaults for everything but the case and the clock.
    pub fn new(case: &'a Case, now: DateTime<Utc>) -> Self {
        Self {
            case,
            message: None,
            now,
            stage: None,
            pick: 0,
            variant: Variant::Hans,
            deadline: None,
            signer: None,
            new_waybill: None,
            compensation: None,
        }
    }
}

/// A filled reply, ready for review and copying.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// The scenario the draft answers.
    pub kind: ScenarioKind,
    /// The stage.
    pub stage: Stage,
    /// The text, with visible marks where facts are missing.
    pub text: String,
    /// The scripts it was made from (id@version), recorded with a copied draft.
    pub script_ids: Vec<String>,
    /// The names of the placeholders still unfilled; copying needs them filled or
    /// confirmed.
    pub unfilled: Vec<Placeholder>,
    /// Lint findings on the text.
    pub lint: Vec<Lint>,
    /// The compensation ladder's suggestion, for the agent.
    pub compensation: Option<Compensation>,
    /// The classification of the buyer's message, when one was given.
    pub classification: Option<Classification>,
    /// Simplified or Traditional: as asked, or Traditional for a Traditional message.
    pub variant: Variant,
}

/// The courier name and waybill number in an export's logistics text such as
/// "中通快递 75123456789012" or "顺丰速运,SF1234567890123".
fn split_logistics(text: &str) -> (Option<String>, Option<String>) {
    let waybill = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= 8 && t.chars().any(|c| c.is_ascii_digit()))
        .max_by_key(|t| t.len())
        .map(str::to_owned);
    let courier: String = text
        .chars()
        .take_while(|c| !c.is_ascii_alphanumeric())
        .filter(|c| !matches!(c, ',' | '，' | ':' | '：' | ' '))
        .collect();
    ((!courier.is_empty()).then_some(courier), waybill)
}

fn yuan(f: Fen) -> String {
    format!("{}.{:02}", f.0 / 100, (f.0 % 100).abs())
}

fn china_short(t: DateTime<Utc>) -> String {
    t.with_timezone(&china())
        .format("%-m月%-d日 %H:%M")
        .to_string()
}

fn fact(req: &DraftRequest<'_>, p: Placeholder) -> Option<String> {
    let f = &req.case.facts;
    let logistics = f.ship_logistics.as_deref().map(split_logistics);
    let nonempty = |s: &Option<String>| s.as_ref().filter(|s| !s.trim().is_empty()).cloned();
    match p {
        Placeholder::BuyerNick => nonempty(&f.buyer_nick),
        Placeholder::OrderNo => nonempty(&f.order_no),
        Placeholder::Courier => logistics.and_then(|l| l.0),
        Placeholder::Waybill => logistics.and_then(|l| l.1),
        Placeholder::Amount => f.refund.or(f.paid).map(yuan),
        Placeholder::Deadline => Some(china_short(
            req.deadline.unwrap_or(req.now + DEFAULT_PROMISE),
        )),
        Placeholder::Signer => nonempty(&req.signer),
        Placeholder::SignedAt => f.signed_at.map(china_short),
        Placeholder::NewWaybill => nonempty(&req.new_waybill),
    }
}

/// Fills a script text, marking what the case lacks.
fn fill(text: &str, req: &DraftRequest<'_>, unfilled: &mut Vec<Placeholder>) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        match Placeholder::from_name(&after[..end]) {
            Some(p) => match fact(req, p) {
                Some(v) => out.push_str(&v),
                None => {
                    out.push_str(&p.mark());
                    if !unfilled.contains(&p) {
                        unfilled.push(p);
                    }
                }
            },
            None => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn default_stage(case: &Case) -> Stage {
    match case.facts.refund_status() {
        RefundStatus::Succeeded => Stage::Closing,
        _ => Stage::FirstReply,
    }
}

fn pick(library: &Library, kind: ScenarioKind, stage: Stage, n: usize) -> Option<&Script> {
    let mut list = library.candidates(kind, stage);
    if list.is_empty() {
        list = library.candidates(kind, Stage::FirstReply);
    }
    if list.is_empty() {
        list = library.candidates(ScenarioKind::Other, stage);
    }
    if list.is_empty() {
        return None;
    }
    list.get(n % list.len()).copied()
}

/// Makes the draft for a case: picks the kind (the case's, or the buyer's message's when
/// the classifier is sure and no agent fixed the kind), the stage and a script, fills it,
/// lints it and asks the ladder for a compensation step.
pub fn compose(
    library: &Library,
    classifier: &Classifier,
    ladder: &Ladder,
    req: &DraftRequest<'_>,
) -> Draft {
    let classification = req.message.map(|m| classifier.classify(m));
    let kind = match &classification {
        Some(c)
            if req.case.kind_source != KindSource::Manual
                && c.kind != ScenarioKind::Other
                && c.confidence >= MESSAGE_OVERRIDE =>
        {
            c.kind
        }
        _ => req.case.kind,
    };
    let variant = match req.message {
        Some(m) if crate::to_simplified(m) != m => Variant::Hant,
        _ => req.variant,
    };
    let stage = req.stage.unwrap_or_else(|| default_stage(req.case));
    let mut unfilled = Vec::new();
    let (text, script_ids, stage) = match pick(library, kind, stage, req.pick) {
        Some(s) => (
            fill(s.text_in(variant), req, &mut unfilled),
            vec![format!("{}@{}", s.id, s.version)],
            s.stage,
        ),
        None => (String::new(), Vec::new(), stage),
    };
    let lint = lint(&text, Some(kind));
    let compensation = ladder.suggest(kind, &req.case.facts, req.compensation);
    Draft {
        kind,
        stage,
        text,
        script_ids,
        unfilled,
        lint,
        compensation,
        classification,
        variant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("中通快递 75123456789012", Some("中通快递"), Some("75123456789012"))]
    #[case("顺丰速运,SF1234567890123", Some("顺丰速运"), Some("SF1234567890123"))]
    #[case("", None, None)]
    fn logistics_text_splits(
        #[case] text: &str,
        #[case] courier: Option<&str>,
        #[case] waybill: Option<&str>,
    ) {
        let (c, w) = split_logistics(text);
        assert_eq!(
            (c.as_deref(), w.as_deref()),
            (courier, waybill),
            "courier is the leading text, the waybill the longest code"
        );
    }
}
