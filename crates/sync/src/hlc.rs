//! The hybrid logical clock that orders every change of a shared shop.
//!
//! A stamp is (wall milliseconds, counter, device). The wall part follows the computer's
//! clock, so stamps read as times and a later edit usually wins; the counter orders
//! changes made within one millisecond and carries causality past a clock that runs
//! behind (after receiving a stamp, a device's next stamp is always greater); the device
//! breaks the remaining ties, so any two stamps are ordered and every replica picks the
//! same winner. This is the algorithm of Kulkarni et al., "Logical Physical Clocks"
//! (2014), as Actual Budget's sync uses it.

use crate::device::{Device, DeviceError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::max;
use std::fmt;

/// How far ahead of the receiver's clock a stamp may be before [`HlcClock::receive`]
/// refuses it: 24 hours.
///
/// A stamp from far in the future would drag every later stamp of every device with it
/// and win every later edit, so it is kept aside (the caller quarantines the op and shows
/// it). A day is far more than any real clock error or time-zone mistake (at most 14
/// hours) and much less than the year-off clocks users report.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// How far apart this device's clock and a reference (a WebDAV or S3 `Date` header, the
/// newest file times) may be before the user is warned: 5 minutes.
///
/// Stamps stay correct with any skew (the counter carries causality), but a clock that is
/// minutes off makes "the later edit wins" surprising to the people editing.
pub const SKEW_WARNING_MS: u64 = 5 * 60 * 1000;

/// The largest wall time a stamp can hold: 48 bits of milliseconds, past the year 10000.
/// Twelve hexadecimal digits keep the text form fixed-width and therefore sortable.
pub const MAX_WALL_MS: u64 = 0xFFFF_FFFF_FFFF;

/// The length of a stamp's text form before the device id: 12 hexadecimal digits of wall
/// time, `-`, 4 of counter, `-`.
const PREFIX_LEN: usize = 18;

/// One stamp of the hybrid logical clock.
///
/// Stamps are totally ordered by (wall, counter, device). The text form
/// `0192d3f4a5b6-0000-<device>` is fixed-width before the device id, so sorting the text
/// sorts the stamps; it is what serde writes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hlc {
    wall: u64,
    counter: u16,
    device: Device,
}

/// Why a stamp was refused or could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HlcError {
    /// The remote stamp is more than [`MAX_AHEAD_MS`] ahead of this device's clock; the op
    /// that carries it is quarantined, not applied.
    #[error(
        "a change stamped {ahead_ms} ms ahead of this computer's clock was refused (at most {max_ms} ms)"
    )]
    TooFarAhead {
        /// The refused stamp.
        remote: Hlc,
        /// How far ahead of `now` it is.
        ahead_ms: u64,
        /// [`MAX_AHEAD_MS`].
        max_ms: u64,
    },
    /// The text is not a stamp's text form.
    #[error("not a clock stamp: {0}")]
    Malformed(&'static str),
    /// The stamp's device part is not a device id.
    #[error("the clock stamp's device is not valid: {0}")]
    Device(#[from] DeviceError),
}

impl Hlc {
    /// Makes a stamp from its parts; a wall time past [`MAX_WALL_MS`] is clamped to it.
    pub fn new(wall_ms: u64, counter: u16, device: Device) -> Self {
        Hlc {
            wall: wall_ms.min(MAX_WALL_MS),
            counter,
            device,
        }
    }

    /// The wall part: milliseconds since the Unix epoch, UTC.
    pub fn wall_ms(&self) -> u64 {
        self.wall
    }

    /// The counter part.
    pub fn counter(&self) -> u16 {
        self.counter
    }

    /// The device that made the stamp.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Reads the text form written by `Display`.
    ///
    /// Only lowercase hexadecimal is accepted, so that one stamp has one text and the
    /// text's order is the stamps' order.
    pub fn parse(text: &str) -> Result<Self, HlcError> {
        let bytes = text.as_bytes();
        if bytes.len() <= PREFIX_LEN {
            return Err(HlcError::Malformed("too short"));
        }
        if bytes[12] != b'-' || bytes[17] != b'-' {
            return Err(HlcError::Malformed("separators"));
        }
        let hex = |part: &str| -> Result<u64, HlcError> {
            if part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                u64::from_str_radix(part, 16).map_err(|_| HlcError::Malformed("hexadecimal"))
            } else {
                Err(HlcError::Malformed("lowercase hexadecimal"))
            }
        };
        let wall = hex(text.get(0..12).ok_or(HlcError::Malformed("wall"))?)?;
        let counter = hex(text.get(13..17).ok_or(HlcError::Malformed("counter"))?)?;
        let counter = u16::try_from(counter).map_err(|_| HlcError::Malformed("counter"))?;
        let device = Device::parse(
            text.get(PREFIX_LEN..)
                .ok_or(HlcError::Malformed("device"))?,
        )?;
        Ok(Hlc {
            wall,
            counter,
            device,
        })
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012x}-{:04x}-{}", self.wall, self.counter, self.device)
    }
}

