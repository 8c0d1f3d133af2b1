//! Who uses the console and what it manages: users and their roles, the backend, and what every
//! page knows about the visitor.

pub use super::secret::Secret;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a signed-in user may do: viewers read, operators also change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Operator,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Viewer, Role::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn can_change(self) -> bool {
        self == Role::Operator
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    pub username: String,
    pub role: Role,
    /// The password was generated or reset by an operator: the user changes it before anything else.
    #[serde(default)]
    pub must_change_password: bool,
    /// Moves when the password or the role changes; a session made before then is over.
    /// Server-side only.
    #[serde(skip)]
    pub session_epoch: i64,
}

impl UserInfo {
    pub fn new(username: impl Into<String>, role: Role) -> UserInfo {
        UserInfo {
            username: username.into(),
            role,
            must_change_password: false,
            session_epoch: 0,
        }
    }
}

/// Which KMS the console talks to, as shown in the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendInfo {
    /// The embedded kms-sim, reached over loopback HTTP by aws-sdk-kms.
    Simulator { endpoint: String },
    /// Real AWS KMS; one entry per (account, region) target.
    Aws { targets: Vec<AwsTarget> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsTarget {
    pub profile: String,
    pub region: String,
    /// None when the caller identity could not be read (the reason is in `problem`).
    pub account: Option<String>,
    pub problem: Option<String>,
}

impl BackendInfo {
    pub fn label(&self) -> String {
        match self {
            BackendInfo::Simulator { .. } => "Embedded simulator".to_string(),
            BackendInfo::Aws { targets } => {
                let parts: Vec<String> = targets
                    .iter()
                    .map(|t| {
                        format!(
                            "{} {}",
                            t.account.as_deref().unwrap_or("account unknown"),
                            t.region
                        )
                    })
                    .collect();
                format!("AWS · {}", parts.join(", "))
            }
        }
    }

    pub fn is_simulator(&self) -> bool {
        matches!(self, BackendInfo::Simulator { .. })
    }
}

/// What every page needs to know about the visitor and the backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserInfo>,
    /// Only for a signed-in user: a visitor learns nothing of accounts, profiles or endpoints.
    pub backend: Option<BackendInfo>,
}

/// User names: what the users page accepts, checked on both sides.
pub fn validate_username(name: &str) -> Result<(), String> {
    let ok_len = (1..=64).contains(&name.chars().count());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok_len || !ok_chars {
        return Err("use 1 to 64 letters, digits, '.', '_', '-' or '@'".to_string());
    }
    Ok(())
}

/// Sign-in passwords: 12 to 256 characters, whoever sets them.
pub const MIN_PASSWORD_LEN: usize = 12;
pub const MAX_PASSWORD_LEN: usize = 256;

pub fn validate_new_password(password: &Secret) -> Result<(), String> {
    let n = password.expose().chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(format!("must have at least {MIN_PASSWORD_LEN} characters"));
    }
    if n > MAX_PASSWORD_LEN {
        return Err(format!("must have at most {MAX_PASSWORD_LEN} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_operators_change() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("admin"), None);
        assert!(Role::Operator.can_change());
        assert!(!Role::Viewer.can_change());
    }

    #[test]
    fn usernames_are_checked() {
        assert!(validate_username("alice.ops@example").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("bad name").is_err());
        assert!(validate_username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(validate_new_password(&Secret::new("short")).is_err());
        assert!(validate_new_password(&Secret::new("long-enough-pw")).is_ok());
    }

    #[test]
    fn backend_label_names_accounts_and_regions() {
        let b = BackendInfo::Aws {
            targets: vec![AwsTarget {
                profile: "default".into(),
                region: "eu-west-1".into(),
                account: Some("111122223333".into()),
                problem: None,
            }],
        };
        assert_eq!(b.label(), "AWS · 111122223333 eu-west-1");
        let sim = BackendInfo::Simulator {
            endpoint: "http://127.0.0.1:1".into(),
        };
        assert_eq!(sim.label(), "Embedded simulator");
    }
}
