//! The unboxing-video check: is the clip long enough, and was it recorded when the return
//! arrived? What the file does not say is reported as "cannot verify", never guessed.

use afterdesk_case::time::china_text;
use afterdesk_case::{Proof, RecordId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The shortest unboxing video accepted by default.
///
/// Showing all six faces of the parcel, the readable waybill, the opening and the goods in
/// one take cannot be done in under a minute; a shorter clip almost surely skips a step
/// the platform looks for. Shops set their own minimum.
pub const DEFAULT_MIN_DURATION: Duration = Duration::seconds(60);

/// How long after the return was signed for a recording still counts as "at first
/// opening" by default.
///
/// The brief asks for the video at the first opening; a parcel left unopened for more
/// than two days invites the question of who opened it meanwhile. Shops set their own.
pub const DEFAULT_MAX_DELAY: Duration = Duration::hours(48);

/// Slack allowed between the phone's clock and the courier's signing scan.
///
/// The two clocks are set independently, and many cameras stamp a video when recording
/// ends rather than when it starts, so a recording may appear up to this much before the
/// scan without being suspect.
pub const CLOCK_TOLERANCE: Duration = Duration::minutes(30);

/// The shop's rules for unboxing videos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnboxingRules {
    /// Clips shorter than this are flagged.
    pub min_duration: Duration,
    /// Recordings later than this after the return was signed for are flagged.
    pub max_delay: Duration,
}

impl Default for UnboxingRules {
    fn default() -> Self {
        UnboxingRules {
            min_duration: DEFAULT_MIN_DURATION,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

/// The outcome of one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", content = "detail", rename_all = "snake_case")]
pub enum Finding {
    /// The test holds; the text says what was found.
    Pass(String),
    /// The test fails; the text says why.
    Fail(String),
    /// The file or the case lacks what the test needs; the text says what.
    CannotVerify(String),
}

impl Finding {
    /// Whether the test holds.
    pub fn passed(&self) -> bool {
        matches!(self, Finding::Pass(_))
    }

    /// The explanation.
    pub fn detail(&self) -> &str {
        match self {
            Finding::Pass(t) | Finding::Fail(t) | Finding::CannotVerify(t) => t,
        }
    }

    /// A short Chinese label: 通过 / 不通过 / 无法核实.
    pub fn label(&self) -> &'static str {
        match self {
            Finding::Pass(_) => "通过",
            Finding::Fail(_) => "不通过",
            Finding::CannotVerify(_) => "无法核实",
        }
    }
}

/// The checks on one unboxing video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnboxingCheck {
    /// The proof checked.
    pub proof_id: RecordId,
    /// Its file name.
    pub file: String,
    /// Long enough?
    pub duration: Finding,
    /// Recorded when the return arrived?
    pub timeliness: Finding,
}

impl UnboxingCheck {
    /// Checks a proof against the time the shop signed for the return.
    pub fn of(
        proof: &Proof,
        return_received_at: Option<DateTime<Utc>>,
        rules: &UnboxingRules,
    ) -> UnboxingCheck {
        let is_video = proof
            .mime
            .as_deref()
            .is_some_and(|m| m.starts_with("video/"));
        let not_video = || {
            Finding::CannotVerify(format!(
                "无法识别为视频（类型：{}），读不到时长和录制时间",
                proof.mime.as_deref().unwrap_or("未知")
            ))
        };
        let duration = match (is_video, proof.duration_ms) {
            (false, _) => not_video(),
            (true, None) => Finding::CannotVerify(
                "视频文件里没有可读的时长（文件可能不完整或已损坏）".to_owned(),
            ),
            (true, Some(ms)) => {
                let min = rules.min_duration.num_milliseconds();
                if i64::try_from(ms).unwrap_or(i64::MAX) < min {
                    Finding::Fail(format!(
                        "视频只有 {} 秒，短于店铺要求的 {} 秒，可能没有拍全六个面和开箱全过程",
                        ms / 1000,
                        min / 1000
                    ))
                } else {
                    Finding::Pass(format!("视频时长 {} 秒", ms / 1000))
                }
            }
        };
        let timeliness = match (is_video, proof.captured_at, return_received_at) {
            (false, _, _) => not_video(),
            (true, None, _) => Finding::CannotVerify(
                "视频文件里没有录制时间，无法核实是否在签收后首次开箱时录制".to_owned(),
            ),
            (true, Some(_), None) => {
                Finding::CannotVerify("售后单上没有退货签收时间，无法比对录制时间".to_owned())
            }
            (true, Some(recorded), Some(received)) => timeliness(recorded, received, rules),
        };
        UnboxingCheck {
            proof_id: proof.id,
            file: proof.original_name.clone(),
            duration,
            timeliness,
        }
    }

