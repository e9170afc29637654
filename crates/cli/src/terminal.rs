//! Text from exports on a terminal.
//!
//! Buyer nicks, item titles and notes come from files the shop did not write. A control
//! character in one (an escape sequence can clear the screen, move the cursor or retitle
//! the window) or a bidirectional override (which can make a line read backwards) must
//! not act on the user's terminal, so every line the CLI prints for a person goes through
//! [`safe`]. JSON output needs nothing: serde escapes control characters itself.

use std::borrow::Cow;

/// Whether `ch` must be shown escaped rather than printed: C0 and C1 control characters
/// other than newline and tab, DEL, and the Unicode bidirectional controls.
fn is_hazard(ch: char) -> bool {
    (ch.is_control() && ch != '\n' && ch != '\t')
        || matches!(ch, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every hazardous character written as `\u{…}`, so it is visible and inert.
pub fn safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_hazard(ch) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// `println!` for a person: the formatted line goes through [`safe`].
macro_rules! say {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", $crate::terminal::safe(&format!($($arg)*))) };
}

/// `eprintln!` for a person: the formatted line goes through [`safe`].
macro_rules! complain {
    ($($arg:tt)*) => { eprintln!("{}", $crate::terminal::safe(&format!($($arg)*))) };
}

pub(crate) use {complain, say};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_escaped_and_ordinary_text_is_kept() {
        let table = [
            (
                "tb_小鱼",
                "tb_小鱼",
                "Chinese text and ASCII pass as they are",
            ),
            (
                "买家\x1b[2J\x1b[H",
                "买家\\u{1b}[2J\\u{1b}[H",
                "an escape sequence cannot clear the screen",
            ),
            (
                "\x1b]0;hacked\x07",
                "\\u{1b}]0;hacked\\u{7}",
                "nor retitle the window",
            ),
            (
                "abc\rxyz",
                "abc\\u{d}xyz",
                "a carriage return cannot overwrite the line",
            ),
            (
                "名\u{202E}txt.exe",
                "名\\u{202e}txt.exe",
                "a bidirectional override cannot reverse the line",
            ),
            (
                "\u{9b}31m",
                "\\u{9b}31m",
                "a C1 control (CSI) is escaped too",
            ),
            (
                "第一行\n\t第二行",
                "第一行\n\t第二行",
                "newlines and tabs are layout, not hazards",
            ),
        ];
        for (input, expected, why) in table {
            assert_eq!(safe(input), expected, "{why}");
        }
    }
}
