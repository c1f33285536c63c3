//! `--format ocsf`: each kept record as one OCSF 1.1.0 event.
//!
//! API calls, console sign-ins and service events become **API Activity**
//! (class 6003), mapped the way Amazon Security Lake maps CloudTrail (field
//! for field, see `docs/formats.md`). Insights records, which have no caller
//! and describe an anomaly rather than a call, become **Detection Finding**
//! (class 2004): every attribute that class requires can be filled from them,
//! while API Activity's required `actor` and `src_endpoint` could not.
//!
//! Guarantees: one valid JSON object per line; absent, null and empty fields
//! are omitted; every top-level member that has no OCSF place is kept, as
//! JSON, under `unmapped` (so only values, never whole fields, are lost to
//! the mapping); the verdict is the `data` of one `enrichments` entry, byte
//! for byte as raw mode writes it; nothing is allocated; every document
//! validates against the OCSF 1.1.0 class schema (`tests/ocsf_schema.rs`),
//! so where OCSF requires an attribute the record cannot fill (`actor`,
//! `src_endpoint`, `api.request.uid`), a documented fallback fills it.

mod unmapped;

use crate::model::json;
use crate::model::record::{text, Val};
use crate::output::enrich::{loose_bool, IdentityFields};
use crate::output::format::{
    first_of_name, member, write_resources, Activity, Field, Fields, Kept, Obj,
};
use simd_json::prelude::{TypedScalarValue as _, ValueAsScalar as _};
use unmapped::{names_a_user, unmapped};

/// The OCSF schema version written to `metadata.version`.
pub const VERSION: &str = "1.1.0";

pub fn write(out: &mut Vec<u8>, kept: &Kept<'_, '_, '_>) {
    let fields = Fields::collect(kept.root);
    let mut root = Obj::root(out);
    let insight = kept.core.is_insight();
    if insight {
        detection_finding(out, &mut root, kept, &fields);
    } else {
        api_activity(out, &mut root, kept, &fields);
    }
    enrichments(out, &mut root, kept);
    unmapped(out, &mut root, kept.root, &fields, insight);
    root.end_root(out);
}

