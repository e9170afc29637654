//! Hostile export files: each limit is a typed error or a row error saying what and where,
//! never an abort and never a stored monster.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_export::limits::{MAX_TEXT_FILE_BYTES, MAX_WORKBOOK_FILE_BYTES};
use afterdesk_export::{ExportError, ExportFile, RowError};
use afterdesk_fixtures::hostile::{
    lie_about_sizes, part_bytes, part_repeated, write_xls, write_zip, xls_dimensions, xls_label,
    xls_number, xls_stream, xlsx_cell, xlsx_parts, xlsx_row,
};
use rstest::rstest;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

const HEADER: [&str; 3] = ["退款编号", "订单编号", "买家退款金额"];

/// Reads a file the way the import does: the layout, the row errors and the rows read.
fn import(path: &Path) -> Result<(Vec<RowError>, usize), ExportError> {
    let file = ExportFile::open(path)?;
    let mut errors = Vec::new();
    let mut rows = 0;
    file.read_records(&[], &mut |_, outcome, _| {
        match outcome.result {
            Ok(_) => rows += 1,
            Err(e) => errors.extend(e),
        }
        ControlFlow::Continue(())
    })?;
    Ok((errors, rows))
}

/// Reads a file the way the wizard's preview does.
fn preview(path: &Path) -> Result<(), ExportError> {
    ExportFile::open(path)?.preview(&[], 5).map(|_| ())
}

fn xlsx(dir: &tempfile::TempDir, name: &str, sheet_data: String) -> PathBuf {
    let path = dir.path().join(name);
    write_zip(&path, xlsx_parts(part_bytes(sheet_data), None)).unwrap();
    path
}

#[rstest]
#[case::last_excel_column("XFD2", None)]
#[case::one_past_excel("XFE2", Some(("too_many_columns", "第 2 行")))]
#[case::finding_4_bomb("ZZZZZZZ2", Some(("too_many_columns", "第 2 行")))]
#[case::last_excel_row("A1048576", None)]
#[case::one_past_excel_row("A1048577", Some(("too_many_rows", "1048577")))]
fn cells_beyond_excel_grid_are_a_file_error(
    #[case] reference: &str,
    #[case] refused: Option<(&str, &str)>,
) {
    let dir = tempfile::tempdir().unwrap();
    let row: u32 = reference
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse()
        .unwrap();
    let sheet = format!(
        "{}<row r=\"{row}\">{}{}</row>",
        xlsx_row(1, &HEADER),
        xlsx_cell(&format!("A{row}"), "R1"),
        xlsx_cell(reference, "far away"),
    );
    let path = xlsx(&dir, "grid.xlsx", sheet);
    for (what, result) in [
        ("import", import(&path).map(|_| ())),
        ("preview", preview(&path)),
    ] {
        match (refused, result) {
            (None, Ok(())) => {}
            (Some((code, place)), Err(e)) => {
                assert_eq!(
                    e.code(),
                    code,
                    "{what} of {reference}: the error is typed: {e}"
                );
                assert!(
                    e.to_string().contains(place) && e.to_string().contains("grid.xlsx"),
                    "{what} of {reference}: the message says which file and where: {e}"
                );
            }
            (want, got) => panic!(
                "{what} of {reference}: a cell inside Excel's grid reads, one outside is refused; want {want:?}, got {got:?}"
            ),
        }
    }
}

#[rstest]
#[case::declared_count_bomb(
    r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>R1</t></si></sst>"#,
    Some("共享字符串的条数")
)]
#[case::prefixed_declared_count_bomb(
    r#"<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="99999999999"><x:si><x:t>R1</x:t></x:si></x:sst>"#,
    Some("共享字符串的条数")
)]
#[case::honest_count(
    r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>R1</t></si></sst>"#,
    None
)]
fn shared_strings_declaring_billions_are_refused(
    #[case] strings: &'static str,
    #[case] refused: Option<&str>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strings.xlsx");
    let sheet = format!(
        "{}<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>",
        xlsx_row(1, &HEADER)
    );
    write_zip(
        &path,
        xlsx_parts(part_bytes(sheet), Some(part_bytes(strings))),
    )
    .unwrap();
    match (refused, import(&path)) {
        (None, Ok((errors, rows))) => assert_eq!(
            (errors.len(), rows),
            (0, 1),
            "an honest shared-strings part reads its row"
        ),
        (Some(what), Err(e)) => {
            assert_eq!(e.code(), "workbook_too_large", "typed: {e}");
            assert!(e.to_string().contains(what), "the message says what: {e}");
        }
        (want, got) => panic!("want refusal {want:?}, got {got:?}"),
    }
}

