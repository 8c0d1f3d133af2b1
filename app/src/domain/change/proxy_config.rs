//! The proxy configuration file of the AWS console (reference §5): the URI path and the
//! credential, as JSON. Parsed the same way in the browser and on the server.

use super::rules;
use crate::domain::secret::Secret;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Larger files are refused before they are read.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

const PATH_KEY: &str = "XksProxyUriPath";
const CREDENTIAL_KEY: &str = "XksProxyAuthenticationCredential";
const AKID_KEY: &str = "AccessKeyId";
const SECRET_KEY: &str = "RawSecretAccessKey";

/// What a valid file supplies. The secret never leaves the type that hides it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyConfigFile {
    pub uri_path: Option<String>,
    pub credential: Option<(String, Secret)>,
    /// Keys the console does not know; they are ignored.
    pub warnings: Vec<String>,
}

/// Why a file was refused. Messages never quote a value from the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConfigFileError {
    #[error("The file is larger than 64 KiB; a proxy configuration file holds a path and a credential, a few hundred bytes.")]
    TooLarge { size: usize },
    #[error("The file is not UTF-8 text (invalid byte at offset {offset}).")]
    NotUtf8 { offset: usize },
    #[error("The file is not valid JSON: {message} at line {line}, column {column}.")]
    NotJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("The file must hold one JSON object, not {found}.")]
    NotAnObject { found: String },
    #[error("{key} must be {expected}, not {found}.")]
    WrongType {
        key: String,
        expected: String,
        found: String,
    },
    #[error("{key} is missing: {why}")]
    Missing { key: String, why: String },
    /// A value that breaks the model's rule; the message names the member once.
    #[error("{message}")]
    Invalid { key: String, message: String },
    #[error("The file has neither XksProxyUriPath nor XksProxyAuthenticationCredential, so there is nothing to fill in.")]
    Empty,
}

impl ConfigFileError {
    /// The rule's message about `key`, naming the member by its whole path in the file: a
    /// rule that says "AccessKeyId must …" reads "XksProxyAuthenticationCredential.AccessKeyId
    /// must …".
    fn invalid(key: &str, message: String) -> ConfigFileError {
        let last = key.rsplit('.').next().unwrap_or(key);
        let message = match message.strip_prefix(last) {
            Some(rest) => format!("{key}{rest}"),
            None => format!("{key}: {message}"),
        };
        ConfigFileError::Invalid {
            key: key.to_string(),
            message,
        }
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
    .to_string()
}

fn string<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, ConfigFileError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ConfigFileError::WrongType {
            key: path.to_string(),
            expected: "a string".into(),
            found: kind(other),
        }),
    }
}

fn unknown_keys(
    obj: &Map<String, Value>,
    known: &[&str],
    within: &str,
    warnings: &mut Vec<String>,
) {
    for k in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        warnings.push(format!("Unknown key {within}{k:?} was ignored."));
    }
}

