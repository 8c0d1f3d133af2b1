//! The model's constraints on each value (reference §1.1), with messages that name the member
//! and the rule. Hand-written matchers instead of a regex engine keep the browser bundle small;
//! the tests pin each one against the model's pattern.

/// Characters, as the model counts lengths.
fn len(v: &str) -> usize {
    v.chars().count()
}

fn length(member: &str, v: &str, min: usize, max: usize) -> Result<(), String> {
    let n = len(v);
    if n < min || n > max {
        return Err(format!(
            "{member} must be {min} to {max} characters long (it has {n})."
        ));
    }
    Ok(())
}

fn all(v: &str, ok: impl Fn(char) -> bool) -> bool {
    !v.is_empty() && v.chars().all(ok)
}

pub fn name(v: &str) -> Result<(), String> {
    length("CustomKeyStoreName", v, 1, 256)
}

pub fn key_store_password(v: &str) -> Result<(), String> {
    length("KeyStorePassword", v, 7, 32)
}

/// `cluster-[2-7a-zA-Z]{11,16}`
pub fn cluster_id(v: &str) -> Result<(), String> {
    length("CloudHsmClusterId", v, 19, 24)?;
    let ok = v.strip_prefix("cluster-").is_some_and(|rest| {
        all(rest, |c| {
            c.is_ascii_alphabetic() || ('2'..='7').contains(&c)
        })
    });
    if !ok {
        return Err("CloudHsmClusterId must look like cluster-<11 to 16 letters or digits 2-7> (pattern cluster-[2-7a-zA-Z]{11,16}).".into());
    }
    Ok(())
}

