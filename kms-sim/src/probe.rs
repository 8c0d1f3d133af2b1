//! What a GetHealthStatus call to an XKS proxy can come back with, and what KMS makes of it
//! (xks-proxy-api-spec "Error mapping"; reference §4). The call itself is in `xks::client`.

use crate::error::ErrorKind;
use crate::model::ConnectionErrorCode;

/// The operation that triggers the probe, sent as `kmsOperation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeReason {
    Create,
    Update,
    Connect,
}

impl ProbeReason {
    pub fn kms_operation(self) -> &'static str {
        match self {
            ProbeReason::Create => "CreateCustomKeyStore",
            ProbeReason::Update => "UpdateCustomKeyStore",
            ProbeReason::Connect => "ConnectCustomKeyStore",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// 200 with a well-formed body and at least one EKM not UNAVAILABLE.
    Healthy,
    /// 200, but every EKM reports UNAVAILABLE.
    AllEkmsUnavailable,
    /// 401 AuthenticationFailedException: the signature (secret) is wrong.
    AuthenticationFailed,
    /// 403 AccessDeniedException: the proxy authenticated KMS, and its authorization denies it
    /// (the spec never answers it to GetHealthStatus; a proxy that does is read this way).
    AccessDenied,
    /// 404 InvalidUriPathException.
    InvalidUriPath,
    /// 429 ThrottlingException or 503 DependencyTimeoutException.
    Throttled,
    /// Connected, but no answer within the timeout.
    TimedOut,
    /// DNS or TCP failure.
    Unreachable(String),
    /// The TLS handshake failed (untrusted or mismatched certificate, old protocol).
    TlsFailure(String),
    /// Anything else: a malformed or non-JSON reply, ValidationException, InternalException.
    InvalidResponse(String),
}

impl ProbeOutcome {
    pub fn is_healthy(&self) -> bool {
        matches!(self, ProbeOutcome::Healthy)
    }

    /// The exception Create and Update answer with (the spec's table).
    pub fn exception(&self) -> Option<ErrorKind> {
        use ProbeOutcome::*;
        match self {
            Healthy => None,
            AuthenticationFailed | AccessDenied => {
                Some(ErrorKind::XksProxyIncorrectAuthenticationCredential)
            }
            InvalidUriPath => Some(ErrorKind::XksProxyInvalidConfiguration),
            AllEkmsUnavailable | Throttled | TimedOut | Unreachable(_) | TlsFailure(_) => {
                Some(ErrorKind::XksProxyUriUnreachable)
            }
            InvalidResponse(_) => Some(ErrorKind::XksProxyInvalidResponse),
        }
    }

    /// The ConnectionErrorCode a failed Connect leaves on the store.
    pub fn connection_error(&self) -> Option<ConnectionErrorCode> {
        use ConnectionErrorCode as C;
        use ProbeOutcome::*;
        match self {
            Healthy => None,
            AuthenticationFailed => Some(C::InvalidCredentials),
            AccessDenied => Some(C::XksProxyAccessDenied),
            InvalidUriPath => Some(C::XksProxyInvalidConfiguration),
            TimedOut | Throttled => Some(C::XksProxyTimedOut),
            AllEkmsUnavailable | Unreachable(_) => Some(C::XksProxyNotReachable),
            TlsFailure(_) => Some(C::XksProxyInvalidTlsConfiguration),
            InvalidResponse(_) => Some(C::XksProxyInvalidResponse),
        }
    }

    pub fn describe(&self) -> String {
        use ProbeOutcome::*;
        match self {
            Healthy => "the proxy is healthy".into(),
            AllEkmsUnavailable => "the proxy reports every external key manager UNAVAILABLE".into(),
            AuthenticationFailed => {
                "the proxy rejected the SigV4 signature (AuthenticationFailedException)".into()
            }
            AccessDenied => "the proxy's authorization denied KMS (AccessDeniedException)".into(),
            InvalidUriPath => {
                "the proxy does not serve this URI path (InvalidUriPathException)".into()
            }
            Throttled => "the proxy is throttling or its key manager timed out".into(),
            TimedOut => "the proxy did not answer in time".into(),
            Unreachable(why) => format!("the proxy cannot be reached: {why}"),
            TlsFailure(why) => format!("the TLS handshake with the proxy failed: {why}"),
            InvalidResponse(why) => format!("the proxy's response could not be used: {why}"),
        }
    }
}
