//! `event.category` and `event.type` for ECS: Elastic's CloudTrail
//! integration table (its "Add ECS categorization" step), by `eventName`.
//!
//! Guarantees: the table is sorted by name (a unit test checks it), so a
//! lookup is a binary search that never allocates; a name the table does not
//! list gets no category and type `info`, as in Elastic's integration.

/// `event.category` and `event.type` for one `eventName`.
pub(super) type Categories = (&'static [&'static str], &'static [&'static str]);

/// Names Elastic's integration does not list: no category, type `info`.
pub(super) const UNLISTED: Categories = (&[], &["info"]);

/// `event.category` and `event.type`: the table of Elastic's integration
/// (its "Add ECS categorization" step), looked up by `eventName` alone, as
/// Elastic does.
pub(super) fn categorize(name: Option<&str>) -> Categories {
    let Some(name) = name else {
        return UNLISTED;
    };
    match CATEGORIES.binary_search_by(|(row, _)| (*row).cmp(name)) {
        Ok(at) => CATEGORIES[at].1,
        Err(_) => UNLISTED,
    }
}

const IAM: &[&str] = &["iam"];
const AUTH: &[&str] = &["authentication"];
const FILE: &[&str] = &["file"];
const NETWORK: &[&str] = &["network"];
const HOST: &[&str] = &["host"];
const CONFIG: &[&str] = &["configuration"];
const DATABASE: &[&str] = &["database"];
const SESSION: &[&str] = &["session"];
const API: &[&str] = &["api"];
const INFO: &[&str] = &["info"];
const USER_CHANGE: &[&str] = &["user", "change"];
const USER_INFO: &[&str] = &["user", "info"];
const GROUP_CHANGE: &[&str] = &["group", "change"];
const GROUP_INFO: &[&str] = &["group", "info"];
const ADMIN_CHANGE: &[&str] = &["admin", "change"];

