//! Constraint checks from the KMS service model, with AWS's ValidationException wording:
//! "1 validation error detected: Value 'x' at 'customKeyStoreName' failed to satisfy constraint: ...".

use crate::error::{ErrorKind, KmsError};
use regex::Regex;
use std::sync::OnceLock;

/// A string shape of the model: length bounds, an optional pattern, and whether it is sensitive.
#[derive(Debug)]
pub struct StringShape {
    pub name: &'static str,
    pub min: usize,
    pub max: usize,
    pub pattern: Option<&'static str>,
    pub sensitive: bool,
}

macro_rules! shape {
    ($name:literal, $min:literal, $max:literal, $pattern:expr, $sensitive:literal) => {
        StringShape {
            name: $name,
            min: $min,
            max: $max,
            pattern: $pattern,
            sensitive: $sensitive,
        }
    };
}

// Reference §1.1; the test below checks each against the model JSON.
pub const CUSTOM_KEY_STORE_ID: StringShape = shape!("CustomKeyStoreIdType", 1, 64, None, false);
pub const CUSTOM_KEY_STORE_NAME: StringShape =
    shape!("CustomKeyStoreNameType", 1, 256, None, false);
pub const CLOUD_HSM_CLUSTER_ID: StringShape = shape!(
    "CloudHsmClusterIdType",
    19,
    24,
    Some("cluster-[2-7a-zA-Z]{11,16}"),
    false
);
pub const TRUST_ANCHOR_CERTIFICATE: StringShape =
    shape!("TrustAnchorCertificateType", 1, 5000, None, false);
pub const KEY_STORE_PASSWORD: StringShape = shape!("KeyStorePasswordType", 7, 32, None, true);
pub const XKS_PROXY_URI_ENDPOINT: StringShape = shape!(
    "XksProxyUriEndpointType",
    10,
    128,
    Some("^https://[a-zA-Z0-9.-]+$"),
    false
);
pub const XKS_PROXY_URI_PATH: StringShape = shape!(
    "XksProxyUriPathType",
    10,
    128,
    Some(r"^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$"),
    false
);
pub const XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME: StringShape = shape!(
    "XksProxyVpcEndpointServiceNameType",
    20,
    64,
    Some(r"^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$"),
    false
);
pub const ACCOUNT_ID: StringShape = shape!("AccountIdType", 12, 12, Some("[0-9]{12}"), false);
pub const XKS_ACCESS_KEY_ID: StringShape = shape!(
    "XksProxyAuthenticationAccessKeyIdType",
    20,
    30,
    Some("^[A-Z2-7]+$"),
    true
);
pub const XKS_RAW_SECRET_ACCESS_KEY: StringShape = shape!(
    "XksProxyAuthenticationRawSecretAccessKeyType",
    43,
    64,
    Some(r"^[a-zA-Z0-9\/+=]+$"),
    true
);
pub const MARKER: StringShape = shape!("MarkerType", 1, 1024, Some(r"[\u0020-\u00FF]*"), false);

pub const ALL_STRING_SHAPES: &[&StringShape] = &[
    &CUSTOM_KEY_STORE_ID,
    &CUSTOM_KEY_STORE_NAME,
    &CLOUD_HSM_CLUSTER_ID,
    &TRUST_ANCHOR_CERTIFICATE,
    &KEY_STORE_PASSWORD,
    &XKS_PROXY_URI_ENDPOINT,
    &XKS_PROXY_URI_PATH,
    &XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME,
    &ACCOUNT_ID,
    &XKS_ACCESS_KEY_ID,
    &XKS_RAW_SECRET_ACCESS_KEY,
    &MARKER,
];

/// LimitType.
pub const LIMIT_MIN: i64 = 1;
pub const LIMIT_MAX: i64 = 1000;

