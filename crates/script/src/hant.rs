//! A first Traditional text for a script the shop wrote in Simplified only.

use std::collections::HashMap;
use std::sync::OnceLock;

/// OpenCC's Traditional-to-Simplified character table, read backwards (see
/// `normalize.rs` for its format and licence).
const TS_CHARACTERS: &str = include_str!("../data/opencc-TSCharacters.txt");

/// Simplified characters that have exactly one Traditional form in the table.
///
/// A character with several Traditional forms (发 → 發 or 髮, 后 → 後 or 后) is left as
/// it is: guessing would put a wrong character in front of a buyer, while a Simplified
/// character in a Traditional text is still read correctly. The agent can correct the
/// Traditional text in the script editor.
fn table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut back: HashMap<char, Option<char>> = HashMap::new();
        for line in TS_CHARACTERS.lines() {
            let Some((from, to)) = line.split_once('\t') else {
                continue;
            };
            let mut from_chars = from.chars();
            let (Some(traditional), None) = (from_chars.next(), from_chars.next()) else {
                continue;
            };
            for simplified in to.split(' ').filter_map(|t| t.chars().next()) {
                if simplified == traditional {
                    // The character is also Traditional: converting it must keep it.
                    back.insert(simplified, None);
                    continue;
                }
                back.entry(simplified)
                    .and_modify(|seen| {
                        if *seen != Some(traditional) {
                            *seen = None;
                        }
                    })
                    .or_insert(Some(traditional));
            }
        }
        back.into_iter()
            .filter_map(|(s, t)| t.map(|t| (s, t)))
            .collect()
    })
}

/// Converts Simplified characters with a single Traditional form, character by character;
/// ambiguous characters stay Simplified (see [`table`]).
pub fn to_traditional(text: &str) -> String {
    let table = table();
    text.chars()
        .map(|c| table.get(&c).copied().unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("退款马上处理", "退款馬上處理")]
    #[case("亲，给您{order_no}", "親，給您{order_no}")]
    #[case("头发", "頭发")]
    fn converts_unambiguous_characters_only(#[case] input: &str, #[case] want: &str) {
        assert_eq!(
            to_traditional(input),
            want,
            "unambiguous characters become Traditional, ambiguous ones (发) and placeholders stay"
        );
    }
}
