//! STS `GetCallerIdentity` (AWS Query protocol, XML answer), so that a console pointed at a
//! standalone kms-sim through `AWS_ENDPOINT_URL_STS` learns each access key's account, as it
//! would from AWS. It is the only STS operation served.

use crate::error::KmsError;
use crate::service::Caller;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A form-encoded `POST /` naming an STS action, rather than a KMS `X-Amz-Target`.
pub fn is_sts(headers: &HeaderMap, body: &[u8]) -> bool {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    form && !headers.contains_key("x-amz-target") && action(body).is_some()
}

fn action(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
}

/// Answers an STS request; `caller` is the signature check's result for service `sts`.
pub fn answer(
    body: &[u8],
    caller: Result<(Caller, String), KmsError>,
    request_id: &str,
) -> Response {
    let action = action(body).unwrap_or_default();
    let xml = match (action.as_str(), caller) {
        ("GetCallerIdentity", Ok((caller, access_key_id))) => Ok(format!(
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <GetCallerIdentityResult><Arn>arn:aws:iam::{account}:user/kms-sim</Arn>\
             <UserId>{akid}</UserId><Account>{account}</Account></GetCallerIdentityResult>\
             <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
             </GetCallerIdentityResponse>",
            account = escape(&caller.account),
            akid = escape(&access_key_id),
        )),
        ("GetCallerIdentity", Err(e)) => Err((
            StatusCode::FORBIDDEN,
            e.kind.wire_name().to_string(),
            e.message,
        )),
        (other, _) => Err((
            StatusCode::BAD_REQUEST,
            "InvalidAction".to_string(),
            format!("kms-sim serves only GetCallerIdentity of STS, not {other:?}."),
        )),
    };
    let (status, xml) = match xml {
        Ok(x) => (StatusCode::OK, x),
        Err((status, code, message)) => (
            status,
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                 <Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error>\
                 <RequestId>{request_id}</RequestId></ErrorResponse>",
                escape(&code),
                escape(&message)
            ),
        ),
    };
    let mut res = (status, xml).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    res
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
