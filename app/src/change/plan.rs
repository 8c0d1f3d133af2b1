//! From the edit form to a checked change and the steps that carry it out (reference §1.4, §6).

use super::fields::{field_status, Field, Needs, StoreKind};
use super::rules;
use crate::model::Secret;
use crate::stores::StoreDetail;
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
            connectivity: text(&s.connectivity),
            endpoint: text(&s.endpoint),
            path: text(&s.path),
            vpc_name: text(&s.vpc_name),
            vpc_owner: text(&s.vpc_owner),
            access_key_id: text(&s.access_key_id),
            ..ChangeForm::default()
        }
    }
}

/// The non-secret settings of a store, as Describe shows them: what a run compares before each
/// change it makes, to notice someone else's change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub name: String,
    pub cluster_id: Option<String>,
    pub connectivity: Option<String>,
    pub endpoint: Option<String>,
    pub path: Option<String>,
    pub vpc_name: Option<String>,
    pub vpc_owner: Option<String>,
    pub access_key_id: Option<String>,
}

impl Settings {
    pub fn of(d: &StoreDetail) -> Settings {
        Settings {
            name: d.row.name.clone(),
            cluster_id: d.row.cloud_hsm_cluster_id.clone(),
            connectivity: d.row.xks_connectivity.clone(),
            endpoint: d.row.xks_endpoint.clone(),
            path: d.row.xks_path.clone(),
            vpc_name: d.xks_vpc_endpoint_service_name.clone(),
            vpc_owner: d.xks_vpc_endpoint_service_owner.clone(),
            access_key_id: d.xks_access_key_id.clone(),
        }
    }

    /// A short fingerprint the form carries, so the server sees whether the store changed since.
    pub fn fingerprint(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        // FNV-1a: stable across builds and platforms, and enough to tell versions apart.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        format!("{h:016x}")
    }

    /// What Describe shows for `field` (the access key ID for the credential); None for the
    /// kmsuser password, which KMS never returns.
    pub fn value(&self, field: Field) -> Option<&String> {
        match field {
            Field::Name => Some(&self.name),
            Field::KeyStorePassword => None,
            Field::CloudHsmClusterId => self.cluster_id.as_ref(),
            Field::Connectivity => self.connectivity.as_ref(),
            Field::UriEndpoint => self.endpoint.as_ref(),
            Field::UriPath => self.path.as_ref(),
            Field::VpcEndpointServiceName => self.vpc_name.as_ref(),
            Field::VpcEndpointServiceOwner => self.vpc_owner.as_ref(),
            Field::Credential => self.access_key_id.as_ref(),
        }
    }

    /// The first setting that differs from `other`, for "someone else changed …" messages.
    pub fn first_difference(&self, other: &Settings) -> Option<(Field, Option<String>)> {
        Field::ALL
            .into_iter()
            .find(|f| self.value(*f) != other.value(*f))
            .map(|f| (f, other.value(f).cloned()))
    }
}

