//! Which column holds what: the synonym table and the detected layout of a file.

use serde::{Deserialize, Serialize};

macro_rules! fields {
    ($( $(#[$m:meta])* $variant:ident = $key:literal [$($syn:literal),+ $(,)?], )+) => {
        /// A fact an export column can hold.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Field { $( $(#[$m])* $variant, )+ }

        impl Field {
            /// Every field.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            /// The stable key, used in shop mappings and on the command line.
            pub fn key(self) -> &'static str {
                match self { $(Field::$variant => $key,)+ }
            }

            /// Looks a field up by its key.
            pub fn from_key(key: &str) -> Option<Field> {
                match key { $($key => Some(Field::$variant),)+ _ => None }
            }

            /// The headers seen for this field in Taobao and Tmall exports over the years;
            /// the first is the one today's Tmall refund export uses.
            pub fn synonyms(self) -> &'static [&'static str] {
                match self { $(Field::$variant => &[$($syn),+],)+ }
            }
        }
    };
}

fields! {
    /// 退款编号.
    RefundNo = "refund_no" ["退款编号", "退款单号", "退款ID", "售后单号", "售后编号"],
    /// 订单编号.
    OrderNo = "order_no" ["订单编号", "订单号", "主订单编号", "淘宝订单号", "订单ID"],
    /// 支付宝交易号.
    AlipayNo = "alipay_no" ["支付宝交易号", "支付单号"],
    /// 买家会员名.
    BuyerNick = "buyer_nick" ["买家会员名", "买家昵称", "买家账号", "买家旺旺", "买家旺旺号", "买家"],
    /// 宝贝标题.
    ItemTitle = "item_title" ["宝贝标题", "商品标题", "商品名称", "宝贝名称", "标题"],
    /// 商品编码.
    SkuCode = "sku_code" ["商品编码", "商家编码", "货品编码", "SKU编码", "商品货号"],
    /// 买家退款原因.
    Reason = "reason" ["买家退款原因", "退款原因", "申请原因", "售后原因"],
    /// 买家退款说明.
    BuyerNote = "buyer_note" ["买家退款说明", "退款说明", "问题描述"],
    /// 退款状态.
    RefundStatus = "refund_status" ["退款状态", "售后状态"],
    /// 货物状态.
    GoodsStatus = "goods_status" ["货物状态", "收货状态"],
    /// 客服介入状态.
    Intervention = "intervention" ["客服介入状态", "小二介入状态", "平台介入状态", "介入状态"],
    /// 是否需要退货.
    ReturnNeeded = "return_needed" ["是否需要退货", "是否退货", "需要退货"],
    /// 部分退款/全部退款.
    RefundScope = "refund_scope" ["部分退款/全部退款", "全部退款/部分退款", "退款范围"],
    /// 手工退款/系统退款.
    RefundMode = "refund_mode" ["手工退款/系统退款", "系统退款/手工退款", "退款方式"],
    /// 买家实际支付金额.
    Paid = "paid" ["买家实际支付金额", "实付金额", "实际支付金额", "买家实付金额", "支付金额", "买家应付货款"],
    /// 买家退款金额.
    Refund = "refund" ["买家退款金额", "退款金额", "申请退款金额", "退款金额(元)"],
    /// 发货物流信息.
    ShipLogistics = "ship_logistics" ["发货物流信息", "物流信息", "发货物流", "物流单号", "运单号"],
    /// 退货物流信息.
    ReturnLogistics = "return_logistics" ["退货物流信息", "退货物流单号", "退货运单号", "买家退货物流"],
    /// 订单付款时间.
    PaidAt = "paid_at" ["订单付款时间", "付款时间", "支付时间"],
    /// 发货时间.
    ShippedAt = "shipped_at" ["发货时间", "卖家发货时间", "订单发货时间"],
    /// 签收时间.
    SignedAt = "signed_at" ["签收时间", "买家签收时间"],
    /// 退款的申请时间.
    RequestedAt = "requested_at" ["退款的申请时间", "退款申请时间", "申请时间", "申请退款时间"],
    /// 买家退货时间.
    ReturnShippedAt = "return_shipped_at" ["买家退货时间", "退货时间", "退货发货时间"],
    /// 卖家收到退货时间.
    ReturnReceivedAt = "return_received_at" ["卖家收货时间", "退货签收时间", "卖家确认收货时间"],
    /// 客服介入时间.
    IntervenedAt = "intervened_at" ["客服介入时间", "介入时间", "小二介入时间"],
    /// 退款完结时间.
    CompletedAt = "completed_at" ["退款完结时间", "完结时间", "退款完成时间", "退款成功时间"],
    /// 订单状态 (order export).
    OrderStatus = "order_status" ["订单状态"],
    /// 收货地址 (order export).
    Address = "address" ["收货地址", "收货人地址", "收件地址"],
}

