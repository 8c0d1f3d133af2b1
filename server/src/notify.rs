//! Failure notifications. The fleet watcher tells when a store enters or leaves FAILED, or a
//! target becomes unreadable or readable again; each becomes an audit entry and a JSON event
//! POSTed to every `--notify-webhook`. Delivery is retried with backoff on its own task, so a slow
//! or broken receiver never holds up the watcher. Events carry no secret: the store, its account
//! and Region, its state and error code with its one-line meaning, and a link to its Fix page.

use app::domain::change::run::{now_ms, AuditEntry};
use app::domain::connection_errors::summary;
use app::domain::notification::{receiver_of, Delivery, DeliveryStatus};
use app::domain::store::{StoreDetail, StoreRow, TargetRef};
use app::ssr::Workflows;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// What the watcher saw change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FleetEvent {
    StoreFailed(StoreRow),
    StoreRecovered(StoreRow),
    TargetUnreadable { target: TargetRef, reason: String },
    TargetReadable(TargetRef),
}

/// What one read changed, from the rows and the failure before it to those after it. A store seen
/// for the first time (at a start, or a new one) is not news: only a change of state is.
pub fn changes(
    target: &TargetRef,
    before: Option<&[StoreDetail]>,
    after: Option<&[StoreDetail]>,
    was_unreadable: bool,
    unreadable: Option<&str>,
) -> Vec<FleetEvent> {
    let mut events = Vec::new();
    match (was_unreadable, unreadable) {
        (false, Some(reason)) => events.push(FleetEvent::TargetUnreadable {
            target: target.clone(),
            reason: reason.to_string(),
        }),
        (true, None) => events.push(FleetEvent::TargetReadable(target.clone())),
        _ => {}
    }
    if let (Some(before), Some(after)) = (before, after) {
        for StoreDetail { row, .. } in after {
            let Some(StoreDetail { row: old, .. }) = before.iter().find(|o| o.row.id == row.id)
            else {
                continue;
            };
            let failed = |r: &StoreRow| r.state.as_str() == "FAILED";
            if !failed(old) && failed(row) {
                events.push(FleetEvent::StoreFailed(row.clone()));
            } else if failed(old) && !failed(row) {
                events.push(FleetEvent::StoreRecovered(row.clone()));
            }
        }
    }
    events
}

/// The JSON a webhook receives.
#[derive(Clone, Debug, Serialize)]
pub struct Notification {
    /// `store_failed`, `store_recovered`, `target_unreadable` or `target_readable`.
    pub event: &'static str,
    pub account: String,
    pub region: String,
    pub store_id: Option<String>,
    pub store_name: Option<String>,
    pub state: Option<String>,
    pub error_code: Option<String>,
    /// The error code's one-line meaning, or why the target could not be read.
    pub meaning: Option<String>,
    /// The store's Fix page.
    pub fix_url: Option<String>,
    /// Epoch milliseconds.
    pub at_ms: i64,
}

impl Notification {
    fn of(event: &FleetEvent, public_url: &str) -> Notification {
        let at_ms = now_ms();
        match event {
            FleetEvent::StoreFailed(row) | FleetEvent::StoreRecovered(row) => Notification {
                event: match event {
                    FleetEvent::StoreFailed(_) => "store_failed",
                    _ => "store_recovered",
                },
                account: row.account.clone(),
                region: row.region.clone(),
                store_id: Some(row.id.clone()),
                store_name: Some(row.name.clone()),
                state: Some(row.state.to_string()),
                error_code: row.error_code.as_ref().map(|c| c.to_string()),
                meaning: row
                    .error_code
                    .as_ref()
                    .map(|c| summary(c, row.store_type.kind()).to_string()),
                fix_url: Some(format!("{public_url}{}", row.href("fix"))),
                at_ms,
            },
            FleetEvent::TargetUnreadable { target, reason } => Notification {
                event: "target_unreadable",
                meaning: Some(reason.clone()),
                ..Notification::about(target, at_ms)
            },
            FleetEvent::TargetReadable(target) => Notification {
                event: "target_readable",
                ..Notification::about(target, at_ms)
            },
        }
    }

