//! Whether a compiled rule set keeps an event pair, read off the rules
//! without running a record: for `ctfilter coverage` and `ctfilter check`.
//!
//! A pair is `always` kept when a rule lists it (or a prefix or any-source
//! spec that holds it) with no condition, `conditional` when only rules with
//! a `when:` or a `first_seen:` list it (or list part of a prefix),
//! `excluded` when the default pack's exclusion list names it, and `never`
//! otherwise. Rules without
//! `events` are conditional by construction (a rule with neither is an
//! error) and apply to every pair, so they are reported apart
//! ([`any_event_rules`]) and never make a listed pair covered.
//!
//! Guarantees: the answer depends only on the rule set and the exclusion
//! list, never on rule order; `always` wins over an exclusion (a site rule
//! that keeps an excluded pair makes it kept), and an exclusion wins over
//! `conditional` (the reviewed list says the condition is narrower than the
//! detection's).

use crate::rules::events::EventSpec;
use crate::rules::excluded::Exclusions;
use crate::rules::plan::RuleSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Always,
    Conditional,
    Excluded,
    Never,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Always => "always",
            Status::Conditional => "conditional",
            Status::Excluded => "excluded",
            Status::Never => "never",
        }
    }

    /// Kept, or excluded with a reason: what coverage counts as covered.
    pub fn covered(self) -> bool {
        self != Status::Never
    }
}

/// What a rule set makes of one required pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub status: Status,
    /// The rules that keep it: the unconditional ones when `always`, else
    /// the conditional ones (also listed when the pair is excluded).
    pub rules: Vec<String>,
    /// The exclusion's reason, when `excluded`.
    pub reason: Option<String>,
}

/// How much of a required pair a rule's spec holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Overlap {
    Full,
    Part,
    None,
}

