//! About 20% of records: writes by machines and services (1/2).
//!
//! The dispatcher for the machine-write part of the mix, and the frequent
//! writes: S3 puts and deletes, DynamoDB writes, CloudWatch Logs,
//! `UpdateInstanceInformation` and machine `CreateTags`.

use super::actors::Pools;
use super::record::{Rid, St, Tls, Who};
use super::rng::{b64, hex, num, uuid};
use super::vocab::voc;

/// The arms of `[mix.machine_write]` in templates.txt.
pub(super) const ARMS: &[&str] = &[
    "s3_object_write",
    "ddb_write",
    "logs_put",
    "ssm_update_instance_information",
    "ec2_create_tags_machine",
    "autoscaling_run_instances",
    "terminate_instances",
    "cfn_write",
    "service_event",
    "ecs_state_change",
    "sns_publish",
    "eni_attr",
];

impl St {
    // ---- ~20%: machine writes ---------------------------------------------

    pub(super) fn machine_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        match voc().mix_machine_write.pick(&mut self.r) {
            "s3_object_write" => self.s3_object_write(p, out),
            "ddb_write" => self.ddb_write(p, out),
            "logs_put" => self.logs_put(p, out),
            "ssm_update_instance_information" => self.ssm_update_instance_information(p, out),
            "ec2_create_tags_machine" => self.ec2_create_tags_machine(p, out),
            "autoscaling_run_instances" => {
                let a = &p.slr[self.r.below(3) as usize];
                let n = self.r.range(1, 3);
                self.run_instances(p, out, a, Some("autoscaling.amazonaws.com"), n, false)
            }
            "terminate_instances" => self.terminate_instances(p, out),
            "cfn_write" => self.cfn_write(p, out),
            "service_event" => self.service_event(p, out),
            "ecs_state_change" => self.ecs_state_change(p, out),
            "sns_publish" => self.sns_publish(p, out),
            "eni_attr" => self.eni_attr(p, out),
            arm => unreachable!("[mix.machine_write] arm {arm:?}"),
        }
    }

    pub(super) fn s3_object_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[40, 25, 20, 5, 10]);
        let bucket = voc().buckets[self.r.below(voc().buckets.len() as u64) as usize];
        let name = *self.r.pick(&[
            "PutObject",
            "PutObject",
            "PutObject",
            "DeleteObject",
            "CreateMultipartUpload",
            "CompleteMultipartUpload",
        ]);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "s3", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"bucketName\":\"",
            bucket,
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\",\"key\":\""
        );
        let k0 = out.len();
        self.object_key(out);
        let key = out[k0..].to_vec();
        out.push(b'"');
        if name == "PutObject" && self.r.pct(50) {
            put!(out, ",\"x-amz-server-side-encryption\":\"aws:kms\",\"x-amz-server-side-encryption-aws-kms-key-id\":\"");
            self.kms_arn(out, p, a.acct);
            out.push(b'"');
        }
        if name == "CompleteMultipartUpload" {
            put!(out, ",\"uploadId\":\"");
            b64(out, &mut self.r, 88);
            out.push(b'"');
        }
        put!(out, "}");
        if name == "DeleteObject" {
            put!(out, ",\"responseElements\":null");
        } else {
            put!(
                out,
                ",\"responseElements\":{\"x-amz-server-side-encryption\":\"",
                if self.r.pct(50) { "aws:kms" } else { "AES256" },
                "\""
            );
            if name != "CreateMultipartUpload" {
                put!(out, ",\"x-amz-version-id\":\"");
                b64(out, &mut self.r, 32);
                out.push(b'"');
            }
            put!(out, "}");
        }
        let size = if name == "PutObject" {
            self.r.range(100, 8_000_000)
        } else {
            0
        };
        self.s3_additional(out, size, 0);
        self.ids(out, Rid::S3, false);
        self.resource_s3(out, a.acct, bucket, &key);
        let vpce = a.ip.starts_with("10.");
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            vpce,
            Tls::S3(bucket),
            false,
        );
    }

    pub(super) fn ddb_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 50, 40, 0, 0]);
        let name = *self.r.pick(&[
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "BatchWriteItem",
            "PutItem",
        ]);
        let table = *self.r.pick(&voc().tables);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "dynamodb", name, &a.ip, a.ua);
        if self.r.pct(3) {
            put!(out, ",\"errorCode\":\"ConditionalCheckFailedException\",\"errorMessage\":\"The conditional request failed\"");
            self.failed = true;
        }
        put!(
            out,
            ",\"requestParameters\":{\"tableName\":\"",
            table,
            "\","
        );
        if name == "BatchWriteItem" {
            put!(out, "\"requestItems\":[");
            for i in 0..self.r.range(2, 25) {
                put!(out, if i > 0 { ",{" } else { "{" });
                self.ddb_key(out);
                put!(out, ",\"operation\":\"Put\"}");
            }
            put!(out, "]");
        } else {
            self.ddb_key(out);
            match name {
                "UpdateItem" => put!(out, ",\"updateExpression\":\"SET #s = :s, updatedAt = :now, version = version + :one\",\"conditionExpression\":\"version = :v\",\"returnValues\":\"ALL_NEW\""),
                "PutItem" => put!(out, ",\"item\":[\"pk\",\"sk\",\"status\",\"total\",\"currency\",\"createdAt\"],\"conditionExpression\":\"attribute_not_exists(pk)\""),
                _ => {}
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, false);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::DynamoDB::Table",
            &[
                "arn:aws:dynamodb:",
                self.region,
                ":",
                voc().accounts[a.acct],
                ":table/",
                table,
            ],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::Svc("dynamodb"),
            false,
        );
    }

    pub(super) fn logs_put(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, who) = self.machine(p, &[50, 30, 20, 0, 0]);
        let stream = if matches!(who, Who::Lambda) {
            "2024/06/03/[$LATEST]"
        } else {
            "fluent-bit-kube.var.log.containers."
        };
        let create = self.r.pct(20);
        let name = if create {
            "CreateLogStream"
        } else {
            "PutLogEvents"
        };
        let ver = self.ver(!create);
        self.head(out, ver, a, None, "logs", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"logGroupName\":\"",
            *self.r.pick(&[
                "/aws/lambda/order-processor",
                "/aws/containerinsights/prod/application",
                "/ecs/checkout-api",
                "/var/log/messages"
            ]),
            "\",\"logStreamName\":\"",
            stream
        );
        hex(out, &mut self.r, 32);
        put!(out, "\"},\"responseElements\":null");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            !create,
            a.acct,
            false,
            Tls::Svc("logs"),
            false,
        );
    }

    pub(super) fn ssm_update_instance_information(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            None,
            "ssm",
            "UpdateInstanceInformation",
            &a.ip,
            voc().ua_ssm_agent,
        );
        put!(out, ",\"requestParameters\":{\"instanceId\":\"", a.instance, "\",\"agentVersion\":\"3.3.131.0\",\"agentStatus\":\"Active\",\"platformType\":\"Linux\",\"platformName\":\"", *self.r.pick(&["Amazon Linux", "Ubuntu", "Bottlerocket"]), "\",\"platformVersion\":\"", *self.r.pick(&["2023", "22.04", "1.19.4"]), "\",\"iPAddress\":\"", if a.ip.starts_with("10.") { a.ip.as_str() } else { "10.0.12.34" }, "\",\"computerName\":\"ip-10-0-12-34.", voc().regions[a.region], ".compute.internal\",\"agentName\":\"amazon-ssm-agent\",\"availabilityZone\":\"", voc().regions[a.region], "a\",\"availabilityZoneId\":\"use1-az", );
        num(out, self.r.range(1, 6));
        put!(
            out,
            "\",\"sSMConnectionChannel\":\"ssmmessages\"},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ssm"),
            false,
        );
    }

    pub(super) fn tags(&mut self, out: &mut Vec<u8>, n: u64, key_field: &str, value_field: &str) {
        let tags = &voc().ec2_tags;
        for i in 0..n {
            let (k, v) = tags[(i as usize + self.r.below(3) as usize) % tags.len()];
            put!(
                out,
                if i > 0 { ",{\"" } else { "{\"" },
                key_field,
                "\":\"",
                k,
                "\",\"",
                value_field,
                "\":\"",
                v,
                "\"}"
            );
        }
    }

    pub(super) fn ec2_create_tags_machine(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = if self.r.pct(50) {
            &p.slr[self.r.below(3) as usize]
        } else {
            &p.irsa[0]
        };
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", "CreateTags", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{\"resourcesSet\":{\"items\":[");
        let nres = self.r.range(1, 4);
        for i in 0..nres {
            put!(
                out,
                if i > 0 {
                    ",{\"resourceId\":\""
                } else {
                    "{\"resourceId\":\""
                },
                self.r.pick(&p.ec2).instance,
                "\"}"
            );
        }
        put!(out, "]},\"tagSet\":{\"items\":[");
        let n = self.r.range(2, 8);
        self.tags(out, n, "key", "value");
        put!(out, "]}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
        self.ids(out, Rid::Uuid, false);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }
}
