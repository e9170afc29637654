//! Checks a workbook against the limits before the spreadsheet reader sizes anything by
//! it: the reader trusts counts and cell positions it finds in the file, and a request for
//! tens of gigabytes aborts the whole program, so the parts it would size by are read here
//! first, cheaply and in bounded memory.

use crate::ExportError;
use crate::limits::{
    MAX_COLUMNS, MAX_OPENING_PART_BYTES, MAX_SHARED_STRINGS, MAX_SHARED_STRINGS_BYTES,
    MAX_UNPACKED_BYTES, MAX_XLS_CELLS,
};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Checks an .xlsx: the total its parts declare they unpack to, then the shared strings
/// (their unpacked size counted while inflating, their number and the number the file
/// declares, which the reader reserves room for).
///
/// A file that is not a readable zip passes: the spreadsheet reader then reports it in its
/// own words.
pub fn check_xlsx(path: &Path) -> Result<(), ExportError> {
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return Ok(());
    };
    let unpacked = |what: &str, limit: String| ExportError::Unpacked {
        path: path.to_owned(),
        what: what.to_owned(),
        limit,
    };
    // The zip reader refuses to inflate a part past the size the directory declares for
    // it (a part with a data descriptor included), so the declared total bounds everything
    // the spreadsheet reader will inflate.
    let declared = (0..zip.len())
        .filter_map(|i| zip.by_index_data(i).ok())
        .fold(0u64, |total, entry| total.saturating_add(entry.size()));
    if declared > MAX_UNPACKED_BYTES {
        return Err(unpacked(
            "全部内容",
            format!("{} MB", MAX_UNPACKED_BYTES >> 20),
        ));
    }
    // The parts the reader loads whole on opening (styles, theme, workbook, relationship
    // lists); the sheets stream and the shared strings are checked on their own.
    let opening = (0..zip.len())
        .filter_map(|i| zip.by_index_data(i).ok())
        .filter_map(|entry| Some((entry.name().ok()?.into_owned(), entry.size())))
        .find(|(name, size)| {
            let name = name.to_ascii_lowercase();
            let loaded = name.ends_with(".rels")
                || name.ends_with("workbook.xml")
                || name.ends_with("styles.xml")
                || (name.contains("theme/") && name.ends_with(".xml"));
            loaded && *size > MAX_OPENING_PART_BYTES
        })
        .map(|(name, _)| name);
    if let Some(name) = opening {
        return Err(unpacked(
            &format!("的“{name}”"),
            format!("{} MB", MAX_OPENING_PART_BYTES >> 20),
        ));
    }
    for index in 0..zip.len() {
        let Ok(entry) = zip.by_index(index) else {
            continue;
        };
        let is_strings = entry
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        if !is_strings {
            continue;
        }
        let mut budget = Budget {
            inner: entry,
            left: MAX_SHARED_STRINGS_BYTES,
            exceeded: false,
        };
        let scanned = scan_shared_strings(&mut budget);
        if budget.exceeded {
            return Err(unpacked(
                "共享字符串",
                format!("{} MB", MAX_SHARED_STRINGS_BYTES >> 20),
            ));
        }
        // A part that does not read as XML is left to the spreadsheet reader to report.
        if let Ok(strings) = scanned
            && (strings.declared.unwrap_or(0) > MAX_SHARED_STRINGS
                || strings.found > MAX_SHARED_STRINGS)
        {
            return Err(unpacked(
                "共享字符串的条数",
                format!("{MAX_SHARED_STRINGS} 条"),
            ));
        }
    }
    Ok(())
}

/// Passes at most `left` bytes on and then fails, noting that the budget was exceeded;
/// counts what the inflater actually produces, whatever the zip directory claims.
struct Budget<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.exceeded = true;
                Err(std::io::Error::other("unpacked size budget exceeded"))
            }
        }
    }
}

/// What the shared-strings part holds: the count it declares and the strings found.
struct SharedStrings {
    declared: Option<u64>,
    found: u64,
}