fn compiled(pattern: &'static str) -> &'static Regex {
    static CACHE: OnceLock<
        std::sync::Mutex<std::collections::HashMap<&'static str, &'static Regex>>,
    > = OnceLock::new();
    let mut map = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    map.entry(pattern).or_insert_with(|| {
        // The model's patterns must match the whole value.
        let re = Regex::new(&format!("^(?:{pattern})$")).expect("model pattern compiles");
        Box::leak(Box::new(re))
    })
}

/// Collects every violation of one request, as AWS reports them all at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<String>);

impl Violations {
    fn value_text(shape: &StringShape, value: &str) -> String {
        if shape.sensitive {
            "Value".to_string()
        } else {
            format!("Value '{value}'")
        }
    }

    /// `member` is the lowerCamel path AWS prints, e.g. `xksProxyAuthenticationCredential.accessKeyId`.
    pub fn check(&mut self, member: &str, shape: &StringShape, value: Option<&str>) {
        let Some(value) = value else { return };
        let len = value.chars().count();
        let v = Self::value_text(shape, value);
        if len < shape.min {
            self.0.push(format!(
                "{v} at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {}",
                shape.min
            ));
        } else if len > shape.max {
            self.0.push(format!(
                "{v} at '{member}' failed to satisfy constraint: Member must have length less than or equal to {}",
                shape.max
            ));
        }
        if let Some(pattern) = shape.pattern {
            if !compiled(pattern).is_match(value) {
                self.0.push(format!(
                    "{v} at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
                ));
            }
        }
    }

    pub fn required(&mut self, member: &str, present: bool) {
        if !present {
            self.0.push(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            ));
        }
    }

    pub fn enum_value(&mut self, member: &str, value: Option<&str>, allowed: &[&str]) {
        if let Some(value) = value {
            if !allowed.contains(&value) {
                self.0.push(format!(
                    "Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ));
            }
        }
    }

    pub fn range(&mut self, member: &str, value: Option<i64>, min: i64, max: i64) {
        match value {
            Some(v) if v < min => self.0.push(format!(
                "Value '{v}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"
            )),
            Some(v) if v > max => self.0.push(format!(
                "Value '{v}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"
            )),
            _ => {}
        }
    }

    /// A rule that is not a single member's constraint (for example, per store type).
    pub fn rule(&mut self, message: impl Into<String>) {
        self.0.push(message.into());
    }

    pub fn into_result(self) -> Result<(), KmsError> {
        match self.0.len() {
            0 => Ok(()),
            n => {
                let noun = if n == 1 { "error" } else { "errors" };
                Err(KmsError::new(
                    ErrorKind::ValidationException,
                    format!("{n} validation {noun} detected: {}", self.0.join("; ")),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(member: &str, shape: &StringShape, value: &str) -> Option<String> {
        let mut v = Violations::default();
        v.check(member, shape, Some(value));
        v.into_result().err().map(|e| e.message)
    }

    #[test]
    fn lengths_patterns_and_wording_follow_aws() {
        let long = "n".repeat(257);
        let m = errors("customKeyStoreName", &CUSTOM_KEY_STORE_NAME, &long).unwrap();
        assert!(
            m.starts_with("1 validation error detected: Value 'nnn"),
            "{m}"
        );
        assert!(m.ends_with("at 'customKeyStoreName' failed to satisfy constraint: Member must have length less than or equal to 256"));
        assert!(errors(
            "xksProxyUriEndpoint",
            &XKS_PROXY_URI_ENDPOINT,
            "https://proxy.example.com:443"
        )
        .unwrap()
        .contains("regular expression pattern: ^https://[a-zA-Z0-9.-]+$"));
        assert!(errors(
            "xksProxyUriEndpoint",
            &XKS_PROXY_URI_ENDPOINT,
            "https://proxy.example.com"
        )
        .is_none());
    }

    #[test]
    fn patterns_match_whole_values() {
        // The model's cluster pattern has no anchors; a longer id with it inside is still wrong.
        assert!(errors(
            "cloudHsmClusterId",
            &CLOUD_HSM_CLUSTER_ID,
            "cluster-abcdefghijk"
        )
        .is_none());
        assert!(errors(
            "cloudHsmClusterId",
            &CLOUD_HSM_CLUSTER_ID,
            "xcluster-abcdefghijk"
        )
        .is_some());
        // Documentation examples that break the model are refused, as AWS would (reference §1.1).
        assert!(errors(
            "cloudHsmClusterId",
            &CLOUD_HSM_CLUSTER_ID,
            "cluster-1a23b4cdefg"
        )
        .is_some());
        assert!(errors("accessKeyId", &XKS_ACCESS_KEY_ID, "ABCDE12345670EXAMPLE").is_some());
    }

    #[test]
    fn paths_accept_prefixes_and_versions() {
        for ok in [
            "/kms/xks/v1",
            "/example-prefix/kms/xks/v1",
            "/a/b_c/kms/xks/v12",
        ] {
            assert!(errors("p", &XKS_PROXY_URI_PATH, ok).is_none(), "{ok}");
        }
        for bad in [
            "/kms/xks/v123",
            "kms/xks/v1/",
            "/prefix/kms/xks/v1/extra",
            "/pre fix/kms/xks/v1",
        ] {
            assert!(errors("p", &XKS_PROXY_URI_PATH, bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn sensitive_values_are_never_echoed() {
        let m = errors("keyStorePassword", &KEY_STORE_PASSWORD, "short").unwrap();
        assert!(!m.contains("short"), "{m}");
        assert!(m.contains("Value at 'keyStorePassword'"), "{m}");
    }

    #[test]
    fn several_violations_are_reported_together() {
        let mut v = Violations::default();
        v.required("customKeyStoreName", false);
        v.enum_value(
            "customKeyStoreType",
            Some("HSM"),
            &["AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"],
        );
        v.range("limit", Some(0), LIMIT_MIN, LIMIT_MAX);
        let m = v.into_result().unwrap_err().message;
        assert!(m.starts_with("3 validation errors detected: "), "{m}");
        assert!(
            m.contains("Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]")
        );
        assert!(m.contains("Member must have value greater than or equal to 1"));
    }

    /// The table above is the model's: same bounds, patterns and sensitivity for every shape.
    #[test]
    fn the_table_matches_the_service_model() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../reference/kms-service-model-2014-11-01.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("the service model is expected at {}: {e}", path.display()));
        let model: serde_json::Value = serde_json::from_str(&text).unwrap();
        for shape in ALL_STRING_SHAPES {
            let s = &model["shapes"][shape.name];
            assert_eq!(s["type"], "string", "{}", shape.name);
            assert_eq!(
                s["min"].as_u64(),
                Some(shape.min as u64),
                "{} min",
                shape.name
            );
            assert_eq!(
                s["max"].as_u64(),
                Some(shape.max as u64),
                "{} max",
                shape.name
            );
            assert_eq!(
                s["pattern"].as_str(),
                shape.pattern,
                "{} pattern",
                shape.name
            );
            assert_eq!(
                s["sensitive"].as_bool().unwrap_or(false),
                shape.sensitive,
                "{} sensitive",
                shape.name
            );
        }
        let limit = &model["shapes"]["LimitType"];
        assert_eq!(limit["min"].as_i64(), Some(LIMIT_MIN));
        assert_eq!(limit["max"].as_i64(), Some(LIMIT_MAX));
    }
}
