//! The fleet: every target's stores, and the list view's filters, order and pages as they
//! appear in the URL. Plain functions of plain data, so the server and the browser apply the
//! same rules.

use super::kms::{ConnectionState, CustomKeyStoreType};
use super::store::{StoreRow, TargetFailure, TargetRef, TargetStatus};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fleet {
    pub stores: Vec<StoreRow>,
    pub failures: Vec<TargetFailure>,
    /// Every configured target, for the account and region filters.
    pub targets: Vec<TargetRef>,
    /// How old each target's rows are, when they come from the console's watcher.
    pub status: Vec<TargetStatus>,
}

impl Fleet {
    pub fn any_transitioning(&self) -> bool {
        self.stores.iter().any(StoreRow::is_transitioning)
    }

    /// The rows `view` selects, one page of them, with what the page around them needs.
    pub fn page(&self, view: &View) -> FleetPage {
        let matching = view.select(&self.stores);
        let pages = matching.len().div_ceil(PAGE_SIZE).max(1);
        let page = view.page.clamp(1, pages);
        // Each account and region once, in order, for the filters.
        let distinct = |of: fn(&TargetRef) -> &String| -> Vec<String> {
            let set: std::collections::BTreeSet<&String> = self.targets.iter().map(of).collect();
            set.into_iter().cloned().collect()
        };
        FleetPage {
            matched: matching.len(),
            total: self.stores.len(),
            first: (page - 1) * PAGE_SIZE + 1,
            rows: matching
                .into_iter()
                .skip((page - 1) * PAGE_SIZE)
                .take(PAGE_SIZE)
                .cloned()
                .collect(),
            page,
            pages,
            transitioning: self.any_transitioning(),
            failures: self.failures.clone(),
            status: self.status.clone(),
            accounts: distinct(|t| &t.account),
            regions: distinct(|t| &t.region),
        }
    }
}

/// Rows per page of the fleet table: 400 stores in one table are slow to send and to read.
pub const PAGE_SIZE: usize = 50;

/// One page of the fleet as a view selects it: what the list page renders and the browser hydrates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetPage {
    /// This page's rows, in the view's order.
    pub rows: Vec<StoreRow>,
    /// Stores that match the view's filters, on every page.
    pub matched: usize,
    /// Stores in the fleet.
    pub total: usize,
    /// The position of this page's first row among the matching stores, from 1.
    pub first: usize,
    /// This page, from 1 (a page past the end shows the last one).
    pub page: usize,
    pub pages: usize,
    /// A store anywhere in the fleet is CONNECTING or DISCONNECTING.
    pub transitioning: bool,
    pub failures: Vec<TargetFailure>,
    pub status: Vec<TargetStatus>,
    /// Every configured account and region, for the filters.
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
}

/// One view of the fleet as every viewer of it gets it: [`FleetPage`] rendered as the list page
/// shows it. The server renders it once for each version of the fleet and each second (the ages
/// it shows change with time), and serves that to every viewer of the view: 32 people on the
/// list page cost one render, not 32 (`app::pages::stores`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FleetHtml {
    /// "As of 4 s ago", beside the Refresh button.
    pub as_of: String,
    /// A store anywhere in the fleet is CONNECTING or DISCONNECTING.
    pub transitioning: bool,
    /// The inside of the filters' form (its controls, as this view sets them). The form itself
    /// is the page's; this changes only with the view, so an update leaves alone what someone
    /// is typing or choosing in it.
    pub filters: Arc<str>,
    /// Each target's age: the inside of a `<details>` (its summary line and a table). The
    /// element itself is the page's, so it stays open across updates once opened.
    pub targets: Arc<str>,
    /// A banner for each target whose last read failed or that could not be read at all.
    pub banners: Arc<str>,
    /// The count, the table (only this page's rows) and the pager.
    pub list: Arc<str>,
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

/// The fleet view's filters, order and page, as they appear in the URL query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    pub store_type: Option<CustomKeyStoreType>,
    pub state: Option<ConnectionState>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub text: Option<String>,
    pub sort: Option<Column>,
    pub descending: bool,
    /// The page of the table, from 1.
    pub page: usize,
}