    /// Whether both tests hold.
    pub fn passed(&self) -> bool {
        self.duration.passed() && self.timeliness.passed()
    }
}

fn timeliness(recorded: DateTime<Utc>, received: DateTime<Utc>, rules: &UnboxingRules) -> Finding {
    let after = recorded - received;
    if after < -CLOCK_TOLERANCE {
        return Finding::Fail(format!(
            "录制时间 {} 早于退货签收时间 {}，可能不是这个退货包裹，或手机时间不准",
            china_text(recorded),
            china_text(received)
        ));
    }
    if after > rules.max_delay + CLOCK_TOLERANCE {
        return Finding::Fail(format!(
            "签收后 {} 小时才录制（{}），超过店铺规定的 {} 小时，难以证明是首次开箱",
            after.num_hours(),
            china_text(recorded),
            rules.max_delay.num_hours()
        ));
    }
    Finding::Pass(format!(
        "签收后约 {} 分钟录制（{}）",
        after.num_minutes().max(0),
        china_text(recorded)
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use afterdesk_case::DeviceId;
    use afterdesk_case::time::parse_china_time;
    use rstest::rstest;

    fn proof(mime: Option<&str>, captured: Option<&str>, duration_ms: Option<u64>) -> Proof {
        let t0 = DateTime::UNIX_EPOCH;
        Proof {
            id: RecordId::new(t0),
            case_id: RecordId::new(t0),
            item: Some("swapped_return.unboxing_video".to_owned()),
            hash: "0".repeat(64),
            original_name: "开箱.mp4".to_owned(),
            size: 1,
            mime: mime.map(str::to_owned),
            captured_at: captured.and_then(parse_china_time),
            duration_ms,
            added_by: "甲".to_owned(),
            added_at: t0,
            device: DeviceId("d".to_owned()),
            updated_at: t0,
            updated_by: DeviceId("d".to_owned()),
            deleted_at: None,
        }
    }

    const RECEIVED: &str = "2026-03-02 10:00:00";

    #[rstest]
    #[case::good(
        Some("video/mp4"),
        Some("2026-03-02 10:20:00"),
        Some(95_000),
        Some(RECEIVED),
        "pass",
        "pass"
    )]
    #[case::too_short(
        Some("video/mp4"),
        Some("2026-03-02 10:20:00"),
        Some(12_000),
        Some(RECEIVED),
        "fail",
        "pass"
    )]
    #[case::too_late(
        Some("video/quicktime"),
        Some("2026-03-05 10:20:00"),
        Some(95_000),
        Some(RECEIVED),
        "pass",
        "fail"
    )]
    #[case::before_receipt(
        Some("video/mp4"),
        Some("2026-03-01 09:00:00"),
        Some(95_000),
        Some(RECEIVED),
        "pass",
        "fail"
    )]
    #[case::within_clock_slack(
        Some("video/mp4"),
        Some("2026-03-02 09:45:00"),
        Some(95_000),
        Some(RECEIVED),
        "pass",
        "pass"
    )]
    #[case::no_metadata(
        Some("video/mp4"),
        None,
        None,
        Some(RECEIVED),
        "cannot_verify",
        "cannot_verify"
    )]
    #[case::no_receipt_time(
        Some("video/mp4"),
        Some("2026-03-02 10:20:00"),
        Some(95_000),
        None,
        "pass",
        "cannot_verify"
    )]
    #[case::not_a_video(
        Some("image/jpeg"),
        Some("2026-03-02 10:20:00"),
        None,
        Some(RECEIVED),
        "cannot_verify",
        "cannot_verify"
    )]
    fn unboxing_findings(
        #[case] mime: Option<&str>,
        #[case] captured: Option<&str>,
        #[case] duration_ms: Option<u64>,
        #[case] received: Option<&str>,
        #[case] want_duration: &str,
        #[case] want_timeliness: &str,
    ) {
        let check = UnboxingCheck::of(
            &proof(mime, captured, duration_ms),
            received.and_then(parse_china_time),
            &UnboxingRules::default(),
        );
        let key = |f: &Finding| match f {
            Finding::Pass(_) => "pass",
            Finding::Fail(_) => "fail",
            Finding::CannotVerify(_) => "cannot_verify",
        };
        assert_eq!(
            key(&check.duration),
            want_duration,
            "duration: {:?}",
            check.duration
        );
        assert_eq!(
            key(&check.timeliness),
            want_timeliness,
            "timeliness: {:?}",
            check.timeliness
        );
    }
}
