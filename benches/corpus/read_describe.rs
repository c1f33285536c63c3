//! About 70% of records: read-only calls by services and machine roles (2/2).
//!
//! Control-plane reads: EC2 describes, ECR pulls, DynamoDB reads, ELB,
//! CloudWatch and Auto Scaling describes, the SSM agent's polling, AWS Config
//! and IAM reads, and `GetCallerIdentity`.

use super::actors::Pools;
use super::record::{Rid, St, Tls, Who};
use super::rng::{hex, num, uuid};
use super::time::iso;
use super::vocab::voc;

impl St {
    pub(super) fn ec2_describe(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let by_slr = self.r.pct(35);
        let (a, _) = if by_slr {
            (self.r.pick(&p.slr), Who::Ci)
        } else {
            self.machine(p, &[30, 5, 5, 55, 5])
        };
        const NAMES: [&str; 9] = [
            "DescribeInstances",
            "DescribeVolumes",
            "DescribeSecurityGroups",
            "DescribeNetworkInterfaces",
            "DescribeSubnets",
            "DescribeInstanceStatus",
            "DescribeTags",
            "DescribeLaunchTemplateVersions",
            "DescribeSpotPriceHistory",
        ];
        let name = NAMES[self.r.below(NAMES.len() as u64) as usize];
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", name, &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{");
        match name {
            "DescribeInstances" | "DescribeInstanceStatus" => {
                put!(out, "\"instancesSet\":{\"items\":[");
                let n = self.r.range(1, 12);
                for i in 0..n {
                    put!(
                        out,
                        if i > 0 {
                            ",{\"instanceId\":\""
                        } else {
                            "{\"instanceId\":\""
                        },
                        self.r.pick(&p.ec2).instance,
                        "\"}"
                    );
                }
                put!(out, "]},\"filterSet\":{}");
                if name == "DescribeInstanceStatus" {
                    put!(out, ",\"includeAllInstances\":true");
                }
            }
            "DescribeTags" | "DescribeNetworkInterfaces" | "DescribeVolumes" => {
                put!(
                    out,
                    "\"filterSet\":{\"items\":[{\"name\":\"",
                    *self.r.pick(&[
                        "resource-id",
                        "attachment.instance-id",
                        "tag:kubernetes.io/cluster/prod"
                    ]),
                    "\",\"valueSet\":{\"items\":[{\"value\":\"",
                    self.r.pick(&p.ec2).instance,
                    "\"}]}}]},\"maxResults\":1000"
                );
            }
            "DescribeLaunchTemplateVersions" => {
                put!(
                    out,
                    "\"DescribeLaunchTemplateVersionsRequest\":{\"LaunchTemplateId\":\"lt-0"
                );
                hex(out, &mut self.r, 16);
                put!(
                    out,
                    "\",\"LaunchTemplateVersion\":{\"content\":\"$Latest\",\"tag\":1}}"
                );
            }
            "DescribeSpotPriceHistory" => {
                put!(out, "\"startTime\":");
                num(out, self.t_ms - 3_600_000);
                put!(out, ",\"instanceTypeSet\":{\"items\":[");
                for i in 0..self.r.range(2, 8) {
                    put!(
                        out,
                        if i > 0 {
                            ",{\"instanceType\":\""
                        } else {
                            "{\"instanceType\":\""
                        },
                        *self.r.pick(&voc().instance_types),
                        "\"}"
                    );
                }
                put!(out, "]},\"productDescriptionSet\":{\"items\":[{\"productDescription\":\"Linux/UNIX\"}]},\"maxResults\":1000");
            }
            _ => {
                put!(out, "\"filterSet\":{\"items\":[{\"name\":\"vpc-id\",\"valueSet\":{\"items\":[{\"value\":\"", self.r.pick(&p.vpcs), "\"}]}}]}");
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }

    pub(super) fn ecr_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.ec2[self.r.below(20) as usize * 8 % p.ec2.len()]; // eks node roles
        let name = *self.r.pick(&[
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "GetAuthorizationToken",
            "BatchCheckLayerAvailability",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ecr", name, &a.ip, "AWS Internal");
        let repo = *self.r.pick(&[
            "checkout-api",
            "search-indexer",
            "payments/ledger",
            "base-images/python",
        ]);
        match name {
            "GetAuthorizationToken" => put!(
                out,
                ",\"requestParameters\":{\"registryIds\":[\"",
                voc().accounts[0],
                "\"]},\"responseElements\":null"
            ),
            "BatchGetImage" => {
                put!(out, ",\"requestParameters\":{\"imageIds\":[{\"imageTag\":\"", *self.r.pick(&["latest", "v1.42.0", "sha-3f9c2e1", "2024-06-01"]), "\"}],\"acceptedMediaTypes\":[\"application/vnd.docker.distribution.manifest.v1+json\",\"application/vnd.docker.distribution.manifest.v2+json\",\"application/vnd.oci.image.manifest.v1+json\",\"application/vnd.oci.image.index.v1+json\"],\"repositoryName\":\"", repo, "\",\"registryId\":\"", voc().accounts[0], "\"},\"responseElements\":null");
            }
            _ => {
                put!(
                    out,
                    ",\"requestParameters\":{\"repositoryName\":\"",
                    repo,
                    "\",\"registryId\":\"",
                    voc().accounts[0],
                    "\",\"layerDigest\":\"sha256:"
                );
                hex(out, &mut self.r, 64);
                put!(out, "\"},\"responseElements\":null");
            }
        }
        self.ids(out, Rid::Uuid, true);
        if name != "GetAuthorizationToken" {
            self.resource(
                out,
                true,
                0,
                "AWS::ECR::Repository",
                &[
                    "arn:aws:ecr:",
                    self.region,
                    ":",
                    voc().accounts[0],
                    ":repository/",
                    repo,
                ],
            );
            out.push(b']');
        }
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Host("api.ecr.us-east-1.amazonaws.com"),
            false,
        );
    }

    pub(super) fn ddb_key(&mut self, out: &mut Vec<u8>) {
        put!(
            out,
            "\"key\":{\"pk\":\"",
            *self.r.pick(&["ORDER#", "USER#", "SESSION#", "SKU#"])
        );
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"sk\":\"",
            *self.r.pick(&["META", "ITEM#0001", "PROFILE", "v0"]),
            "\"}"
        );
    }