/// A checked change: only the members that change. Secrets stay in their hiding type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub name: Option<String>,
    pub password: Option<Secret>,
    pub cluster_id: Option<String>,
    pub connectivity: Option<String>,
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
        set(&mut s.connectivity, &self.connectivity);
        set(&mut s.endpoint, &self.endpoint);
        set(&mut s.path, &self.path);
        set(&mut s.vpc_name, &self.vpc_name);
        set(&mut s.vpc_owner, &self.vpc_owner);
        if let Some((akid, _)) = &self.credential {
            s.access_key_id = Some(akid.clone());
        }
        if self.connectivity.as_deref() == Some("PUBLIC_ENDPOINT") {
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

fn changed(new: &str, old: Option<&String>) -> Option<String> {
    let new = new.trim();
    (!new.is_empty() && Some(new) != old.map(String::as_str)).then(|| new.to_string())
}

/// Checks the form against the store as it is now, and keeps only what changes.
pub fn build_change(detail: &StoreDetail, form: &ChangeForm) -> Result<Change, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(kind) = StoreKind::parse(&detail.row.store_type) else {
        return Err(vec![FieldError {
            input: "name".into(),
            message: "This store's type is unknown; the console cannot edit it.".into(),
        }]);
    };
    let now = Settings::of(detail);
    let state = detail.row.state.as_str();
    let mut check = |input: &str, result: Result<(), String>| {
        if let Err(message) = result {
            errors.push(FieldError {
                input: input.to_string(),
                message,
            });
        }
    };
    let mut change = Change::default();
    if form.name.trim().is_empty() {
        check(
            "name",
            Err("CustomKeyStoreName is required: a store must keep a name.".into()),
        );
    }
    change.name = changed(&form.name, Some(&now.name));
    if let Some(v) = &change.name {
        check("name", rules::name(v));
    }
    match kind {
        StoreKind::CloudHsm => {
            if !form.password.is_empty() {
                check(
                    "password",
                    rules::key_store_password(form.password.expose()),
                );
                change.password = Some(form.password.clone());
            }
            change.cluster_id = changed(&form.cluster_id, now.cluster_id.as_ref());
            if let Some(v) = &change.cluster_id {
                check("cluster_id", rules::cluster_id(v));
            }
        }
        StoreKind::External => {
            let connectivity = form.connectivity.trim();
            let connectivity = if connectivity.is_empty() {
                now.connectivity.clone().unwrap_or_default()
            } else {
                connectivity.to_string()
            };
            check("connectivity", rules::connectivity(&connectivity));
            change.connectivity = changed(&connectivity, now.connectivity.as_ref());
            change.endpoint = changed(&form.endpoint, now.endpoint.as_ref());
            if let Some(v) = &change.endpoint {
                check("endpoint", rules::uri_endpoint(v));
            }
            change.path = changed(&form.path, now.path.as_ref());
            if let Some(v) = &change.path {
                check("path", rules::uri_path(v));
            }
            if connectivity == "VPC_ENDPOINT_SERVICE" {
                change.vpc_name = changed(&form.vpc_name, now.vpc_name.as_ref());
                change.vpc_owner = changed(&form.vpc_owner, now.vpc_owner.as_ref());
                if let Some(v) = &change.vpc_name {
                    check("vpc_name", rules::vpc_endpoint_service_name(v));
                }
                if let Some(v) = &change.vpc_owner {
                    check("vpc_owner", rules::account_id(v));
                }
            }
            // reference §1.4: a connectivity change needs a new endpoint, and VPC a service name.
            if change.connectivity.is_some() {
                if change.endpoint.is_none() {
                    check("endpoint", Err("XksProxyUriEndpoint: a connectivity change needs a new proxy URI endpoint.".into()));
                }
                if connectivity == "VPC_ENDPOINT_SERVICE" && form.vpc_name.trim().is_empty() {
                    check("vpc_name", Err("XksProxyVpcEndpointServiceName is required to switch to VPC_ENDPOINT_SERVICE connectivity.".into()));
                } else if connectivity == "VPC_ENDPOINT_SERVICE" && change.vpc_name.is_none() {
                    change.vpc_name = Some(form.vpc_name.trim().to_string());
                }
            }
            let akid = form.access_key_id.trim();
            let akid_changed = changed(akid, now.access_key_id.as_ref()).is_some();
            if !form.secret.is_empty() {
                check("access_key_id", rules::access_key_id(akid));
                check("secret", rules::raw_secret_access_key(form.secret.expose()));
                change.credential = Some((akid.to_string(), form.secret.clone()));
            } else if akid_changed {
                check("secret", Err("RawSecretAccessKey: KMS replaces the credential whole; give the secret access key with the new access key ID.".into()));
            }
        }
    }
    let connectivity_after = change.connectivity.clone().or(now.connectivity.clone());
    for field in change.fields() {
        let status = field_status(field, kind, state, connectivity_after.as_deref());
        if !status.editability.accepts_input() {
            check(
                field.key(),
                Err(format!("{}: {}", field.label(), status.reason)),
            );
        }
    }
    if errors.is_empty() && change.fields().is_empty() {
        errors.push(FieldError {
            input: "form".into(),
            message: "Nothing to change: every value is the same as the store's.".into(),
        });
    }
    if errors.is_empty() {
        Ok(change)
    } else {
        Err(errors)
    }
}

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
    pub fn new(state: &str, change: &Change, reconnect: bool) -> Plan {
        let needs_disconnect = state == "FAILED"
            || (state == "CONNECTED"
                && change
                    .fields()
                    .into_iter()
                    .any(|f| f.rule().needs == Needs::Disconnected));
        let mut steps = Vec::new();
        if needs_disconnect {
            steps.extend([StepKind::Disconnect, StepKind::WaitDisconnected]);
        }
        steps.push(StepKind::Update);
        let ends_disconnected = needs_disconnect || state == "DISCONNECTED";
        if ends_disconnected && (state == "CONNECTED" || reconnect) {
            steps.extend([StepKind::Connect, StepKind::WaitConnected]);
        }
        steps.push(StepKind::Verify);
        Plan { steps }
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
                "disconnect (keys unusable for about {outage_secs} seconds)"
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
    pub fn impact(&self, state: &str) -> String {
        if self.disconnects() {
            "The store will be DISCONNECTED during the change: every KMS key in it is unusable, and every request that uses one fails, until it is CONNECTED again.".to_string()
        } else if state == "CONNECTED" {
            "The store stays CONNECTED. KMS sends the new settings to the proxy with its next request; a wrong credential or path makes the keys unusable, which is why the console checks them first.".to_string()
        } else if self.connects() {
            "The store is not connected now; its keys become usable once it connects at the end."
                .to_string()
        } else {
            "The store stays disconnected: its keys remain unusable.".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stores::{StoreDetail, StoreRow};

    const SECRET: &str = "cGF5bWVudHMtZGVtby1zZWNyZXQta2V5LWZvci14a3MtMDI=";

    fn xks(state: &str) -> StoreDetail {
        StoreDetail {
            row: StoreRow {
                account: "000000000000".into(),
                region: "us-east-1".into(),
                id: "cks-1".into(),
                name: "payments-xks".into(),
                store_type: "EXTERNAL_KEY_STORE".into(),
                state: state.into(),
                error_code: None,
                cloud_hsm_cluster_id: None,
                xks_endpoint: Some("https://proxy-a.xks.sim.internal".into()),
                xks_path: Some("/payments/kms/xks/v1".into()),
                xks_connectivity: Some("PUBLIC_ENDPOINT".into()),
                created: 0,
            },
            trust_anchor_certificate: None,
            xks_access_key_id: Some("PAYMENTSXKSACCESSKEY".into()),
            xks_vpc_endpoint_service_name: None,
            xks_vpc_endpoint_service_owner: None,
        }
    }

    fn hsm(state: &str) -> StoreDetail {
        let mut d = xks(state);
        d.row.store_type = "AWS_CLOUDHSM".into();
        d.row.cloud_hsm_cluster_id = Some("cluster-archivevault".into());
        d.row.xks_endpoint = None;
        d.row.xks_path = None;
        d.row.xks_connectivity = None;
        d.xks_access_key_id = None;
        d
    }

    fn form_of(d: &StoreDetail) -> ChangeForm {
        ChangeForm::of(&Settings::of(d))
    }

    fn inputs(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.input.as_str()).collect()
    }

    #[test]
    fn an_unchanged_form_is_nothing_to_do() {
        let d = xks("CONNECTED");
        let errors = build_change(&d, &form_of(&d)).unwrap_err();
        assert!(errors[0].message.starts_with("Nothing to change"));
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
        let plan = Plan::new("CONNECTED", &change, false);
        assert_eq!(plan.steps, [StepKind::Update, StepKind::Verify]);
        assert_eq!(plan.summary(2), "update, verify");
        assert!(plan.impact("CONNECTED").contains("stays CONNECTED"));
    }

    #[test]
    fn an_endpoint_change_of_a_connected_store_disconnects_updates_and_reconnects() {
        let d = xks("CONNECTED");
        let form = ChangeForm {
            endpoint: "https://proxy-a2.xks.sim.internal".into(),
            ..form_of(&d)
        };
        let change = build_change(&d, &form).unwrap();
        let plan = Plan::new("CONNECTED", &change, false);
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
        assert!(plan.impact("CONNECTED").contains("unusable"));
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
            Plan::new("DISCONNECTED", &change, false).steps,
            [Update, Verify]
        );
        assert_eq!(
            Plan::new("DISCONNECTED", &change, true).steps,
            [Update, Connect, WaitConnected, Verify]
        );
        // A FAILED store is disconnected first, and connected again only when asked.
        assert_eq!(
            Plan::new("FAILED", &change, false).steps,
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
            Plan::new("CONNECTED", &rename, false).steps,
            [Update, Verify]
        );
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
        vpc.row.xks_connectivity = Some("VPC_ENDPOINT_SERVICE".into());
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
}
