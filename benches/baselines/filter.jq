# Baseline "allow-list plus enrich" CloudTrail filter for jq and jaq.
#
#   jq  -nc -f benches/baselines/filter.jq FILE > out.ndjson
#   jaq -nc -f benches/baselines/filter.jq FILE > out.ndjson
#
# -n is required: the name -> tier table is built once, then records are
# pulled with `inputs` (without -n the first record would be swallowed).
#
# Input: NDJSON, one CloudTrail record per line, or one {"Records":[...]}
# log file body per line (exploded). Keeps records whose eventName is in the
# table below (the 149 non-info names of the main table in
# shared/reference/cloudtrail-facts.md, plus 5 Lambda versioned names) or
# whose userIdentity.type is "Root", and adds a top-level "ctfilter" object:
#   severity  tier from the table ("high" for Root records not in it)
#   service   eventSource without ".amazonaws.com"
#   outcome   "failure" if errorCode is non-empty or errorMessage is present
#   identity  {type, arn} from userIdentity
#
# Only basic builtins are used (no IN/INDEX/getpath tricks) so jaq runs it too.
# A line that is not JSON stops jq and jaq (they cannot resume an input stream
# after a parse error); filter.py skips and counts such lines instead. The
# generated corpora contain none.
# Keep the table in sync with filter.py.

def tiers: {
  "critical": [
    "DeleteTrail", "StopLogging", "DeleteDetector", "LeaveOrganization"
  ],
  "high": [
    "DeleteFlowLogs", "UpdateTrail", "PutEventSelectors", "CreateIPSet", "DeleteDeliveryChannel",
    "DisassociateFromMasterAccount", "StopConfigurationRecorder", "UpdateDetector", "DeleteMembers",
    "DeleteResolverQueryLogConfig", "StopMonitoringMembers", "UpdateIPSet",
    "DeleteConfigurationRecorder", "DeleteModelInvocationLoggingConfiguration", "DisableMacie",
    "DeletePublishingDestination", "DisassociateWebACL", "StopActivityStream", "CloseAccount",
    "CreateLoginProfile", "UpdateLoginProfile", "UpdateAssumeRolePolicy", "UpdateSAMLProvider",
    "DeactivateMFADevice", "CreateSAMLProvider", "AssociateAccessPolicy",
    "CreateOpenIDConnectProvider", "CreateTrustAnchor", "AssumeRoot",
    "DisableExternalIdPConfigurationForDirectory", "EnableExternalIdPConfigurationForDirectory",
    "PasswordRecoveryRequested", "ScheduleKeyDeletion", "DeleteImportedKeyMaterial", "DisableKey",
    "ModifyImageAttribute", "ModifySnapshotAttribute", "ModifyDBSnapshotAttribute",
    "StartExportTask", "DeleteAccountPublicAccessBlock", "ModifyDBClusterSnapshotAttribute",
    "DeleteBucketPublicAccessBlock", "ExportTableToPointInTime", "UpdateProjectVisibility",
    "DeleteDBCluster", "DeleteBackupVault", "DeleteBackupVaultLockConfiguration",
    "DeleteDBInstanceAutomatedBackup", "DeleteRecoveryPoint", "DisableDomainTransferLock",
    "TransferDomainToAnotherAwsAccount", "ModifyInstanceAttribute", "EnableSerialConsoleAccess",
    "SendSerialConsoleSSHPublicKey", "UpdateNotebookInstanceLifecycleConfig"
  ],
  "medium": [
    "PutBucketLifecycle", "DeleteRule", "DeleteAlarms", "DeleteConfigRule", "DeleteGuardrail",
    "DeleteLogGroup", "DeleteLogStream", "DeleteWebACL", "DisableRule", "PutBucketLogging",
    "EnableRegion", "CreateAccount", "InviteAccountToOrganization", "CreateAccessKey", "CreateUser",
    "PutUserPolicy", "AttachRolePolicy", "AttachUserPolicy", "CreatePolicyVersion",
    "PutGroupPolicy", "PutRolePolicy", "SetDefaultPolicyVersion", "AddRoleToInstanceProfile",
    "AddUserToGroup", "AttachGroupPolicy", "CreateVirtualMFADevice", "GetSigninToken",
    "GetFederationToken", "GetPasswordData", "PutKeyPolicy", "PutBucketAcl", "PutBucketPolicy",
    "CreateInstanceExportTask", "PutBucketReplication", "CreateTrafficMirrorSession",
    "RestoreDBInstanceFromDBSnapshot", "SharedSnapshotCopyInitiated", "PutBucketVersioning",
    "DeleteBucket", "DeleteDBInstance", "DeleteFileSystem", "ModifyDBCluster",
    "AuthorizeSecurityGroupIngress", "CreateNetworkAclEntry", "ModifyDBInstance",
    "AuthorizeDBSecurityGroupIngress", "CreateFunctionUrlConfig", "ReplaceNetworkAclEntry",
    "SendCommand", "SendSSHPublicKey", "UpdateFunctionCode", "UpdateFunctionConfiguration",
    "AddPermission", "DisableEbsEncryptionByDefault", "ImportKeyPair",
    "PutFoundationModelEntitlement", "PutUseCaseForModelAccess", "StartSession",
    "UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2",
    "AddPermission20150331v2", "CreateFunctionUrlConfig20211031"
  ],
  "low": [
    "CreateRole", "ChangePassword", "DeleteLoginProfile", "DeletePolicy", "UpdateAccessKey",
    "GetSessionToken", "AssumeRoleWithSAML", "GetSecretValue", "GetParameters", "CreateKey",
    "GetParameter", "CreateDBSnapshot", "DeleteBucketPolicy", "DeleteSnapshot",
    "AuthorizeSecurityGroupEgress", "CreateRoute", "DeleteNetworkAclEntry", "CreateSecurityGroup",
    "DeleteNetworkAcl", "RevokeSecurityGroupIngress", "CreateFunction", "CreateKeyPair",
    "RegisterTaskDefinition", "DescribeInstanceAttribute", "GetSendQuota", "ListBuckets",
    "ListIdentities", "DescribeDBSnapshots", "GetAccountSendingEnabled", "ListAccessKeys",
    "ListSecrets", "GetAccountAuthorizationDetails", "CreateFunction20150331"
  ]
};

(tiers as $t | reduce ($t | keys[]) as $k ({}; reduce $t[$k][] as $n (.; .[$n] = $k))) as $tier
| inputs
| if type == "object" and has("Records") then .Records[] else . end
| select(type == "object")
| $tier[.eventName // ""] as $sev
| select($sev != null or .userIdentity.type == "Root")
| . + {ctfilter: {
    severity: ($sev // "high"),
    service: ((.eventSource // "") | rtrimstr(".amazonaws.com")),
    outcome: (if ((.errorCode // "") != "") or (.errorMessage != null) then "failure" else "success" end),
    identity: {type: .userIdentity.type, arn: .userIdentity.arn}
  }}
