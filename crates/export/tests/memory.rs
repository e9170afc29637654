//! Memory while reading hostile export files, measured for real: this test binary counts
//! every allocation (a counting global allocator, `peak_alloc`), so the peak heap of one
//! read is known to the byte, unlike the resident size of a process, which the allocator's
//! caching and the test harness blur. It holds one test so that nothing else allocates
//! while a read is measured.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_export::ExportFile;
use afterdesk_fixtures::hostile::{
    PartWriter, lie_about_sizes, part_bytes, part_repeated, write_xls, write_zip, xls_label,
    xls_number, xls_stream, xlsx_cell, xlsx_parts, xlsx_row,
};
use peak_alloc::PeakAlloc;
use std::ops::ControlFlow;
use std::path::Path;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const MB: usize = 1 << 20;
const HEADER: [&str; 3] = ["退款编号", "订单编号", "买家退款金额"];

/// The most a read of a refused bomb may allocate: the readers' buffers (256 KiB for text,
/// 64 KiB scans, the zip directory) and the error.
const REFUSED_PEAK: usize = 16 * MB;

/// Reads a file the way the import does and returns the peak heap growth, in bytes, and
/// whether it was refused as a whole.
fn peak_of_import(path: &Path) -> (usize, Result<usize, String>) {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let result = ExportFile::open(path)
        .and_then(|file| {
            let mut row_errors = 0;
            file.read_records(&[], &mut |_, outcome, _| {
                if let Err(e) = outcome.result {
                    row_errors += e.len();
                }
                ControlFlow::Continue(())
            })?;
            Ok(row_errors)
        })
        .map_err(|e| e.code().to_owned());
    (HEAP.peak_usage().saturating_sub(before), result)
}

fn strings_part<'a>(unit: &'a str, times: u64) -> PartWriter<'a> {
    part_repeated(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        unit,
        times,
        "</sst>",
    )
}

fn header_sheet() -> PartWriter<'static> {
    part_bytes(xlsx_row(1, &HEADER))
}

#[test]
fn hostile_files_are_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);

    // Finding 4: one cell reference far beyond Excel's last column.
    let column_bomb = at("column.xlsx");
    write_zip(
        &column_bomb,
        xlsx_parts(
            part_bytes(format!(
                "{}<row r=\"2\">{}</row>",
                xlsx_row(1, &HEADER),
                xlsx_cell("ZZZZZZZ2", "x")
            )),
            None,
        ),
    )
    .unwrap();
    // Finding 8: shared strings that unpack to 170 MB from a few hundred kilobytes.
    let strings_bytes = at("strings-bytes.xlsx");
    write_zip(
        &strings_bytes,
        xlsx_parts(
            header_sheet(),
            Some(strings_part("<si><t>a</t></si>", 10_000_000)),
        ),
    )
    .unwrap();
    // Within the byte limit (76 MB) but with more strings than the count limit.
    let strings_count = at("strings-count.xlsx");
    write_zip(
        &strings_count,
        xlsx_parts(header_sheet(), Some(strings_part("<si/>", 15_000_000))),
    )
    .unwrap();
    // The same 170 MB of strings behind a directory that claims 1,000 bytes a part.
    let liar = at("liar.xlsx");
    std::fs::copy(&strings_bytes, &liar).unwrap();
    let mut bytes = std::fs::read(&liar).unwrap();
    lie_about_sizes(&mut bytes, 1_000).unwrap();
    std::fs::write(&liar, bytes).unwrap();
    // A legacy sheet whose two cells span the whole .xls grid (65,536 × 256).
    let xls_span = at("span.xls");
    let mut records: Vec<_> = HEADER
        .iter()
        .enumerate()
        .map(|(i, h)| xls_label(0, i as u16, h))
        .collect();
    records.push(xls_number(65_535, 255, 1.0));
    write_xls(&xls_span, &xls_stream(&records)).unwrap();
    // Styles the reader loads whole on opening, just under their 1 MiB limit: empty cell
    // formats, each of which the reader turns into a structure of about 290 bytes.
    let styles = at("styles.xlsx");
    let mut parts = xlsx_parts(header_sheet(), None);
    parts.push((
        "xl/styles.xml".to_owned(),
        part_repeated(
            r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>"#,
            "<xf/>",
            209_000,
            "</cellXfs></styleSheet>",
        ),
    ));
    write_zip(&styles, parts).unwrap();
    // Shared strings just under the count limit: the most the reader may hold.
    let strings_most = at("strings-most.xlsx");
    write_zip(
        &strings_most,
        xlsx_parts(
            header_sheet(),
            Some(strings_part("<si><t>a</t></si>", 3_990_000)),
        ),
    )
    .unwrap();
    // Finding 8: one CSV cell of 40 MB.
    let long_cell = at("long-cell.csv");
    std::fs::write(
        &long_cell,
        format!(
            "{}\nR1,O1,1.00\nR2,O2,{}\n",
            HEADER.join(","),
            "9".repeat(40 * MB)
        ),
    )
    .unwrap();

    // (file, the outcome wanted, the most the read may allocate)
    let table: [(&Path, Result<usize, &str>, usize); 8] = [
        (&column_bomb, Err("too_many_columns"), REFUSED_PEAK),
        (&strings_bytes, Err("workbook_too_large"), REFUSED_PEAK),
        (&strings_count, Err("workbook_too_large"), REFUSED_PEAK),
        (&liar, Err("spreadsheet_invalid"), REFUSED_PEAK),
        (&xls_span, Err("workbook_too_large"), REFUSED_PEAK),
        // Read, not refused: what the densest styles part allowed costs.
        (&styles, Ok(0), 80 * MB),
        (&strings_most, Ok(0), 200 * MB),
        // The CSV reader holds a record whole before its cells are checked; the 40 MB
        // cell costs its size while its row is read (the record buffer doubles as it
        // grows), then becomes one row error, not a stored value.
        (&long_cell, Ok(1), 4 * 40 * MB),
    ];
    let mut report = Vec::new();
    for (path, want, bound) in table {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (peak, got) = peak_of_import(path);
        report.push(format!(
            "{name}: {:.1} MB peak, {got:?}",
            peak as f64 / MB as f64
        ));
        assert_eq!(
            got,
            want.map_err(str::to_owned),
            "{name}: a hostile file is refused with a typed error or a row error"
        );
        assert!(
            peak <= bound,
            "{name}: reading it allocates at most {} MB at once, not {:.1} MB",
            bound / MB,
            peak as f64 / MB as f64
        );
    }
    // Shown with --nocapture: the figures quoted in docs/import.md.
    println!("{}", report.join("\n"));
}
