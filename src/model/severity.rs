//! Severity levels and the 0-100 score derived from them.
//!
//! Guarantees: levels are totally ordered `info < low < medium < high < critical`,
//! bumping saturates at `critical`, and the score of a level always lies inside
//! that level's band, so sorting by score never contradicts sorting by level.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn bump(self, tiers: u8) -> Severity {
        let idx = (self as usize + tiers as usize).min(Severity::Critical as usize);
        Severity::ALL[idx]
    }

    /// Score band start for each level; a level's scores are `base..base+BAND`.
    fn base_score(self) -> u8 {
        match self {
            Severity::Info => 10,
            Severity::Low => 30,
            Severity::Medium => 50,
            Severity::High => 70,
            Severity::Critical => 90,
        }
    }

    /// The score of a record at this level. Each extra matched rule and a
    /// failed call add a little weight, capped inside the level's band.
    pub fn score(self, matched_rules: usize, denied: bool) -> u8 {
        const BAND_MAX: usize = 9;
        let extra = matched_rules.saturating_sub(1) * 2 + usize::from(denied) * 3;
        self.base_score() + extra.min(BAND_MAX) as u8
    }

    /// The OCSF-style numeric id: info=1 .. critical=5.
    pub fn id(self) -> u8 {
        self as u8 + 1
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected info, low, medium, high or critical)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_saturates_at_critical() {
        assert_eq!(Severity::High.bump(1), Severity::Critical);
        assert_eq!(Severity::Critical.bump(3), Severity::Critical);
        assert_eq!(Severity::Info.bump(2), Severity::Medium);
        assert_eq!(Severity::Low.bump(0), Severity::Low);
    }

    #[test]
    fn scores_stay_inside_their_band() {
        for level in Severity::ALL {
            let low = level.score(1, false);
            let high = level.score(100, true);
            assert!(high >= low && high < low + 10, "{level}: {low}..{high}");
        }
        assert!(Severity::Medium.score(50, true) < Severity::High.score(1, false));
    }

    #[test]
    fn parses_case_insensitively() {
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
    }
}