/// A rule spec against a required pair. A required pair without a source
/// (a detection that names only the eventName) is held by a spec of any
/// source with that name, as CloudTrail names are specific to a service.
fn overlap(rule: &EventSpec, need: &EventSpec) -> Overlap {
    let source_ok = match (&rule.source, &need.source) {
        (None, _) | (_, None) => true,
        (Some(r), Some(n)) => r.eq_ignore_ascii_case(n),
    };
    if !source_ok {
        return Overlap::None;
    }
    // Sigma specs compare names ignoring case, as the filter matches them.
    let fold = rule.nocase || need.nocase;
    let same = |a: &str, b: &str| {
        if fold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let starts = |text: &str, prefix: &str| {
        text.len() >= prefix.len()
            && text.is_char_boundary(prefix.len())
            && same(&text[..prefix.len()], prefix)
    };
    match (rule.prefix, need.prefix) {
        (true, _) if starts(&need.name, &rule.name) => Overlap::Full,
        (false, false) if same(&rule.name, &need.name) => Overlap::Full,
        // The need is a prefix and the rule holds some of its names.
        (_, true) if starts(&rule.name, &need.name) => Overlap::Part,
        _ => Overlap::None,
    }
}

/// What `set` makes of the required pair `need`. `exclusions` is the default
/// pack's list, passed only when the default rules are loaded.
pub fn reach(set: &RuleSet, exclusions: Option<&Exclusions>, need: &EventSpec) -> Reach {
    let mut always = Vec::new();
    let mut conditional = Vec::new();
    for rule in &set.rules {
        let best =
            rule.events
                .iter()
                .map(|spec| overlap(spec, need))
                .fold(Overlap::None, |a, b| match (a, b) {
                    (Overlap::Full, _) | (_, Overlap::Full) => Overlap::Full,
                    (Overlap::Part, _) | (_, Overlap::Part) => Overlap::Part,
                    _ => Overlap::None,
                });
        match best {
            // A first-seen rule keeps only a new tuple: conditional at best.
            Overlap::Full if rule.condition.is_none() && rule.first_seen.is_none() => {
                always.push(rule.id.to_string())
            }
            Overlap::None => {}
            _ => conditional.push(rule.id.to_string()),
        }
    }
    if !always.is_empty() {
        return Reach {
            status: Status::Always,
            rules: always,
            reason: None,
        };
    }
    if let Some(ex) = exclusions.and_then(|list| list.event(need)) {
        return Reach {
            status: Status::Excluded,
            rules: conditional,
            reason: Some(ex.reason.clone()),
        };
    }
    Reach {
        status: if conditional.is_empty() {
            Status::Never
        } else {
            Status::Conditional
        },
        rules: conditional,
        reason: None,
    }
}

/// What `set` makes of a detection that can match any event (it names no
/// pair): the rules without `events`, which are tried on every record under
/// their conditions; `never` when there are none.
pub fn reach_any_event(set: &RuleSet) -> Reach {
    let rules = any_event_rules(set);
    Reach {
        status: if rules.is_empty() {
            Status::Never
        } else {
            Status::Conditional
        },
        rules,
        reason: None,
    }
}

/// The ids of the rules without `events`, tried on every record.
pub fn any_event_rules(set: &RuleSet) -> Vec<String> {
    set.rules
        .iter()
        .filter(|r| r.events.is_empty())
        .map(|r| r.id.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::compile::compile_sources;
    use crate::rules::source::Source;

    const RULES: &str = "rules:\n\
        - {id: a, title: A, severity: low, category: x, events: [iam:CreateUser, s3:DeleteBucket]}\n\
        - {id: b, title: B, severity: low, category: x, events: [s3:PutBucketPolicy, 'lambda:UpdateFunctionCode2015*'], when: {x: 1}}\n\
        - {id: c, title: C, severity: low, category: x, events: ['ec2:Delete*']}\n\
        - {id: d, title: D, severity: low, category: x, when: {userAgent: x}}\n\
        - {id: e, title: E, severity: low, category: x, events: [sts:GetFederationToken], first_seen: {by: [userIdentity.arn], within: 10d}}\n";

    fn status(need: &str, exclusions: Option<&Exclusions>) -> (Status, Vec<String>) {
        let mut diags = Vec::new();
        let set = compile_sources(&[Source::yaml("r.yml", RULES)], &mut diags).unwrap();
        let r = reach(&set, exclusions, &EventSpec::parse(need).unwrap());
        (r.status, r.rules)
    }

    #[test]
    fn statuses() {
        for (need, want, rules) in [
            ("iam:CreateUser", Status::Always, &["a"][..]),
            ("CreateUser", Status::Always, &["a"]),
            ("sts:CreateUser", Status::Never, &[]),
            ("s3:PutBucketPolicy", Status::Conditional, &["b"]),
            ("ec2:DeleteVpc", Status::Always, &["c"]),
            ("iam:DeleteUser", Status::Never, &[]),
            ("sts:GetFederationToken", Status::Conditional, &["e"]),
        ] {
            let rules: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
            assert_eq!(status(need, None), (want, rules), "{need}");
        }
        for (need, want) in [
            ("ec2:Delete*", Status::Always),
            ("ec2:*", Status::Conditional),
            ("lambda:UpdateFunctionCode*", Status::Conditional),
        ] {
            assert_eq!(status(need, None).0, want, "{need}");
        }
    }

    #[test]
    fn sigma_needs_match_names_in_any_case() {
        let mut diags = Vec::new();
        let set = compile_sources(&[Source::yaml("r.yml", RULES)], &mut diags).unwrap();
        let mut need = EventSpec::parse("iam:createuser").unwrap();
        assert_eq!(reach(&set, None, &need).status, Status::Never);
        need.nocase = true;
        assert_eq!(reach(&set, None, &need).status, Status::Always);
    }

    #[test]
    fn exclusions_rank_between_always_and_conditional() {
        let list = crate::rules::excluded::parse(
            "e.yml",
            "events:\n  - {event: 's3:PutBucketPolicy', reason: r1}\n  - {event: 'iam:CreateUser', reason: r2}\n  - {event: 'iam:DeleteUser', reason: r3}\n",
        )
        .unwrap();
        assert_eq!(
            status("s3:PutBucketPolicy", Some(&list)).0,
            Status::Excluded
        );
        assert_eq!(status("iam:CreateUser", Some(&list)).0, Status::Always);
        assert_eq!(status("iam:DeleteUser", Some(&list)).0, Status::Excluded);
    }
}
