//! Every exception of the six custom key store operations (reference §1.6), and the few every
//! AWS call can meet, as an operator reads them: what happened and what to do next.

/// One exception: its wire name without the `Exception` suffix, a meaning and a next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KmsErrorInfo {
    pub name: &'static str,
    pub meaning: &'static str,
    pub next_step: &'static str,
}

macro_rules! errors {
    ($(($name:literal, $meaning:literal, $next:literal)),+ $(,)?) => {
        pub const KMS_ERRORS: &[KmsErrorInfo] = &[$(KmsErrorInfo { name: $name, meaning: $meaning, next_step: $next }),+];
    };
}

errors![
    ("CloudHsmClusterInUse", "The CloudHSM cluster already backs another custom key store.", "Choose a cluster that no key store uses."),
    ("CloudHsmClusterInvalidConfiguration", "The CloudHSM cluster is not set up for KMS.", "Give the cluster at least two active HSMs in different Availability Zones and open ports 2223-2225 in its security group."),
    ("CloudHsmClusterNotActive", "The CloudHSM cluster is not active.", "Initialize and activate the cluster, then try again."),
    ("CloudHsmClusterNotFound", "There is no CloudHSM cluster with this ID in this account and Region.", "Check the cluster ID in the CloudHSM console."),
    ("CloudHsmClusterNotRelated", "The new cluster does not share the old one's certificate or backup history.", "Choose a cluster created from a backup of the original cluster."),
    ("CustomKeyStoreHasCMKs", "The key store still has KMS keys.", "Schedule its KMS keys for deletion and wait until they are deleted."),
    ("CustomKeyStoreInvalidState", "The key store's connection state does not allow this now.", "Disconnect the store (or wait until it is CONNECTED or DISCONNECTED), then try again."),
    ("CustomKeyStoreNameInUse", "Another key store in this account and Region has this name.", "Choose another name."),
    ("CustomKeyStoreNotFound", "The key store does not exist in this account and Region.", "Refresh the list; it may have been deleted."),
    ("IncorrectTrustAnchor", "The trust anchor certificate is not the cluster's.", "Upload the customerCA.crt that initialized the cluster."),
    ("InvalidMarker", "The page marker is not valid.", "Reload the list from the first page."),
    ("KMSInternal", "KMS failed internally.", "Try again; if it persists, contact AWS Support."),
    ("LimitExceeded", "The account has as many custom key stores in this Region as its quota allows.", "Delete an unused key store or ask AWS for a higher quota."),
    ("XksProxyIncorrectAuthenticationCredential", "The proxy rejected the credential's signature.", "Check the access key ID and secret access key against the proxy's configuration."),
    ("XksProxyInvalidConfiguration", "The proxy does not serve this URI path.", "Check the proxy URI path against the proxy's configuration."),
    ("XksProxyInvalidResponse", "KMS could not read the proxy's answer.", "Check the proxy's health and logs; a TLS listener is required in front of it."),
    ("XksProxyUriEndpointInUse", "Another external key store uses this endpoint.", "Use a different endpoint, or a path prefix on a public endpoint."),
    ("XksProxyUriInUse", "Another external key store uses this endpoint and path.", "Use a different proxy URI path."),
    ("XksProxyUriUnreachable", "KMS could not reach the proxy, or every external key manager is unavailable.", "Check the endpoint, DNS, TLS and the proxy's health, then try again."),
    ("XksProxyVpcEndpointServiceInUse", "Another external key store uses this VPC endpoint service.", "Choose another VPC endpoint service."),
    ("XksProxyVpcEndpointServiceInvalidConfiguration", "The VPC endpoint service is not set up for KMS.", "Allow cks.kms.<region>.amazonaws.com, turn off acceptance, verify the private DNS name, and use two Availability Zones."),
    ("XksProxyVpcEndpointServiceNotFound", "KMS cannot find or use the VPC endpoint service.", "Check the service name and that KMS may use it."),
    ("AccessDenied", "The credentials of this target may not call this operation.", "Grant the kms: permission for this operation to the caller."),
    ("UnrecognizedClient", "AWS does not recognize the access key of this target.", "Check the profile's credentials or sign in again (SSO)."),
    ("InvalidSignature", "The request signature does not match.", "Check the secret access key and the system clock."),
    ("ExpiredToken", "The session credentials of this target have expired.", "Refresh the credentials (for example aws sso login) and reload."),
    ("Throttling", "KMS is throttling requests.", "Wait a moment and reload."),
    ("Validation", "KMS refused a value.", "Correct the value named in the message."),
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
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/reference/kms-service-model-2014-11-01.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the service model is expected at {}: {e}", path.display()));
        let model: serde_json::Value = serde_json::from_str(&text).unwrap();
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
        }
        let mut names: Vec<_> = KMS_ERRORS.iter().map(|e| e.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), KMS_ERRORS.len(), "no name twice");
    }
}