fn api_activity(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>, fields: &Fields) {
    let core = kept.core;
    let name = fields.str(Field::EventName);
    let activity = name.map_or(Activity::Other, Activity::of);
    class(
        out,
        root,
        (6003, "API Activity"),
        (6, "Application Activity"),
    );
    root.int(out, "activity_id", Some(activity.id()));
    root.str(out, "activity_name", Some(activity.name()));
    root.int(out, "type_uid", Some(600_300 + activity.id()));
    root.key(out, "type_name");
    out.push(b'"');
    json::write_escaped(out, "API Activity: ");
    json::write_escaped(out, activity.name());
    out.push(b'"');
    severity(out, root, kept);
    let failed = core.failed();
    root.int(out, "status_id", Some(if failed { 2 } else { 1 }));
    root.str(
        out,
        "status",
        Some(if failed { "Failure" } else { "Success" }),
    );
    root.str(out, "status_code", fields.str(Field::ErrorCode));
    root.str(out, "status_detail", fields.str(Field::ErrorMessage));
    time(out, root, fields);
    metadata(out, root, fields, kept);

    // actor
    let user = fields.object(Field::UserIdentity);
    let who = IdentityFields::of(core);
    let arn = member(user, "arn");
    let principal = member(user, "principalId");
    let context = user.and_then(|u| u.get("sessionContext"));
    let user_name = who.name.filter(|n| !n.is_empty());
    let user_uid = arn.or(principal);
    let mut actor = root.object(out, "actor");
    // OCSF wants a name, uid or account in a user; an identity with only a
    // type (AWSService) keeps it under `unmapped`.
    let account_uid = member(user, "accountId");
    let has_user = user_name.is_some() || names_a_user(user);
    let mut person = actor.object(out, "user");
    person.str(out, "type", member(user, "type").filter(|_| has_user));
    person.str(out, "name", user_name);
    person.str(out, "uid", user_uid);
    person.str(out, "uid_alt", arn.and(principal));
    let mut account = person.object(out, "account");
    account.str(out, "uid", account_uid);
    account.end(out, &mut person);
    person.str(out, "credential_uid", member(user, "accessKeyId"));
    person.end(out, &mut actor);
    let session_map = SessionMap::of(user, fields);
    let mut session = actor.object(out, "session");
    session.int(out, "created_time", session_map.created);
    session.bool(out, "is_mfa", who.mfa);
    session.str(out, "issuer", session_map.issuer);
    session.end(out, &mut actor);
    actor.str(out, "invoked_by", member(user, "invokedBy"));
    let idp = member(user, "identityProvider").or_else(|| {
        member(
            context.and_then(|c| c.get("webIdFederationData")),
            "federatedProvider",
        )
    });
    let mut provider = actor.object(out, "idp");
    provider.str(out, "name", idp);
    provider.end(out, &mut actor);
    // OCSF requires an actor; a record with no usable identity (synthetic;
    // CloudTrail always writes userIdentity) gets `user.name: "Unknown"`.
    let (_, empty) = actor.save(out);
    if empty {
        let mut nobody = actor.object(out, "user");
        nobody.str(out, "name", Some("Unknown"));
        nobody.end(out, &mut actor);
    }
    actor.end(out, root);

    // api
    let mut api = root.object(out, "api");
    api.str(out, "operation", name);
    let mut service = api.object(out, "service");
    service.str(out, "name", fields.str(Field::EventSource));
    service.end(out, &mut api);
    api.str(out, "version", fields.str(Field::ApiVersion));
    // OCSF requires `request.uid` whenever there is a `request`. Records
    // from before CloudTrail wrote requestID have parameters but no ID; the
    // eventID, unique per record, stands in (docs/formats.md).
    if let Some(uid) = request_uid(fields) {
        let mut request = api.object(out, "request");
        request.str(out, "uid", Some(uid));
        request.value(out, "data", fields.object(Field::RequestParameters));
        request.end(out, &mut api);
    }
    let mut response = api.object(out, "response");
    response.str(out, "error", fields.str(Field::ErrorCode));
    response.str(out, "message", fields.str(Field::ErrorMessage));
    response.value(out, "data", fields.object(Field::ResponseElements));
    response.end(out, &mut api);
    api.end(out, root);

    let address = fields.str(Field::SourceIpAddress);
    let ip = address.filter(|a| super::is_ip(a));
    let mut source = root.object(out, "src_endpoint");
    match ip {
        Some(ip) => source.str(out, "ip", Some(ip)),
        // A host name (`cloudformation.amazonaws.com`) or `AWS Internal`:
        // `domain`, as Security Lake writes it, and, since OCSF wants one of
        // ip, name, svc_name, ... in an endpoint, `svc_name` for an AWS
        // service, else `name`.
        None if address.is_some() => {
            source.str(out, "domain", address);
            let service = address.is_some_and(|a| a.ends_with(".amazonaws.com"));
            source.str(out, if service { "svc_name" } else { "name" }, address);
        }
        // No sourceIPAddress (synthetic records; CloudTrail always writes
        // one): OCSF requires `src_endpoint`, so the calling service, else
        // `name: "Unknown"`.
        _ => match member(user, "invokedBy") {
            Some(service) => source.str(out, "svc_name", Some(service)),
            None => source.str(out, "name", Some("Unknown")),
        },
    }
    source.str(out, "uid", fields.str(Field::VpcEndpointId));
    source.end(out, root);

    let mut http = root.object(out, "http_request");
    http.str(out, "user_agent", fields.str(Field::UserAgent));
    let mut url = http.object(out, "url");
    url.str(out, "url_string", login_to(fields));
    url.end(out, &mut http);
    http.end(out, root);

    cloud(out, root, kept);
    resources(out, root, fields);
    observables(out, root, fields, ip, user_name, user_uid);
}

/// `api.request.uid`: `requestID`; for a record with `requestParameters`
/// but no `requestID`, `eventID`. None means no `api.request`.
fn request_uid<'i>(fields: &Fields<'_, 'i>) -> Option<&'i str> {
    fields.str(Field::RequestId).or_else(|| {
        fields
            .object(Field::RequestParameters)
            .and_then(|_| fields.str(Field::EventId))
    })
}

/// The console URL a `ConsoleLogin` signed in to (`additionalEventData.LoginTo`).
fn login_to<'i>(fields: &Fields<'_, 'i>) -> Option<&'i str> {
    if fields.str(Field::EventName) != Some("ConsoleLogin") {
        return None;
    }
    member(fields.object(Field::AdditionalEventData), "LoginTo")
}

/// Which `sessionContext` values `actor.session` holds, so that `unmapped`
/// keeps only the rest.
struct SessionMap<'i> {
    created: Option<i64>,
    issuer: Option<&'i str>,
    /// `attributes.mfaAuthenticated` was read as a boolean.
    mfa: bool,
    /// `additionalEventData.MFAUsed` gave `is_mfa` (a console sign-in
    /// without `mfaAuthenticated`).
    mfa_used: bool,
}