pub fn parse_proxy_config(bytes: &[u8]) -> Result<ProxyConfigFile, ConfigFileError> {
    if bytes.len() > MAX_CONFIG_BYTES {
        return Err(ConfigFileError::TooLarge { size: bytes.len() });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ConfigFileError::NotUtf8 {
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map(|(m, _)| m.to_string())
            .unwrap_or(full);
        ConfigFileError::NotJson {
            message,
            line: e.line(),
            column: e.column(),
        }
    })?;
    let Value::Object(top) = value else {
        return Err(ConfigFileError::NotAnObject {
            found: kind(&value),
        });
    };
    let mut out = ProxyConfigFile::default();
    unknown_keys(&top, &[PATH_KEY, CREDENTIAL_KEY], "", &mut out.warnings);
    if let Some(path) = string(&top, PATH_KEY, PATH_KEY)? {
        rules::uri_path(path).map_err(|message| ConfigFileError::invalid(PATH_KEY, message))?;
        out.uri_path = Some(path.to_string());
    }
    match top.get(CREDENTIAL_KEY) {
        None => {}
        Some(Value::Object(c)) => {
            unknown_keys(
                c,
                &[AKID_KEY, SECRET_KEY],
                "XksProxyAuthenticationCredential.",
                &mut out.warnings,
            );
            let akid_path = format!("{CREDENTIAL_KEY}.{AKID_KEY}");
            let secret_path = format!("{CREDENTIAL_KEY}.{SECRET_KEY}");
            let akid = string(c, AKID_KEY, &akid_path)?;
            let secret = string(c, SECRET_KEY, &secret_path)?;
            let why = "KMS takes the credential whole, so the file needs both AccessKeyId and RawSecretAccessKey.";
            let akid = akid.ok_or_else(|| ConfigFileError::Missing {
                key: akid_path.clone(),
                why: why.into(),
            })?;
            let secret = secret.ok_or_else(|| ConfigFileError::Missing {
                key: secret_path.clone(),
                why: why.into(),
            })?;
            rules::access_key_id(akid)
                .map_err(|message| ConfigFileError::invalid(&akid_path, message))?;
            rules::raw_secret_access_key(secret)
                .map_err(|message| ConfigFileError::invalid(&secret_path, message))?;
            out.credential = Some((akid.to_string(), Secret::new(secret)));
        }
        Some(other) => {
            return Err(ConfigFileError::WrongType {
                key: CREDENTIAL_KEY.into(),
                expected: "an object with AccessKeyId and RawSecretAccessKey".into(),
                found: kind(other),
            })
        }
    }
    if out.uri_path.is_none() && out.credential.is_none() {
        return Err(ConfigFileError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_value_names_its_member_once() {
        let akid = "XksProxyAuthenticationCredential.AccessKeyId";
        for (file, member) in [
            (r#"{"XksProxyUriPath": "/nope"}"#, "XksProxyUriPath"),
            (
                r#"{"XksProxyAuthenticationCredential": {"AccessKeyId": "short", "RawSecretAccessKey": "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDI="}}"#,
                akid,
            ),
        ] {
            let message = parse_proxy_config(file.as_bytes()).unwrap_err().to_string();
            assert!(message.starts_with(&format!("{member} must")), "{message}");
            let short = member.rsplit('.').next().unwrap();
            assert_eq!(message.matches(short).count(), 1, "{message}");
        }
    }

    const SECRET: &str = "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDI=";

    fn good() -> String {
        format!(
            r#"{{
  "XksProxyUriPath": "/payments-v2/kms/xks/v1",
  "XksProxyAuthenticationCredential": {{
    "AccessKeyId": "PAYMENTSXKSROTATEDKY",
    "RawSecretAccessKey": "{SECRET}"
  }}
}}"#
        )
    }

    #[test]
    fn a_file_in_the_aws_console_format_fills_path_and_credential() {
        let f = parse_proxy_config(good().as_bytes()).unwrap();
        assert_eq!(f.uri_path.as_deref(), Some("/payments-v2/kms/xks/v1"));
        let (akid, secret) = f.credential.unwrap();
        assert_eq!(akid, "PAYMENTSXKSROTATEDKY");
        assert_eq!(secret.expose(), SECRET);
        assert!(f.warnings.is_empty());
    }

    #[test]
    fn not_json_names_the_line_and_column() {
        let broken = good().replace("\"AccessKeyId\"", "AccessKeyId");
        let err = parse_proxy_config(broken.as_bytes()).unwrap_err();
        match &err {
            ConfigFileError::NotJson { line, column, .. } => assert_eq!((*line, *column), (4, 5)),
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains("line 4, column 5"), "{err}");
    }

    #[test]
    fn wrong_types_and_missing_parts_are_named() {
        let err = parse_proxy_config(br#"{"XksProxyUriPath": 12}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "XksProxyUriPath must be a string, not a number."
        );
        let err = parse_proxy_config(br#"{"XksProxyAuthenticationCredential": "x"}"#).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("XksProxyAuthenticationCredential must be an object"));
        let err = parse_proxy_config(
            br#"{"XksProxyAuthenticationCredential": {"AccessKeyId": "PAYMENTSXKSROTATEDKY"}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("RawSecretAccessKey is missing"),
            "{err}"
        );
        assert_eq!(
            parse_proxy_config(b"[1]").unwrap_err().to_string(),
            "The file must hold one JSON object, not an array."
        );
        assert_eq!(
            parse_proxy_config(b"{}").unwrap_err(),
            ConfigFileError::Empty
        );
    }

    #[test]
    fn unknown_keys_are_warnings_not_errors() {
        let text = good().replacen('{', r#"{"Comment": "from the proxy UI", "#, 1);
        let f = parse_proxy_config(text.as_bytes()).unwrap();
        assert_eq!(f.warnings, ["Unknown key \"Comment\" was ignored."]);
        assert!(f.credential.is_some());
    }

    #[test]
    fn values_that_break_the_constraints_are_refused_without_quoting_the_secret() {
        let bad_path = good().replace("/payments-v2/kms/xks/v1", "/payments/kms/xks");
        let err = parse_proxy_config(bad_path.as_bytes()).unwrap_err();
        assert!(
            err.to_string().starts_with("XksProxyUriPath must "),
            "{err}"
        );
        let bad_secret = good().replace(SECRET, &format!("{}$", &SECRET[..44]));
        let err = parse_proxy_config(bad_secret.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("RawSecretAccessKey"));
        assert!(!err.to_string().contains(&SECRET[..20]));
    }

    #[test]
    fn large_and_non_utf8_files_are_refused() {
        let big = vec![b' '; MAX_CONFIG_BYTES + 1];
        assert_eq!(
            parse_proxy_config(&big).unwrap_err(),
            ConfigFileError::TooLarge {
                size: MAX_CONFIG_BYTES + 1
            }
        );
        let err = parse_proxy_config(b"{\"XksProxyUriPath\": \"\xff\"}").unwrap_err();
        assert_eq!(err, ConfigFileError::NotUtf8 { offset: 21 });
        assert!(err.to_string().contains("not UTF-8"));
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let f = parse_proxy_config(good().as_bytes()).unwrap();
        assert!(!format!("{f:?}").contains(SECRET));
    }
}
