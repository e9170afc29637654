//! Memory while reading hostile training files, measured for real: this test binary counts
//! every allocation (a counting global allocator, `peak_alloc`), so the peak heap of one
//! read is known to the byte, unlike the resident size of a process, which the allocator's
//! caching and the test harness blur. It holds one test so that nothing else allocates
//! while a read is measured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_fixtures::hostile::{
    SLIDE_PARAGRAPH, WORD_PARAGRAPH, docx_parts, part_repeated, pptx_parts, write_zip,
};
use afterdesk_script::import::{MAX_UNPACKED_TEXT_BYTES, read_file};
use peak_alloc::PeakAlloc;
use std::path::Path;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const MB: usize = 1 << 20;

/// The most reading a refused document may allocate: twice the unpacked budget. The text
/// gathered before the budget runs out is at most the XML it came from, and while the text
/// buffer grows (doubling) the old and the new buffer are briefly both held.
const REFUSED_PEAK: usize = 2 * MAX_UNPACKED_TEXT_BYTES as usize;

fn peak_of_read(path: &Path) -> (usize, Result<usize, String>) {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let result = read_file(path)
        .map(|t| t.len())
        .map_err(|e| e.code().to_owned());
    (HEAP.peak_usage().saturating_sub(before), result)
}

#[test]
fn hostile_documents_are_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // Finding 8: a deck of many slides, none large, that together unpack to 96 MB.
    let deck = dir.path().join("deck.pptx");
    let per_slide = (8 * MB / SLIDE_PARAGRAPH.len()) as u64;
    write_zip(
        &deck,
        pptx_parts(
            (0..12)
                .map(|_| part_repeated("", SLIDE_PARAGRAPH, per_slide, ""))
                .collect(),
        ),
    )
    .unwrap();
    // Empty paragraphs: each costs eleven bytes of XML and a line break of text (88 MB).
    let breaks = dir.path().join("breaks.docx");
    write_zip(
        &breaks,
        docx_parts(part_repeated("", "<w:p></w:p>", 8_000_000, "")),
    )
    .unwrap();
    let manual = dir.path().join("manual.docx");
    write_zip(
        &manual,
        docx_parts(part_repeated(
            "",
            WORD_PARAGRAPH,
            (100 * MB / WORD_PARAGRAPH.len()) as u64,
            "",
        )),
    )
    .unwrap();

    let mut report = Vec::new();
    for path in [&deck, &breaks, &manual] {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (peak, got) = peak_of_read(path);
        report.push(format!(
            "{name} ({} KB packed): {:.1} MB peak, {got:?}",
            std::fs::metadata(path).unwrap().len() / 1024,
            peak as f64 / MB as f64
        ));
        assert_eq!(
            got,
            Err("document_too_large".to_owned()),
            "{name}: a document unpacking past the budget is refused with a typed error"
        );
        assert!(
            peak <= REFUSED_PEAK,
            "{name}: reading it allocates at most {} MB at once, not {:.1} MB",
            REFUSED_PEAK / MB,
            peak as f64 / MB as f64
        );
    }
    // Shown with --nocapture: the figures quoted in docs/drafts.md.
    println!("{}", report.join("\n"));
}
