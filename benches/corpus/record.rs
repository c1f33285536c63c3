//! The record generator's state, and the helpers every record is built from.
//!
//! `Generator::next_record` chooses a part of the mix (`Kind`) and appends one
//! compact JSON record. `St` holds the per-stream state (PRNG, clock, facts
//! about the last record for `Stats`); its helpers write the parts shared by
//! all records: the head (`eventVersion` .. `userIdentity`), errors, ids,
//! resources and the tail (`eventType` .. `tlsDetails`). Records are written
//! straight into the caller's buffer; nothing is parsed back.

use super::actors::{Actor, Pools};
use super::rng::{b32, b64, hex, hex_upper, num, rand_chars, two, uuid, Rng};
use super::time::{civil_from_days, days_from_civil, iso};
use super::vocab::voc;
use super::{Kind, Options, Shape};

pub(super) struct St {
    pub(super) r: Rng,
    pub(super) t_ms: u64,
    pub(super) name: &'static str,
    pub(super) failed: bool,
    pub(super) root: bool,
    pub(super) region: &'static str,
}

/// The arms of `[mix.kind]` in templates.txt: `Kind` names.
pub(super) const KIND_ARMS: &[&str] = &["ServiceRead", "MachineWrite", "Human", "HighSignal"];

/// Deterministic record generator. `next_record` appends one compact record.
pub struct Generator {
    pub(super) st: St,
    pub(super) p: Pools,
}

/// Which request-id style a service uses.
#[derive(Clone, Copy)]
pub(super) enum Rid {
    Uuid,
    S3,
    None,
}