impl<'i> SessionMap<'i> {
    fn of(user: Option<Val<'_, 'i>>, fields: &Fields<'_, 'i>) -> SessionMap<'i> {
        let context = user.and_then(|u| u.get("sessionContext"));
        let attributes = context.and_then(|c| c.get("attributes"));
        let mfa = attributes
            .and_then(|a| a.get("mfaAuthenticated"))
            .is_some_and(|v| loose_bool(v).is_some());
        let mfa_used = !mfa
            && fields.str(Field::EventName) == Some("ConsoleLogin")
            && member(fields.object(Field::AdditionalEventData), "MFAUsed").is_some();
        SessionMap {
            created: member(attributes, "creationDate").and_then(super::epoch_ms),
            issuer: member(context.and_then(|c| c.get("sessionIssuer")), "arn"),
            mfa,
            mfa_used,
        }
    }
}

/// `resources[]`: `{uid, type, owner: {account: {uid}}}` from each entry's
/// `ARN`, `type` and `accountId`; entries with none of them are skipped.
fn resources(out: &mut Vec<u8>, root: &mut Obj, fields: &Fields) {
    let from = ["ARN", "type", "accountId"];
    write_resources(
        out,
        root,
        fields,
        from,
        |out, resource, [uid, kind, account]| {
            resource.str(out, "uid", uid);
            resource.str(out, "type", kind);
            let mut owner = resource.object(out, "owner");
            let mut owner_account = owner.object(out, "account");
            owner_account.str(out, "uid", account);
            owner_account.end(out, &mut owner);
            owner.end(out, resource);
        },
    );
}

/// OCSF observable `type_id`s.
const IP_ADDRESS: i64 = 2;
const USER_NAME: i64 = 4;
const RESOURCE_UID: i64 = 10;

/// `observables`: the source IP, the actor's name and ARN, and every
/// resource ARN, each with the attribute it was written to.
fn observables(
    out: &mut Vec<u8>,
    root: &mut Obj,
    fields: &Fields,
    ip: Option<&str>,
    user_name: Option<&str>,
    user_uid: Option<&str>,
) {
    let saved = root.save(out);
    root.key(out, "observables");
    out.push(b'[');
    let mut count = 0;
    let mut one =
        |out: &mut Vec<u8>, name: &'static str, kind: (i64, &'static str), value: &str| {
            if count > 0 {
                out.push(b',');
            }
            count += 1;
            let mut observable = Obj::open(out);
            observable.str(out, "name", Some(name));
            observable.int(out, "type_id", Some(kind.0));
            observable.str(out, "type", Some(kind.1));
            observable.str(out, "value", Some(value));
            observable.close(out);
        };
    if let Some(ip) = ip {
        one(out, "src_endpoint.ip", (IP_ADDRESS, "IP Address"), ip);
    }
    if let Some(name) = user_name {
        one(out, "actor.user.name", (USER_NAME, "User Name"), name);
    }
    if let Some(uid) = user_uid.filter(|u| u.starts_with("arn:")) {
        one(out, "actor.user.uid", (RESOURCE_UID, "Resource UID"), uid);
    }
    if let Some(items) = fields.get(Field::Resources).and_then(|v| v.as_array()) {
        for arn in items.iter().filter_map(|item| member(Some(item), "ARN")) {
            one(out, "resources.uid", (RESOURCE_UID, "Resource UID"), arn);
        }
    }
    if count == 0 {
        root.restore(out, saved);
    } else {
        out.push(b']');
    }
}

