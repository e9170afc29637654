//! Money as integer fen (分), never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of Chinese yuan in fen (1 yuan = 100 fen).
///
/// Refund and compensation amounts are compared and summed exactly; a float would turn
/// ¥0.10 + ¥0.20 into something that is not ¥0.30.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// Why a money text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a decimal amount.
    #[error("金额“{0}”不是有效的数字")]
    NotANumber(String),
    /// The text has more than two decimal places, which fen cannot hold exactly.
    #[error("金额“{0}”的小数超过两位")]
    TooPrecise(String),
    /// The amount is too large to be a shop's money.
    #[error("金额“{0}”超出范围")]
    OutOfRange(String),
}

impl Fen {
    /// Reads an amount written in yuan as shops and exports write it: `12.5`, `￥1,234.50`,
    /// `¥ 8`, `-3.20`, `12.50元`. Thousands separators and currency marks are ignored; more
    /// than two decimals are an error rather than a silent rounding.
    pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !matches!(c, '￥' | '¥' | ',' | '，' | ' ' | '\u{a0}' | '元'))
            .collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let valid = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !valid(whole) || !valid(frac) {
            return Err(MoneyError::NotANumber(text.to_owned()));
        }
        // Exports sometimes pad to more places ("12.500"); trailing zeros lose nothing.
        let frac = frac.trim_end_matches('0');
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise(text.to_owned()));
        }
        let out_of_range = || MoneyError::OutOfRange(text.to_owned());
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| out_of_range())?
        };
        let frac_fen: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| out_of_range())?,
        };
        let fen = whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(frac_fen))
            .ok_or_else(out_of_range)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }

    /// The amount in yuan with two decimals and no currency mark, as the CLI prints it.
    pub fn yuan_text(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "¥{}", self.yuan_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("12.5", 1250)]
    #[case("￥1,234.50", 123_450)]
    #[case("¥ 8", 800)]
    #[case("-3.20", -320)]
    #[case("0.01", 1)]
    #[case(".5", 50)]
    #[case("12.500", 1250)]
    #[case("99元", 9900)]
    #[case("92233720368547758.07", i64::MAX)]
    fn parses_yuan_exactly(#[case] text: &str, #[case] fen: i64) {
        assert_eq!(
            Fen::parse_yuan(text),
            Ok(Fen(fen)),
            "“{text}” must be exactly {fen} fen"
        );
    }

    #[rstest]
    #[case("")]
    #[case("abc")]
    #[case("1.2.3")]
    #[case("1.234")]
    #[case("99999999999999999999")]
    #[case("-")]
    fn rejects_what_is_not_money(#[case] text: &str) {
        assert!(
            Fen::parse_yuan(text).is_err(),
            "“{text}” must not be read as money"
        );
    }

    #[test]
    fn prints_two_decimals() {
        assert_eq!(Fen(-5).yuan_text(), "-0.05");
        assert_eq!(Fen(123_450).to_string(), "¥1234.50");
    }
}
