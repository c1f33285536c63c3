//! `aws.cloudtrail.*` for ECS: the CloudTrail members Elastic's integration
//! keeps under its own names (see the table in docs/formats.md).
//!
//! Guarantees: values are re-written from the tape (keywords stay as typed,
//! payloads become JSON text); a date that is neither ISO 8601 nor ISO 8601
//! basic format is left out, never written as text; nothing allocates.

use crate::model::json;
use crate::model::record::{text, Val};
use crate::output::enrich::parse_time;
use crate::output::format::{member, Field, Fields, Kept, Obj};
use simd_json::prelude::TypedScalarValue as _;

pub(super) fn cloudtrail(
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
    let of = |key: &str| user.and_then(|u| u.get(key));
    let delegate = of("invokedByDelegate");
    keywords(
        out,
        &mut identity,
        "invoked_by_delegate",
        delegate,
        &[("account_id", "accountId")],
    );
    identity.value(out, "credential_id", keyword(user, "credentialId"));
    identity.value(out, "identity_provider", keyword(user, "identityProvider"));
    keywords(
        out,
        &mut identity,
        "on_behalf_of",
        of("onBehalfOf"),
        &[
            ("user_id", "userId"),
            ("identity_store_arn", "identityStoreArn"),
        ],
    );
    keywords(
        out,
        &mut identity,
        "in_scope_of",
        of("inScopeOf"),
        &[
            ("issuer_type", "issuerType"),
            ("credentials_issued_to", "credentialsIssuedTo"),
            ("source_arn", "sourceArn"),
            ("source_account", "sourceAccount"),
        ],
    );
    let mut session = identity.object(out, "session_context");
    session.value(
        out,
        "mfa_authenticated",
        attributes
            .and_then(|a| a.get("mfaAuthenticated"))
            .filter(scalar),
    );
    // A date field: ISO 8601, extended or basic (`20131102T010628Z`), as
    // Elastic reads it; anything else (`REDACTED`) is left out, never
    // written as text.
    session.time(
        out,
        "creation_date",
        member(attributes, "creationDate")
            .and_then(|t| parse_time(t).or_else(|| parse_basic_time(t))),
    );
    let mut from = session.object(out, "session_issuer");
    from.str(out, "type", member(issuer, "type"));
    from.str(out, "principal_id", member(issuer, "principalId"));
    from.str(out, "arn", member(issuer, "arn"));
    from.str(out, "account_id", member(issuer, "accountId"));
    from.end(out, &mut session);
    session.value(
        out,
        "ec2_role_delivery",
        keyword(context, "ec2RoleDelivery"),
    );
    session.value(out, "source_identity", keyword(context, "sourceIdentity"));
    let web = context.and_then(|c| c.get("webIdFederationData"));
    let mut federation = session.object(out, "web_id_federation_data");
    federation.value(out, "federated_provider", keyword(web, "federatedProvider"));
    // Keys named by the identity provider: kept whole, as Elastic does.
    federation.value(
        out,
        "attributes",
        web.and_then(|w| w.get("attributes"))
            .filter(|a| a.as_object().is_some_and(|o| o.iter().next().is_some())),
    );
    federation.end(out, &mut session);
    session.value(out, "assumed_root", keyword(context, "assumedRoot"));
    session.value(
        out,
        "sign_in_session_arn",
        keyword(context, "signInSessionArn"),
    );
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
            crate::output::format::write_json_text(out, value);
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
            None => crate::output::format::write_json_text(out, value),
        }
    }
    trail.bool(out, "read_only", kept.core.read_only);
    crate::output::format::write_resources(
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
    // `sharedEventID` is what CloudTrail writes; Elastic also reads
    // `sharedEventId`.
    trail.str(
        out,
        "shared_event_id",
        fields
            .str(Field::SharedEventId)
            .or_else(|| member(Some(kept.root), "sharedEventId")),
    );
    trail.str(out, "vpc_endpoint_id", fields.str(Field::VpcEndpointId));
    trail.value(
        out,
        "vpc_endpoint_account_id",
        keyword(Some(kept.root), "vpcEndpointAccountId"),
    );
    keywords(
        out,
        trail,
        "addendum",
        kept.root.get("addendum"),
        &[
            ("reason", "reason"),
            ("updated_fields", "updatedFields"),
            ("original_request_id", "originalRequestID"),
            ("original_event_id", "originalEventID"),
        ],
    );
    let details = fields
        .object(Field::TlsDetails)
        .filter(|d| member(Some(*d), "tlsVersion") != Some("tlsVersion"));
    keywords(
        out,
        trail,
        "tls_details",
        details,
        &[("key_exchange", "keyExchange")],
    );
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
pub(super) fn scalar(value: &Val<'_, '_>) -> bool {
    value.as_object().is_none() && value.as_array().is_none()
}

/// Object `name` of `parent`, holding the keyword `members` (ECS name,
/// CloudTrail name) of `from`; left out when none is present.
fn keywords(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    name: &'static str,
    from: Option<Val<'_, '_>>,
    members: &[(&'static str, &str)],
) {
    let mut object = parent.object(out, name);
    for (to, key) in members {
        object.value(out, to, keyword(from, key));
    }
    object.end(out, parent);
}

/// Member `key` of an object when it is a non-empty string, a number or a
/// boolean (what a keyword field holds).
fn keyword<'t, 'i>(value: Option<Val<'t, 'i>>, key: &str) -> Option<Val<'t, 'i>> {
    value
        .and_then(|v| v.get(key))
        .filter(scalar)
        .filter(|v| !v.is_null() && text(*v) != Some(""))
}

/// Seconds since the epoch for an ISO 8601 basic-format time, the forms
/// Elastic's `basic_date_time_no_millis` and `basic_date_time` read
/// (`20131102T010628Z`, `20131102T010628.000Z`, `20131102T010628+0100`).
pub(super) fn parse_basic_time(stamp: &str) -> Option<f64> {
    let b = stamp.as_bytes();
    if b.len() < 16
        || b.len() > 40
        || b[8] != b'T'
        || !b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut extended = [0u8; 48];
    let mut len = 0;
    let parts: [&[u8]; 11] = [
        &b[0..4],
        b"-",
        &b[4..6],
        b"-",
        &b[6..8],
        b"T",
        &b[9..11],
        b":",
        &b[11..13],
        b":",
        &b[13..],
    ];
    for part in parts {
        extended[len..len + part.len()].copy_from_slice(part);
        len += part.len();
    }
    parse_time(std::str::from_utf8(&extended[..len]).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_format_times_are_read_like_elastic_reads_them() {
        let extended = parse_time("2013-11-02T01:06:28Z");
        assert!(extended.is_some());
        assert_eq!(parse_basic_time("20131102T010628Z"), extended);
        assert_eq!(parse_basic_time("20131102T010628.000Z"), extended);
        assert_eq!(
            parse_basic_time("20131102T020628+0100"),
            extended,
            "an offset"
        );
        for bad in [
            "REDACTED",
            "2013-11-02T01:06:28Z",
            "20131102 010628Z",
            "20131302T010628Z",
            "2013110xT010628Z",
            "20131102T0106é8Z",
            "",
        ] {
            assert_eq!(parse_basic_time(bad), None, "{bad}");
        }
    }
}
