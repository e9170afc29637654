//! The shop's team: its members (客服, 仓库, 财务, 店长), which member works on this
//! computer, and the shop's settings that bind them all.
//!
//! Who may change what: while the shop has a 店长, only a computer bound to a 店长 may
//! change the members and the shop's settings; a shop without one (a new shop, or one
//! just upgraded) lets anyone, so that the first person can set the team up. Binding a
//! computer to a member is open to everyone: it says who sits at the computer, it is not
//! a password.

pub(crate) mod settings;

use crate::DeskError;
use crate::team::settings::{ShopSettings, adopt_parcel_rules_file, write_shop_settings};
use afterdesk_case::DeviceId;
use afterdesk_case::time::china_rfc3339;
use afterdesk_store::{MAX_MEMBER_NAME_CHARS, Member, MemberChange, MemberRole, Store};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The name notes and the history carry for a computer bound to no member; it was the
/// app's default agent name before members existed.
pub const UNBOUND_ACTOR: &str = "客服";

/// A member as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberView {
    /// The member's id.
    pub id: String,
    /// The name shown in notes and the history.
    pub name: String,
    /// `agent`, `warehouse`, `finance` or `owner`.
    pub role: String,
    /// 客服, 仓库, 财务 or 店长.
    pub role_name: String,
    /// When the member was added, RFC 3339 in China time.
    pub created_at: String,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        MemberView {
            id: m.id.to_string(),
            name: m.name.clone(),
            role: m.role.key().to_owned(),
            role_name: m.role.zh_name().to_owned(),
            created_at: china_rfc3339(m.created_at),
        }
    }
}

/// A new member, as the UI's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MemberInput {
    /// The name (at most 20 characters, unique among the members).
    pub name: String,
    /// The role's key (`agent`) or Chinese name (`客服`).
    pub role: String,
}

/// A change to a member; a field left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct MemberChangeInput {
    /// A new name.
    pub name: Option<String>,
    /// A new role's key or Chinese name.
    pub role: Option<String>,
}

/// What [`adopt_local_settings`] took over from this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AdoptedView {
    /// The member this computer is bound to afterwards, if any.
    pub member: Option<MemberView>,
    /// Whether a member was created from the old agent name.
    pub created_member: bool,
    /// Whether this computer was bound by this call.
    pub bound: bool,
    /// Whether the old compensation limit became the 客服 role's limit.
    pub limit_adopted: bool,
    /// Whether a `parcel-rules.toml` beside the shop file became the shop's thresholds.
    pub parcel_rules_adopted: bool,
    /// Why that file could not be adopted (it does not read, or a value is out of
    /// bounds); the rest was adopted all the same and the shop uses its defaults.
    pub parcel_rules_error: Option<String>,
}

fn parse_role(text: &str) -> Result<MemberRole, DeskError> {
    MemberRole::parse(text).ok_or_else(|| {
        DeskError::Invalid(format!(
            "未知角色“{text}”，可选：{}",
            MemberRole::ALL
                .iter()
                .map(|r| format!("{}（{}）", r.zh_name(), r.key()))
                .collect::<Vec<_>>()
                .join("、")
        ))
    })
}

fn has_owner(store: &Store) -> Result<bool, DeskError> {
    Ok(store
        .members(false)?
        .iter()
        .any(|m| m.role == MemberRole::Owner))
}

/// Refuses a change to the team or the settings unless this store's device is bound to a
/// 店长, or the shop has no 店长 yet.
fn require_owner(store: &Store) -> Result<(), DeskError> {
    if !has_owner(store)? {
        return Ok(());
    }
    match store.device_member(store.device())? {
        Some(m) if m.role == MemberRole::Owner => Ok(()),
        _ => Err(DeskError::NotOwner),
    }
}

/// The shop's live members, in the order they were added.
pub fn members(store: &Store) -> Result<Vec<MemberView>, DeskError> {
    Ok(store.members(false)?.iter().map(MemberView::from).collect())
}

/// Adds a member (店长 only, once the shop has one).
pub fn add_member(
    store: &mut Store,
    input: &MemberInput,
    now: DateTime<Utc>,
) -> Result<MemberView, DeskError> {
    require_owner(store)?;
    let role = parse_role(&input.role)?;
    Ok(MemberView::from(&store.add_member(
        &input.name,
        role,
        now,
    )?))
}

