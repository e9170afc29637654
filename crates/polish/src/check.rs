//! The check of a polished text against the redacted draft it came from.

use crate::PolishError;
use crate::redact::fold;
use regex::Regex;
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Something the agent should look at before using a polished text. Serialised as
/// `{"code", "message", …}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The text still has markers where personal data was removed: the agent fills them
    /// in (the removed values are never put back automatically).
    MarkersLeft {
        /// The markers, each once.
        markers: Vec<String>,
    },
    /// Words of promise or compensation that the draft did not have.
    AddedPromise {
        /// The words.
        words: Vec<String>,
    },
    /// The endpoint cut the answer at the length limit.
    Truncated,
}

impl Warning {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::MarkersLeft { .. } => "markers_left",
            Warning::AddedPromise { .. } => "added_promise",
            Warning::Truncated => "truncated",
        }
    }

    /// The message for the agent.
    pub fn message(&self) -> String {
        match self {
            Warning::MarkersLeft { markers } => format!(
                "润色稿里有 {}：发送前请填回（个人信息没有发给 AI，也不会自动填回）",
                markers.join("")
            ),
            Warning::AddedPromise { words } => format!(
                "润色稿多了草稿里没有的“{}”：请确认店铺确实要这样承诺",
                words.join("”“")
            ),
            Warning::Truncated => "AI 的回答被截断了，可能不完整".to_owned(),
        }
    }
}

impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Warning", 3)?;
        s.serialize_field("code", self.code())?;
        s.serialize_field("message", &self.message())?;
        match self {
            Warning::MarkersLeft { markers } => s.serialize_field("items", markers)?,
            Warning::AddedPromise { words } => s.serialize_field("items", words)?,
            Warning::Truncated => s.serialize_field("items", &[] as &[String])?,
        }
        s.end()
    }
}

/// Placeholders (`【待填：运单号】`) and markers (`〔电话〕`).
static BRACKETED: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"【[^【】]*】|〔[^〔〕]*〕"));

/// Numbers, decimals included (`12.50`), after full-width digits are folded.
static NUMBER: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"[0-9]+(?:\.[0-9]+)?"));

/// Words that commit the shop. The model is told not to add them; if it does, the agent
/// is warned rather than the text refused, because the draft may have implied them.
const PROMISE_WORDS: [&str; 24] = [
    "赔偿",
    "賠償",
    "补偿",
    "補償",
    "赔付",
    "賠付",
    "包赔",
    "包賠",
    "保证",
    "保證",
    "承诺",
    "承諾",
    "红包",
    "紅包",
    "优惠券",
    "優惠券",
    "返现",
    "返現",
    "全额",
    "全額",
    "免费",
    "免費",
    "一定会",
    "一定會",
];

fn regex(r: &'static LazyLock<Result<Regex, regex::Error>>) -> Result<&'static Regex, PolishError> {
    r.as_ref()
        .map_err(|e| PolishError::Redaction(crate::RedactionError::from(e.clone())))
}

fn bracketed(text: &str) -> Result<BTreeSet<String>, PolishError> {
    Ok(regex(&BRACKETED)?
        .find_iter(text)
        .map(|m| m.as_str().to_owned())
        .collect())
}

fn numbers(text: &str) -> Result<BTreeSet<String>, PolishError> {
    let folded: String = text.chars().map(fold).collect();
    Ok(regex(&NUMBER)?
        .find_iter(&folded)
        .map(|m| m.as_str().to_owned())
        .collect())
}

/// Compares a polished text with the redacted draft that was sent.
///
/// Every placeholder, marker and number of `sent` must appear in `polished`, and
/// `polished` may have no number that `sent` lacks; otherwise the result is
/// [`PolishError::FactsChanged`] and the app must not offer the text. The warnings are
/// for the agent: markers left to fill in, promise words the draft did not have.
pub fn check(sent: &str, polished: &str) -> Result<Vec<Warning>, PolishError> {
    let sent_marks = bracketed(sent)?;
    let got_marks = bracketed(polished)?;
    let sent_numbers = numbers(sent)?;
    let got_numbers = numbers(polished)?;
    let missing: Vec<String> = sent_marks
        .difference(&got_marks)
        .chain(sent_numbers.difference(&got_numbers))
        .cloned()
        .collect();
    let added: Vec<String> = got_numbers.difference(&sent_numbers).cloned().collect();
    if !missing.is_empty() || !added.is_empty() {
        return Err(PolishError::FactsChanged { missing, added });
    }

    let mut warnings = Vec::new();
    let markers: Vec<String> = got_marks
        .into_iter()
        .filter(|m| m.starts_with('〔'))
        .collect();
    if !markers.is_empty() {
        warnings.push(Warning::MarkersLeft { markers });
    }
    let words: Vec<String> = PROMISE_WORDS
        .iter()
        .filter(|w| polished.contains(*w) && !sent.contains(*w))
        .map(|w| (*w).to_owned())
        .collect();
    if !words.is_empty() {
        warnings.push(Warning::AddedPromise { words });
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const SENT: &str =
        "亲，订单4102938475610293847退款12.50元，运单号【待填：运单号】，寄到〔地址〕。";

    #[rstest]
    #[case::same(SENT)]
    #[case::reworded(
        "亲亲，非常抱歉！订单4102938475610293847的退款12.50元已安排，运单号【待填：运单号】，请寄到〔地址〕哦。"
    )]
    #[case::fullwidth_digits(
        "亲，订单４１０２９３８４７５６１０２９３８４７退款１２.５０元，运单号【待填：运单号】，寄到〔地址〕。"
    )]
    fn keeps_facts(#[case] polished: &str) {
        assert!(
            check(SENT, polished).is_ok(),
            "a text that keeps every fact must pass: {polished}"
        );
    }

    #[rstest]
    #[case::number_dropped("亲，订单退款12.50元，运单号【待填：运单号】，寄到〔地址〕。", &["4102938475610293847"], &[])]
    #[case::amount_changed("亲，订单4102938475610293847退款12.5元，运单号【待填：运单号】，寄到〔地址〕。", &["12.50"], &["12.5"])]
    #[case::placeholder_filled("亲，订单4102938475610293847退款12.50元，运单号SF，寄到〔地址〕。", &["【待填：运单号】"], &[])]
    #[case::marker_dropped("亲，订单4102938475610293847退款12.50元，运单号【待填：运单号】。", &["〔地址〕"], &[])]
    #[case::number_added("亲，订单4102938475610293847退款12.50元，3天内到账，运单号【待填：运单号】，寄到〔地址〕。", &[], &["3"])]
    fn refuses_changed_facts(
        #[case] polished: &str,
        #[case] missing: &[&str],
        #[case] added: &[&str],
    ) {
        match check(SENT, polished) {
            Err(PolishError::FactsChanged {
                missing: m,
                added: a,
            }) => {
                assert_eq!(m, missing, "facts reported missing");
                assert_eq!(a, added, "numbers reported added");
            }
            other => panic!("a changed fact must be refused, got {other:?}"),
        }
    }
}
