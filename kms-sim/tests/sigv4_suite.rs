//! kms-sim's SigV4 verifier against AWS's published SigV4 test vectors (`sigv4-test-suite/`, see
//! its README for source and licence): every signed request verifies; the same request with its
//! body, a signed header, the signature or the secret changed does not.

use http::{HeaderMap, HeaderName, HeaderValue};
use kms_sim::sigv4::{verify_with, PathEncoding, Request, SigError};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct Vector {
    name: String,
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
    access_key_id: String,
    secret: String,
    service: String,
    at: SystemTime,
    encoding: PathEncoding,
}

struct Raw {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    /// A header line continued on the next line (obsolete line folding).
    folded: bool,
    body: Vec<u8>,
}

/// `METHOD TARGET HTTP/1.1`, `Name:value` lines, a blank line, the body.
fn parse(text: &str) -> Raw {
    let (head, body) = match text.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (text.trim_end_matches('\n'), Vec::new()),
    };
    let mut lines = head.lines();
    let first = lines.next().unwrap();
    let method = first.split(' ').next().unwrap().to_string();
    let target = first[method.len() + 1..]
        .trim_end_matches(" HTTP/1.1")
        .to_string();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut folded = false;
    for line in lines {
        if line.starts_with(' ') || line.starts_with('\t') {
            folded = true;
            headers.last_mut().unwrap().1.push_str(line);
            continue;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.to_string(), value.to_string()));
    }
    Raw {
        method,
        target,
        headers,
        folded,
        body,
    }
}

/// What a client puts on the wire: bytes a URI cannot hold, percent-encoded.
fn wire(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_graphic() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The vector, or why it does not apply to a KMS-style service.
fn load(dir: &Path) -> Result<Vector, String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let context: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("context.json")).unwrap()).unwrap();
    if context["normalize"] == false {
        return Err("S3-style: the path is not normalised, which KMS and XKS always do".into());
    }
    let request = parse(&std::fs::read_to_string(dir.join("request.txt")).unwrap());
    let signed = parse(&std::fs::read_to_string(dir.join("header-signed-request.txt")).unwrap());
    if request.folded {
        return Err("obsolete line folding, which hyper refuses before any signature check".into());
    }
    let mut headers = HeaderMap::new();
    let mut add = |name: &str, value: &str| {
        headers.append(
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    };
    for (name, value) in &request.headers {
        add(name, value);
    }
    // What signing added: the signature, the date, a session token, the body's hash.
    let added = |name: &str| {
        !request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    for (name, value) in &signed.headers {
        if added(name) {
            add(name, value.trim_start());
        }
    }
    let target = wire(&request.target);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let timestamp = time::OffsetDateTime::parse(
        context["timestamp"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    Ok(Vector {
        name,
        method: request.method,
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: request.body,
        access_key_id: context["credentials"]["access_key_id"]
            .as_str()
            .unwrap()
            .into(),
        secret: context["credentials"]["secret_access_key"]
            .as_str()
            .unwrap()
            .into(),
        service: context["service"].as_str().unwrap().into(),
        at: UNIX_EPOCH + Duration::from_secs(timestamp.unix_timestamp() as u64),
        encoding: if context["double_encode"] == true {
            PathEncoding::Double
        } else {
            PathEncoding::Single
        },
    })
}

fn check(v: &Vector, headers: &HeaderMap, body: &[u8], secret: &str) -> Result<(), SigError> {
    let request = Request {
        method: &v.method,
        path: &v.path,
        query: &v.query,
        headers,
        body,
    };
    let secret_for = |akid: &str| {
        if akid == v.access_key_id {
            vec![secret.to_string()]
        } else {
            Vec::new()
        }
    };
    verify_with(&request, &v.service, secret_for, v.at, v.encoding).map(|_| ())
}

fn vectors() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4-test-suite/v4");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_applicable_aws_test_vector_verifies_and_a_changed_one_does_not() {
    let mut verified = Vec::new();
    let mut skipped = Vec::new();
    for dir in vectors() {
        let v = match load(&dir) {
            Ok(v) => v,
            Err(why) => {
                skipped.push(format!("{}: {why}", dir.display()));
                continue;
            }
        };
        assert_eq!(
            check(&v, &v.headers, &v.body, &v.secret),
            Ok(()),
            "{}: the signed request does not verify",
            v.name
        );
        assert_eq!(
            check(&v, &v.headers, &v.body, "a-different-secret"),
            Err(SigError::Mismatch),
            "{}: a wrong secret",
            v.name
        );
        let mut longer = v.body.clone();
        longer.push(b'!');
        assert_eq!(
            check(&v, &v.headers, &longer, &v.secret),
            Err(SigError::Mismatch),
            "{}: a changed body",
            v.name
        );
        // Change one signed header other than the date (the scope check would catch that).
        let auth = v.headers["authorization"].to_str().unwrap().to_string();
        let signed_list = auth.split("SignedHeaders=").nth(1).unwrap();
        let signed_list = signed_list.split(',').next().unwrap();
        let name = signed_list
            .split(';')
            .find(|h| *h != "x-amz-date")
            .unwrap()
            .to_string();
        let mut changed = v.headers.clone();
        changed.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_static("changed.example.com"),
        );
        assert_eq!(
            check(&v, &changed, &v.body, &v.secret),
            Err(SigError::Mismatch),
            "{}: a changed {name} header",
            v.name
        );
        let mut forged = v.headers.clone();
        let last = auth.chars().last().unwrap();
        let other = if last == '0' { '1' } else { '0' };
        forged.insert(
            "authorization",
            HeaderValue::from_str(&format!("{}{other}", &auth[..auth.len() - 1])).unwrap(),
        );
        assert_eq!(
            check(&v, &forged, &v.body, &v.secret),
            Err(SigError::Mismatch),
            "{}: a changed signature",
            v.name
        );
        verified.push(v.name);
    }
    // The vectors that apply to KMS: every one but the S3-style unnormalised paths and the folded
    // header (see `load`).
    assert_eq!(
        verified.len(),
        31,
        "verified {verified:?}; skipped {skipped:?}"
    );
    assert_eq!(skipped.len(), 8, "{skipped:#?}");
}
