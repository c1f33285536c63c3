//! Mappings both OCSF and ECS use: activity kinds, severity ids and captions,
//! IP detection and time stamps.
//!
//! Guarantees: a time that does not parse gives `None`, never a guess.

use super::*;
use crate::model::calendar::civil_from_days;

/// What an API call does, from the verb that starts its name. The numbers are
/// OCSF API Activity `activity_id`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Create = 1,
    Read = 2,
    Update = 3,
    Delete = 4,
    Other = 99,
}

impl Activity {
    /// `CreateUser` -> Create, `ListBuckets` -> Read, `PutBucketPolicy` ->
    /// Update, `DetachUserPolicy` -> Delete, `AssumeRole` -> Other. `Batch`
    /// names are classified by their second verb (`BatchGetItem` -> Read).
    pub fn of(event_name: &str) -> Activity {
        let mut verb = enrich::action_of(event_name);
        if verb == "Batch" && event_name.len() > verb.len() {
            verb = enrich::action_of(&event_name[verb.len()..]);
        }
        match verb {
            "Create" | "Run" | "Generate" | "Allocate" | "Import" | "Issue" | "Launch" | "Copy"
            | "Clone" | "Provision" | "Upload" | "Request" | "Purchase" => Activity::Create,
            "Get" | "List" | "Describe" | "Head" | "Lookup" | "Search" | "Query" | "Scan"
            | "Select" | "Read" | "View" | "Download" | "Filter" | "Retrieve" | "Preview" => {
                Activity::Read
            }
            "Update" | "Put" | "Modify" | "Set" | "Attach" | "Add" | "Associate" | "Enable"
            | "Disable" | "Start" | "Stop" | "Tag" | "Reset" | "Change" | "Replace" | "Restore"
            | "Rotate" | "Register" | "Authorize" | "Apply" | "Edit" | "Reboot" | "Accept"
            | "Reject" | "Confirm" | "Cancel" | "Resume" | "Suspend" | "Activate"
            | "Deactivate" | "Upgrade" | "Move" | "Assign" | "Grant" | "Link" | "Subscribe"
            | "Share" | "Promote" | "Patch" | "Write" | "Rename" => Activity::Update,
            "Delete" | "Remove" | "Detach" | "Disassociate" | "Deregister" | "Terminate"
            | "Revoke" | "Untag" | "Purge" | "Destroy" | "Drop" | "Release" | "Retire"
            | "Unassign" | "Unlink" | "Unsubscribe" | "Unshare" | "Erase" | "Discard" => {
                Activity::Delete
            }
            _ => Activity::Other,
        }
    }

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn name(self) -> &'static str {
        match self {
            Activity::Create => "Create",
            Activity::Read => "Read",
            Activity::Update => "Update",
            Activity::Delete => "Delete",
            Activity::Other => "Other",
        }
    }
}

/// OCSF `severity_id` (and ECS `event.severity`): info 1 .. critical 5.
pub fn severity_id(severity: Severity) -> i64 {
    severity as i64 + 1
}

/// OCSF severity caption for [`severity_id`].
pub fn severity_caption(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// Whether `address` is an IPv4 or IPv6 address (not a host name such as
/// `cloudformation.amazonaws.com` or `AWS Internal`).
pub fn is_ip(address: &str) -> bool {
    address.parse::<std::net::IpAddr>().is_ok()
}

/// Milliseconds since the epoch for a CloudTrail time stamp.
pub fn epoch_ms(stamp: &str) -> Option<i64> {
    enrich::parse_time(stamp).and_then(secs_to_ms)
}

pub(super) fn secs_to_ms(secs: f64) -> Option<i64> {
    let ms = (secs * 1000.0).round();
    (ms.is_finite() && ms.abs() < 9.0e15).then_some(ms as i64)
}

/// Write `secs` (epoch seconds) as a quoted `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn write_iso_time(out: &mut Vec<u8>, secs: f64) -> bool {
    let Some(ms) = secs_to_ms(secs) else {
        return false;
    };
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return false;
    }
    let _ = write!(
        out,
        "\"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z\"",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    );
    true
}
