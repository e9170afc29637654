//! Cleaning one cell of an export.

/// Removes the ways exports protect numbers from spreadsheet programs and the blanks
/// they pad with, and returns `None` for an empty or null cell.
///
/// Back offices write long numbers as `="2938475610000000000"`, or with a leading tab or
/// apostrophe, so that Excel keeps them as text; the digits inside are what we want.
pub fn clean(raw: &str) -> Option<&str> {
    let mut text = raw.trim_matches(is_blank);
    if let Some(inner) = text.strip_prefix("=\"").and_then(|t| t.strip_suffix('"')) {
        text = inner.trim_matches(is_blank);
    }
    if let Some(inner) = text.strip_prefix('\'') {
        text = inner.trim_matches(is_blank);
    }
    match text {
        "" | "null" | "NULL" | "None" | "--" | "-" | "N/A" | "n/a" => None,
        other => Some(other),
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Reads a yes/no cell as exports write it.
pub fn yes_no(text: &str) -> Option<bool> {
    match text {
        "是" | "需要" | "Y" | "y" | "yes" | "Yes" | "true" | "TRUE" | "1" => Some(true),
        "否" | "不需要" | "无需" | "N" | "n" | "no" | "No" | "false" | "FALSE" | "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether a number was mangled by a spreadsheet program into scientific notation
/// (`2.93848E+18`): its digits are lost and must not be stored as an order number.
pub fn is_scientific(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    match upper.split_once("E+") {
        Some((mantissa, exp)) => {
            !exp.is_empty()
                && exp.bytes().all(|b| b.is_ascii_digit())
                && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("=\"2938475610000000000\"", Some("2938475610000000000"))]
    #[case("\t2938475610000000000", Some("2938475610000000000"))]
    #[case("'2938475610000000000", Some("2938475610000000000"))]
    #[case("  买家已收到货 ", Some("买家已收到货"))]
    #[case("\u{3000}全角空格\u{3000}", Some("全角空格"))]
    #[case("", None)]
    #[case("null", None)]
    #[case("--", None)]
    #[case("=\"\"", None)]
    fn cleans_protected_and_blank_cells(#[case] raw: &str, #[case] want: Option<&str>) {
        assert_eq!(clean(raw), want, "cell {raw:?}");
    }

    #[rstest]
    #[case("2.93848E+18", true)]
    #[case("2.93848e+18", true)]
    #[case("2938475610000000000", false)]
    #[case("E+", false)]
    fn spots_scientific_notation(#[case] text: &str, #[case] want: bool) {
        assert_eq!(is_scientific(text), want, "{text}");
    }
}
