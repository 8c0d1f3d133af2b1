//! The simulator's own certificate authority (rcgen): created once, kept in the data directory,
//! and trusted by kms-sim's probe client beside the system roots.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;

pub const CERT_FILE: &str = "xks-sim-ca.pem";
pub const KEY_FILE: &str = "xks-sim-ca.key";

pub struct Authority {
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "kms-sim XKS proxy simulator CA");
    dn.push(DnType::OrganizationName, "cks-console");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    Ok(params)
}

impl Authority {
    /// Loads the CA from `dir`, or creates it (and saves it there when `dir` is given).
    pub fn load_or_create(dir: Option<&Path>) -> Result<Authority, String> {
        let err = |e: &dyn std::fmt::Display| format!("XKS simulator CA: {e}");
        let saved = dir.and_then(|d| {
            let cert = std::fs::read_to_string(d.join(CERT_FILE)).ok()?;
            let key = std::fs::read_to_string(d.join(KEY_FILE)).ok()?;
            Some((cert, key))
        });
        let (cert_pem, key) = match saved {
            Some((cert, key)) => (cert, KeyPair::from_pem(&key).map_err(|e| err(&e))?),
            None => {
                let key = KeyPair::generate().map_err(|e| err(&e))?;
                let cert = ca_params()
                    .and_then(|p| p.self_signed(&key))
                    .map_err(|e| err(&e))?;
                if let Some(d) = dir {
                    crate::files::create_private_dir(d).map_err(|e| err(&e))?;
                    crate::files::write_private(&d.join(CERT_FILE), &cert.pem())
                        .map_err(|e| err(&e))?;
                    crate::files::write_private(&d.join(KEY_FILE), &key.serialize_pem())
                        .map_err(|e| err(&e))?;
                }
                (cert.pem(), key)
            }
        };
        let cert_der = CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| err(&e))?;
        let issuer = Issuer::new(ca_params().map_err(|e| err(&e))?, key);
        Ok(Authority {
            cert_pem,
            cert_der,
            issuer,
        })
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert_der.clone()
    }

    /// A leaf certificate for these DNS names, signed by this CA.
    pub fn issue(
        &self,
        names: &[String],
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = CertificateParams::new(names.to_vec()).map_err(|e| e.to_string())?;
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| e.to_string())?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        Ok((vec![cert.der().clone(), self.cert_der.clone()], key_der))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_kept_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let a = Authority::load_or_create(Some(dir.path())).unwrap();
        let b = Authority::load_or_create(Some(dir.path())).unwrap();
        assert_eq!(a.cert_pem(), b.cert_pem());
        let (chain, _) = b.issue(&["proxy.xks.sim.internal".into()]).unwrap();
        assert_eq!(chain.len(), 2);
    }
}
