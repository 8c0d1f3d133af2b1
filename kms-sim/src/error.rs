//! KMS exceptions as the wire shows them: `{"__type": ..., "message": ...}` and a status code.

use serde::Serialize;

/// Every exception kms-sim can answer with. The HTTP status of each is decided in one place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct KmsError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    // Generic AWS protocol errors.
    UnknownOperation,
    SerializationException,
    ValidationException,
    MissingAuthenticationToken,
    IncompleteSignature,
    InvalidSignature,
    UnrecognizedClient,
    /// A request over the account and Region's request quota for the operation.
    Throttling,
    // KMS exceptions of the six custom key store operations (reference §1.6).
    CloudHsmClusterInUse,
    CloudHsmClusterInvalidConfiguration,
    CloudHsmClusterNotActive,
    CloudHsmClusterNotFound,
    CloudHsmClusterNotRelated,
    CustomKeyStoreHasCmks,
    CustomKeyStoreInvalidState,
    CustomKeyStoreNameInUse,
    CustomKeyStoreNotFound,
    IncorrectTrustAnchor,
    InvalidMarker,
    KmsInternal,
    LimitExceeded,
    XksProxyIncorrectAuthenticationCredential,
    XksProxyInvalidConfiguration,
    XksProxyInvalidResponse,
    XksProxyUriEndpointInUse,
    XksProxyUriInUse,
    XksProxyUriUnreachable,
    XksProxyVpcEndpointServiceInUse,
    XksProxyVpcEndpointServiceInvalidConfiguration,
    XksProxyVpcEndpointServiceNotFound,
}

impl ErrorKind {
    /// The `__type` on the wire.
    pub fn wire_name(self) -> &'static str {
        use ErrorKind::*;
        match self {
            UnknownOperation => "UnknownOperationException",
            SerializationException => "SerializationException",
            ValidationException => "ValidationException",
            MissingAuthenticationToken => "MissingAuthenticationTokenException",
            IncompleteSignature => "IncompleteSignatureException",
            InvalidSignature => "InvalidSignatureException",
            UnrecognizedClient => "UnrecognizedClientException",
            Throttling => "ThrottlingException",
            CloudHsmClusterInUse => "CloudHsmClusterInUseException",
            CloudHsmClusterInvalidConfiguration => "CloudHsmClusterInvalidConfigurationException",
            CloudHsmClusterNotActive => "CloudHsmClusterNotActiveException",
            CloudHsmClusterNotFound => "CloudHsmClusterNotFoundException",
            CloudHsmClusterNotRelated => "CloudHsmClusterNotRelatedException",
            CustomKeyStoreHasCmks => "CustomKeyStoreHasCMKsException",
            CustomKeyStoreInvalidState => "CustomKeyStoreInvalidStateException",
            CustomKeyStoreNameInUse => "CustomKeyStoreNameInUseException",
            CustomKeyStoreNotFound => "CustomKeyStoreNotFoundException",
            IncorrectTrustAnchor => "IncorrectTrustAnchorException",
            InvalidMarker => "InvalidMarkerException",
            KmsInternal => "KMSInternalException",
            LimitExceeded => "LimitExceededException",
            XksProxyIncorrectAuthenticationCredential => {
                "XksProxyIncorrectAuthenticationCredentialException"
            }
            XksProxyInvalidConfiguration => "XksProxyInvalidConfigurationException",
            XksProxyInvalidResponse => "XksProxyInvalidResponseException",
            XksProxyUriEndpointInUse => "XksProxyUriEndpointInUseException",
            XksProxyUriInUse => "XksProxyUriInUseException",
            XksProxyUriUnreachable => "XksProxyUriUnreachableException",
            XksProxyVpcEndpointServiceInUse => "XksProxyVpcEndpointServiceInUseException",
            XksProxyVpcEndpointServiceInvalidConfiguration => {
                "XksProxyVpcEndpointServiceInvalidConfigurationException"
            }
            XksProxyVpcEndpointServiceNotFound => "XksProxyVpcEndpointServiceNotFoundException",
        }
    }

    /// Reference §1.6: every KMS exception is a 400 except KMSInternalException (500).
    pub fn status(self) -> u16 {
        use ErrorKind::*;
        match self {
            KmsInternal => 500,
            // AWS's common errors: no signature at all is a 403; a bad one is a 400.
            MissingAuthenticationToken => 403,
            _ => 400,
        }
    }
}

impl KmsError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        KmsError {
            kind,
            message: message.into(),
        }
    }
}

#[derive(Serialize)]
pub struct WireError<'a> {
    #[serde(rename = "__type")]
    pub kind: &'a str,
    pub message: &'a str,
}
