//! The corpus's vocabulary and mixes, loaded from `templates.txt`.
//!
//! `templates.txt` (embedded with `include_str!`, so the generator stays one
//! std-only compilation unit) holds every name pool, user agent, weight and
//! event mix; the code holds the record shapes. It is parsed once, on first
//! use, into a `Vocab` behind a `OnceLock`; every string borrows from the
//! embedded text, so nothing is copied and the items are `&'static str`.
//!
//! Loading panics with the section and line at fault when the file is
//! malformed: a missing or unknown section, a bad weight, an item that is not
//! a valid JSON string body, or a mix naming an arm the code does not know.
//! A bad data file therefore fails the first record, never a later one.

use super::rng::Rng;
use std::sync::OnceLock;

const TEMPLATES: &str = include_str!("templates.txt");

/// A weighted choice among named arms of a dispatcher.
pub(super) struct Mix {
    names: Vec<&'static str>,
    weights: Vec<u64>,
}

impl Mix {
    /// Draws an arm: one `Rng::below(sum of weights)`, walked in file order.
    #[inline]
    pub(super) fn pick(&self, r: &mut Rng) -> &'static str {
        self.names[r.weighted(&self.weights)]
    }
}

/// Everything `templates.txt` holds; see that file for what each pool is.
pub(super) struct Vocab {
    pub(super) accounts: Vec<&'static str>,
    pub(super) account_w: Vec<u64>,
    /// Index into `accounts` of the organization trail's owner.
    pub(super) org_trail_account: usize,
    pub(super) regions: Vec<&'static str>,
    pub(super) region_w: Vec<u64>,
    pub(super) versions_mgmt: Vec<&'static str>,
    pub(super) versions_data: Vec<&'static str>,
    pub(super) ua_sdk: Vec<&'static str>,
    pub(super) ua_lambda: Vec<&'static str>,
    pub(super) ua_ecs: Vec<&'static str>,
    pub(super) ua_irsa: Vec<&'static str>,
    pub(super) ua_ssm_agent: &'static str,
    pub(super) ua_browser: Vec<&'static str>,
    pub(super) ua_human_cli: Vec<&'static str>,
    pub(super) ua_console: Vec<&'static str>,
    pub(super) ua_trufflehog: &'static str,
    pub(super) ua_odd: Vec<&'static str>,
    pub(super) ec2_roles: Vec<&'static str>,
    pub(super) lambda_funcs: Vec<&'static str>,
    pub(super) ecs_roles: Vec<&'static str>,
    pub(super) irsa_roles: Vec<&'static str>,
    pub(super) humans: Vec<&'static str>,
    pub(super) sso_sets: Vec<&'static str>,
    pub(super) buckets: Vec<&'static str>,
    pub(super) tables: Vec<&'static str>,
    pub(super) fancy_keys: Vec<&'static str>,
    pub(super) instance_types: Vec<&'static str>,
    pub(super) ec2_tags: Vec<(&'static str, &'static str)>,
    pub(super) mix_kind: Mix,
    pub(super) mix_service_read: Mix,
    pub(super) mix_machine_write: Mix,
    pub(super) mix_human: Mix,
    pub(super) mix_high_signal_actor: Mix,
    pub(super) mix_high_signal: Mix,
}

/// The vocabulary, parsed from the embedded `templates.txt` on first use.
#[inline]
pub(super) fn voc() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| Vocab::parse(TEMPLATES).unwrap_or_else(|e| panic!("templates.txt: {e}")))
}

