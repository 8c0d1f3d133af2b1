//! Every exception of the six custom key store operations (reference §1.6), and the few every
//! AWS call can meet, as an operator reads them: what happened and what to do next.

/// One exception: its wire name without the `Exception` suffix, a meaning and a next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KmsErrorInfo {
    pub name: &'static str,
    pub meaning: &'static str,
    /// The fix, as what to do in the console next.
    pub next_step: &'static str,
    /// What usually causes it.
    pub cause: &'static str,
    /// What to look at to confirm the cause.
    pub check: &'static str,
}

macro_rules! errors {
    ($(($name:literal, $meaning:literal, $next:literal, $cause:literal, $check:literal)),+ $(,)?) => {
        pub const KMS_ERRORS: &[KmsErrorInfo] = &[$(KmsErrorInfo { name: $name, meaning: $meaning, next_step: $next, cause: $cause, check: $check }),+];
    };
}

errors![
    ("CloudHsmClusterInUse", "The CloudHSM cluster already backs another custom key store.", "Choose a cluster that no key store uses.", "The cluster ID was copied from another store's settings.", "List the key stores and their cluster IDs."),
    ("CloudHsmClusterInvalidConfiguration", "The CloudHSM cluster is not set up for KMS.", "Give the cluster at least two active HSMs in different Availability Zones and open ports 2223-2225 in its security group.", "Fewer than two active HSMs, or a security group that blocks ports 2223-2225.", "Count the cluster's active HSMs and their Availability Zones; read its security group."),
    ("CloudHsmClusterNotActive", "The CloudHSM cluster is not active.", "Initialize and activate the cluster, then try again.", "The cluster is still being initialized or was never activated.", "Look at the cluster's state in the CloudHSM console."),
    ("CloudHsmClusterNotFound", "There is no CloudHSM cluster with this ID in this account and Region.", "Check the cluster ID in the CloudHSM console.", "A typing error, or the cluster is in another account or Region.", "Look for the cluster ID in the CloudHSM console of this account and Region."),
    ("CloudHsmClusterNotRelated", "The new cluster does not share the old one's certificate or backup history.", "Choose a cluster created from a backup of the original cluster.", "The new cluster was created fresh rather than from a backup.", "Compare the clusters' certificates or backup history."),
    ("CustomKeyStoreHasCMKs", "The key store still has KMS keys.", "Schedule its KMS keys for deletion and wait until they are deleted.", "KMS keys were created in the store and are not deleted yet.", "List the KMS keys whose origin is this store."),
    ("CustomKeyStoreInvalidState", "The key store's connection state does not allow this now.", "Disconnect the store (or wait until it is CONNECTED or DISCONNECTED), then try again.", "The store is CONNECTED, FAILED or changing state.", "Read the store's connection state on its page."),
    ("CustomKeyStoreNameInUse", "Another key store in this account and Region has this name.", "Choose another name.", "Names are unique per account and Region.", "Search the list for the name."),
    ("CustomKeyStoreNotFound", "The key store does not exist in this account and Region.", "Refresh the list; it may have been deleted.", "The store was deleted, or the ID belongs to another account or Region.", "Reload the list."),
    ("IncorrectTrustAnchor", "The trust anchor certificate is not the cluster's.", "Upload the customerCA.crt that initialized the cluster.", "Another cluster's certificate was uploaded.", "Compare the certificate with the cluster's customerCA.crt."),
    ("InvalidMarker", "The page marker is not valid.", "Reload the list from the first page.", "The list changed while it was paged.", "Reload the list."),
    ("KMSInternal", "KMS failed internally.", "Try again; if it persists, contact AWS Support.", "A transient failure inside KMS.", "The AWS Health Dashboard for KMS in this Region."),
    ("LimitExceeded", "The account has as many custom key stores in this Region as its quota allows.", "Delete an unused key store or ask AWS for a higher quota.", "The quota is 10 custom key stores per account and Region, in any state.", "Count the stores of this account and Region."),
    ("XksProxyIncorrectAuthenticationCredential", "The proxy rejected the credential's signature.", "Check the access key ID and secret access key against the proxy's configuration.", "The credential was rotated on the proxy, or mistyped.", "Test the connection with the secret you believe is right."),
    ("XksProxyInvalidConfiguration", "The proxy does not serve this URI path.", "Check the proxy URI path against the proxy's configuration.", "The path prefix differs from the proxy's.", "Test the connection: InvalidUriPathException means the path is wrong."),
    ("XksProxyInvalidResponse", "KMS could not read the proxy's answer.", "Check the proxy's health and logs; a TLS listener is required in front of it.", "Something that is not an XKS proxy answers, such as a TCP load balancer listener.", "Test the connection and read the HTTP layer."),
    ("XksProxyUriEndpointInUse", "Another external key store uses this endpoint.", "Use a different endpoint, or a path prefix on a public endpoint.", "Another store already uses this endpoint.", "Search the list for the endpoint."),
    ("XksProxyUriInUse", "Another external key store uses this endpoint and path.", "Use a different proxy URI path.", "Another store already uses this endpoint and path.", "Search the list for the endpoint and path."),
    ("XksProxyUriUnreachable", "KMS could not reach the proxy, or every external key manager is unavailable.", "Check the endpoint, DNS, TLS and the proxy's health, then try again.", "DNS, a firewall, a down proxy, or key managers that are all unavailable.", "Test the connection: see which layer fails."),
    ("XksProxyVpcEndpointServiceInUse", "Another external key store uses this VPC endpoint service.", "Choose another VPC endpoint service.", "Another store uses the service.", "Search the list for the service name."),
    ("XksProxyVpcEndpointServiceInvalidConfiguration", "The VPC endpoint service is not set up for KMS.", "Allow cks.kms.<region>.amazonaws.com, turn off acceptance, verify the private DNS name, and use two Availability Zones.", "The service does not allow KMS, requires acceptance, has an unverified DNS name or one zone.", "Read the service's settings in the VPC console."),
    ("XksProxyVpcEndpointServiceNotFound", "KMS cannot find or use the VPC endpoint service.", "Check the service name and that KMS may use it.", "A typing error, a deleted service, or the wrong owner account.", "Look for the service in the owner's VPC console."),
    ("AccessDenied", "The credentials of this target may not call this operation.", "Grant the kms: permission for this operation to the caller.", "The IAM policy of this target's role lacks the permission.", "Simulate the policy for kms:<Operation>."),
    ("UnrecognizedClient", "AWS does not recognize the access key of this target.", "Check the profile's credentials or sign in again (SSO).", "The access key was deleted or belongs to another partition.", "aws sts get-caller-identity with the same profile."),
    ("InvalidSignature", "The request signature does not match.", "Check the secret access key and the system clock.", "A wrong secret, or a clock more than 5 minutes off.", "The system clock and the profile's secret."),
    ("ExpiredToken", "The session credentials of this target have expired.", "Refresh the credentials (for example aws sso login) and reload.", "Temporary credentials ran out.", "aws sts get-caller-identity with the same profile."),
    ("Throttling", "KMS is throttling requests.", "Wait a moment and reload.", "Too many requests for the account's KMS quota.", "The request rate of other tools using this account."),
    ("Validation", "KMS refused a value.", "Correct the value named in the message.", "A value breaks the model's constraints.", "The member named in the message."),
];