/// Elastic's categorisation table, sorted by name (a unit test checks the
/// order), as of `elastic/integrations` commit 3ab42812 (docs/formats.md).
pub(super) const CATEGORIES: &[(&str, Categories)] = &[
    ("AddUserToGroup", (IAM, GROUP_CHANGE)),
    ("AssumeRole", (AUTH, INFO)),
    ("AttachGroupPolicy", (IAM, GROUP_CHANGE)),
    ("AttachRolePolicy", (IAM, &["change"])),
    ("AttachUserPolicy", (IAM, USER_CHANGE)),
    ("AuthorizeSecurityGroupIngress", (NETWORK, &["access"])),
    ("ChangePassword", (IAM, USER_CHANGE)),
    ("ConsoleLogin", (AUTH, INFO)),
    ("Converse", (API, INFO)),
    ("CreateAccessKey", (IAM, USER_CHANGE)),
    ("CreateBucket", (FILE, &["creation"])),
    ("CreateControlChannel", (SESSION, &["start"])),
    ("CreateDataChannel", (SESSION, &["start"])),
    ("CreateDocument", (FILE, &["creation"])),
    ("CreateGroup", (IAM, &["group", "creation"])),
    ("CreateKeyPair", (IAM, &["admin", "creation"])),
    ("CreatePolicy", (IAM, &["creation"])),
    ("CreateTopic", (CONFIG, &["creation"])),
    ("CreateUser", (IAM, &["user", "creation"])),
    ("CreateVirtualMFADevice", (IAM, USER_CHANGE)),
    ("DeactivateMFADevice", (IAM, USER_CHANGE)),
    ("DeleteAccessKey", (IAM, USER_CHANGE)),
    ("DeleteBucket", (FILE, &["deletion"])),
    ("DeleteGroup", (IAM, &["group", "deletion"])),
    ("DeleteGroupPolicy", (IAM, GROUP_CHANGE)),
    ("DeleteObject", (FILE, &["deletion"])),
    ("DeleteSSHPublicKey", (IAM, USER_CHANGE)),
    ("DeleteTrail", (CONFIG, &["deletion"])),
    ("DeleteUser", (IAM, &["user", "deletion"])),
    ("DeleteUserPermissionsBoundary", (IAM, USER_CHANGE)),
    ("DeleteUserPolicy", (IAM, USER_CHANGE)),
    ("DeleteVirtualMFADevice", (IAM, USER_CHANGE)),
    ("DescribeDBInstances", (DATABASE, INFO)),
    ("DescribeInstances", (HOST, INFO)),
    ("DescribeLoadBalancers", (NETWORK, INFO)),
    ("DescribeNetworkAcls", (NETWORK, INFO)),
    ("DescribeNetworkInterfaces", (NETWORK, INFO)),
    ("DescribeRegions", (API, INFO)),
    ("DescribeSecurityGroups", (NETWORK, INFO)),
    ("DescribeTrails", (CONFIG, INFO)),
    ("DescribeVolumes", (HOST, INFO)),
    ("DescribeVpcs", (NETWORK, INFO)),
    ("DetachGroupPolicy", (IAM, GROUP_CHANGE)),
    ("DetachUserPolicy", (IAM, USER_CHANGE)),
    ("EnableMFADevice", (IAM, USER_CHANGE)),
    ("GetCallerIdentity", (AUTH, INFO)),
    ("GetGroup", (IAM, GROUP_INFO)),
    ("GetGroupPolicy", (IAM, GROUP_INFO)),
    ("GetObject", (FILE, INFO)),
    ("GetPolicy", (IAM, INFO)),
    ("GetUser", (IAM, USER_INFO)),
    ("GetUserPolicy", (IAM, USER_INFO)),
    ("HeadObject", (FILE, INFO)),
    ("ListAttachedGroupPolicies", (IAM, GROUP_INFO)),
    ("ListAttachedRolePolicies", (IAM, INFO)),
    ("ListAttachedUserPolicies", (IAM, USER_INFO)),
    ("ListBuckets", (FILE, INFO)),
    ("ListFunctions", (&["package"], INFO)),
    ("ListGroupPolicies", (IAM, GROUP_INFO)),
    ("ListGroups", (IAM, GROUP_INFO)),
    ("ListGroupsForUser", (IAM, USER_INFO)),
    ("ListInstanceAssociations", (HOST, INFO)),
    ("ListObjects", (FILE, INFO)),
    ("ListRoles", (IAM, INFO)),
    ("ListTables", (DATABASE, INFO)),
    ("ListUserPolicies", (IAM, USER_INFO)),
    ("ListUserTags", (IAM, USER_INFO)),
    ("ListUsers", (IAM, USER_INFO)),
    ("OpenControlChannel", (SESSION, &["start"])),
    ("OpenDataChannel", (SESSION, &["start"])),
    ("Publish", (API, INFO)),
    ("PutGroupPolicy", (IAM, GROUP_CHANGE)),
    ("PutObject", (FILE, &["change"])),
    ("PutUserPermissionsBoundary", (IAM, USER_CHANGE)),
    ("PutUserPolicy", (IAM, USER_CHANGE)),
    ("RemoveUserFromGroup", (IAM, GROUP_CHANGE)),
    ("SendCommand", (&["process"], &["start"])),
    ("SetDefaultPolicyVersion", (IAM, ADMIN_CHANGE)),
    ("SetSecurityTokenServicePreferences", (IAM, ADMIN_CHANGE)),
    ("StartSession", (SESSION, &["start"])),
    ("Subscribe", (CONFIG, &["change"])),
    ("TagUser", (IAM, USER_CHANGE)),
    ("TerminateSession", (SESSION, &["end"])),
    ("UntagUser", (IAM, USER_CHANGE)),
    ("UpdateAccessKey", (IAM, USER_CHANGE)),
    ("UpdateAccountPasswordPolicy", (IAM, ADMIN_CHANGE)),
    ("UpdateGroup", (IAM, GROUP_CHANGE)),
    ("UpdateLoginProfile", (IAM, USER_CHANGE)),
    ("UpdateRole", (IAM, ADMIN_CHANGE)),
    ("UpdateSSHPublicKey", (IAM, USER_CHANGE)),
    ("UpdateUser", (IAM, USER_CHANGE)),
];
