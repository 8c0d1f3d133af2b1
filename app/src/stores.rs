//! Custom key stores as the console shows them, and the fleet view's filters and sorting.
//! Plain functions of plain data, so the server and the browser apply the same rules.

use serde::{Deserialize, Serialize};

/// Where a store lives: one account in one region, reached with one set of credentials.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetRef {
    pub account: String,
    pub region: String,
}

/// One row of the fleet: what DescribeCustomKeyStores says about a store (never a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRow {
    pub account: String,
    pub region: String,
    pub id: String,
    pub name: String,
    /// AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
    pub store_type: String,
    /// CONNECTED, CONNECTING, DISCONNECTED, DISCONNECTING or FAILED.
    pub state: String,
    pub error_code: Option<String>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub xks_endpoint: Option<String>,
    pub xks_path: Option<String>,
    pub xks_connectivity: Option<String>,
    /// Epoch seconds.
    pub created: i64,
}

impl StoreRow {
    pub fn is_transitioning(&self) -> bool {
        matches!(self.state.as_str(), "CONNECTING" | "DISCONNECTING")
    }

    pub fn type_label(&self) -> &'static str {
        match self.store_type.as_str() {
            "AWS_CLOUDHSM" => "CloudHSM",
            "EXTERNAL_KEY_STORE" => "External (XKS)",
            _ => "Unknown",
        }
    }
}

/// A target that could not be listed, shown beside the others' results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFailure {
    pub target: TargetRef,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fleet {
    pub stores: Vec<StoreRow>,
    pub failures: Vec<TargetFailure>,
    /// Every configured target, for the account and region filters.
    pub targets: Vec<TargetRef>,
}

impl Fleet {
    pub fn any_transitioning(&self) -> bool {
        self.stores.iter().any(StoreRow::is_transitioning)
    }
}

/// The short meaning of a ConnectionErrorCode, for the list (reference §2).
pub fn error_code_meaning(code: &str) -> &'static str {
    match code {
        "INTERNAL_ERROR" => "KMS internal error; retry",
        "NETWORK_ERRORS" => "network errors reach the backing store",
        "CLUSTER_NOT_FOUND" => "no CloudHSM cluster with this ID",
        "INSUFFICIENT_CLOUDHSM_HSMS" => "the cluster has no active HSM",
        "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET" => "a cluster subnet has no free IP address",
        "INVALID_CREDENTIALS" => "the credential or kmsuser password is not accepted",
        "SUBNET_NOT_FOUND" => "a cluster subnet was deleted",
        "USER_LOCKED_OUT" => "kmsuser is locked out",
        "USER_LOGGED_IN" => "kmsuser is logged in",
        "USER_NOT_FOUND" => "there is no kmsuser in the cluster",
        "XKS_PROXY_ACCESS_DENIED" => "the proxy denies KMS",
        "XKS_PROXY_INVALID_CONFIGURATION" => "the proxy configuration is wrong; check the URI path",
        "XKS_PROXY_INVALID_RESPONSE" => "the proxy's answer cannot be read",
        "XKS_PROXY_INVALID_TLS_CONFIGURATION" => "the proxy's TLS setup is not valid",
        "XKS_PROXY_NOT_REACHABLE" => "the proxy cannot be reached",
        "XKS_PROXY_TIMED_OUT" => "the proxy did not answer in time",
        "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION" => {
            "the VPC endpoint service is misconfigured"
        }
        "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND" => "the VPC endpoint service was not found",
        _ => "unknown error code",
    }
}

/// The columns the list can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    Account,
    Region,
    Name,
    Id,
    Type,
    State,
    Error,
    Proxy,
    Created,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Account,
        Column::Region,
        Column::Name,
        Column::Id,
        Column::Type,
        Column::State,
        Column::Error,
        Column::Proxy,
        Column::Created,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Column::Account => "account",
            Column::Region => "region",
            Column::Name => "name",
            Column::Id => "id",
            Column::Type => "type",
            Column::State => "state",
            Column::Error => "error",
            Column::Proxy => "proxy",
            Column::Created => "created",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Column::Account => "Account",
            Column::Region => "Region",
            Column::Name => "Name",
            Column::Id => "ID",
            Column::Type => "Type",
            Column::State => "State",
            Column::Error => "Error",
            Column::Proxy => "Proxy or cluster",
            Column::Created => "Created",
        }
    }

    pub fn parse(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == s)
    }
}