impl fmt::Debug for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hlc({self})")
    }
}

impl Serialize for Hlc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Hlc::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Milliseconds since the Unix epoch of `now`, clamped to the range a stamp holds (a clock
/// set before 1970 reads as 0).
pub fn wall_ms(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp_millis())
        .unwrap_or(0)
        .min(MAX_WALL_MS)
}

/// One device's clock: the last stamp it made or saw.
///
/// The caller keeps the last stamp across runs (in the store, beside the outbox) and
/// rebuilds the clock with [`HlcClock::resume`], so that stamps never go back after a
/// restart, even when the computer's clock did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HlcClock {
    last: Hlc,
}

impl HlcClock {
    /// A clock that has made and seen nothing yet.
    pub fn new(device: Device) -> Self {
        HlcClock {
            last: Hlc::new(0, 0, device),
        }
    }

    /// A clock that continues after `last`, the greatest stamp this device made or
    /// received; the device is `device` whatever `last`'s was.
    pub fn resume(last: &Hlc, device: Device) -> Self {
        HlcClock {
            last: Hlc::new(last.wall, last.counter, device),
        }
    }

    /// The last stamp this clock made or moved to; what the caller stores.
    pub fn last(&self) -> &Hlc {
        &self.last
    }

    /// The stamp of a new local change at `now`: greater than every stamp this clock made
    /// or received.
    ///
    /// When the counter would overflow (65,536 changes in one millisecond, as a bulk
    /// import stamped with one `now` can make), the wall part moves one millisecond ahead
    /// instead of failing: the clock runs ahead by a millisecond per 65,536 changes, which
    /// the next real millisecond absorbs.
    pub fn send(&mut self, now: DateTime<Utc>) -> Hlc {
        let now = wall_ms(now);
        let (wall, counter) = if now > self.last.wall {
            (now, 0)
        } else {
            bump(self.last.wall, self.last.counter)
        };
        self.last.wall = wall;
        self.last.counter = counter;
        self.last.clone()
    }

    /// Moves the clock past `remote`, a stamp received from another device, at `now`.
    ///
    /// A stamp more than [`MAX_AHEAD_MS`] ahead of `now` is refused with
    /// [`HlcError::TooFarAhead`] and leaves the clock as it was: the caller keeps the op in
    /// quarantine instead of applying it.
    pub fn receive(&mut self, remote: &Hlc, now: DateTime<Utc>) -> Result<(), HlcError> {
        let now = wall_ms(now);
        let ahead_ms = remote.wall.saturating_sub(now);
        if ahead_ms > MAX_AHEAD_MS {
            return Err(HlcError::TooFarAhead {
                remote: remote.clone(),
                ahead_ms,
                max_ms: MAX_AHEAD_MS,
            });
        }
        let local = &self.last;
        let wall = max(max(local.wall, remote.wall), now);
        let (wall, counter) = if wall == local.wall && wall == remote.wall {
            bump(wall, max(local.counter, remote.counter))
        } else if wall == local.wall {
            bump(wall, local.counter)
        } else if wall == remote.wall {
            bump(wall, remote.counter)
        } else {
            (wall, 0)
        };
        self.last.wall = wall;
        self.last.counter = counter;
        Ok(())
    }
}

/// The reading after (`wall`, `counter`): the next counter, or the next millisecond when
/// the counter is spent.
fn bump(wall: u64, counter: u16) -> (u64, u16) {
    match counter.checked_add(1) {
        Some(counter) => (wall, counter),
        None => (wall.saturating_add(1).min(MAX_WALL_MS), 0),
    }
}

