//! Turning a row of cells into the facts of a case or an order.

use crate::cell::{clean, is_scientific, yes_no};
use crate::columns::{ColumnAlias, ExportKind, Field, Layout};
use crate::limits::{MAX_CELL_CHARS, MAX_COLUMNS};
use crate::{ExportError, ExportFile, ReadProgress, RowError};
use afterdesk_case::time::parse_china_time;
use afterdesk_case::{CaseFacts, Fen, OrderFacts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::ops::ControlFlow;

/// What one data row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedRow {
    /// A row of the refund list.
    Refund(Box<CaseFacts>),
    /// A row of the order list.
    Order(OrderFacts),
}

/// One data row's result: its facts, or every problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    /// The row number as a spreadsheet shows it.
    pub row: u64,
    /// The facts, or the reasons the row cannot be imported.
    pub result: Result<ParsedRow, Vec<RowError>>,
}

/// How many non-empty rows are searched for the header.
///
/// Some back-office exports put a title line or a date-range line above the header; none
/// seen puts more than two, and ten keeps a wrong file from being scanned at length.
const HEADER_SCAN_ROWS: usize = 10;

/// The longest piece of a non-header first row quoted back in an error message.
const QUOTE_CHARS: usize = 80;

/// How much of a cell too long to import the preview shows: enough to recognise it.
const PREVIEW_CUT_CHARS: usize = 200;

/// Looks for the header row among the first rows of a file.
///
/// Shared by the import ([`ExportFile::read_records`]) and the wizard's preview
/// ([`ExportFile::preview`]) so that both find the same header and fail alike.
struct HeaderScan<'a> {
    aliases: &'a [ColumnAlias],
    layout: Option<Layout>,
    scanned: usize,
    first_row: Option<String>,
}

/// What [`HeaderScan::offer`] made of a row.
enum Scanned<'l> {
    /// The header is known; the row is data.
    Data(&'l Layout),
    /// The row was the header or a line above it.
    Consumed,
    /// No header within [`HEADER_SCAN_ROWS`] rows: stop reading.
    GiveUp,
}

impl<'a> HeaderScan<'a> {
    fn new(aliases: &'a [ColumnAlias]) -> Self {
        HeaderScan {
            aliases,
            layout: None,
            scanned: 0,
            first_row: None,
        }
    }

    fn offer(&mut self, row: u64, cells: &[&str]) -> Scanned<'_> {
        if self.layout.is_none() {
            self.scanned += 1;
            if self.first_row.is_none() {
                self.first_row = Some(cells.join(",").chars().take(QUOTE_CHARS).collect());
            }
            let owned: Vec<String> = cells.iter().map(|c| (*c).to_owned()).collect();
            self.layout = Layout::detect(&owned, row, self.aliases);
            return if self.layout.is_none() && self.scanned >= HEADER_SCAN_ROWS {
                Scanned::GiveUp
            } else {
                Scanned::Consumed
            };
        }
        match &self.layout {
            Some(layout) => Scanned::Data(layout),
            None => Scanned::Consumed,
        }
    }

    fn finish(self, file: &ExportFile) -> Result<Layout, ExportError> {
        match self.layout {
            Some(layout) => Ok(layout),
            None if self.scanned == 0 => Err(ExportError::Empty {
                path: file.path().to_owned(),
            }),
            None => Err(ExportError::NoHeader {
                path: file.path().to_owned(),
                scanned: self.scanned,
                first_row: self.first_row.unwrap_or_default(),
            }),
        }
    }
}

/// The start of a file as the import will read it: its columns and first data rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The detected header and the field of each column.
    pub layout: Layout,
    /// The first data rows: row number and cells as the import reads them.
    pub rows: Vec<(u64, Vec<String>)>,
}

