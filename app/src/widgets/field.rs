//! One field of the edit and create forms, rendered from the field table: its label and member
//! name, the input the table asks for, the mark for the store's state, a hint and the messages.

use crate::domain::change::fields::{Input, CREDENTIAL_ACCESS_KEY_ID, CREDENTIAL_SECRET};
use crate::domain::change::{Field, FieldError, FieldStatus};
use crate::widgets::secret_input::SecretInput;
use leptos::prelude::*;

/// The values of a form's inputs, one signal per input name (`Field::inputs`).
#[derive(Clone, Copy)]
pub struct FormValues(StoredValue<Vec<(&'static str, RwSignal<String>)>>);

impl FormValues {
    /// Every input of every field, each starting from `initial(input)`.
    pub fn new(initial: impl Fn(&str) -> String) -> FormValues {
        let inputs = Field::ALL
            .iter()
            .flat_map(|f| f.inputs())
            .map(|i| (*i, RwSignal::new(initial(i))))
            .collect();
        FormValues(StoredValue::new(inputs))
    }

    pub fn signal(&self, input: &str) -> RwSignal<String> {
        self.0.with_value(|list| {
            list.iter()
                .find(|(name, _)| *name == input)
                .map(|(_, s)| *s)
                .expect("every input of the field table has a signal")
        })
    }

    /// The value as typed (tracked).
    pub fn get(&self, input: &str) -> String {
        self.signal(input).get()
    }
}

#[component]
pub fn FieldInput(
    field: Field,
    /// The member name beside the label: Update's or Create's spelling.
    member: &'static str,
    values: FormValues,
    /// The field's mark for the store's state (the edit page).
    #[prop(optional, into)]
    status: Option<Signal<FieldStatus>>,
    /// The form's messages; the field shows those of its inputs.
    #[prop(optional, into)]
    errors: Option<Signal<Vec<FieldError>>>,
    /// What the secret inputs say when empty.
    #[prop(optional, into)]
    placeholder: MaybeProp<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let key = field.key();
    let messages = move |input: &'static str| {
        move || {
            errors
                .map(|e| e.get())
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.input == input)
                .map(|e| view! { <p class="field-error" role="alert">{e.message}</p> })
                .collect_view()
        }
    };
    let text_input = move |id: &'static str| {
        let value = values.signal(id);
        view! {
            <input
                id=id
                name=id
                type="text"
                value=value.get_untracked()
                prop:value=value
                disabled=disabled
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };
    let secret = move |id: &'static str,
                       autocomplete: &'static str,
                       show: &'static str,
                       hide: &'static str| {
        view! {
            <SecretInput id name=id autocomplete show hide value=values.signal(id) placeholder=placeholder />
        }
    };
    let label = move || {
        view! { {field.label()} " " <code>{member}</code> }
    };
    let control = match field.input() {
        Input::Text => view! {
            <label for=key>{label()}</label>
            {text_input(key)}
            {messages(key)}
        }
        .into_any(),
        Input::Secret => view! {
            <label for=key>{label()}</label>
            {secret(key, "new-password", "Show password", "Hide password")}
            {messages(key)}
        }
        .into_any(),
        Input::Choice => {
            let value = values.signal(key);
            view! {
                <label for=key>{label()}</label>
                <select id=key name=key disabled=disabled on:change=move |ev| value.set(event_target_value(&ev))>
                    {field
                        .choices()
                        .into_iter()
                        .map(|c| {
                            let (option, shown) = (c.clone(), c.clone());
                            view! { <option value=c selected=move || value.get() == option>{shown}</option> }
                        })
                        .collect_view()}
                </select>
                {messages(key)}
            }
            .into_any()
        }
        Input::Credential => view! {
            <span class="label">{label()}</span>
            <label for=CREDENTIAL_ACCESS_KEY_ID>"Access key ID"</label>
            {text_input(CREDENTIAL_ACCESS_KEY_ID)}
            {messages(CREDENTIAL_ACCESS_KEY_ID)}
            <label for=CREDENTIAL_SECRET>"Secret access key"</label>
            {secret(CREDENTIAL_SECRET, "off", "Show secret", "Hide secret")}
            {messages(CREDENTIAL_SECRET)}
        }
        .into_any(),
    };
    let mark = status.map(|status| {
        view! {
            <div class="edit-status">
                {move || {
                    let s = status.get();
                    view! {
                        <span class=format!("edit-badge {}", s.editability.css()) data-testid=format!("badge-{key}")>
                            {s.editability.badge()}
                        </span>
                        <span class="edit-reason">{s.reason}</span>
                    }
                }}
            </div>
        }
    });
    view! {
        <div class="edit-field" data-field=key>
            {control}
            {mark}
            {field.hint().map(|h| view! { <p class="note">{h}</p> })}
        </div>
    }
}
