#!/usr/bin/env python3
"""Baseline "allow-list plus enrich" CloudTrail filter (Python, orjson if available).

    python3 benches/baselines/filter.py < FILE > out.ndjson
    python3 benches/baselines/filter.py FILE [FILE...] > out.ndjson

Same semantics as filter.jq: reads NDJSON bytes line by line (a line may
also be a {"Records":[...]} log file body, which is exploded), keeps records
whose eventName is in TIERS (154 names: the 149 non-info rows of the main
table in shared/reference/cloudtrail-facts.md plus Lambda's versioned names)
or whose userIdentity.type is "Root", and adds a top-level "ctfilter" object
with severity, service, outcome and identity {type, arn}.

Uses orjson when importable; otherwise falls back to the json module and
says so on stderr (that fallback is several times slower, so benchmark
numbers taken with it are not comparable). Lines that are not JSON are
skipped and counted on stderr.
"""
import sys

try:
    import orjson

    loads = orjson.loads

    def dumps(obj):
        return orjson.dumps(obj)

except ImportError:  # pragma: no cover - depends on the machine
    import json

    print(
        "filter.py: warning: orjson is not installed, using the slower json module "
        "(pip install orjson)",
        file=sys.stderr,
    )
    loads = json.loads
    _encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def dumps(obj):
        return _encoder.encode(obj).encode("utf-8")


# Keep in sync with filter.jq.
TIERS = {
    "critical": [
        "DeleteTrail", "StopLogging", "DeleteDetector", "LeaveOrganization"
    ],
    "high": [
        "DeleteFlowLogs", "UpdateTrail", "PutEventSelectors", "CreateIPSet",
        "DeleteDeliveryChannel", "DisassociateFromMasterAccount", "StopConfigurationRecorder",
        "UpdateDetector", "DeleteMembers", "DeleteResolverQueryLogConfig", "StopMonitoringMembers",
        "UpdateIPSet", "DeleteConfigurationRecorder", "DeleteModelInvocationLoggingConfiguration",
        "DisableMacie", "DeletePublishingDestination", "DisassociateWebACL", "StopActivityStream",
        "CloseAccount", "CreateLoginProfile", "UpdateLoginProfile", "UpdateAssumeRolePolicy",
        "UpdateSAMLProvider", "DeactivateMFADevice", "CreateSAMLProvider", "AssociateAccessPolicy",
        "CreateOpenIDConnectProvider", "CreateTrustAnchor", "AssumeRoot",
        "DisableExternalIdPConfigurationForDirectory", "EnableExternalIdPConfigurationForDirectory",
        "PasswordRecoveryRequested", "ScheduleKeyDeletion", "DeleteImportedKeyMaterial",
        "DisableKey", "ModifyImageAttribute", "ModifySnapshotAttribute",
        "ModifyDBSnapshotAttribute", "StartExportTask", "DeleteAccountPublicAccessBlock",
        "ModifyDBClusterSnapshotAttribute", "DeleteBucketPublicAccessBlock",
        "ExportTableToPointInTime", "UpdateProjectVisibility", "DeleteDBCluster",
        "DeleteBackupVault", "DeleteBackupVaultLockConfiguration",
        "DeleteDBInstanceAutomatedBackup", "DeleteRecoveryPoint", "DisableDomainTransferLock",
        "TransferDomainToAnotherAwsAccount", "ModifyInstanceAttribute", "EnableSerialConsoleAccess",
        "SendSerialConsoleSSHPublicKey", "UpdateNotebookInstanceLifecycleConfig"
    ],
    "medium": [
        "PutBucketLifecycle", "DeleteRule", "DeleteAlarms", "DeleteConfigRule", "DeleteGuardrail",
        "DeleteLogGroup", "DeleteLogStream", "DeleteWebACL", "DisableRule", "PutBucketLogging",
        "EnableRegion", "CreateAccount", "InviteAccountToOrganization", "CreateAccessKey",
        "CreateUser", "PutUserPolicy", "AttachRolePolicy", "AttachUserPolicy",
        "CreatePolicyVersion", "PutGroupPolicy", "PutRolePolicy", "SetDefaultPolicyVersion",
        "AddRoleToInstanceProfile", "AddUserToGroup", "AttachGroupPolicy", "CreateVirtualMFADevice",
        "GetSigninToken", "GetFederationToken", "GetPasswordData", "PutKeyPolicy", "PutBucketAcl",
        "PutBucketPolicy", "CreateInstanceExportTask", "PutBucketReplication",
        "CreateTrafficMirrorSession", "RestoreDBInstanceFromDBSnapshot",
        "SharedSnapshotCopyInitiated", "PutBucketVersioning", "DeleteBucket", "DeleteDBInstance",
        "DeleteFileSystem", "ModifyDBCluster", "AuthorizeSecurityGroupIngress",
        "CreateNetworkAclEntry", "ModifyDBInstance", "AuthorizeDBSecurityGroupIngress",
        "CreateFunctionUrlConfig", "ReplaceNetworkAclEntry", "SendCommand", "SendSSHPublicKey",
        "UpdateFunctionCode", "UpdateFunctionConfiguration", "AddPermission",
        "DisableEbsEncryptionByDefault", "ImportKeyPair", "PutFoundationModelEntitlement",
        "PutUseCaseForModelAccess", "StartSession", "UpdateFunctionCode20150331v2",
        "UpdateFunctionConfiguration20150331v2", "AddPermission20150331v2",
        "CreateFunctionUrlConfig20211031"
    ],
    "low": [
        "CreateRole", "ChangePassword", "DeleteLoginProfile", "DeletePolicy", "UpdateAccessKey",
        "GetSessionToken", "AssumeRoleWithSAML", "GetSecretValue", "GetParameters", "CreateKey",
        "GetParameter", "CreateDBSnapshot", "DeleteBucketPolicy", "DeleteSnapshot",
        "AuthorizeSecurityGroupEgress", "CreateRoute", "DeleteNetworkAclEntry",
        "CreateSecurityGroup", "DeleteNetworkAcl", "RevokeSecurityGroupIngress", "CreateFunction",
        "CreateKeyPair", "RegisterTaskDefinition", "DescribeInstanceAttribute", "GetSendQuota",
        "ListBuckets", "ListIdentities", "DescribeDBSnapshots", "GetAccountSendingEnabled",
        "ListAccessKeys", "ListSecrets", "GetAccountAuthorizationDetails", "CreateFunction20150331"
    ],
}
TIER = {name: tier for tier, names in TIERS.items() for name in names}
SUFFIX = ".amazonaws.com"


