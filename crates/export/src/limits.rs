//! The limits that keep a hostile or broken export file from exhausting memory or time.
//!
//! A seller picks files from downloads folders and chat attachments, so a file may be
//! anything. Every limit is far above what a real back-office export needs, and each one
//! that is reached is a typed error or a row error with a Chinese message saying what and
//! where (listed in `docs/import.md`, "Limits").

/// The largest text export (CSV or tab-separated) accepted, in bytes: 1 GiB.
///
/// Excel's sheet holds 1,048,576 rows and the back office keeps its exports openable in
/// Excel; at about 310 bytes a row (the generated 100,000-row refund list is 31 MB) a
/// full sheet is about 330 MB, and wide order lists can be twice that. A larger file is a
/// disk image or a video picked by mistake, refused before minutes are spent reading it.
pub const MAX_TEXT_FILE_BYTES: u64 = 1 << 30;

/// The largest workbook (.xlsx or .xls) accepted, in bytes: 256 MiB.
///
/// Workbooks are compressed: the generated 100,000-row refund list is 11 MB, so a full
/// million-row sheet is about 110 MB. The zip directory of a workbook is read into memory
/// before anything else, which this bounds too.
pub const MAX_WORKBOOK_FILE_BYTES: u64 = 256 << 20;

/// How many bytes all the parts of an .xlsx may unpack to, together: 2 GiB.
///
/// The generated 100,000-row refund list unpacks to 88 MB (67 MB of sheet, 21 MB of
/// shared strings), so a million-row export unpacks to under 1 GB. A zip bomb unpacks a
/// few kilobytes to gigabytes; the sizes the zip directory declares are summed before
/// reading, and the zip reader refuses a part that inflates past its declared size, so the
/// declared total bounds what is ever inflated.
pub const MAX_UNPACKED_BYTES: u64 = 2 << 30;

/// How many bytes an .xlsx's shared-strings part may unpack to: 128 MiB.
///
/// The spreadsheet reader keeps every shared string in memory for the whole read, at about
/// the part's size plus 40 bytes a string. The generated 100,000-row refund list has
/// 21 MB of shared strings; 128 MiB covers about 600,000 such rows (a larger export can be
/// split by date range in the back office) and caps that memory near 200 MB.
pub const MAX_SHARED_STRINGS_BYTES: u64 = 128 << 20;

/// How many bytes each part an .xlsx's reader loads whole when opening it (the styles,
/// the theme, the workbook and the relationship lists) may unpack to: 1 MiB.
///
/// The reader turns every style element into a structure of about 290 bytes, so a styles
/// part of empty elements (`<xf/>`, five bytes) costs 57 times its size: 8 MB of them took
/// 458 MB. At 1 MiB that is at most about 60 MB. The generated export's styles take 867
/// bytes, and a workbook re-saved by Excel or WPS a few kilobytes; a real cell format is
/// about 100 bytes, so 1 MiB holds some 10,000. The size the zip directory declares is
/// checked, which the zip reader holds the part to.
pub const MAX_OPENING_PART_BYTES: u64 = 1 << 20;

/// How many shared strings an .xlsx may declare or hold: 4,000,000.
///
/// The reader reserves room for the count the file declares before reading a single
/// string (24 bytes each), and each string costs a small allocation besides; the generated
/// 100,000-row refund list has 583,115. Four million matches the byte limit above (about
/// 650,000 such rows) and caps the bookkeeping near 200 MB.
pub const MAX_SHARED_STRINGS: u64 = 4_000_000;

/// Columns a sheet may have: 16,384, Excel's own limit (column XFD).
///
/// A cell reference beyond it (`ZZZZZZZ2`) was not written by Excel or the back office,
/// and would make the reader lay out billions of empty cells.
pub const MAX_COLUMNS: usize = 16_384;

/// Rows a sheet may have: 1,048,576, Excel's own limit.
pub const MAX_ROWS: u64 = 1_048_576;

/// Characters one cell may hold: 32,767, Excel's own limit.
///
/// The longest real cells are buyers' notes and addresses, a few hundred characters. A
/// longer cell is reported as a row error naming its row and column, never stored: the
/// case page and the app's JSON carry every field of a case.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Cells a legacy .xls sheet may span (rows × columns of the area its cells cover, or
/// that its dimensions record declares): 2,097,152, a full .xls sheet (65,536 rows) 32
/// columns wide.
///
/// The .xls reader keeps a list of the cells and then lays the whole area out, about 40
/// and 32 bytes a cell, and copies the layout once more for the rows: this caps that near
/// 220 MB. An export of 65,536 rows has a few dozen columns, and the back office writes
/// .xlsx for anything large.
pub const MAX_XLS_CELLS: u64 = 1 << 21;
