//! Changing a key store (UpdateCustomKeyStore): which fields can change in which state, the
//! rules each value must meet, the proxy configuration file, and the plan a change needs.
//! Plain Rust shared by the server and the browser, so both apply the same rules.

pub mod create;
pub mod fields;
pub mod plan;
pub mod proxy_config;
pub mod rules;
pub mod run;

pub use fields::{field_status, Editability, Field, FieldStatus, StoreKind};
pub use plan::{build_change, Change, ChangeForm, FieldError, Plan, StepKind};
pub use proxy_config::{parse_proxy_config, ConfigFileError, ProxyConfigFile, MAX_CONFIG_BYTES};
