//! Once warmed up, processing a record allocates nothing: not for a dropped
//! record, not for a kept one (verdict written and spliced into the output),
//! not for a record inside a `{"Records":[...]}` envelope. Checked with a
//! counting global allocator around the library's per-line entry point.

use clap::Parser;
use ctfilter::cli::args::Cli;
use ctfilter::input::origin::Where;
use ctfilter::output::deadletter::DeadLetterStyle;
use ctfilter::run::process::{Processor, Sink};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The counter is global: tests that read it must not overlap.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

const KEPT: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2026-01-15T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.10","userAgent":"aws-cli/2.15.30 Python/3.11.8","requestParameters":{"name":"org-trail"},"responseElements":null,"eventID":"e1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#;
const DROPPED: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/i-0abc","accountId":"111122223333","sessionContext":{"ec2RoleDelivery":"2.0"}},"eventTime":"2026-01-15T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-sdk-go/1.44","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]}},"responseElements":null,"readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
/// A kept record that reaches every ECS derivation: a service-linked role
/// with an address as session name, a basic-format creation date, host
/// names, instance ids and the newer `aws.cloudtrail` members.
const KEPT_RICH: &str = r#"{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:a@example.com","arn":"arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForX/a@example.com","accountId":"111122223333","onBehalfOf":{"userId":"u-1"},"inScopeOf":{"issuerType":"AWS::Lambda::Function"},"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX","userName":"AWSServiceRoleForX"},"webIdFederationData":{"federatedProvider":"p","attributes":{"k":"v"}},"attributes":{"creationDate":"20260115T095000Z","mfaAuthenticated":"false"}}},"eventTime":"2026-01-15T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"host.corp.example.com","userAgent":"aws-cli/2.15.30","requestParameters":{"name":"org-trail","userName":"bob","instanceIds":["i-0aaaaaaaaaaaaaaa1","i-0aaaaaaaaaaaaaaa1"],"computerName":"WIN-1"},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-0bbbbbbbbbbbbbbb2"}]}},"serviceEventDetails":{"sourceIpAddress":"198.51.100.9"},"resources":[{"ARN":"arn:aws:ec2:us-east-1:111122223333:instance/i-0ccccccccccccccc3"}],"eventID":"e2","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","sharedEventId":"s-1","addendum":{"reason":"DELIVERY_DELAY"},"tlsDetails":{"tlsVersion":"TLSv1.3","clientProvidedHostHeader":"proxy.example.com","keyExchange":"x25519"}}"#;

fn allocations_for(
    processor: &mut Processor,
    plan: &ctfilter::rules::plan::Plan,
    line: &str,
    sink: &mut Sink,
) -> usize {
    let at = Where {
        source: "test",
        line: 1,
    };
    // Warm up: buffers grow to fit, regex caches fill.
    for _ in 0..3 {
        processor.line(plan, line.as_bytes(), at, sink);
        sink.clear();
    }
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for _ in 0..100 {
        processor.line(plan, line.as_bytes(), at, sink);
        sink.clear();
    }
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn warmed_up_records_allocate_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cli = Cli::try_parse_from(["ctfilter", "--now", "2026-01-15T10:05:00Z"]).unwrap();
    let plan = cli.filter.plan().unwrap();
    let mut processor = Processor::new(&plan, DeadLetterStyle::Reason);
    let mut sink = Sink::default();

    assert_eq!(
        allocations_for(&mut processor, &plan, DROPPED, &mut sink),
        0,
        "dropped record"
    );
    assert_eq!(processor.stats.emitted, 0);

    assert_eq!(
        allocations_for(&mut processor, &plan, KEPT, &mut sink),
        0,
        "kept record"
    );
    assert_eq!(processor.stats.emitted, 103);

    let envelope = format!(r#"{{"Records":[{KEPT},{DROPPED},{KEPT}]}}"#);
    assert_eq!(
        allocations_for(&mut processor, &plan, &envelope, &mut sink),
        0,
        "Records envelope"
    );
    assert!(processor.stats.balanced());
}

#[test]
fn the_counter_sees_allocations() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let v = std::hint::black_box(vec![1u8; 64]);
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
    drop(v);
}

#[test]
fn warmed_up_ocsf_and_ecs_records_allocate_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for format in ["ocsf", "ecs"] {
        let cli = Cli::try_parse_from([
            "ctfilter",
            "--now",
            "2026-01-15T10:05:00Z",
            "--format",
            format,
        ])
        .unwrap();
        let plan = cli.filter.plan().unwrap();
        let mut processor = Processor::new(&plan, DeadLetterStyle::Reason);
        let mut sink = Sink::default();
        assert_eq!(
            allocations_for(&mut processor, &plan, KEPT, &mut sink),
            0,
            "kept record, --format {format}"
        );
        assert_eq!(
            allocations_for(&mut processor, &plan, DROPPED, &mut sink),
            0,
            "dropped record, --format {format}"
        );
        assert_eq!(processor.stats.emitted, 103);
        assert_eq!(
            allocations_for(&mut processor, &plan, KEPT_RICH, &mut sink),
            0,
            "kept record with every derivation, --format {format}"
        );
        assert_eq!(processor.stats.emitted, 206);
    }
}

#[test]
fn warmed_up_dedupe_records_allocate_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cli = Cli::try_parse_from(["ctfilter", "--now", "2026-01-15T10:05:00Z"]).unwrap();
    let plan = cli.filter.plan().unwrap();
    let options = ctfilter::run::state::StateOptions {
        dedupe: Some(ctfilter::engine::state::Window::hours(1)),
        ..Default::default()
    };
    let mut processor = Processor::new(&plan, DeadLetterStyle::Reason);
    *processor.tracker() = options.open(&plan).unwrap();
    let mut sink = Sink::default();
    // Repeats of one eventID: dropped as duplicates.
    assert_eq!(
        allocations_for(&mut processor, &plan, KEPT, &mut sink),
        0,
        "duplicate"
    );
    assert_eq!(processor.stats.emitted, 1);
    // An update: kept, with update_of in the verdict.
    let update = KEPT.replacen(
        '{',
        r#"{"addendum":{"reason":"UPDATED_DATA","originalEventID":"e0"},"#,
        1,
    );
    assert_eq!(
        allocations_for(&mut processor, &plan, &update, &mut sink),
        0,
        "addendum"
    );
    assert_eq!(processor.stats.emitted, 1 + 103);
    assert!(processor.stats.balanced());
}

#[test]
fn the_fast_path_allocates_nothing_once_warm() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cli = Cli::try_parse_from([
        "ctfilter",
        "--now",
        "2026-01-15T10:05:00Z",
        "--validate",
        "fast",
    ])
    .unwrap();
    let plan = cli.filter.plan().unwrap();
    let mut processor = Processor::new(&plan, DeadLetterStyle::Reason);
    let mut sink = Sink::default();
    assert_eq!(
        allocations_for(&mut processor, &plan, DROPPED, &mut sink),
        0,
        "dropped record, fast path"
    );
    // Every dropped record was decided on the fast path.
    assert_eq!(processor.fast_dropped, 103);
    assert_eq!(
        allocations_for(&mut processor, &plan, KEPT, &mut sink),
        0,
        "kept record, fast path then full parse"
    );
    assert_eq!(processor.stats.emitted, 103);
    let envelope = format!(r#"{{"Records":[{KEPT},{DROPPED},{KEPT}]}}"#);
    assert_eq!(
        allocations_for(&mut processor, &plan, &envelope, &mut sink),
        0,
        "Records envelope, fast path"
    );
    assert_eq!(processor.fast_dropped, 206);
    assert!(processor.stats.balanced());
}
