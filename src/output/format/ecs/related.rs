//! `related.user`, `related.ip` and `related.hosts` for ECS, in the order
//! Elastic's CloudTrail pipeline appends them, without repeats.
//!
//! Guarantees: nothing allocates. A list is produced by a visitor that can
//! be run again, and a value is written only when no earlier value of the
//! same list equals it. That is quadratic in the list's length, so only the
//! first [`LIMIT`] candidates of a list are considered: a hostile record
//! with a million instance ids costs no more than one with `LIMIT`.

use crate::model::json;
use crate::model::record::{text, Val};
use crate::output::format::{member, Obj};

/// A list's values: calls its argument with each, in order, until it
/// returns `false`.
type Visit<'v, 'i> = &'v mut dyn FnMut(&'i str) -> bool;

/// How many candidates of one list are considered.
pub(super) const LIMIT: usize = 128;

/// Write member `name` as the array of the distinct values among the first
/// [`LIMIT`] that `each` visits; left out when there are none.
pub(super) fn write_unique<'i>(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    name: &'static str,
    each: &dyn Fn(Visit<'_, 'i>),
) {
    let mut index = 0;
    let mut count = 0;
    each(&mut |value| {
        let at = index;
        if at == LIMIT {
            return false;
        }
        index += 1;
        let mut seen = false;
        let mut before = 0;
        each(&mut |earlier| {
            if before == at {
                return false;
            }
            before += 1;
            seen = earlier == value;
            !seen
        });
        if !seen {
            if count == 0 {
                parent.key(out, name);
                out.push(b'[');
            } else {
                out.push(b',');
            }
            json::write_str(out, value);
            count += 1;
        }
        true
    });
    if count > 0 {
        out.push(b']');
    }
}

/// Visit each of `values` that is present and not empty.
pub(super) fn each_some<'i>(values: &[Option<&'i str>], visit: Visit<'_, 'i>) {
    for value in values.iter().flatten() {
        if !value.is_empty() && !visit(value) {
            return;
        }
    }
}

/// Where `related.hosts` comes from.
pub(super) struct Hosts<'t, 'i> {
    /// `tls.client.server_name`, when `tls` is written.
    pub server_name: Option<&'i str>,
    /// `source.address` when it is not an IP address.
    pub address: Option<&'i str>,
    pub request: Option<Val<'t, 'i>>,
    pub response: Option<Val<'t, 'i>>,
    pub resources: Option<Val<'t, 'i>>,
}

impl<'i> Hosts<'_, 'i> {
    /// `related.hosts` candidates: a client-provided host name and a
    /// host-name source that are not AWS endpoints, `computerName`, then the
    /// EC2 instance ids of the resources, the request and the response.
    pub(super) fn each(&self, visit: Visit<'_, 'i>) {
        let aws = |h: &&str| !h.ends_with(".amazonaws.com");
        let host = |a: &&str| a.contains('.') && !a.contains(' ');
        let names = [
            self.server_name.filter(aws),
            self.address.filter(aws).filter(host),
            member(self.request, "computerName"),
        ];
        for name in names.into_iter().flatten() {
            if !visit(name) {
                return;
            }
        }
        let mut go = true;
        let mut instance = |id: Option<&'i str>| {
            if let Some(id) = id.filter(|id| id.len() >= 10 && id.starts_with("i-")) {
                go = go && visit(id);
            }
        };
        for resource in array(self.resources) {
            if let Some(arn) = member(Some(resource), "ARN").filter(|a| a.contains(":instance/")) {
                instance(arn.rsplit_once('/').map(|(_, id)| id));
            }
        }
        for container in [self.request, self.response].into_iter().flatten() {
            for key in ["instanceId", "target", "resourceId"] {
                instance(container.get(key).and_then(text));
            }
            for id in array(container.get("instanceIds")) {
                instance(text(id));
            }
            let set = container.get("instancesSet").and_then(|s| s.get("items"));
            for item in array(set) {
                instance(member(Some(item), "instanceId"));
            }
        }
    }
}

/// The items of an array value; none for anything else.
fn array<'t, 'i>(value: Option<Val<'t, 'i>>) -> impl Iterator<Item = Val<'t, 'i>> {
    value
        .and_then(|v| v.as_array())
        .into_iter()
        .flat_map(|a| a.iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(values: &[&'static str]) -> String {
        let mut out = Vec::new();
        let mut root = Obj::root(&mut out);
        write_unique(&mut out, &mut root, "v", &|visit| {
            for value in values {
                if !visit(value) {
                    return;
                }
            }
        });
        root.end_root(&mut out);
        String::from_utf8(out).unwrap().trim_end().to_owned()
    }

    #[test]
    fn repeats_are_dropped_in_first_seen_order() {
        assert_eq!(
            written(&["b", "a", "b", "c", "a"]),
            r#"{"v":["b","a","c"]}"#
        );
        assert_eq!(written(&[]), "{}");
    }

    #[test]
    fn only_the_first_candidates_are_considered() {
        let many: Vec<&'static str> = (0..LIMIT + 50)
            .map(|i| &*Box::leak(format!("i-{i:010}").into_boxed_str()))
            .collect();
        let out = written(&many);
        assert_eq!(out.matches("\"i-").count(), LIMIT, "{out}");
    }
}
