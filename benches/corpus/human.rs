//! About 9% of records: routine human activity (console, CLI, SSO).
//!
//! Console sign-ins (root's too, which the high-signal part draws),
//! describes, S3 and Lambda changes, tags, console reads, start/stop, ECS
//! deployments and Athena queries, by the human actors with their browser or
//! CLI user agents.

use super::actors::{Actor, Pools};
use super::record::{Rid, St, Tls};
use super::rng::{b64, hex, num, uuid};
use super::vocab::voc;

/// The arms of `[mix.human]` in templates.txt.
pub(super) const ARMS: &[&str] = &[
    "console_login",
    "describe_instances",
    "human_s3",
    "lambda_update_config",
    "create_tags",
    "console_read",
    "run_instances",
    "get_caller_identity",
    "start_stop",
    "ecs_update_service",
    "athena_query",
];

impl St {
    // ---- ~9%: human activity ----------------------------------------------

    pub(super) fn human_ua<'a>(&mut self, a: &'a Actor) -> &'a str {
        if a.console && self.r.pct(60) {
            voc().ua_console[self.r.below(2) as usize]
        } else {
            a.ua
        }
    }

    pub(super) fn human(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.humans);
        match voc().mix_human.pick(&mut self.r) {
            "console_login" => self.console_login(p, out, true),
            "describe_instances" => self.human_describe_instances(p, out, a),
            "human_s3" => self.human_s3(p, out, a),
            "lambda_update_config" => self.lambda_update_config(p, out, a),
            "create_tags" => self.human_create_tags(p, out, a),
            "console_read" => self.human_console_read(p, out, a),
            "run_instances" => {
                let n = self.r.range(1, 3);
                self.run_instances(p, out, a, None, n, a.console)
            }
            "get_caller_identity" => {
                let ver = self.ver(false);
                let ua = self.human_ua(a);
                self.head(out, ver, a, None, "sts", "GetCallerIdentity", &a.ip, ua);
                put!(out, ",\"requestParameters\":null,\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Host("sts.amazonaws.com"),
                    a.console,
                );
            }
            "start_stop" => self.start_stop(p, out, a),
            "ecs_update_service" => self.ecs_update_service(p, out, a),
            "athena_query" => self.athena_query(p, out, a),
            arm => unreachable!("[mix.human] arm {arm:?}"),
        }
    }

    pub(super) fn console_login(&mut self, p: &Pools, out: &mut Vec<u8>, mfa: bool) {
        let a = loop {
            let a = self.r.pick(&p.humans);
            if a.console {
                break a;
            }
        };
        let ver = self.ver(false);
        if a.login_ident.is_empty() {
            self.head(out, ver, a, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        } else {
            let mut who = Actor::blank(a.acct, a.region);
            who.ident = a.login_ident.clone();
            self.head(out, ver, &who, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        }
        // A failed console sign-in carries errorMessage but no errorCode.
        let fail = !mfa && self.r.pct(30);
        if fail {
            put!(out, ",\"errorMessage\":\"Failed authentication\"");
        }
        put!(out, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"", if fail { "Failure" } else { "Success" }, "\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&nc2=h_ct&src=header-signin&state=hashArgsFromTB_", self.region, "_");
        hex(out, &mut self.r, 16);
        put!(out, "\",\"MobileVersion\":\"No\",");
        if mfa {
            put!(
                out,
                "\"MFAIdentifier\":\"arn:aws:iam::",
                voc().accounts[a.acct],
                ":mfa/",
                a.user,
                "\","
            );
        }
        put!(out, "\"MFAUsed\":\"", if mfa { "Yes" } else { "No" }, "\"}");
        self.ids(out, Rid::None, false);
        self.tail(
            out,
            "AwsConsoleSignIn",
            false,
            a.acct,
            false,
            Tls::Host("signin.aws.amazon.com"),
            false,
        );
    }

    pub(super) fn human_describe_instances(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ec2", "DescribeInstances", &a.ip, ua);
        put!(out, ",\"requestParameters\":{\"instancesSet\":{},\"filterSet\":{\"items\":[{\"name\":\"instance-state-name\",\"valueSet\":{\"items\":[{\"value\":\"running\"},{\"value\":\"stopped\"}]}},{\"name\":\"tag:team\",\"valueSet\":{\"items\":[{\"value\":\"", *self.r.pick(&["payments", "search", "data"]), "\"}]}}]},\"maxResults\":", if a.console { "50" } else { "1000" }, "},\"responseElements\":null");
        let _ = p;
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    pub(super) fn human_s3(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let name = *self
            .r
            .pick(&["PutObject", "GetObject", "GetObject", "CopyObject"]);
        let bucket = voc().buckets[self.r.below(voc().buckets.len() as u64) as usize];
        let ver = self.ver(true);
        let ua = if a.console { voc().ua_console[2] } else { a.ua };
        self.head(out, ver, a, None, "s3", name, &a.ip, ua);
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
        if self.r.pct(25) {
            put!(
                out,
                voc().fancy_keys[self.r.below(voc().fancy_keys.len() as u64) as usize]
            );
        } else {
            self.object_key(out);
        }
        let key = out[k0..].to_vec();
        out.push(b'"');
        if name == "CopyObject" {
            put!(
                out,
                ",\"x-amz-copy-source\":\"",
                voc().buckets[0],
                "/",
                key,
                "\""
            );
        }
        put!(out, "}");
        if name == "GetObject" {
            put!(out, ",\"responseElements\":null");
        } else {
            put!(out, ",\"responseElements\":{\"x-amz-server-side-encryption\":\"AES256\",\"x-amz-version-id\":\"");
            b64(out, &mut self.r, 32);
            put!(out, "\"}");
        }
        let size = self.r.range(1_000, 50_000_000);
        if name == "PutObject" {
            self.s3_additional(out, size, 0)
        } else {
            self.s3_additional(out, 0, size)
        }
        self.ids(out, Rid::S3, name == "GetObject");
        self.resource_s3(out, a.acct, bucket, &key);
        let _ = p;
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::S3(bucket),
            a.console,
        );
    }

    pub(super) fn lambda_update_config(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let f = self.r.pick(&p.lambda);
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(
            out,
            ver,
            a,
            None,
            "lambda",
            "UpdateFunctionConfiguration20150331v2",
            &a.ip,
            ua,
        );
        put!(
            out,
            ",\"requestParameters\":{\"functionName\":\"",
            f.user,
            "\",\"timeout\":"
        );
        num(out, *self.r.pick(&[30, 60, 300, 900]));
        put!(out, ",\"memorySize\":");
        num(out, *self.r.pick(&[256, 512, 1024, 2048]));
        put!(out, ",\"environment\":{},\"tracingConfig\":{\"mode\":\"Active\"}},\"responseElements\":{\"functionName\":\"", f.user, "\",\"functionArn\":\"arn:aws:lambda:", self.region, ":", voc().accounts[a.acct], ":function:", f.user, "\",\"runtime\":\"python3.12\",\"role\":\"", f.role_arn, "\",\"handler\":\"app.handler\",\"codeSize\":");
        num(out, self.r.range(2_000, 50_000_000));
        put!(out, ",\"description\":\"\",\"timeout\":300,\"memorySize\":1024,\"lastModified\":\"2024-06-03T10:11:12.000+0000\",\"codeSha256\":\"");
        b64(out, &mut self.r, 43);
        put!(out, "=\",\"version\":\"$LATEST\",\"environment\":{},\"tracingConfig\":{\"mode\":\"Active\"},\"revisionId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"layers\":[],\"state\":\"Active\",\"lastUpdateStatus\":\"InProgress\",\"lastUpdateStatusReason\":\"The function is being created.\",\"lastUpdateStatusReasonCode\":\"Creating\",\"packageType\":\"Zip\",\"architectures\":[\"arm64\"],\"ephemeralStorage\":{\"size\":512},\"snapStart\":{\"applyOn\":\"None\",\"optimizationStatus\":\"Off\"},\"runtimeVersionConfig\":{\"runtimeVersionArn\":\"arn:aws:lambda:", self.region, "::runtime:");
        hex(out, &mut self.r, 64);
        put!(
            out,
            "\"},\"loggingConfig\":{\"logFormat\":\"Text\",\"logGroup\":\"/aws/lambda/",
            f.user,
            "\"}}"
        );
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
                Tls::Svc("lambda")
            },
            a.console,
        );
    }

    pub(super) fn human_create_tags(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ec2", "CreateTags", &a.ip, ua);
        put!(
            out,
            ",\"requestParameters\":{\"resourcesSet\":{\"items\":[{\"resourceId\":\"",
            self.r.pick(&p.ec2).instance,
            "\"}]},\"tagSet\":{\"items\":["
        );
        let n = self.r.range(1, 4);
        self.tags(out, n, "key", "value");
        put!(out, "]}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
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
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    pub(super) fn human_console_read(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        let (src, name) = *self.r.pick(&[
            ("iam", "ListRoles"),
            ("iam", "GetRole"),
            ("cloudformation", "DescribeStacks"),
            ("logs", "FilterLogEvents"),
            ("monitoring", "DescribeAlarms"),
            ("kms", "ListAliases"),
            ("rds", "DescribeDBInstances"),
            ("lambda", "ListFunctions20150331"),
        ]);
        self.head(out, ver, a, None, src, name, &a.ip, ua);
        match name {
            "GetRole" => put!(out, ",\"requestParameters\":{\"roleName\":\"", self.r.pick(&p.lambda).role, "\"}"),
            "DescribeStacks" => put!(out, ",\"requestParameters\":{\"stackName\":\"prod-checkout\"}"),
            "FilterLogEvents" => put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/lambda/order-processor\",\"filterPattern\":\"{ $.level = \\\"ERROR\\\" }\",\"startTime\":1717372800000,\"interleaved\":true}"),
            "DescribeAlarms" => put!(out, ",\"requestParameters\":{\"stateValue\":\"ALARM\",\"maxRecords\":100}"),
            _ => put!(out, ",\"requestParameters\":{\"maxItems\":100}"),
        }
        put!(out, ",\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console { Tls::None } else { Tls::Svc(src) },
            a.console,
        );
    }

    pub(super) fn start_stop(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        let start = self.r.pct(50);
        self.head(
            out,
            ver,
            a,
            None,
            "ec2",
            if start {
                "StartInstances"
            } else {
                "StopInstances"
            },
            &a.ip,
            ua,
        );
        let inst = self.r.pick(&p.ec2).instance.clone();
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\"}]}",
            if start { "" } else { ",\"force\":false" },
            "},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\",\"currentState\":{\"code\":",
            if start {
                "0,\"name\":\"pending\"}"
            } else {
                "64,\"name\":\"stopping\"}"
            },
            ",\"previousState\":{\"code\":",
            if start {
                "80,\"name\":\"stopped\"}"
            } else {
                "16,\"name\":\"running\"}"
            },
            "}]}}"
        );
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
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    pub(super) fn ecs_update_service(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ecs", "UpdateService", &a.ip, ua);
        put!(out, ",\"requestParameters\":{\"cluster\":\"prod\",\"service\":\"checkout-api\",\"desiredCount\":");
        num(out, self.r.range(2, 24));
        put!(out, ",\"forceNewDeployment\":true},\"responseElements\":{\"service\":{\"serviceArn\":\"arn:aws:ecs:", self.region, ":", voc().accounts[a.acct], ":service/prod/checkout-api\",\"serviceName\":\"checkout-api\",\"clusterArn\":\"arn:aws:ecs:", self.region, ":", voc().accounts[a.acct], ":cluster/prod\",\"status\":\"ACTIVE\",\"launchType\":\"FARGATE\",\"taskDefinition\":\"arn:aws:ecs:", self.region, ":", voc().accounts[a.acct], ":task-definition/checkout-api:");
        num(out, self.r.range(100, 400));
        put!(out, "\",\"deployments\":[{\"id\":\"ecs-svc/");
        num(out, self.r.next() % 10_000_000_000_000_000);
        put!(out, "\",\"status\":\"PRIMARY\",\"rolloutState\":\"IN_PROGRESS\",\"rolloutStateReason\":\"ECS deployment ecs-svc/1234 in progress.\"}],\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"", self.r.pick(&p.subnets), "\"],\"securityGroups\":[\"", self.r.pick(&p.sgs), "\"],\"assignPublicIp\":\"DISABLED\"}}}}");
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
                Tls::Svc("ecs")
            },
            a.console,
        );
    }

    pub(super) fn athena_query(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(
            out,
            ver,
            a,
            None,
            "athena",
            "StartQueryExecution",
            &a.ip,
            ua,
        );
        put!(out, ",\"requestParameters\":{\"queryString\":\"SELECT useridentity.arn, eventname, count(*) AS n\\nFROM \\\"cloudtrail_logs\\\".\\\"acme_org\\\"\\nWHERE eventtime > '2024-06-01' AND sourceipaddress <> 'AWS Internal'\\n  AND useragent LIKE '%caf\\u00e9%'\\nGROUP BY 1, 2\\nORDER BY n DESC\\nLIMIT 100;\",\"clientRequestToken\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"queryExecutionContext\":{\"database\":\"cloudtrail_logs\",\"catalog\":\"AwsDataCatalog\"},\"resultConfiguration\":{\"outputLocation\":\"s3://", voc().buckets[9], "/Unsaved/2024/06/03/\"},\"workGroup\":\"primary\"},\"responseElements\":{\"queryExecutionId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\"}");
        let _ = p;
        self.ids(out, Rid::Uuid, false);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::Athena::WorkGroup",
            &[
                "arn:aws:athena:",
                self.region,
                ":",
                voc().accounts[a.acct],
                ":workgroup/primary",
            ],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("athena")
            },
            a.console,
        );
    }

    pub(super) fn root_console_login(&mut self, _p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        self.name = "ConsoleLogin";
        let id = voc().accounts[a.acct];
        let mut who = Actor::blank(a.acct, a.region);
        who.ident = format!("{{\"type\":\"Root\",\"principalId\":\"{id}\",\"arn\":\"arn:aws:iam::{id}:root\",\"accountId\":\"{id}\",\"accessKeyId\":\"\"}}").into_bytes();
        self.head(out, ver, &who, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        let mfa = self.r.pct(50);
        put!(out, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true\",\"MobileVersion\":\"No\",\"MFAUsed\":\"", if mfa { "Yes" } else { "No" }, "\"}");
        self.ids(out, Rid::None, false);
        self.tail(
            out,
            "AwsConsoleSignIn",
            false,
            a.acct,
            false,
            Tls::Host("signin.aws.amazon.com"),
            false,
        );
    }
}
