//! Who acted, for ECS: `user.*`, `group.*`, `service.name` and the
//! `related.user` list, derived from `userIdentity` and the request as
//! Elastic's CloudTrail pipeline derives them (see docs/formats.md).
//!
//! Guarantees: every value borrows from the input; nothing allocates.

use crate::model::record::Val;
use crate::output::format::{member, Field, Fields};

/// The `user.*`, `group.*`, `service.name` and `related.user` values.
pub(super) struct People<'i> {
    /// `user.name`: the role of an assumed role or federated user
    /// (`sessionIssuer.userName`), else `userIdentity.userName`, else, for
    /// IAM Identity Center `UserAuthentication`, `additionalEventData.UserName`.
    /// Never set from the identity of an AWS service.
    pub(super) name: Option<&'i str>,
    /// `user.id`: `principalId` (not of an AWS service), else
    /// `onBehalfOf.userId` of an `IdentityCenterUser`.
    pub(super) id: Option<&'i str>,
    pub(super) target_name: Option<&'i str>,
    pub(super) target_id: Option<&'i str>,
    pub(super) new_name: Option<&'i str>,
    /// `service.name`: the AWS service that acted (see [`service_actor`]).
    pub(super) service: Option<&'i str>,
    /// The session name at the end of an STS assumed-role, federated-user or
    /// Identity Center ARN.
    session: Option<&'i str>,
    /// `userIdentity.onBehalfOf.userId`, whatever the identity type.
    on_behalf_of: Option<&'i str>,
}

impl<'i> People<'i> {
    pub(super) fn of(
        fields: &Fields<'_, 'i>,
        user: Option<Val<'_, 'i>>,
        request: Option<Val<'_, 'i>>,
        response: Option<Val<'_, 'i>>,
        event_name: Option<&str>,
    ) -> People<'i> {
        let kind = member(user, "type");
        let issuer = user
            .and_then(|u| u.get("sessionContext"))
            .and_then(|c| c.get("sessionIssuer"));
        let service = service_actor(user, issuer);
        let person = service.is_none();
        let mut name = member(user, "userName").filter(|_| person);
        if person && matches!(kind, Some("AssumedRole" | "FederatedUser")) {
            name = member(issuer, "userName").or(name);
        }
        if name.is_none() && event_name == Some("UserAuthentication") {
            name = member(fields.object(Field::AdditionalEventData), "UserName");
        }
        let on_behalf_of = member(user.and_then(|u| u.get("onBehalfOf")), "userId");
        let mut id = member(user, "principalId").filter(|_| person);
        if id.is_none() && kind == Some("IdentityCenterUser") {
            id = on_behalf_of;
        }
        let session = member(user, "arn")
            .filter(|_| {
                matches!(
                    kind,
                    Some("AssumedRole" | "FederatedUser" | "IdentityCenterUser")
                )
            })
            .and_then(session_name);
        People {
            name,
            id,
            target_name: member(request, "userName"),
            target_id: member(response.and_then(|r| r.get("user")), "userId"),
            new_name: member(request, "newUserName"),
            service,
            session,
            on_behalf_of,
        }
    }

    /// The local part of a session name that is an address.
    fn session_prefix(&self) -> Option<&'i str> {
        self.session
            .and_then(|s| s.split_once('@'))
            .map(|(local, _)| local)
            .filter(|l| !l.is_empty())
    }

    /// `user.email`: a session name that is an address, else `user.name`
    /// when it holds an `@` after its first character.
    pub(super) fn email(&self) -> Option<&'i str> {
        if self.session_prefix().is_some() {
            return self.session;
        }
        self.name.filter(|n| n.find('@').is_some_and(|at| at > 0))
    }

    /// `related.user` candidates, in the order Elastic appends them (repeats
    /// are dropped by the writer).
    pub(super) fn related(&self) -> [Option<&'i str>; 8] {
        [
            self.session,
            self.session_prefix(),
            self.target_name,
            self.new_name,
            self.target_id,
            self.id,
            self.name,
            self.on_behalf_of,
        ]
    }
}

/// The AWS service behind an identity that is not a person: `invokedBy` of
/// an `AWSService` identity, or of an assumed service-linked role
/// (`…:role/aws-service-role/<service>/…`), whose service is otherwise the
/// one its path names. Never decided from `invokedBy` alone, which console
/// sign-ins also carry.
pub(super) fn service_actor<'i>(
    user: Option<Val<'_, 'i>>,
    issuer: Option<Val<'_, 'i>>,
) -> Option<&'i str> {
    let invoked = member(user, "invokedBy");
    match member(user, "type")? {
        "AWSService" => invoked,
        "AssumedRole" => {
            const MARKER: &str = ":role/aws-service-role/";
            let arn = member(issuer, "arn")?;
            let rest = &arn[arn.find(MARKER)? + MARKER.len()..];
            invoked.or_else(|| {
                rest.split_once('/')
                    .map(|(service, _)| service)
                    .filter(|s| !s.is_empty())
            })
        }
        _ => None,
    }
}

/// The session name of an STS ARN, in any partition
/// (`arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com` →
/// `alice@example.com`): everything after the last `/`.
pub(super) fn session_name(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let valid = !partition.is_empty()
        && partition
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let rest = rest.strip_prefix("sts:").filter(|_| valid)?;
    let (_, session) = rest.rsplit_once('/')?;
    Some(session).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_come_from_sts_arns_of_any_partition() {
        for (arn, session) in [
            (
                "arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com",
                Some("alice@example.com"),
            ),
            (
                "arn:aws-us-gov:sts::111122223333:federated-user/bob",
                Some("bob"),
            ),
            ("arn:aws-cn:sts::111122223333:assumed-role/R/a/b", Some("b")),
            ("arn:aws:iam::111122223333:user/carol", None),
            ("arn:aws:sts::111122223333:assumed-role/Admin/", None),
            ("arn:AWS:sts::111122223333:assumed-role/Admin/x", None),
            ("arn::sts::1:assumed-role/Admin/x", None),
            ("not an arn", None),
        ] {
            assert_eq!(session_name(arn), session, "{arn}");
        }
    }
}
