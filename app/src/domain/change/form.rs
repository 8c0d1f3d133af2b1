//! The edit form as the operator fills it in: every input as text.

use super::settings::Settings;
use crate::domain::user::Secret;
use serde::{Deserialize, Serialize};

/// The edit form as submitted: every input as text. Empty secret inputs mean "unchanged".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeForm {
    pub name: String,
    #[serde(default)]
    pub password: Secret,
    #[serde(default)]
    pub cluster_id: String,
    #[serde(default)]
    pub connectivity: String,
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub vpc_name: String,
    #[serde(default)]
    pub vpc_owner: String,
    #[serde(default)]
    pub access_key_id: String,
    #[serde(default)]
    pub secret: Secret,
    /// Connect the store at the end even if it was not connected before.
    #[serde(default)]
    pub reconnect: bool,
}

impl ChangeForm {
    /// The form as the edit page first shows it: the store's settings, secrets empty.
    pub fn of(s: &Settings) -> ChangeForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        ChangeForm {
            name: s.name.clone(),
            cluster_id: text(&s.cluster_id),
            connectivity: s
                .connectivity
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            endpoint: text(&s.endpoint),
            path: text(&s.path),
            vpc_name: text(&s.vpc_name),
            vpc_owner: text(&s.vpc_owner),
            access_key_id: text(&s.access_key_id),
            ..ChangeForm::default()
        }
    }
}
