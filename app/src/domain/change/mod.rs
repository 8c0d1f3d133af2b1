//! Changing a key store (UpdateCustomKeyStore): which fields can change in which state, the
//! rules each value must meet, the proxy configuration file, and the plan a change needs.
//! Plain Rust shared by the server and the browser, so both apply the same rules.

pub mod checked;
pub mod create;
pub mod fields;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod form;
pub mod plan;
pub mod proxy_config;
pub mod rules;
pub mod run;
pub mod settings;

pub use checked::{build_change, Change, FieldError};
pub use fields::{field_status, Editability, Field, FieldStatus};
pub use form::ChangeForm;
pub use plan::{Plan, StepKind};
pub use proxy_config::{parse_proxy_config, ConfigFileError, ProxyConfigFile, MAX_CONFIG_BYTES};
pub use settings::Settings;