    pub(super) fn ddb_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 50, 40, 0, 0]);
        let name = *self
            .r
            .pick(&["GetItem", "Query", "GetItem", "BatchGetItem"]);
        let table = *self.r.pick(&voc().tables);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "dynamodb", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"tableName\":\"",
            table,
            "\","
        );
        match name {
            "Query" => put!(out, "\"keyConditionExpression\":\"#pk = :pk AND begins_with(#sk, :sk)\",\"limit\":50,\"scanIndexForward\":false,\"consistentRead\":false,\"select\":\"ALL_ATTRIBUTES\""),
            _ => {
                self.ddb_key(out);
                put!(out, ",\"consistentRead\":", if self.r.pct(20) { "true" } else { "false" }, ",\"projectionExpression\":\"#s, updatedAt, version\"");
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
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

    pub(super) fn misc_describe(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[20, 10, 10, 60, 0]);
        let ver = self.ver(false);
        match self.r.below(4) {
            0 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "elasticloadbalancing",
                    "DescribeTargetHealth",
                    &a.ip,
                    a.ua,
                );
                put!(
                    out,
                    ",\"requestParameters\":{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:",
                    self.region,
                    ":",
                    voc().accounts[a.acct],
                    ":targetgroup/k8s-default-checkout-"
                );
                hex(out, &mut self.r, 10);
                out.push(b'/');
                hex(out, &mut self.r, 16);
                put!(out, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("elasticloadbalancing"),
                    false,
                );
            }
            1 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "autoscaling",
                    "DescribeAutoScalingGroups",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"filters\":[{\"name\":\"tag-key\",\"values\":[\"k8s.io/cluster-autoscaler/enabled\",\"k8s.io/cluster-autoscaler/prod\"]}],\"maxRecords\":100},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("autoscaling"),
                    false,
                );
            }
            2 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "monitoring",
                    "GetMetricData",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"metricDataQueries\":[");
                for i in 0..self.r.range(1, 6) {
                    put!(out, if i > 0 { ",{\"id\":\"m" } else { "{\"id\":\"m" });
                    num(out, i);
                    put!(
                        out,
                        "\",\"metricStat\":{\"metric\":{\"namespace\":\"AWS/",
                        *self
                            .r
                            .pick(&["EC2", "ApplicationELB", "Lambda", "RDS", "SQS"]),
                        "\",\"metricName\":\"",
                        *self.r.pick(&[
                            "CPUUtilization",
                            "RequestCount",
                            "Errors",
                            "ApproximateNumberOfMessagesVisible",
                            "Duration"
                        ]),
                        "\",\"dimensions\":[{\"name\":\"",
                        *self.r.pick(&["InstanceId", "LoadBalancer", "FunctionName"]),
                        "\",\"value\":\"",
                        self.r.pick(&p.ec2).instance,
                        "\"}]},\"period\":60,\"stat\":\"Average\"},\"returnData\":true}"
                    );
                }
                put!(out, "],\"startTime\":\"");
                iso(out, self.t_ms / 1000 - 3600);
                put!(out, "\",\"endTime\":\"");
                iso(out, self.t_ms / 1000);
                put!(out, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("monitoring"),
                    false,
                );
            }
            _ => {
                self.head(out, ver, a, None, "logs", "DescribeLogStreams", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/containerinsights/prod/application\",\"logStreamNamePrefix\":\"fluent-bit-", a.instance, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("logs"),
                    false,
                );
            }
        }
    }

    pub(super) fn ssm_agent_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let name = *self.r.pick(&[
            "ListInstanceAssociations",
            "ListAssociations",
            "DescribeInstanceProperties",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ssm", name, &a.ip, voc().ua_ssm_agent);
        put!(
            out,
            ",\"requestParameters\":{\"instanceId\":\"",
            a.instance,
            "\",\"maxResults\":20},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, true);
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

    pub(super) fn config_iam_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.slr[3 + self.r.below(3) as usize]; // AWSServiceRoleForConfig
        let name = *self.r.pick(&[
            "GetRole",
            "ListAttachedRolePolicies",
            "ListRolePolicies",
            "GetPolicyVersion",
            "GetBucketAcl",
        ]);
        let ver = self.ver(false);
        let src = if name == "GetBucketAcl" { "s3" } else { "iam" };
        self.head(out, ver, a, None, src, name, a.svc, a.svc);
        if src == "s3" {
            let b = *self.r.pick(&voc().buckets);
            put!(
                out,
                ",\"requestParameters\":{\"bucketName\":\"",
                b,
                "\",\"Host\":\"",
                b,
                ".s3.amazonaws.com\",\"acl\":\"\"},\"responseElements\":null"
            );
            self.ids(out, Rid::S3, true);
        } else {
            let role = self.r.pick(&p.lambda);
            put!(
                out,
                ",\"requestParameters\":{\"roleName\":\"",
                role.role,
                "\""
            );
            if name == "GetPolicyVersion" {
                put!(out, ",\"policyArn\":\"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\",\"versionId\":\"v1\"");
            }
            put!(out, "},\"responseElements\":null");
            self.ids(out, Rid::Uuid, true);
        }
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    pub(super) fn get_caller_identity(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[40, 20, 20, 10, 10]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "sts", "GetCallerIdentity", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":null,\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Host("sts.amazonaws.com"),
            false,
        );
    }
}
