//! The AfterDesk domain model.
//!
//! A shop's after-sales desk revolves around the [`Case`] (售后单): one buyer's refund,
//! return, exchange or complaint about one order. This crate holds the vocabulary every
//! other crate speaks (cases, their platform facts, notes, timeline events, orders, money
//! and scenario kinds) and the pure rules that need no storage, such as deriving a
//! scenario kind from the platform's fields. It performs no I/O and never reads the
//! clock: callers pass the current instant in.
#![deny(missing_docs)]

mod case;
mod id;
mod kind;
mod money;
mod order;
mod parcel;
mod proof;
mod reason;
mod status;
pub mod time;
mod timeline;

pub use case::{Case, CaseFacts, Flag, KindSource, Platform, Standing};
pub use id::{Actor, DeviceId, RecordId};
pub use kind::ScenarioKind;
pub use money::{Fen, MoneyError};
pub use order::{Order, OrderFacts};
pub use parcel::{
    Courier, Interception, InterceptionStep, Parcel, ParcelDirection, ParcelState, Trace,
    WAYBILL_MAX_CHARS, Waybill,
};
pub use proof::Proof;
pub use reason::Reason;
pub use status::{GoodsStatus, Intervention, RefundStatus};
pub use timeline::{CaseEvent, Note};

/// Declares a string-keyed enum whose keys are stable on disk and in JSON.
///
/// Every variant carries its key and its Simplified Chinese name. Keys never change once
/// shipped, because they are stored in shop databases and exchanged between devices.
macro_rules! keyed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = ($key:literal, $zh:literal), )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key stored on disk and used in JSON and on the command line.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            /// The Simplified Chinese name shown to users.
            pub fn zh_name(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            /// Looks a variant up by its stable key.
            pub fn from_key(key: &str) -> Option<Self> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let key = String::deserialize(d)?;
                $name::from_key(&key).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {} key: {key}", stringify!($name)))
                })
            }
        }
    };
}
pub(crate) use keyed_enum;
