//! `--format ecs`: each kept record as one Elastic Common Schema document.
//!
//! Field names and values follow Elastic's AWS CloudTrail integration
//! (`aws.cloudtrail` data stream), so Elastic's dashboards and prebuilt
//! detection rules (which query `event.dataset`, `event.provider`,
//! `event.action`, `event.outcome`, `aws.cloudtrail.*`) work on the output as
//! they do on the integration's. The verdict goes under `--key` (`ctfilter`),
//! byte for byte as in raw mode, and its severity, score, lead rule and ATT&CK
//! ids are repeated in the ECS fields `event.severity`, `event.risk_score`,
//! `rule.*` and `threat.*`. See `docs/formats.md` for the table.
//!
//! Guarantees: one valid JSON object per line, objects nested (never dotted
//! keys); absent, null and empty fields are omitted; nothing is allocated.
//! Unlike `ocsf`, members with no ECS or `aws.cloudtrail` field are dropped,
//! as in Elastic's integration (use `--format raw` to keep everything).

mod categories;
mod people;
mod related;
mod trail;

use crate::model::json;
use crate::model::record::Val;
use crate::output::enrich::{parse_time, service_of};
use crate::output::format::{member, Field, Fields, Kept, Obj};
use categories::categorize;
use people::People;
use related::{each_some, write_unique, Hosts};

/// The ECS version written to `ecs.version` (the one Elastic's integration sets).
pub const ECS_VERSION: &str = "8.11.0";

pub fn write(out: &mut Vec<u8>, kept: &Kept<'_, '_, '_>) {
    let fields = Fields::collect(kept.root);
    let user = fields.object(Field::UserIdentity);
    let request = fields.object(Field::RequestParameters);
    let response = fields.object(Field::ResponseElements);
    let name = fields.str(Field::EventName);
    let provider = fields.str(Field::EventSource);
    let who = People::of(&fields, user, request, response, name);

    let mut root = Obj::root(out);
    root.time(
        out,
        "@timestamp",
        fields.str(Field::EventTime).and_then(parse_time),
    );
    let mut ecs = root.object(out, "ecs");
    ecs.str(out, "version", Some(ECS_VERSION));
    ecs.end(out, &mut root);

    let mut event = root.object(out, "event");
    event.str(out, "kind", Some("event"));
    event.str(out, "module", Some("aws"));
    event.str(out, "dataset", Some("aws.cloudtrail"));
    event.str(out, "provider", provider);
    event.str(out, "action", name);
    event.str(out, "id", fields.str(Field::EventId));
    event.str(out, "outcome", outcome(kept, &fields, name));
    let (category, types) = categorize(name);
    strings(out, &mut event, "category", category.iter().copied());
    strings(out, &mut event, "type", types.iter().copied());
    event.time(out, "created", Some(kept.now));
    event.int(
        out,
        "severity",
        Some(super::severity_id(kept.verdict.severity)),
    );
    event.int(out, "risk_score", Some(i64::from(kept.verdict.score)));
    event.end(out, &mut root);

    let mut cloud = root.object(out, "cloud");
    cloud.str(out, "provider", Some("aws"));
    cloud.str(out, "region", fields.str(Field::AwsRegion));
    let mut service = cloud.object(out, "service");
    service.str(
        out,
        "name",
        provider
            .filter(|p| p.ends_with(".amazonaws.com"))
            .map(service_of),
    );
    service.end(out, &mut cloud);
    let mut account = cloud.object(out, "account");
    account.str(
        out,
        "id",
        member(user, "accountId").or(fields.str(Field::RecipientAccountId)),
    );
    account.end(out, &mut cloud);
    cloud.end(out, &mut root);

    let mut source = root.object(out, "source");
    let address = fields.str(Field::SourceIpAddress);
    let ip = address.filter(|a| super::is_ip(a));
    source.str(out, "address", address);
    source.str(out, "ip", ip);
    source.end(out, &mut root);

    let mut person = root.object(out, "user");
    person.str(out, "name", who.name);
    person.str(out, "id", who.id);
    person.str(out, "email", who.email());
    let mut target = person.object(out, "target");
    target.str(out, "name", who.target_name);
    target.str(out, "id", who.target_id);
    target.end(out, &mut person);
    let mut changes = person.object(out, "changes");
    changes.str(out, "name", who.new_name);
    changes.end(out, &mut person);
    person.end(out, &mut root);

    let mut group = root.object(out, "group");
    group.str(out, "name", member(request, "groupName"));
    group.str(
        out,
        "id",
        member(response.and_then(|r| r.get("group")), "groupId"),
    );
    group.end(out, &mut root);

    let mut actor = root.object(out, "service");
    actor.str(out, "name", who.service);
    actor.end(out, &mut root);

    let details = fields.object(Field::TlsDetails);
    let placeholder = member(details, "tlsVersion") == Some("tlsVersion");
    let mut related = root.object(out, "related");
    let users = who.related();
    write_unique(out, &mut related, "user", &|visit| each_some(&users, visit));
    let service_ip = member(fields.object(Field::ServiceEventDetails), "sourceIpAddress")
        .filter(|a| super::is_ip(a));
    write_unique(out, &mut related, "ip", &|visit| {
        each_some(&[ip, service_ip], visit)
    });
    let hosts = Hosts {
        server_name: member(details, "clientProvidedHostHeader").filter(|_| !placeholder),
        address: address.filter(|_| ip.is_none()),
        request,
        response,
        resources: fields.get(Field::Resources),
    };
    write_unique(out, &mut related, "hosts", &|visit| hosts.each(visit));
    related.end(out, &mut root);

    let mut agent = root.object(out, "user_agent");
    agent.str(out, "original", fields.str(Field::UserAgent));
    agent.end(out, &mut root);

    tls(out, &mut root, details);
    rule_and_threat(out, &mut root, kept);

    let mut aws = root.object(out, "aws");
    let mut trail = aws.object(out, "cloudtrail");
    trail::cloudtrail(out, &mut trail, kept, &fields, user);
    trail.end(out, &mut aws);
    aws.end(out, &mut root);

    root.raw(out, &kept.plan.options.key, kept.verdict_json);
    root.end_root(out);
}