/// Reads the `uniqueCount` of the `<sst>` element with an XML reader, then counts the
/// `<si>` elements with a byte scan that holds only one buffer whatever the strings' size.
fn scan_shared_strings(reader: impl Read) -> std::io::Result<SharedStrings> {
    use quick_xml::events::Event;
    /// Read-buffer size: large enough to make the byte scan cheap per call.
    const SCAN_BUFFER: usize = 64 * 1024;
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(SCAN_BUFFER, reader));
    let mut buf = Vec::new();
    let mut declared = None;
    loop {
        match xml
            .read_event_into(&mut buf)
            .map_err(std::io::Error::other)?
        {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sst" => {
                declared = e
                    .try_get_attribute("uniqueCount")
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.trim().parse().ok());
                break;
            }
            Event::Eof => return Ok(SharedStrings { declared, found: 0 }),
            _ => {}
        }
        buf.clear();
    }
    let mut rest = xml.into_inner();
    let mut found = 0u64;
    // The bytes of a tag that straddles two reads: `<`, an optional prefix and `si`, then
    // one byte to tell `<si>` from `<sig…>`.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let chunk = rest.fill_buf()?;
        if chunk.is_empty() {
            return Ok(SharedStrings { declared, found });
        }
        let len = chunk.len();
        let data: std::borrow::Cow<'_, [u8]> = if carry.is_empty() {
            std::borrow::Cow::Borrowed(chunk)
        } else {
            carry.extend_from_slice(chunk);
            std::borrow::Cow::Owned(std::mem::take(&mut carry))
        };
        let mut at = 0;
        while let Some(offset) = data[at..].iter().position(|b| *b == b'<') {
            let start = at + offset;
            match is_si_tag(&data[start + 1..]) {
                Some(true) => found += 1,
                Some(false) => {}
                None => {
                    carry = data[start..].to_vec();
                    break;
                }
            }
            at = start + 1;
        }
        rest.consume(len);
    }
}

/// Whether the bytes after a `<` open an `si` element (with or without a namespace
/// prefix); `None` when more bytes are needed to tell.
fn is_si_tag(after: &[u8]) -> Option<bool> {
    /// Longer prefixes than this are not namespace prefixes any writer uses.
    const MAX_PREFIX: usize = 16;
    let name_end = after
        .iter()
        .take(MAX_PREFIX + 4)
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b':' || *b == b'_' || *b == b'-'));
    let Some(name_end) = name_end else {
        return (after.len() >= MAX_PREFIX + 4).then_some(false);
    };
    let name = &after[..name_end];
    let local = name.rsplit(|b| *b == b':').next().unwrap_or(name);
    Some(local == b"si")
}

/// BIFF record types that carry a cell position (row, column) in their first four bytes
/// and that the .xls reader lays out: Number, Label, RString, BoolErr, Rk, LabelSst,
/// Formula. MulRk (several Rk cells in a row) is handled apart.
const XLS_CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

/// Checks a legacy .xls: for each sheet, the area its dimensions record declares (the
/// reader reserves room for it) and the area its cells span (the reader lays it out).
///
/// A file whose workbook stream cannot be read here is refused as malformed rather than
/// handed to the spreadsheet reader unchecked: that reader is more lenient with broken
/// containers, and what it would then lay out cannot be known in advance. Excel, WPS and
/// the back offices write containers that read here.
pub fn check_xls(path: &Path) -> Result<(), ExportError> {
    let malformed = || ExportError::Malformed {
        path: path.to_owned(),
    };
    let mut compound = cfb::open(path).map_err(|_| malformed())?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|name| compound.is_stream(name))
        .ok_or_else(malformed)?;
    let mut bytes = Vec::new();
    compound
        .open_stream(name)
        .and_then(|mut reader| reader.read_to_end(&mut bytes))
        .map_err(|_| malformed())?;
    let too_big = || ExportError::Unpacked {
        path: path.to_owned(),
        what: "工作表的范围".to_owned(),
        limit: format!("{MAX_XLS_CELLS} 个单元格"),
    };
    // The globals come first; the sheets start where their BoundSheet8 records say.
    let mut sheets = Vec::new();
    for (typ, data) in (Records { rest: &bytes }) {
        match typ {
            0x0085 if data.len() >= 4 => {
                sheets.push(u32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize);
            }
            0x000A => break,
            _ => {}
        }
    }
    for start in sheets {
        let Some(sheet) = bytes.get(start..) else {
            continue;
        };
        let mut span = Span::default();
        let mut depth = 0usize;
        let mut seen_bof = false;
        for (typ, data) in (Records { rest: sheet }) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0200 if declared_cells(data) > MAX_XLS_CELLS => return Err(too_big()),
                0x00BD if data.len() >= 6 => {
                    let row = u16::from_le_bytes([data[0], data[1]]);
                    let first = u16::from_le_bytes([data[2], data[3]]);
                    let last = u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]);
                    span.add(row, first);
                    span.add(row, last);
                }
                t if XLS_CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                    span.add(
                        u16::from_le_bytes([data[0], data[1]]),
                        u16::from_le_bytes([data[2], data[3]]),
                    );
                }
                _ => {}
            }
        }
        if let Some((row, column)) = span.beyond_columns() {
            return Err(ExportError::TooManyColumns {
                path: path.to_owned(),
                row,
                column,
            });
        }
        if span.cells() > MAX_XLS_CELLS {
            return Err(too_big());
        }
    }
    Ok(())
}

