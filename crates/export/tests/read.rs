//! Reading generated exports in every supported encoding and format, and surviving garbage.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::Fen;
use afterdesk_case::time::parse_china_time;
use afterdesk_export::{ExportFile, ExportKind, FileFormat, ParsedRow, RowError, TextEncoding};
use afterdesk_fixtures::{Encoding, Spec, write_refund_csv, write_refund_xlsx};
use proptest::prelude::*;
use rstest::rstest;
use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

fn spec(rows: usize) -> Spec {
    Spec {
        bad_every: Some(10),
        ..Spec::new(rows, parse_china_time("2026-11-20 09:00:00").unwrap())
    }
}

/// Reads a file into its parsed rows and row errors.
fn read(path: &Path) -> (ExportKind, Vec<ParsedRow>, Vec<RowError>) {
    let file = ExportFile::open(path).unwrap();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let layout = file
        .read_records(&[], &mut |_, outcome, _| {
            match outcome.result {
                Ok(row) => rows.push(row),
                Err(e) => errors.extend(e),
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    (layout.kind, rows, errors)
}

fn csv(dir: &tempfile::TempDir, encoding: Encoding) -> std::path::PathBuf {
    let path = dir.path().join("refunds.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    write_refund_csv(&mut file, &spec(40), encoding).unwrap();
    path
}

#[rstest]
#[case::gbk(Encoding::Gbk, TextEncoding::Gb18030)]
#[case::utf8(Encoding::Utf8, TextEncoding::Utf8)]
#[case::utf8_bom(Encoding::Utf8Bom, TextEncoding::Utf8Bom)]
fn every_encoding_reads_the_same_rows(#[case] written: Encoding, #[case] detected: TextEncoding) {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(&dir, written);
    assert_eq!(
        ExportFile::open(&path).unwrap().format(),
        FileFormat::Text {
            encoding: detected,
            delimiter: b','
        }
    );
    let (kind, rows, errors) = read(&path);
    assert_eq!(kind, ExportKind::Refunds);
    assert_eq!(rows.len(), 36, "40 rows with every 10th broken leave 36");
    assert_eq!(errors.len(), 4, "each broken row is reported");

    let ParsedRow::Refund(first) = &rows[0] else {
        panic!("a refund row")
    };
    assert_eq!(
        first.order_no.as_deref(),
        Some("2938475610000000000"),
        "the protected 19-digit order number is exact"
    );
    assert!(
        first
            .alipay_no
            .as_deref()
            .is_some_and(|a| a.len() == 28 && !a.starts_with('\t')),
        "the tab guard is removed"
    );
    assert_eq!(first.paid, Some(Fen(first.paid.unwrap().0)));
    let ParsedRow::Refund(second) = &rows[1] else {
        panic!("a refund row")
    };
    assert_eq!(
        second.buyer_note.as_deref(),
        Some("颜色和图片差很多, 跟客服说过了\n希望退款"),
        "a quoted cell keeps its comma and line break"
    );
    let ParsedRow::Refund(third) = &rows[2] else {
        panic!("a refund row")
    };
    assert!(
        third
            .buyer_note
            .as_deref()
            .unwrap()
            .contains("\"正品保证\""),
        "doubled quotes are unescaped"
    );
}

#[test]
fn gbk_and_utf8_agree_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (_, gbk, _) = read(&csv(&dir, Encoding::Gbk));
    let (_, utf8, _) = read(&csv(&dir, Encoding::Utf8));
    assert_eq!(gbk, utf8, "the encoding must not change a single value");
}

#[test]
fn xlsx_reads_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (_, from_csv, csv_errors) = read(&csv(&dir, Encoding::Utf8));
    let xlsx = dir.path().join("refunds.xlsx");
    write_refund_xlsx(&xlsx, &spec(40)).unwrap();
    assert_eq!(ExportFile::open(&xlsx).unwrap().format(), FileFormat::Xlsx);
    let (_, from_xlsx, xlsx_errors) = read(&xlsx);
    assert_eq!(
        from_xlsx, from_csv,
        "a workbook yields the same facts as the CSV of the same rows"
    );
    assert_eq!(
        xlsx_errors, csv_errors,
        "and the same row errors at the same row numbers"
    );
}

#[test]
fn a_title_line_above_the_header_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("titled.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    write!(f, "退款列表导出 2026-11-01 至 2026-11-20\n\n退款编号,订单编号,买家退款金额\n1001,2001,12.50\n\n\n").unwrap();
    let file = ExportFile::open(&path).unwrap();
    let mut rows = Vec::new();
    let layout = file
        .read_records(&[], &mut |_, o, _| {
            rows.push(o);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(layout.header_row, 3, "the header is found on row 3");
    assert_eq!(rows.len(), 1, "blank trailing lines are not rows");
    assert_eq!(rows[0].row, 4);
}

#[rstest]
#[case::not_an_export("姓名,电话\n张三,138\n", "不像是退款或订单导出文件")]
#[case::only_blank("\n\n\n", "是空的")]
fn a_file_that_is_not_an_export_says_so(#[case] content: &str, #[case] message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wrong.csv");
    std::fs::write(&path, content).unwrap();
    let err = ExportFile::open(&path)
        .and_then(|f| f.read_records(&[], &mut |_, _, _| ControlFlow::Continue(())))
        .unwrap_err();
    assert!(
        err.to_string().contains(message),
        "“{err}” should say “{message}”"
    );
    assert!(
        err.to_string().contains("wrong.csv"),
        "the message names the file: {err}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// The importer never panics, whatever the bytes: it reads rows or reports an error.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), prefix in 0usize..4) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.csv");
        // Some cases start like real files so that the parser gets past the header.
        let head: &[u8] = match prefix {
            0 => b"",
            1 => "退款编号,订单编号,买家退款金额,退款的申请时间\n".as_bytes(),
            2 => b"PK\x03\x04",
            _ => &[0xEF, 0xBB, 0xBF],
        };
        std::fs::write(&path, [head, &bytes].concat()).unwrap();
        if let Ok(file) = ExportFile::open(&path) {
            let _ = file.read_records(&[], &mut |_, _, _| ControlFlow::Continue(()));
        }
    }
}