/// A shop's own header for a field, for exports whose wording the built-in table lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnAlias {
    /// The header as it appears in the shop's file.
    pub header: String,
    /// The field it holds.
    pub field: Field,
}

/// Which list an export file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// The refund list (退款管理): one row per refund.
    Refunds,
    /// The order list (订单管理): one row per order.
    Orders,
}

/// The columns of one file as detected from its header row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// Which list the file is.
    pub kind: ExportKind,
    /// The header row's row number (1-based, as a spreadsheet shows it).
    pub header_row: u64,
    /// The headers as written.
    pub headers: Vec<String>,
    /// The field each column holds, by column index; `None` for columns kept as extras.
    pub fields: Vec<Option<Field>>,
}

/// Folds the small differences between export years: spaces, quotes, asterisks marking
/// required columns, full-width brackets and Latin case.
fn normalise_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '"' | '*' | '\u{feff}' | '\''))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '／' => '/',
            other => other.to_ascii_lowercase(),
        })
        .collect()
}

fn field_for(header: &str, aliases: &[ColumnAlias]) -> Option<Field> {
    let wanted = normalise_header(header);
    if wanted.is_empty() {
        return None;
    }
    // The shop's own mapping wins over the built-in table, so a shop can also re-point a
    // header the table maps differently.
    aliases
        .iter()
        .find(|a| normalise_header(&a.header) == wanted)
        .map(|a| a.field)
        .or_else(|| {
            Field::ALL
                .iter()
                .copied()
                .find(|f| f.synonyms().iter().any(|s| normalise_header(s) == wanted))
        })
}

impl Layout {
    /// Recognises a header row, or returns `None` if the row does not name a refund or an
    /// order number column.
    pub fn detect(row: &[String], header_row: u64, aliases: &[ColumnAlias]) -> Option<Layout> {
        let mut fields: Vec<Option<Field>> = Vec::with_capacity(row.len());
        for header in row {
            let field = field_for(header, aliases);
            // Only the first column for a field counts; a second one is kept as an extra so
            // that nothing is lost and nothing is overwritten.
            let duplicate = field.is_some() && fields.contains(&field);
            fields.push(if duplicate { None } else { field });
        }
        let kind = if fields.contains(&Some(Field::RefundNo)) {
            ExportKind::Refunds
        } else if fields.contains(&Some(Field::OrderNo)) {
            ExportKind::Orders
        } else {
            return None;
        };
        Some(Layout {
            kind,
            header_row,
            headers: row.to_vec(),
            fields,
        })
    }

    /// The column index holding a field.
    pub fn column(&self, field: Field) -> Option<usize> {
        self.fields.iter().position(|f| *f == Some(field))
    }

    /// The header of a column, for error messages.
    pub fn header(&self, index: usize) -> &str {
        self.headers.get(index).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn every_synonym_names_one_field_only() {
        let mut seen = std::collections::HashMap::new();
        for field in Field::ALL {
            for syn in field.synonyms() {
                if let Some(other) = seen.insert(normalise_header(syn), *field) {
                    panic!("header {syn} maps to both {other:?} and {field:?}");
                }
            }
        }
    }

    #[test]
    fn tmall_refund_header_is_a_refund_list() {
        let layout = Layout::detect(
            &row(&[
                "退款编号",
                " 订单编号 ",
                "买家实际支付金额",
                "宝贝标题",
                "自定义列",
            ]),
            1,
            &[],
        )
        .expect("a refund header");
        assert_eq!(layout.kind, ExportKind::Refunds);
        assert_eq!(
            layout.column(Field::OrderNo),
            Some(1),
            "padded headers still match"
        );
        assert_eq!(layout.fields[4], None, "unknown columns are kept as extras");
    }

    #[test]
    fn shop_alias_maps_an_unknown_header() {
        let aliases = [ColumnAlias {
            header: "售后工单号".into(),
            field: Field::RefundNo,
        }];
        let layout =
            Layout::detect(&row(&["售后工单号", "订单编号"]), 1, &aliases).expect("header");
        assert_eq!(layout.kind, ExportKind::Refunds);
        assert_eq!(layout.column(Field::RefundNo), Some(0));
    }

    #[test]
    fn order_list_and_non_export() {
        let orders = Layout::detect(&row(&["订单编号", "订单状态"]), 1, &[]).expect("orders");
        assert_eq!(orders.kind, ExportKind::Orders);
        assert_eq!(Layout::detect(&row(&["姓名", "电话"]), 1, &[]), None);
    }
}
