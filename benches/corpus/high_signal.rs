//! Under 1% of records: rare, security-relevant events.
//!
//! Trail tampering, IAM backdoors, public sharing of snapshots, AMIs and
//! buckets, security-group openings, secrets reads, GuardDuty and Config
//! changes, SSM `SendCommand` and root sign-ins. About a quarter are denied
//! (with the service's own AccessDenied shape) and some use odd user agents,
//! as an attacker's tooling would.

use super::actors::{Actor, Pools};
use super::record::{Rid, St, Tls};
use super::rng::{b32, b64, hex, num, s_hex, uuid};
use super::time::aws_date;
use super::vocab::voc;

/// The arms of `[mix.high_signal.actor]` in templates.txt.
pub(super) const ACTOR_ARMS: &[&str] = &["human", "ec2", "ci", "root"];

/// The arms of `[mix.high_signal]` in templates.txt.
pub(super) const ARMS: &[&str] = &[
    "trail_tamper",
    "trail_event_selectors",
    "guardduty_tamper",
    "iam_backdoor",
    "kms_key_destroy",
    "sg_open_ingress",
    "snapshot_share",
    "bucket_public",
    "leave_organization",
    "console_login",
    "get_secret_value",
    "lambda_backdoor",
    "ssm_send_command",
    "list_buckets",
];

impl St {
    // ---- <1%: high-signal events ------------------------------------------