/// The entry for a wire name, with or without the `Exception` suffix or a `namespace#` prefix.
pub fn kms_error(code: &str) -> Option<&'static KmsErrorInfo> {
    let code = code.rsplit('#').next().unwrap_or(code);
    let name = code.strip_suffix("Exception").unwrap_or(code);
    KMS_ERRORS.iter().find(|e| e.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every exception the model lists for the six operations is in the table.
    #[test]
    fn the_table_covers_every_exception_of_the_six_operations() {
        let model = crate::domain::kms::service_model();
        let mut seen = 0;
        for op in [
            "CreateCustomKeyStore",
            "DescribeCustomKeyStores",
            "UpdateCustomKeyStore",
            "ConnectCustomKeyStore",
            "DisconnectCustomKeyStore",
            "DeleteCustomKeyStore",
        ] {
            for e in model["operations"][op]["errors"].as_array().unwrap() {
                let shape = e["shape"].as_str().unwrap();
                assert!(kms_error(shape).is_some(), "{op}: {shape} has no entry");
                seen += 1;
            }
        }
        assert!(seen > 40, "the model lists the operations' errors");
    }

    #[test]
    fn names_are_found_in_every_spelling_and_each_entry_says_what_to_do() {
        assert_eq!(
            kms_error("CustomKeyStoreNotFoundException").unwrap().name,
            "CustomKeyStoreNotFound"
        );
        assert_eq!(
            kms_error("com.amazonaws.kms#KMSInternalException")
                .unwrap()
                .name,
            "KMSInternal"
        );
        assert!(kms_error("NoSuchThing").is_none());
        for e in KMS_ERRORS {
            assert!(
                e.meaning.ends_with('.') && e.next_step.ends_with('.'),
                "{}",
                e.name
            );
            assert!(!e.cause.is_empty() && !e.check.is_empty(), "{}", e.name);
        }
        let mut names: Vec<_> = KMS_ERRORS.iter().map(|e| e.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KMS_ERRORS.len(), "no name twice");
    }
}
