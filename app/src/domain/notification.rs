//! Deliveries of failure notifications to webhooks, as the Notifications page shows them. A
//! delivery names its receiver by scheme, host and port only: a webhook's path or query often
//! holds its token.

use crate::domain::store::TargetRef;
use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryStatus {
    /// Being sent, or waiting to be sent again after a failed attempt.
    Retrying,
    Delivered,
    /// Every attempt failed, or the console stopped before it was delivered.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Retrying,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
}

/// One notification on its way to one webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// 0 until it is first recorded.
    pub id: i64,
    /// When the watcher saw the event (epoch milliseconds).
    pub at_ms: i64,
    /// `store_failed`, `store_recovered`, `target_unreadable` or `target_readable`.
    pub event: String,
    pub target: TargetRef,
    pub store_id: Option<String>,
    pub store_name: Option<String>,
    /// The webhook's scheme, host and port.
    pub receiver: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// When the last attempt ended (epoch milliseconds).
    pub updated_ms: i64,
}

/// A webhook's scheme, host and port: what a delivery may show of it.
pub fn receiver_of(scheme: &str, host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    }
}