/// Insights records: Detection Finding. `Start` creates the finding, `End`
/// closes it; both carry `sharedEventID` as the finding's uid.
fn detection_finding(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>, fields: &Fields) {
    let details = fields.object(Field::InsightDetails);
    let state = member(details, "state");
    let (activity_id, activity_name) = match state {
        Some("Start") => (1, "Create"),
        Some("End") => (3, "Close"),
        Some(other) => (99, other),
        None => (99, "Other"),
    };
    class(out, root, (2004, "Detection Finding"), (2, "Findings"));
    root.int(out, "activity_id", Some(activity_id));
    root.str(out, "activity_name", Some(activity_name));
    root.int(out, "type_uid", Some(200_400 + activity_id));
    root.key(out, "type_name");
    out.push(b'"');
    json::write_escaped(out, "Detection Finding: ");
    json::write_escaped(out, activity_name);
    out.push(b'"');
    severity(out, root, kept);
    time(out, root, fields);
    let at = fields.str(Field::EventTime).and_then(super::epoch_ms);
    match state {
        Some("Start") => root.int(out, "start_time", at),
        Some("End") => root.int(out, "end_time", at),
        _ => {}
    }
    metadata(out, root, fields, kept);

    let mut finding = root.object(out, "finding_info");
    finding.str(
        out,
        "uid",
        fields
            .str(Field::SharedEventId)
            .or(fields.str(Field::EventId)),
    );
    let kind = member(details, "insightType");
    finding.key(out, "title");
    out.push(b'"');
    json::write_escaped(
        out,
        match kind {
            Some("ApiCallRateInsight") => "Unusual API call rate",
            Some("ApiErrorRateInsight") => "Unusual API error rate",
            Some(other) => other,
            None => "CloudTrail Insight",
        },
    );
    if let Some(name) = member(details, "eventName") {
        json::write_escaped(out, ": ");
        json::write_escaped(out, name);
        if let Some(source) = member(details, "eventSource") {
            json::write_escaped(out, " (");
            json::write_escaped(out, source);
            json::write_escaped(out, ")");
        }
    }
    out.push(b'"');
    if let Some(kind) = kind {
        finding.key(out, "types");
        out.push(b'[');
        json::write_str(out, kind);
        out.push(b']');
    }
    finding.end(out, root);
    cloud(out, root, kept);
}

fn class(out: &mut Vec<u8>, root: &mut Obj, class: (i64, &str), category: (i64, &str)) {
    root.int(out, "class_uid", Some(class.0));
    root.str(out, "class_name", Some(class.1));
    root.int(out, "category_uid", Some(category.0));
    root.str(out, "category_name", Some(category.1));
}

fn severity(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>) {
    let level = kept.verdict.severity;
    root.int(out, "severity_id", Some(super::severity_id(level)));
    root.str(out, "severity", Some(super::severity_caption(level)));
}

fn time(out: &mut Vec<u8>, root: &mut Obj, fields: &Fields) {
    root.int(
        out,
        "time",
        fields.str(Field::EventTime).and_then(super::epoch_ms),
    );
}

fn metadata(out: &mut Vec<u8>, root: &mut Obj, fields: &Fields, kept: &Kept<'_, '_, '_>) {
    let mut meta = root.object(out, "metadata");
    meta.str(out, "version", Some(VERSION));
    let mut product = meta.object(out, "product");
    product.str(out, "name", Some("CloudTrail"));
    product.str(out, "vendor_name", Some("AWS"));
    product.str(out, "version", fields.str(Field::EventVersion));
    let mut feature = product.object(out, "feature");
    feature.str(out, "name", Some(feature_name(kept, fields)));
    feature.end(out, &mut product);
    product.end(out, &mut meta);
    meta.key(out, "profiles");
    out.extend_from_slice(b"[\"cloud\"]");
    meta.str(out, "uid", fields.str(Field::EventId));
    meta.str(out, "event_code", fields.str(Field::EventType));
    meta.str(out, "original_time", fields.str(Field::EventTime));
    meta.end(out, root);
}

/// `eventCategory` (Management, Data, NetworkActivity, Insight); records from
/// before it existed (eventVersion < 1.07) are Management unless
/// `managementEvent` is false.
fn feature_name<'i>(kept: &Kept<'_, '_, 'i>, fields: &Fields<'_, 'i>) -> &'i str {
    if let Some(category) = fields.str(Field::EventCategory) {
        return category;
    }
    if kept.core.is_insight() {
        return "Insight";
    }
    match fields.get(Field::ManagementEvent).and_then(|v| v.as_bool()) {
        Some(false) => "Data",
        _ => "Management",
    }
}

fn cloud(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>) {
    let mut cloud = root.object(out, "cloud");
    cloud.str(out, "provider", Some("AWS"));
    cloud.str(
        out,
        "region",
        kept.core.aws_region.filter(|r| !r.is_empty()),
    );
    let mut account = cloud.object(out, "account");
    account.str(out, "uid", kept.core.account().filter(|a| !a.is_empty()));
    account.end(out, &mut cloud);
    cloud.end(out, root);
}

fn enrichments(out: &mut Vec<u8>, root: &mut Obj, kept: &Kept<'_, '_, '_>) {
    root.key(out, "enrichments");
    out.push(b'[');
    let mut entry = Obj::open(out);
    entry.str(out, "name", Some(&kept.plan.options.key));
    entry.str(out, "value", Some(kept.verdict.severity.as_str()));
    entry.str(out, "type", Some("verdict"));
    entry.str(out, "provider", Some("ctfilter"));
    entry.raw(out, "data", kept.verdict_json);
    entry.close(out);
    out.push(b']');
}
