//! No file of a crate uses a file that, directly or through others, uses it back: each crate's
//! files form layers (docs/ARCHITECTURE.md). A module may use its children, and children may use
//! their siblings, but a circle means two files that can only be read together.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path inside its crate: `["domain", "change", "plan"]`; the crate root is empty.
type Module = Vec<String>;

struct Source {
    text: String,
}

/// Every `.rs` file below `root`, without its `mod tests` block.
fn sources(root: &Path) -> BTreeMap<Module, Source> {
    let tests = Regex::new(r"#\[cfg\([^\]]*\btest\b[^\]]*\)\]\s*mod tests").unwrap();
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            // A crate's main.rs beside its lib.rs is a crate of its own, which uses the library.
            if dir == root && path.ends_with("main.rs") && root.join("lib.rs").exists() {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = match tests.find(&text) {
                Some(m) => text[..m.start()].to_string(),
                None => text,
            };
            out.insert(module, Source { text });
        }
    }
    out
}

/// The modules a file refers to: `crate::a::b`, `super::a`, `use crate::{a, b}`, and a mod
/// file's `child::x`. Each path counts as the deepest module file it reaches.
fn uses(files: &BTreeMap<Module, Source>) -> BTreeMap<Module, BTreeSet<Module>> {
    let braces = Regex::new(r"\b((?:crate|super)(?:::\w+)*)::\{([^{}]*)\}").unwrap();
    let absolute = Regex::new(r"(?:^|[^(\w])(crate|super)\b((?:::\w+)*)").unwrap();
    let relative = Regex::new(r"(?:^|[^:\w])(\w+)((?:::\w+)*)::").unwrap();
    let deepest = |path: &[String]| -> Module {
        (0..=path.len())
            .rev()
            .map(|k| path[..k].to_vec())
            .find(|m| files.contains_key(m))
            .unwrap_or_default()
    };
    let mut edges = BTreeMap::new();
    for (module, source) in files {
        let code: String = source
            .text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        // `use crate::{a, b::c}` reads as `crate::a crate::b::c`.
        let text = braces.replace_all(&code, |c: &regex::Captures| {
            c[2].split(',')
                .map(|item| {
                    item.trim()
                        .split('{')
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches(':')
                })
                .filter(|item| !item.is_empty())
                .map(|item| format!("{}::{item}", &c[1]))
                .collect::<Vec<_>>()
                .join(" ")
        });
        let mut targets = BTreeSet::new();
        for c in absolute.captures_iter(&text) {
            // `super` is the module's parent, whichever file holds the module.
            let base: Module = if &c[1] == "crate" {
                Vec::new()
            } else {
                module[..module.len().saturating_sub(1)].to_vec()
            };
            let mut path = base;
            path.extend(c[2].split("::").filter(|s| !s.is_empty()).map(String::from));
            targets.insert(deepest(&path));
        }
        for c in relative.captures_iter(&text) {
            if matches!(&c[1], "crate" | "super" | "self" | "std" | "core") {
                continue;
            }
            // A path without `crate` or `super` starts at the module's own children.
            let mut path = module.clone();
            path.push(c[1].to_string());
            if !files.contains_key(&path) {
                continue;
            }
            path.extend(c[2].split("::").filter(|s| !s.is_empty()).map(String::from));
            targets.insert(deepest(&path));
        }
        targets.remove(module);
        edges.insert(module.clone(), targets);
    }
    edges
}

/// Groups of two or more modules that reach each other (Tarjan's strongly connected components).
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a Module) {
        let i = w.index.len();
        w.index.insert(v, i);
        w.low.insert(v, i);
        w.stack.push(v);
        for t in w.edges.get(v).into_iter().flatten() {
            let Some((t, _)) = w.edges.get_key_value(t) else {
                continue;
            };
            if !w.index.contains_key(t) {
                visit(w, t);
                let low = w.low[v].min(w.low[t]);
                w.low.insert(v, low);
            } else if w.stack.contains(&t) {
                let low = w.low[v].min(w.index[t]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(m) = w.stack.pop() {
                group.push(m.clone());
                if m == v {
                    break;
                }
            }
            if group.len() > 1 {
                w.found.push(group);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v) {
            visit(&mut w, v);
        }
    }
    w.found
}

fn show(group: &[Module]) -> String {
    group
        .iter()
        .map(|m| {
            if m.is_empty() {
                "crate".to_string()
            } else {
                m.join("::")
            }
        })
        .collect::<Vec<_>>()
        .join(" ↔ ")
}

#[test]
fn no_file_of_any_crate_uses_a_file_that_uses_it_back() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in ["app/src", "server/src", "kms-sim/src", "bench/src"] {
        let files = sources(&workspace.join(krate));
        assert!(files.len() > 3, "{krate} has its sources");
        let found: Vec<String> = circles(&uses(&files)).iter().map(|g| show(g)).collect();
        assert!(found.is_empty(), "{krate}: import circles: {found:?}");
    }
}

#[test]
fn a_circle_is_found_and_a_tree_is_not() {
    let file = |text: &str, _mod_file: bool| Source {
        text: text.to_string(),
    };
    let m = |s: &str| -> Module {
        s.split("::")
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect()
    };
    let mut files = BTreeMap::new();
    files.insert(
        m(""),
        file("pub mod shell; pub mod pages; pub use shell::App;", true),
    );
    files.insert(
        m("shell"),
        file("use crate::pages::{store::StorePage};", false),
    );
    files.insert(m("pages"), file("pub mod store;", true));
    files.insert(
        m("pages::store"),
        file("use crate::{session::Session};", false),
    );
    files.insert(
        m("session"),
        file("// crate::shell is only mentioned here\n", false),
    );
    assert!(circles(&uses(&files)).is_empty());
    // The session now reads the shell, which reads the pages, which read the session.
    files.insert(
        m("session"),
        file("use crate::shell::SessionResource;", false),
    );
    let found = circles(&uses(&files));
    assert_eq!(found.len(), 1, "{found:?}");
    let mut group: Vec<String> = found[0].iter().map(|g| g.join("::")).collect();
    group.sort();
    assert_eq!(group, ["pages::store", "session", "shell"]);
    // `pub(crate)` is a visibility, not a use of the crate root.
    files.insert(m("session"), file("pub(crate) fn f() {}", false));
    assert!(circles(&uses(&files)).is_empty());
}