    pub(super) fn high_signal(&mut self, p: &Pools, out: &mut Vec<u8>) {
        // Who: mostly humans, sometimes a machine role (stolen instance
        // credentials), sometimes root.
        let a: &Actor = match voc().mix_high_signal_actor.pick(&mut self.r) {
            "human" => self.r.pick(&p.humans),
            "ec2" => self.r.pick(&p.ec2),
            "ci" => &p.ci[0],
            "root" => {
                self.root = true;
                self.r.pick(&p.roots)
            }
            arm => unreachable!("[mix.high_signal.actor] arm {arm:?}"),
        };
        let deny = self.r.pct(25);
        let odd_ua = self.r.pct(15);
        let ua: &str = if odd_ua {
            if self.r.pct(30) {
                voc().ua_trufflehog
            } else {
                voc().ua_odd[self.r.below(voc().ua_odd.len() as u64) as usize]
            }
        } else {
            a.ua
        };
        let ver = self.ver(false);
        let acct = voc().accounts[a.acct];
        let tls_for = |svc: &'static str| if a.console { Tls::None } else { Tls::Svc(svc) };
        match voc().mix_high_signal.pick(&mut self.r) {
            "trail_tamper" => {
                let name = *self.r.pick(&["StopLogging", "DeleteTrail", "UpdateTrail"]);
                self.head(out, ver, a, None, "cloudtrail", name, &a.ip, ua);
                let trail = format!(
                    "arn:aws:cloudtrail:{}:{}:trail/org-trail",
                    self.region,
                    voc().accounts[voc().org_trail_account]
                );
                if deny {
                    self.denied(out, a, "cloudtrail", name, &trail);
                }
                put!(out, ",\"requestParameters\":{\"name\":\"", trail, "\"");
                if name == "UpdateTrail" {
                    put!(
                        out,
                        ",\"s3BucketName\":\"exfil-logs-",
                        acct,
                        "\",\"isMultiRegionTrail\":false,\"includeGlobalServiceEvents\":false"
                    );
                }
                put!(out, "}");
                if name == "UpdateTrail" && !deny {
                    put!(out, ",\"responseElements\":{\"name\":\"org-trail\",\"s3BucketName\":\"exfil-logs-", acct, "\",\"includeGlobalServiceEvents\":false,\"isMultiRegionTrail\":false,\"trailARN\":\"", trail, "\",\"logFileValidationEnabled\":false,\"isOrganizationTrail\":false}");
                } else {
                    put!(out, ",\"responseElements\":null");
                }
                self.ids(out, Rid::Uuid, false);
                self.resource(
                    out,
                    true,
                    voc().org_trail_account,
                    "AWS::CloudTrail::Trail",
                    &[trail.as_str()],
                );
                out.push(b']');
                let t = tls_for("cloudtrail");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "trail_event_selectors" => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "cloudtrail",
                    "PutEventSelectors",
                    &a.ip,
                    ua,
                );
                let trail = format!(
                    "arn:aws:cloudtrail:{}:{}:trail/org-trail",
                    self.region,
                    voc().accounts[voc().org_trail_account]
                );
                if deny {
                    self.denied(out, a, "cloudtrail", "PutEventSelectors", &trail);
                }
                let sel = "[{\"readWriteType\":\"WriteOnly\",\"includeManagementEvents\":false,\"dataResources\":[],\"excludeManagementEventSources\":[\"kms.amazonaws.com\",\"rdsdata.amazonaws.com\"]}]";
                put!(
                    out,
                    ",\"requestParameters\":{\"trailName\":\"",
                    trail,
                    "\",\"eventSelectors\":",
                    sel,
                    "}"
                );
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(
                        out,
                        ",\"responseElements\":{\"trailARN\":\"",
                        trail,
                        "\",\"eventSelectors\":",
                        sel,
                        "}"
                    );
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("cloudtrail");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "guardduty_tamper" => {
                let name = if self.r.pct(50) {
                    "DeleteDetector"
                } else {
                    "UpdateDetector"
                };
                self.head(out, ver, a, None, "guardduty", name, &a.ip, ua);
                if deny {
                    let res = format!(
                        "arn:aws:guardduty:{}:{}:detector/{}",
                        self.region, acct, p.detector
                    );
                    self.denied(out, a, "guardduty", name, &res);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"detectorId\":\"",
                    p.detector,
                    "\"",
                    if name == "UpdateDetector" {
                        ",\"enable\":false,\"findingPublishingFrequency\":\"SIX_HOURS\""
                    } else {
                        ""
                    },
                    "},\"responseElements\":null"
                );
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("guardduty");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "iam_backdoor" => {
                let name = *self.r.pick(&[
                    "CreateAccessKey",
                    "CreateLoginProfile",
                    "AttachUserPolicy",
                    "CreateUser",
                    "UpdateAssumeRolePolicy",
                ]);
                let target = *self
                    .r
                    .pick(&["svc-backup", "jenkins", "tmp-admin", "alice"]);
                self.head(out, ver, a, None, "iam", name, &a.ip, ua);
                if deny {
                    let res = format!("arn:aws:iam::{acct}:user/{target}");
                    self.denied(out, a, "iam", name, &res);
                }
                match name {
                    "UpdateAssumeRolePolicy" => {
                        put!(out, ",\"requestParameters\":{\"roleName\":\"OrganizationAccountAccessRole\",\"policyDocument\":\"{\\n  \\\"Version\\\": \\\"2012-10-17\\\",\\n  \\\"Statement\\\": [\\n    {\\n      \\\"Effect\\\": \\\"Allow\\\",\\n      \\\"Principal\\\": {\\n        \\\"AWS\\\": \\\"arn:aws:iam::999988887777:root\\\"\\n      },\\n      \\\"Action\\\": \\\"sts:AssumeRole\\\"\\n    }\\n  ]\\n}\"},\"responseElements\":null");
                    }
                    "AttachUserPolicy" => put!(out, ",\"requestParameters\":{\"userName\":\"", target, "\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"},\"responseElements\":null"),
                    _ => {
                        put!(out, ",\"requestParameters\":{\"userName\":\"", target, "\"", if name == "CreateLoginProfile" { ",\"passwordResetRequired\":false" } else { "" }, "}");
                        if deny {
                            put!(out, ",\"responseElements\":null");
                        } else {
                            match name {
                                "CreateAccessKey" => {
                                    put!(out, ",\"responseElements\":{\"accessKey\":{\"userName\":\"", target, "\",\"accessKeyId\":\"AKIA");
                                    b32(out, &mut self.r, 16);
                                    put!(out, "\",\"status\":\"Active\",\"createDate\":\"");
                                }
                                "CreateLoginProfile" => put!(out, ",\"responseElements\":{\"loginProfile\":{\"userName\":\"", target, "\",\"passwordResetRequired\":false,\"createDate\":\""),
                                _ => {
                                    put!(out, ",\"responseElements\":{\"user\":{\"path\":\"/\",\"userName\":\"", target, "\",\"userId\":\"AIDA");
                                    b32(out, &mut self.r, 17);
                                    put!(out, "\",\"arn\":\"arn:aws:iam::", acct, ":user/", target, "\",\"createDate\":\"");
                                }
                            }
                            aws_date(out, self.t_ms / 1000);
                            put!(out, "\"}}");
                        }
                    }
                }
                self.ids(out, Rid::Uuid, false);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    if a.console {
                        Tls::None
                    } else {
                        Tls::Host("iam.amazonaws.com")
                    },
                    a.console,
                );
            }
            "kms_key_destroy" => {
                let name = if self.r.pct(50) {
                    "ScheduleKeyDeletion"
                } else {
                    "DisableKey"
                };
                self.head(out, ver, a, None, "kms", name, &a.ip, ua);
                let mut key = Vec::new();
                self.kms_arn(&mut key, p, a.acct);
                let key = String::from_utf8(key).unwrap();
                if deny {
                    self.denied(out, a, "kms", name, &key);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"keyId\":\"",
                    key,
                    "\"",
                    if name == "ScheduleKeyDeletion" {
                        ",\"pendingWindowInDays\":7"
                    } else {
                        ""
                    },
                    "}"
                );
                if name == "ScheduleKeyDeletion" && !deny {
                    put!(
                        out,
                        ",\"responseElements\":{\"keyId\":\"",
                        key,
                        "\",\"deletionDate\":\""
                    );
                    aws_date(out, self.t_ms / 1000 + 7 * 86_400);
                    put!(
                        out,
                        "\",\"keyState\":\"PendingDeletion\",\"pendingWindowInDays\":7}"
                    );
                } else {
                    put!(out, ",\"responseElements\":null");
                }
                self.ids(out, Rid::Uuid, false);
                self.resource(out, true, a.acct, "AWS::KMS::Key", &[key.as_str()]);
                out.push(b']');
                let t = tls_for("kms");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "sg_open_ingress" => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "ec2",
                    "AuthorizeSecurityGroupIngress",
                    &a.ip,
                    ua,
                );
                let sg = self.r.pick(&p.sgs).clone();
                if deny {
                    let res = format!("arn:aws:ec2:{}:{acct}:security-group/{sg}", self.region);
                    self.denied(out, a, "ec2", "AuthorizeSecurityGroupIngress", &res);
                }
                let port = *self.r.pick(&["22", "3389", "5432", "6379", "0"]);
                put!(out, ",\"requestParameters\":{\"groupId\":\"", sg, "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"", if port == "0" { "-1" } else { "tcp" }, "\",\"fromPort\":", port, ",\"toPort\":", port, ",\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\",\"description\":\"temp debug \\u2013 remove\"}]},\"ipv6Ranges\":{\"items\":[{\"cidrIpv6\":\"::/0\"}]},\"prefixListIds\":{}}]}}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"requestId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\"", acct, "\",\"groupId\":\"", sg, "\",\"securityGroupRuleId\":\"sgr-0");
                    hex(out, &mut self.r, 16);
                    put!(
                        out,
                        "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":",
                        port,
                        ",\"toPort\":",
                        port,
                        ",\"cidrIpv4\":\"0.0.0.0/0\"}]}}"
                    );
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ec2");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "snapshot_share" => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "ec2",
                    "ModifySnapshotAttribute",
                    &a.ip,
                    ua,
                );
                let snap = format!("snap-0{}", s_hex(&mut self.r, 16));
                if deny {
                    let res = format!("arn:aws:ec2:{}::snapshot/{snap}", self.region);
                    self.denied(out, a, "ec2", "ModifySnapshotAttribute", &res);
                }
                put!(out, ",\"requestParameters\":{\"snapshotId\":\"", snap, "\",\"createVolumePermission\":{\"add\":{\"items\":[{\"group\":\"all\"}]}},\"attributeType\":\"CREATE_VOLUME_PERMISSION\"}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"requestId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"_return\":true}");
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ec2");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "bucket_public" => {
                let name = *self.r.pick(&[
                    "PutBucketPolicy",
                    "PutBucketAcl",
                    "DeleteBucketPublicAccessBlock",
                ]);
                let b = *self.r.pick(&voc().buckets);
                self.head(out, ver, a, None, "s3", name, &a.ip, ua);
                if deny {
                    self.denied(out, a, "s3", name, b);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"bucketName\":\"",
                    b,
                    "\",\"Host\":\"",
                    b,
                    ".s3.",
                    self.region,
                    ".amazonaws.com\","
                );
                match name {
                    "PutBucketPolicy" => put!(out, "\"bucketPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::", b, "\",\"arn:aws:s3:::", b, "/*\"]}]},\"policy\":\"\"}"),
                    "PutBucketAcl" => {
                        put!(out, "\"acl\":\"\",\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":[{\"Grantee\":{\"xsi:type\":\"CanonicalUser\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\",\"ID\":\"");
                        hex(out, &mut self.r, 64);
                        put!(out, "\"},\"Permission\":\"FULL_CONTROL\"},{\"Grantee\":{\"xsi:type\":\"Group\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\",\"URI\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},\"Permission\":\"READ\"}]},\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Owner\":{\"ID\":\"");
                        hex(out, &mut self.r, 64);
                        put!(out, "\"}}}");
                    }
                    _ => put!(out, "\"publicAccessBlock\":\"\"}"),
                }
                put!(out, ",\"responseElements\":null");
                self.s3_additional(out, 0, 0);
                self.ids(out, Rid::S3, false);
                self.resource(out, true, a.acct, "AWS::S3::Bucket", &["arn:aws:s3:::", b]);
                out.push(b']');
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::S3(b),
                    a.console,
                );
            }
            "leave_organization" => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "organizations",
                    "LeaveOrganization",
                    &a.ip,
                    ua,
                );
                if deny {
                    self.denied(
                        out,
                        a,
                        "organizations",
                        "LeaveOrganization",
                        "arn:aws:organizations::999988887777:organization/o-a1b2c3d4e5",
                    );
                }
                put!(out, ",\"requestParameters\":null,\"responseElements\":null");
                self.ids(out, Rid::Uuid, false);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Host("organizations.us-east-1.amazonaws.com"),
                    a.console,
                );
            }
            "console_login" => {
                if self.root {
                    self.root_console_login(p, out, a);
                } else {
                    self.console_login(p, out, false);
                }
            }
            "get_secret_value" => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "secretsmanager",
                    "GetSecretValue",
                    &a.ip,
                    ua,
                );
                let secret = format!(
                    "arn:aws:secretsmanager:{}:{acct}:secret:prod/payments/stripe-api-key-Xy12Zq",
                    self.region
                );
                if deny {
                    self.denied(out, a, "secretsmanager", "GetSecretValue", &secret);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"secretId\":\"",
                    secret,
                    "\"},\"responseElements\":null"
                );
                self.ids(out, Rid::Uuid, true);
                self.resource(
                    out,
                    true,
                    a.acct,
                    "AWS::SecretsManager::Secret",
                    &[secret.as_str()],
                );
                out.push(b']');
                let t = tls_for("secretsmanager");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "lambda_backdoor" => {
                let f = self.r.pick(&p.lambda);
                let name = if self.r.pct(50) {
                    "AddPermission20150331v2"
                } else {
                    "UpdateFunctionCode20150331v2"
                };
                self.head(out, ver, a, None, "lambda", name, &a.ip, ua);
                let farn = format!("arn:aws:lambda:{}:{acct}:function:{}", self.region, f.user);
                if deny {
                    self.denied(
                        out,
                        a,
                        "lambda",
                        if name.starts_with("Add") {
                            "AddPermission"
                        } else {
                            "UpdateFunctionCode"
                        },
                        &farn,
                    );
                }
                if name.starts_with("Add") {
                    put!(out, ",\"requestParameters\":{\"functionName\":\"", f.user, "\",\"statementId\":\"public-invoke\",\"action\":\"lambda:InvokeFunction\",\"principal\":\"*\",\"functionUrlAuthType\":\"NONE\"}");
                    if deny {
                        put!(out, ",\"responseElements\":null");
                    } else {
                        put!(out, ",\"responseElements\":{\"statement\":\"{\\\"Sid\\\":\\\"public-invoke\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"lambda:InvokeFunction\\\",\\\"Resource\\\":\\\"", farn, "\\\",\\\"Condition\\\":{\\\"StringEquals\\\":{\\\"lambda:FunctionUrlAuthType\\\":\\\"NONE\\\"}}}\"}");
                    }
                } else {
                    put!(
                        out,
                        ",\"requestParameters\":{\"functionName\":\"",
                        f.user,
                        "\",\"publish\":false,\"dryRun\":false}"
                    );
                    if deny {
                        put!(out, ",\"responseElements\":null");
                    } else {
                        put!(
                            out,
                            ",\"responseElements\":{\"functionName\":\"",
                            f.user,
                            "\",\"functionArn\":\"",
                            farn,
                            "\",\"runtime\":\"python3.12\",\"role\":\"",
                            f.role_arn,
                            "\",\"handler\":\"app.handler\",\"codeSize\":"
                        );
                        num(out, self.r.range(500, 60_000_000));
                        put!(out, ",\"description\":\"\",\"timeout\":30,\"memorySize\":256,\"lastModified\":\"2024-06-03T10:11:12.000+0000\",\"codeSha256\":\"");
                        b64(out, &mut self.r, 43);
                        put!(out, "=\",\"version\":\"$LATEST\",\"tracingConfig\":{\"mode\":\"PassThrough\"},\"revisionId\":\"");
                        uuid(out, &mut self.r);
                        put!(out, "\",\"state\":\"Active\",\"lastUpdateStatus\":\"InProgress\",\"packageType\":\"Zip\",\"architectures\":[\"x86_64\"]}");
                    }
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("lambda");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "ssm_send_command" => {
                self.head(out, ver, a, None, "ssm", "SendCommand", &a.ip, ua);
                let inst = self.r.pick(&p.ec2).instance.clone();
                if deny {
                    let res = format!("arn:aws:ec2:{}:{acct}:instance/{inst}", self.region);
                    self.denied(out, a, "ssm", "SendCommand", &res);
                }
                put!(out, ",\"requestParameters\":{\"instanceIds\":[\"", inst, "\"],\"documentName\":\"AWS-RunShellScript\",\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"interactive\":false}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"command\":{\"commandId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"documentName\":\"AWS-RunShellScript\",\"documentVersion\":\"$DEFAULT\",\"comment\":\"\",\"expiresAfter\":\"");
                    aws_date(out, self.t_ms / 1000 + 3600);
                    put!(
                        out,
                        "\",\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"instanceIds\":[\"",
                        inst,
                        "\"],\"targets\":[],\"requestedDateTime\":\""
                    );
                    aws_date(out, self.t_ms / 1000);
                    put!(out, "\",\"status\":\"Pending\",\"statusDetails\":\"Pending\",\"outputS3Region\":\"", self.region, "\",\"maxConcurrency\":\"50\",\"maxErrors\":\"0\",\"targetCount\":1,\"completedCount\":0,\"errorCount\":0,\"deliveryTimedOutCount\":0,\"serviceRole\":\"\",\"notificationConfig\":{\"notificationArn\":\"\",\"notificationEvents\":[],\"notificationType\":\"\"},\"cloudWatchOutputConfig\":{\"cloudWatchLogGroupName\":\"\",\"cloudWatchOutputEnabled\":false},\"timeoutSeconds\":3600,\"alarmConfiguration\":{\"ignorePollAlarmFailure\":false,\"alarms\":[]},\"triggeredAlarms\":[]}}");
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ssm");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            "list_buckets" => {
                // Root or human recon.
                self.head(out, ver, a, None, "s3", "ListBuckets", &a.ip, ua);
                if deny {
                    self.denied(out, a, "s3", "ListBuckets", "*");
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"Host\":\"s3.",
                    self.region,
                    ".amazonaws.com\"},\"responseElements\":null"
                );
                self.s3_additional(out, 0, 0);
                self.ids(out, Rid::S3, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("s3"),
                    a.console,
                );
            }
            arm => unreachable!("[mix.high_signal] arm {arm:?}"),
        }
    }
}