    fn about(target: &TargetRef, at_ms: i64) -> Notification {
        Notification {
            event: "",
            account: target.account.clone(),
            region: target.region.clone(),
            store_id: None,
            store_name: None,
            state: None,
            error_code: None,
            meaning: None,
            fix_url: None,
            at_ms,
        }
    }

    /// A first record of this notification's delivery to `url`: its host only, never its path.
    fn delivery_to(&self, url: &reqwest::Url) -> Delivery {
        Delivery {
            id: 0,
            at_ms: self.at_ms,
            event: self.event.to_string(),
            target: TargetRef {
                account: self.account.clone(),
                region: self.region.clone(),
            },
            store_id: self.store_id.clone(),
            store_name: self.store_name.clone(),
            receiver: receiver_of(url.scheme(), url.host_str().unwrap_or("?"), url.port()),
            status: DeliveryStatus::Retrying,
            attempts: 0,
            last_error: None,
            updated_ms: self.at_ms,
        }
    }

    fn audit(&self) -> AuditEntry {
        let store = app::domain::store::StoreRef {
            account: self.account.clone(),
            region: self.region.clone(),
            id: self.store_id.clone().unwrap_or_default(),
        };
        let detail = match (&self.error_code, &self.meaning) {
            (Some(code), Some(meaning)) => format!("{code}: {meaning}"),
            (_, Some(meaning)) => meaning.clone(),
            _ => self.state.clone().unwrap_or_default(),
        };
        AuditEntry::new(
            "console (watcher)",
            self.event,
            store,
            self.store_name.as_deref().unwrap_or(""),
        )
        .with("seen", detail)
    }
}

/// Attempts per webhook and event; the pauses between them double from the first.
const ATTEMPTS: u32 = 6;
const FIRST_PAUSE: Duration = Duration::from_secs(1);

/// Follows the watcher's events until the console stops.
pub fn spawn(
    mut events: broadcast::Receiver<FleetEvent>,
    workflows: Arc<dyn Workflows>,
    webhooks: Vec<reqwest::Url>,
    public_url: String,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    tokio::spawn(async move {
        loop {
            let event = match events.recv().await {
                Ok(e) => e,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "fleet events missed");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let note = Notification::of(&event, public_url.trim_end_matches('/'));
            tracing::info!(event = note.event, account = %note.account, region = %note.region, store = ?note.store_id, "fleet event");
            if let Err(e) = workflows.record(note.audit()).await {
                tracing::warn!(error = %e, "audit entry for a fleet event not written");
            }
            for url in &webhooks {
                tokio::spawn(deliver(
                    client.clone(),
                    url.clone(),
                    note.clone(),
                    workflows.clone(),
                ));
            }
        }
    });
}