/// How far this device's clock is from a reference clock, when it is more than
/// [`SKEW_WARNING_MS`]: positive when this device is ahead. `None` when within bounds.
pub fn skew_warning(now: DateTime<Utc>, reference: DateTime<Utc>) -> Option<i64> {
    let skew = now
        .timestamp_millis()
        .saturating_sub(reference.timestamp_millis());
    (skew.unsigned_abs() > SKEW_WARNING_MS).then_some(skew)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn device(name: &str) -> Device {
        Device::parse(name).unwrap()
    }

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(ms).unwrap()
    }

    const T: i64 = 1_790_000_000_000;

    #[test]
    fn send_is_strictly_increasing_whatever_the_wall_clock_does() {
        let mut clock = HlcClock::new(device("a"));
        let nows = [T, T, T, T - 60_000, T + 1, T + 1, T - 5, T + 10];
        let stamps: Vec<Hlc> = nows.iter().map(|&ms| clock.send(at(ms))).collect();
        assert!(
            stamps.windows(2).all(|w| w[0] < w[1]),
            "each local stamp is greater than the previous one: {stamps:?}"
        );
        assert_eq!(
            stamps[3].wall_ms(),
            T as u64,
            "a clock that jumps back does not move stamps back"
        );
        assert_eq!(stamps[7].wall_ms(), T as u64 + 10, "wall time is followed");
    }

    #[test]
    fn receive_moves_past_the_remote_stamp() {
        // (local last, remote, now) → the next local stamp must exceed both.
        let cases = [
            ((T, 0), (T + 500, 7), T),
            ((T + 500, 3), (T + 500, 7), T),
            ((T + 500, 9), (T + 500, 7), T),
            ((T, 0), (T - 500, 7), T + 100),
            ((T + 900, 2), (T + 500, 7), T),
        ];
        for ((lw, lc), (rw, rc), now) in cases {
            let mut clock = HlcClock::resume(&Hlc::new(lw as u64, lc, device("a")), device("a"));
            let remote = Hlc::new(rw as u64, rc, device("b"));
            clock.receive(&remote, at(now)).unwrap();
            let next = clock.send(at(now));
            assert!(
                next.wall_ms() > remote.wall_ms()
                    || (next.wall_ms() == remote.wall_ms() && next.counter() > remote.counter()),
                "after receiving {remote} the next stamp {next} is later than it (not only by device)"
            );
            assert!(
                next.wall_ms() >= lw as u64,
                "the clock never goes back past its own last stamp"
            );
        }
    }

    #[test]
    fn far_future_stamps_are_refused_and_leave_the_clock_alone() {
        let cases = [
            (T as u64 + MAX_AHEAD_MS, true),
            (T as u64 + MAX_AHEAD_MS + 1, false),
            (T as u64 + 60 * 60 * 1000, true),
            (T as u64 + 365 * 24 * 60 * 60 * 1000, false),
        ];
        for (remote_wall, accepted) in cases {
            let mut clock = HlcClock::new(device("a"));
            let before = clock.clone();
            let remote = Hlc::new(remote_wall, 0, device("b"));
            let result = clock.receive(&remote, at(T));
            assert_eq!(
                result.is_ok(),
                accepted,
                "stamps at most 24 h ahead are accepted, later ones refused: {remote}"
            );
            if !accepted {
                assert!(
                    matches!(result, Err(HlcError::TooFarAhead { .. })),
                    "a far-future stamp is refused as TooFarAhead"
                );
                assert_eq!(clock, before, "a refused stamp does not move the clock");
            }
        }
    }

    #[test]
    fn counter_overflow_moves_to_the_next_millisecond() {
        let mut clock =
            HlcClock::resume(&Hlc::new(T as u64, u16::MAX - 1, device("a")), device("a"));
        let a = clock.send(at(T));
        let b = clock.send(at(T));
        assert_eq!(
            (a.wall_ms(), a.counter()),
            (T as u64, u16::MAX),
            "the last counter is used"
        );
        assert_eq!(
            (b.wall_ms(), b.counter()),
            (T as u64 + 1, 0),
            "then the wall moves on"
        );
    }

    #[test]
    fn text_form_round_trips_and_sorts_like_the_stamps() {
        let stamps = [
            Hlc::new(0, 0, device("a")),
            Hlc::new(1, 0, device("a")),
            Hlc::new(1, 1, device("a")),
            Hlc::new(1, 1, device("b")),
            Hlc::new(
                T as u64,
                0xff,
                device("0192d3f4-a5b6-7c8d-9e0f-112233445566"),
            ),
            Hlc::new(T as u64, 0x100, device("0")),
            Hlc::new(MAX_WALL_MS, u16::MAX, device("z")),
        ];
        for pair in stamps.windows(2) {
            assert!(pair[0] < pair[1], "the table is in stamp order");
            assert!(
                pair[0].to_string() < pair[1].to_string(),
                "text order is stamp order: {} < {}",
                pair[0],
                pair[1]
            );
        }
        for stamp in &stamps {
            let json = serde_json::to_string(stamp).unwrap();
            let back: Hlc = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, stamp, "serde writes the text form and reads it back");
        }
        assert_eq!(
            stamps[4].to_string(),
            format!("{T:012x}-00ff-0192d3f4-a5b6-7c8d-9e0f-112233445566"),
            "the text form is wall, counter and device, fixed-width before the device"
        );
    }

    #[test]
    fn malformed_text_is_refused() {
        let cases = [
            "",
            "0000000000",
            "000000000001-0000-",
            "000000000001_0000-a",
            "00000000000A-0000-a",
            "000000000001-000g-a",
            "000000000001-0000-a/b",
        ];
        for text in cases {
            assert!(Hlc::parse(text).is_err(), "{text:?} is not a stamp");
        }
    }

    #[test]
    fn skew_warning_past_five_minutes() {
        let cases = [
            (0, None),
            (SKEW_WARNING_MS as i64, None),
            (SKEW_WARNING_MS as i64 + 1, Some(SKEW_WARNING_MS as i64 + 1)),
            (-3_600_000, Some(-3_600_000)),
        ];
        for (offset, expected) in cases {
            assert_eq!(
                skew_warning(at(T + offset), at(T)),
                expected,
                "a clock more than five minutes off is reported with its offset"
            );
        }
    }
}
