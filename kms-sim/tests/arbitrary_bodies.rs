//! Arbitrary JSON bodies to every operation: the answer is always a well-formed AWS reply.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
        "cks-[0-9a-f]{17}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("CustomKeyStoreName".to_string()),
                    Just("CustomKeyStoreId".to_string()),
                    Just("CustomKeyStoreType".to_string()),
                    Just("Limit".to_string()),
                    Just("Marker".to_string()),
                    Just("XksProxyAuthenticationCredential".to_string()),
                    Just("XksProxyUriPath".to_string()),
                    Just("CloudHsmClusterId".to_string()),
                    "[A-Za-z]{1,12}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every operation kms-sim serves.
const OPERATIONS: [&str; 6] = kms_sim::ops::NAMES;

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn no_body_crashes_any_operation(op in 0usize..6, body in json(), raw_text in ".{0,60}", use_raw in any::<bool>()) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async {
            let sim = start().await;
            let text = if use_raw { raw_text.clone() } else { body.to_string() };
            let (status, reply) = raw(&sim, OPERATIONS[op], &text, "test").await;
            if status == 200 {
                prop_assert!(reply.is_object());
            } else {
                prop_assert!(status == 400, "status {status} for {text}: {reply}");
                let kind = reply["__type"].as_str().unwrap_or_default();
                prop_assert!(kind.ends_with("Exception"), "{reply}");
                prop_assert!(reply["message"].is_string(), "{reply}");
            }
            Ok(())
        })?;
    }
}
