//! The appeal-risk review: why appeals fail, as questions to check before appealing.

use crate::EvidenceError;
use serde::{Deserialize, Serialize};

/// The bundled review.
const RISKS_TOML: &str = include_str!("../data/appeal_risks.toml");
/// The bundled file's name, for error messages.
const RISKS_FILE: &str = "data/appeal_risks.toml";

/// One reason appeals fail, as a question the seller answers before appealing; a "yes"
/// is a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealRisk {
    /// The stable key.
    pub key: String,
    /// The question.
    pub question: String,
    /// Why a "yes" makes the appeal fail.
    pub why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RiskFile {
    #[allow(dead_code)]
    version: u32,
    risk: Vec<AppealRisk>,
}

/// The bundled appeal-risk review, in the order to go through it.
pub fn appeal_risks() -> Result<Vec<AppealRisk>, EvidenceError> {
    toml::from_str::<RiskFile>(RISKS_TOML)
        .map(|f| f.risk)
        .map_err(|source| EvidenceError::BundledData {
            file: RISKS_FILE,
            source,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_review_covers_the_brief_and_keys_are_unique() {
        let risks = appeal_risks().unwrap();
        assert!(
            risks.len() >= 15,
            "every reason in brief §5 is a question: {}",
            risks.len()
        );
        let mut keys: Vec<&str> = risks.iter().map(|r| r.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), risks.len(), "risk keys must be unique");
    }
}
