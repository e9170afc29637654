//! The marks a reply still holds where something has to be filled in before it goes to a
//! buyer: the 【待填：…】 marks a draft leaves for facts the case does not have (see
//! [`Placeholder::mark`](crate::Placeholder::mark)), and any fixed markers the caller
//! names (the AI polish's 〔电话〕〔地址〕〔身份证号〕〔姓名〕, left where it removed the
//! buyer's data). A marker sent as it is tells the buyer nothing, like a placeholder.
//!
//! Each mark comes with its span in bytes (for Rust), in characters, and in UTF-16 code
//! units (JavaScript strings index that way), so a screen can underline or replace it
//! without finding it again.

use serde::Serialize;
use std::ops::Range;

/// The opening of an unfilled placeholder's mark, up to its label; the mark closes with
/// [`UNFILLED_MARK_END`].
pub const UNFILLED_MARK: &str = "【待填：";

/// The closing bracket of an unfilled placeholder's mark.
pub const UNFILLED_MARK_END: char = '】';

/// What kind of mark a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A draft's 【待填：…】 mark; its label is the text between `：` and `】`.
    Placeholder,
    /// One of the fixed markers the caller named; its label is the marker as written.
    Marker,
}

/// One mark found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfilledMark {
    /// A placeholder or a marker.
    pub kind: MarkKind,
    /// What the agent fills in: a placeholder's label (签收人), a marker as written
    /// (〔电话〕). Marks with the same label are filled in together.
    pub label: String,
    /// The whole mark, brackets included, in bytes of the text.
    pub bytes: Range<usize>,
    /// The same span in characters (Unicode scalar values).
    pub chars: Range<usize>,
    /// The same span in UTF-16 code units.
    pub utf16: Range<usize>,
}

impl UnfilledMark {
    /// The mark as written in `text` (the text it was found in).
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.bytes.clone()).unwrap_or("")
    }
}

/// Where the scan stands, in the three units a span is given in.
#[derive(Debug, Clone, Copy, Default)]
struct Offset {
    bytes: usize,
    chars: usize,
    utf16: usize,
}

impl Offset {
    /// Moves forward over `text[self.bytes..to]`.
    fn advance(&mut self, text: &str, to: usize) {
        for c in text.get(self.bytes..to).unwrap_or("").chars() {
            self.chars += 1;
            self.utf16 += c.len_utf16();
        }
        self.bytes = to;
    }
}