/// The cells a Dimensions record makes the reader reserve, computed as the reader does
/// (with its wrap-around on nonsense values, which is what would be requested).
fn declared_cells(data: &[u8]) -> u64 {
    let u16_at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
    let u32_at = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
    let (first_row, last_row, mut first_col, last_col) = match data.len() {
        10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
        _ => return 0,
    };
    if first_col > 0xFF || last_col < first_col {
        first_col = 0;
    }
    let (end_row, end_col) = if last_row >= 1 && last_col >= 1 {
        (last_row - 1, last_col - 1)
    } else {
        (first_row, first_col)
    };
    let rows = u64::from(end_row.wrapping_sub(first_row).wrapping_add(1));
    let cols = u64::from(end_col.wrapping_sub(first_col).wrapping_add(1));
    rows.saturating_mul(cols)
}

/// The area the cells of a sheet cover.
#[derive(Default)]
struct Span {
    rows: Option<(u16, u16)>,
    cols: Option<(u16, u16)>,
    /// The first cell found beyond Excel's last column: (row, column), counted from 1.
    beyond: Option<(u64, u64)>,
}

impl Span {
    fn add(&mut self, row: u16, col: u16) {
        let widen = |range: Option<(u16, u16)>, v: u16| match range {
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
            None => Some((v, v)),
        };
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
        if usize::from(col) >= MAX_COLUMNS && self.beyond.is_none() {
            self.beyond = Some((u64::from(row) + 1, u64::from(col) + 1));
        }
    }

    fn beyond_columns(&self) -> Option<(u64, u64)> {
        self.beyond
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                (u64::from(r1 - r0) + 1).saturating_mul(u64::from(c1 - c0) + 1)
            }
            _ => 0,
        }
    }
}

/// The records of a BIFF stream: type and data, ending at the first truncated record.
struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let header = self.rest.get(..4)?;
        let typ = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let data = self.rest.get(4..4 + len)?;
        self.rest = &self.rest[4 + len..];
        Some((typ, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Hands its bytes on a few at a time, so that tags straddle reads.
    struct Trickle<'a> {
        rest: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.rest.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    #[rstest]
    #[case::plain("<si><t>a</t></si>", 1)]
    #[case::with_attributes("<si foo=\"1\"><t>a</t></si>", 1)]
    #[case::empty("<si/>", 1)]
    #[case::prefixed("<x:si><x:t>a</x:t></x:si>", 1)]
    #[case::not_si("<sig/><sst/><s/><rPh><t>a</t></rPh>", 0)]
    #[case::text_only("si si>", 0)]
    fn shared_strings_are_counted_whatever_the_reads(#[case] unit: &str, #[case] per_unit: u64) {
        let xml = format!(
            "<?xml version=\"1.0\"?><sst uniqueCount=\"7\">{}</sst>",
            unit.repeat(1_000)
        );
        for step in [1, 2, 3, 7, 64, 1 << 16] {
            let found = scan_shared_strings(Trickle {
                rest: xml.as_bytes(),
                step,
            })
            .unwrap();
            assert_eq!(
                (found.declared, found.found),
                (Some(7), per_unit * 1_000),
                "{unit} read {step} bytes at a time: the count does not depend on where reads split tags"
            );
        }
    }

    #[rstest]
    #[case::biff8_ordinary(&[0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 3, 0, 0, 0], 30)]
    #[case::biff8_four_billion_rows(&[0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 3, 0, 0, 0], 3 * 4_294_967_295)]
    #[case::end_before_start_wraps(&[5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0], 4_294_967_292)]
    #[case::biff5(&[0, 0, 10, 0, 0, 0, 2, 0, 0, 0], 20)]
    #[case::wrong_length(&[0, 0, 0], 0)]
    fn declared_cells_match_what_the_reader_reserves(#[case] data: &[u8], #[case] cells: u64) {
        assert_eq!(
            declared_cells(data),
            cells,
            "the area is computed as the .xls reader computes it, wrap-around included"
        );
    }
}
