//! The simulated world behind KMS that the demo control panel breaks and mends (the embedded
//! simulator only).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoWorld {
    pub proxies: Vec<DemoProxy>,
    pub clusters: Vec<DemoCluster>,
    pub regions: Vec<DemoRegion>,
}

/// KMS itself in one account and Region, as the console reaches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoRegion {
    pub account: String,
    pub region: String,
    /// KMS fails every call there (a Regional outage).
    pub unavailable: bool,
}

impl DemoRegion {
    /// How the demo control names it as a target: `account/region`.
    pub fn target(&self) -> String {
        format!("{}/{}", self.account, self.region)
    }
}

/// One logical key store of the XKS proxy simulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoProxy {
    pub host: String,
    pub path_prefix: String,
    pub uri_path: String,
    pub access_key_ids: Vec<String>,
    pub down: bool,
    pub slow: bool,
    pub ekms_unavailable: bool,
    pub wrong_certificate: bool,
    /// The proxy's authorization denies KMS (every API but GetHealthStatus).
    pub denies_kms: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCluster {
    pub id: String,
    pub account: String,
    pub region: String,
    pub active_hsms: usize,
    pub hsms: usize,
    pub kmsuser_locked_out: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DemoAction {
    ProxyDown,
    ProxyUp,
    ProxySlow,
    ProxyFast,
    EkmsUnavailable,
    EkmsAvailable,
    WrongCertificate,
    RightCertificate,
    DenyKms,
    AllowKms,
    RotateCredential,
    LoseHsms,
    RestoreHsms,
    LockOutKmsuser,
    UnlockKmsuser,
    KmsDown,
    KmsUp,
    Reset,
}

impl DemoAction {
    pub const ALL: [DemoAction; 18] = [
        DemoAction::ProxyDown,
        DemoAction::ProxyUp,
        DemoAction::ProxySlow,
        DemoAction::ProxyFast,
        DemoAction::EkmsUnavailable,
        DemoAction::EkmsAvailable,
        DemoAction::WrongCertificate,
        DemoAction::RightCertificate,
        DemoAction::DenyKms,
        DemoAction::AllowKms,
        DemoAction::RotateCredential,
        DemoAction::LoseHsms,
        DemoAction::RestoreHsms,
        DemoAction::LockOutKmsuser,
        DemoAction::UnlockKmsuser,
        DemoAction::KmsDown,
        DemoAction::KmsUp,
        DemoAction::Reset,
    ];

    pub fn key(self) -> &'static str {
        match self {
            DemoAction::ProxyDown => "proxy_down",
            DemoAction::ProxyUp => "proxy_up",
            DemoAction::ProxySlow => "proxy_slow",
            DemoAction::ProxyFast => "proxy_fast",
            DemoAction::EkmsUnavailable => "ekms_unavailable",
            DemoAction::EkmsAvailable => "ekms_available",
            DemoAction::WrongCertificate => "wrong_certificate",
            DemoAction::RightCertificate => "right_certificate",
            DemoAction::DenyKms => "deny_kms",
            DemoAction::AllowKms => "allow_kms",
            DemoAction::RotateCredential => "rotate_credential",
            DemoAction::LoseHsms => "lose_hsms",
            DemoAction::RestoreHsms => "restore_hsms",
            DemoAction::LockOutKmsuser => "lock_out_kmsuser",
            DemoAction::UnlockKmsuser => "unlock_kmsuser",
            DemoAction::KmsDown => "kms_down",
            DemoAction::KmsUp => "kms_up",
            DemoAction::Reset => "reset",
        }
    }

    pub fn parse(s: &str) -> Option<DemoAction> {
        DemoAction::ALL.into_iter().find(|a| a.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DemoAction::ProxyDown => "Take down",
            DemoAction::ProxyUp => "Bring up",
            DemoAction::ProxySlow => "Make slow",
            DemoAction::ProxyFast => "Make fast",
            DemoAction::EkmsUnavailable => "Mark all EKMs unavailable",
            DemoAction::EkmsAvailable => "Mark EKMs active",
            DemoAction::WrongCertificate => "Serve a wrong certificate",
            DemoAction::RightCertificate => "Serve the right certificate",
            DemoAction::DenyKms => "Authorization denies KMS",
            DemoAction::AllowKms => "Authorization lets KMS in",
            DemoAction::RotateCredential => "Rotate the credential",
            DemoAction::LoseHsms => "Lose all HSMs",
            DemoAction::RestoreHsms => "Restore the HSMs",
            DemoAction::LockOutKmsuser => "Lock out kmsuser",
            DemoAction::UnlockKmsuser => "Unlock kmsuser",
            DemoAction::KmsDown => "Make KMS unavailable",
            DemoAction::KmsUp => "Make KMS available",
            DemoAction::Reset => "Reset the demo data",
        }
    }
}
