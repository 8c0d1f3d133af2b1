//! From the edit form to a checked change: only the members that change, each value checked
//! against the model's rules and the store's state (reference §1.4, §6).

use super::fields::{field_status, Field};
use super::form::ChangeForm;
use super::rules;
use super::settings::Settings;
use crate::domain::kms::{StoreKind, XksProxyConnectivity};
use crate::domain::store::StoreDetail;
use crate::domain::user::Secret;
use serde::{Deserialize, Serialize};

/// A checked change: only the members that change. Secrets stay in their hiding type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub name: Option<String>,
    pub password: Option<Secret>,
    pub cluster_id: Option<String>,
    pub connectivity: Option<XksProxyConnectivity>,
    pub endpoint: Option<String>,
    pub path: Option<String>,
    pub vpc_name: Option<String>,
    pub vpc_owner: Option<String>,
    pub credential: Option<(String, Secret)>,
}

impl Change {
    pub fn fields(&self) -> Vec<Field> {
        let present = [
            (Field::Name, self.name.is_some()),
            (Field::KeyStorePassword, self.password.is_some()),
            (Field::CloudHsmClusterId, self.cluster_id.is_some()),
            (Field::Connectivity, self.connectivity.is_some()),
            (Field::UriEndpoint, self.endpoint.is_some()),
            (Field::UriPath, self.path.is_some()),
            (Field::VpcEndpointServiceName, self.vpc_name.is_some()),
            (Field::VpcEndpointServiceOwner, self.vpc_owner.is_some()),
            (Field::Credential, self.credential.is_some()),
        ];
        present
            .into_iter()
            .filter(|(_, p)| *p)
            .map(|(f, _)| f)
            .collect()
    }

    /// Whether KMS will call the proxy with the new values (reference §1.4: for XKS, KMS sends
    /// GetHealthStatus before it applies them), so the console checks them first.
    pub fn touches_proxy(&self) -> bool {
        self.endpoint.is_some()
            || self.path.is_some()
            || self.credential.is_some()
            || self.connectivity.is_some()
    }

    /// The same change with every secret value blanked: what a run stores and the audit sees.
    pub fn without_secrets(&self) -> Change {
        Change {
            password: self.password.as_ref().map(|_| Secret::default()),
            credential: self
                .credential
                .as_ref()
                .map(|(akid, _)| (akid.clone(), Secret::default())),
            ..self.clone()
        }
    }

    /// The secret fields whose values are missing (blanked, or lost with a restart).
    pub fn missing_secrets(&self) -> Vec<Field> {
        let mut out = Vec::new();
        if self.password.as_ref().is_some_and(Secret::is_empty) {
            out.push(Field::KeyStorePassword);
        }
        if self.credential.as_ref().is_some_and(|(_, s)| s.is_empty()) {
            out.push(Field::Credential);
        }
        out
    }

    /// The settings after this change, as Describe should show them.
    pub fn apply(&self, before: &Settings) -> Settings {
        let mut s = before.clone();
        if let Some(v) = &self.name {
            s.name = v.clone();
        }
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone());
            }
        };
        set(&mut s.cluster_id, &self.cluster_id);
        if let Some(c) = &self.connectivity {
            s.connectivity = Some(c.clone());
        }
        set(&mut s.endpoint, &self.endpoint);
        set(&mut s.path, &self.path);
        set(&mut s.vpc_name, &self.vpc_name);
        set(&mut s.vpc_owner, &self.vpc_owner);
        if let Some((akid, _)) = &self.credential {
            s.access_key_id = Some(akid.clone());
        }
        if self.connectivity == Some(XksProxyConnectivity::PublicEndpoint) {
            s.vpc_name = None;
            s.vpc_owner = None;
        }
        s
    }

    /// The change that puts the non-secret settings of `after` back to `before`.
    pub fn rollback(&self, before: &Settings) -> Change {
        Change {
            name: self.name.as_ref().map(|_| before.name.clone()),
            cluster_id: self.cluster_id.as_ref().and(before.cluster_id.clone()),
            connectivity: self.connectivity.as_ref().and(before.connectivity.clone()),
            endpoint: self.endpoint.as_ref().and(before.endpoint.clone()),
            path: self.path.as_ref().and(before.path.clone()),
            vpc_name: self.vpc_name.as_ref().and(before.vpc_name.clone()),
            vpc_owner: self.vpc_owner.as_ref().and(before.vpc_owner.clone()),
            password: None,
            credential: None,
        }
    }

    /// The rollback of this change from `before`, keeping only what the store, as it is `now`,
    /// still shows changed: what a roll-back run sends.
    pub fn undo(&self, before: &Settings, now: &Settings) -> Change {
        let back = self.rollback(before);
        let differs = |field: Field, v: &str| now.value(field) != Some(v);
        Change {
            name: back.name.filter(|v| differs(Field::Name, v)),
            cluster_id: back
                .cluster_id
                .filter(|v| differs(Field::CloudHsmClusterId, v)),
            connectivity: back
                .connectivity
                .filter(|v| differs(Field::Connectivity, v.as_str())),
            endpoint: back.endpoint.filter(|v| differs(Field::UriEndpoint, v)),
            path: back.path.filter(|v| differs(Field::UriPath, v)),
            vpc_name: back
                .vpc_name
                .filter(|v| differs(Field::VpcEndpointServiceName, v)),
            vpc_owner: back
                .vpc_owner
                .filter(|v| differs(Field::VpcEndpointServiceOwner, v)),
            password: None,
            credential: None,
        }
    }
}

