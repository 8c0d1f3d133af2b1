//! A custom key store as the console sees it: where it lives, what Describe says about it (never
//! a secret), and the addresses of its pages.

use super::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStoreType, XksProxyConnectivity};
use serde::{Deserialize, Serialize};

/// Where a store lives: one account in one region, reached with one set of credentials.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetRef {
    pub account: String,
    pub region: String,
}

impl TargetRef {
    /// The target as a form value: `account/region`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.account, self.region)
    }

    /// The target a form value names; None when it is not `account/region`.
    pub fn from_key(key: &str) -> Option<TargetRef> {
        let (account, region) = key.split_once('/')?;
        let part =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        (part(account) && part(region)).then(|| TargetRef {
            account: account.to_string(),
            region: region.to_string(),
        })
    }

    /// The store `id` of this target.
    pub fn store(&self, id: &str) -> StoreRef {
        StoreRef {
            account: self.account.clone(),
            region: self.region.clone(),
            id: id.to_string(),
        }
    }
}

/// One store, as its pages' routes name it: `/stores/{account}/{region}/{id}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoreRef {
    pub account: String,
    pub region: String,
    pub id: String,
}

impl StoreRef {
    pub fn target(&self) -> TargetRef {
        TargetRef {
            account: self.account.clone(),
            region: self.region.clone(),
        }
    }

    /// The store's page; `sub` is a page below it (`edit`, `fix`, `test`), or empty.
    pub fn href(&self, sub: &str) -> String {
        let base = format!("/stores/{}/{}/{}", self.account, self.region, self.id);
        if sub.is_empty() {
            base
        } else {
            format!("{base}/{sub}")
        }
    }
}

/// One row of the fleet: what DescribeCustomKeyStores says about a store (never a secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRow {
    pub account: String,
    pub region: String,
    pub id: String,
    pub name: String,
    pub store_type: CustomKeyStoreType,
    pub state: ConnectionState,
    pub error_code: Option<ConnectionErrorCode>,
    pub cloud_hsm_cluster_id: Option<String>,
    pub xks_endpoint: Option<String>,
    pub xks_path: Option<String>,
    pub xks_connectivity: Option<XksProxyConnectivity>,
    /// Epoch seconds.
    pub created: i64,
}

impl StoreRow {
    pub fn is_transitioning(&self) -> bool {
        self.state.is_transitioning()
    }

    pub fn store_ref(&self) -> StoreRef {
        StoreRef {
            account: self.account.clone(),
            region: self.region.clone(),
            id: self.id.clone(),
        }
    }

    pub fn target(&self) -> TargetRef {
        self.store_ref().target()
    }

    /// The page of this store (`sub` as in [`StoreRef::href`]).
    pub fn href(&self, sub: &str) -> String {
        self.store_ref().href(sub)
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

/// A target that could not be listed, shown beside the others' results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetFailure {
    pub target: TargetRef,
    pub message: String,
}

/// How fresh the console's copy of one target is: the list page shows its age, and why it is old.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub target: TargetRef,
    /// Seconds since the last good read; `None` before the first.
    pub age_secs: Option<u64>,
    /// Why the last read failed (throttling, a timeout, an error); the rows are the last good ones.
    pub stale: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_page_is_addressed_by_account_region_and_id() {
        let s = StoreRef {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
            id: "cks-0123456789abcdef0".into(),
        };
        assert_eq!(
            s.href(""),
            "/stores/111122223333/eu-west-1/cks-0123456789abcdef0"
        );
        assert_eq!(
            s.href("fix"),
            "/stores/111122223333/eu-west-1/cks-0123456789abcdef0/fix"
        );
        assert_eq!(s.target().region, "eu-west-1");
        assert_eq!(TargetRef::from_key(&s.target().key()), Some(s.target()));
        for bad in [
            "",
            "111122223333",
            "/eu-west-1",
            "111122223333/",
            "a/b/c",
            "a b/c",
            "a/\r\n",
        ] {
            assert_eq!(TargetRef::from_key(bad), None, "{bad:?}");
        }
    }
}
