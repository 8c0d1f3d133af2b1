//! The field/state matrix of UpdateCustomKeyStore (reference §1.4 and §6) as one table.

use crate::domain::kms::{ConnectionState, StoreKind, XksProxyConnectivity};
use serde::{Deserialize, Serialize};

/// The members UpdateCustomKeyStore accepts besides the store's ID. The credential is one field
/// with two parts, because KMS takes it whole or not at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Name,
    KeyStorePassword,
    CloudHsmClusterId,
    Connectivity,
    UriEndpoint,
    UriPath,
    VpcEndpointServiceName,
    VpcEndpointServiceOwner,
    Credential,
}

/// The state a member needs (reference §1.4, "State needed").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    ConnectedOrDisconnected,
    Disconnected,
}

pub struct FieldRule {
    pub field: Field,
    pub applies_to: &'static [StoreKind],
    pub needs: Needs,
}

const BOTH: &[StoreKind] = &[StoreKind::CloudHsm, StoreKind::External];
const HSM: &[StoreKind] = &[StoreKind::CloudHsm];
const XKS: &[StoreKind] = &[StoreKind::External];

/// Reference §1.4, row by row, in the order the edit form shows them.
pub const FIELD_RULES: [FieldRule; 9] = [
    FieldRule {
        field: Field::Name,
        applies_to: BOTH,
        needs: Needs::ConnectedOrDisconnected,
    },
    FieldRule {
        field: Field::KeyStorePassword,
        applies_to: HSM,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::CloudHsmClusterId,
        applies_to: HSM,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::Connectivity,
        applies_to: XKS,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::UriEndpoint,
        applies_to: XKS,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::UriPath,
        applies_to: XKS,
        needs: Needs::ConnectedOrDisconnected,
    },
    FieldRule {
        field: Field::VpcEndpointServiceName,
        applies_to: XKS,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::VpcEndpointServiceOwner,
        applies_to: XKS,
        needs: Needs::Disconnected,
    },
    FieldRule {
        field: Field::Credential,
        applies_to: XKS,
        needs: Needs::ConnectedOrDisconnected,
    },
];

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::KeyStorePassword,
        Field::CloudHsmClusterId,
        Field::Connectivity,
        Field::UriEndpoint,
        Field::UriPath,
        Field::VpcEndpointServiceName,
        Field::VpcEndpointServiceOwner,
        Field::Credential,
    ];

    pub fn rule(self) -> &'static FieldRule {
        FIELD_RULES
            .iter()
            .find(|r| r.field == self)
            .expect("every field has a rule")
    }

    /// The UpdateCustomKeyStore member, as AWS spells it.
    pub fn member(self) -> &'static str {
        match self {
            Field::Name => "NewCustomKeyStoreName",
            Field::KeyStorePassword => "KeyStorePassword",
            Field::CloudHsmClusterId => "CloudHsmClusterId",
            Field::Connectivity => "XksProxyConnectivity",
            Field::UriEndpoint => "XksProxyUriEndpoint",
            Field::UriPath => "XksProxyUriPath",
            Field::VpcEndpointServiceName => "XksProxyVpcEndpointServiceName",
            Field::VpcEndpointServiceOwner => "XksProxyVpcEndpointServiceOwner",
            Field::Credential => "XksProxyAuthenticationCredential",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Key store name",
            Field::KeyStorePassword => "kmsuser password",
            Field::CloudHsmClusterId => "CloudHSM cluster ID",
            Field::Connectivity => "Proxy connectivity",
            Field::UriEndpoint => "Proxy URI endpoint",
            Field::UriPath => "Proxy URI path",
            Field::VpcEndpointServiceName => "VPC endpoint service name",
            Field::VpcEndpointServiceOwner => "VPC endpoint service owner",
            Field::Credential => "Proxy credential",
        }
    }

    /// A short key for forms and URLs.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::KeyStorePassword => "password",
            Field::CloudHsmClusterId => "cluster_id",
            Field::Connectivity => "connectivity",
            Field::UriEndpoint => "endpoint",
            Field::UriPath => "path",
            Field::VpcEndpointServiceName => "vpc_name",
            Field::VpcEndpointServiceOwner => "vpc_owner",
            Field::Credential => "credential",
        }
    }

    /// Secret values are never shown back, stored or logged; only the fact that they change.
    pub fn is_secret(self) -> bool {
        matches!(self, Field::KeyStorePassword | Field::Credential)
    }

    /// Only with VPC_ENDPOINT_SERVICE connectivity.
    pub fn is_vpc_only(self) -> bool {
        matches!(
            self,
            Field::VpcEndpointServiceName | Field::VpcEndpointServiceOwner
        )
    }

    /// CreateCustomKeyStore's name for the member (only the name differs from Update's).
    pub fn create_member(self) -> &'static str {
        match self {
            Field::Name => "CustomKeyStoreName",
            other => other.member(),
        }
    }

    /// How the form asks for the value.
    pub fn input(self) -> Input {
        match self {
            Field::KeyStorePassword => Input::Secret,
            Field::Connectivity => Input::Choice,
            Field::Credential => Input::Credential,
            _ => Input::Text,
        }
    }

    /// The values a `Choice` offers, as AWS spells them.
    pub fn choices(self) -> Vec<String> {
        match self {
            Field::Connectivity => XksProxyConnectivity::KNOWN
                .iter()
                .map(ToString::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the edit form says under the field, where the member needs explaining.
    pub fn hint(self) -> Option<&'static str> {
        match self {
            Field::KeyStorePassword => Some("Set the new password of the kmsuser crypto user in the cluster first; KMS logs in with what you enter here."),
            Field::CloudHsmClusterId => Some("Only a cluster related to the current one (same certificate or backup history)."),
            Field::Credential => Some("KMS never returns the secret, so leave both as they are to keep the credential, or give both parts to replace it."),
            _ => None,
        }
    }

    /// The form inputs of the field: its key, or the credential's two parts.
    pub fn inputs(self) -> &'static [&'static str] {
        match self {
            Field::Credential => &[CREDENTIAL_ACCESS_KEY_ID, CREDENTIAL_SECRET],
            Field::Name => &["name"],
            Field::KeyStorePassword => &["password"],
            Field::CloudHsmClusterId => &["cluster_id"],
            Field::Connectivity => &["connectivity"],
            Field::UriEndpoint => &["endpoint"],
            Field::UriPath => &["path"],
            Field::VpcEndpointServiceName => &["vpc_name"],
            Field::VpcEndpointServiceOwner => &["vpc_owner"],
        }
    }

    pub fn fields_for(kind: StoreKind) -> Vec<Field> {
        FIELD_RULES
            .iter()
            .filter(|r| r.applies_to.contains(&kind))
            .map(|r| r.field)
            .collect()
    }
}