impl ExportFile {
    /// Finds the header row, then calls `visit` with every data row's outcome.
    ///
    /// Returns the detected layout. A file without a recognisable header is an error and
    /// `visit` is never called.
    pub fn read_records(
        &self,
        aliases: &[ColumnAlias],
        visit: &mut dyn FnMut(&Layout, RowOutcome, ReadProgress) -> ControlFlow<()>,
    ) -> Result<Layout, ExportError> {
        let mut scan = HeaderScan::new(aliases);
        self.for_each_row(&mut |row, cells, progress| match scan.offer(row, cells) {
            Scanned::Data(layout) => {
                let outcome = RowOutcome {
                    row,
                    result: parse_row(layout, row, cells),
                };
                visit(layout, outcome, progress)
            }
            Scanned::Consumed => ControlFlow::Continue(()),
            Scanned::GiveUp => ControlFlow::Break(()),
        })?;
        scan.finish(self)
    }

    /// Reads the header and up to `sample_rows` data rows, without parsing them, so that
    /// the user can check the column mapping before importing.
    pub fn preview(
        &self,
        aliases: &[ColumnAlias],
        sample_rows: usize,
    ) -> Result<Preview, ExportError> {
        let mut scan = HeaderScan::new(aliases);
        let mut rows = Vec::with_capacity(sample_rows);
        self.for_each_row(&mut |row, cells, _| match scan.offer(row, cells) {
            Scanned::Data(_) if rows.len() < sample_rows => {
                // Cells as the import reads them: protective quoting (="…", a leading
                // tab or apostrophe) removed, so the preview shows the numbers the case gets.
                // A cell too long to import is shown cut, so that the preview stays small;
                // the import reports it as a row error.
                rows.push((
                    row,
                    cells
                        .iter()
                        .map(|c| {
                            let text = clean(c).unwrap_or_default();
                            if text.len() > MAX_CELL_CHARS {
                                let mut cut: String =
                                    text.chars().take(PREVIEW_CUT_CHARS).collect();
                                cut.push('…');
                                cut
                            } else {
                                text.to_owned()
                            }
                        })
                        .collect(),
                ));
                if rows.len() < sample_rows {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
            Scanned::Data(_) | Scanned::GiveUp => ControlFlow::Break(()),
            Scanned::Consumed => ControlFlow::Continue(()),
        })?;
        Ok(Preview {
            layout: scan.finish(self)?,
            rows,
        })
    }
}

/// Collects the problems of one row while its cells are read.
struct RowReader<'a> {
    layout: &'a Layout,
    row: u64,
    errors: Vec<RowError>,
}

impl RowReader<'_> {
    fn error(&mut self, column: usize, message: String) {
        self.errors.push(RowError {
            row: self.row,
            column: self.layout.header(column).to_owned(),
            message,
        });
    }

    fn time(&mut self, column: usize, text: &str) -> Option<DateTime<Utc>> {
        let parsed = parse_china_time(text);
        if parsed.is_none() {
            self.error(
                column,
                format!("无法识别的时间“{text}”，应为 2024-03-05 12:34:56 这样的格式"),
            );
        }
        parsed
    }

    fn money(&mut self, column: usize, text: &str) -> Option<Fen> {
        match Fen::parse_yuan(text) {
            Ok(fen) => Some(fen),
            Err(e) => {
                self.error(column, e.to_string());
                None
            }
        }
    }

    fn number(&mut self, column: usize, text: &str) -> Option<String> {
        if is_scientific(text) {
            self.error(
                column,
                format!("号码被表格软件改成了科学计数法（{text}），后几位已丢失；请使用后台直接导出的原始文件"),
            );
            return None;
        }
        Some(text.to_owned())
    }

    fn flag(&mut self, column: usize, text: &str) -> Option<bool> {
        let value = yes_no(text);
        if value.is_none() {
            self.error(column, format!("无法识别“{text}”，应为“是”或“否”"));
        }
        value
    }
}

/// Parses one data row according to the layout.
pub fn parse_row(layout: &Layout, row: u64, cells: &[&str]) -> Result<ParsedRow, Vec<RowError>> {
    let mut reader = RowReader {
        layout,
        row,
        errors: Vec::new(),
    };
    if let Some(errors) = oversized(&mut reader, cells) {
        return Err(errors);
    }
    let parsed = match layout.kind {
        ExportKind::Refunds => {
            refund_row(&mut reader, cells).map(|f| ParsedRow::Refund(Box::new(f)))
        }
        ExportKind::Orders => order_row(&mut reader, cells).map(ParsedRow::Order),
    };
    match parsed {
        Some(parsed) if reader.errors.is_empty() => Ok(parsed),
        _ => Err(reader.errors),
    }
}

