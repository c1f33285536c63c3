//! About 70% of records: read-only calls by services and machine roles (1/2).
//!
//! The dispatcher for the read-only part of the mix, and the data-plane and
//! credential reads: S3 object reads and lists, KMS decrypts and data keys,
//! STS `AssumeRole` and `AssumeRoleWithWebIdentity`.

use super::actors::{Actor, Pools};
use super::record::{Rid, St, Tls};
use super::rng::{b32, b64, uuid};
use super::time::aws_date;
use super::vocab::voc;

/// The arms of `[mix.service_read]` in templates.txt.
pub(super) const ARMS: &[&str] = &[
    "s3_get_object",
    "s3_head_object",
    "s3_list",
    "kms_decrypt",
    "kms_generate_data_key",
    "sts_assume_role_service",
    "sts_web_identity",
    "ec2_describe",
    "ecr_read",
    "ddb_read",
    "misc_describe",
    "ssm_agent_read",
    "config_iam_read",
    "get_caller_identity",
];

impl St {
    // ---- ~70%: read-only calls by services and machine roles --------------

    pub(super) fn service_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        match voc().mix_service_read.pick(&mut self.r) {
            "s3_get_object" => self.s3_object_read(p, out, "GetObject"),
            "s3_head_object" => self.s3_object_read(p, out, "HeadObject"),
            "s3_list" => self.s3_list(p, out),
            "kms_decrypt" => self.kms_read(p, out, "Decrypt"),
            "kms_generate_data_key" => self.kms_read(p, out, "GenerateDataKey"),
            "sts_assume_role_service" => self.sts_assume_role_service(p, out),
            "sts_web_identity" => self.sts_web_identity(p, out),
            "ec2_describe" => self.ec2_describe(p, out),
            "ecr_read" => self.ecr_read(p, out),
            "ddb_read" => self.ddb_read(p, out),
            "misc_describe" => self.misc_describe(p, out),
            "ssm_agent_read" => self.ssm_agent_read(p, out),
            "config_iam_read" => self.config_iam_read(p, out),
            "get_caller_identity" => self.get_caller_identity(p, out),
            arm => unreachable!("[mix.service_read] arm {arm:?}"),
        }
    }

    pub(super) fn s3_object_read(&mut self, p: &Pools, out: &mut Vec<u8>, name: &'static str) {
        let (a, _) = self.machine(p, &[40, 30, 20, 8, 2]);
        let bucket = voc().buckets[self.r.below(voc().buckets.len() as u64) as usize];
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
        put!(out, "\"}");
        let denied = self.r.pct(2);
        if denied {
            // errorCode goes before requestParameters in real records; order is irrelevant to JSON.
            put!(out, ",\"errorCode\":\"NoSuchKey\",\"errorMessage\":\"The specified key does not exist.\"");
            self.failed = true;
        }
        put!(out, ",\"responseElements\":null");
        let size = if name == "HeadObject" {
            0
        } else {
            self.r.range(200, 40_000_000)
        };
        self.s3_additional(out, 0, size);
        self.ids(out, Rid::S3, true);
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

    pub(super) fn resource_s3(&mut self, out: &mut Vec<u8>, acct: usize, bucket: &str, key: &[u8]) {
        put!(
            out,
            ",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::",
            bucket,
            "/",
            key,
            "\"}"
        );
        self.resource(
            out,
            false,
            acct,
            "AWS::S3::Bucket",
            &["arn:aws:s3:::", bucket],
        );
        out.push(b']');
    }

    pub(super) fn s3_list(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[50, 20, 20, 5, 5]);
        let bucket = voc().buckets[self.r.below(voc().buckets.len() as u64) as usize];
        let ver = self.ver(true);
        self.head(out, ver, a, None, "s3", "ListObjects", &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"list-type\":\"2\",\"bucketName\":\"",
            bucket,
            "\",\"encoding-type\":\"url\",\"max-keys\":\"1000\",\"prefix\":\"",
            *self
                .r
                .pick(&["app-logs/", "warehouse/orders/", "uploads/", ""]),
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\"},\"responseElements\":null"
        );
        self.s3_additional(out, 0, 0);
        self.ids(out, Rid::S3, true);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::S3::Bucket",
            &["arn:aws:s3:::", bucket],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::S3(bucket),
            false,
        );
    }

    pub(super) fn kms_read(&mut self, p: &Pools, out: &mut Vec<u8>, name: &'static str) {
        let (a, _) = self.machine(p, &[40, 30, 20, 5, 5]);
        let via = *self.r.pick(&[
            "s3.amazonaws.com",
            "secretsmanager.amazonaws.com",
            "",
            "",
            "dynamodb.amazonaws.com",
            "AWS Internal",
        ]);
        let ver = self.ver(false);
        let (ip, ua, inv) = match via {
            "" => (a.ip.as_str(), a.ua, None),
            "AWS Internal" => ("AWS Internal", "AWS Internal", None),
            s => (s, s, Some(s)),
        };
        self.head(out, ver, a, inv, "kms", name, ip, ua);
        put!(out, ",\"requestParameters\":{");
        if name == "GenerateDataKey" {
            put!(out, "\"keyId\":\"");
            self.kms_arn(out, p, a.acct);
            put!(out, "\",\"keySpec\":\"AES_256\",");
        }
        put!(out, "\"encryptionContext\":{");
        match via {
            "s3.amazonaws.com" => {
                put!(
                    out,
                    "\"aws:s3:arn\":\"arn:aws:s3:::",
                    voc().buckets[self.r.below(voc().buckets.len() as u64) as usize],
                    "/"
                );
                self.object_key(out);
                out.push(b'"');
            }
            "secretsmanager.amazonaws.com" => {
                put!(
                    out,
                    "\"SecretARN\":\"arn:aws:secretsmanager:",
                    self.region,
                    ":",
                    voc().accounts[a.acct],
                    ":secret:prod/app/db-"
                );
                b64(out, &mut self.r, 6);
                put!(out, "\",\"SecretVersionId\":\"");
                uuid(out, &mut self.r);
                out.push(b'"');
            }
            "dynamodb.amazonaws.com" => put!(
                out,
                "\"aws:dynamodb:tableName\":\"",
                *self.r.pick(&voc().tables),
                "\",\"aws:dynamodb:subscriberId\":\"",
                voc().accounts[a.acct],
                "\""
            ),
            _ => {
                put!(
                    out,
                    "\"aws:lambda:FunctionArn\":\"arn:aws:lambda:",
                    self.region,
                    ":",
                    voc().accounts[a.acct],
                    ":function:",
                    *self.r.pick(&voc().lambda_funcs),
                    "\""
                );
            }
        }
        put!(
            out,
            "},\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, true);
        put!(
            out,
            ",\"resources\":[{\"accountId\":\"",
            voc().accounts[a.acct],
            "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\""
        );
        self.kms_arn(out, p, a.acct);
        put!(out, "\"}]");
        let tls = if inv.is_none() && ip != "AWS Internal" {
            Tls::Svc("kms")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }

    pub(super) fn credentials(&mut self, out: &mut Vec<u8>, target: &Actor, session: &str) {
        put!(
            out,
            ",\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIA"
        );
        b32(out, &mut self.r, 16);
        put!(out, "\",\"sessionToken\":\"IQoJb3JpZ2luX2Vj");
        let n = 560 + 4 * self.r.below(90) as usize;
        b64(out, &mut self.r, n);
        put!(out, "\",\"expiration\":\"");
        aws_date(out, self.t_ms / 1000 + 3600);
        put!(
            out,
            "\"},\"assumedRoleUser\":{\"assumedRoleId\":\"",
            target.role_id,
            ":",
            session,
            "\",\"arn\":\"arn:aws:sts::",
            voc().accounts[target.acct],
            ":assumed-role/",
            target.role,
            "/",
            session,
            "\"}"
        );
    }

    pub(super) fn sts_assume_role_service(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let svc = self.r.pick(&p.awssvc);
        let target = match svc.svc {
            "lambda.amazonaws.com" => self.r.pick(&p.lambda),
            "ec2.amazonaws.com" => self.r.pick(&p.ec2),
            _ => self.r.pick(&p.ecs),
        };
        let session = target.session.as_str();
        let ver = self.ver(false);
        self.head(out, ver, svc, None, "sts", "AssumeRole", &svc.ip, svc.ua);
        put!(
            out,
            ",\"requestParameters\":{\"roleArn\":\"",
            target.role_arn,
            "\",\"roleSessionName\":\"",
            session,
            "\""
        );
        if svc.svc == "ec2.amazonaws.com" {
            put!(out, ",\"durationSeconds\":21600");
        }
        put!(out, "}");
        self.credentials(out, target, session);
        put!(out, "}");
        self.ids(out, Rid::Uuid, true);
        self.resource(
            out,
            true,
            target.acct,
            "AWS::IAM::Role",
            &[target.role_arn.as_str()],
        );
        out.push(b']');
        put!(
            out,
            ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"",
            voc().accounts[target.acct],
            "\",\"sharedEventID\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"eventCategory\":\"Management\"}");
    }

    pub(super) fn sts_web_identity(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let target = self.r.pick(&p.irsa);
        let ver = self.ver(false);
        self.name = "AssumeRoleWithWebIdentity";
        let sub = format!("system:serviceaccount:kube-system:{}", target.role);
        let mut ident = Actor::blank(target.acct, target.region);
        ident.ident = format!(
            "{{\"type\":\"WebIdentityUser\",\"principalId\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}:sts.amazonaws.com:{sub}\",\"userName\":\"{sub}\",\"identityProvider\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}\"}}",
            voc().accounts[0], voc().regions[target.region], "8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C", voc().accounts[0], voc().regions[target.region], "8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C"
        )
        .into_bytes();
        self.head(
            out,
            ver,
            &ident,
            None,
            "sts",
            "AssumeRoleWithWebIdentity",
            &target.ip,
            target.ua,
        );
        put!(
            out,
            ",\"requestParameters\":{\"roleArn\":\"",
            target.role_arn,
            "\",\"roleSessionName\":\"",
            target.session,
            "\"}"
        );
        self.credentials(out, target, &target.session);
        put!(
            out,
            ",\"subjectFromWebIdentityToken\":\"",
            sub,
            "\",\"audience\":\"sts.amazonaws.com\",\"provider\":\"arn:aws:iam::",
            voc().accounts[0],
            ":oidc-provider/oidc.eks.",
            voc().regions[target.region],
            ".amazonaws.com/id/8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C\"}"
        );
        put!(out, ",\"additionalEventData\":{\"identityProviderConnectionVerificationMethod\":\"IAMTrustStore\"}");
        self.ids(out, Rid::Uuid, true);
        self.resource(
            out,
            true,
            target.acct,
            "AWS::IAM::Role",
            &[target.role_arn.as_str()],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            false,
            target.acct,
            false,
            Tls::Host("sts.amazonaws.com"),
            false,
        );
    }
}
