//! The identities that make calls, built once per generator from the seed.
//!
//! `Pools::new` draws every actor (EC2, Lambda, ECS and IRSA roles, CI users,
//! service-linked roles, AWS services, humans, roots) and the resource ids
//! they touch from its own `Rng`, so the pools depend only on the seed and
//! the base time, never on how many records are written. Each actor carries
//! its `userIdentity` object pre-rendered as compact JSON.

use super::rng::{s_b32, s_hex, s_uuid, Rng};
use super::time::s_iso;
use super::vocab::voc;

pub(super) struct Actor {
    /// The whole `userIdentity` object, compact JSON.
    pub(super) ident: Vec<u8>,
    /// `userIdentity` on the actor's ConsoleLogin records (empty: `ident`).
    pub(super) login_ident: Vec<u8>,
    pub(super) acct: usize,
    pub(super) region: usize,
    /// JSON string contents (already escaped).
    pub(super) ip: String,
    pub(super) ua: &'static str,
    pub(super) arn: String,
    pub(super) role: String,
    pub(super) role_arn: String,
    pub(super) role_id: String,
    pub(super) session: String,
    pub(super) user: String,
    pub(super) instance: String,
    pub(super) console: bool,
    /// Host of the calling service for service-linked / service actors.
    pub(super) svc: &'static str,
}

impl Actor {
    pub(super) fn blank(acct: usize, region: usize) -> Actor {
        Actor {
            ident: Vec::new(),
            login_ident: Vec::new(),
            acct,
            region,
            ip: String::new(),
            ua: "",
            arn: String::new(),
            role: String::new(),
            role_arn: String::new(),
            role_id: String::new(),
            session: String::new(),
            user: String::new(),
            instance: String::new(),
            console: false,
            svc: "",
        }
    }
}

pub(super) struct Pools {
    pub(super) ec2: Vec<Actor>,
    pub(super) lambda: Vec<Actor>,
    pub(super) ecs: Vec<Actor>,
    pub(super) irsa: Vec<Actor>,
    pub(super) ci: Vec<Actor>,
    pub(super) slr: Vec<Actor>,
    pub(super) cfn: Vec<Actor>,
    pub(super) awssvc: Vec<Actor>,
    pub(super) humans: Vec<Actor>,
    pub(super) roots: Vec<Actor>,
    pub(super) kms_keys: Vec<String>,
    pub(super) sgs: Vec<String>,
    pub(super) subnets: Vec<String>,
    pub(super) vpcs: Vec<String>,
    pub(super) amis: Vec<String>,
    pub(super) detector: String,
}

pub(super) fn public_ip(r: &mut Rng) -> String {
    match r.below(7) {
        0 => format!("192.0.2.{}", r.range(1, 254)),
        1 | 2 => format!("198.51.100.{}", r.range(1, 254)),
        3 => format!(
            "2001:db8:{:x}:{:x}::{:x}",
            r.below(0xffff),
            r.below(0xffff),
            r.range(1, 0xfff)
        ),
        _ => format!("203.0.113.{}", r.range(1, 254)),
    }
}
pub(super) fn private_ip(r: &mut Rng) -> String {
    format!("10.{}.{}.{}", r.below(4), r.below(64), r.range(4, 250))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn assumed_role(
    r: &mut Rng,
    a: &mut Actor,
    path: &str,
    role: &str,
    session: &str,
    mfa: bool,
    created: u64,
    webid: &str,
    extra: &str,
) {
    let acct = voc().accounts[a.acct];
    let rid = format!("AROA{}", s_b32(r, 17));
    a.role = role.to_string();
    a.role_id = rid.clone();
    a.session = session.to_string();
    a.role_arn = format!("arn:aws:iam::{acct}:role{path}{role}");
    a.arn = format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}");
    a.ident = format!(
        "{{\"type\":\"AssumedRole\",\"principalId\":\"{rid}:{session}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"accessKeyId\":\"ASIA{}\",\"sessionContext\":{{\"sessionIssuer\":{{\"type\":\"Role\",\"principalId\":\"{rid}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"userName\":\"{role}\"}},\"webIdFederationData\":{{{webid}}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"{mfa}\"}}{extra}}}}}",
        a.arn,
        s_b32(r, 16),
        a.role_arn,
        s_iso(created),
    )
    .into_bytes();
}

