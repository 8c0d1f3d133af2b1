//! Verifies AWS Signature Version 4 on incoming requests: the KMS API (service `kms`) and the
//! XKS proxy simulator (service `kms-xks-proxy`). Key derivation and the HMAC come from aws-sigv4;
//! this module rebuilds the canonical request and string to sign from what the client sent.
//! [`Signer`] signs outgoing requests the way the AWS SDKs do, with aws-sigv4's own signer.

use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who signs, for which service and region, and when: what aws-sigv4 needs beside the request.
pub struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    pub at: SystemTime,
}

impl Signer<'_> {
    /// The headers that sign this request (Authorization, X-Amz-Date, ...), to send beside
    /// `headers`, which must include `host` and every other header the request carries.
    pub fn headers(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(String, String)>, String> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let identity = aws_credential_types::Credentials::new(
            self.access_key_id,
            self.secret,
            None,
            None,
            "kms-sim-signer",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(self.at)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let signable = SignableRequest::new(
            method,
            url,
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect())
    }
}

/// How far the client's clock may be from ours.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub access_key_id: String,
    pub region: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("Missing Authentication Token")]
    Missing,
    #[error("{0}")]
    Incomplete(String),
    #[error("The security token included in the request is invalid.")]
    UnknownKey,
    #[error("Credential should be scoped to correct service: '{0}'.")]
    WrongService(String),
    #[error(
        "The request signature we calculated does not match the signature you provided. \
         Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    Mismatch,
    #[error("Signature expired: {0} is not within 15 minutes of the server time.")]
    Expired(String),
}

pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SigError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        SigError::Incomplete("Only the AWS4-HMAC-SHA256 algorithm is supported.".into())
    })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let missing = |name: &str| {
        SigError::Incomplete(format!(
            "Authorization header requires '{name}' parameter. Authorization={value}"
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(SigError::Incomplete(format!(
            "Credential should be of the form AKID/yyyymmdd/region/service/aws4_request: {credential}"
        )));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// `20250101T000000Z` → the instant it names.
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let date = time::Date::from_calendar_date(
        num(0..4)? as i32,
        time::Month::try_from(num(4..6)? as u8).ok()?,
        num(6..8)? as u8,
    )
    .ok()?;
    let t = time::Time::from_hms(num(9..11)? as u8, num(11..13)? as u8, num(13..15)? as u8).ok()?;
    let secs = time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp();
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

/// How the canonical request encodes the path. KMS and the XKS proxy API, like every AWS service
/// but S3, encode each path segment again as sent (`Double`), and normalise `.` and `..`. AWS's
/// published test vectors encode once (`Single`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathEncoding {
    Double,
    Single,
}

/// Checks the request's signature for `service`; `secret_for` looks up an access key's secret(s).
pub fn verify(
    req: &Request<'_>,
    service: &str,
    secret_for: impl Fn(&str) -> Vec<String>,
    now: SystemTime,
) -> Result<Verified, SigError> {
    verify_with(req, service, secret_for, now, PathEncoding::Double)
}

/// [`verify`], with the path encoding named. The canonical request and the signature are
/// aws-sigv4's own: the request is signed again with the caller's secret, the time of its
/// `X-Amz-Date` and exactly the headers it says it signed, and the two signatures are compared.
pub fn verify_with(
    req: &Request<'_>,
    service: &str,
    secret_for: impl Fn(&str) -> Vec<String>,
    now: SystemTime,
    encoding: PathEncoding,
) -> Result<Verified, SigError> {
    let header = req
        .headers
        .get(http::header::AUTHORIZATION)
        .ok_or(SigError::Missing)?
        .to_str()
        .map_err(|_| SigError::Incomplete("The Authorization header is not ASCII.".into()))?;
    let auth = parse_authorization(header)?;
    let amz_date = req
        .headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| SigError::Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into()))?;
    let when = parse_amz_date(amz_date).ok_or_else(|| {
        SigError::Incomplete(format!(
            "X-Amz-Date '{amz_date}' is not of the form yyyymmddThhmmssZ."
        ))
    })?;
    if !amz_date.starts_with(auth.date) {
        return Err(SigError::Incomplete(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            auth.date,
            &amz_date[..8]
        )));
    }
    if auth.service != service {
        return Err(SigError::WrongService(service.to_string()));
    }
    let skew = now.duration_since(when).unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(SigError::Expired(amz_date.to_string()));
    }
    let secrets = secret_for(auth.access_key_id);
    if secrets.is_empty() {
        return Err(SigError::UnknownKey);
    }
    if !auth.signed_headers.contains(&"host") {
        return Err(SigError::Incomplete(
            "'Host' must be a signed header.".into(),
        ));
    }
    // The signature covers the body that arrived: a client's X-Amz-Content-Sha256 must be that
    // body's hash, as AWS requires, or the request is refused like any other mismatch.
    let payload_hash = hex::encode(Sha256::digest(req.body));
    let claimed = req.headers.get("x-amz-content-sha256");
    if claimed.is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(payload_hash.as_bytes())) {
        return Err(SigError::Mismatch);
    }
    // Exactly the headers the client signed, each with every value it sent.
    let mut signed: Vec<(&str, &str)> = Vec::new();
    for name in &auth.signed_headers {
        let mut values = req.headers.get_all(*name).iter().peekable();
        if values.peek().is_none() {
            return Err(SigError::Mismatch);
        }
        for value in values {
            signed.push((name, value.to_str().map_err(|_| SigError::Mismatch)?));
        }
    }
    // The host header names the authority; this one is never used, and keeps the signer from
    // looking for one in the path.
    let uri = if req.query.is_empty() {
        format!("https://signed.invalid{}", req.path)
    } else {
        format!("https://signed.invalid{}?{}", req.path, req.query)
    };
    let mut settings = aws_sigv4::http_request::SigningSettings::default();
    settings.excluded_headers = None;
    settings.percent_encoding_mode = match encoding {
        PathEncoding::Double => aws_sigv4::http_request::PercentEncodingMode::Double,
        PathEncoding::Single => aws_sigv4::http_request::PercentEncodingMode::Single,
    };
    if auth.signed_headers.contains(&"x-amz-content-sha256") {
        settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
    }
    let matches = secrets.iter().any(|secret| {
        let identity = aws_credential_types::Credentials::new(
            auth.access_key_id,
            secret,
            None,
            None,
            "caller",
        )
        .into();
        let Ok(params) = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(auth.region)
            .name(auth.service)
            .time(when)
            .settings(settings.clone())
            .build()
        else {
            return false;
        };
        let Ok(signable) = aws_sigv4::http_request::SignableRequest::new(
            req.method,
            uri.as_str(),
            signed.iter().copied(),
            aws_sigv4::http_request::SignableBody::Bytes(req.body),
        ) else {
            return false;
        };
        aws_sigv4::http_request::sign(signable, &params.into()).is_ok_and(|out| {
            constant_time_eq(out.signature().as_bytes(), auth.signature.as_bytes())
        })
    });
    if !matches {
        return Err(SigError::Mismatch);
    }
    Ok(Verified {
        access_key_id: auth.access_key_id.to_string(),
        region: auth.region.to_string(),
        service: auth.service.to_string(),
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Signs a request the way the AWS SDKs do, with aws-sigv4's own signer.
    fn signed(secret: &str, service: &str, region: &str, at: SystemTime, body: &[u8]) -> HeaderMap {
        signed_with(&[], secret, service, region, at, body)
    }

    /// The same, with more headers signed.
    fn signed_with(
        extra: &[(&str, &str)],
        secret: &str,
        service: &str,
        region: &str,
        at: SystemTime,
        body: &[u8],
    ) -> HeaderMap {
        let mut headers = vec![
            ("host", "127.0.0.1:4599"),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", "TrentService.DescribeCustomKeyStores"),
        ];
        headers.extend_from_slice(extra);
        let signer = Signer {
            access_key_id: "AKIDEXAMPLE",
            secret,
            region,
            service,
            at,
        };
        let signature = signer
            .headers("POST", "http://127.0.0.1:4599/", &headers, body)
            .unwrap();
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        for (k, v) in signature {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn check(headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<Verified, SigError> {
        let req = Request {
            method: "POST",
            path: "/",
            query: "",
            headers,
            body,
        };
        verify(
            &req,
            "kms",
            |akid| {
                if akid == "AKIDEXAMPLE" {
                    vec!["secret".into()]
                } else {
                    vec![]
                }
            },
            now,
        )
    }

    #[test]
    fn a_request_signed_by_the_sdk_signer_verifies_and_names_its_region() {
        let now = SystemTime::now();
        let headers = signed("secret", "kms", "eu-west-2", now, b"{}");
        let v = check(&headers, b"{}", now).unwrap();
        assert_eq!(v.region, "eu-west-2");
        assert_eq!(v.access_key_id, "AKIDEXAMPLE");
    }

    #[test]
    fn a_wrong_secret_a_changed_body_or_a_wrong_service_is_refused() {
        let now = SystemTime::now();
        assert_eq!(
            check(&signed("other", "kms", "us-east-1", now, b"{}"), b"{}", now),
            Err(SigError::Mismatch)
        );
        assert_eq!(
            check(
                &signed("secret", "kms", "us-east-1", now, b"{}"),
                b"{\"Limit\":1}",
                now
            ),
            Err(SigError::Mismatch)
        );
        assert!(matches!(
            check(&signed("secret", "s3", "us-east-1", now, b"{}"), b"{}", now),
            Err(SigError::WrongService(_))
        ));
    }

    /// X-Amz-Content-Sha256 names the body that was signed; the signature covers the body that
    /// arrives, so a header that does not hash that body is refused.
    #[test]
    fn a_content_hash_header_must_hash_the_body_that_arrives() {
        let now = SystemTime::now();
        let body = b"{}";
        let hash = hex::encode(Sha256::digest(body));
        let headers = signed_with(
            &[("x-amz-content-sha256", &hash)],
            "secret",
            "kms",
            "us-east-1",
            now,
            body,
        );
        assert!(
            check(&headers, body, now).is_ok(),
            "the honest request passes"
        );
        assert_eq!(
            check(&headers, b"{\"Limit\":1}", now),
            Err(SigError::Mismatch),
            "another body under the signed body's hash"
        );
    }

    #[test]
    fn odd_signed_header_lists_are_refused_without_a_panic() {
        let now = SystemTime::now();
        let good = signed("secret", "kms", "us-east-1", now, b"{}");
        let auth = good["authorization"].to_str().unwrap().to_string();
        let (head, rest) = auth.split_once("SignedHeaders=").unwrap();
        let (_, signature) = rest.split_once(',').unwrap();
        for list in [
            "host;x y",
            "host;",
            "host;;x-amz-date",
            "host;\u{e9}t\u{e9}",
            "host;host;x-amz-date",
            "host;(request-target)",
            "host;x-amz-content-sha256;x-amz-date",
        ] {
            let mut headers = good.clone();
            let Ok(value) = format!("{head}SignedHeaders={list},{signature}").parse() else {
                continue;
            };
            headers.insert("authorization", value);
            assert!(check(&headers, b"{}", now).is_err(), "{list}");
        }
    }

    #[test]
    fn old_signatures_and_missing_headers_are_refused() {
        let then = SystemTime::now() - Duration::from_secs(3600);
        let headers = signed("secret", "kms", "us-east-1", then, b"{}");
        assert!(matches!(
            check(&headers, b"{}", SystemTime::now()),
            Err(SigError::Expired(_))
        ));
        assert_eq!(
            check(&HeaderMap::new(), b"{}", SystemTime::now()),
            Err(SigError::Missing)
        );
        let mut bad = HeaderMap::new();
        bad.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=x".parse().unwrap(),
        );
        assert!(matches!(
            check(&bad, b"{}", SystemTime::now()),
            Err(SigError::Incomplete(_))
        ));
    }

    #[test]
    fn amz_dates_parse() {
        assert_eq!(
            parse_amz_date("19700101T000100Z"),
            Some(UNIX_EPOCH + Duration::from_secs(60))
        );
        assert_eq!(parse_amz_date("1970-01-01"), None);
        assert_eq!(parse_amz_date("19701301T000000Z"), None);
    }
}