/// The fleet view's filters and order, as they appear in the URL query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub store_type: Option<String>,
    pub state: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub text: Option<String>,
    pub sort: Option<Column>,
    pub descending: bool,
}

impl View {
    /// Reads the query parameters; unknown or empty values mean "no filter".
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> View {
        let value = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        View {
            store_type: value("type"),
            state: value("state"),
            account: value("account"),
            region: value("region"),
            text: value("q"),
            sort: value("sort").and_then(|s| Column::parse(&s)),
            descending: value("dir").as_deref() == Some("desc"),
        }
    }

    /// The query string for this view (without `?`), for links that keep it.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("type", &self.store_type),
            ("state", &self.state),
            ("account", &self.account),
            ("region", &self.region),
            ("q", &self.text),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if let Some(c) = self.sort {
            pairs.push(("sort", c.key().to_string()));
            if self.descending {
                pairs.push(("dir", "desc".to_string()));
            }
        }
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The view sorted by `column`: ascending first, then the other way.
    pub fn sorted_by(&self, column: Column) -> View {
        let descending = self.sort == Some(column) && !self.descending;
        View {
            sort: Some(column),
            descending,
            ..self.clone()
        }
    }

    pub fn matches(&self, row: &StoreRow) -> bool {
        let eq =
            |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
        let text = self.text.as_deref().map(str::to_lowercase);
        eq(&self.store_type, &row.store_type)
            && eq(&self.state, &row.state)
            && eq(&self.account, &row.account)
            && eq(&self.region, &row.region)
            && text.is_none_or(|t| {
                [
                    Some(&row.name),
                    Some(&row.id),
                    row.error_code.as_ref(),
                    row.cloud_hsm_cluster_id.as_ref(),
                    row.xks_endpoint.as_ref(),
                    row.xks_path.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|v| v.to_lowercase().contains(&t))
            })
    }

