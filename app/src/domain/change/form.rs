//! The edit form as the operator fills it in: every input as text.

use super::fields::{Field, CREDENTIAL_ACCESS_KEY_ID, CREDENTIAL_SECRET};
use super::settings::Settings;
use crate::domain::user::Secret;
use serde::{Deserialize, Deserializer, Serialize};

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
    #[serde(default, deserialize_with = "checkbox")]
    pub reconnect: bool,
}

/// A checkbox as a form sends it: present with its value (`yes`, `on`, `true`) when ticked.
pub fn checkbox<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Sent {
        Bool(bool),
        Text(String),
    }
    Ok(match Sent::deserialize(d)? {
        Sent::Bool(b) => b,
        Sent::Text(t) => matches!(t.trim(), "yes" | "on" | "true" | "1"),
    })
}

impl ChangeForm {
    /// The text of one form input (`Field::inputs`); secrets as typed.
    pub fn input(&self, input: &str) -> String {
        match input {
            "name" => self.name.clone(),
            "password" => self.password.expose().to_string(),
            "cluster_id" => self.cluster_id.clone(),
            "connectivity" => self.connectivity.clone(),
            "endpoint" => self.endpoint.clone(),
            "path" => self.path.clone(),
            "vpc_name" => self.vpc_name.clone(),
            "vpc_owner" => self.vpc_owner.clone(),
            CREDENTIAL_ACCESS_KEY_ID => self.access_key_id.clone(),
            CREDENTIAL_SECRET => self.secret.expose().to_string(),
            _ => String::new(),
        }
    }

    /// The form with each input's text read from `value` (by `Field::inputs` name).
    pub fn from_inputs(value: impl Fn(&str) -> String, reconnect: bool) -> ChangeForm {
        let text = |f: Field| value(f.key());
        ChangeForm {
            name: text(Field::Name),
            password: Secret::new(text(Field::KeyStorePassword)),
            cluster_id: text(Field::CloudHsmClusterId),
            connectivity: text(Field::Connectivity),
            endpoint: text(Field::UriEndpoint),
            path: text(Field::UriPath),
            vpc_name: text(Field::VpcEndpointServiceName),
            vpc_owner: text(Field::VpcEndpointServiceOwner),
            access_key_id: value(CREDENTIAL_ACCESS_KEY_ID),
            secret: Secret::new(value(CREDENTIAL_SECRET)),
            reconnect,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_of_the_table_reads_back_what_it_was_given() {
        let inputs: Vec<&str> = Field::ALL
            .iter()
            .flat_map(|f| f.inputs())
            .copied()
            .collect();
        let form = ChangeForm::from_inputs(|i| format!("value of {i}"), true);
        for i in &inputs {
            assert_eq!(form.input(i), format!("value of {i}"), "{i}");
        }
        assert!(form.reconnect);
    }

    #[test]
    fn a_ticked_checkbox_arrives_as_its_value() {
        let form: ChangeForm = serde_json::from_str(r#"{"name":"a","reconnect":"yes"}"#).unwrap();
        assert!(form.reconnect);
        let form: ChangeForm = serde_json::from_str(r#"{"name":"a"}"#).unwrap();
        assert!(!form.reconnect);
        let form: ChangeForm = serde_json::from_str(r#"{"name":"a","reconnect":true}"#).unwrap();
        assert!(form.reconnect);
    }
}
