//! Commands for the shop's members, this computer's member and the shop's settings
//! (docs/desktop.md, 成员与店铺设置). Thin like the others: take the open shop, call one
//! function of `afterdesk-desk`, convert the error. This computer is the open store's
//! device, the one every change is recorded as.

use crate::commands::CommandResult;
use afterdesk_desk::{AdoptedView, MemberChangeInput, MemberInput, MemberView, ShopSettings};
use afterdesk_shop::Shop;
use tauri::State;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The shop's members, in the order they were added.
#[tauri::command]
#[specta::specta]
pub async fn list_members(shop: State<'_, Shop>) -> CommandResult<Vec<MemberView>> {
    shop.with_store(|store| Ok(afterdesk_desk::members(store)?))
}

/// Adds a member (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn add_member(shop: State<'_, Shop>, input: MemberInput) -> CommandResult<MemberView> {
    shop.with_store(|store| Ok(afterdesk_desk::add_member(store, &input, now())?))
}

/// Renames a member or changes their role (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn change_member(
    shop: State<'_, Shop>,
    id: String,
    input: MemberChangeInput,
) -> CommandResult<MemberView> {
    shop.with_store(|store| Ok(afterdesk_desk::change_member(store, &id, &input, now())?))
}

/// Removes a member (店长 only; the shop's last 店长 stays).
#[tauri::command]
#[specta::specta]
pub async fn remove_member(shop: State<'_, Shop>, id: String) -> CommandResult<MemberView> {
    shop.with_store(|store| Ok(afterdesk_desk::remove_member(store, &id, now())?))
}

/// Says which member works on this computer (`None` binds it to no one).
#[tauri::command]
#[specta::specta]
pub async fn bind_this_computer(
    shop: State<'_, Shop>,
    member_id: Option<String>,
) -> CommandResult<Option<MemberView>> {
    shop.with_store(|store| {
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
pub async fn whoami(shop: State<'_, Shop>) -> CommandResult<Option<MemberView>> {
    shop.with_store(|store| Ok(afterdesk_desk::whoami(store, store.device())?))
}

/// The shop's settings (defaults for what the shop never saved).
#[tauri::command]
#[specta::specta]
pub async fn shop_settings(shop: State<'_, Shop>) -> CommandResult<ShopSettings> {
    shop.with_store(|store| Ok(afterdesk_desk::shop_settings(store)?))
}

/// Saves the shop's settings (店长 only, once the shop has one).
#[tauri::command]
#[specta::specta]
pub async fn save_shop_settings(
    shop: State<'_, Shop>,
    settings: ShopSettings,
) -> CommandResult<ShopSettings> {
    shop.with_store(|store| Ok(afterdesk_desk::save_shop_settings(store, settings, now())?))
}

/// Takes over this computer's old agent name and compensation limit (from the window's
/// storage) and a `parcel-rules.toml` beside the shop file; changes nothing the second
/// time.
#[tauri::command]
#[specta::specta]
pub async fn adopt_local_settings(
    shop: State<'_, Shop>,
    agent_name: Option<String>,
    agent_limit_fen: Option<i64>,
) -> CommandResult<AdoptedView> {
    shop.with_store(|store| {
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
