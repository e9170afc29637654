//! The redaction on any text: it never panics (a bad draft must not kill the app), and a
//! text it reports nothing removed from is sent exactly as it was.
//!
//! The case count is fixed; `PROPTEST_CASES` raises it locally.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_polish::{KnownPii, redact};
use proptest::prelude::*;

/// Cases per property unless `PROPTEST_CASES` asks for more: a redaction of a few hundred
/// characters takes well under a millisecond.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    let asked = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    ProptestConfig::with_cases(CASES.max(asked))
}

/// Pieces drafts are made of, so that random texts hit the rules' edges: digits in
/// every width, separators, brackets, labels, suffixes, surnames, markers and marks.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9０-９ .\\-—*xX+()（）]{1,14}",
        "[一二三四五六七八九零幺]{1,11}",
        prop::sample::select(vec![
            "【",
            "】",
            "〔",
            "〕",
            "【待填：",
            "〔电话〕",
            "〔地址〕",
            "〔身份证号〕",
            "〔姓名〕",
            "收件人",
            "收货地址：",
            "地址：",
            "买家 ",
            "微信 ",
            "QQ ",
            "vx:",
            "@",
            "＠",
            ".com",
            " at ",
            " dot ",
            "卡号",
            "省",
            "市",
            "区",
            "路",
            "号",
            "栋",
            "单元",
            "室",
            "舍",
            "村",
            "王",
            "欧阳",
            "先生",
            "谢谢",
            "Room ",
            "No. ",
            " Rd",
            "，",
            "。",
            " ",
            "\n",
            "😊",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn redaction_never_panics_and_reports_what_it_changed(
        pieces in prop::collection::vec(piece(), 0..40),
        known in prop::collection::vec(piece(), 0..3),
    ) {
        let text: String = pieces.concat();
        let known = KnownPii {
            phones: known.clone(),
            addresses: known.clone(),
            names: known,
        };
        let r = redact(&text, &known).unwrap();
        if r.total() == 0 {
            prop_assert_eq!(&r.text, &text, "nothing reported removed, so nothing changed");
        } else {
            let markers = |t: &str| {
                ["〔电话〕", "〔地址〕", "〔身份证号〕", "〔姓名〕"]
                    .iter()
                    .map(|m| t.matches(m).count())
                    .sum::<usize>()
            };
            prop_assert!(
                markers(&r.text) >= r.total(),
                "every removal leaves a marker: {:?} → {:?}",
                text,
                r.text
            );
        }
    }
}