    /// The rows this view shows, in its order (by account, region and name when unsorted).
    pub fn apply(&self, rows: &[StoreRow]) -> Vec<StoreRow> {
        let mut out: Vec<StoreRow> = rows.iter().filter(|r| self.matches(r)).cloned().collect();
        let key = |r: &StoreRow, c: Column| -> String {
            match c {
                Column::Account => r.account.clone(),
                Column::Region => r.region.clone(),
                Column::Name => r.name.to_lowercase(),
                Column::Id => r.id.clone(),
                Column::Type => r.store_type.clone(),
                Column::State => r.state.clone(),
                Column::Error => r.error_code.clone().unwrap_or_default(),
                Column::Proxy => r
                    .xks_endpoint
                    .clone()
                    .or_else(|| r.cloud_hsm_cluster_id.clone())
                    .unwrap_or_default(),
                Column::Created => format!("{:020}", r.created),
            }
        };
        out.sort_by(|a, b| {
            let primary = match self.sort {
                Some(c) => key(a, c).cmp(&key(b, c)),
                None => std::cmp::Ordering::Equal,
            };
            let primary = if self.descending {
                primary.reverse()
            } else {
                primary
            };
            primary.then_with(|| {
                (&a.account, &a.region, a.name.to_lowercase()).cmp(&(
                    &b.account,
                    &b.region,
                    b.name.to_lowercase(),
                ))
            })
        });
        out
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(account: &str, region: &str, name: &str, kind: &str, state: &str) -> StoreRow {
        StoreRow {
            account: account.into(),
            region: region.into(),
            id: format!("cks-{name}"),
            name: name.into(),
            store_type: kind.into(),
            state: state.into(),
            error_code: (state == "FAILED").then(|| "XKS_PROXY_ACCESS_DENIED".to_string()),
            cloud_hsm_cluster_id: (kind == "AWS_CLOUDHSM").then(|| format!("cluster-{name}")),
            xks_endpoint: (kind == "EXTERNAL_KEY_STORE").then(|| format!("https://{name}.example")),
            xks_path: None,
            xks_connectivity: None,
            created: name.len() as i64,
        }
    }

    fn fleet() -> Vec<StoreRow> {
        vec![
            row(
                "111",
                "us-east-1",
                "payments",
                "EXTERNAL_KEY_STORE",
                "CONNECTED",
            ),
            row("111", "eu-west-1", "ledger", "EXTERNAL_KEY_STORE", "FAILED"),
            row(
                "222",
                "us-east-1",
                "archive",
                "AWS_CLOUDHSM",
                "DISCONNECTED",
            ),
            row("222", "eu-west-1", "Zeta", "AWS_CLOUDHSM", "CONNECTING"),
        ]
    }

    fn names(rows: &[StoreRow]) -> Vec<&str> {
        rows.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn filters_combine_and_text_searches_names_ids_codes_and_endpoints() {
        let v = View {
            store_type: Some("AWS_CLOUDHSM".into()),
            ..View::default()
        };
        assert_eq!(names(&v.apply(&fleet())), ["Zeta", "archive"]);
        let v = View {
            account: Some("111".into()),
            state: Some("FAILED".into()),
            ..View::default()
        };
        assert_eq!(names(&v.apply(&fleet())), ["ledger"]);
        let v = View {
            text: Some("ACCESS_denied".into()),
            ..View::default()
        };
        assert_eq!(names(&v.apply(&fleet())), ["ledger"]);
        let v = View {
            text: Some("payments.example".into()),
            ..View::default()
        };
        assert_eq!(names(&v.apply(&fleet())), ["payments"]);
        let v = View {
            region: Some("ap-south-1".into()),
            ..View::default()
        };
        assert!(v.apply(&fleet()).is_empty());
    }

    #[test]
    fn sorting_by_a_column_flips_on_the_second_click() {
        let by_name = View::default().sorted_by(Column::Name);
        assert_eq!(
            names(&by_name.apply(&fleet())),
            ["archive", "ledger", "payments", "Zeta"]
        );
        let flipped = by_name.sorted_by(Column::Name);
        assert!(flipped.descending);
        assert_eq!(
            names(&flipped.apply(&fleet())),
            ["Zeta", "payments", "ledger", "archive"]
        );
        let by_state = View::default().sorted_by(Column::State);
        assert_eq!(names(&by_state.apply(&fleet()))[0], "payments");
    }

    #[test]
    fn views_survive_the_url() {
        let v = View {
            store_type: Some("EXTERNAL_KEY_STORE".into()),
            text: Some("a b&c".into()),
            sort: Some(Column::Created),
            descending: true,
            ..View::default()
        };
        let q = v.to_query();
        assert_eq!(
            q,
            "type=EXTERNAL_KEY_STORE&q=a%20b%26c&sort=created&dir=desc"
        );
        let pairs: Vec<(String, String)> = q
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap();
                (k.to_string(), v.replace("%20", " ").replace("%26", "&"))
            })
            .collect();
        let back =
            View::from_query(|k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone()));
        assert_eq!(back, v);
        assert_eq!(
            View::from_query(|k| (k == "sort").then(|| "bogus".to_string())),
            View::default()
        );
    }

    #[test]
    fn every_connection_error_code_has_a_meaning() {
        for code in [
            "INVALID_CREDENTIALS",
            "CLUSTER_NOT_FOUND",
            "NETWORK_ERRORS",
            "INTERNAL_ERROR",
            "INSUFFICIENT_CLOUDHSM_HSMS",
            "USER_LOCKED_OUT",
            "USER_NOT_FOUND",
            "USER_LOGGED_IN",
            "SUBNET_NOT_FOUND",
            "INSUFFICIENT_FREE_ADDRESSES_IN_SUBNET",
            "XKS_PROXY_ACCESS_DENIED",
            "XKS_PROXY_NOT_REACHABLE",
            "XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND",
            "XKS_PROXY_INVALID_RESPONSE",
            "XKS_PROXY_INVALID_CONFIGURATION",
            "XKS_VPC_ENDPOINT_SERVICE_INVALID_CONFIGURATION",
            "XKS_PROXY_TIMED_OUT",
            "XKS_PROXY_INVALID_TLS_CONFIGURATION",
        ] {
            assert_ne!(error_code_meaning(code), "unknown error code", "{code}");
        }
    }
}

