//! The training-material import against the shop decks it was built for (the seed files
//! beside the repository, when present) and generated Word and slide documents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_script::Classifier;
use afterdesk_script::import::{ImportError, ImportReport, SkipReason, import_text, read_file};
use rstest::rstest;
use serde_json::{Value, json};
use std::path::PathBuf;

/// The shops' training decks, exported to text, live beside the repository
/// (`../shared/seeds` from its root), not in it: they are raw material, never shipped.
fn seed(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seeds")
        .join(name);
    path.exists().then_some(path)
}

/// What a shop owner reviews: the counts, every proposal, and the skipped lines that could
/// have been proposals (headings and fragments; prose, noise and duplicates are counted).
fn review(report: &ImportReport) -> Value {
    json!({
        "lines": report.lines,
        "counts": {
            "scripts": report.scripts.len(),
            "questions": report.questions.len(),
            "exercises": report.exercises.len(),
            "skipped": report.skipped.len(),
        },
        "skipped_by_reason": report.skipped_counts,
        "scripts": report.scripts,
        "questions": report.questions,
        "exercises": report.exercises,
        "skipped_headings_and_fragments": report
            .skipped
            .iter()
            .filter(|s| matches!(s.reason, SkipReason::Heading | SkipReason::Fragment))
            .map(|s| format!("{} {:?} {}", s.line, s.reason, s.text))
            .collect::<Vec<_>>(),
    })
}

#[rstest]
#[case("000_558451ca0853d872.txt")]
#[case("001_de907b5629fd0cb8.txt")]
#[case("002_026778f32728c716.txt")]
#[case("004_9b4d16a2e805de5e.txt")]
fn seed_decks(#[case] name: &str) {
    let Some(path) = seed(name) else {
        eprintln!("seed file {name} is not beside the repository; skipped");
        return;
    };
    let classifier = Classifier::builtin().expect("built-in classifier");
    let text = read_file(&path).expect("a seed deck reads");
    let report = import_text(&text, &classifier);
    let accounted = report.skipped.len()
        - report
            .skipped_counts
            .get(&SkipReason::Fragment)
            .unwrap_or(&0)
        + report.questions.len()
        + report.exercises.len();
    assert!(
        accounted <= report.lines,
        "every line is a proposal or skipped once ({accounted} > {} lines)",
        report.lines
    );
    for s in &report.scripts {
        assert!(
            s.template.chars().all(|c| c != 'X'),
            "no XX stand-in is left in a proposal's template: {}",
            s.template
        );
    }
    println!(
        "{name}: {} lines, {} scripts ({} not other), {} questions, {} exercises, skipped {:?}",
        report.lines,
        report.scripts.len(),
        report
            .scripts
            .iter()
            .filter(|s| s.kind != afterdesk_case::ScenarioKind::Other)
            .count(),
        report.questions.len(),
        report.exercises.len(),
        report.skipped_counts
    );
    insta::assert_json_snapshot!(name.split('_').next().unwrap_or(name), review(&report));
}

/// A training sheet written for this test in the formats of brief §9: choice questions
/// with answer letters, open exercises, a quoted reply and a repeated page.
const SHEET: &str = "售后考核题
1、买家反馈收到的商品有破损，客服首先应该（ ）
A、道歉并请买家拍照 B、让买家找快递
C、不回复 D、让买家改退款原因
答案：A
2、下列属于错发漏发补救方式的是（ ）（多选）
A、补发
B、部分退款
C、不予理会
正确答案：AB
客户：我收到货了，但是大小不合适，怎么换货？ 客服：____
客户：赠品没收到
客服：亲，非常抱歉漏发了赠品，我们今天为您补发，单号出来马上告诉您。
“亲，给您添麻烦了，我们已经联系快递加急处理，明天中午前给您答复。”
第1页/共2页
“亲，给您添麻烦了，我们已经联系快递加急处理，明天中午前给您答复。”
";

