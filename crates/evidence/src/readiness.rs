//! Readiness: how many of a case's required proofs are attached.

use crate::checklist::SituationProofs;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How ready a case's evidence is ("3 of 5 required proofs, evidence period ends in 14 h").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Required items across the case's situations.
    pub required: usize,
    /// Required items with at least one proof.
    pub ready: usize,
    /// Required items still without a proof, as `(key, title)`, in checklist order.
    pub missing: Vec<(String, String)>,
    /// The end of the evidence period, when the clocks engine supplied it.
    pub deadline: Option<DateTime<Utc>>,
    /// Minutes until the deadline (negative once passed); `None` without a deadline.
    pub minutes_left: Option<i64>,
    /// The whole in one Chinese sentence for the case page and the CLI.
    pub summary: String,
}

impl Readiness {
    /// Counts required items with proofs.
    ///
    /// Presence is what counts here: whether an unboxing video holds up is reported by
    /// its own check, so that a doubtful video is shown as such rather than as missing.
    pub(crate) fn of(
        situations: &[SituationProofs],
        deadline: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Readiness {
        let required: Vec<_> = situations
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| i.item.required)
            .collect();
        let missing: Vec<(String, String)> = required
            .iter()
            .filter(|i| i.proofs.is_empty())
            .map(|i| (i.item.key.clone(), i.item.title.clone()))
            .collect();
        let ready = required.len() - missing.len();
        let minutes_left = deadline.map(|d| (d - now).num_minutes());
        let mut summary = if required.is_empty() {
            "这张售后单没有必备的举证材料".to_owned()
        } else {
            format!("已备 {ready} / 共 {} 项必备材料", required.len())
        };
        if let Some(minutes) = minutes_left {
            summary.push('，');
            summary.push_str(&period_text(minutes));
        }
        Readiness {
            required: required.len(),
            ready,
            missing,
            deadline,
            minutes_left,
            summary,
        }
    }

    /// Whether every required proof is attached.
    pub fn complete(&self) -> bool {
        self.ready == self.required
    }
}

/// "举证期还剩 14 小时" / "举证期已过 2 小时", in the coarsest unit that stays useful.
fn period_text(minutes: i64) -> String {
    let span = |m: i64| {
        if m >= 48 * 60 {
            format!("{} 天", m / (24 * 60))
        } else if m >= 60 {
            format!("{} 小时", m / 60)
        } else {
            format!("{m} 分钟")
        }
    };
    if minutes >= 0 {
        format!("举证期还剩 {}", span(minutes))
    } else {
        format!("举证期已过 {}", span(-minutes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(14 * 60 + 5, "举证期还剩 14 小时")]
    #[case(59, "举证期还剩 59 分钟")]
    #[case(3 * 24 * 60, "举证期还剩 3 天")]
    #[case(-125, "举证期已过 2 小时")]
    fn the_period_reads_in_a_useful_unit(#[case] minutes: i64, #[case] want: &str) {
        assert_eq!(period_text(minutes), want, "{minutes} minutes");
    }
}
