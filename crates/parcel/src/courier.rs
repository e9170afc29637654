//! Couriers from waybill numbers and from the courier names in export text.
//!
//! Detection is a hint, never a gate: number formats overlap (a 13-digit number may be
//! STO's, Yunda's or China Post's) and couriers change them, so every number is accepted
//! and the user can always choose the courier by hand.

use afterdesk_case::{Courier, Waybill};

/// What a waybill number's shape suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourierHint {
    /// Couriers whose formats the number fits, most likely first; empty when none fits.
    pub candidates: Vec<Courier>,
}

impl CourierHint {
    /// The courier when exactly one format fits; `None` when none or several do.
    pub fn sure(&self) -> Option<Courier> {
        match self.candidates.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// The most likely courier, if any format fits.
    pub fn likely(&self) -> Option<Courier> {
        self.candidates.first().copied()
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn prefixed_digits(s: &str, prefix: &str, counts: &[usize]) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|rest| digits(rest) && counts.contains(&rest.len()))
}

/// Guesses the courier from a waybill number's shape.
///
/// The patterns are the ones the shops' own waybills show (brief §6): letter prefixes are
/// reliable (SF, JT, YT, JD, DPK, the UPU `EA123456789CN` form); all-digit numbers are
/// told apart by length and leading digits, which overlap, so they give several
/// candidates in the order they are most often met.
pub fn detect(waybill: &Waybill) -> CourierHint {
    let w = waybill.as_str();
    let mut candidates = Vec::new();
    if prefixed_digits(w, "SF", &[12, 13, 14]) {
        candidates.push(Courier::Sf);
    } else if prefixed_digits(w, "JT", &[13]) {
        candidates.push(Courier::Jt);
    } else if prefixed_digits(w, "YT", &[13, 15, 16]) {
        candidates.push(Courier::Yto);
    } else if w.starts_with("JD")
        && (12..=16).contains(&(w.len() - 2))
        && w.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        candidates.push(Courier::Jd);
    } else if prefixed_digits(w, "DPK", &[12, 13]) {
        candidates.push(Courier::Deppon);
    } else if is_upu(w) {
        // International and EMS numbers in the UPU S10 form, e.g. EA123456789CN.
        candidates.push(Courier::Ems);
    } else if digits(w) {
        let lead2 = &w[..2.min(w.len())];
        match w.len() {
            // ZTO's current numbers: 14 digits from 73, 75, 78.
            14 if matches!(lead2, "73" | "75" | "78") => candidates.push(Courier::Zto),
            15 if lead2 == "46" || lead2 == "43" => candidates.push(Courier::Yunda),
            13 => {
                if lead2 == "77" {
                    candidates.push(Courier::Sto);
                } else if matches!(lead2, "43" | "46" | "31" | "32" | "33") {
                    candidates.push(Courier::Yunda);
                } else if w.starts_with('1') || w.starts_with('9') {
                    candidates.push(Courier::Ems);
                }
            }
            12 => {
                // ZTO's older 12-digit numbers and SF's all-digit ones share this length.
                if w.starts_with('7') || w.starts_with('5') || w.starts_with('6') {
                    candidates.push(Courier::Zto);
                }
                candidates.push(Courier::Sf);
            }
            10 if matches!(w.as_bytes()[0], b'5' | b'6' | b'7' | b'8') => {
                candidates.push(Courier::Deppon);
            }
            _ => {}
        }
    }
    CourierHint { candidates }
}

fn is_upu(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 13
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..11].iter().all(u8::is_ascii_digit)
        && b[11..].iter().all(u8::is_ascii_uppercase)
}

/// Names and codes that identify each courier in export text, chat and provider codes.
///
/// Checked in order, so that the longer 中国邮政 is met before a bare 邮政 and JD's `京东`
/// before anything shorter; matching is on a substring of the upper-cased text.
const NAMES: &[(&str, Courier)] = &[
    ("顺丰", Courier::Sf),
    ("SHUNFENG", Courier::Sf),
    ("中通", Courier::Zto),
    ("ZHONGTONG", Courier::Zto),
    ("圆通", Courier::Yto),
    ("YUANTONG", Courier::Yto),
    ("申通", Courier::Sto),
    ("SHENTONG", Courier::Sto),
    ("韵达", Courier::Yunda),
    ("YUNDA", Courier::Yunda),
    ("极兔", Courier::Jt),
    ("J&T", Courier::Jt),
    ("JTEXPRESS", Courier::Jt),
    ("EMS", Courier::Ems),
    ("邮政", Courier::Ems),
    ("E邮宝", Courier::Ems),
    ("邮宝", Courier::Ems),
    ("京东", Courier::Jd),
    ("德邦", Courier::Deppon),
    ("DEPPON", Courier::Deppon),
    ("DEBANG", Courier::Deppon),
];