/// The row's errors when it has more columns than Excel allows or a cell longer than a
/// cell may be; such a row is refused whole, never stored cut.
///
/// Comparing byte lengths first keeps this to one comparison a cell on every ordinary
/// row: a text has at least as many bytes as characters.
fn oversized(r: &mut RowReader<'_>, cells: &[&str]) -> Option<Vec<RowError>> {
    if cells.len() > MAX_COLUMNS {
        r.errors.push(RowError {
            row: r.row,
            column: String::new(),
            message: format!(
                "这一行有 {} 列，超过 Excel 的 16,384 列上限（文件可能已损坏），未导入",
                cells.len()
            ),
        });
        return Some(std::mem::take(&mut r.errors));
    }
    for (index, cell) in cells.iter().enumerate() {
        if cell.len() <= MAX_CELL_CHARS {
            continue;
        }
        let chars = cell.chars().count();
        if chars > MAX_CELL_CHARS {
            let column = match r.layout.header(index) {
                "" => format!("第 {} 列", index + 1),
                header => header.to_owned(),
            };
            r.errors.push(RowError {
                row: r.row,
                column,
                message: format!(
                    "单元格有 {chars} 个字，超过一个单元格最多 32,767 个字的上限（文件可能已损坏），这一行未导入"
                ),
            });
        }
    }
    (!r.errors.is_empty()).then(|| std::mem::take(&mut r.errors))
}