def run(stream, write):
    tier_of = TIER.get
    bad = 0
    for line in stream:
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(obj, dict) and "Records" in obj:
            records = obj["Records"]
        else:
            records = (obj,)
        for rec in records:
            if not isinstance(rec, dict):
                continue
            name = rec.get("eventName")
            sev = tier_of(name) if isinstance(name, str) else None
            ident = rec.get("userIdentity")
            if not isinstance(ident, dict):
                ident = {}
            if sev is None:
                if ident.get("type") != "Root":
                    continue
                sev = "high"
            service = rec.get("eventSource") or ""
            if service.endswith(SUFFIX):
                service = service[: -len(SUFFIX)]
            failed = bool(rec.get("errorCode")) or rec.get("errorMessage") is not None
            rec["ctfilter"] = {
                "severity": sev,
                "service": service,
                "outcome": "failure" if failed else "success",
                "identity": {"type": ident.get("type"), "arn": ident.get("arn")},
            }
            write(dumps(rec))
            write(b"\n")
    return bad


def main(argv):
    out = sys.stdout.buffer
    write = out.write
    bad = 0
    paths = argv[1:] or ["-"]
    try:
        for path in paths:
            if path == "-":
                bad += run(sys.stdin.buffer, write)
            else:
                with open(path, "rb") as f:
                    bad += run(f, write)
        out.flush()
    except BrokenPipeError:
        return 0
    if bad:
        print(f"filter.py: skipped {bad} lines that are not JSON", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
