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

use crate::model::json;
use crate::model::record::{text, Val};
use crate::output::enrich::parse_time;
use crate::output::format::{member, Field, Fields, Kept, Obj};
use categories::categorize;

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

    let mut related = root.object(out, "related");
    strings(
        out,
        &mut related,
        "user",
        who.related().into_iter().flatten(),
    );
    strings(out, &mut related, "ip", ip);
    related.end(out, &mut root);

    let mut agent = root.object(out, "user_agent");
    agent.str(out, "original", fields.str(Field::UserAgent));
    agent.end(out, &mut root);

    tls(out, &mut root, fields.object(Field::TlsDetails));
    rule_and_threat(out, &mut root, kept);

    let mut aws = root.object(out, "aws");
    let mut trail = aws.object(out, "cloudtrail");
    cloudtrail(out, &mut trail, kept, &fields, user);
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

/// The `user.*`, `group.*` and `related.user` values, as Elastic's pipeline
/// derives them.
struct People<'i> {
    /// `user.name`: the role of an assumed role or federated user
    /// (`sessionIssuer.userName`), else `userIdentity.userName`, else, for
    /// IAM Identity Center `UserAuthentication`, `additionalEventData.UserName`.
    name: Option<&'i str>,
    /// `user.id`: `principalId`, else `onBehalfOf.userId` of an
    /// `IdentityCenterUser`.
    id: Option<&'i str>,
    target_name: Option<&'i str>,
    target_id: Option<&'i str>,
    new_name: Option<&'i str>,
    /// The session name at the end of an assumed-role or federated-user ARN.
    session: Option<&'i str>,
}

impl<'i> People<'i> {
    fn of(
        fields: &Fields<'_, 'i>,
        user: Option<Val<'_, 'i>>,
        request: Option<Val<'_, 'i>>,
        response: Option<Val<'_, 'i>>,
        event_name: Option<&str>,
    ) -> People<'i> {
        let kind = member(user, "type");
        let assumed = matches!(kind, Some("AssumedRole" | "FederatedUser"));
        let issuer = user
            .and_then(|u| u.get("sessionContext"))
            .and_then(|c| c.get("sessionIssuer"));
        let mut name = member(user, "userName");
        if assumed {
            name = member(issuer, "userName").or(name);
        }
        if name.is_none() && event_name == Some("UserAuthentication") {
            name = member(fields.object(Field::AdditionalEventData), "UserName");
        }
        let mut id = member(user, "principalId");
        if id.is_none() && kind == Some("IdentityCenterUser") {
            id = member(user.and_then(|u| u.get("onBehalfOf")), "userId");
        }
        let session = member(user, "arn")
            .filter(|_| assumed)
            .and_then(session_name);
        People {
            name,
            id,
            target_name: member(request, "userName"),
            target_id: member(response.and_then(|r| r.get("user")), "userId"),
            new_name: member(request, "newUserName"),
            session,
        }
    }

    /// `user.email`: `user.name` when it looks like an address (an `@` after
    /// the first character).
    fn email(&self) -> Option<&'i str> {
        self.name.filter(|n| n.find('@').is_some_and(|at| at > 0))
    }

    /// `related.user`, without repeats, in the order Elastic appends them.
    fn related(&self) -> [Option<&'i str>; 7] {
        let prefix = self
            .session
            .and_then(|s| s.split_once('@'))
            .map(|(local, _)| local)
            .filter(|l| !l.is_empty());
        let mut all = [
            self.session,
            prefix,
            self.target_name,
            self.new_name,
            self.target_id,
            self.id,
            self.name,
        ];
        for i in 0..all.len() {
            if all[i].is_some() && all[..i].contains(&all[i]) {
                all[i] = None;
            }
        }
        all
    }
}

