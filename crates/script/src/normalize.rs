//! Normalising Chinese text for matching: Traditional to Simplified, full-width to
//! half-width, lower case, no spaces, emoji and punctuation.

use std::collections::HashMap;
use std::sync::OnceLock;

/// OpenCC's Traditional-to-Simplified character table (Apache-2.0, see
/// `data/opencc-LICENSE.txt`): one line per character, the Traditional form, a tab, then
/// one or more Simplified forms separated by spaces; the first is the usual one.
const TS_CHARACTERS: &str = include_str!("../data/opencc-TSCharacters.txt");

fn table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TS_CHARACTERS
            .lines()
            .filter_map(|line| {
                let (from, to) = line.split_once('\t')?;
                let mut from = from.chars();
                let f = from.next()?;
                let t = to.split(' ').next()?.chars().next()?;
                // Multi-character keys are phrases; this table only maps single characters.
                from.next().is_none().then_some((f, t))
            })
            .collect()
    })
}

/// Converts Traditional characters to Simplified, character by character.
///
/// Character-level conversion is enough for matching (buyers' messages are short and the
/// ambiguous characters are rare in after-sales talk); it is not meant for display.
pub fn to_simplified(text: &str) -> String {
    let table = table();
    text.chars()
        .map(|c| table.get(&c).copied().unwrap_or(c))
        .collect()
}

/// The form every matcher works on: Simplified, half-width, lower case, and only letters,
/// digits and CJK characters kept (emoji, punctuation and spaces carry no kind).
pub fn normalize(text: &str) -> String {
    to_simplified(text)
        .chars()
        .map(half_width)
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("退款什麼時候到賬", "退款什么时候到账")]
    #[case("發貨了嗎？？😭", "发货了吗")]
    #[case("ＯＫ，７天無理由", "ok7天无理由")]
    fn normalises_script_width_and_noise(#[case] input: &str, #[case] want: &str) {
        assert_eq!(
            normalize(input),
            want,
            "normalised text is Simplified, half-width, without punctuation or emoji"
        );
    }
}