/// Renames a member or changes their role (店长 only, once the shop has one). The shop's
/// last 店长 keeps the role.
pub fn change_member(
    store: &mut Store,
    id: &str,
    input: &MemberChangeInput,
    now: DateTime<Utc>,
) -> Result<MemberView, DeskError> {
    require_owner(store)?;
    let change = MemberChange {
        name: input.name.clone(),
        role: input.role.as_deref().map(parse_role).transpose()?,
    };
    Ok(MemberView::from(&store.change_member(id, &change, now)?))
}

/// Removes a member (店长 only, once the shop has one); the shop's last 店长 stays.
pub fn remove_member(
    store: &mut Store,
    id: &str,
    now: DateTime<Utc>,
) -> Result<MemberView, DeskError> {
    require_owner(store)?;
    Ok(MemberView::from(&store.remove_member(id, now)?))
}

/// Binds `device` to a member, or to no one with `None`.
pub fn bind_device(
    store: &mut Store,
    device: &DeviceId,
    member_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<MemberView>, DeskError> {
    Ok(store
        .bind_device(device, member_id, now)?
        .as_ref()
        .map(MemberView::from))
}

/// The member `device` is bound to, if any.
pub fn whoami(store: &Store, device: &DeviceId) -> Result<Option<MemberView>, DeskError> {
    Ok(store.device_member(device)?.as_ref().map(MemberView::from))
}

/// The name notes and the history carry for changes made on `device`: its member's name,
/// or [`UNBOUND_ACTOR`] when it is bound to no one.
pub fn actor(store: &Store, device: &DeviceId) -> Result<String, DeskError> {
    Ok(store
        .device_member(device)?
        .map_or_else(|| UNBOUND_ACTOR.to_owned(), |m| m.name))
}

/// Saves the shop's settings (店长 only, once the shop has one) after checking each value
/// against its bounds.
pub fn save_shop_settings(
    store: &mut Store,
    input: ShopSettings,
    now: DateTime<Utc>,
) -> Result<ShopSettings, DeskError> {
    require_owner(store)?;
    write_shop_settings(store, input, now)
}

/// Takes over what this computer kept before the team lived in the shop: the agent name
/// and compensation limit from the window's storage, and a `parcel-rules.toml` beside the
/// shop file. Called by the UI at start with the old values; idempotent, so calling it
/// again (or on every start) changes nothing more.
///
/// - A computer already bound to a member stays bound. Otherwise, with an agent name, it
///   is bound to the live member of that name, or to a new member of that name. The new
///   member is the shop's 店长 when the shop has none yet, and a 客服 otherwise: the
///   first person to start the upgraded app is usually the one who installed it for the
///   shop, and someone must be able to manage the team (they can hand the role on; the
///   last 店长 can never be removed).
/// - The old limit becomes the 客服 role's limit only if the shop has not set one, so a
///   limit a 店长 set is never overwritten by an agent's old local value. A value out of
///   bounds is ignored.
///
/// No 店长 check: this moves the computer's own values, which were the rule until now.
pub fn adopt_local_settings(
    store: &mut Store,
    device: &DeviceId,
    agent_name: Option<String>,
    agent_limit_fen: Option<i64>,
    now: DateTime<Utc>,
) -> Result<AdoptedView, DeskError> {
    // A broken file must not keep the agent's name and limit from moving: those would
    // then be asked for again on every start.
    let (parcel_rules_adopted, parcel_rules_error) = match adopt_parcel_rules_file(store, now) {
        Ok(adopted) => (adopted, None),
        Err(DeskError::Store(e)) => return Err(e.into()),
        Err(e) => (false, Some(e.to_string())),
    };
    let mut adopted = AdoptedView {
        member: None,
        created_member: false,
        bound: false,
        limit_adopted: false,
        parcel_rules_adopted,
        parcel_rules_error,
    };
    let name = agent_name
        .as_deref()
        .map(|n| {
            n.trim()
                .chars()
                .take(MAX_MEMBER_NAME_CHARS)
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    let mut member = store.device_member(device)?;
    if member.is_none()
        && let Some(name) = name
    {
        let existing = store.members(false)?.into_iter().find(|m| m.name == name);
        let target = match existing {
            Some(m) => m,
            None => {
                let role = if has_owner(store)? {
                    MemberRole::Agent
                } else {
                    MemberRole::Owner
                };
                adopted.created_member = true;
                store.add_member(&name, role, now)?
            }
        };
        member = store.bind_device(device, Some(&target.id.to_string()), now)?;
        adopted.bound = true;
    }
    adopted.member = member.as_ref().map(MemberView::from);

    let key = "compensation_limits.agent";
    if let Some(fen) = agent_limit_fen.filter(|f| (0..=crate::MAX_LIMIT_FEN).contains(f))
        && !store.shop_settings()?.contains_key(key)
    {
        let mut value = std::collections::BTreeMap::new();
        value.insert(key.to_owned(), serde_json::Value::from(fen));
        store.save_shop_settings(&value, now)?;
        adopted.limit_adopted = true;
    }
    Ok(adopted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::settings::shop_settings;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
            .single()
            .unwrap()
    }

    fn dev(name: &str) -> DeviceId {
        DeviceId(name.to_owned())
    }

    fn input(name: &str, role: &str) -> MemberInput {
        MemberInput {
            name: name.to_owned(),
            role: role.to_owned(),
        }
    }

    #[test]
    fn adopting_is_idempotent() {
        let mut store = Store::open_in_memory(dev("pc-1")).unwrap();
        let first = adopt_local_settings(
            &mut store,
            &dev("pc-1"),
            Some(" 小美 ".to_owned()),
            Some(5000),
            now(),
        )
        .unwrap();
        assert!(
            first.created_member && first.bound && first.limit_adopted,
            "the first call moves everything: {first:?}"
        );
        let me = first.member.clone().unwrap();
        assert_eq!(
            (me.name.as_str(), me.role.as_str()),
            ("小美", "owner"),
            "the first member of a shop without an owner becomes its owner"
        );
        let settings = shop_settings(&store).unwrap();
        assert_eq!(settings.compensation_limits.agent, Some(5000));

        let second = adopt_local_settings(
            &mut store,
            &dev("pc-1"),
            Some("别的名字".to_owned()),
            Some(9000),
            now(),
        )
        .unwrap();
        assert_eq!(
            second,
            AdoptedView {
                member: Some(me),
                created_member: false,
                bound: false,
                limit_adopted: false,
                parcel_rules_adopted: false,
                parcel_rules_error: None,
            },
            "a second call changes nothing"
        );
        assert_eq!(members(&store).unwrap().len(), 1, "no second member");
        assert_eq!(
            shop_settings(&store).unwrap().compensation_limits.agent,
            Some(5000),
            "the shop's limit is not overwritten"
        );
    }

    #[test]
    fn adopting_on_a_second_computer_adds_an_agent_and_keeps_the_shops_limit() {
        let mut store = Store::open_in_memory(dev("pc-1")).unwrap();
        adopt_local_settings(
            &mut store,
            &dev("pc-1"),
            Some("老板".to_owned()),
            None,
            now(),
        )
        .unwrap();
        let mut settings = shop_settings(&store).unwrap();
        settings.compensation_limits.agent = Some(2000);
        save_shop_settings(&mut store, settings, now()).unwrap();

        let second = adopt_local_settings(
            &mut store,
            &dev("pc-2"),
            Some("小美".to_owned()),
            Some(8000),
            now(),
        )
        .unwrap();
        assert_eq!(
            second.member.map(|m| m.role),
            Some("agent".to_owned()),
            "with an owner in the shop, a newcomer is an agent"
        );
        assert!(!second.limit_adopted, "the shop already set the limit");
        assert_eq!(
            shop_settings(&store).unwrap().compensation_limits.agent,
            Some(2000)
        );

        let same_name = adopt_local_settings(
            &mut store,
            &dev("pc-3"),
            Some("小美".to_owned()),
            None,
            now(),
        )
        .unwrap();
        assert!(
            same_name.bound && !same_name.created_member,
            "a name already in the shop binds to that member"
        );
    }

    #[test]
    fn adopting_without_old_values_binds_no_one() {
        let cases: &[(Option<&str>, Option<i64>)] = &[
            (None, None),
            (Some("   "), None),
            (None, Some(-5)),
            (None, Some(crate::MAX_LIMIT_FEN + 1)),
        ];
        for (name, limit) in cases {
            let mut store = Store::open_in_memory(dev("pc")).unwrap();
            let got = adopt_local_settings(
                &mut store,
                &dev("pc"),
                name.map(str::to_owned),
                *limit,
                now(),
            )
            .unwrap();
            assert_eq!(
                (got.member, got.limit_adopted),
                (None, false),
                "nothing usable to adopt from {name:?} / {limit:?}"
            );
            assert!(store.shop_settings().unwrap().is_empty(), "nothing written");
        }
    }

    #[test]
    fn a_long_old_name_is_shortened_rather_than_refused() {
        let mut store = Store::open_in_memory(dev("pc")).unwrap();
        let long = "名".repeat(30);
        let got = adopt_local_settings(&mut store, &dev("pc"), Some(long), None, now()).unwrap();
        assert_eq!(
            got.member.map(|m| m.name.chars().count()),
            Some(MAX_MEMBER_NAME_CHARS)
        );
    }

    #[test]
    fn the_actor_is_the_bound_members_name() {
        let mut store = Store::open_in_memory(dev("pc")).unwrap();
        assert_eq!(actor(&store, &dev("pc")).unwrap(), "客服", "unbound");
        let m = add_member(&mut store, &input("小美", "客服"), now()).unwrap();
        bind_device(&mut store, &dev("pc"), Some(&m.id), now()).unwrap();
        assert_eq!(actor(&store, &dev("pc")).unwrap(), "小美", "bound");
        assert_eq!(
            actor(&store, &dev("other")).unwrap(),
            "客服",
            "another computer is not bound by this one"
        );
        bind_device(&mut store, &dev("pc"), None, now()).unwrap();
        assert_eq!(actor(&store, &dev("pc")).unwrap(), "客服", "unbound again");
    }

    #[test]
    fn only_an_owner_changes_the_team_once_there_is_one() {
        let mut store = Store::open_in_memory(dev("pc")).unwrap();
        let agent = add_member(&mut store, &input("小美", "agent"), now()).unwrap();
        let boss = add_member(&mut store, &input("老板", "店长"), now()).unwrap();
        assert_eq!(boss.role_name, "店长", "a role can be given in Chinese");

        // (this computer's member, allowed)
        let cases = [(None, false), (Some(&agent), false), (Some(&boss), true)];
        for (me, allowed) in cases {
            bind_device(&mut store, &dev("pc"), me.map(|m| m.id.as_str()), now()).unwrap();
            let added = add_member(&mut store, &input("新人", "warehouse"), now());
            let saved = save_shop_settings(&mut store, ShopSettings::default(), now());
            if allowed {
                let added = added.unwrap();
                remove_member(&mut store, &added.id, now()).unwrap();
                assert!(saved.is_ok(), "an owner saves settings");
            } else {
                assert_eq!(
                    added.unwrap_err().code(),
                    "not_owner",
                    "only an owner adds members"
                );
                assert_eq!(
                    saved.unwrap_err().code(),
                    "not_owner",
                    "only an owner saves settings"
                );
            }
        }
        let bad = change_member(
            &mut store,
            &agent.id,
            &MemberChangeInput {
                name: None,
                role: Some("老板".to_owned()),
            },
            now(),
        );
        assert_eq!(
            bad.unwrap_err().code(),
            "invalid",
            "an unknown role is refused"
        );
    }

    #[test]
    fn whoami_follows_the_binding() {
        let mut store = Store::open_in_memory(dev("pc")).unwrap();
        assert_eq!(whoami(&store, &dev("pc")).unwrap(), None);
        let m = add_member(&mut store, &input("小美", "finance"), now()).unwrap();
        bind_device(&mut store, &dev("pc"), Some(&m.id), now()).unwrap();
        assert_eq!(whoami(&store, &dev("pc")).unwrap(), Some(m.clone()));
        let renamed = change_member(
            &mut store,
            &m.id,
            &MemberChangeInput {
                name: Some("美美".to_owned()),
                role: None,
            },
            now(),
        )
        .unwrap();
        assert_eq!(
            whoami(&store, &dev("pc")).unwrap().map(|m| m.name),
            Some(renamed.name),
            "a rename shows at once"
        );
    }
}