/// The session name of an STS assumed-role or federated-user ARN
/// (`arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com` →
/// `alice@example.com`): everything after the last `/`.
fn session_name(arn: &str) -> Option<&str> {
    let rest = arn
        .strip_prefix("arn:aws:sts:")
        .or_else(|| arn.strip_prefix("arn:aws-us-gov:sts:"))?;
    let (_, session) = rest.rsplit_once('/')?;
    Some(session).filter(|s| !s.is_empty())
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

fn cloudtrail(
    out: &mut Vec<u8>,
    trail: &mut Obj,
    kept: &Kept<'_, '_, '_>,
    fields: &Fields,
    user: Option<Val<'_, '_>>,
) {
    let context = user.and_then(|u| u.get("sessionContext"));
    let attributes = context.and_then(|c| c.get("attributes"));
    let issuer = context.and_then(|c| c.get("sessionIssuer"));

    trail.str(out, "event_version", fields.str(Field::EventVersion));
    trail.str(out, "event_type", fields.str(Field::EventType));
    trail.str(out, "event_category", fields.str(Field::EventCategory));

    let mut identity = trail.object(out, "user_identity");
    identity.str(out, "type", member(user, "type"));
    identity.str(out, "arn", member(user, "arn"));
    identity.str(out, "access_key_id", member(user, "accessKeyId"));
    identity.str(out, "invoked_by", member(user, "invokedBy"));
    let mut session = identity.object(out, "session_context");
    session.value(
        out,
        "mfa_authenticated",
        attributes
            .and_then(|a| a.get("mfaAuthenticated"))
            .filter(scalar),
    );
    // A date field: a value that is not an ISO 8601 time (`REDACTED`,
    // `20131102T010628Z`) is left out, never written as text.
    session.time(
        out,
        "creation_date",
        member(attributes, "creationDate").and_then(parse_time),
    );
    let mut from = session.object(out, "session_issuer");
    from.str(out, "type", member(issuer, "type"));
    from.str(out, "principal_id", member(issuer, "principalId"));
    from.str(out, "arn", member(issuer, "arn"));
    from.str(out, "account_id", member(issuer, "accountId"));
    from.end(out, &mut session);
    session.end(out, &mut identity);
    identity.end(out, trail);

    trail.str(out, "error_code", fields.str(Field::ErrorCode));
    trail.str(out, "error_message", fields.str(Field::ErrorMessage));
    for (field, name) in [
        (Field::RequestParameters, "request_parameters"),
        (Field::ResponseElements, "response_elements"),
        (Field::AdditionalEventData, "additional_eventdata"),
        (Field::ServiceEventDetails, "service_event_details"),
    ] {
        if let Some(value) = fields.get(field) {
            trail.key(out, name);
            super::write_json_text(out, value);
        }
    }
    trail.str(out, "request_id", fields.str(Field::RequestId));
    trail.str(out, "api_version", fields.str(Field::ApiVersion));
    // A keyword in Elastic's mapping, written as text (`"true"`), as its
    // pipeline does.
    if let Some(value) = fields.get(Field::ManagementEvent).filter(scalar) {
        trail.key(out, "management_event");
        match text(value) {
            Some(s) => json::write_str(out, s),
            None => super::write_json_text(out, value),
        }
    }
    trail.bool(out, "read_only", kept.core.read_only);
    super::write_resources(
        out,
        trail,
        fields,
        ["ARN", "accountId", "type"],
        |out, resource, [arn, account, kind]| {
            resource.str(out, "arn", arn);
            resource.str(out, "account_id", account);
            resource.str(out, "type", kind);
        },
    );
    trail.str(
        out,
        "recipient_account_id",
        fields.str(Field::RecipientAccountId),
    );
    trail.str(out, "shared_event_id", fields.str(Field::SharedEventId));
    trail.str(out, "vpc_endpoint_id", fields.str(Field::VpcEndpointId));
    trail.value(
        out,
        "session_credential_from_console",
        fields
            .get(Field::SessionCredentialFromConsole)
            .filter(scalar),
    );

    if fields.str(Field::EventName) == Some("ConsoleLogin") {
        let extra = fields.object(Field::AdditionalEventData);
        let mut login = trail.object(out, "console_login");
        let mut data = login.object(out, "additional_eventdata");
        data.bool(
            out,
            "mobile_version",
            member(extra, "MobileVersion").map(|v| v != "No"),
        );
        data.str(out, "login_to", member(extra, "LoginTo"));
        data.bool(out, "mfa_used", member(extra, "MFAUsed").map(|v| v != "No"));
        data.end(out, &mut login);
        login.end(out, trail);
    }

    let mut flat = trail.object(out, "flattened");
    flat.value(out, "insight_details", fields.object(Field::InsightDetails));
    flat.end(out, trail);
}

/// A JSON string, number or boolean (what a keyword field can hold).
fn scalar(value: &Val<'_, '_>) -> bool {
    value.as_object().is_none() && value.as_array().is_none()
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
            ("Converse", &["api"], &[]),
            ("Publish", &["api"], &[]),
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

    #[test]
    fn session_names_come_from_sts_arns() {
        for (arn, session) in [
            (
                "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com",
                Some("alice@example.com"),
            ),
            (
                "arn:aws-us-gov:sts::111122223333:federated-user/bob",
                Some("bob"),
            ),
            ("arn:aws:iam::111122223333:user/carol", None),
            ("arn:aws:sts::111122223333:assumed-role/Admin/", None),
            ("not an arn", None),
        ] {
            assert_eq!(session_name(arn), session, "{arn}");
        }
    }
}