/// `tlsDetails` to write.
#[derive(Clone, Copy)]
pub(super) enum Tls<'a> {
    None,
    /// `clientProvidedHostHeader` = `<prefix>.<region>.amazonaws.com`.
    Svc(&'a str),
    /// `clientProvidedHostHeader` = `<bucket>.s3.<region>.amazonaws.com`.
    S3(&'a str),
    /// Verbatim host.
    Host(&'a str),
}

pub(super) enum Who {
    Ec2,
    Lambda,
    Ecs,
    Irsa,
    Ci,
}

impl Generator {
    pub fn new<O: std::borrow::Borrow<Options>>(opts: O) -> Generator {
        let opts = opts.borrow();
        let base_day = days_from_civil(2024, 6, 3) as u64;
        let mut r = Rng(opts.seed);
        let base = base_day * 86_400 + r.below(30) * 86_400 + r.below(86_400);
        Generator {
            st: St {
                r,
                t_ms: base * 1000,
                name: "",
                failed: false,
                root: false,
                region: voc().regions[0],
            },
            p: Pools::new(opts.seed, base),
        }
    }

    pub fn with_seed(seed: u64) -> Generator {
        Generator::new(Options {
            seed,
            shape: Shape::Ndjson,
        })
    }

    /// Appends one compact JSON record (no newline) and returns its kind.
    pub fn next_record(&mut self, out: &mut Vec<u8>) -> Kind {
        let st = &mut self.st;
        let p = &self.p;
        st.failed = false;
        st.root = false;
        st.t_ms += st.r.below(30);
        match voc().mix_kind.pick(&mut st.r) {
            "ServiceRead" => {
                st.service_read(p, out);
                Kind::ServiceRead
            }
            "MachineWrite" => {
                st.machine_write(p, out);
                Kind::MachineWrite
            }
            "Human" => {
                st.human(p, out);
                Kind::Human
            }
            "HighSignal" => {
                st.high_signal(p, out);
                Kind::HighSignal
            }
            arm => unreachable!("[mix.kind] arm {arm:?}"),
        }
    }

    /// eventName of the last record.
    pub fn last_event_name(&self) -> &'static str {
        self.st.name
    }
    /// Whether the last record carries an errorCode.
    pub fn last_failed(&self) -> bool {
        self.st.failed
    }

    /// The envelope fields after the message field of a host-wrapped line.
    pub(super) fn wrap_tail(&mut self, out: &mut Vec<u8>) {
        let st = &mut self.st;
        let acct = voc().accounts[st.r.weighted(&voc().account_w)];
        let region = voc().regions[st.r.weighted(&voc().region_w)];
        let secs = st.t_ms / 1000;
        let (y, m, d) = civil_from_days((secs / 86_400) as i64);
        put!(
            out,
            ",\"source_type\":\"aws_s3\",\"bucket\":\"",
            voc().buckets[5],
            "\",\"object\":\"AWSLogs/o-a1b2c3d4e5/",
            acct,
            "/CloudTrail/",
            region,
            "/"
        );
        num(out, y as u64);
        out.push(b'/');
        two(out, m);
        out.push(b'/');
        two(out, d);
        put!(out, "/", acct, "_CloudTrail_", region, "_");
        num(out, y as u64);
        two(out, m);
        two(out, d);
        out.push(b'T');
        two(out, secs % 86_400 / 3600);
        two(out, secs % 3600 / 60 / 5 * 5);
        put!(out, "Z_");
        b32(out, &mut st.r, 16);
        put!(
            out,
            ".json.gz\",\"region\":\"",
            voc().regions[0],
            "\",\"timestamp\":\""
        );
        iso(out, secs);
        put!(out, "\"}");
    }
}

impl St {
    // ---- envelope helpers -------------------------------------------------

    pub(super) fn ver(&mut self, data: bool) -> &'static str {
        if data {
            voc().versions_data[self.r.below(voc().versions_data.len() as u64) as usize]
        } else {
            voc().versions_mgmt[self.r.below(voc().versions_mgmt.len() as u64) as usize]
        }
    }

    /// `{"eventVersion":..,"userIdentity":..,"eventTime":..,"eventSource":..,
    /// "eventName":..,"awsRegion":..,"sourceIPAddress":..,"userAgent":..`
    #[allow(clippy::too_many_arguments)]
    pub(super) fn head(
        &mut self,
        out: &mut Vec<u8>,
        ver: &str,
        a: &Actor,
        invoked_by: Option<&str>,
        src: &str,
        name: &'static str,
        ip: &str,
        ua: &str,
    ) {
        self.name = name;
        self.region = voc().regions[if self.r.pct(90) {
            a.region
        } else {
            self.r.weighted(&voc().region_w)
        }];
        put!(out, "{\"eventVersion\":\"", ver, "\",\"userIdentity\":");
        match invoked_by {
            None => out.extend_from_slice(&a.ident),
            Some(svc) => {
                out.extend_from_slice(&a.ident[..a.ident.len() - 1]);
                put!(out, ",\"invokedBy\":\"", svc, "\"}");
            }
        }
        put!(out, ",\"eventTime\":\"");
        let mut secs = self.t_ms / 1000;
        if self.r.pct(8) {
            secs -= self.r.below(300); // log files are not in time order
        }
        iso(out, secs);
        put!(
            out,
            "\",\"eventSource\":\"",
            src,
            ".amazonaws.com\",\"eventName\":\"",
            name,
            "\",\"awsRegion\":\"",
            self.region
        );
        put!(
            out,
            "\",\"sourceIPAddress\":\"",
            ip,
            "\",\"userAgent\":\"",
            ua,
            "\""
        );
    }

    pub(super) fn error(&mut self, out: &mut Vec<u8>, code: &str, msg: &str) {
        self.failed = true;
        put!(
            out,
            ",\"errorCode\":\"",
            code,
            "\",\"errorMessage\":\"",
            msg,
            "\""
        );
    }

    /// AccessDenied in the style of the service (`svc` is the IAM prefix).
    pub(super) fn denied(
        &mut self,
        out: &mut Vec<u8>,
        a: &Actor,
        svc: &str,
        action: &str,
        resource: &str,
    ) {
        self.failed = true;
        let principal = if a.arn.is_empty() {
            "arn:aws:iam::123456789012:root"
        } else {
            &a.arn
        };
        match svc {
            "ec2" => {
                put!(out, ",\"errorCode\":\"Client.UnauthorizedOperation\",\"errorMessage\":\"You are not authorized to perform this operation. User: ", principal, " is not authorized to perform: ec2:", action, " on resource: ", resource, " because no identity-based policy allows the ec2:", action, " action. Encoded authorization failure message: ");
                let n = 420 + self.r.below(400) as usize;
                rand_chars(
                    out,
                    &mut self.r,
                    n,
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    6,
                );
                put!(out, "\"");
            }
            "s3" => put!(
                out,
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\""
            ),
            "kms" | "secretsmanager" | "guardduty" | "lambda" | "ssm" | "organizations" => put!(
                out,
                ",\"errorCode\":\"AccessDeniedException\",\"errorMessage\":\"User: ",
                principal,
                " is not authorized to perform: ",
                svc,
                ":",
                action,
                " on resource: ",
                resource,
                " because no identity-based policy allows the ",
                svc,
                ":",
                action,
                " action\""
            ),
            _ => put!(
                out,
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: ",
                principal,
                " is not authorized to perform: ",
                svc,
                ":",
                action,
                " on resource: ",
                resource,
                " with an explicit deny in a service control policy\""
            ),
        }
    }

    /// `,"requestID":..,"eventID":..,"readOnly":..`
    pub(super) fn ids(&mut self, out: &mut Vec<u8>, rid: Rid, read_only: bool) {
        match rid {
            Rid::Uuid => {
                put!(out, ",\"requestID\":\"");
                uuid(out, &mut self.r);
                out.push(b'"');
            }
            Rid::S3 => {
                put!(out, ",\"requestID\":\"");
                hex_upper(out, &mut self.r, 16);
                out.push(b'"');
            }
            Rid::None => {}
        }
        put!(out, ",\"eventID\":\"");
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"readOnly\":",
            if read_only { "true" } else { "false" }
        );
    }

    /// `,"eventType":..,"managementEvent":..,"recipientAccountId":..,..,"eventCategory":..,"tlsDetails":..}`
    #[allow(clippy::too_many_arguments)]
    pub(super) fn tail(
        &mut self,
        out: &mut Vec<u8>,
        etype: &str,
        data: bool,
        acct: usize,
        vpce: bool,
        tls: Tls,
        console: bool,
    ) {
        put!(
            out,
            ",\"eventType\":\"",
            etype,
            "\",\"managementEvent\":",
            if data { "false" } else { "true" }
        );
        put!(
            out,
            ",\"recipientAccountId\":\"",
            voc().accounts[acct],
            "\""
        );
        if vpce {
            put!(out, ",\"vpcEndpointId\":\"vpce-0");
            hex(out, &mut self.r, 16);
            put!(
                out,
                "\",\"vpcEndpointAccountId\":\"",
                voc().accounts[acct],
                "\""
            );
        }
        put!(
            out,
            ",\"eventCategory\":\"",
            if data { "Data" } else { "Management" },
            "\""
        );
        let host_known = !matches!(tls, Tls::None);
        if host_known {
            let v13 = self.r.pct(80);
            put!(
                out,
                ",\"tlsDetails\":{\"tlsVersion\":\"",
                if v13 { "TLSv1.3" } else { "TLSv1.2" },
                "\",\"cipherSuite\":\"",
                if v13 {
                    "TLS_AES_128_GCM_SHA256"
                } else {
                    "ECDHE-RSA-AES128-GCM-SHA256"
                },
                "\",\"clientProvidedHostHeader\":\""
            );
            match tls {
                Tls::Svc(s) => put!(out, s, ".", self.region, ".amazonaws.com"),
                Tls::S3(b) => put!(out, b, ".s3.", self.region, ".amazonaws.com"),
                Tls::Host(h) => put!(out, h),
                Tls::None => {}
            }
            out.push(b'"');
            if v13 && self.r.pct(30) {
                put!(
                    out,
                    ",\"keyExchange\":\"",
                    if self.r.pct(50) {
                        "x25519"
                    } else {
                        "X25519MLKEM768"
                    },
                    "\""
                );
            }
            out.push(b'}');
        }
        if console {
            put!(out, ",\"sessionCredentialFromConsole\":\"true\"");
        }
        out.push(b'}');
    }

    pub(super) fn resource(
        &mut self,
        out: &mut Vec<u8>,
        first: bool,
        acct: usize,
        ty: &str,
        arn_parts: &[&str],
    ) {
        put!(
            out,
            if first { ",\"resources\":[{" } else { ",{" },
            "\"accountId\":\"",
            voc().accounts[acct],
            "\",\"type\":\"",
            ty,
            "\",\"ARN\":\""
        );
        for part in arn_parts {
            put!(out, part);
        }
        put!(out, "\"}");
    }

    pub(super) fn machine<'p>(&mut self, p: &'p Pools, w: &[u64; 5]) -> (&'p Actor, Who) {
        match self.r.weighted(w) {
            0 => (self.r.pick(&p.ec2), Who::Ec2),
            1 => (self.r.pick(&p.lambda), Who::Lambda),
            2 => (self.r.pick(&p.ecs), Who::Ecs),
            3 => (self.r.pick(&p.irsa), Who::Irsa),
            _ => (self.r.pick(&p.ci), Who::Ci),
        }
    }

    pub(super) fn object_key(&mut self, out: &mut Vec<u8>) {
        let r = &mut self.r;
        match r.below(100) {
            0..=2 => put!(
                out,
                voc().fancy_keys[r.below(voc().fancy_keys.len() as u64) as usize]
            ),
            3..=40 => {
                put!(
                    out,
                    "app-logs/",
                    *r.pick(&["web", "api", "worker", "cron"]),
                    "/2024/06/"
                );
                two(out, r.range(1, 30));
                out.push(b'/');
                two(out, r.below(24));
                put!(out, "/part-");
                hex(out, r, 8);
                put!(out, ".json.gz");
            }
            41..=60 => {
                put!(out, "uploads/user-");
                num(out, r.range(1000, 999_999));
                out.push(b'/');
                hex(out, r, 24);
                put!(out, *r.pick(&[".jpg", ".png", ".pdf", ".heic"]));
            }
            61..=80 => {
                put!(
                    out,
                    "warehouse/",
                    *r.pick(&["events", "orders", "sessions", "clicks"]),
                    "/dt=2024-06-"
                );
                two(out, r.range(1, 30));
                put!(out, "/part-0000");
                num(out, r.below(10));
                out.push(b'-');
                uuid(out, r);
                put!(out, ".c000.snappy.parquet");
            }
            _ => {
                put!(out, "static/", *r.pick(&["js", "css", "img", "fonts"]), "/");
                hex(out, r, 20);
                put!(out, *r.pick(&[".js", ".css", ".woff2", ".svg"]));
            }
        }
    }

    pub(super) fn kms_arn(&mut self, out: &mut Vec<u8>, p: &Pools, acct: usize) {
        put!(
            out,
            "arn:aws:kms:",
            self.region,
            ":",
            voc().accounts[acct],
            ":key/",
            self.r.pick(&p.kms_keys)
        );
    }

    pub(super) fn s3_additional(&mut self, out: &mut Vec<u8>, bytes_in: u64, bytes_out: u64) {
        put!(out, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":");
        num(out, bytes_in);
        put!(
            out,
            ".0,\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\""
        );
        b64(out, &mut self.r, 76);
        put!(out, "\",\"bytesTransferredOut\":");
        num(out, bytes_out);
        put!(out, ".0}");
    }
}
