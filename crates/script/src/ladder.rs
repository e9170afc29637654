//! The shop's compensation ladder (brief §4): explain, then a coupon, then money within the
//! agent's limit, then an exchange, then return and refund.

use afterdesk_case::{CaseFacts, Fen, ScenarioKind};
use serde::Serialize;

/// One step of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LadderStep {
    /// Explain the situation; no compensation yet.
    Explain,
    /// Explain and offer a shop coupon.
    Coupon,
    /// Pay a small amount of money (红包/补偿).
    Money,
    /// Send the missing or broken part again.
    Reship,
    /// Exchange the item.
    Exchange,
}

/// What the ladder suggests for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compensation {
    /// The step to offer next.
    pub step: LadderStep,
    /// The money to offer, for the money step.
    pub amount: Option<Fen>,
    /// Whether the amount is above the agent's limit, so a manager must approve it.
    pub needs_approval: bool,
    /// The suggestion in Chinese for the agent (not for the buyer).
    pub message: String,
}

/// The shop's ladder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ladder {
    /// The smallest money compensation an agent offers.
    pub agent_min: Fen,
    /// The largest money compensation an agent may give without the manager.
    pub agent_max: Fen,
    /// The share of the paid amount suggested for a small quality problem, in percent.
    pub share_percent: i64,
}

/// The decks' default agent limit: 5 to 30 yuan; above 30 the manager approves.
pub const DEFAULT_AGENT_MIN: Fen = Fen(500);
/// See [`DEFAULT_AGENT_MIN`].
pub const DEFAULT_AGENT_MAX: Fen = Fen(3000);

/// A small quality problem (a missing button, a washable stain) is usually settled with
/// about a tenth of the price; shops change it in their settings.
pub const DEFAULT_SHARE_PERCENT: i64 = 10;

impl Default for Ladder {
    fn default() -> Self {
        Self {
            agent_min: DEFAULT_AGENT_MIN,
            agent_max: DEFAULT_AGENT_MAX,
            share_percent: DEFAULT_SHARE_PERCENT,
        }
    }
}

fn yuan(f: Fen) -> String {
    format!("{}.{:02}", f.0 / 100, (f.0 % 100).abs())
}