/// The credential's two form inputs.
pub const CREDENTIAL_ACCESS_KEY_ID: &str = "access_key_id";
pub const CREDENTIAL_SECRET: &str = "secret";

/// How a form asks for a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Text,
    /// A secret: never shown back; empty means "unchanged" on the edit form.
    Secret,
    /// One of the model's values (`Field::choices`).
    Choice,
    /// An access key ID and a secret access key, given together.
    Credential,
}

/// Whether a field can be changed in the store's state, as the edit form marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Editability {
    /// UpdateCustomKeyStore accepts it in the current state.
    Now,
    /// Accepted only while DISCONNECTED: the console disconnects the store first.
    NeedsDisconnected,
    /// Not a member for this store (its type or its connectivity).
    NotApplicable,
    /// The store is changing state; nothing can be edited until it settles.
    Wait,
}

impl Editability {
    pub fn badge(self) -> &'static str {
        match self {
            Editability::Now => "editable now",
            Editability::NeedsDisconnected => "needs DISCONNECTED",
            Editability::NotApplicable => "not applicable",
            Editability::Wait => "wait",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Editability::Now => "now",
            Editability::NeedsDisconnected => "needs-disconnected",
            Editability::NotApplicable => "not-applicable",
            Editability::Wait => "wait",
        }
    }

    /// The form takes a value (a disconnect is planned where needed).
    pub fn accepts_input(self) -> bool {
        matches!(self, Editability::Now | Editability::NeedsDisconnected)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldStatus {
    pub field: Field,
    pub editability: Editability,
    pub reason: String,
}

/// The matrix: `field` of a `kind` store in `state`, with `connectivity` the XKS connectivity the
/// form currently has (after an edit of the connectivity field, the new one).
pub fn field_status(
    field: Field,
    kind: StoreKind,
    state: &ConnectionState,
    connectivity: Option<&XksProxyConnectivity>,
) -> FieldStatus {
    let rule = field.rule();
    let status = |editability, reason: String| FieldStatus {
        field,
        editability,
        reason,
    };
    if !rule.applies_to.contains(&kind) {
        let reason = match kind {
            StoreKind::CloudHsm => "A CloudHSM key store has no XKS proxy settings.",
            StoreKind::External => "Only CloudHSM key stores have this setting.",
        };
        return status(Editability::NotApplicable, reason.to_string());
    }
    if field.is_vpc_only() && connectivity != Some(&XksProxyConnectivity::VpcEndpointService) {
        return status(
            Editability::NotApplicable,
            "Applies only with VPC_ENDPOINT_SERVICE connectivity.".to_string(),
        );
    }
    match (state, rule.needs) {
        (ConnectionState::Disconnected, _) => status(
            Editability::Now,
            "The store is DISCONNECTED, so every setting can change.".to_string(),
        ),
        (ConnectionState::Connected, Needs::ConnectedOrDisconnected) => status(
            Editability::Now,
            "Can change while the store stays CONNECTED.".to_string(),
        ),
        (ConnectionState::Connected, Needs::Disconnected) => status(
            Editability::NeedsDisconnected,
            "KMS accepts this only while the store is DISCONNECTED; the console disconnects it first, and the store's keys are unusable until it reconnects.".to_string(),
        ),
        (ConnectionState::Failed, _) => status(
            Editability::NeedsDisconnected,
            "The store is FAILED: KMS updates it only once it is DISCONNECTED, so the console disconnects it first.".to_string(),
        ),
        (ConnectionState::Connecting | ConnectionState::Disconnecting, _) => status(
            Editability::Wait,
            format!("The store is {state}; wait until it settles."),
        ),
        (ConnectionState::Unknown(_), _) => status(
            Editability::Wait,
            format!("The store is {state}, a state this console does not know; nothing can be edited."),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(field: Field, kind: StoreKind, state: &str, conn: Option<&str>) -> Editability {
        let conn = conn.map(XksProxyConnectivity::parse);
        field_status(field, kind, &ConnectionState::parse(state), conn.as_ref()).editability
    }

    const PUBLIC: Option<&str> = Some("PUBLIC_ENDPOINT");
    const VPC: Option<&str> = Some("VPC_ENDPOINT_SERVICE");

    #[test]
    fn xks_name_credential_and_path_change_while_connected_the_rest_needs_disconnected() {
        // reference §6: "XKS, CONNECTED or DISCONNECTED: name, credential (both parts), URI path."
        for f in [Field::Name, Field::Credential, Field::UriPath] {
            assert_eq!(
                e(f, StoreKind::External, "CONNECTED", VPC),
                Editability::Now,
                "{f:?}"
            );
        }
        // "XKS, DISCONNECTED only: connectivity, URI endpoint, VPC endpoint service name and owner."
        for f in [
            Field::Connectivity,
            Field::UriEndpoint,
            Field::VpcEndpointServiceName,
            Field::VpcEndpointServiceOwner,
        ] {
            assert_eq!(
                e(f, StoreKind::External, "CONNECTED", VPC),
                Editability::NeedsDisconnected,
                "{f:?}"
            );
            assert_eq!(
                e(f, StoreKind::External, "DISCONNECTED", VPC),
                Editability::Now
            );
        }
    }

    #[test]
    fn cloudhsm_password_and_cluster_need_disconnected_the_name_does_not() {
        // reference §6: the current model allows the name in CONNECTED; password and cluster need DISCONNECTED.
        assert_eq!(
            e(Field::Name, StoreKind::CloudHsm, "CONNECTED", None),
            Editability::Now
        );
        for f in [Field::KeyStorePassword, Field::CloudHsmClusterId] {
            assert_eq!(
                e(f, StoreKind::CloudHsm, "CONNECTED", None),
                Editability::NeedsDisconnected
            );
            assert_eq!(
                e(f, StoreKind::CloudHsm, "DISCONNECTED", None),
                Editability::Now
            );
        }
    }

    #[test]
    fn fields_of_the_other_type_and_vpc_fields_with_public_connectivity_do_not_apply() {
        assert_eq!(
            Field::fields_for(StoreKind::CloudHsm),
            [
                Field::Name,
                Field::KeyStorePassword,
                Field::CloudHsmClusterId
            ]
        );
        assert_eq!(Field::fields_for(StoreKind::External).len(), 7);
        assert_eq!(
            e(Field::UriPath, StoreKind::CloudHsm, "DISCONNECTED", None),
            Editability::NotApplicable
        );
        assert_eq!(
            e(
                Field::KeyStorePassword,
                StoreKind::External,
                "DISCONNECTED",
                PUBLIC
            ),
            Editability::NotApplicable
        );
        let s = field_status(
            Field::VpcEndpointServiceName,
            StoreKind::External,
            &ConnectionState::Disconnected,
            Some(&XksProxyConnectivity::PublicEndpoint),
        );
        assert_eq!(s.editability, Editability::NotApplicable);
        assert!(s.reason.contains("VPC_ENDPOINT_SERVICE"));
    }

    #[test]
    fn failed_stores_need_a_disconnect_and_transitions_allow_nothing() {
        for f in Field::fields_for(StoreKind::External) {
            let got = e(f, StoreKind::External, "FAILED", VPC);
            assert_eq!(got, Editability::NeedsDisconnected, "{f:?}");
            for s in ["CONNECTING", "DISCONNECTING", "HIBERNATING"] {
                assert_eq!(e(f, StoreKind::External, s, VPC), Editability::Wait);
            }
        }
    }

    #[test]
    fn each_field_is_a_member_of_create_too_and_its_inputs_are_named_once() {
        let model = crate::domain::kms::service_model();
        let create = model["shapes"]["CreateCustomKeyStoreRequest"]["members"]
            .as_object()
            .unwrap();
        for f in Field::ALL {
            assert!(create.contains_key(f.create_member()), "{f:?}");
            match f.input() {
                Input::Credential => assert_eq!(f.inputs().len(), 2),
                _ => assert_eq!(f.inputs(), [f.key()], "{f:?}"),
            }
            assert_eq!(f.input() == Input::Choice, !f.choices().is_empty(), "{f:?}");
        }
        let mut inputs: Vec<&str> = Field::ALL
            .iter()
            .flat_map(|f| f.inputs())
            .copied()
            .collect();
        let n = inputs.len();
        inputs.sort();
        inputs.dedup();
        assert_eq!(inputs.len(), n, "no input name twice");
        // The connectivity choices are the model's.
        let model_choices: Vec<String> = model["shapes"]["XksProxyConnectivityType"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(Field::Connectivity.choices(), model_choices);
    }

    #[test]
    fn the_table_has_one_row_per_update_member_of_the_model() {
        let model = crate::domain::kms::service_model();
        let members = model["shapes"]["UpdateCustomKeyStoreRequest"]["members"]
            .as_object()
            .unwrap();
        let mut from_model: Vec<&str> = members
            .keys()
            .map(String::as_str)
            .filter(|m| *m != "CustomKeyStoreId")
            .collect();
        from_model.sort();
        let mut ours: Vec<&str> = Field::ALL.iter().map(|f| f.member()).collect();
        ours.sort();
        assert_eq!(ours, from_model);
    }
}
