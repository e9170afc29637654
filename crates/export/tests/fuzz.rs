//! Structure-aware fuzzing of every export reader: CSV/TSV in each encoding, .xlsx and .xls.
//! Each generator builds a file that is nearly valid (a real header, rows of cells, a
//! workbook's parts) and then breaks it (bytes flipped, inserted or cut, cell references
//! bent, zip parts dropped, renamed or replaced by junk, counts and positions that lie), so that the readers
//! get past their first checks and into the code that sizes and parses.
//!
//! Asserted for every case: no panic, every whole-file failure a typed error with a code
//! and a message naming the file, every row error with a row number and a message, and the
//! heap growth of one read under a fixed bound (a counting global allocator measures it).
//!
//! The cases are run in one test, one after the other, so that the peak measured is one
//! read's. Each reader gets a fixed number of cases chosen to take a few seconds in a debug
//! build; `PROPTEST_CASES=5000 cargo test -p afterdesk-export --test fuzz` runs longer.
//! A failure prints the minimal input; turn it into a named test in `limits.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_export::ExportFile;
use afterdesk_fixtures::hostile::{
    column_name, part_bytes, write_xls, write_zip, xls_dimensions, xls_label, xls_number,
    xls_stream, xlsx_parts,
};
use peak_alloc::PeakAlloc;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::ops::ControlFlow;
use std::path::Path;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// The most one read of a fuzz case (a few kilobytes) may allocate: 256 MB. The largest
/// layout the .xls limit lets through (2,097,152 cells: the cell list, the laid-out range
/// and its copy, about 220 MB) fits; a reader that sizes anything by a count or position
/// read from the file without a check asks for gigabytes and fails the case (or aborts it).
const PEAK_BOUND: usize = 256 << 20;

/// Cases per reader, unless `PROPTEST_CASES` says otherwise.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const HEADERS: [&str; 6] = [
    "退款编号",
    "订单编号",
    "买家退款金额",
    "退款的申请时间",
    "是否需要退货",
    "买家退款说明",
];

/// Cell texts an export holds, and the odd ones.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,19}",
        2 => Just("=\"2938475610000000000\"".to_owned()),
        2 => "[0-9]{1,5}\\.[0-9]{1,3}",
        2 => Just("2026-11-01 10:00:00".to_owned()),
        2 => "[是否]",
        3 => "\\PC{0,12}",
        1 => "[\"\\n\\r\\t,;'=]{0,6}",
        1 => Just("2.93848E+18".to_owned()),
        1 => (1usize..4).prop_map(|k| "长".repeat(k * 11_000)),
    ]
}

fn rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec(cell(), 0..8), 0..12)
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
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
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