/// Write member `name` as an array of strings; left out when there are none.
fn strings<'a>(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    name: &'static str,
    values: impl IntoIterator<Item = &'a str>,
) {
    let mut values = values.into_iter().peekable();
    if values.peek().is_none() {
        return;
    }
    parent.key(out, name);
    json::write_str_array(out, values);
}

/// `event.outcome`: a console sign-in's own result, else failure when the
/// record has an error. Insights records describe no call and have none.
fn outcome(kept: &Kept<'_, '_, '_>, fields: &Fields, name: Option<&str>) -> Option<&'static str> {
    if name == Some("ConsoleLogin") {
        match member(fields.object(Field::ResponseElements), "ConsoleLogin") {
            Some(r) if r.eq_ignore_ascii_case("success") => return Some("success"),
            Some(r) if r.eq_ignore_ascii_case("failure") => return Some("failure"),
            _ => {}
        }
    }
    if kept.core.is_insight() {
        None
    } else if kept.core.failed() {
        Some("failure")
    } else {
        Some("success")
    }
}

/// `tls.*` from `tlsDetails`. `tlsVersion` is split at `v` (`TLSv1.3` →
/// `tls`, `1.3`); one without a `v` goes whole to `tls.version`. Records
/// whose `tlsVersion` is the placeholder text `tlsVersion` get no `tls`, as
/// in Elastic's integration.
fn tls(out: &mut Vec<u8>, root: &mut Obj, details: Option<Val<'_, '_>>) {
    let version = member(details, "tlsVersion");
    if version == Some("tlsVersion") {
        return;
    }
    let mut tls = root.object(out, "tls");
    match version.map(|v| v.split_once('v')) {
        Some(Some((protocol, version))) => {
            let protocol = if protocol.eq_ignore_ascii_case("tls") {
                "tls"
            } else if protocol.eq_ignore_ascii_case("ssl") {
                "ssl"
            } else {
                protocol
            };
            tls.str(
                out,
                "version_protocol",
                Some(protocol).filter(|p| !p.is_empty()),
            );
            tls.str(out, "version", Some(version).filter(|v| !v.is_empty()));
        }
        Some(None) => tls.str(out, "version", version),
        None => {}
    }
    tls.str(out, "cipher", member(details, "cipherSuite"));
    let mut client = tls.object(out, "client");
    client.str(
        out,
        "server_name",
        member(details, "clientProvidedHostHeader"),
    );
    client.end(out, &mut tls);
    tls.end(out, root);
}

/// `rule.*` from the rule that set the severity; `threat.*` from the ATT&CK
/// ids of every matched rule, without repeats.
fn rule_and_threat(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>) {
    let rules = &kept.plan.rules.rules;
    if let Some(lead) = kept.verdict.lead_rule.map(|i| &rules[i as usize]) {
        let mut rule = root.object(out, "rule");
        rule.str(out, "id", Some(&lead.id));
        rule.str(out, "name", Some(&lead.title));
        rule.str(out, "category", Some(&lead.category));
        rule.str(out, "ruleset", Some("ctfilter"));
        rule.end(out, root);
    }
    let matched = kept.matched;
    let saved = root.save(out);
    let mut threat = root.object(out, "threat");
    threat.str(out, "framework", Some("MITRE ATT&CK"));
    let mut technique = threat.object(out, "technique");
    technique.key(out, "id");
    let count = crate::output::enrich::write_attack_ids(out, rules, matched);
    technique.end(out, &mut threat);
    threat.end(out, root);
    if count == 0 {
        root.restore(out, saved);
    }
}

#[cfg(test)]
mod tests {
    use super::categories::{CATEGORIES, UNLISTED};
    use super::*;

    #[test]
    fn the_table_is_sorted_and_has_no_repeats() {
        for pair in CATEGORIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (name, (categories, _)) in CATEGORIES {
            assert_eq!(categorize(Some(name)).0, *categories, "{name}");
        }
    }

    #[test]
    fn rows_elastic_lists_and_names_it_does_not() {
        let cases: [(&str, &[&str], &[&str]); 10] = [
            ("StartSession", &["session"], &["start"]),
            ("TerminateSession", &["session"], &["end"]),
            ("AuthorizeSecurityGroupIngress", &["network"], &["access"]),
            ("CreateTopic", &["configuration"], &["creation"]),
            ("CreateDocument", &["file"], &["creation"]),
            ("Converse", &["api"], &["info"]),
            ("Publish", &["api"], &["info"]),
            ("AttachRolePolicy", &["iam"], &["change"]),
            ("CreateRole", &[], &["info"]),
            ("GetSessionToken", &[], &["info"]),
        ];
        for (name, categories, types) in cases {
            assert_eq!(categorize(Some(name)), (categories, types), "{name}");
        }
        assert_eq!(categorize(None), UNLISTED);
        assert_eq!(categorize(Some("startsession")), UNLISTED);
    }
}