/// One `[section]`: its name, the line number of its header, its items with
/// their line numbers.
struct Section {
    name: &'static str,
    line: usize,
    items: Vec<(usize, &'static str)>,
}

/// The sections of a templates file, taken one by one by name.
struct Sections(Vec<Section>);

impl Sections {
    fn parse(text: &'static str) -> Result<Sections, String> {
        let mut out: Vec<Section> = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let n = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if out.iter().any(|s| s.name == name) {
                    return Err(format!("line {n}: section [{name}] appears twice"));
                }
                out.push(Section {
                    name,
                    line: n,
                    items: Vec::new(),
                });
                continue;
            }
            let Some(sec) = out.last_mut() else {
                return Err(format!("line {n}: item before the first [section]"));
            };
            json_body(line).map_err(|e| format!("line {n} [{}]: {e}", sec.name))?;
            sec.items.push((n, line));
        }
        Ok(Sections(out))
    }

    /// Removes and returns section `name`, which must have at least one item.
    fn take(&mut self, name: &str) -> Result<Section, String> {
        let i = self
            .0
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| format!("missing section [{name}]"))?;
        let s = self.0.remove(i);
        if s.items.is_empty() {
            return Err(format!("line {}: section [{name}] is empty", s.line));
        }
        Ok(s)
    }

    fn list(&mut self, name: &str) -> Result<Vec<&'static str>, String> {
        Ok(self.take(name)?.items.into_iter().map(|(_, v)| v).collect())
    }

    fn one(&mut self, name: &str) -> Result<&'static str, String> {
        let s = self.take(name)?;
        match s.items[..] {
            [(_, v)] => Ok(v),
            _ => Err(format!("line {}: [{name}] must hold one item", s.line)),
        }
    }

    fn pairs(&mut self, name: &str) -> Result<Vec<(&'static str, &'static str)>, String> {
        let s = self.take(name)?;
        s.items
            .iter()
            .map(|&(n, v)| {
                v.split_once(' ')
                    .ok_or_else(|| format!("line {n} [{name}]: expected `LEFT RIGHT`"))
            })
            .collect()
    }

    fn weighted(&mut self, name: &str) -> Result<(Vec<&'static str>, Vec<u64>), String> {
        let s = self.take(name)?;
        let mut names = Vec::with_capacity(s.items.len());
        let mut weights = Vec::with_capacity(s.items.len());
        for &(n, v) in &s.items {
            let bad = || format!("line {n} [{name}]: expected `WEIGHT ITEM`");
            let (w, item) = v.split_once(' ').ok_or_else(bad)?;
            weights.push(w.parse::<u64>().map_err(|_| bad())?);
            names.push(item);
        }
        if weights.iter().sum::<u64>() == 0 {
            return Err(format!("line {}: [{name}] weighs nothing", s.line));
        }
        Ok((names, weights))
    }

    /// A weighted section whose items are arms in `known`.
    fn mix(&mut self, name: &str, known: &[&str]) -> Result<Mix, String> {
        let (names, weights) = self.weighted(name)?;
        if let Some(bad) = names.iter().find(|n| !known.contains(n)) {
            return Err(format!(
                "[{name}]: unknown arm {bad:?} (the code knows {known:?})"
            ));
        }
        Ok(Mix { names, weights })
    }

    fn finish(self) -> Result<(), String> {
        match self.0.first() {
            None => Ok(()),
            Some(s) => Err(format!("line {}: unknown section [{}]", s.line, s.name)),
        }
    }
}

/// Checks that `s` can be pasted between the quotes of a JSON string: no raw
/// `"` or control character, and only valid escapes.
fn json_body(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => return Err("raw `\"` (write `\\\"`)".into()),
            0..=0x1f => return Err("control character".into()),
            b'\\' => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 1,
                Some(b'u')
                    if b.len() >= i + 6 && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit) =>
                {
                    i += 5
                }
                _ => return Err(format!("bad escape at byte {i}")),
            },
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

impl Vocab {
    fn parse(text: &'static str) -> Result<Vocab, String> {
        let mut s = Sections::parse(text)?;
        let (accounts, account_w) = s.weighted("accounts")?;
        let org = s.one("org_trail_account")?;
        let org_trail_account = accounts
            .iter()
            .position(|a| *a == org)
            .ok_or_else(|| format!("[org_trail_account]: {org} is not in [accounts]"))?;
        let (regions, region_w) = s.weighted("regions")?;
        let v = Vocab {
            accounts,
            account_w,
            org_trail_account,
            regions,
            region_w,
            versions_mgmt: s.list("versions.management")?,
            versions_data: s.list("versions.data")?,
            ua_sdk: s.list("ua.sdk")?,
            ua_lambda: s.list("ua.lambda")?,
            ua_ecs: s.list("ua.ecs")?,
            ua_irsa: s.list("ua.irsa")?,
            ua_ssm_agent: s.one("ua.ssm_agent")?,
            ua_browser: s.list("ua.browser")?,
            ua_human_cli: s.list("ua.human_cli")?,
            ua_console: s.list("ua.console")?,
            ua_trufflehog: s.one("ua.trufflehog")?,
            ua_odd: s.list("ua.odd")?,
            ec2_roles: s.list("roles.ec2")?,
            lambda_funcs: s.list("lambda.functions")?,
            ecs_roles: s.list("roles.ecs")?,
            irsa_roles: s.list("roles.irsa")?,
            humans: s.list("humans")?,
            sso_sets: s.list("sso.permission_sets")?,
            buckets: s.list("s3.buckets")?,
            tables: s.list("dynamodb.tables")?,
            fancy_keys: s.list("s3.fancy_keys")?,
            instance_types: s.list("ec2.instance_types")?,
            ec2_tags: s.pairs("ec2.tags")?,
            mix_kind: s.mix("mix.kind", super::record::KIND_ARMS)?,
            mix_service_read: s.mix("mix.service_read", super::read_data::ARMS)?,
            mix_machine_write: s.mix("mix.machine_write", super::write_data::ARMS)?,
            mix_human: s.mix("mix.human", super::human::ARMS)?,
            mix_high_signal_actor: s
                .mix("mix.high_signal.actor", super::high_signal::ACTOR_ARMS)?,
            mix_high_signal: s.mix("mix.high_signal", super::high_signal::ARMS)?,
        };
        s.finish()?;
        // Items the code uses by position (see templates.txt).
        let need = [
            ("ua.sdk", v.ua_sdk.len(), 12),
            ("ua.console", v.ua_console.len(), 3),
            ("s3.buckets", v.buckets.len(), 10),
        ];
        for (name, have, want) in need {
            if have < want {
                return Err(format!("[{name}] needs at least {want} items, has {have}"));
            }
        }
        Ok(v)
    }
}