#[test]
fn a_directory_declaring_more_than_the_unpacked_budget_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(&dir, "declared.xlsx", xlsx_row(1, &HEADER));
    let mut bytes = std::fs::read(&path).unwrap();
    // Five parts claiming 4 GB each: 20 GB declared, over the 2 GiB budget.
    lie_about_sizes(&mut bytes, u32::MAX - 1).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let err = import(&path).unwrap_err();
    assert_eq!(
        err.code(),
        "workbook_too_large",
        "the declared total is checked before anything is inflated: {err}"
    );
    assert!(err.to_string().contains("全部内容"), "{err}");
}

#[rstest]
#[case::text("big.csv", b"\xEF\xBB\xBF".as_slice(), MAX_TEXT_FILE_BYTES + 1, Some(MAX_TEXT_FILE_BYTES))]
#[case::workbook("big.xlsx", b"PK\x03\x04".as_slice(), MAX_WORKBOOK_FILE_BYTES + 1, Some(MAX_WORKBOOK_FILE_BYTES))]
#[case::workbook_at_the_limit("ok.xlsx", b"PK\x03\x04".as_slice(), MAX_WORKBOOK_FILE_BYTES, None)]
fn files_larger_than_any_export_are_refused_before_reading(
    #[case] name: &str,
    #[case] magic: &[u8],
    #[case] size: u64,
    #[case] limit: Option<u64>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let file = std::fs::File::create(&path).unwrap();
    // A sparse file: the size is there without writing a gigabyte.
    file.set_len(size).unwrap();
    drop(file);
    let mut head = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Write::write_all(&mut head, magic).unwrap();
    drop(head);
    match (limit, ExportFile::open(&path)) {
        (
            Some(limit),
            Err(ExportError::TooLarge {
                size: s, limit: l, ..
            }),
        ) => {
            assert_eq!((s, l), (size, limit), "the error carries size and limit");
        }
        (Some(_), other) => panic!("a file over the limit is refused: {other:?}"),
        (None, Ok(_)) => {}
        (None, Err(e)) => panic!("a file at the limit opens: {e}"),
    }
    if limit.is_some() {
        let err = ExportFile::open(&path).unwrap_err();
        assert_eq!(err.code(), "file_too_large");
        assert!(err.to_string().contains(name), "names the file: {err}");
    }
}

#[rstest]
#[case::csv("long.csv")]
#[case::xlsx("long.xlsx")]
fn a_cell_longer_than_excel_allows_is_a_row_error_and_other_rows_import(#[case] name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let long = "长".repeat(40_000);
    let rows: [[&str; 3]; 3] = [
        ["R1", "O1", "1.00"],
        ["R2", "O2", &long],
        ["R3", "O3", "3.00"],
    ];
    if name.ends_with(".csv") {
        let mut text = HEADER.join(",");
        for r in &rows {
            text.push('\n');
            text.push_str(&r.join(","));
        }
        std::fs::write(&path, text).unwrap();
    } else {
        let mut sheet = xlsx_row(1, &HEADER);
        for (i, r) in rows.iter().enumerate() {
            sheet.push_str(&xlsx_row(i as u32 + 2, r));
        }
        write_zip(&path, xlsx_parts(part_bytes(sheet), None)).unwrap();
    }
    let (errors, imported) = import(&path).unwrap();
    assert_eq!(imported, 2, "the rows around the long cell import");
    assert_eq!(errors.len(), 1, "one error for the long cell: {errors:?}");
    let e = &errors[0];
    assert_eq!(
        (e.row, e.column.as_str()),
        (3, "买家退款金额"),
        "the row error names the row and the column"
    );
    assert!(
        e.message.contains("40000") && e.message.len() < 500,
        "the message says how long, without quoting the cell: {}",
        e.message
    );
    let preview = ExportFile::open(&path).unwrap().preview(&[], 5).unwrap();
    let shown = preview.rows[1].1[2].chars().count();
    assert!(
        shown < 1_000,
        "the preview shows the long cell cut ({shown} characters)"
    );
}