/// Sends one notification to one webhook until it is taken or every attempt has failed. Each
/// attempt is recorded for the Notifications page.
async fn deliver(
    client: reqwest::Client,
    url: reqwest::Url,
    note: Notification,
    workflows: Arc<dyn Workflows>,
) {
    let mut delivery = note.delivery_to(&url);
    let mut pause = FIRST_PAUSE;
    for attempt in 1..=ATTEMPTS {
        let error = match client.post(url.clone()).json(&note).send().await {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the receiver answered {}", r.status())),
            Err(e) => Some(reason(&e)),
        };
        delivery.attempts = attempt;
        delivery.updated_ms = now_ms();
        delivery.status = match &error {
            None => DeliveryStatus::Delivered,
            Some(_) if attempt < ATTEMPTS => DeliveryStatus::Retrying,
            Some(_) => DeliveryStatus::Failed,
        };
        if error.is_some() {
            delivery.last_error = error.clone();
        }
        match workflows.record_delivery(&delivery).await {
            Ok(id) => delivery.id = id,
            Err(e) => tracing::warn!(error = %e, "a notification's delivery not recorded"),
        }
        let Some(error) = error else { return };
        // A webhook's path often holds its token (Slack, Teams): only the host is logged.
        tracing::warn!(receiver = %delivery.receiver, attempt, %error, event = note.event, "notification not delivered");
        if attempt < ATTEMPTS {
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
    }
}

/// Why a request failed, in a few words and without its URL (which may hold a token).
fn reason(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "the receiver did not answer in time"
    } else if e.is_connect() {
        "could not connect to the receiver"
    } else {
        "the request failed"
    };
    // The innermost cause says why (refused, reset, a certificate); it names no URL.
    match std::iter::successors(std::error::Error::source(e), |c| c.source()).last() {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStoreType};

    fn target() -> TargetRef {
        TargetRef {
            account: "111122223333".into(),
            region: "eu-west-1".into(),
        }
    }

    fn row(id: &str, state: &str, code: Option<&str>) -> StoreRow {
        detail(id, state, code).row
    }

    fn detail(id: &str, state: &str, code: Option<&str>) -> StoreDetail {
        StoreDetail {
            trust_anchor_certificate: None,
            xks_access_key_id: None,
            xks_vpc_endpoint_service_name: None,
            xks_vpc_endpoint_service_owner: None,
            row: StoreRow {
                account: "111122223333".into(),
                region: "eu-west-1".into(),
                id: id.into(),
                name: format!("name-{id}"),
                store_type: CustomKeyStoreType::parse("EXTERNAL_KEY_STORE"),
                state: ConnectionState::parse(state),
                error_code: code.map(ConnectionErrorCode::parse),
                cloud_hsm_cluster_id: None,
                xks_endpoint: None,
                xks_path: None,
                xks_connectivity: None,
                created: 0,
            },
        }
    }

    #[test]
    fn only_a_change_into_or_out_of_failed_is_news() {
        let before = [
            detail("a", "CONNECTING", None),
            detail("b", "FAILED", Some("NETWORK_ERRORS")),
        ];
        let after = [
            detail("a", "FAILED", Some("INVALID_CREDENTIALS")),
            detail("b", "DISCONNECTED", None),
            detail("c", "FAILED", Some("NETWORK_ERRORS")),
        ];
        let events = changes(&target(), Some(&before), Some(&after), false, None);
        assert_eq!(
            events,
            vec![
                FleetEvent::StoreFailed(after[0].row.clone()),
                FleetEvent::StoreRecovered(after[1].row.clone()),
            ]
        );
        // The first read of a target (a start) reports nothing, even of FAILED stores.
        assert!(changes(&target(), None, Some(&after), false, None).is_empty());
    }

    #[test]
    fn a_target_turning_unreadable_and_back_is_news_once_each() {
        let t = target();
        let down = changes(&t, None, None, false, Some("KMS failed internally."));
        assert_eq!(down.len(), 1);
        assert!(changes(&t, None, None, true, Some("KMS failed internally.")).is_empty());
        assert_eq!(
            changes(&t, None, None, true, None),
            vec![FleetEvent::TargetReadable(t)]
        );
    }

    #[test]
    fn a_failed_store_links_to_its_fix_page_and_means_its_code() {
        let note = Notification::of(
            &FleetEvent::StoreFailed(row("cks-1", "FAILED", Some("INVALID_CREDENTIALS"))),
            "https://cks.example.com",
        );
        assert_eq!(
            note.fix_url.as_deref(),
            Some("https://cks.example.com/stores/111122223333/eu-west-1/cks-1/fix")
        );
        assert_eq!(note.error_code.as_deref(), Some("INVALID_CREDENTIALS"));
        assert!(note.meaning.is_some());
    }
}
