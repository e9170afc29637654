//! Structure-aware fuzzing of the training-material readers (.txt/.md in every encoding,
//! .docx, .pptx) and of the import that turns their text into proposals. Each generator
//! writes material that is nearly valid (lines shaped like the courses: questions, options,
//! answers, 客户：/客服： exercises, quoted replies, slide footers) and then breaks it
//! (bytes flipped, inserted or cut, XML bent, entities unknown, zip parts dropped or
//! renamed, slide numbers absurd).
//!
//! Asserted for every case: no panic, every failure a typed error with a code and a
//! message naming the file, and the heap growth of reading plus importing under a fixed
//! bound (a counting global allocator measures it).
//!
//! The cases run in one test, one after the other, so that the peak measured is one
//! case's. Each reader gets a fixed number of cases chosen to take a few seconds in a debug
//! build; `PROPTEST_CASES=5000 cargo test -p afterdesk-script --test fuzz` runs longer.
//! A failure prints the minimal input; turn it into a named test in `limits.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_fixtures::hostile::{docx_parts, part_bytes, pptx_parts, write_zip};
use afterdesk_script::Classifier;
use afterdesk_script::import::{import_text, read_file};
use peak_alloc::PeakAlloc;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::path::Path;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// The most reading and importing one fuzz case (a few kilobytes) may allocate: 64 MB.
/// The classifier is loaded before measuring; a reader that sizes anything by a count read
/// from the file without a check asks for far more and fails the case.
const PEAK_BOUND: usize = 64 << 20;

/// Cases per reader, unless `PROPTEST_CASES` says otherwise.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A line of training material, of the shapes the import looks for and of none.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[0-9]{1,2}、\\PC{0,12}（ ）".prop_map(|s| s),
        2 => "[A-D]、\\PC{0,6}( [A-D]、\\PC{0,6}){0,2}",
        1 => "答案[：: ]?[A-D]{0,3}",
        2 => "客户：\\PC{0,16}( 客服：\\PC{0,10})?",
        2 => "客服：\\PC{0,16}",
        2 => "[•●·▪■◆❖ ]{0,2}“亲，\\PC{0,20}您\\PC{0,10}”",
        1 => "(退货|换货|质量问题)[：:]亲[,，]\\PC{0,20}",
        1 => "第[0-9]{1,3}页/共[0-9]{1,3}页",
        1 => "(礼貌用语|常用语)[：:]\\PC{0,20}",
        1 => "XX先生[,，]\\PC{0,10}单号[:：]X{2,6}",
        3 => "\\PC{0,30}",
        1 => "[ \\t\\u{3000}\\u{feff}]{0,4}",
    ]
}

fn lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(line(), 0..24)
}

/// A byte-level change to a file.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Cut(usize, usize),
    Truncate(usize),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let one = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Flip(at, b)),
        (
            any::<usize>(),
            prop_oneof![
                prop::collection::vec(any::<u8>(), 1..8),
                Just(b"<".to_vec()),
                Just(b"&nbsp;".to_vec()),
                Just(b"</w:p>".to_vec()),
                Just(b"<a:t>".to_vec()),
            ]
        )
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Mutation::Cut(at, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ];
    prop::collection::vec(one, 0..4)
}

fn mutate(bytes: &mut Vec<u8>, changes: &[Mutation]) {
    for change in changes {
        if bytes.is_empty() {
            return;
        }
        let len = bytes.len();
        match change {
            Mutation::Flip(at, b) => bytes[at % len] ^= b | 1,
            Mutation::Insert(at, b) => {
                let at = at % len;
                bytes.splice(at..at, b.iter().copied());
            }
            Mutation::Cut(at, n) => {
                let at = at % len;
                bytes.drain(at..(at + n).min(len));
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
        }
    }
}

/// Text as XML element content, sometimes with entities the reader must pass or drop.
fn xml_text(text: &str, entities: bool) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if entities {
        format!("{escaped}&quot;&apos;&#x4EB2;&#20146;&unknown;")
    } else {
        escaped
    }
}

#[derive(Debug, Clone, Copy)]
enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
    Utf16Le,
    Utf16Be,
}

fn text_file() -> impl Strategy<Value = (String, Vec<u8>, Vec<Mutation>)> {
    (
        lines(),
        prop_oneof![
            Just(Encoding::Utf8),
            Just(Encoding::Utf8Bom),
            Just(Encoding::Gbk),
            Just(Encoding::Utf16Le),
            Just(Encoding::Utf16Be)
        ],
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        prop_oneof![Just("fuzz.txt"), Just("fuzz.md")],
        mutations(),
    )
        .prop_map(|(lines, encoding, newline, name, changes)| {
            let text = lines.join(newline);
            let bytes = match encoding {
                Encoding::Utf8 => text.into_bytes(),
                Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                Encoding::Gbk => encoding_rs::GBK.encode(&text).0.into_owned(),
                Encoding::Utf16Le => [0xFF, 0xFE]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                    .collect(),
                Encoding::Utf16Be => [0xFE, 0xFF]
                    .into_iter()
                    .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
                    .collect(),
            };
            (name.to_owned(), bytes, changes)
        })
}