/// Every mark in `text`, in order: the 【待填：…】 placeholders and the `markers` (fixed
/// strings, e.g. the AI polish's 〔电话〕). An unclosed 【待填： is not a placeholder, but
/// markers after it still count; other bracketed text (〔注〕, 【优惠】) is plain text.
pub fn unfilled_marks(text: &str, markers: &[&str]) -> Vec<UnfilledMark> {
    let markers: Vec<&str> = markers.iter().copied().filter(|m| !m.is_empty()).collect();
    let firsts: Vec<char> = std::iter::once(UNFILLED_MARK)
        .chain(markers.iter().copied())
        .filter_map(|m| m.chars().next())
        .collect();
    let mut out = Vec::new();
    let mut at = Offset::default();
    let mut pos = 0;
    while let Some(found) = text.get(pos..).and_then(|rest| rest.find(&firsts[..])) {
        let start = pos + found;
        let here = text.get(start..).unwrap_or("");
        let mut span = |kind: MarkKind, label: &str, end: usize, at: &mut Offset| {
            at.advance(text, start);
            let from = *at;
            at.advance(text, end);
            out.push(UnfilledMark {
                kind,
                label: label.to_owned(),
                bytes: from.bytes..at.bytes,
                chars: from.chars..at.chars,
                utf16: from.utf16..at.utf16,
            });
        };
        if let Some(after) = here.strip_prefix(UNFILLED_MARK) {
            let label_at = start + UNFILLED_MARK.len();
            match after.find(UNFILLED_MARK_END) {
                Some(len) => {
                    let end = label_at + len + UNFILLED_MARK_END.len_utf8();
                    span(MarkKind::Placeholder, &after[..len], end, &mut at);
                    pos = end;
                }
                // Not a placeholder: look on from its label.
                None => pos = label_at,
            }
        } else if let Some(marker) = markers.iter().find(|m| here.starts_with(**m)) {
            let end = start + marker.len();
            span(MarkKind::Marker, marker, end, &mut at);
            pos = end;
        } else {
            // Step over the character and look again.
            pos = start + here.chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The labels of `marks`, each once, in the order of the text: what a refusal to send
/// lists, and what the agent confirms sending unfilled.
pub fn unfilled_labels(marks: &[UnfilledMark]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for mark in marks {
        if !out.contains(&mark.label) {
            out.push(mark.label.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// The AI polish's markers, as the desk passes them.
    const MARKERS: &[&str] = &["〔电话〕", "〔地址〕", "〔身份证号〕", "〔姓名〕"];

    #[rstest]
    #[case("请补发【待填：新运单号】，谢谢", vec!["新运单号"])]
    #[case("【待填：签收人】【待填：签收时间】【待填：签收人】", vec!["签收人", "签收时间"])]
    #[case("没有标记", vec![])]
    #[case::redaction_markers(
        "请拨打〔电话〕，寄到〔地址〕，【待填：运单号】，〔电话〕",
        vec!["〔电话〕", "〔地址〕", "运单号"]
    )]
    #[case::every_marker("〔姓名〕〔身份证号〕", vec!["〔姓名〕", "〔身份证号〕"])]
    #[case::other_brackets_are_text("〔注〕无需退货【优惠】", vec![])]
    #[case::unclosed_mark("【待填：签收人 再打〔电话〕", vec!["〔电话〕"])]
    #[case::empty_label("【待填：】", vec![""])]
    fn unfilled_labels_are_found(#[case] text: &str, #[case] want: Vec<&str>) {
        assert_eq!(
            unfilled_labels(&unfilled_marks(text, MARKERS)),
            want,
            "every distinct mark, once, in order"
        );
    }

    /// Each row: the text, and each mark as (kind, label, UTF-16 span, char span).
    #[rstest]
    #[case::placeholder(
        "请补发【待填：新运单号】",
        vec![(MarkKind::Placeholder, "新运单号", 3..12, 3..12)]
    )]
    #[case::astral_characters_count_twice_in_utf16(
        "😀亲〔电话〕",
        vec![(MarkKind::Marker, "〔电话〕", 3..7, 2..6)]
    )]
    #[case::repeats_are_each_a_span(
        "〔姓名〕和〔姓名〕",
        vec![
            (MarkKind::Marker, "〔姓名〕", 0..4, 0..4),
            (MarkKind::Marker, "〔姓名〕", 5..9, 5..9),
        ]
    )]
    #[case::marker_after_an_unclosed_mark(
        "【待填：签收人 再打〔电话〕",
        vec![(MarkKind::Marker, "〔电话〕", 10..14, 10..14)]
    )]
    fn spans_cover_the_whole_mark(
        #[case] text: &str,
        #[case] want: Vec<(MarkKind, &str, Range<usize>, Range<usize>)>,
    ) {
        let marks = unfilled_marks(text, MARKERS);
        let got: Vec<(MarkKind, &str, Range<usize>, Range<usize>)> = marks
            .iter()
            .map(|m| (m.kind, m.label.as_str(), m.utf16.clone(), m.chars.clone()))
            .collect();
        assert_eq!(got, want, "{text}: each mark's kind, label and spans");
        for m in &marks {
            let written = m.text(text);
            assert!(
                written.starts_with(['【', '〔']) && written.ends_with(['】', '〕']),
                "the byte span covers the mark with its brackets: {written}"
            );
            let utf16: Vec<u16> = text.encode_utf16().collect();
            assert_eq!(
                String::from_utf16_lossy(&utf16[m.utf16.clone()]),
                written,
                "the UTF-16 span covers the same text as the byte span"
            );
        }
    }

    #[test]
    fn without_markers_only_placeholders_count() {
        assert_eq!(
            unfilled_labels(&unfilled_marks("〔电话〕【待填：运单号】", &[])),
            ["运单号"],
            "a caller that names no markers gets the placeholders alone"
        );
    }
}