#[test]
fn a_csv_row_wider_than_excel_is_a_row_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let wide = format!("R2,O2,2.00{}", ",x".repeat(20_000));
    std::fs::write(&path, format!("{}\nR1,O1,1.00\n{wide}\n", HEADER.join(","))).unwrap();
    let (errors, imported) = import(&path).unwrap();
    assert_eq!(imported, 1, "the ordinary row imports");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row, 3, "the wide row is named");
    assert!(
        errors[0].message.contains("16,384"),
        "{}",
        errors[0].message
    );
}

#[rstest]
#[case::declared_four_billion_rows(vec![xls_dimensions((0, u32::MAX), (0, 3))], Some("workbook_too_large"))]
#[case::cells_spanning_a_whole_sheet(
    vec![xls_number(0, 0, 1.0), xls_number(65_535, 255, 2.0)],
    Some("workbook_too_large")
)]
#[case::column_beyond_excel(vec![xls_number(1, 20_000, 1.0)], Some("too_many_columns"))]
#[case::ordinary(vec![xls_dimensions((0, 2), (0, 3)), xls_number(1, 0, 7.0)], None)]
fn xls_sheets_larger_than_the_limit_are_refused(
    #[case] extra: Vec<(u16, Vec<u8>)>,
    #[case] refused: Option<&str>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.xls");
    let mut records: Vec<(u16, Vec<u8>)> = HEADER
        .iter()
        .enumerate()
        .map(|(i, h)| xls_label(0, i as u16, h))
        .collect();
    records.extend(extra);
    write_xls(&path, &xls_stream(&records)).unwrap();
    match (refused, import(&path)) {
        (None, Ok(_)) => {}
        (Some(code), Err(e)) => {
            assert_eq!(e.code(), code, "typed: {e}");
            assert!(e.to_string().contains("legacy.xls"), "names the file: {e}");
        }
        (want, got) => panic!("want {want:?}, got {got:?}"),
    }
}

/// Found by the fuzz test (`tests/fuzz.rs`): a compound document broken so that the
/// guard's container reader refused it and so let it through unchecked, while the
/// spreadsheet reader's more lenient one read a sheet whose cells span a huge area. Laying
/// it out asked for 738 TB and aborted the process; now the file is refused as malformed.
#[test]
fn regression_xls_container_only_the_lenient_reader_reads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/regressions/lenient-container-lays-out-gigabytes.xls");
    let err = import(&path).unwrap_err();
    assert_eq!(
        err.code(),
        "spreadsheet_invalid",
        "a container the guard cannot check is refused, not laid out: {err}"
    );
    assert!(err.to_string().contains("lenient-container"), "{err}");
    let peak_free = preview(&path).unwrap_err();
    assert_eq!(
        peak_free.code(),
        "spreadsheet_invalid",
        "the preview refuses it alike"
    );
}

#[rstest]
#[case::dense_styles_past_the_limit(300_000, true)]
#[case::styles_within_the_limit(1_000, false)]
fn parts_loaded_whole_on_opening_are_bounded(#[case] formats: u64, #[case] refused: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("styled.xlsx");
    let mut parts = xlsx_parts(part_bytes(xlsx_row(1, &HEADER)), None);
    // Empty cell formats: five bytes each, about 290 bytes each once the reader has them.
    parts.push((
        "xl/styles.xml".to_owned(),
        part_repeated(
            r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>"#,
            "<xf/>",
            formats,
            "</cellXfs></styleSheet>",
        ),
    ));
    write_zip(&path, parts).unwrap();
    match (refused, import(&path)) {
        (false, Ok(_)) => {}
        (true, Err(e)) => {
            assert_eq!(e.code(), "workbook_too_large", "typed: {e}");
            assert!(
                e.to_string().contains("xl/styles.xml"),
                "the message names the part: {e}"
            );
        }
        (want, got) => panic!("styles of {formats} formats: refused should be {want}, got {got:?}"),
    }
}