/// A message for one input of the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form input's name (`Field::key`, or `access_key_id` / `secret` for the credential).
    pub input: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The messages a form collects, each for the input it names.
#[derive(Debug, Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    /// Keeps the rule's message, if it refused the value, for `input`.
    pub fn check(&mut self, input: &str, result: Result<(), String>) {
        if let Err(message) = result {
            self.refuse(input, message);
        }
    }

    pub fn refuse(&mut self, input: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            input: input.to_string(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` when nothing was refused, else every message.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

fn changed(new: &str, old: Option<&str>) -> Option<String> {
    let new = new.trim();
    (!new.is_empty() && Some(new) != old).then(|| new.to_string())
}

/// Checks the form against the store as it is now, and keeps only what changes.
pub fn build_change(detail: &StoreDetail, form: &ChangeForm) -> Result<Change, Vec<FieldError>> {
    let mut errors = FormErrors::default();
    let Some(kind) = detail.row.store_type.kind() else {
        return Err(vec![FieldError {
            input: "name".into(),
            message: "This store's type is unknown; the console cannot edit it.".into(),
        }]);
    };
    let now = Settings::of(detail);
    let state = &detail.row.state;
    let mut change = Change::default();
    if form.name.trim().is_empty() {
        errors.check(
            "name",
            Err("CustomKeyStoreName is required: a store must keep a name.".into()),
        );
    }
    change.name = changed(&form.name, Some(&now.name));
    if let Some(v) = &change.name {
        errors.check("name", rules::name(v));
    }
    match kind {
        StoreKind::CloudHsm => {
            if !form.password.is_empty() {
                errors.check(
                    "password",
                    rules::key_store_password(form.password.expose()),
                );
                change.password = Some(form.password.clone());
            }
            change.cluster_id = changed(&form.cluster_id, now.value(Field::CloudHsmClusterId));
            if let Some(v) = &change.cluster_id {
                errors.check("cluster_id", rules::cluster_id(v));
            }
        }
        StoreKind::External => {
            let connectivity = form.connectivity.trim();
            let connectivity = if connectivity.is_empty() {
                now.value(Field::Connectivity).unwrap_or_default()
            } else {
                connectivity
            };
            errors.check("connectivity", rules::connectivity(connectivity));
            change.connectivity = changed(connectivity, now.value(Field::Connectivity))
                .map(|c| XksProxyConnectivity::parse(&c));
            let vpc = XksProxyConnectivity::parse(connectivity)
                == XksProxyConnectivity::VpcEndpointService;
            change.endpoint = changed(&form.endpoint, now.value(Field::UriEndpoint));
            if let Some(v) = &change.endpoint {
                errors.check("endpoint", rules::uri_endpoint(v));
            }
            change.path = changed(&form.path, now.value(Field::UriPath));
            if let Some(v) = &change.path {
                errors.check("path", rules::uri_path(v));
            }
            if vpc {
                change.vpc_name = changed(&form.vpc_name, now.value(Field::VpcEndpointServiceName));
                change.vpc_owner =
                    changed(&form.vpc_owner, now.value(Field::VpcEndpointServiceOwner));
                if let Some(v) = &change.vpc_name {
                    errors.check("vpc_name", rules::vpc_endpoint_service_name(v));
                }
                if let Some(v) = &change.vpc_owner {
                    errors.check("vpc_owner", rules::account_id(v));
                }
            }
            // reference §1.4: a connectivity change needs a new endpoint, and VPC a service name.
            if change.connectivity.is_some() {
                if change.endpoint.is_none() {
                    errors.check("endpoint", Err("XksProxyUriEndpoint: a connectivity change needs a new proxy URI endpoint.".into()));
                }
                if vpc && form.vpc_name.trim().is_empty() {
                    errors.check("vpc_name", Err("XksProxyVpcEndpointServiceName is required to switch to VPC_ENDPOINT_SERVICE connectivity.".into()));
                } else if vpc && change.vpc_name.is_none() {
                    change.vpc_name = Some(form.vpc_name.trim().to_string());
                }
            }
            let akid = form.access_key_id.trim();
            let akid_changed = changed(akid, now.value(Field::Credential)).is_some();
            if !form.secret.is_empty() {
                errors.check("access_key_id", rules::access_key_id(akid));
                errors.check("secret", rules::raw_secret_access_key(form.secret.expose()));
                change.credential = Some((akid.to_string(), form.secret.clone()));
            } else if akid_changed {
                errors.check("secret", Err("RawSecretAccessKey: KMS replaces the credential whole; give the secret access key with the new access key ID.".into()));
            }
        }
    }
    let connectivity_after = change.connectivity.clone().or(now.connectivity.clone());
    for field in change.fields() {
        let status = field_status(field, kind, state, connectivity_after.as_ref());
        if !status.editability.accepts_input() {
            errors.check(
                field.key(),
                Err(format!("{}: {}", field.label(), status.reason)),
            );
        }
    }
    if errors.is_empty() && change.fields().is_empty() {
        errors.refuse(
            "form",
            "Nothing to change: every value is the same as the store's.",
        );
    }
    errors.finish(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::change::fixtures::*;
    use crate::domain::kms::XksProxyConnectivity;

    #[test]
    fn an_unchanged_form_is_nothing_to_do() {
        let d = xks("CONNECTED");
        let errors = build_change(&d, &form_of(&d)).unwrap_err();
        assert!(errors[0].message.starts_with("Nothing to change"));
    }

    #[test]
    fn the_credential_is_given_whole_or_not_at_all() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            access_key_id: "PAYMENTSXKSROTATEDKY".into(),
            ..form_of(&d)
        };
        let errors = build_change(&d, &form).unwrap_err();
        assert_eq!(inputs(&errors), ["secret"]);
        assert!(errors[0].message.contains("whole"));
        let form = ChangeForm {
            access_key_id: "bad".into(),
            secret: Secret::new("short"),
            ..form_of(&d)
        };
        let errors = build_change(&d, &form).unwrap_err();
        assert_eq!(inputs(&errors), ["access_key_id", "secret"]);
    }

    #[test]
    fn connectivity_changes_need_a_new_endpoint_and_a_service_name_for_vpc() {
        let d = xks("DISCONNECTED");
        let form = ChangeForm {
            connectivity: "VPC_ENDPOINT_SERVICE".into(),
            ..form_of(&d)
        };
        let errors = build_change(&d, &form).unwrap_err();
        assert_eq!(inputs(&errors), ["endpoint", "vpc_name"]);
        let form = ChangeForm {
            connectivity: "VPC_ENDPOINT_SERVICE".into(),
            endpoint: "https://vpce-proxy.xks.sim.internal".into(),
            vpc_name: "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f67890".into(),
            ..form_of(&d)
        };
        let change = build_change(&d, &form).unwrap();
        assert_eq!(
            change.vpc_name.as_deref(),
            Some("com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f67890")
        );
        // Back to public: the service name is dropped, not sent empty.
        let mut vpc = d.clone();
        vpc.row.xks_connectivity = Some(XksProxyConnectivity::VpcEndpointService);
        vpc.xks_vpc_endpoint_service_name = change.vpc_name.clone();
        let form = ChangeForm {
            connectivity: "PUBLIC_ENDPOINT".into(),
            endpoint: "https://proxy-a.xks.example.com".into(),
            vpc_name: "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f67890".into(),
            ..form_of(&vpc)
        };
        let back = build_change(&vpc, &form).unwrap();
        assert_eq!(back.vpc_name, None);
        let after = back.apply(&Settings::of(&vpc));
        assert_eq!(after.vpc_name, None);
    }

    #[test]
    fn bad_values_are_named_and_a_changing_store_cannot_be_edited() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            name: " ".into(),
            endpoint: "https://proxy:443".into(),
            path: "/nope".into(),
            ..form_of(&d)
        };
        let errors = build_change(&d, &form).unwrap_err();
        assert_eq!(inputs(&errors), ["name", "endpoint", "path"]);
        assert!(errors[1].message.starts_with("XksProxyUriEndpoint"));
        let busy = xks("CONNECTING");
        let errors = build_change(
            &busy,
            &ChangeForm {
                name: "x".into(),
                ..form_of(&busy)
            },
        )
        .unwrap_err();
        assert!(
            errors[0].message.contains("wait until it settles"),
            "{errors:?}"
        );
    }

    #[test]
    fn rollback_restores_only_the_non_secret_fields_that_changed() {
        let d = xks("CONNECTED");
        let before = Settings::of(&d);
        let change = Change {
            path: Some("/v2/kms/xks/v1".into()),
            credential: Some(("PAYMENTSXKSROTATEDKY".into(), Secret::new(SECRET))),
            ..Change::default()
        };
        let back = change.rollback(&before);
        assert_eq!(back.fields(), [Field::UriPath]);
        assert_eq!(back.path, before.path);
        assert_eq!(
            change.apply(&before).first_difference(&before).map(|d| d.0),
            Some(Field::UriPath)
        );
        assert_ne!(before.fingerprint(), change.apply(&before).fingerprint());
    }

    #[test]
    fn an_undo_skips_what_the_store_already_shows_back() {
        let before = Settings::of(&xks("CONNECTED"));
        let change = Change {
            name: Some("renamed".into()),
            path: Some("/v2/kms/xks/v1".into()),
            ..Change::default()
        };
        // Someone already put the path back; only the name is still changed.
        let now = Settings {
            name: "renamed".into(),
            ..before.clone()
        };
        let undo = change.undo(&before, &now);
        assert_eq!(undo.fields(), [Field::Name]);
        assert_eq!(undo.name.as_deref(), Some("payments-xks"));
    }
}
