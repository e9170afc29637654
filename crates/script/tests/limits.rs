//! Hostile training files: each limit is a typed error with a Chinese message naming the
//! file, never an abort or a gigabyte of memory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_fixtures::hostile::{
    SLIDE_PARAGRAPH, WORD_PARAGRAPH, docx_parts, lie_about_sizes, part_repeated, pptx_parts,
    write_zip,
};
use afterdesk_script::import::{
    ImportError, MAX_TEXT_FILE_BYTES, MAX_UNPACKED_TEXT_BYTES, read_file,
};
use rstest::rstest;
use std::path::Path;

/// Paragraphs of slide or document text that unpack to about `bytes`.
fn paragraphs(unit: &'static str, bytes: u64) -> u64 {
    bytes / unit.len() as u64 + 1
}

fn pptx(path: &Path, slides: usize, bytes_each: u64) {
    let slides = (0..slides)
        .map(|_| {
            part_repeated(
                "",
                SLIDE_PARAGRAPH,
                paragraphs(SLIDE_PARAGRAPH, bytes_each),
                "",
            )
        })
        .collect();
    write_zip(path, pptx_parts(slides)).unwrap();
}

fn docx(path: &Path, bytes: u64) {
    write_zip(
        path,
        docx_parts(part_repeated(
            "",
            WORD_PARAGRAPH,
            paragraphs(WORD_PARAGRAPH, bytes),
            "",
        )),
    )
    .unwrap();
}

#[rstest]
// Twelve slides of 8 MB each: no slide is large, together they are 96 MB.
#[case::many_slides("deck.pptx", 12, 8 << 20, Some("document_too_large"))]
#[case::one_huge_document("manual.docx", 1, 100 << 20, Some("document_too_large"))]
#[case::a_real_sized_deck("course.pptx", 30, 20_000, None)]
#[case::just_under_the_budget("long.docx", 1, MAX_UNPACKED_TEXT_BYTES - (1 << 20), None)]
fn documents_unpacking_past_the_budget_are_refused(
    #[case] name: &str,
    #[case] parts: usize,
    #[case] bytes_each: u64,
    #[case] refused: Option<&str>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    if name.ends_with(".pptx") {
        pptx(&path, parts, bytes_each);
    } else {
        docx(&path, bytes_each);
    }
    let packed = std::fs::metadata(&path).unwrap().len();
    match (refused, read_file(&path)) {
        (None, Ok(text)) => assert!(
            text.lines().count() > 100,
            "{name}: a document within the budget reads all its paragraphs"
        ),
        (Some(code), Err(e)) => {
            assert_eq!(e.code(), code, "{name} ({packed} bytes packed): typed: {e}");
            assert!(
                e.to_string().contains(name) && e.to_string().contains("64 MB"),
                "{name}: the message names the file and the limit: {e}"
            );
        }
        (want, got) => panic!(
            "{name} ({packed} bytes packed): want {want:?}, got {:?}",
            got.map(|t| t.len())
        ),
    }
}

#[test]
fn a_document_whose_directory_understates_its_size_is_refused_not_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("liar.docx");
    docx(&path, 200 << 20);
    let mut bytes = std::fs::read(&path).unwrap();
    lie_about_sizes(&mut bytes, 1_000).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let err = read_file(&path).unwrap_err();
    assert!(
        matches!(err.code(), "document_corrupt" | "document_too_large"),
        "a part inflating past the size its header claims is an error, not 200 MB of text: {err}"
    );
}

#[rstest]
#[case::over("big.txt", MAX_TEXT_FILE_BYTES + 1, true)]
#[case::at_the_limit("ok.md", MAX_TEXT_FILE_BYTES, false)]
fn text_files_larger_than_any_course_are_refused(
    #[case] name: &str,
    #[case] size: u64,
    #[case] refused: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let line = "亲，您好，请问有什么可以帮您？\n";
    let mut text = line.repeat(size as usize / line.len() + 1).into_bytes();
    text.truncate(size as usize);
    // Cut at a character boundary with ASCII padding so that the text stays valid UTF-8.
    let valid = std::str::from_utf8(&text).map_or_else(|e| e.valid_up_to(), |_| text.len());
    text.truncate(valid);
    text.resize(size as usize, b'\n');
    std::fs::write(&path, &text).unwrap();
    match (refused, read_file(&path)) {
        (true, Err(ImportError::TooLarge { size: s, limit, .. })) => {
            assert_eq!(
                (s, limit),
                (size, MAX_TEXT_FILE_BYTES),
                "size and limit are carried"
            );
            let err = read_file(&path).unwrap_err();
            assert_eq!(err.code(), "file_too_large");
            assert!(err.to_string().contains(name), "names the file: {err}");
        }
        (false, Ok(_)) => {}
        (want, got) => panic!(
            "{name}: refused should be {want}, got {:?}",
            got.map(|t| t.len())
        ),
    }
}
