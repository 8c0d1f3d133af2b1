//! KMS's request quotas for the six custom key store operations: each has its own rate per account
//! and Region (5 requests per second by default, AWS KMS Developer Guide, "Request quotas"). A
//! request over it is refused with `ThrottlingException`, as KMS refuses it. A burst of `rate`
//! requests passes at once; after that the quota refills at `rate` requests a second.

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// KMS's default: requests per second for each custom key store operation.
pub const KMS_DEFAULT: u32 = 5;

/// The rates in force: one default, and any set per account and Region at run time.
pub struct RequestQuotas {
    default: u32,
    per_target: Mutex<HashMap<(String, String), Target>>,
}

struct Target {
    rate: u32,
    /// None when the rate is 0 (no quota).
    limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    /// Requests per operation since the start, admitted or throttled (kept across rate changes).
    counts: HashMap<String, Tally>,
}

#[derive(Default)]
struct Tally {
    admitted: u64,
    throttled: u64,
}

impl Target {
    fn new(rate: u32) -> Target {
        Target {
            rate,
            limiter: NonZeroU32::new(rate)
                .map(|r| Arc::new(RateLimiter::keyed(Quota::per_second(r)))),
            counts: HashMap::new(),
        }
    }
}

/// The requests of one custom key store operation in one account and Region since the simulator
/// started: what a benchmark or a test reads to see how hard a client leans on the quota.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub account: String,
    pub region: String,
    pub operation: String,
    pub admitted: u64,
    pub throttled: u64,
}

impl RequestQuotas {
    /// `default` requests per second per account, Region and operation; 0 turns quotas off.
    pub fn new(default: u32) -> RequestQuotas {
        RequestQuotas {
            default,
            per_target: Mutex::default(),
        }
    }

    /// Takes one request of `operation` from the account and Region's quota; false when none is
    /// left (the caller answers ThrottlingException).
    pub fn admit(&self, account: &str, region: &str, operation: &str) -> bool {
        let mut targets = self.per_target.lock().unwrap_or_else(|e| e.into_inner());
        let target = targets
            .entry((account.to_string(), region.to_string()))
            .or_insert_with(|| Target::new(self.default));
        let key = operation.to_string();
        let admitted = match &target.limiter {
            Some(l) => l.check_key(&key).is_ok(),
            None => true,
        };
        let counts = target.counts.entry(key).or_default();
        if admitted {
            counts.admitted += 1;
        } else {
            counts.throttled += 1;
        }
        admitted
    }

    /// Sets the rate for one account and Region (0: no quota there), starting with a full bucket.
    pub fn set(&self, account: &str, region: &str, rate: u32) {
        let mut targets = self.per_target.lock().unwrap_or_else(|e| e.into_inner());
        let target = targets
            .entry((account.to_string(), region.to_string()))
            .or_insert_with(|| Target::new(rate));
        let counts = std::mem::take(&mut target.counts);
        *target = Target {
            counts,
            ..Target::new(rate)
        };
    }

    /// Every account, Region and operation that has had a request, with its counts.
    pub fn counts(&self) -> Vec<Counts> {
        let targets = self.per_target.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<Counts> = targets
            .iter()
            .flat_map(|((account, region), t)| {
                t.counts.iter().map(|(operation, c)| Counts {
                    account: account.clone(),
                    region: region.clone(),
                    operation: operation.clone(),
                    admitted: c.admitted,
                    throttled: c.throttled,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.account, &a.region, &a.operation).cmp(&(&b.account, &b.region, &b.operation))
        });
        out
    }

    /// The rate in force for an account and Region.
    pub fn rate(&self, account: &str, region: &str) -> u32 {
        let targets = self.per_target.lock().unwrap_or_else(|e| e.into_inner());
        targets
            .get(&(account.to_string(), region.to_string()))
            .map_or(self.default, |t| t.rate)
    }
}
