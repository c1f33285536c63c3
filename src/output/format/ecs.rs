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

use super::{member, Activity, Field, Fields, Kept, Obj};
use crate::model::json;
use crate::model::record::Val;
use crate::output::enrich::{self, parse_time};

/// The ECS version written to `ecs.version` (the one Elastic's integration sets).
pub const ECS_VERSION: &str = "8.11.0";

pub fn write(out: &mut Vec<u8>, kept: &Kept<'_, '_, '_>) {
    let fields = Fields::collect(kept.root);
    let user = fields.object(Field::UserIdentity);
    let context = user.and_then(|u| u.get("sessionContext"));
    let issuer = context.and_then(|c| c.get("sessionIssuer"));
    let request = fields.object(Field::RequestParameters);
    let name = fields.str(Field::EventName);
    let provider = fields.str(Field::EventSource);

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
    let (category, types) = categorize(provider, name);
    if let Some(category) = category {
        event.key(out, "category");
        out.push(b'[');
        json::write_str(out, category);
        out.push(b']');
    }
    event.key(out, "type");
    out.push(b'[');
    for (n, kind) in types.iter().flatten().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        json::write_str(out, kind);
    }
    out.push(b']');
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
    source.str(out, "address", address);
    source.str(out, "ip", address.filter(|a| super::is_ip(a)));
    source.end(out, &mut root);

    let mut person = root.object(out, "user");
    person.str(
        out,
        "name",
        member(issuer, "userName").or(member(user, "userName")),
    );
    person.str(out, "id", member(user, "principalId"));
    let mut target = person.object(out, "target");
    target.str(out, "name", member(request, "userName"));
    target.end(out, &mut person);
    person.end(out, &mut root);

    let mut group = root.object(out, "group");
    group.str(out, "name", member(request, "groupName"));
    group.end(out, &mut root);

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

type Types = [Option<&'static str>; 2];

/// `event.category` and `event.type`: as Elastic's integration categorises
/// them. Sign-ins and STS credential calls are authentication; IAM calls are
/// `iam` with the entity (user, group, admin) and the change; everything else
/// is just `info`, with no category.
fn categorize(provider: Option<&str>, name: Option<&str>) -> (Option<&'static str>, Types) {
    const INFO: Types = [Some("info"), None];
    let (Some(provider), Some(name)) = (provider, name) else {
        return (None, INFO);
    };
    match provider {
        "signin.amazonaws.com" => (Some("authentication"), INFO),
        "sts.amazonaws.com"
            if name.starts_with("AssumeRole")
                || name == "GetSessionToken"
                || name == "GetFederationToken" =>
        {
            (Some("authentication"), INFO)
        }
        "s3.amazonaws.com" if name == "CreateBucket" => (Some("file"), [Some("creation"), None]),
        "s3.amazonaws.com" if name == "DeleteBucket" => (Some("file"), [Some("deletion"), None]),
        "ec2.amazonaws.com" if name == "CreateKeyPair" => {
            (Some("iam"), [Some("admin"), Some("creation")])
        }
        "iam.amazonaws.com" => (
            Some("iam"),
            [Some(iam_entity(name)), Some(iam_change(name))],
        ),
        _ => (None, INFO),
    }
}

/// Which kind of IAM entity a call is about: the object of `To`/`From`/`For`
/// when there is one (`AddUserToGroup` is about the group), else the first
/// entity named.
fn iam_entity(name: &str) -> &'static str {
    const USER_WORDS: [&str; 8] = [
        "User",
        "AccessKey",
        "LoginProfile",
        "MFADevice",
        "SSHPublicKey",
        "Password",
        "SigningCertificate",
        "ServiceSpecificCredential",
    ];
    if name.contains("PasswordPolicy") {
        return "admin";
    }
    if name.contains("ToGroup") || name.contains("FromGroup") || name.contains("ForGroup") {
        return "group";
    }
    if name.contains("ForUser") || name.contains("ToUser") || name.contains("FromUser") {
        return "user";
    }
    let group = name.find("Group");
    let user = USER_WORDS.iter().filter_map(|w| name.find(w)).min();
    match (group, user) {
        (Some(g), Some(u)) if g < u => "group",
        (Some(_), None) => "group",
        (_, Some(_)) => "user",
        (None, None) => "admin",
    }
}

/// `creation`/`deletion` when the entity itself is created or deleted
/// (`CreateUser`, `DeleteGroup`), `info` for reads, else `change`.
fn iam_change(name: &str) -> &'static str {
    let verb = enrich::action_of(name);
    let rest = &name[verb.len()..];
    let one_word = rest.len() > 1
        && rest.as_bytes()[0].is_ascii_uppercase()
        && rest.bytes().skip(1).all(|b| b.is_ascii_lowercase());
    match verb {
        "Create" if one_word => "creation",
        "Delete" if one_word => "deletion",
        _ if Activity::of(name) == Activity::Read => "info",
        _ => "change",
    }
}