/// Short codes that only count when they are the whole name (`SF`, `ZTO`...), because as
/// substrings they would match inside other words.
const CODES: &[(&str, Courier)] = &[
    ("SF", Courier::Sf),
    ("ZTO", Courier::Zto),
    ("YTO", Courier::Yto),
    ("STO", Courier::Sto),
    ("YD", Courier::Yunda),
    ("JT", Courier::Jt),
    ("JTSD", Courier::Jt),
    ("JD", Courier::Jd),
    ("DBL", Courier::Deppon),
    ("YZPY", Courier::Ems),
];

/// The courier a name refers to: `中通快递`, `顺丰速运`, `EMS`, `zto`, `jt` (a stable key)...
pub fn courier_from_name(name: &str) -> Option<Courier> {
    let trimmed = name.trim();
    if let Some(c) = Courier::from_key(&trimmed.to_ascii_lowercase()) {
        return Some(c);
    }
    let upper = trimmed.to_uppercase();
    if let Some((_, c)) = CODES.iter().find(|(code, _)| *code == upper) {
        return Some(*c);
    }
    NAMES
        .iter()
        .find(|(needle, _)| upper.contains(needle))
        .map(|(_, c)| *c)
}

/// A shipment as an export's logistics text describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogisticsText {
    /// The courier's name as written (`中通快递`), if the text has one.
    pub courier_name: Option<String>,
    /// The courier, from the name or else from the number's shape.
    pub courier: Option<Courier>,
    /// The waybill number.
    pub waybill: Waybill,
}

/// The shortest token taken for a waybill number.
///
/// Real numbers have at least 10 characters; 8 keeps the rule the reply drafts use
/// (`afterdesk-script`'s `split_logistics`) so both read the same number from one text.
const WAYBILL_MIN_CHARS: usize = 8;

