//! `unmapped`: every CloudTrail member that no OCSF attribute holds, so an
//! OCSF document loses nothing of its record.
//!
//! Guarantees: a member is either mapped to an OCSF attribute by the parent
//! module or copied here under `unmapped`, never both and never neither;
//! session context, MFA and sign-in attributes that OCSF holds are left out.

use super::*;

/// Whether OCSF has a place for this top-level member (with this type).
pub(super) fn is_mapped(field: Field, value: Val<'_, '_>, insight: bool, fields: &Fields) -> bool {
    let string = text(value).is_some();
    match field {
        Field::EventVersion
        | Field::EventTime
        | Field::AwsRegion
        | Field::EventId
        | Field::EventType
        | Field::RecipientAccountId
        | Field::EventCategory => string,
        Field::SharedEventId => insight && string,
        Field::EventSource
        | Field::EventName
        | Field::SourceIpAddress
        | Field::UserAgent
        | Field::ErrorCode
        | Field::ErrorMessage
        | Field::RequestId
        | Field::ApiVersion
        | Field::VpcEndpointId => !insight && string,
        Field::RequestParameters => {
            !insight && value.as_object().is_some() && request_uid(fields).is_some()
        }
        Field::ResponseElements => !insight && value.as_object().is_some(),
        Field::Resources => !insight && value.as_array().is_some(),
        _ => false,
    }
}

/// Whether `userIdentity` has a member that identifies a user for
/// `actor.user` (OCSF wants a name, uid or account there).
pub(super) fn names_a_user(user: Option<Val<'_, '_>>) -> bool {
    ["userName", "arn", "principalId", "accountId"]
        .iter()
        .any(|key| member(user, key).is_some())
}

/// `userIdentity` members that `actor` holds.
pub(super) fn is_mapped_identity(key: &str, value: Val<'_, '_>) -> bool {
    matches!(
        key,
        "type"
            | "principalId"
            | "arn"
            | "accountId"
            | "accessKeyId"
            | "userName"
            | "invokedBy"
            | "identityProvider"
    ) && text(value).is_some()
}

/// Every top-level member OCSF has no place for, as JSON; `userIdentity`,
/// its `sessionContext` and a sign-in's `additionalEventData` keep only the
/// members the document does not hold elsewhere.
pub(super) fn unmapped(
    out: &mut Vec<u8>,
    root: &mut Obj,
    record: Val<'_, '_>,
    fields: &Fields,
    insight: bool,
) {
    let Some(object) = record.as_object() else {
        return;
    };
    let session = SessionMap::of(fields.object(Field::UserIdentity), fields);
    let mut rest = root.object(out, "unmapped");
    for (index, (key, value)) in object.iter().enumerate() {
        if value.is_null() {
            continue;
        }
        match Field::of(key) {
            Some(field) if !fields.is_first(field, index) => continue,
            None if !first_of_name(&object, index, key) => continue,
            Some(Field::UserIdentity) if !insight && value.as_object().is_some() => {
                identity_rest(out, &mut rest, value, &session);
            }
            Some(Field::AdditionalEventData) if !insight && value.as_object().is_some() => {
                let login_to = login_to(fields).is_some();
                let skip = |key: &str| {
                    (key == "LoginTo" && login_to) || (key == "MFAUsed" && session.mfa_used)
                };
                members_except(out, &mut rest, "additionalEventData", value, &skip);
            }
            Some(field) if is_mapped(field, value, insight, fields) => {}
            _ => rest.value(out, key, Some(value)),
        }
    }
    rest.end(out, root);
}

pub(super) fn identity_rest(
    out: &mut Vec<u8>,
    rest: &mut Obj,
    user: Val<'_, '_>,
    session: &SessionMap,
) {
    let Some(object) = user.as_object() else {
        return;
    };
    let mut identity = rest.object(out, "userIdentity");
    for (index, (key, value)) in object.iter().enumerate() {
        if value.is_null() || !first_of_name(&object, index, key) {
            continue;
        }
        if key == "sessionContext" && value.as_object().is_some() {
            context_rest(out, &mut identity, value, session);
        } else if !is_mapped_identity(key, value) || (key == "type" && !names_a_user(Some(user))) {
            identity.value(out, key, Some(value));
        }
    }
    identity.end(out, rest);
}

/// `sessionContext` without what `actor.session` holds: `creationDate`
/// (when it parsed), `mfaAuthenticated` (when it was a boolean) and the
/// issuer's `arn`.
pub(super) fn context_rest(
    out: &mut Vec<u8>,
    identity: &mut Obj,
    context: Val<'_, '_>,
    session: &SessionMap,
) {
    let Some(object) = context.as_object() else {
        return;
    };
    let mut rest = identity.object(out, "sessionContext");
    for (index, (key, value)) in object.iter().enumerate() {
        if value.is_null() || !first_of_name(&object, index, key) {
            continue;
        }
        match key {
            "attributes" if value.as_object().is_some() => {
                let skip = |key: &str| {
                    (key == "creationDate" && session.created.is_some())
                        || (key == "mfaAuthenticated" && session.mfa)
                };
                members_except(out, &mut rest, "attributes", value, &skip);
            }
            "sessionIssuer" if value.as_object().is_some() => {
                let skip = |key: &str| key == "arn" && session.issuer.is_some();
                members_except(out, &mut rest, "sessionIssuer", value, &skip);
            }
            _ => rest.value(out, key, Some(value)),
        }
    }
    rest.end(out, identity);
}

/// Member `name` of `parent`: the object `value` without its null members,
/// later duplicates and the members `skip` names; left out when nothing
/// remains.
pub(super) fn members_except(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    name: &'static str,
    value: Val<'_, '_>,
    skip: &dyn Fn(&str) -> bool,
) {
    let Some(object) = value.as_object() else {
        return;
    };
    let mut rest = parent.object(out, name);
    for (index, (key, value)) in object.iter().enumerate() {
        if value.is_null() || !first_of_name(&object, index, key) || skip(key) {
            continue;
        }
        rest.value(out, key, Some(value));
    }
    rest.end(out, parent);
}
