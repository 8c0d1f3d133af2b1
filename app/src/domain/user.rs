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
    /// Where the user signs in: a local password, or the identity provider.
    #[serde(default)]
    pub source: UserSource,
    /// The last successful sign-in, in epoch milliseconds; none before the first.
    #[serde(default)]
    pub last_sign_in_ms: Option<i64>,
}

impl UserInfo {
    pub fn new(username: impl Into<String>, role: Role) -> UserInfo {
        UserInfo {
            username: username.into(),
            role,
            must_change_password: false,
            session_epoch: 0,
            source: UserSource::Local,
            last_sign_in_ms: None,
        }
    }

    /// The user signs in through the identity provider: no local password, and the role comes
    /// from the provider's groups at each sign-in.
    pub fn is_federated(&self) -> bool {
        self.source == UserSource::Federated
    }
}

/// Where a user's sign-in is checked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserSource {
    /// A password the console keeps (argon2).
    #[default]
    Local,
    /// The company's identity provider (OpenID Connect).
    Federated,
}

impl UserSource {
    pub fn as_str(self) -> &'static str {
        match self {
            UserSource::Local => "local",
            UserSource::Federated => "federated",
        }
    }

    pub fn parse(s: &str) -> Option<UserSource> {
        [UserSource::Local, UserSource::Federated]
            .into_iter()
            .find(|u| u.as_str() == s)
    }
}

/// How the sign-in page offers to sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The identity provider's name for "Sign in with …", when one is configured.
    pub provider: Option<String>,
    /// Local accounts (user name and password) may sign in.
    pub local: bool,
}

impl Default for SignInOptions {
    fn default() -> Self {
        SignInOptions {
            provider: None,
            local: true,
        }
    }
}

/// Where the sign-in page's "Sign in with …" link starts the identity provider's flow.
pub const OIDC_START_PATH: &str = "/auth/oidc/start";
/// Where the provider sends the browser back with the authorization code.
pub const OIDC_CALLBACK_PATH: &str = "/auth/oidc/callback";
/// Sign-out of a federated user: the console session, then the provider's.
pub const OIDC_LOGOUT_PATH: &str = "/auth/oidc/logout";

/// Why a sign-in through the identity provider did not make a session: the sign-in page shows
/// what happened and what to do (`/login?oidc_error=CODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OidcFailure {
    /// Discovery, the keys or the token endpoint could not be reached.
    Unreachable,
    /// The user said no at the provider (`access_denied`).
    Denied,
    /// The `state` came back unknown, used already, or from another browser.
    State,
    /// The ID token had expired when it arrived.
    Expired,
    /// The ID token was issued for another application.
    Audience,
    /// The user is in neither the operator nor the viewer group.
    NoGroup,
    /// Anything else the provider or its token got wrong.
    Failed,
    /// Sign-in through the identity provider is not configured.
    NotConfigured,
}

