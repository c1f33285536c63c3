//! About 20% of records: writes by machines and services (2/2).
//!
//! Infrastructure writes: `RunInstances` (the largest records, up to about
//! 10 KB), `TerminateInstances`, CloudFormation, `AwsServiceEvent` records
//! (the smallest), ECS state changes, SNS publishes and ENI attributes.

use super::actors::{Actor, Pools};
use super::record::{Rid, St, Tls};
use super::rng::{b32, hex, num, uuid};
use super::time::{aws_date, iso};
use super::vocab::voc;

impl St {
    /// RunInstances-like record with a nested `instancesSet.items[]` response.
    pub(super) fn run_instances(
        &mut self,
        p: &Pools,
        out: &mut Vec<u8>,
        a: &Actor,
        inv: Option<&str>,
        n: u64,
        console: bool,
    ) {
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            inv.filter(|_| a.svc.is_empty()),
            "ec2",
            "RunInstances",
            &a.ip,
            a.ua,
        );
        let ami = self.r.pick(&p.amis).clone();
        let itype = *self.r.pick(&voc().instance_types);
        let subnet = self.r.pick(&p.subnets).clone();
        let sg = self.r.pick(&p.sgs).clone();
        let vpc = self.r.pick(&p.vpcs).clone();
        let az = format!("{}{}", self.region, *self.r.pick(&["a", "b", "c"]));
        let launch_ms = self.t_ms / 1000 * 1000;
        let ntags = self.r.range(3, 8);
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"imageId\":\"",
            ami,
            "\",\"minCount\":"
        );
        num(out, n);
        put!(out, ",\"maxCount\":");
        num(out, n);
        put!(out, "}]},\"instanceType\":\"", itype, "\",\"blockDeviceMapping\":{},\"availabilityZone\":\"", az, "\",\"tenancy\":\"default\",\"monitoring\":{\"enabled\":false},\"disableApiTermination\":false,\"disableApiStop\":false,\"clientToken\":\"");
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"networkInterfaceSet\":{\"items\":[{\"deviceIndex\":0,\"subnetId\":\"",
            subnet,
            "\",\"groupSet\":{\"items\":[{\"groupId\":\"",
            sg,
            "\"}]}}]},\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::",
            voc().accounts[a.acct],
            ":instance-profile/",
            voc().ec2_roles[0],
            "\"},\"launchTemplate\":{\"launchTemplateId\":\"lt-0"
        );
        hex(out, &mut self.r, 16);
        put!(out, "\",\"version\":\"");
        num(out, self.r.range(1, 40));
        put!(
            out,
            "\"},\"tagSpecificationSet\":{\"items\":[{\"resourceType\":\"instance\",\"tags\":["
        );
        self.tags(out, ntags, "key", "value");
        put!(out, "]},{\"resourceType\":\"volume\",\"tags\":[");
        self.tags(out, 2, "key", "value");
        put!(out, "]}]},\"metadataOptions\":{\"httpTokens\":\"required\",\"httpPutResponseHopLimit\":2}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"reservationId\":\"r-0");
        hex(out, &mut self.r, 16);
        put!(
            out,
            "\",\"ownerId\":\"",
            voc().accounts[a.acct],
            "\",\"groupSet\":{},\"instancesSet\":{\"items\":["
        );
        for i in 0..n {
            let ip = format!(
                "10.{}.{}.{}",
                self.r.below(4),
                self.r.below(64),
                self.r.range(4, 250)
            );
            let dns = format!("ip-{}.ec2.internal", ip.replace('.', "-"));
            put!(
                out,
                if i > 0 {
                    ",{\"instanceId\":\"i-0"
                } else {
                    "{\"instanceId\":\"i-0"
                }
            );
            hex(out, &mut self.r, 16);
            put!(out, "\",\"imageId\":\"", ami, "\",\"currentInstanceBootMode\":\"uefi\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"privateDnsName\":\"", dns, "\",\"amiLaunchIndex\":");
            num(out, i);
            put!(
                out,
                ",\"productCodes\":{},\"instanceType\":\"",
                itype,
                "\",\"launchTime\":"
            );
            num(out, launch_ms);
            put!(out, ",\"placement\":{\"availabilityZone\":\"", az, "\",\"tenancy\":\"default\"},\"monitoring\":{\"state\":\"disabled\"},\"subnetId\":\"", subnet, "\",\"vpcId\":\"", vpc, "\",\"privateIpAddress\":\"", ip, "\",\"stateReason\":{\"code\":\"pending\",\"message\":\"pending\"},\"architecture\":\"x86_64\",\"rootDeviceType\":\"ebs\",\"rootDeviceName\":\"/dev/xvda\",\"blockDeviceMapping\":{},\"virtualizationType\":\"hvm\",\"hypervisor\":\"xen\",\"tagSet\":{\"items\":[");
            self.tags(out, ntags, "key", "value");
            put!(out, "]},\"groupSet\":{\"items\":[{\"groupId\":\"", sg, "\",\"groupName\":\"eks-cluster-sg-prod-1234567890\"}]},\"sourceDestCheck\":true,\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"eni-0");
            hex(out, &mut self.r, 16);
            put!(
                out,
                "\",\"subnetId\":\"",
                subnet,
                "\",\"vpcId\":\"",
                vpc,
                "\",\"ownerId\":\"",
                voc().accounts[a.acct],
                "\",\"status\":\"in-use\",\"macAddress\":\"0e:"
            );
            for j in 0..5 {
                hex(out, &mut self.r, 2);
                if j < 4 {
                    out.push(b':');
                }
            }
            put!(out, "\",\"privateIpAddress\":\"", ip, "\",\"privateDnsName\":\"", dns, "\",\"sourceDestCheck\":true,\"interfaceType\":\"interface\",\"groupSet\":{\"items\":[{\"groupId\":\"", sg, "\",\"groupName\":\"eks-cluster-sg-prod-1234567890\"}]},\"attachment\":{\"attachmentId\":\"eni-attach-0");
            hex(out, &mut self.r, 16);
            put!(out, "\",\"deviceIndex\":0,\"networkCardIndex\":0,\"status\":\"attaching\",\"attachTime\":");
            num(out, launch_ms);
            put!(out, ",\"deleteOnTermination\":true},\"privateIpAddressesSet\":{\"item\":[{\"privateIpAddress\":\"", ip, "\",\"privateDnsName\":\"", dns, "\",\"primary\":true}]},\"ipv6AddressesSet\":{},\"tagSet\":{}}]},\"ebsOptimized\":false,\"enaSupport\":true,\"cpuOptions\":{\"coreCount\":1,\"threadsPerCore\":2},\"capacityReservationSpecification\":{\"capacityReservationPreference\":\"open\"},\"enclaveOptions\":{\"enabled\":false},\"metadataOptions\":{\"state\":\"pending\",\"httpTokens\":\"required\",\"httpPutResponseHopLimit\":2,\"httpEndpoint\":\"enabled\",\"httpProtocolIpv4\":\"ipv4\",\"httpProtocolIpv6\":\"disabled\",\"instanceMetadataTags\":\"disabled\"},\"maintenanceOptions\":{\"autoRecovery\":\"default\"},\"privateDnsNameOptions\":{\"hostnameType\":\"ip-name\",\"enableResourceNameDnsARecord\":false,\"enableResourceNameDnsAAAARecord\":false}}");
        }
        put!(
            out,
            "]},\"requesterId\":\"",
            *self.r.pick(&["940372691376", "490497432234"]),
            "\"}"
        );
        self.ids(out, Rid::Uuid, false);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, console);
    }

    pub(super) fn terminate_instances(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.slr[self.r.below(3) as usize];
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", "TerminateInstances", &a.ip, a.ua);
        let inst = self.r.pick(&p.ec2).instance.clone();
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\"}]}},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"", inst, "\",\"currentState\":{\"code\":32,\"name\":\"shutting-down\"},\"previousState\":{\"code\":16,\"name\":\"running\"}}]}}");
        self.ids(out, Rid::Uuid, false);
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    pub(super) fn cfn_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.cfn);
        let ver = self.ver(false);
        let stack = format!(
            "arn:aws:cloudformation:{}:{}:stack/prod-checkout/{}",
            voc().regions[a.region],
            voc().accounts[a.acct],
            "3f1c2b4a-8e9d-11ee-b9d1-0242ac120002"
        );
        match self.r.below(6) {
            0 => {
                self.head(out, ver, a, None, "sns", "CreateTopic", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"name\":\"prod-checkout-events\",\"tags\":[{\"key\":\"aws:cloudformation:stack-id\",\"value\":\"", stack, "\"},{\"key\":\"aws:cloudformation:logical-id\",\"value\":\"EventsTopic\"}]},\"responseElements\":{\"topicArn\":\"arn:aws:sns:", self.region, ":", voc().accounts[a.acct], ":prod-checkout-events\"}");
            }
            1 => {
                self.head(out, ver, a, None, "sqs", "SetQueueAttributes", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"queueUrl\":\"https://sqs.", self.region, ".amazonaws.com/", voc().accounts[a.acct], "/prod-checkout-dlq\",\"attributes\":{\"VisibilityTimeout\":\"180\",\"MessageRetentionPeriod\":\"1209600\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:", self.region, ":", voc().accounts[a.acct], ":prod-checkout-dlq-2\\\",\\\"maxReceiveCount\\\":5}\"}},\"responseElements\":null");
            }
            2 => {
                self.head(out, ver, a, None, "logs", "PutRetentionPolicy", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/lambda/prod-checkout-handler\",\"retentionInDays\":30},\"responseElements\":null");
            }
            3 => {
                self.head(out, ver, a, None, "dynamodb", "UpdateTable", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"tableName\":\"", *self.r.pick(&voc().tables), "\",\"billingMode\":\"PAY_PER_REQUEST\",\"sSESpecification\":{\"enabled\":true,\"sSEType\":\"KMS\"}},\"responseElements\":{\"tableDescription\":{\"tableStatus\":\"UPDATING\",\"itemCount\":0,\"tableSizeBytes\":0}}");
            }
            4 => {
                self.head(out, ver, a, None, "iam", "CreateRole", &a.ip, a.ua);
                put!(
                    out,
                    ",\"requestParameters\":{\"roleName\":\"prod-checkout-HandlerRole-"
                );
                b32(out, &mut self.r, 12);
                put!(out, "\",\"assumeRolePolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":[\\\"lambda.amazonaws.com\\\"]},\\\"Action\\\":[\\\"sts:AssumeRole\\\"]}]}\",\"tags\":[{\"key\":\"aws:cloudformation:stack-id\",\"value\":\"", stack, "\"}]},\"responseElements\":{\"role\":{\"path\":\"/\",\"roleName\":\"prod-checkout-HandlerRole\",\"roleId\":\"AROA");
                b32(out, &mut self.r, 17);
                put!(
                    out,
                    "\",\"arn\":\"arn:aws:iam::",
                    voc().accounts[a.acct],
                    ":role/prod-checkout-HandlerRole\",\"createDate\":\""
                );
                aws_date(out, self.t_ms / 1000);
                put!(out, "\"}}");
            }
            _ => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "lambda",
                    "TagResource20170331v2",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"resource\":\"arn:aws:lambda:", self.region, ":", voc().accounts[a.acct], ":function:prod-checkout-handler\",\"tags\":{\"aws:cloudformation:stack-name\":\"prod-checkout\",\"aws:cloudformation:logical-id\":\"Handler\",\"aws:cloudformation:stack-id\":\"", stack, "\"}},\"responseElements\":null");
            }
        }
        self.ids(out, Rid::Uuid, false);
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    /// Small `AwsServiceEvent` records (the smallest in the corpus).
    pub(super) fn service_event(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let acct = self.r.weighted(&voc().account_w);
        let region = voc().regions[self.r.weighted(&voc().region_w)];
        self.region = region;
        let (src, name) = *self.r.pick(&[
            ("kms", "RotateKey"),
            ("ssm", "UpdateInstanceAssociationStatus"),
            ("backup", "BackupJobCompleted"),
            ("autoscaling", "AutoScalingGroupLaunch"),
        ]);
        self.name = name;
        put!(
            out,
            "{\"eventVersion\":\"",
            self.ver(false),
            "\",\"userIdentity\":{\"accountId\":\"",
            voc().accounts[acct],
            "\",\"invokedBy\":\"",
            src,
            ".amazonaws.com\"},\"eventTime\":\""
        );
        iso(out, self.t_ms / 1000);
        put!(
            out,
            "\",\"eventSource\":\"",
            src,
            ".amazonaws.com\",\"eventName\":\"",
            name,
            "\",\"awsRegion\":\"",
            region,
            "\",\"sourceIPAddress\":\"",
            src,
            ".amazonaws.com\",\"userAgent\":\"",
            src,
            ".amazonaws.com\",\"requestParameters\":null,\"responseElements\":null"
        );
        if src == "kms" {
            put!(
                out,
                ",\"additionalEventData\":{\"keyId\":\"",
                self.r.pick(&p.kms_keys),
                "\"}"
            );
        }
        self.ids(out, Rid::None, false);
        if src == "kms" {
            put!(
                out,
                ",\"resources\":[{\"accountId\":\"",
                voc().accounts[acct],
                "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\""
            );
            self.kms_arn(out, p, acct);
            put!(out, "\"}]");
        }
        put!(
            out,
            ",\"eventType\":\"AwsServiceEvent\",\"managementEvent\":true,\"recipientAccountId\":\"",
            voc().accounts[acct],
            "\",\"eventCategory\":\"Management\"}"
        );
    }

    pub(super) fn ecs_state_change(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let name = *self.r.pick(&[
            "SubmitTaskStateChange",
            "SubmitContainerStateChange",
            "SubmitAttachmentStateChanges",
        ]);
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            None,
            "ecs",
            name,
            &a.ip,
            "aws-sdk-go/1.44.327 (go1.20.12; linux; amd64) amazon-ecs-agent/1.82.1",
        );
        put!(
            out,
            ",\"requestParameters\":{\"cluster\":\"arn:aws:ecs:",
            self.region,
            ":",
            voc().accounts[a.acct],
            ":cluster/prod\",\"task\":\"arn:aws:ecs:",
            self.region,
            ":",
            voc().accounts[a.acct],
            ":task/prod/"
        );
        hex(out, &mut self.r, 32);
        put!(
            out,
            "\",\"status\":\"",
            *self.r.pick(&["RUNNING", "STOPPED", "PENDING"]),
            "\",\"reason\":\"\",\"containers\":[{\"containerName\":\"app\",\"runtimeId\":\""
        );
        hex(out, &mut self.r, 64);
        put!(out, "\",\"status\":\"RUNNING\",\"networkBindings\":[]}]},\"responseElements\":{\"acknowledgment\":\"ACK\"}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ecs"),
            false,
        );
    }

    pub(super) fn sns_publish(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 60, 30, 0, 0]);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "sns", "Publish", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{\"topicArn\":\"arn:aws:sns:", self.region, ":", voc().accounts[a.acct], ":", *self.r.pick(&["order-events", "alerts-critical", "user-signups"]), "\",\"messageAttributes\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"message\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"},\"responseElements\":{\"messageId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\"}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::Svc("sns"),
            false,
        );
    }

    pub(super) fn eni_attr(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.ec2[self.r.below(20) as usize * 8 % p.ec2.len()];
        let name = *self.r.pick(&[
            "ModifyNetworkInterfaceAttribute",
            "AssignPrivateIpAddresses",
            "CreateNetworkInterface",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", name, &a.ip, "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.141.0 amazon-vpc-cni-k8s/v1.16.4");
        put!(
            out,
            ",\"requestParameters\":{\"networkInterfaceId\":\"eni-0"
        );
        hex(out, &mut self.r, 16);
        put!(out, "\",\"secondaryPrivateIpAddressCount\":");
        num(out, self.r.range(1, 14));
        put!(
            out,
            ",\"description\":\"aws-K8S-",
            a.instance,
            "\",\"groupSet\":{\"items\":[{\"groupId\":\"",
            self.r.pick(&p.sgs),
            "\"}]}},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ec2"),
            false,
        );
    }
}