/// Reads an export's logistics text (`中通快递 75123456789012`, `顺丰速运,SF1234567890123`,
/// `快递公司：圆通速递 运单号：YT1234567890123`): the waybill is the longest ASCII code of
/// at least eight characters with a digit in it; the courier is named by the text or
/// guessed from the number. `None` when the text holds no number.
pub fn parse_logistics(text: &str) -> Option<LogisticsText> {
    let token = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= WAYBILL_MIN_CHARS && t.bytes().any(|b| b.is_ascii_digit()))
        .max_by_key(|t| t.len())?;
    let waybill = Waybill::parse(token)?;
    let pos = text.find(token).unwrap_or(0);
    let clean = |part: &str| -> Option<String> {
        let mut name = part.to_owned();
        for label in [
            "快递公司",
            "物流公司",
            "运单号码",
            "运单号",
            "快递单号",
            "物流单号",
        ] {
            name = name.replace(label, "");
        }
        let name: String = name
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    ',' | '，' | ':' | '：' | '/' | '|' | '(' | ')' | '（' | '）'
                )
            })
            .collect();
        let name = name.trim();
        (!name.is_empty()).then(|| name.to_owned())
    };
    // The name is usually written before the number; some exports put it after.
    let courier_name = clean(&text[..pos]).or_else(|| clean(&text[pos + token.len()..]));
    let courier = courier_name
        .as_deref()
        .and_then(courier_from_name)
        .or_else(|| detect(&waybill).sure());
    Some(LogisticsText {
        courier_name,
        courier,
        waybill,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("SF1234567890123", &[Courier::Sf])]
    #[case("sf 1234 5678 9012 3", &[Courier::Sf])]
    #[case("75123456789012", &[Courier::Zto])]
    #[case("78912345678901", &[Courier::Zto])]
    #[case("YT1234567890123", &[Courier::Yto])]
    #[case("7712345678901", &[Courier::Sto])]
    #[case("4312345678901", &[Courier::Yunda])]
    #[case("462345678901234", &[Courier::Yunda])]
    #[case("JT5012345678901", &[Courier::Jt])]
    #[case("EA123456789CN", &[Courier::Ems])]
    #[case("1123456789012", &[Courier::Ems])]
    #[case("9812345678901", &[Courier::Ems])]
    #[case("JDVA12345678901", &[Courier::Jd])]
    #[case("JDX012345678901", &[Courier::Jd])]
    #[case("DPK123456789012", &[Courier::Deppon])]
    #[case("5912345678", &[Courier::Deppon])]
    #[case("712345678901", &[Courier::Zto, Courier::Sf])]
    #[case("ABC", &[])]
    #[case("中文单号123", &[])]
    #[case("0000000000000000000", &[])]
    fn courier_detection_table(#[case] number: &str, #[case] expected: &[Courier]) {
        let waybill = Waybill::parse(number).unwrap();
        assert_eq!(
            detect(&waybill).candidates,
            expected,
            "the number {number} must hint {expected:?} (a hint never rejects a number)"
        );
    }

    #[test]
    fn ambiguous_numbers_have_no_sure_courier() {
        let hint = detect(&Waybill::parse("712345678901").unwrap());
        assert_eq!(hint.sure(), None, "two couriers fit, the user chooses");
        assert_eq!(hint.likely(), Some(Courier::Zto));
    }

    #[rstest]
    #[case("中通快递", Some(Courier::Zto))]
    #[case("顺丰速运", Some(Courier::Sf))]
    #[case("圆通速递", Some(Courier::Yto))]
    #[case("申通快递", Some(Courier::Sto))]
    #[case("韵达快递", Some(Courier::Yunda))]
    #[case("韵达速递", Some(Courier::Yunda))]
    #[case("极兔速递", Some(Courier::Jt))]
    #[case("J&T极兔", Some(Courier::Jt))]
    #[case("EMS", Some(Courier::Ems))]
    #[case("邮政快递包裹", Some(Courier::Ems))]
    #[case("中国邮政", Some(Courier::Ems))]
    #[case("京东快递", Some(Courier::Jd))]
    #[case("京东物流", Some(Courier::Jd))]
    #[case("德邦快递", Some(Courier::Deppon))]
    #[case("德邦物流", Some(Courier::Deppon))]
    #[case("zto", Some(Courier::Zto))]
    #[case("SF", Some(Courier::Sf))]
    #[case("jt", Some(Courier::Jt))]
    #[case("天天快递", None)]
    #[case("", None)]
    fn chinese_courier_names(#[case] name: &str, #[case] expected: Option<Courier>) {
        assert_eq!(
            courier_from_name(name),
            expected,
            "the name “{name}” must map to {expected:?}"
        );
    }

    #[rstest]
    #[case(
        "中通快递 75123456789012",
        Some("中通快递"),
        Some(Courier::Zto),
        "75123456789012"
    )]
    #[case(
        "顺丰速运,SF1234567890123",
        Some("顺丰速运"),
        Some(Courier::Sf),
        "SF1234567890123"
    )]
    #[case(
        "快递公司：圆通速递 运单号：YT1234567890123",
        Some("圆通速递"),
        Some(Courier::Yto),
        "YT1234567890123"
    )]
    #[case("SF1234567890123", None, Some(Courier::Sf), "SF1234567890123")]
    #[case("天天快递 668123456789", Some("天天快递"), None, "668123456789")]
    #[case("EMS EA123456789CN", Some("EMS"), Some(Courier::Ems), "EA123456789CN")]
    fn logistics_text_from_exports(
        #[case] text: &str,
        #[case] name: Option<&str>,
        #[case] courier: Option<Courier>,
        #[case] waybill: &str,
    ) {
        let parsed = parse_logistics(text).unwrap();
        assert_eq!(
            (
                parsed.courier_name.as_deref(),
                parsed.courier,
                parsed.waybill.as_str()
            ),
            (name, courier, waybill),
            "“{text}”: the name is the leading text, the waybill the longest code, the courier from the name or the number"
        );
    }

    #[test]
    fn text_without_a_number_is_no_parcel() {
        assert_eq!(parse_logistics("中通快递"), None);
        assert_eq!(parse_logistics("买家自行寄回"), None);
        assert_eq!(parse_logistics(""), None);
    }
}
