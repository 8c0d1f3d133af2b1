//! Reading a proxy configuration file picked in the browser (reference §5): the edit and create
//! pages prefill their fields from it, and nothing is sent.

use crate::domain::change::fields::{CREDENTIAL_ACCESS_KEY_ID, CREDENTIAL_SECRET};
#[cfg(feature = "hydrate")]
use crate::domain::change::{parse_proxy_config, MAX_CONFIG_BYTES};
use crate::domain::change::{Field, ProxyConfigFile};
use crate::widgets::field::FormValues;
use leptos::prelude::*;

/// What the picked file said: its warnings, or why it was refused.
pub type FileNote = RwSignal<Option<Result<Vec<String>, String>>>;

/// The file input's change handler: the file's path and credential go into the form, and
/// `note` says what happened.
pub fn fill_form_from_file(
    values: FormValues,
    note: FileNote,
) -> impl Fn(leptos::ev::Event) + Copy + 'static {
    move |ev| {
        read_config_file(ev, move |parsed| match parsed {
            Ok(f) => {
                if let Some(p) = f.uri_path {
                    values.signal(Field::UriPath.key()).set(p);
                }
                if let Some((a, s)) = f.credential {
                    values.signal(CREDENTIAL_ACCESS_KEY_ID).set(a);
                    values.signal(CREDENTIAL_SECRET).set(s.expose().to_string());
                }
                note.set(Some(Ok(f.warnings)));
            }
            Err(e) => note.set(Some(Err(e))),
        })
    }
}

/// Reads the file picked in a file input, in the browser, and parses it as a proxy configuration
/// file; nothing is sent. Messages are the parser's (on the server this does nothing).
pub fn read_config_file(
    ev: leptos::ev::Event,
    done: impl Fn(Result<ProxyConfigFile, String>) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use crate::domain::change::ConfigFileError;
        use wasm_bindgen::JsCast;
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        if file.size() > MAX_CONFIG_BYTES as f64 {
            done(Err(ConfigFileError::TooLarge {
                size: file.size() as usize,
            }
            .to_string()));
            return;
        }
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => done(
                    parse_proxy_config(&js_sys::Uint8Array::new(&buffer).to_vec())
                        .map_err(|e| e.to_string()),
                ),
                Err(_) => done(Err("The file could not be read.".into())),
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, done);
}