#[derive(Debug, Clone)]
enum PartChange {
    Keep,
    Drop(usize),
    Rename(usize, String),
}

fn part_change() -> impl Strategy<Value = PartChange> {
    prop_oneof![
        4 => Just(PartChange::Keep),
        1 => (0usize..6).prop_map(PartChange::Drop),
        1 => (
            0usize..6,
            prop_oneof![
                Just("ppt/slides/slide99999999999.xml".to_owned()),
                Just("ppt/slides/slide-1.xml".to_owned()),
                Just("ppt/slides/slide.xml".to_owned()),
                Just("word/document.xml".to_owned()),
                Just("WORD/DOCUMENT.XML".to_owned()),
            ]
        )
            .prop_map(|(i, n)| PartChange::Rename(i, n)),
    ]
}

/// A paragraph of runs: the line split where Word splits runs, text escaped.
fn paragraph(prefix: &str, text: &str, split: usize, entities: bool) -> String {
    let cut = text
        .char_indices()
        .nth(split % (text.chars().count() + 1))
        .map_or(text.len(), |(i, _)| i);
    format!(
        "<{prefix}:p><{prefix}:r><{prefix}:t xml:space=\"preserve\">{}</{prefix}:t></{prefix}:r><{prefix}:r><{prefix}:t>{}</{prefix}:t></{prefix}:r></{prefix}:p>",
        xml_text(&text[..cut], entities),
        xml_text(&text[cut..], false)
    )
}

fn document_file() -> impl Strategy<Value = (String, Vec<u8>, Vec<Mutation>)> {
    (
        prop::collection::vec((lines(), any::<usize>(), any::<bool>()), 1..5),
        any::<bool>(),
        part_change(),
        mutations(),
        prop_oneof![3 => Just(Vec::new()), 1 => mutations()],
    )
        .prop_map(|(groups, docx, change, xml_changes, zip_changes)| {
            let prefix = if docx { "w" } else { "a" };
            let mut xml_parts: Vec<Vec<u8>> = groups
                .iter()
                .map(|(lines, split, entities)| {
                    let mut xml = String::new();
                    for l in lines {
                        xml.push_str(&paragraph(prefix, l, *split, *entities));
                    }
                    xml.into_bytes()
                })
                .collect();
            if let Some(first) = xml_parts.first_mut() {
                mutate(first, &xml_changes);
            }
            let mut parts = if docx {
                docx_parts(part_bytes(xml_parts.concat()))
            } else {
                pptx_parts(xml_parts.into_iter().map(part_bytes).collect())
            };
            match change {
                PartChange::Keep => {}
                PartChange::Drop(i) => {
                    let i = i % parts.len();
                    drop(parts.remove(i));
                }
                PartChange::Rename(i, name) => {
                    let i = i % parts.len();
                    parts[i].0 = name;
                }
            }
            let mut seen = std::collections::HashSet::new();
            parts.retain(|(n, _)| seen.insert(n.clone()));
            let dir = std::env::temp_dir().join(format!("afterdesk-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let staging = dir.join("staging.zip");
            write_zip(&staging, parts).unwrap();
            let name = if docx { "fuzz.docx" } else { "fuzz.pptx" };
            (
                name.to_owned(),
                std::fs::read(&staging).unwrap(),
                zip_changes,
            )
        })
}

/// Reads a file and imports its text; fails the case on an untyped failure or a peak past
/// the bound (a panic fails it by itself).
fn check(path: &Path, classifier: &Classifier) -> Result<(), TestCaseError> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let outcome = read_file(path).map(|text| import_text(&text, classifier));
    let peak = HEAP.peak_usage().saturating_sub(before);
    prop_assert!(
        peak <= PEAK_BOUND,
        "reading and importing allocates at most {} MB, not {} bytes",
        PEAK_BOUND >> 20,
        peak
    );
    match outcome {
        Ok(report) => {
            let counted: usize = report.skipped_counts.values().sum();
            prop_assert_eq!(
                counted,
                report.skipped.len(),
                "every skipped line is counted by its reason"
            );
        }
        Err(e) => {
            prop_assert!(!e.code().is_empty(), "an error has a code: {}", e);
            prop_assert!(
                e.to_string().contains(&name),
                "an error names the file: {}",
                e
            );
        }
    }
    Ok(())
}

fn run(
    default_cases: u32,
    strategy: impl Strategy<Value = (String, Vec<u8>, Vec<Mutation>)>,
    classifier: &Classifier,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..Config::default()
    });
    let result = runner.run(&strategy, |(name, mut bytes, changes)| {
        mutate(&mut bytes, &changes);
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        check(&path, classifier)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn every_training_reader_survives_broken_files() {
    let classifier = Classifier::builtin().unwrap();
    run(300, text_file(), &classifier);
    run(200, document_file(), &classifier);
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("afterdesk-fuzz-{}", std::process::id())),
    );
}
