//! The buyer's data a case already knows, gathered for [`redact`](crate::redact): the
//! buyer's nicknames, the order's address, and the export columns whose header says they
//! hold a phone, an address or a recipient's name.
//!
//! An export may carry such columns under headers the synonym table does not map (联系手机,
//! 收货人姓名...): they end up among the case's extra columns, and their values would
//! otherwise reach the endpoint whenever the patterns miss them (a nickname, a masked
//! phone in an unusual spelling). The header words below decide which columns count.

use crate::{KnownPii, PiiKind};

/// Words in a column header that make its value an address. Checked before the phone and
/// name words: 收货人地址 names a recipient too, but holds an address.
pub const ADDRESS_HEADER_WORDS: &[&str] = &["地址"];

/// Words in a column header that make its value a phone number or another way to reach
/// the buyer (联系方式 is often a WeChat id or a phone).
pub const PHONE_HEADER_WORDS: &[&str] = &["手机", "电话", "联系方式"];

/// Words in a column header that make its value a person's name.
pub const NAME_HEADER_WORDS: &[&str] = &["收货人", "收件人", "联系人", "姓名"];

/// The kind of buyer data an export column holds, judged by its header; `None` for a
/// column that is not the buyer's data (店铺备注, 商家编码...).
pub fn column_pii_kind(header: &str) -> Option<PiiKind> {
    let has = |words: &[&str]| words.iter().any(|w| header.contains(w));
    if has(ADDRESS_HEADER_WORDS) {
        Some(PiiKind::Address)
    } else if has(PHONE_HEADER_WORDS) {
        Some(PiiKind::Phone)
    } else if has(NAME_HEADER_WORDS) {
        Some(PiiKind::Name)
    } else {
        None
    }
}

/// The known data of a case: `names` (the buyer's nicknames from the case and its order),
/// `addresses` (the order's address) and the export's extra `columns` as
/// `(header, value)`, of which those [`column_pii_kind`] recognises are added to their
/// kind. Values are trimmed; empty values and repeats are left out.
pub fn known_pii<'a>(
    names: impl IntoIterator<Item = &'a str>,
    addresses: impl IntoIterator<Item = &'a str>,
    columns: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> KnownPii {
    let mut known = KnownPii::default();
    for name in names {
        add(&mut known.names, name);
    }
    for address in addresses {
        add(&mut known.addresses, address);
    }
    for (header, value) in columns {
        let list = match column_pii_kind(header) {
            Some(PiiKind::Address) => &mut known.addresses,
            Some(PiiKind::Phone) => &mut known.phones,
            Some(PiiKind::Name) => &mut known.names,
            // No header word gives an identity card number: the patterns find those.
            Some(PiiKind::IdNumber) | None => continue,
        };
        add(list, value);
    }
    known
}

fn add(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::phone("联系手机", Some(PiiKind::Phone))]
    #[case::landline("联系电话", Some(PiiKind::Phone))]
    #[case::contact("联系方式", Some(PiiKind::Phone))]
    #[case::recipient("收货人姓名", Some(PiiKind::Name))]
    #[case::addressee("收件人", Some(PiiKind::Name))]
    #[case::contact_person("联系人", Some(PiiKind::Name))]
    #[case::recipient_address("收货人地址", Some(PiiKind::Address))]
    #[case::return_address("退货地址", Some(PiiKind::Address))]
    #[case::shop_note("店铺备注", None)]
    #[case::sku("商家编码", None)]
    fn a_column_header_names_its_kind(#[case] header: &str, #[case] want: Option<PiiKind>) {
        assert_eq!(
            column_pii_kind(header),
            want,
            "{header}: the address words win over the recipient words, other columns are not the buyer's data"
        );
    }

    #[test]
    fn known_pii_takes_the_nicks_the_address_and_the_columns_that_name_them() {
        let known = known_pii(
            ["tb_小明2020", "tb_小明2020"],
            ["浙江省 杭州市 余杭区 文一西路969号"],
            [
                ("联系手机", "'13812345678"),
                ("收货人姓名", "王小明"),
                ("店铺备注", "加急"),
                ("退货地址", "上海市浦东新区 1 号"),
                ("联系电话", " "),
            ],
        );
        assert_eq!(known.names, ["tb_小明2020", "王小明"], "the nick once");
        assert_eq!(
            known.addresses,
            ["浙江省 杭州市 余杭区 文一西路969号", "上海市浦东新区 1 号"],
            "the order's address, then the address columns"
        );
        assert_eq!(known.phones, ["'13812345678"], "empty cells are skipped");

        let bare = known_pii(["tb_小明2020"], [], []);
        assert_eq!(bare.names, ["tb_小明2020"]);
        assert!(
            bare.addresses.is_empty() && bare.phones.is_empty(),
            "nothing is known that the case does not carry"
        );
    }
}
