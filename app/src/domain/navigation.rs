//! Where the console sends a browser next. Every redirect goes through `safe_path`, so a target
//! that came from a request (sign-in's `next`, an ID from KMS) can neither leave the site nor
//! break the `Location` header.

/// `path` when it is a path on this site that a `Location` header can carry: it starts with one
/// `/` (not `//` or `/\`, which browsers read as another host), has no backslash, and has only
/// visible ASCII (no control characters, spaces or raw non-ASCII). None otherwise.
pub fn safe_path(path: &str) -> Option<&str> {
    let visible = path.bytes().all(|b| b.is_ascii_graphic());
    let one_slash = path.starts_with('/') && !path.starts_with("//");
    (visible && one_slash && !path.contains('\\')).then_some(path)
}

/// Where to go after signing in: `next` when it is safe, else the list page.
pub fn safe_next(next: Option<&str>) -> &str {
    next.and_then(safe_path).unwrap_or("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn next_only_goes_to_this_site() {
        assert_eq!(safe_next(Some("/users")), "/users");
        assert_eq!(
            safe_next(Some("/stores/1/eu-west-1/cks-1?fix=1")),
            "/stores/1/eu-west-1/cks-1?fix=1"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/\r\nX: y",
            "/\u{7f}",
            "/a b",
            "/é",
            "",
            "users",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    proptest! {
        /// Whatever arrives, the answer is a path on this site that a Location header carries.
        #[test]
        fn any_next_gives_a_local_path_a_header_can_carry(next in any::<String>()) {
            let to = safe_next(Some(&next));
            prop_assert!(http::HeaderValue::from_str(to).is_ok());
            prop_assert!(to.starts_with('/'));
            prop_assert!(!to.starts_with("//") && !to.starts_with("/\\"));
            prop_assert!(!to.chars().any(|c| c.is_control() || c == '\\'));
            prop_assert!(to == "/" || to == next);
        }

        /// Paths made of what URLs are made of survive as they are.
        #[test]
        fn ordinary_paths_are_kept(path in "/[a-z0-9][a-zA-Z0-9/_.~?=&%-]{0,60}") {
            prop_assert_eq!(safe_next(Some(&path)), path.as_str());
        }
    }
}