/// Everything Describe says about one store (never a secret), for its detail page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreDetail {
    pub row: StoreRow,
    pub trust_anchor_certificate: Option<String>,
    pub xks_access_key_id: Option<String>,
    pub xks_vpc_endpoint_service_name: Option<String>,
    pub xks_vpc_endpoint_service_owner: Option<String>,
}

/// The actions of the detail page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Connect,
    Disconnect,
    Edit,
    Delete,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Connect => "Connect",
            Action::Disconnect => "Disconnect",
            Action::Edit => "Edit",
            Action::Delete => "Delete",
        }
    }
}

/// Whether `action` is allowed in `state`, and if not, why (reference §6).
pub fn action_allowed(action: Action, state: &str) -> Result<(), &'static str> {
    match (action, state) {
        (Action::Connect, "DISCONNECTED") => Ok(()),
        (Action::Connect, "CONNECTED") => Err("The store is already connected."),
        (Action::Connect, "CONNECTING") => Err("The store is connecting now."),
        (Action::Connect, "DISCONNECTING") => {
            Err("Wait until the store is DISCONNECTED, then connect it.")
        }
        (Action::Connect, "FAILED") => {
            Err("A FAILED store must be disconnected before it can connect again.")
        }
        (Action::Disconnect, "CONNECTED" | "CONNECTING" | "FAILED") => Ok(()),
        (Action::Disconnect, "DISCONNECTED") => Err("The store is already disconnected."),
        (Action::Disconnect, "DISCONNECTING") => Err("The store is disconnecting now."),
        (Action::Edit, "CONNECTED" | "DISCONNECTED" | "FAILED") => Ok(()),
        (Action::Edit, "CONNECTING" | "DISCONNECTING") => {
            Err("The store is changing state; edit it once it settles.")
        }
        (Action::Delete, "DISCONNECTED") => Ok(()),
        (Action::Delete, "CONNECTED" | "CONNECTING" | "DISCONNECTING" | "FAILED") => {
            Err("Only a DISCONNECTED store can be deleted; disconnect it first.")
        }
        _ => Err("The store's state is unknown."),
    }
}

#[cfg(test)]
mod action_tests {
    use super::*;

    #[test]
    fn connect_and_disconnect_follow_the_state_rules() {
        assert!(action_allowed(Action::Connect, "DISCONNECTED").is_ok());
        for s in ["CONNECTED", "CONNECTING", "DISCONNECTING", "FAILED"] {
            assert!(action_allowed(Action::Connect, s).is_err(), "{s}");
        }
        for s in ["CONNECTED", "CONNECTING", "FAILED"] {
            assert!(action_allowed(Action::Disconnect, s).is_ok(), "{s}");
        }
        for s in ["DISCONNECTED", "DISCONNECTING"] {
            assert!(action_allowed(Action::Disconnect, s).is_err(), "{s}");
        }
        assert!(action_allowed(Action::Connect, "FAILED")
            .unwrap_err()
            .contains("disconnected"));
        for s in ["CONNECTED", "DISCONNECTED", "FAILED"] {
            assert!(action_allowed(Action::Edit, s).is_ok(), "{s}");
        }
        assert!(action_allowed(Action::Edit, "CONNECTING").is_err());
        // reference §6: Delete needs DISCONNECTED.
        assert!(action_allowed(Action::Delete, "DISCONNECTED").is_ok());
        for s in ["CONNECTED", "CONNECTING", "DISCONNECTING", "FAILED"] {
            assert!(action_allowed(Action::Delete, s).is_err(), "{s}");
        }
    }
}