/// `^https://[a-zA-Z0-9.-]+$`
pub fn uri_endpoint(v: &str) -> Result<(), String> {
    length("XksProxyUriEndpoint", v, 10, 128)?;
    let ok = v
        .strip_prefix("https://")
        .is_some_and(|host| all(host, |c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !ok {
        return Err("XksProxyUriEndpoint must be https:// and a host name, with no port and no path (pattern ^https://[a-zA-Z0-9.-]+$).".into());
    }
    Ok(())
}

/// `^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$`
pub fn uri_path(v: &str) -> Result<(), String> {
    length("XksProxyUriPath", v, 10, 128)?;
    let digits = v.chars().rev().take_while(char::is_ascii_digit).count();
    let head = &v[..v.len() - digits];
    let ok = (1..=2).contains(&digits)
        && head.strip_suffix("/kms/xks/v").is_some_and(|prefix| {
            prefix.is_empty()
                || (prefix.len() >= 2
                    && prefix.starts_with('/')
                    && prefix
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')))
        });
    if !ok {
        return Err("XksProxyUriPath must end in /kms/xks/v1 (or another version), with an optional prefix of letters, digits, '/', '_' and '-' before it.".into());
    }
    Ok(())
}

/// `^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$`
pub fn vpc_endpoint_service_name(v: &str) -> Result<(), String> {
    length("XksProxyVpcEndpointServiceName", v, 20, 64)?;
    let rest = v
        .strip_prefix("com.amazonaws.vpce.")
        .or_else(|| v.strip_prefix("eu.amazonaws.vpce."));
    let ok = rest
        .and_then(|r| r.split_once(".vpce-svc-"))
        .is_some_and(|(region, id)| {
            let parts: Vec<&str> = region.split('-').collect();
            let (last, words) = parts.split_last().expect("split yields one part");
            (3..=4).contains(&parts.len())
                && all(last, |c| c.is_ascii_digit())
                && words.iter().all(|w| all(w, |c| c.is_ascii_lowercase()))
                && all(id, |c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !ok {
        return Err("XksProxyVpcEndpointServiceName must look like com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0.".into());
    }
    Ok(())
}

/// `[0-9]{12}`
pub fn account_id(v: &str) -> Result<(), String> {
    if len(v) != 12 || !all(v, |c| c.is_ascii_digit()) {
        return Err(
            "XksProxyVpcEndpointServiceOwner must be an AWS account ID of 12 digits.".into(),
        );
    }
    Ok(())
}

/// `^[A-Z2-7]+$`
pub fn access_key_id(v: &str) -> Result<(), String> {
    length("AccessKeyId", v, 20, 30)?;
    if !all(v, |c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)) {
        return Err(
            "AccessKeyId may only contain the capital letters A-Z and the digits 2-7.".into(),
        );
    }
    Ok(())
}

/// `^[a-zA-Z0-9\/+=]+$`; the message never repeats the value.
pub fn raw_secret_access_key(v: &str) -> Result<(), String> {
    length("RawSecretAccessKey", v, 43, 64)?;
    if !all(v, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '=')
    }) {
        return Err(
            "RawSecretAccessKey may only contain letters, digits, '/', '+' and '='.".into(),
        );
    }
    Ok(())
}

pub fn connectivity(v: &str) -> Result<(), String> {
    use crate::domain::kms::XksProxyConnectivity;
    if XksProxyConnectivity::parse(v).is_known() {
        return Ok(());
    }
    let known: Vec<&str> = XksProxyConnectivity::KNOWN
        .iter()
        .map(|c| c.as_str())
        .collect();
    Err(format!(
        "XksProxyConnectivity must be {}.",
        known.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_follow_the_pattern_and_reject_the_docs_example_with_a_1() {
        assert!(cluster_id("cluster-archivevault").is_ok());
        assert!(cluster_id("cluster-abcdefg2345").is_ok());
        // reference §1.1: the AWS example `cluster-1a23b4cdefg` breaks the pattern.
        assert!(cluster_id("cluster-1a23b4cdefg").is_err());
        assert!(cluster_id("cluster-short").is_err());
        assert!(cluster_id("klaster-archivevault").is_err());
    }

    #[test]
    fn endpoints_are_https_hosts_without_port_or_path() {
        assert!(uri_endpoint("https://proxy-a.xks.sim.internal").is_ok());
        assert!(uri_endpoint("https://xks.example.com:6443").is_err());
        assert!(uri_endpoint("http://xks.example.com").is_err());
        assert!(uri_endpoint("https://xks.example.com/kms").is_err());
        assert!(uri_endpoint("https://a").is_err(), "shorter than 10");
    }

    #[test]
    fn paths_end_in_kms_xks_version_with_an_optional_prefix() {
        for ok in [
            "/kms/xks/v1",
            "/payments/kms/xks/v1",
            "/a/b_c-d/kms/xks/v12",
            "///kms/xks/v1",
        ] {
            assert!(uri_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "//kms/xks/v1",
            "/kms/xks/v",
            "/kms/xks/v123",
            "/p/kms/xks/v1/",
            "payments/kms/xks/v1",
            "/p q/kms/xks/v1",
            "/kms/xks",
        ] {
            assert!(uri_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vpc_service_names_follow_the_pattern() {
        assert!(vpc_endpoint_service_name(
            "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f67890"
        )
        .is_ok());
        assert!(vpc_endpoint_service_name("eu.amazonaws.vpce.us-gov-west-1.vpce-svc-0abc").is_ok());
        assert!(vpc_endpoint_service_name("com.amazonaws.vpce.useast1.vpce-svc-0abc").is_err());
        assert!(vpc_endpoint_service_name("com.amazonaws.vpce.us-east-1.vpce-svc-0ABC").is_err());
        assert!(vpc_endpoint_service_name("org.amazonaws.vpce.us-east-1.vpce-svc-0abc").is_err());
    }

    #[test]
    fn credentials_follow_the_patterns_and_messages_never_repeat_the_secret() {
        assert!(access_key_id("PAYMENTSXKSACCESSKEY").is_ok());
        // reference §1.1: the AWS example ABCDE12345670EXAMPLE has a 0 and a 1.
        assert!(access_key_id("ABCDE12345670EXAMPLE").is_err());
        assert!(access_key_id("SHORT").is_err());
        let secret = "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDE=";
        assert!(raw_secret_access_key(secret).is_ok());
        let bad = format!("{}!", &secret[..45]);
        let msg = raw_secret_access_key(&bad).unwrap_err();
        assert!(!msg.contains(&secret[..20]));
        assert!(raw_secret_access_key("too-short")
            .unwrap_err()
            .contains("43 to 64"));
    }

    #[test]
    fn lengths_count_characters_and_accounts_are_twelve_digits() {
        assert!(name(&"é".repeat(256)).is_ok());
        assert!(name(&"é".repeat(257)).is_err());
        assert!(name("").is_err());
        assert!(key_store_password("123456").is_err());
        assert!(key_store_password("1234567").is_ok());
        assert!(account_id("111122223333").is_ok());
        assert!(account_id("11112222333").is_err());
        assert!(connectivity("VPC_ENDPOINT_SERVICE").is_ok());
        assert!(connectivity("PRIVATE").is_err());
    }
}