#[test]
fn a_question_sheet() {
    let classifier = Classifier::builtin().expect("built-in classifier");
    let report = import_text(SHEET, &classifier);
    assert_eq!(
        (
            report.questions.len(),
            report.exercises.len(),
            report.scripts.len()
        ),
        (2, 2, 1),
        "two questions, two exercises, one merged quote"
    );
    insta::assert_json_snapshot!("question_sheet", review(&report));
}

#[rstest]
#[case::docx("docx")]
#[case::pptx("pptx")]
fn generated_documents(#[case] ext: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(format!("培训.{ext}"));
    match ext {
        "docx" => afterdesk_fixtures::write_training_docx(&path, 10, 1),
        _ => afterdesk_fixtures::write_training_pptx(&path, 10, 1),
    }
    .expect("write the document");
    let text = read_file(&path).expect("a generated document reads");
    let classifier = Classifier::builtin().expect("built-in classifier");
    let report = import_text(&text, &classifier);
    // A slide is one topic block, a Word page three; every even block has a question.
    let blocks = if ext == "docx" {
        10 * afterdesk_fixtures::BLOCKS_PER_PAGE
    } else {
        10
    };
    assert_eq!(
        report.questions.len(),
        blocks / 2,
        "every even block has a question ({ext})"
    );
    assert!(
        report.questions.iter().all(|q| !q.answer.is_empty()),
        "every question has its answer ({ext})"
    );
    assert!(
        report.exercises.len() >= 5,
        "odd blocks have exercises (repeats merged) ({ext})"
    );
    assert!(
        report
            .scripts
            .iter()
            .all(|s| s.kind != afterdesk_case::ScenarioKind::Other),
        "every generated reply names its scenario ({ext}): {:?}",
        report
            .scripts
            .iter()
            .map(|s| (s.kind, s.text.as_str()))
            .collect::<Vec<_>>()
    );
    let first_page = text.lines().position(|l| l.starts_with("1、"));
    let second_page = text.lines().position(|l| l.starts_with("2、"));
    assert!(
        first_page < second_page,
        "slides are read in their number order, not the archive's ({ext})"
    );
}

#[rstest]
#[case::missing("nope.txt", None, "找不到文件")]
#[case::empty("empty.txt", Some(Vec::new()), "没有可导入的文字")]
#[case::blank("blank.md", Some(b"  \n\n".to_vec()), "没有可导入的文字")]
#[case::binary("binary.txt", Some(vec![0x00, 0x01, 0xFF, 0xFE, 0x00]), "编码无法识别")]
#[case::corrupt_docx("broken.docx", Some(b"PK\x03\x04 not really a zip".to_vec()), "不是有效的 Office 文件")]
#[case::corrupt_pptx("broken.pptx", Some(b"hello".to_vec()), "不是有效的 Office 文件")]
#[case::unsupported("deck.pdf", Some(b"%PDF-1.4".to_vec()), "不支持的文件类型")]
fn bad_files_are_refused_with_their_name(
    #[case] name: &str,
    #[case] bytes: Option<Vec<u8>>,
    #[case] want: &str,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    if let Some(bytes) = &bytes {
        std::fs::write(&path, bytes).expect("write the file");
    }
    let err: Option<ImportError> = read_file(&path).err();
    let message = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains(want) && message.contains(name),
        "a bad file is refused with a Chinese message naming it ({want}): {message}"
    );
}

#[test]
fn a_gbk_text_file_is_decoded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("话术.txt");
    let (bytes, _, _) =
        encoding_rs::GBK.encode("客服：亲，非常抱歉让您久等了，我们马上为您查询物流。\n");
    std::fs::write(&path, &bytes).expect("write the file");
    let text = read_file(&path).expect("GBK text decodes");
    let classifier = Classifier::builtin().expect("built-in classifier");
    let report = import_text(&text, &classifier);
    assert_eq!(
        report.scripts.first().map(|s| s.text.as_str()),
        Some("亲，非常抱歉让您久等了，我们马上为您查询物流。"),
        "a GBK file's agent line is read intact"
    );
}