impl Ladder {
    /// The next step for a case of this kind. `wanted` is an amount already on the table
    /// (the buyer's ask or the agent's offer); without it the ladder proposes one.
    ///
    /// Kinds the ladder has nothing to say about (a refund before shipping, an invoice)
    /// get `None`.
    pub fn suggest(
        &self,
        kind: ScenarioKind,
        facts: &CaseFacts,
        wanted: Option<Fen>,
    ) -> Option<Compensation> {
        use ScenarioKind as K;
        let step = match kind {
            K::PriceDrop | K::QualityIssue | K::NotAsDescribed | K::RefundOnlyReceived => {
                LadderStep::Money
            }
            K::WrongOrMissingItem | K::DamagedInTransit | K::Reship => LadderStep::Reship,
            K::LogisticsDelay | K::DelayedShipping | K::Complaint | K::ComplaintThreat => {
                LadderStep::Coupon
            }
            K::BadReview | K::NotReceived => LadderStep::Explain,
            K::Exchange | K::ReturnRefund => LadderStep::Exchange,
            _ => return None,
        };
        if step != LadderStep::Money {
            let message = match step {
                LadderStep::Explain => "先解释清楚、核实情况，暂不提补偿。",
                LadderStep::Coupon => "解释并致歉后，可送一张店铺优惠券作为心意。",
                LadderStep::Reship => "先补发或换发，运费由店铺承担并登记。",
                _ => "买家不接受补偿时再办理换货，来回运费由店铺承担；不要一开始就提退货。",
            };
            return Some(Compensation {
                step,
                amount: None,
                needs_approval: false,
                message: message.to_owned(),
            });
        }
        // A limit of zero (a role that settles nothing alone) proposes no amount: any
        // amount it could propose would already need the manager.
        let may_settle = self.agent_max.0 > 0;
        let amount = wanted.or(if kind == K::PriceDrop {
            facts.refund
        } else {
            facts
                .paid
                .filter(|_| may_settle)
                .map(|p| Fen(p.0 * self.share_percent / 100))
                .map(|a| a.clamp(self.agent_min, self.agent_max))
        });
        let Some(amount) = amount else {
            let message = if may_settle {
                format!(
                    "可给予金额补偿，客服权限 {}–{} 元，超出需店长审批。",
                    yuan(self.agent_min),
                    yuan(self.agent_max)
                )
            } else {
                "可给予金额补偿，但你没有自行补偿的权限，任何金额都需要店长审批。".to_owned()
            };
            return Some(Compensation {
                step,
                amount: None,
                needs_approval: !may_settle,
                message,
            });
        };
        let needs_approval = amount > self.agent_max;
        let message = if needs_approval {
            format!(
                "补偿 {} 元超过客服权限（{} 元），需要店长审批后才能答应买家。",
                yuan(amount),
                yuan(self.agent_max)
            )
        } else {
            format!(
                "可补偿 {} 元（客服权限内），记录问题、金额、经办人、日期和买家账号后交财务。",
                yuan(amount)
            )
        };
        Some(Compensation {
            step,
            amount: Some(amount),
            needs_approval,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(ScenarioKind::PriceDrop, None, Some(Fen(2000)), Some(Fen(2000)), false)]
    #[case(ScenarioKind::PriceDrop, None, Some(Fen(5000)), Some(Fen(5000)), true)]
    #[case(
        ScenarioKind::QualityIssue,
        Some(Fen(9900)),
        None,
        Some(Fen(990)),
        false
    )]
    #[case(
        ScenarioKind::QualityIssue,
        Some(Fen(1000)),
        None,
        Some(Fen(500)),
        false
    )]
    #[case(
        ScenarioKind::QualityIssue,
        Some(Fen(99900)),
        None,
        Some(Fen(3000)),
        false
    )]
    #[case(
        ScenarioKind::QualityIssue,
        Some(Fen(9900)),
        Some(Fen(3001)),
        Some(Fen(3001)),
        true
    )]
    fn money_respects_the_agent_limit(
        #[case] kind: ScenarioKind,
        #[case] paid: Option<Fen>,
        #[case] refund: Option<Fen>,
        #[case] want: Option<Fen>,
        #[case] approval: bool,
    ) {
        let facts = CaseFacts {
            paid,
            refund,
            ..CaseFacts::default()
        };
        let wanted = if kind == ScenarioKind::PriceDrop {
            None
        } else {
            refund
        };
        let got = Ladder::default().suggest(kind, &facts, wanted);
        assert_eq!(
            got.as_ref().and_then(|c| c.amount),
            want,
            "the suggested amount follows the share and the limits"
        );
        assert_eq!(
            got.map(|c| c.needs_approval),
            Some(approval),
            "above 30 yuan needs the manager"
        );
    }

    #[test]
    fn a_zero_limit_proposes_nothing_and_needs_the_manager() {
        let ladder = Ladder {
            agent_min: Fen(0),
            agent_max: Fen(0),
            ..Ladder::default()
        };
        let facts = CaseFacts {
            paid: Some(Fen(9900)),
            refund: Some(Fen(100)),
            ..CaseFacts::default()
        };
        let proposed = ladder.suggest(ScenarioKind::QualityIssue, &facts, None);
        assert_eq!(
            proposed.as_ref().map(|c| (c.amount, c.needs_approval)),
            Some((None, true)),
            "without a limit no amount is proposed and the manager decides"
        );
        let asked = ladder.suggest(ScenarioKind::PriceDrop, &facts, None);
        assert_eq!(
            asked.map(|c| c.needs_approval),
            Some(true),
            "any amount asked for needs the manager"
        );
    }

    #[test]
    fn unshipped_refund_needs_no_compensation() {
        assert_eq!(
            Ladder::default().suggest(ScenarioKind::RefundUnshipped, &CaseFacts::default(), None),
            None,
            "an unshipped refund is simply refunded"
        );
    }
}