impl OidcFailure {
    pub const ALL: [OidcFailure; 8] = [
        OidcFailure::Unreachable,
        OidcFailure::Denied,
        OidcFailure::State,
        OidcFailure::Expired,
        OidcFailure::Audience,
        OidcFailure::NoGroup,
        OidcFailure::Failed,
        OidcFailure::NotConfigured,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OidcFailure::Unreachable => "unreachable",
            OidcFailure::Denied => "denied",
            OidcFailure::State => "state",
            OidcFailure::Expired => "expired",
            OidcFailure::Audience => "audience",
            OidcFailure::NoGroup => "no-group",
            OidcFailure::Failed => "failed",
            OidcFailure::NotConfigured => "not-configured",
        }
    }

    pub fn parse(code: &str) -> Option<OidcFailure> {
        OidcFailure::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What happened, and what the user can do about it.
    pub fn message(self) -> &'static str {
        match self {
            OidcFailure::Unreachable => "The console could not reach the identity provider. Try again in a minute; if it keeps failing, tell the console's administrators.",
            OidcFailure::Denied => "You did not allow the console to read your identity at the identity provider, so you are not signed in. Sign in again and allow it.",
            OidcFailure::State => "This sign-in link was already used, has expired, or was started in another browser. Start again with the button below.",
            OidcFailure::Expired => "The identity provider's answer had expired when it arrived. Start again; if it keeps happening, the console's clock or the provider's may be wrong.",
            OidcFailure::Audience => "The identity provider answered for another application. The console's client ID does not match its registration at the provider: tell the console's administrators.",
            OidcFailure::NoGroup => "You signed in at the identity provider, but you are in none of the groups that may use this console. Ask the console's administrators (or your identity team) to add you to the operator or the viewer group.",
            OidcFailure::Failed => "The identity provider's answer could not be accepted. Start again; if it keeps failing, tell the console's administrators (the console's log says why).",
            OidcFailure::NotConfigured => "Sign-in through an identity provider is not set up on this console.",
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

/// The header names up to this many targets; it counts a larger fleet.
const LABEL_TARGETS: usize = 3;

impl BackendInfo {
    pub fn label(&self) -> String {
        match self {
            BackendInfo::Simulator { .. } => "Embedded simulator".to_string(),
            // A header line, not a list: a large fleet is counted (the Backend page lists it).
            BackendInfo::Aws { targets } if targets.len() > LABEL_TARGETS => {
                let accounts: std::collections::BTreeSet<Option<&str>> =
                    targets.iter().map(|t| t.account.as_deref()).collect();
                let regions: std::collections::BTreeSet<&str> =
                    targets.iter().map(|t| t.region.as_str()).collect();
                format!(
                    "AWS · {} targets: {} accounts, {} Regions",
                    targets.len(),
                    accounts.len(),
                    regions.len()
                )
            }
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

/// The backend as the header names it. Every page carries it, so it is a line, not the list of
/// targets (the Backend page reads that on its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSummary {
    pub label: String,
    pub simulator: bool,
}

impl From<&BackendInfo> for BackendSummary {
    fn from(b: &BackendInfo) -> BackendSummary {
        BackendSummary {
            label: b.label(),
            simulator: b.is_simulator(),
        }
    }
}

/// What every page needs to know about the visitor and the backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<UserInfo>,
    /// Only for a signed-in user: a visitor learns nothing of accounts, profiles or endpoints.
    pub backend: Option<BackendSummary>,
    /// How the sign-in page offers to sign in.
    #[serde(default)]
    pub sign_in: SignInOptions,
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

    /// README "Sign in with your identity provider": each code in its table is one the sign-in page
    /// knows, and the page says what the table quotes.
    #[test]
    fn sign_in_failures_say_what_the_readme_quotes() {
        let readme = include_str!("../../../README.md");
        let mut seen = 0;
        for row in readme.lines().filter(|l| l.starts_with("  | `")) {
            let code = row.split('`').nth(1).unwrap();
            let failure = OidcFailure::parse(code).unwrap_or_else(|| {
                panic!("README names code {code}, which the page does not know")
            });
            let quoted: Vec<&str> = row
                .rsplit('|')
                .nth(1)
                .unwrap()
                .split('"')
                .skip(1)
                .step_by(2)
                .collect();
            assert!(!quoted.is_empty(), "{row}");
            for phrase in quoted {
                assert!(
                    failure.message().contains(phrase),
                    "{code}: {phrase:?} not in {:?}",
                    failure.message()
                );
            }
            seen += 1;
        }
        // Every failure a sign-in can meet (all but "not configured") is in the table.
        assert_eq!(seen, OidcFailure::ALL.len() - 1);
    }

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
        let target = |account: &str, region: &str| AwsTarget {
            profile: account.into(),
            region: region.into(),
            account: Some(account.into()),
            problem: None,
        };
        let three = BackendInfo::Aws {
            targets: vec![
                target("111122223333", "eu-west-1"),
                target("111122223333", "us-east-1"),
                target("444455556666", "eu-west-1"),
            ],
        };
        assert_eq!(
            three.label(),
            "AWS · 111122223333 eu-west-1, 111122223333 us-east-1, 444455556666 eu-west-1"
        );
        // Forty targets would make a header line of forty entries: they are counted instead.
        let fleet = BackendInfo::Aws {
            targets: (0..40)
                .map(|i| {
                    target(
                        &format!("2000000000{:02}", i / 4),
                        ["a", "b", "c", "d"][i % 4],
                    )
                })
                .collect(),
        };
        assert_eq!(fleet.label(), "AWS · 40 targets: 10 accounts, 4 Regions");
        let sim = BackendInfo::Simulator {
            endpoint: "http://127.0.0.1:1".into(),
        };
        assert_eq!(sim.label(), "Embedded simulator");
    }
}
