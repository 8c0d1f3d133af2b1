//! What an operator can do to a store in its state (reference §6), and why not when it cannot.

use super::kms::ConnectionState;
use serde::{Deserialize, Serialize};

/// The actions of the store page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    Connect,
    Disconnect,
    Edit,
    Delete,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Connect,
        Action::Disconnect,
        Action::Edit,
        Action::Delete,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Action::Connect => "Connect",
            Action::Disconnect => "Disconnect",
            Action::Edit => "Edit",
            Action::Delete => "Delete",
        }
    }

    /// The form value and test id (`connect`).
    pub fn key(self) -> &'static str {
        match self {
            Action::Connect => "connect",
            Action::Disconnect => "disconnect",
            Action::Edit => "edit",
            Action::Delete => "delete",
        }
    }

    pub fn parse(key: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.key() == key)
    }

    /// What the confirmation says about the keys.
    pub fn consequence(self) -> &'static str {
        match self {
            Action::Connect => "Once the store is CONNECTED its KMS keys can be used again. Connecting takes a while; the page follows it.",
            Action::Disconnect => "While the store is disconnected, all of its KMS keys are unusable: every cryptographic operation with them fails until it is connected again.",
            Action::Edit => "The edit page shows which settings can change in the store's state.",
            Action::Delete => "Deleting removes the key store from KMS for good. KMS refuses while the store still has KMS keys; schedule their deletion first.",
        }
    }

    /// Whether the action is allowed in `state`, and if not, why (reference §6).
    pub fn allowed_in(self, state: &ConnectionState) -> Result<(), &'static str> {
        use ConnectionState::*;
        match (self, state) {
            (_, Unknown(_)) => {
                Err("The store's state is unknown to this console; reload the page.")
            }
            (Action::Connect, Disconnected) => Ok(()),
            (Action::Connect, Connected) => Err("The store is already connected."),
            (Action::Connect, Connecting) => Err("The store is connecting now."),
            (Action::Connect, Disconnecting) => {
                Err("Wait until the store is DISCONNECTED, then connect it.")
            }
            (Action::Connect, Failed) => {
                Err("A FAILED store must be disconnected before it can connect again.")
            }
            (Action::Disconnect, Connected | Connecting | Failed) => Ok(()),
            (Action::Disconnect, Disconnected) => Err("The store is already disconnected."),
            (Action::Disconnect, Disconnecting) => Err("The store is disconnecting now."),
            (Action::Edit, Connected | Disconnected | Failed) => Ok(()),
            (Action::Edit, Connecting | Disconnecting) => {
                Err("The store is changing state; edit it once it settles.")
            }
            (Action::Delete, Disconnected) => Ok(()),
            (Action::Delete, Connected | Connecting | Disconnecting | Failed) => {
                Err("Only a DISCONNECTED store can be deleted; disconnect it first.")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConnectionState::*;

    fn allowed(action: Action) -> Vec<&'static str> {
        ConnectionState::KNOWN
            .iter()
            .filter(|s| action.allowed_in(s).is_ok())
            .map(|s| match s {
                Connected => "CONNECTED",
                Connecting => "CONNECTING",
                Failed => "FAILED",
                Disconnected => "DISCONNECTED",
                Disconnecting => "DISCONNECTING",
                Unknown(_) => "unknown",
            })
            .collect()
    }

    #[test]
    fn connect_and_disconnect_follow_the_state_rules() {
        // reference §6: ConnectCustomKeyStore from DISCONNECTED only; Disconnect from the others
        // that are not already on their way down.
        assert_eq!(allowed(Action::Connect), ["DISCONNECTED"]);
        assert_eq!(
            allowed(Action::Disconnect),
            ["CONNECTED", "CONNECTING", "FAILED"]
        );
        assert!(Action::Connect
            .allowed_in(&Failed)
            .unwrap_err()
            .contains("disconnected"));
        assert_eq!(
            allowed(Action::Edit),
            ["CONNECTED", "FAILED", "DISCONNECTED"]
        );
        // reference §6: Delete needs DISCONNECTED.
        assert_eq!(allowed(Action::Delete), ["DISCONNECTED"]);
    }

    #[test]
    fn nothing_is_offered_in_a_state_the_console_does_not_know() {
        let state = ConnectionState::parse("HIBERNATING");
        for a in Action::ALL {
            assert!(
                a.allowed_in(&state).unwrap_err().contains("unknown"),
                "{a:?}"
            );
            assert_eq!(Action::parse(a.key()), Some(a));
        }
    }
}