impl Default for View {
    fn default() -> View {
        View {
            store_type: None,
            state: None,
            account: None,
            region: None,
            text: None,
            sort: None,
            descending: false,
            page: 1,
        }
    }
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
            store_type: value("type").map(|v| CustomKeyStoreType::parse(&v)),
            state: value("state").map(|v| ConnectionState::parse(&v)),
            account: value("account"),
            region: value("region"),
            text: value("q"),
            sort: value("sort").and_then(|s| Column::parse(&s)),
            descending: value("dir").as_deref() == Some("desc"),
            page: value("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1)
                .max(1),
        }
    }

    /// The query string for this view (without `?`), for links that keep it.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            (
                "type",
                self.store_type.as_ref().map(CustomKeyStoreType::as_str),
            ),
            ("state", self.state.as_ref().map(ConnectionState::as_str)),
            ("account", self.account.as_deref()),
            ("region", self.region.as_deref()),
            ("q", self.text.as_deref()),
        ] {
            if let Some(v) = v {
                pairs.push((k, v.to_string()));
            }
        }
        if let Some(c) = self.sort {
            pairs.push(("sort", c.key().to_string()));
            if self.descending {
                pairs.push(("dir", "desc".to_string()));
            }
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
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
            page: 1,
            ..self.clone()
        }
    }

    /// The same filters and order, at another page.
    pub fn at_page(&self, page: usize) -> View {
        View {
            page,
            ..self.clone()
        }
    }

    pub fn matches(&self, row: &StoreRow) -> bool {
        fn eq<T: PartialEq>(filter: &Option<T>, value: &T) -> bool {
            filter.as_ref().is_none_or(|f| f == value)
        }
        let text = self.text.as_deref().map(str::to_lowercase);
        eq(&self.store_type, &row.store_type)
            && eq(&self.state, &row.state)
            && eq(&self.account, &row.account)
            && eq(&self.region, &row.region)
            && text.is_none_or(|t| {
                [
                    Some(row.name.as_str()),
                    Some(row.id.as_str()),
                    row.error_code.as_ref().map(|c| c.as_str()),
                    row.cloud_hsm_cluster_id.as_deref(),
                    row.xks_endpoint.as_deref(),
                    row.xks_path.as_deref(),
                ]
                .into_iter()
                .flatten()
                .any(|v| v.to_lowercase().contains(&t))
            })
    }

    /// The rows this view shows, in its order (by account, region and name when unsorted).
    #[cfg(test)]
    pub fn apply(&self, rows: &[StoreRow]) -> Vec<StoreRow> {
        self.select(rows).into_iter().cloned().collect()
    }

    /// The rows this view shows, in its order (by account, region and name when unsorted). Each
    /// row's sort keys are made once, not at every comparison.
    pub fn select<'a>(&self, rows: &'a [StoreRow]) -> Vec<&'a StoreRow> {
        let key = |r: &StoreRow, c: Column| -> String {
            match c {
                Column::Account => r.account.clone(),
                Column::Region => r.region.clone(),
                Column::Name => r.name.to_lowercase(),
                Column::Id => r.id.clone(),
                Column::Type => r.store_type.to_string(),
                Column::State => r.state.to_string(),
                Column::Error => r
                    .error_code
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                Column::Proxy => r
                    .xks_endpoint
                    .clone()
                    .or_else(|| r.cloud_hsm_cluster_id.clone())
                    .unwrap_or_default(),
                Column::Created => format!("{:020}", r.created),
            }
        };
        let mut keyed: Vec<(Option<String>, String, &StoreRow)> = rows
            .iter()
            .filter(|r| self.matches(r))
            .map(|r| (self.sort.map(|c| key(r, c)), r.name.to_lowercase(), r))
            .collect();
        keyed.sort_by(|(pa, na, a), (pb, nb, b)| {
            let primary = if self.descending {
                pb.cmp(pa)
            } else {
                pa.cmp(pb)
            };
            primary.then_with(|| (&a.account, &a.region, na).cmp(&(&b.account, &b.region, nb)))
        });
        keyed.into_iter().map(|(_, _, r)| r).collect()
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
    use crate::domain::kms::ConnectionErrorCode;

    fn row(account: &str, region: &str, name: &str, kind: &str, state: &str) -> StoreRow {
        StoreRow {
            account: account.into(),
            region: region.into(),
            id: format!("cks-{name}"),
            name: name.into(),
            store_type: CustomKeyStoreType::parse(kind),
            state: ConnectionState::parse(state),
            error_code: (state == "FAILED").then_some(ConnectionErrorCode::XksProxyAccessDenied),
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
            store_type: Some(CustomKeyStoreType::AwsCloudHsm),
            ..View::default()
        };
        assert_eq!(names(&v.apply(&fleet())), ["Zeta", "archive"]);
        let v = View {
            account: Some("111".into()),
            state: Some(ConnectionState::Failed),
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
            store_type: Some(CustomKeyStoreType::ExternalKeyStore),
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

    fn many(n: usize) -> Fleet {
        Fleet {
            stores: (0..n)
                .map(|i| {
                    let state = if i == 7 { "CONNECTING" } else { "CONNECTED" };
                    row(
                        "111122223333",
                        "us-east-1",
                        &format!("s{i:03}"),
                        "EXTERNAL_KEY_STORE",
                        state,
                    )
                })
                .collect(),
            failures: vec![],
            status: vec![],
            targets: vec![
                TargetRef {
                    account: "222233334444".into(),
                    region: "eu-west-1".into(),
                },
                TargetRef {
                    account: "111122223333".into(),
                    region: "us-east-1".into(),
                },
                TargetRef {
                    account: "111122223333".into(),
                    region: "eu-west-1".into(),
                },
            ],
        }
    }

    #[test]
    fn the_table_is_shown_a_page_at_a_time() {
        let fleet = many(2 * PAGE_SIZE + 3);
        let first = fleet.page(&View::default());
        assert_eq!((first.page, first.pages), (1, 3));
        assert_eq!(first.rows.len(), PAGE_SIZE);
        assert_eq!(
            (first.matched, first.total, first.first),
            (2 * PAGE_SIZE + 3, 2 * PAGE_SIZE + 3, 1)
        );
        assert_eq!(first.rows[0].name, "s000");
        assert!(first.transitioning, "a store on page 1 is CONNECTING");
        assert_eq!(first.accounts, ["111122223333", "222233334444"]);
        assert_eq!(first.regions, ["eu-west-1", "us-east-1"]);

        let last = fleet.page(&View::default().at_page(3));
        assert_eq!(names(&last.rows), ["s100", "s101", "s102"]);
        assert_eq!(last.first, 2 * PAGE_SIZE + 1);
        // A page past the end (an old link, fewer stores now) shows the last page.
        assert_eq!(fleet.page(&View::default().at_page(9)).page, 3);

        // Filters count before paging: the count is of every matching store.
        let one = View {
            text: Some("s10".into()),
            ..View::default()
        };
        let found = fleet.page(&one);
        assert_eq!((found.matched, found.pages, found.rows.len()), (3, 1, 3));
        // An empty fleet is one empty page.
        let empty = Fleet::default().page(&View::default());
        assert_eq!((empty.page, empty.pages, empty.rows.len()), (1, 1, 0));
    }

    #[test]
    fn the_page_is_in_the_url_and_a_new_order_starts_again_at_page_one() {
        let v = View {
            state: Some(ConnectionState::Failed),
            ..View::default()
        }
        .at_page(4);
        assert_eq!(v.to_query(), "state=FAILED&page=4");
        assert_eq!(
            View::from_query(|k| (k == "page").then(|| "4".to_string())).page,
            4
        );
        for bad in ["0", "-2", "x", ""] {
            assert_eq!(
                View::from_query(|k| (k == "page").then(|| bad.to_string())).page,
                1,
                "{bad}"
            );
        }
        assert_eq!(
            View::default().at_page(1).to_query(),
            "",
            "page 1 is the plain URL"
        );
        assert_eq!(v.sorted_by(Column::Name).page, 1);
    }
}
