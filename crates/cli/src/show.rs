//! How cases look on the command line: the documented JSON shapes (docs/cli.md) and the
//! human-readable tables.

use crate::terminal::say;
use afterdesk_case::Note;
use afterdesk_case::time::china_text;
use afterdesk_desk::{CaseDetailView, CaseListView, NoteView};
use afterdesk_store::{CaseDetail, CaseList};
use serde_json::{Value, json};
use unicode_width::UnicodeWidthStr;

/// Serialises a view type; the views hold only strings, numbers and maps, which cannot
/// fail to serialise, so a failure would be a bug worth seeing rather than hiding.
fn to_json(view: impl serde::Serialize) -> Value {
    serde_json::to_value(view).unwrap_or_else(|e| json!({ "error": e.to_string() }))
}

/// A note as JSON.
pub fn note_json(note: &Note) -> Value {
    to_json(NoteView::from(note))
}

/// `cases list --json`.
pub fn list_json(list: &CaseList) -> Value {
    to_json(CaseListView::from(list))
}

/// `case show --json`.
pub fn detail_json(detail: &CaseDetail) -> Value {
    to_json(CaseDetailView::from(detail))
}

/// Pads or cuts text to a display width, counting a Chinese character as two columns.
fn cell(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = UnicodeWidthStr::width(ch.encode_utf8(&mut [0; 4]) as &str);
        if used + w > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push_str(&" ".repeat(width - used));
    out
}

/// The human-readable case list.
pub fn print_list(list: &CaseList) -> anyhow::Result<()> {
    if list.cases.is_empty() {
        say!("没有符合条件的售后单。");
        return Ok(());
    }
    say!(
        "{} {} {} {} {} {} 旗帜/负责人",
        cell("退款编号", 20),
        cell("类型", 14),
        cell("状态", 16),
        cell("买家", 16),
        cell("退款金额", 10),
        cell("申请时间", 19)
    );
    for case in &list.cases {
        let f = &case.facts;
        say!(
            "{} {} {} {} {} {} {}{}",
            cell(f.refund_no.as_deref().unwrap_or("（手工）"), 20),
            cell(case.kind.zh_name(), 14),
            cell(f.refund_status().zh_name(), 16),
            cell(f.buyer_nick.as_deref().unwrap_or(""), 16),
            cell(&f.refund.map(|m| m.yuan_text()).unwrap_or_default(), 10),
            cell(&f.requested_at.map(china_text).unwrap_or_default(), 19),
            case.flag.map(|f| f.zh_name()).unwrap_or(""),
            case.assignee
                .as_deref()
                .map(|a| format!(" {a}"))
                .unwrap_or_default(),
        );
    }
    say!("共 {} 条，显示 {} 条", list.total, list.cases.len());
    Ok(())
}

/// The human-readable case page.
pub fn print_detail(detail: &CaseDetail) -> anyhow::Result<()> {
    let case = &detail.case;
    let f = &case.facts;
    let line = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            say!("{} {v}", cell(label, 12));
        }
    };
    line("售后单 ID", Some(case.id.to_string()));
    line("退款编号", f.refund_no.clone());
    line("订单编号", f.order_no.clone());
    line("买家", f.buyer_nick.clone());
    line("宝贝", f.item_title.clone());
    line(
        "类型",
        Some(format!(
            "{}（{}）",
            case.kind.zh_name(),
            case.kind_source.zh_name()
        )),
    );
    line("退款状态", f.refund_status_text.clone());
    line("货物状态", f.goods_status_text.clone());
    line("客服介入", f.intervention_text.clone());
    line("退款原因", f.reason_text.clone());
    line("买家说明", f.buyer_note.clone());
    line("实付金额", f.paid.map(|m| m.to_string()));
    line("退款金额", f.refund.map(|m| m.to_string()));
    line("发货物流", f.ship_logistics.clone());
    line("退货物流", f.return_logistics.clone());
    line("付款时间", f.paid_at.map(china_text));
    line("申请时间", f.requested_at.map(china_text));
    line("完结时间", f.completed_at.map(china_text));
    line("旗帜", case.flag.map(|f| f.zh_name().to_owned()));
    line("负责人", case.assignee.clone());
    line("标签", Some(case.tags.join("、")));
    line(
        "是否结束",
        Some(if case.open { "处理中" } else { "已结束" }.to_owned()),
    );
    if case.deleted_at.is_some() {
        say!("（此售后单已删除）");
    }
    if !detail.notes.is_empty() {
        say!("\n备注：");
        for n in &detail.notes {
            say!("  {} {}：{}", china_text(n.at), n.author.agent, n.text);
        }
    }
    say!("\n变更记录：");
    say!("  {} {}", china_text(case.created_at), case.origin);
    for e in &detail.events {
        say!(
            "  {} {} {}：{} → {}",
            china_text(e.at),
            e.actor.agent,
            e.field,
            e.old.as_deref().unwrap_or("—"),
            e.new.as_deref().unwrap_or("—")
        );
    }
    Ok(())
}