/// Calls `apply` with every non-empty cell of a mapped column (its index, field and
/// cleaned text) and returns the cells of the columns no field matched, by header, so
/// that nothing an export holds is lost.
fn for_each_cell(
    r: &mut RowReader<'_>,
    cells: &[&str],
    mut apply: impl FnMut(&mut RowReader<'_>, usize, Field, &str),
) -> Vec<(String, String)> {
    let layout = r.layout;
    let mut unmapped = Vec::new();
    for (index, field) in layout.fields.iter().enumerate() {
        let Some(text) = cells.get(index).copied().and_then(clean) else {
            continue;
        };
        match field {
            Some(field) => apply(r, index, *field, text),
            None => unmapped.push((layout.header(index).to_owned(), text.to_owned())),
        }
    }
    unmapped
}

fn refund_row(r: &mut RowReader<'_>, cells: &[&str]) -> Option<CaseFacts> {
    let mut facts = CaseFacts::default();
    let mut kept = Vec::new();
    let unmapped = for_each_cell(r, cells, |r, index, field, text| {
        let owned = || Some(text.to_owned());
        match field {
            Field::RefundNo => facts.refund_no = r.number(index, text),
            Field::OrderNo => facts.order_no = r.number(index, text),
            Field::AlipayNo => facts.alipay_no = r.number(index, text),
            Field::BuyerNick => facts.buyer_nick = owned(),
            Field::ItemTitle => facts.item_title = owned(),
            Field::SkuCode => facts.sku_code = owned(),
            Field::Reason => facts.reason_text = owned(),
            Field::BuyerNote => facts.buyer_note = owned(),
            Field::RefundStatus => facts.refund_status_text = owned(),
            Field::GoodsStatus => facts.goods_status_text = owned(),
            Field::Intervention => facts.intervention_text = owned(),
            Field::ReturnNeeded => facts.return_needed = r.flag(index, text),
            Field::RefundScope => facts.full_refund = Some(!text.contains("部分")),
            Field::RefundMode => facts.manual_refund = Some(text.contains("手工")),
            Field::Paid => facts.paid = r.money(index, text),
            Field::Refund => facts.refund = r.money(index, text),
            Field::ShipLogistics => facts.ship_logistics = owned(),
            Field::ReturnLogistics => facts.return_logistics = owned(),
            Field::PaidAt => facts.paid_at = r.time(index, text),
            Field::ShippedAt => facts.shipped_at = r.time(index, text),
            Field::SignedAt => facts.signed_at = r.time(index, text),
            Field::RequestedAt => facts.requested_at = r.time(index, text),
            Field::ReturnShippedAt => facts.return_shipped_at = r.time(index, text),
            Field::ReturnReceivedAt => facts.return_received_at = r.time(index, text),
            Field::IntervenedAt => facts.intervened_at = r.time(index, text),
            Field::CompletedAt => facts.completed_at = r.time(index, text),
            Field::OrderStatus | Field::Address => {
                kept.push((r.layout.header(index).to_owned(), text.to_owned()));
            }
        }
    });
    facts.extra = [kept, unmapped].concat();
    if facts.refund_no.is_none()
        && !r
            .errors
            .iter()
            .any(|e| e.column == header_of(r.layout, Field::RefundNo))
    {
        let column = r.layout.column(Field::RefundNo).unwrap_or(0);
        r.error(column, "退款编号为空，无法识别这条售后".to_owned());
    }
    Some(facts)
}

fn order_row(r: &mut RowReader<'_>, cells: &[&str]) -> Option<OrderFacts> {
    let mut facts = OrderFacts::default();
    let mut order_no = None;
    let mut kept = Vec::new();
    let unmapped = for_each_cell(r, cells, |r, index, field, text| {
        let owned = || Some(text.to_owned());
        match field {
            Field::OrderNo => order_no = r.number(index, text),
            Field::BuyerNick => facts.buyer_nick = owned(),
            Field::ItemTitle => facts.item_title = owned(),
            Field::Paid => facts.paid = r.money(index, text),
            Field::PaidAt => facts.paid_at = r.time(index, text),
            Field::ShippedAt => facts.shipped_at = r.time(index, text),
            Field::OrderStatus => facts.status_text = owned(),
            Field::ShipLogistics => facts.logistics = owned(),
            Field::Address => facts.address = owned(),
            _ => kept.push((r.layout.header(index).to_owned(), text.to_owned())),
        }
    });
    facts.extra = [kept, unmapped].concat();
    match order_no {
        Some(no) => facts.order_no = no,
        None if !r
            .errors
            .iter()
            .any(|e| e.column == header_of(r.layout, Field::OrderNo)) =>
        {
            let column = r.layout.column(Field::OrderNo).unwrap_or(0);
            r.error(column, "订单编号为空".to_owned());
        }
        None => {}
    }
    Some(facts)
}

fn header_of(layout: &Layout, field: Field) -> &str {
    layout.column(field).map_or("", |c| layout.header(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(headers: &[&str]) -> Layout {
        let row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        Layout::detect(&row, 1, &[]).expect("a header")
    }

    #[test]
    fn a_full_refund_row() {
        let l = layout(&[
            "退款编号",
            "订单编号",
            "买家退款金额",
            "退款的申请时间",
            "是否需要退货",
            "备注X",
        ]);
        let row = parse_row(
            &l,
            2,
            &[
                "=\"123\"",
                "'2938475610000000000",
                "￥1,299.00",
                "2026-11-01 10:00:00",
                "否",
                "keep me",
            ],
        );
        let Ok(ParsedRow::Refund(facts)) = row else {
            panic!("row must parse: {row:?}")
        };
        assert_eq!(facts.refund_no.as_deref(), Some("123"));
        assert_eq!(
            facts.order_no.as_deref(),
            Some("2938475610000000000"),
            "19 digits stay exact"
        );
        assert_eq!(facts.refund, Some(Fen(129_900)));
        assert_eq!(facts.return_needed, Some(false));
        assert_eq!(
            facts.extra,
            vec![("备注X".to_owned(), "keep me".to_owned())],
            "unmapped columns are kept"
        );
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_column() {
        let l = layout(&["退款编号", "订单编号", "买家退款金额", "退款的申请时间"]);
        let errors = parse_row(&l, 7, &["", "2.93848E+18", "abc", "昨天"]).expect_err("row is bad");
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(
            columns,
            ["订单编号", "买家退款金额", "退款的申请时间", "退款编号"]
        );
        assert!(
            errors.iter().all(|e| e.row == 7),
            "errors carry the row number"
        );
    }
}
