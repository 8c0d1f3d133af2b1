//! The one error type of the server functions, mapped once at the edge.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

/// What a server function can tell the browser went wrong. Every variant reads as a sentence
/// an operator can act on; internal details stay in the server log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("Your role ({role}) can only read. Ask an operator to make this change.")]
    Forbidden { role: String },
    #[error("This request came from another site and was refused.")]
    CrossOrigin,
    #[error("Change your password first: the one you signed in with was for one use only.")]
    PasswordChangeRequired,
    #[error("Wrong user name or password.")]
    BadCredentials,
    #[error("Too many failed sign-ins. Try again in {retry_after_secs} s.")]
    Throttled { retry_after_secs: u64 },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Several inputs of a form are wrong; each message names its field and rule.
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    InvalidForm(Vec<crate::domain::change::FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// KMS refused: its meaning and next step from the error catalogue.
    #[error("{0}")]
    Kms(String),
    #[error("{0}")]
    NotFound(String),
    #[error("The server failed ({0}). Details are in its log.")]
    Internal(String),
    #[error("The request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// The HTTP status a JSON client sees for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. }
            | AppError::CrossOrigin
            | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Invalid { .. } | AppError::InvalidForm(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) | AppError::Kms(_) => StatusCode::CONFLICT,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Internal(_) | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::Invalid {
                field: "request".into(),
                message: m,
            },
            other => AppError::Transport(other.to_string()),
        }
    }
}