fn tls(out: &mut Vec<u8>, root: &mut Obj, details: Option<Val<'_, '_>>) {
    let mut tls = root.object(out, "tls");
    if let Some((protocol, version)) = member(details, "tlsVersion").and_then(|v| v.split_once('v'))
    {
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
    let created = member(attributes, "creationDate");
    match created.and_then(parse_time) {
        Some(t) => session.time(out, "creation_date", Some(t)),
        None => session.str(out, "creation_date", created),
    }
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
    trail.value(
        out,
        "management_event",
        fields.get(Field::ManagementEvent).filter(scalar),
    );
    trail.bool(out, "read_only", kept.core.read_only);
    super::write_resources(
        out,
        trail,
        fields,
        &[
            ("ARN", "arn"),
            ("accountId", "account_id"),
            ("type", "type"),
        ],
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
    use super::*;

    /// Elastic's integration categorises these names by hand; the derived
    /// rules must agree with every one of them.
    #[test]
    fn categories_agree_with_elastics_table() {
        let iam = "iam.amazonaws.com";
        for (provider, name, category, types) in [
            (iam, "AddUserToGroup", "iam", ["group", "change"]),
            (iam, "AttachGroupPolicy", "iam", ["group", "change"]),
            (iam, "AttachUserPolicy", "iam", ["user", "change"]),
            (iam, "ChangePassword", "iam", ["user", "change"]),
            (iam, "CreateAccessKey", "iam", ["user", "change"]),
            (iam, "CreateGroup", "iam", ["group", "creation"]),
            (iam, "CreateUser", "iam", ["user", "creation"]),
            (iam, "CreateVirtualMFADevice", "iam", ["user", "change"]),
            (iam, "DeactivateMFADevice", "iam", ["user", "change"]),
            (iam, "DeleteAccessKey", "iam", ["user", "change"]),
            (iam, "DeleteGroup", "iam", ["group", "deletion"]),
            (iam, "DeleteGroupPolicy", "iam", ["group", "change"]),
            (iam, "DeleteSSHPublicKey", "iam", ["user", "change"]),
            (iam, "DeleteUser", "iam", ["user", "deletion"]),
            (
                iam,
                "DeleteUserPermissionsBoundary",
                "iam",
                ["user", "change"],
            ),
            (iam, "DeleteUserPolicy", "iam", ["user", "change"]),
            (iam, "DeleteVirtualMFADevice", "iam", ["user", "change"]),
            (iam, "DetachGroupPolicy", "iam", ["group", "change"]),
            (iam, "DetachUserPolicy", "iam", ["user", "change"]),
            (iam, "EnableMFADevice", "iam", ["user", "change"]),
            (iam, "GetGroup", "iam", ["group", "info"]),
            (iam, "GetGroupPolicy", "iam", ["group", "info"]),
            (iam, "GetUser", "iam", ["user", "info"]),
            (iam, "GetUserPolicy", "iam", ["user", "info"]),
            (iam, "ListAttachedGroupPolicies", "iam", ["group", "info"]),
            (iam, "ListAttachedUserPolicies", "iam", ["user", "info"]),
            (iam, "ListGroupPolicies", "iam", ["group", "info"]),
            (iam, "ListGroups", "iam", ["group", "info"]),
            (iam, "ListGroupsForUser", "iam", ["user", "info"]),
            (iam, "ListUserPolicies", "iam", ["user", "info"]),
            (iam, "ListUsers", "iam", ["user", "info"]),
            (iam, "ListUserTags", "iam", ["user", "info"]),
            (iam, "PutGroupPolicy", "iam", ["group", "change"]),
            (iam, "PutUserPermissionsBoundary", "iam", ["user", "change"]),
            (iam, "PutUserPolicy", "iam", ["user", "change"]),
            (iam, "RemoveUserFromGroup", "iam", ["group", "change"]),
            (iam, "SetDefaultPolicyVersion", "iam", ["admin", "change"]),
            (
                iam,
                "SetSecurityTokenServicePreferences",
                "iam",
                ["admin", "change"],
            ),
            (iam, "TagUser", "iam", ["user", "change"]),
            (iam, "UntagUser", "iam", ["user", "change"]),
            (iam, "UpdateAccessKey", "iam", ["user", "change"]),
            (
                iam,
                "UpdateAccountPasswordPolicy",
                "iam",
                ["admin", "change"],
            ),
            (iam, "UpdateGroup", "iam", ["group", "change"]),
            (iam, "UpdateLoginProfile", "iam", ["user", "change"]),
            (iam, "UpdateRole", "iam", ["admin", "change"]),
            (iam, "UpdateSSHPublicKey", "iam", ["user", "change"]),
            (iam, "UpdateUser", "iam", ["user", "change"]),
            (
                "ec2.amazonaws.com",
                "CreateKeyPair",
                "iam",
                ["admin", "creation"],
            ),
        ] {
            let (got_category, got_types) = categorize(Some(provider), Some(name));
            assert_eq!(got_category, Some(category), "{name}");
            assert_eq!(got_types, types.map(Some), "{name}");
        }
        for (provider, name, category, kind) in [
            ("sts.amazonaws.com", "AssumeRole", "authentication", "info"),
            (
                "signin.amazonaws.com",
                "ConsoleLogin",
                "authentication",
                "info",
            ),
            ("s3.amazonaws.com", "CreateBucket", "file", "creation"),
            ("s3.amazonaws.com", "DeleteBucket", "file", "deletion"),
        ] {
            assert_eq!(
                categorize(Some(provider), Some(name)),
                (Some(category), [Some(kind), None]),
                "{name}"
            );
        }
    }

    #[test]
    fn other_calls_are_only_info() {
        for (provider, name) in [
            (Some("cloudtrail.amazonaws.com"), Some("StopLogging")),
            (Some("sts.amazonaws.com"), Some("GetCallerIdentity")),
            (None, Some("RunInstances")),
            (Some("ec2.amazonaws.com"), None),
        ] {
            assert_eq!(categorize(provider, name), (None, [Some("info"), None]));
        }
        assert_eq!(
            categorize(Some("sts.amazonaws.com"), Some("AssumeRoleWithSAML")).0,
            Some("authentication")
        );
    }
}