/// Reads a file as the import and the preview do, checking every failure is typed and
/// every row error is placed; fails the case when the read allocated past the bound.
fn check_read(path: &Path) -> Result<(), TestCaseError> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let outcome = ExportFile::open(path).and_then(|file| {
        let mut row_errors = Vec::new();
        file.read_records(&[], &mut |_, o, _| {
            if let Err(e) = o.result {
                row_errors.extend(e);
            }
            ControlFlow::Continue(())
        })?;
        let _ = file.preview(&[], 5)?;
        Ok(row_errors)
    });
    let peak = HEAP.peak_usage().saturating_sub(before);
    prop_assert!(
        peak <= PEAK_BOUND,
        "one read allocates at most {} MB, not {} bytes",
        PEAK_BOUND >> 20,
        peak
    );
    match outcome {
        Ok(row_errors) => {
            for e in row_errors {
                prop_assert!(
                    e.row >= 1 && !e.message.is_empty(),
                    "a row error names its row and says what: {e:?}"
                );
            }
        }
        Err(e) => {
            prop_assert!(!e.code().is_empty(), "a file error has a code: {e}");
            prop_assert!(
                e.to_string().contains(&name),
                "a file error names the file: {e}"
            );
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum TextKind {
    Utf8,
    Utf8Bom,
    Gbk,
    Utf16,
}

fn text_file() -> impl Strategy<Value = (Vec<u8>, Vec<Mutation>)> {
    (
        rows(),
        prop_oneof![
            Just(TextKind::Utf8),
            Just(TextKind::Utf8Bom),
            Just(TextKind::Gbk),
            Just(TextKind::Utf16)
        ],
        prop_oneof![Just(','), Just('\t')],
        any::<bool>(),
        mutations(),
    )
        .prop_map(|(rows, kind, delimiter, title, changes)| {
            let quote = |c: &String| {
                if c.contains(['"', ',', '\t', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            };
            let mut text = String::new();
            if title {
                text.push_str("退款列表导出 2026-11-01 至 2026-11-20\n\n");
            }
            text.push_str(&HEADERS.join(&delimiter.to_string()));
            for row in &rows {
                text.push('\n');
                let cells: Vec<String> = row.iter().map(quote).collect();
                text.push_str(&cells.join(&delimiter.to_string()));
            }
            let bytes = match kind {
                TextKind::Utf8 => text.into_bytes(),
                TextKind::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
                TextKind::Gbk => encoding_rs::GBK.encode(&text).0.into_owned(),
                TextKind::Utf16 => {
                    let mut b = vec![0xFF, 0xFE];
                    b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
                    b
                }
            };
            (bytes, changes)
        })
}

/// A cell reference: mostly right, sometimes bent past the grid, garbled or missing.
fn reference() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => Just(None).prop_map(|_: Option<()>| Some(String::new())),
        1 => Just(None),
        1 => "[A-Z]{1,9}[0-9]{1,12}".prop_map(Some),
        1 => "[A-Za-z0-9$:!]{0,6}".prop_map(Some),
    ]
}

/// A workbook cell of any type the format has, with a value that may not fit the type.
fn xlsx_cell_xml() -> impl Strategy<Value = (Option<String>, String)> {
    (
        reference(),
        prop_oneof![
            cell().prop_map(|t| format!(
                "t=\"inlineStr\"><is><t>{}</t></is>",
                t.replace('&', "&amp;").replace('<', "&lt;")
            )),
            (0u64..8).prop_map(|i| format!("t=\"s\"><v>{i}</v>")),
            "-?[0-9]{1,20}(\\.[0-9]{1,4})?(E[+-]?[0-9]{1,3})?".prop_map(|n| format!("><v>{n}</v>")),
            "[01x]".prop_map(|b| format!("t=\"b\"><v>{b}</v>")),
            Just("t=\"e\"><v>#DIV/0!</v>".to_owned()),
            "\\PC{0,8}".prop_map(|s| format!("t=\"str\"><v>{}</v>", s.replace('<', ""))),
            Just("t=\"d\"><v>2026-11-01T10:00:00</v>".to_owned()),
            Just("t=\"zz\"><v>1</v>".to_owned()),
            Just("><f>SUM(A1:A2)</f><v>3</v>".to_owned()),
        ],
    )
}

#[derive(Debug, Clone)]
enum PartChange {
    Keep,
    Drop(usize),
    Rename(usize),
    Junk(usize),
}

fn xlsx_file() -> impl Strategy<Value = (Vec<u8>, Vec<Mutation>, Vec<Mutation>)> {
    (
        prop::collection::vec(prop::collection::vec(xlsx_cell_xml(), 0..7), 0..10),
        prop::option::of((prop::collection::vec("\\PC{0,10}", 0..6), prop::option::of(any::<u64>()))),
        "[A-Z]{0,3}[0-9]{0,7}(:[A-Z]{0,3}[0-9]{0,7})?",
        prop_oneof![
            4 => Just(PartChange::Keep),
            1 => (0usize..8).prop_map(PartChange::Drop),
            1 => (0usize..8).prop_map(PartChange::Rename),
            1 => (0usize..8).prop_map(PartChange::Junk),
        ],
        mutations(),
        mutations(),
    )
        .prop_map(|(rows, strings, dimension, part_change, xml_changes, zip_changes)| {
            let mut sheet = String::from("<row r=\"1\">");
            for (i, h) in HEADERS.iter().enumerate() {
                sheet.push_str(&format!(
                    "<c r=\"{}1\" t=\"inlineStr\"><is><t>{h}</t></is></c>",
                    column_name(i)
                ));
            }
            sheet.push_str("</row>");
            for (r, row) in rows.iter().enumerate() {
                sheet.push_str(&format!("<row r=\"{}\">", r + 2));
                for (c, (reference, body)) in row.iter().enumerate() {
                    let at = match reference {
                        Some(s) if s.is_empty() => format!(" r=\"{}{}\"", column_name(c), r + 2),
                        Some(s) => format!(" r=\"{s}\""),
                        None => String::new(),
                    };
                    sheet.push_str(&format!("<c{at} {body}</c>"));
                }
                sheet.push_str("</row>");
            }
            let mut sheet = format!("<dimension ref=\"{dimension}\"/>{sheet}").into_bytes();
            mutate(&mut sheet, &xml_changes);
            let strings = strings.map(|(items, declared)| {
                let mut xml = String::from(
                    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"",
                );
                if let Some(n) = declared {
                    xml.push_str(&format!(" uniqueCount=\"{n}\""));
                }
                xml.push('>');
                for s in items {
                    xml.push_str(&format!("<si><t>{}</t></si>", s.replace(['<', '&'], "")));
                }
                xml.push_str("</sst>");
                xml
            });
            // The dimension element belongs before sheetData: move it there by writing
            // the sheet part whole.
            let mut parts = xlsx_parts(part_bytes(Vec::new()), strings.map(part_bytes));
            for (name, writer) in parts.iter_mut() {
                if name == "xl/worksheets/sheet1.xml" {
                    let mut whole = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#.to_vec();
                    let split = sheet
                        .windows(2)
                        .position(|w| w == b"/>")
                        .map_or(0, |p| p + 2);
                    whole.extend_from_slice(&sheet[..split]);
                    whole.extend_from_slice(b"<sheetData>");
                    whole.extend_from_slice(&sheet[split..]);
                    whole.extend_from_slice(b"</sheetData></worksheet>");
                    *writer = part_bytes(whole);
                }
            }
            match part_change {
                PartChange::Keep => {}
                PartChange::Drop(i) => {
                    let i = i % parts.len();
                    drop(parts.remove(i));
                }
                PartChange::Rename(i) => {
                    let i = i % parts.len();
                    parts[i].0 = format!("{}x", parts[i].0);
                }
                PartChange::Junk(i) => {
                    let i = i % parts.len();
                    parts[i].1 = part_bytes(b"<junk/>");
                }
            }
            let dir = std::env::temp_dir().join(format!("afterdesk-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let staging = dir.join("staging.zip");
            // The writer refuses a repeated name; keep the first part of any name.
            let mut seen = std::collections::HashSet::new();
            parts.retain(|(n, _)| seen.insert(n.clone()));
            write_zip(&staging, parts).unwrap();
            (std::fs::read(&staging).unwrap(), Vec::new(), zip_changes)
        })
}

fn xls_record() -> impl Strategy<Value = (u16, Vec<u8>)> {
    prop_oneof![
        4 => (0u16..40, 0u16..12, any::<f64>()).prop_map(|(r, c, v)| xls_number(r, c, v)),
        2 => (any::<u16>(), any::<u16>(), any::<f64>()).prop_map(|(r, c, v)| xls_number(r, c, v)),
        3 => (0u16..40, 0u16..12, "\\PC{0,10}").prop_map(|(r, c, t)| xls_label(r, c, &t)),
        1 => (any::<u32>(), any::<u32>(), any::<u16>(), any::<u16>())
            .prop_map(|(a, b, c, d)| xls_dimensions((a, b), (c, d))),
        2 => (
            prop_oneof![
                Just(0x00FDu16), Just(0x00BD), Just(0x0006), Just(0x027E), Just(0x0205),
                Just(0x0207), Just(0x00E5), Just(0x0809), Just(0x000A), Just(0x003C),
                Just(0x0085), Just(0x00FC), any::<u16>()
            ],
            prop::collection::vec(any::<u8>(), 0..40),
        ),
    ]
}

fn xls_file() -> impl Strategy<Value = (Vec<u8>, Vec<Mutation>, Vec<Mutation>)> {
    (
        prop::collection::vec(xls_record(), 0..16),
        mutations(),
        prop_oneof![3 => Just(Vec::new()), 1 => mutations()],
    )
        .prop_map(|(records, stream_changes, file_changes)| {
            let mut all: Vec<(u16, Vec<u8>)> = HEADERS
                .iter()
                .enumerate()
                .map(|(i, h)| xls_label(0, i as u16, h))
                .collect();
            all.extend(records);
            let mut stream = xls_stream(&all);
            mutate(&mut stream, &stream_changes);
            let dir = std::env::temp_dir().join(format!("afterdesk-fuzz-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let staging = dir.join("staging.xls");
            write_xls(&staging, &stream).unwrap();
            (std::fs::read(&staging).unwrap(), Vec::new(), file_changes)
        })
}

/// Runs one reader's cases, each written to a fresh file and read back.
fn run(
    name: &str,
    default_cases: u32,
    strategy: impl Strategy<Value = (Vec<u8>, Vec<Mutation>, Vec<Mutation>)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/fuzz.proptest-regressions",
            ),
        )),
        ..Config::default()
    });
    let result = runner.run(&strategy, |(mut bytes, first, second)| {
        mutate(&mut bytes, &first);
        mutate(&mut bytes, &second);
        std::fs::write(&path, &bytes).unwrap();
        check_read(&path)
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

#[test]
fn every_reader_survives_broken_files() {
    run(
        "fuzz.csv",
        300,
        text_file().prop_map(|(bytes, changes)| (bytes, changes, Vec::new())),
    );
    run("fuzz.xlsx", 200, xlsx_file());
    run("fuzz.xls", 200, xls_file());
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("afterdesk-fuzz-{}", std::process::id())),
    );
}
