//! Intercepting a parcel for a refund while it is in transit (货在途退款, brief §2).
//!
//! Request the interception (on the refund page and with the courier offline), then the
//! outcome: succeeded → the refund can be agreed, follow the parcel back to the
//! warehouse; failed → the parcel reached the buyer: either the buyer keeps the goods and
//! withdraws the refund, or the case becomes a return and refund. The recorded steps are
//! append-only; the state is their fold.

use crate::ParcelError;
use afterdesk_case::InterceptionStep;

/// Where an interception stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InterceptionState {
    /// Nothing recorded yet.
    #[default]
    NotRequested,
    /// Asked; waiting for the courier.
    Requested,
    /// The courier stopped the parcel; it is on its way back.
    Succeeded,
    /// The parcel reached the buyer.
    Failed,
    /// The intercepted parcel is back in the warehouse. Finished.
    BackInWarehouse,
    /// The buyer keeps the goods and withdraws the refund. Finished.
    BuyerKeeps,
    /// The case continues as a return and refund. Finished.
    SwitchedToReturn,
}

impl InterceptionState {
    /// The stable key, for JSON.
    pub fn key(self) -> &'static str {
        match self {
            InterceptionState::NotRequested => "not_requested",
            InterceptionState::Requested => "requested",
            InterceptionState::Succeeded => "succeeded",
            InterceptionState::Failed => "failed",
            InterceptionState::BackInWarehouse => "back_in_warehouse",
            InterceptionState::BuyerKeeps => "buyer_keeps",
            InterceptionState::SwitchedToReturn => "switched_to_return",
        }
    }

    /// The Chinese name.
    pub fn zh_name(self) -> &'static str {
        match self {
            InterceptionState::NotRequested => "未申请拦截",
            InterceptionState::Requested => "已申请拦截",
            InterceptionState::Succeeded => "拦截成功",
            InterceptionState::Failed => "拦截失败",
            InterceptionState::BackInWarehouse => "已退回仓库",
            InterceptionState::BuyerKeeps => "买家保留商品并撤销退款",
            InterceptionState::SwitchedToReturn => "已转为退货退款",
        }
    }

    /// The steps that may be recorded next.
    pub fn allowed(self) -> &'static [InterceptionStep] {
        use InterceptionStep as Step;
        match self {
            InterceptionState::NotRequested => &[Step::Requested],
            // Asking again (another outlet, the platform page) is a follow-up, not an error.
            InterceptionState::Requested => &[Step::Requested, Step::Succeeded, Step::Failed],
            InterceptionState::Succeeded => &[Step::BackInWarehouse],
            InterceptionState::Failed => &[Step::BuyerKeeps, Step::SwitchedToReturn],
            InterceptionState::BackInWarehouse
            | InterceptionState::BuyerKeeps
            | InterceptionState::SwitchedToReturn => &[],
        }
    }

    /// The state after recording `step`, or why it cannot be recorded now.
    pub fn after(self, step: InterceptionStep) -> Result<InterceptionState, ParcelError> {
        if !self.allowed().contains(&step) {
            let allowed: Vec<&str> = self.allowed().iter().map(|s| s.zh_name()).collect();
            return Err(ParcelError::InterceptionStep {
                from: self.zh_name(),
                step,
                hint: if allowed.is_empty() {
                    "拦截流程已结束".to_owned()
                } else {
                    format!("现在可以记录：{}", allowed.join("、"))
                },
            });
        }
        Ok(match step {
            InterceptionStep::Requested => InterceptionState::Requested,
            InterceptionStep::Succeeded => InterceptionState::Succeeded,
            InterceptionStep::Failed => InterceptionState::Failed,
            InterceptionStep::BackInWarehouse => InterceptionState::BackInWarehouse,
            InterceptionStep::BuyerKeeps => InterceptionState::BuyerKeeps,
            InterceptionStep::SwitchedToReturn => InterceptionState::SwitchedToReturn,
        })
    }

    /// The state after the recorded steps, oldest first. Steps recorded out of order
    /// (two devices merging) are skipped rather than failing the whole case: the
    /// record stays, and the state is what the valid sequence gives.
    pub fn fold(steps: impl IntoIterator<Item = InterceptionStep>) -> InterceptionState {
        steps
            .into_iter()
            .fold(InterceptionState::NotRequested, |state, step| {
                state.after(step).unwrap_or(state)
            })
    }

    /// Whether the flow has ended.
    pub fn is_finished(self) -> bool {
        self.allowed().is_empty()
    }

    /// What to do next, in Chinese.
    pub fn next_step(self) -> &'static str {
        match self {
            InterceptionState::NotRequested => {
                "货在途退款：在退款页面申请拦截快递，同时联系快递网点线下拦截，并请买家拒签；记下拦截时间和对接人"
            }
            InterceptionState::Requested => {
                "已申请拦截：跟进快递网点；拦截成功或出现拒签记录后即可同意退款，包裹若被签收则记录拦截失败"
            }
            InterceptionState::Succeeded => {
                "拦截成功：可以同意退款；跟踪包裹退回仓库，签收前检查外包装是否完好"
            }
            InterceptionState::Failed => {
                "拦截失败，包裹已到买家手中：询问买家是否还要这件商品——要，则请买家撤销退款；不要，则协商转为退货退款"
            }
            InterceptionState::BackInWarehouse => "包裹已退回仓库：验货入库，确认退款已完成",
            InterceptionState::BuyerKeeps => "买家保留商品：确认买家已撤销退款申请即可结束",
            InterceptionState::SwitchedToReturn => {
                "已转为退货退款：按退货流程跟进买家寄回的包裹和退货单号"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InterceptionState as S;
    use InterceptionStep as Step;
    use rstest::rstest;

    #[rstest]
    #[case(S::NotRequested, Step::Requested, Some(S::Requested))]
    #[case(S::NotRequested, Step::Succeeded, None)]
    #[case(S::NotRequested, Step::Failed, None)]
    #[case(S::NotRequested, Step::BuyerKeeps, None)]
    #[case(S::Requested, Step::Requested, Some(S::Requested))]
    #[case(S::Requested, Step::Succeeded, Some(S::Succeeded))]
    #[case(S::Requested, Step::Failed, Some(S::Failed))]
    #[case(S::Requested, Step::BackInWarehouse, None)]
    #[case(S::Succeeded, Step::BackInWarehouse, Some(S::BackInWarehouse))]
    #[case(S::Succeeded, Step::Failed, None)]
    #[case(S::Succeeded, Step::SwitchedToReturn, None)]
    #[case(S::Failed, Step::BuyerKeeps, Some(S::BuyerKeeps))]
    #[case(S::Failed, Step::SwitchedToReturn, Some(S::SwitchedToReturn))]
    #[case(S::Failed, Step::Requested, None)]
    #[case(S::Failed, Step::Succeeded, None)]
    #[case(S::BackInWarehouse, Step::Requested, None)]
    #[case(S::BuyerKeeps, Step::SwitchedToReturn, None)]
    #[case(S::SwitchedToReturn, Step::BuyerKeeps, None)]
    fn interception_state_machine(
        #[case] from: InterceptionState,
        #[case] step: InterceptionStep,
        #[case] to: Option<InterceptionState>,
    ) {
        let got = from.after(step).ok();
        assert_eq!(
            got,
            to,
            "from {} recording {} must give {:?} (succeeded only after a request; a failure branches to keep or return)",
            from.key(),
            step.key(),
            to.map(InterceptionState::key)
        );
    }

    #[test]
    fn every_state_has_a_next_step_and_finished_states_allow_nothing() {
        for state in [
            S::NotRequested,
            S::Requested,
            S::Succeeded,
            S::Failed,
            S::BackInWarehouse,
            S::BuyerKeeps,
            S::SwitchedToReturn,
        ] {
            assert!(
                !state.next_step().is_empty(),
                "{} needs a prompt",
                state.key()
            );
            assert_eq!(
                state.is_finished(),
                matches!(
                    state,
                    S::BackInWarehouse | S::BuyerKeeps | S::SwitchedToReturn
                ),
                "{} finished-ness",
                state.key()
            );
        }
    }

    #[test]
    fn a_refused_step_says_what_is_allowed() {
        let error = S::NotRequested.after(Step::Succeeded).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("已申请拦截"),
            "the message lists the allowed step: {text}"
        );
    }

    #[test]
    fn fold_skips_out_of_order_steps() {
        let state = S::fold([
            Step::Succeeded,
            Step::Requested,
            Step::Failed,
            Step::BuyerKeeps,
        ]);
        assert_eq!(state, S::BuyerKeeps, "the early success is skipped");
    }
}
