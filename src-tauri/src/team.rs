//! Commands for the shop's members, this computer's member and the shop's settings
//! (docs/desktop.md, 成员与店铺设置). Thin like the others: take the open shop, call one
//! function of `afterdesk-desk`, convert the error. This computer is the open store's
//! device, the one every change is recorded as.

use crate::commands::CommandResult;
use crate::shop::Desk;
use afterdesk_desk::{AdoptedView, MemberChangeInput, MemberInput, MemberView, ShopSettings};
use tauri::State;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The shop's members, in the order they were added.
#[tauri::command]
#[specta::specta]
pub async fn list_members(desk: State<'_, Desk>) -> CommandResult<Vec<MemberView>> {
    desk.with_store(|store| Ok(afterdesk_desk::members(store)?))
}

/// Adds a member (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn add_member(desk: State<'_, Desk>, input: MemberInput) -> CommandResult<MemberView> {
    desk.with_store(|store| Ok(afterdesk_desk::add_member(store, &input, now())?))
}

/// Renames a member or changes their role (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn change_member(
    desk: State<'_, Desk>,
    id: String,
    input: MemberChangeInput,
) -> CommandResult<MemberView> {
    desk.with_store(|store| Ok(afterdesk_desk::change_member(store, &id, &input, now())?))
}

/// Removes a member (店长 only; the shop's last 店长 stays).
#[tauri::command]
#[specta::specta]
pub async fn remove_member(desk: State<'_, Desk>, id: String) -> CommandResult<MemberView> {
    desk.with_store(|store| Ok(afterdesk_desk::remove_member(store, &id, now())?))
}

/// Says which member works on this computer (`None` binds it to no one).
#[tauri::command]
#[specta::specta]
pub async fn bind_this_computer(
    desk: State<'_, Desk>,
    member_id: Option<String>,
) -> CommandResult<Option<MemberView>> {
    desk.with_store(|store| {
        let device = store.device().clone();
        Ok(afterdesk_desk::bind_device(
            store,
            &device,
            member_id.as_deref(),
            now(),
        )?)
    })
}

/// The member this computer is bound to, if any.
#[tauri::command]
#[specta::specta]
pub async fn whoami(desk: State<'_, Desk>) -> CommandResult<Option<MemberView>> {
    desk.with_store(|store| Ok(afterdesk_desk::whoami(store, store.device())?))
}

/// The shop's settings (defaults for what the shop never saved).
#[tauri::command]
#[specta::specta]
pub async fn shop_settings(desk: State<'_, Desk>) -> CommandResult<ShopSettings> {
    desk.with_store(|store| Ok(afterdesk_desk::shop_settings(store)?))
}

/// Saves the shop's settings (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn save_shop_settings(
    desk: State<'_, Desk>,
    settings: ShopSettings,
) -> CommandResult<ShopSettings> {
    desk.with_store(|store| Ok(afterdesk_desk::save_shop_settings(store, settings, now())?))
}

/// Takes over this computer's old agent name and compensation limit (from the window's
/// storage) and a `parcel-rules.toml` beside the shop file; changes nothing the second
/// time.
#[tauri::command]
#[specta::specta]
pub async fn adopt_local_settings(
    desk: State<'_, Desk>,
    agent_name: Option<String>,
    agent_limit_fen: Option<i64>,
) -> CommandResult<AdoptedView> {
    desk.with_store(|store| {
        let device = store.device().clone();
        Ok(afterdesk_desk::adopt_local_settings(
            store,
            &device,
            agent_name,
            agent_limit_fen,
            now(),
        )?)
    })
}
