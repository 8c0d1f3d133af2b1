//! The steps a change needs (design: plan → preflight → [disconnect → wait] → update →
//! [connect → wait] → verify), and what the operator must know before confirming them.

use super::checked::Change;
use super::fields::Needs;
use crate::domain::kms::ConnectionState;
use serde::{Deserialize, Serialize};

/// One step of a run (design: plan → preflight → [disconnect → wait] → update → [connect → wait] → verify).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    Disconnect,
    WaitDisconnected,
    Update,
    Connect,
    WaitConnected,
    Verify,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Disconnect => "disconnect",
            StepKind::WaitDisconnected => "wait_disconnected",
            StepKind::Update => "update",
            StepKind::Connect => "connect",
            StepKind::WaitConnected => "wait_connected",
            StepKind::Verify => "verify",
        }
    }

    pub fn parse(s: &str) -> Option<StepKind> {
        [
            StepKind::Disconnect,
            StepKind::WaitDisconnected,
            StepKind::Update,
            StepKind::Connect,
            StepKind::WaitConnected,
            StepKind::Verify,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::Disconnect => "Disconnect the store",
            StepKind::WaitDisconnected => "Wait for DISCONNECTED",
            StepKind::Update => "Update the store (UpdateCustomKeyStore)",
            StepKind::Connect => "Connect the store",
            StepKind::WaitConnected => "Wait for CONNECTED",
            StepKind::Verify => "Verify the new settings",
        }
    }

    /// Steps that change the store; the run re-reads it before each.
    pub fn mutates(self) -> bool {
        matches!(
            self,
            StepKind::Disconnect | StepKind::Update | StepKind::Connect
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<StepKind>,
}

impl Plan {
    /// Only the steps the change needs: a disconnect when a member needs DISCONNECTED (or the
    /// store is FAILED), a reconnect when the store was connected before or the operator asks.
    pub fn new(state: &ConnectionState, change: &Change, reconnect: bool) -> Plan {
        use ConnectionState::*;
        let needs_disconnect = *state == Failed
            || (*state == Connected
                && change
                    .fields()
                    .into_iter()
                    .any(|f| f.rule().needs == Needs::Disconnected));
        let mut steps = Vec::new();
        if needs_disconnect {
            steps.extend([StepKind::Disconnect, StepKind::WaitDisconnected]);
        }
        steps.push(StepKind::Update);
        let ends_disconnected = needs_disconnect || *state == Disconnected;
        if ends_disconnected && (*state == Connected || reconnect) {
            steps.extend([StepKind::Connect, StepKind::WaitConnected]);
        }
        steps.push(StepKind::Verify);
        Plan { steps }
    }

    /// A run with no change that disconnects the store (unless it is DISCONNECTED), connects it
    /// and checks that it is CONNECTED: for causes fixed outside KMS. Refused while it moves.
    pub fn reconnect(state: &ConnectionState) -> Result<Plan, String> {
        use ConnectionState::*;
        let mut steps = match state {
            Connected | Failed => vec![StepKind::Disconnect, StepKind::WaitDisconnected],
            Disconnected => Vec::new(),
            Connecting | Disconnecting | Unknown(_) => {
                return Err(format!(
                    "The store is {state}; wait until it settles, then reconnect it."
                ))
            }
        };
        steps.extend([StepKind::Connect, StepKind::WaitConnected, StepKind::Verify]);
        Ok(Plan { steps })
    }

    /// Putting a stopped run's change back (`undo`, from [`Change::undo`]) and, when asked,
    /// connecting the store again. None when there is nothing to do.
    pub fn undo(state: &ConnectionState, undo: &Change, reconnect: bool) -> Option<Plan> {
        if !undo.fields().is_empty() {
            return Some(Plan::new(state, undo, reconnect));
        }
        if !reconnect {
            return None;
        }
        let mut steps = Vec::new();
        if *state == ConnectionState::Failed {
            steps.extend([StepKind::Disconnect, StepKind::WaitDisconnected]);
        }
        if *state != ConnectionState::Connected {
            steps.extend([StepKind::Connect, StepKind::WaitConnected]);
        }
        steps.push(StepKind::Verify);
        Some(Plan { steps })
    }

    pub fn disconnects(&self) -> bool {
        self.steps.contains(&StepKind::Disconnect)
    }

    pub fn connects(&self) -> bool {
        self.steps.contains(&StepKind::Connect)
    }

    /// "disconnect (keys unusable for about N seconds), update, reconnect"
    pub fn summary(&self, outage_secs: u64) -> String {
        let mut parts = Vec::new();
        if self.disconnects() {
            parts.push(format!(
                "disconnect (keys unusable for about {})",
                seconds(outage_secs)
            ));
        }
        parts.push("update".to_string());
        if self.connects() {
            parts.push(
                if self.disconnects() {
                    "reconnect"
                } else {
                    "connect"
                }
                .to_string(),
            );
        }
        parts.push("verify".to_string());
        parts.join(", ")
    }

    /// What the operator must know before confirming.
    pub fn impact(&self, state: &ConnectionState) -> String {
        if self.disconnects() {
            "The store will be DISCONNECTED during the change: every KMS key in it is unusable, and every request that uses one fails, until it is CONNECTED again.".to_string()
        } else if *state == ConnectionState::Connected {
            "The store stays CONNECTED. KMS sends the new settings to the proxy with its next request; a wrong credential or path makes the keys unusable, which is why the console checks them first.".to_string()
        } else if self.connects() {
            "The store is not connected now; its keys become usable once it connects at the end."
                .to_string()
        } else {
            "The store stays disconnected: its keys remain unusable.".to_string()
        }
    }
}

/// `1 second`, `4 seconds`.
pub fn seconds(n: u64) -> String {
    match n {
        1 => "1 second".to_string(),
        n => format!("{n} seconds"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::fixtures::*;
    use crate::domain::change::{build_change, ChangeForm, Field};
    use crate::domain::user::Secret;

    fn st(s: &str) -> ConnectionState {
        ConnectionState::parse(s)
    }

    #[test]
    fn a_path_and_credential_change_keeps_a_connected_xks_store_connected() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            path: "/payments-v2/kms/xks/v1".into(),
            access_key_id: "PAYMENTSXKSROTATEDKY".into(),
            secret: Secret::new(SECRET),
            ..form_of(&d)
        };
        let change = build_change(&d, &form).unwrap();
        assert_eq!(change.fields(), [Field::UriPath, Field::Credential]);
        assert!(change.touches_proxy());
        let plan = Plan::new(&st("CONNECTED"), &change, false);
        assert_eq!(plan.steps, [StepKind::Update, StepKind::Verify]);
        assert_eq!(plan.summary(2), "update, verify");
        assert!(plan.impact(&st("CONNECTED")).contains("stays CONNECTED"));
    }

    #[test]
    fn an_endpoint_change_of_a_connected_store_disconnects_updates_and_reconnects() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            endpoint: "https://proxy-a2.xks.sim.internal".into(),
            ..form_of(&d)
        };
        let change = build_change(&d, &form).unwrap();
        let plan = Plan::new(&st("CONNECTED"), &change, false);
        use StepKind::*;
        assert_eq!(
            plan.steps,
            [
                Disconnect,
                WaitDisconnected,
                Update,
                Connect,
                WaitConnected,
                Verify
            ]
        );
        assert_eq!(
            plan.summary(4),
            "disconnect (keys unusable for about 4 seconds), update, reconnect, verify"
        );
        assert!(plan.impact(&st("CONNECTED")).contains("unusable"));
    }

    #[test]
    fn a_disconnected_store_is_connected_at_the_end_only_when_asked() {
        let d = hsm("DISCONNECTED");
        let form = ChangeForm {
            password: Secret::new("new-kmsuser-pw"),
            ..form_of(&d)
        };
        let change = build_change(&d, &form).unwrap();
        assert_eq!(change.fields(), [Field::KeyStorePassword]);
        assert!(!change.touches_proxy());
        use StepKind::*;
        assert_eq!(
            Plan::new(&st("DISCONNECTED"), &change, false).steps,
            [Update, Verify]
        );
        assert_eq!(
            Plan::new(&st("DISCONNECTED"), &change, true).steps,
            [Update, Connect, WaitConnected, Verify]
        );
        // A FAILED store is disconnected first, and connected again only when asked.
        assert_eq!(
            Plan::new(&st("FAILED"), &change, false).steps,
            [Disconnect, WaitDisconnected, Update, Verify]
        );
        // A name change of a connected CloudHSM store needs no disconnect.
        let rename = build_change(
            &hsm("CONNECTED"),
            &ChangeForm {
                name: "vault".into(),
                ..form_of(&d)
            },
        )
        .unwrap();
        assert_eq!(
            Plan::new(&st("CONNECTED"), &rename, false).steps,
            [Update, Verify]
        );
    }

    #[test]
    fn durations_read_as_english() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            endpoint: "https://proxy-a2.xks.sim.internal".into(),
            ..form_of(&d)
        };
        let plan = Plan::new(&st("CONNECTED"), &build_change(&d, &form).unwrap(), false);
        assert!(
            plan.summary(1).contains("about 1 second)"),
            "{}",
            plan.summary(1)
        );
        assert!(plan.summary(0).contains("about 0 seconds)"));
        assert!(plan.summary(2).contains("about 2 seconds)"));
    }

    #[test]
    fn a_reconnect_disconnects_first_unless_the_store_is_disconnected() {
        use StepKind::*;
        assert_eq!(
            Plan::reconnect(&st("FAILED")).unwrap().steps,
            [Disconnect, WaitDisconnected, Connect, WaitConnected, Verify]
        );
        assert_eq!(
            Plan::reconnect(&st("DISCONNECTED")).unwrap().steps,
            [Connect, WaitConnected, Verify]
        );
        for busy in ["CONNECTING", "DISCONNECTING", "HIBERNATING"] {
            assert!(Plan::reconnect(&st(busy)).unwrap_err().contains(busy));
        }
    }

    #[test]
    fn an_undo_puts_fields_back_or_only_reconnects_or_does_nothing() {
        use StepKind::*;
        let path = Change {
            path: Some("/payments/kms/xks/v1".into()),
            ..Change::default()
        };
        assert_eq!(
            Plan::undo(&st("CONNECTED"), &path, false).unwrap().steps,
            [Update, Verify]
        );
        let nothing = Change::default();
        assert_eq!(Plan::undo(&st("FAILED"), &nothing, false), None);
        assert_eq!(
            Plan::undo(&st("FAILED"), &nothing, true).unwrap().steps,
            [Disconnect, WaitDisconnected, Connect, WaitConnected, Verify]
        );
        assert_eq!(
            Plan::undo(&st("CONNECTED"), &nothing, true).unwrap().steps,
            [Verify]
        );
    }
}