pub(super) fn iam_user(
    r: &mut Rng,
    a: &mut Actor,
    user: &str,
    console: bool,
    mfa: bool,
    created: u64,
) {
    let acct = voc().accounts[a.acct];
    a.user = user.to_string();
    a.arn = format!("arn:aws:iam::{acct}:user/{user}");
    let ctx = if console {
        format!(
            ",\"sessionContext\":{{\"sessionIssuer\":{{}},\"webIdFederationData\":{{}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"{mfa}\"}}}}",
            s_iso(created)
        )
    } else {
        String::new()
    };
    a.ident = format!(
        "{{\"type\":\"IAMUser\",\"principalId\":\"AIDA{}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"accessKeyId\":\"{}{}\",\"userName\":\"{user}\"{ctx}}}",
        s_b32(r, 17),
        a.arn,
        if console { "ASIA" } else { "AKIA" },
        s_b32(r, 16),
    )
    .into_bytes();
}

impl Pools {
    pub(super) fn new(seed: u64, base: u64) -> Pools {
        let mut r = Rng(seed ^ 0x5EED_AC70_0C0F_FEE5);
        let r = &mut r;
        let created = |r: &mut Rng| base - r.range(60, 6 * 3600);
        let acct_of = |r: &mut Rng| r.weighted(&voc().account_w);
        let region_of = |r: &mut Rng| r.weighted(&voc().region_w);

        let mut ec2 = Vec::new();
        for i in 0..160 {
            let mut a = Actor::blank(acct_of(r), region_of(r));
            let role = voc().ec2_roles[i % voc().ec2_roles.len()];
            a.instance = format!("i-0{}", s_hex(r, 16));
            let deliv = if r.pct(85) { "2.0" } else { "1.0" };
            let c = created(r);
            let session = a.instance.clone();
            assumed_role(
                r,
                &mut a,
                "/",
                role,
                &session,
                false,
                c,
                "",
                &format!(",\"ec2RoleDelivery\":\"{deliv}\""),
            );
            a.ip = if r.pct(40) {
                private_ip(r)
            } else {
                public_ip(r)
            };
            a.ua = if role.starts_with("bastion") {
                voc().ua_ssm_agent
            } else {
                voc().ua_sdk[r.below(voc().ua_sdk.len() as u64) as usize]
            };
            ec2.push(a);
        }
        let mut lambda = Vec::new();
        for (i, f) in voc().lambda_funcs.iter().enumerate() {
            for _ in 0..3 {
                let mut a = Actor::blank(acct_of(r), region_of(r));
                let role = format!("{f}-role-{}", s_hex(r, 8));
                let c = created(r);
                assumed_role(r, &mut a, "/service-role/", &role, f, false, c, "", "");
                a.ip = public_ip(r);
                a.ua = voc().ua_lambda[i % voc().ua_lambda.len()];
                a.user = f.to_string();
                lambda.push(a);
            }
        }
        let mut ecs = Vec::new();
        for &role in &voc().ecs_roles {
            for _ in 0..6 {
                let mut a = Actor::blank(acct_of(r), region_of(r));
                let session = s_hex(r, 32);
                let c = created(r);
                assumed_role(r, &mut a, "/", role, &session, false, c, "", "");
                a.ip = if r.pct(50) {
                    private_ip(r)
                } else {
                    public_ip(r)
                };
                a.ua = voc().ua_ecs[r.below(2) as usize];
                ecs.push(a);
            }
        }
        let mut irsa = Vec::new();
        for (i, role) in voc().irsa_roles.iter().enumerate() {
            for _ in 0..2 {
                let mut a = Actor::blank(0, region_of(r));
                let oidc = format!(
                    "\"federatedProvider\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}\",\"attributes\":{{}}",
                    voc().accounts[0],
                    voc().regions[a.region],
                    s_hex(r, 32).to_uppercase()
                );
                let session = format!("{}", 1_717_300_000_000_000_000u64 + r.below(1 << 31) * 1000);
                let c = created(r);
                assumed_role(r, &mut a, "/", role, &session, false, c, &oidc, "");
                a.ip = private_ip(r);
                a.ua = voc().ua_irsa[i % voc().ua_irsa.len()];
                irsa.push(a);
            }
        }
        let mut ci = Vec::new();
        {
            let mut a = Actor::blank(0, 0);
            let c = created(r);
            assumed_role(
                r,
                &mut a,
                "/",
                "github-actions-deploy",
                "GitHubActions",
                false,
                c,
                "\"federatedProvider\":\"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\",\"attributes\":{}",
                "",
            );
            a.ip = public_ip(r);
            a.ua = voc().ua_sdk[7];
            ci.push(a);
            for (u, ua) in [
                ("svc-backup", voc().ua_sdk[10]),
                ("legacy-ci", voc().ua_sdk[3]),
                ("datadog-integration", voc().ua_sdk[11]),
            ] {
                let mut a = Actor::blank(acct_of(r), 0);
                iam_user(r, &mut a, u, false, false, base);
                a.ip = public_ip(r);
                a.ua = ua;
                ci.push(a);
            }
        }
        let mut slr = Vec::new();
        for (role, session, svc) in [
            (
                "AWSServiceRoleForAutoScaling",
                "AutoScaling",
                "autoscaling.amazonaws.com",
            ),
            (
                "AWSServiceRoleForConfig",
                "AWSConfig-Describe",
                "config.amazonaws.com",
            ),
            (
                "AWSServiceRoleForElasticLoadBalancing",
                "ElasticLoadBalancing",
                "elasticloadbalancing.amazonaws.com",
            ),
            (
                "AWSServiceRoleForAmazonEKSNodegroup",
                "EKS",
                "eks-nodegroup.amazonaws.com",
            ),
            ("AWSServiceRoleForAmazonSSM", "SSM", "ssm.amazonaws.com"),
            (
                "AWSServiceRoleForTrustedAdvisor",
                "TrustedAdvisor_123456789012_e5f6a7b8",
                "trustedadvisor.amazonaws.com",
            ),
        ] {
            for acct in 0..3 {
                let mut a = Actor::blank(acct, region_of(r));
                let c = created(r);
                assumed_role(
                    r,
                    &mut a,
                    &format!("/aws-service-role/{svc}/"),
                    role,
                    session,
                    false,
                    c,
                    "",
                    "",
                );
                let rest = a.ident.split_off(a.ident.len() - 1);
                a.ident
                    .extend_from_slice(format!(",\"invokedBy\":\"{svc}\"").as_bytes());
                a.ident.extend_from_slice(&rest);
                a.ip = svc.to_string();
                a.ua = svc;
                a.svc = svc;
                slr.push(a);
            }
        }
        let mut cfn = Vec::new();
        for acct in 0..3 {
            let mut a = Actor::blank(acct, region_of(r));
            let c = created(r);
            assumed_role(
                r,
                &mut a,
                "/",
                "cfn-exec-role",
                "AWSCloudFormation",
                false,
                c,
                "",
                "",
            );
            let rest = a.ident.split_off(a.ident.len() - 1);
            a.ident
                .extend_from_slice(b",\"invokedBy\":\"cloudformation.amazonaws.com\"");
            a.ident.extend_from_slice(&rest);
            a.ip = "cloudformation.amazonaws.com".into();
            a.ua = "cloudformation.amazonaws.com";
            a.svc = "cloudformation.amazonaws.com";
            cfn.push(a);
        }
        let mut awssvc = Vec::new();
        for svc in [
            "lambda.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "ec2.amazonaws.com",
            "states.amazonaws.com",
            "firehose.amazonaws.com",
            "glue.amazonaws.com",
        ] {
            let mut a = Actor::blank(0, 0);
            a.ident = format!("{{\"type\":\"AWSService\",\"invokedBy\":\"{svc}\"}}").into_bytes();
            a.ip = svc.to_string();
            a.ua = svc;
            a.svc = svc;
            awssvc.push(a);
        }
        let mut humans = Vec::new();
        for (i, u) in voc().humans.iter().enumerate() {
            // One SSO console session, one SSO CLI session, one IAM user (console or keys).
            for variant in 0..3 {
                let mut a = Actor::blank(acct_of(r), if r.pct(70) { 0 } else { region_of(r) });
                let ip = public_ip(r);
                match variant {
                    0 | 1 => {
                        let set = voc().sso_sets[(i + variant) % voc().sso_sets.len()];
                        let session = format!("{u}@example.com");
                        let c = created(r);
                        assumed_role(
                            r,
                            &mut a,
                            "/aws-reserved/sso.amazonaws.com/eu-west-1/",
                            set,
                            &session,
                            false,
                            c,
                            "",
                            "",
                        );
                        a.console = variant == 0;
                        a.ua = if a.console {
                            voc().ua_browser[i % 4]
                        } else {
                            voc().ua_human_cli[i % 3]
                        };
                    }
                    _ => {
                        let console = i % 2 == 0;
                        let c = created(r);
                        iam_user(r, &mut a, u, console, console, c);
                        // Sign-in records carry the bare IAM user, no session.
                        let bare = String::from_utf8_lossy(&a.ident).into_owned();
                        let cut = bare.find(",\"accessKeyId\"").unwrap();
                        let uname = format!(",\"userName\":\"{u}\"}}");
                        a.login_ident = format!("{}{uname}", &bare[..cut]).into_bytes();
                        a.console = console;
                        a.ua = if console {
                            voc().ua_browser[(i + 1) % 4]
                        } else {
                            voc().ua_human_cli[(i + 1) % 3]
                        };
                    }
                }
                a.user = u.to_string();
                a.ip = ip;
                humans.push(a);
            }
        }
        let mut roots = Vec::new();
        for acct in 0..voc().accounts.len() {
            let mut a = Actor::blank(acct, 0);
            let id = voc().accounts[acct];
            a.arn = format!("arn:aws:iam::{id}:root");
            let alias = if acct == 0 {
                ",\"userName\":\"acme-prod\""
            } else {
                ""
            };
            a.ident = format!(
                "{{\"type\":\"Root\",\"principalId\":\"{id}\",\"arn\":\"{}\",\"accountId\":\"{id}\",\"accessKeyId\":\"ASIA{}\"{alias},\"sessionContext\":{{\"sessionIssuer\":{{}},\"webIdFederationData\":{{}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"false\"}}}}}}",
                a.arn,
                s_b32(r, 16),
                s_iso(created(r))
            )
            .into_bytes();
            a.ip = public_ip(r);
            a.ua = voc().ua_browser[acct % 4];
            a.console = true;
            a.user = "root".into();
            roots.push(a);
        }
        Pools {
            ec2,
            lambda,
            ecs,
            irsa,
            ci,
            slr,
            cfn,
            awssvc,
            humans,
            roots,
            kms_keys: (0..12).map(|_| s_uuid(r)).collect(),
            sgs: (0..16).map(|_| format!("sg-0{}", s_hex(r, 16))).collect(),
            subnets: (0..12)
                .map(|_| format!("subnet-0{}", s_hex(r, 16)))
                .collect(),
            vpcs: (0..4).map(|_| format!("vpc-0{}", s_hex(r, 16))).collect(),
            amis: (0..6).map(|_| format!("ami-0{}", s_hex(r, 16))).collect(),
            detector: s_hex(r, 32),
        }
    }
}
