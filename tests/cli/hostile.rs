//! Hostile records aimed at how events are recognised: JSON escapes in names
//! and values (`Stop\u004cogging` is StopLogging), odd whitespace, nested and
//! duplicate `eventName` keys (the first top-level one wins), case games and
//! lookalike Unicode, Insights records naming the API that spiked, versioned
//! Lambda names, and broken records next to them. Decisions are made on the
//! decoded values, the same way on every path.

use crate::util::*;

const NOW: &str = "2026-01-15T10:05:00Z";

const HOSTILE: &str = r#"{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"Stop\u004cogging","userIdentity":{"type":"IAMUser","userName":"a"},"requestID":"escaped-name"}
{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName" :  "StopLogging","userIdentity":{"type":"IAMUser"},"requestID":"spaced"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestParameters":{"eventName":"StopLogging"},"requestID":"nested-name"}
{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"DescribeTrails","eventName":"StopLogging","requestID":"duplicate-first-benign"}
{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventName":"DescribeTrails","requestID":"duplicate-first-bad"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"\u0052oot"},"requestID":"escaped-root"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"ROOT"},"requestID":"upper-root"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"Root"},"userAgent":"ＴｒｕｆｆｌｅＨｏｇ","requestID":"fullwidth"}
{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","userAgent":"TruffleHog","userIdentity":{"type":"IAMUser"},"requestID":"trufflehog"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","readOnly":true,"errorCode":"AccessDenied","userIdentity":{"type":"AssumedRole"},"requestID":"denied-read"}
{"eventVersion":"1.11","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","insightType":"ApiCallRateInsight","state":"Start"},"requestID":"insight"}
{"eventVersion":"1.08","eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","userIdentity":{"type":"IAMUser"},"requestID":"lambda-suffix"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":123,"requestID":"wrong-type"}
{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","requestID":"truncated"
"#;

#[test]
fn hostile_records_are_decided_on_their_decoded_values() {
    let result = ctfilter(&["--now", NOW, "--stats"]).stdin(HOSTILE).run();
    result.assert_code(0);
    let out = &result.stdout;
    let kept = out.lines().count();
    for id in [
        "escaped-name",
        "spaced",
        "duplicate-first-bad",
        "escaped-root",
        "upper-root",
        "trufflehog",
        "insight",
        "lambda-suffix",
    ] {
        assert!(
            out.contains(&format!("\"requestID\":\"{id}\"")),
            "{id} must be kept:\n{out}"
        );
    }
    for id in ["nested-name", "duplicate-first-benign"] {
        assert!(
            !out.contains(&format!("\"requestID\":\"{id}\"")),
            "{id} must be dropped"
        );
    }
    assert_eq!(kept, 10, "{out}");
    let stats = result.stats();
    assert_eq!(stats["bad_by_kind"]["wrong_type"], 1, "{stats}");
    assert_eq!(stats["bad_by_kind"]["truncated"], 1, "{stats}");
    assert_eq!(stats["balanced"], true);
}
