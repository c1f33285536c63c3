//! The record fields the OCSF and ECS writers read, resolved once per record.
//!
//! Guarantees: each field is looked up on the tape at most once per record,
//! and a lookup never allocates.

use super::*;

/// The top-level CloudTrail members the formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    EventVersion,
    UserIdentity,
    EventTime,
    EventSource,
    EventName,
    AwsRegion,
    SourceIpAddress,
    UserAgent,
    ErrorCode,
    ErrorMessage,
    RequestParameters,
    ResponseElements,
    AdditionalEventData,
    RequestId,
    EventId,
    EventType,
    ApiVersion,
    ManagementEvent,
    ReadOnly,
    Resources,
    RecipientAccountId,
    SharedEventId,
    VpcEndpointId,
    EventCategory,
    TlsDetails,
    ServiceEventDetails,
    InsightDetails,
    SessionCredentialFromConsole,
}

pub(super) const FIELDS: usize = Field::SessionCredentialFromConsole as usize + 1;

impl Field {
    pub(crate) fn of(key: &str) -> Option<Field> {
        Some(match key {
            "eventVersion" => Field::EventVersion,
            "userIdentity" => Field::UserIdentity,
            "eventTime" => Field::EventTime,
            "eventSource" => Field::EventSource,
            "eventName" => Field::EventName,
            "awsRegion" => Field::AwsRegion,
            "sourceIPAddress" => Field::SourceIpAddress,
            "userAgent" => Field::UserAgent,
            "errorCode" => Field::ErrorCode,
            "errorMessage" => Field::ErrorMessage,
            "requestParameters" => Field::RequestParameters,
            "responseElements" => Field::ResponseElements,
            "additionalEventData" => Field::AdditionalEventData,
            "requestID" => Field::RequestId,
            "eventID" => Field::EventId,
            "eventType" => Field::EventType,
            "apiVersion" => Field::ApiVersion,
            "managementEvent" => Field::ManagementEvent,
            "readOnly" => Field::ReadOnly,
            "resources" => Field::Resources,
            "recipientAccountId" => Field::RecipientAccountId,
            "sharedEventID" => Field::SharedEventId,
            "vpcEndpointId" => Field::VpcEndpointId,
            "eventCategory" => Field::EventCategory,
            "tlsDetails" => Field::TlsDetails,
            "serviceEventDetails" => Field::ServiceEventDetails,
            "insightDetails" => Field::InsightDetails,
            "sessionCredentialFromConsole" => Field::SessionCredentialFromConsole,
            _ => return None,
        })
    }
}

/// The record's top-level members, found in one pass; the first occurrence of
/// a key wins, and its position is kept so later duplicates can be skipped.
pub(crate) struct Fields<'t, 'i> {
    slots: [Option<(usize, Val<'t, 'i>)>; FIELDS],
}

impl<'t, 'i> Fields<'t, 'i> {
    pub(crate) fn collect(root: Val<'t, 'i>) -> Fields<'t, 'i> {
        let mut slots = [None; FIELDS];
        if let Some(object) = root.as_object() {
            for (index, (key, value)) in object.iter().enumerate() {
                if let Some(field) = Field::of(key) {
                    let slot = &mut slots[field as usize];
                    if slot.is_none() {
                        *slot = Some((index, value));
                    }
                }
            }
        }
        Fields { slots }
    }

    /// The value, unless absent or null.
    pub(crate) fn get(&self, field: Field) -> Option<Val<'t, 'i>> {
        self.slots[field as usize]
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// The value when it is a non-empty string.
    pub(crate) fn str(&self, field: Field) -> Option<&'i str> {
        self.get(field).and_then(text).filter(|s| !s.is_empty())
    }

    /// The value when it is an object.
    pub(crate) fn object(&self, field: Field) -> Option<Val<'t, 'i>> {
        self.get(field).filter(|v| v.as_object().is_some())
    }

    /// Whether member `index` of the record is the first occurrence of `field`.
    pub(crate) fn is_first(&self, field: Field, index: usize) -> bool {
        self.slots[field as usize].is_some_and(|(at, _)| at == index)
    }
}

/// Whether member `index` (named `key`) of `object` is the first with its name.
pub(crate) fn first_of_name(
    object: &simd_json::tape::Object<'_, '_>,
    index: usize,
    key: &str,
) -> bool {
    object.iter().take(index).all(|(k, _)| k != key)
}

/// A non-empty string member of an object value.
pub(crate) fn member<'i>(value: Option<Val<'_, 'i>>, key: &str) -> Option<&'i str> {
    value
        .and_then(|v| v.get(key))
        .and_then(text)
        .filter(|s| !s.is_empty())
}

/// Write the record's `resources` as member `resources` of `parent`: for
/// each entry, the values of its members `from` (in that order) are handed
/// to `write`, inside a new object. Entries with none of them are skipped,
/// and the member is left out when no entry remains.
pub(crate) fn write_resources<'i>(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    fields: &Fields<'_, 'i>,
    from: [&str; 3],
    mut write: impl FnMut(&mut Vec<u8>, &mut Obj, [Option<&'i str>; 3]),
) {
    let Some(items) = fields.get(Field::Resources).and_then(|v| v.as_array()) else {
        return;
    };
    let saved = parent.save(out);
    parent.key(out, "resources");
    out.push(b'[');
    let mut count = 0;
    for item in items.iter() {
        let values = from.map(|key| member(Some(item), key));
        if values.iter().all(Option::is_none) {
            continue;
        }
        if count > 0 {
            out.push(b',');
        }
        count += 1;
        let mut resource = Obj::open(out);
        write(out, &mut resource, values);
        resource.close(out);
    }
    if count == 0 {
        parent.restore(out, saved);
    } else {
        out.push(b']');
    }
}
