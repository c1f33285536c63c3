//! The layering of `src/` cannot rot silently: every `crate::` and `super::`
//! path in the library's code is read per file and checked against the table
//! of allowed layer dependencies below, and no two modules may depend on each
//! other, directly or through others.
//!
//! A module is `layer::name` (for example `rules::compile` or
//! `output::format`); a folder below that (such as `rules/sigma/`) counts as
//! its parent module, so a module's own children may refer to each other.
//! Comments, doc comments and string literals are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each layer and the layers it may import from. Top to bottom:
/// cli → run → input/engine/output → rules → model.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "cli",
        &["run", "output", "engine", "input", "rules", "model"],
    ),
    ("run", &["output", "engine", "input", "rules", "model"]),
    ("output", &["engine", "input", "rules", "model"]),
    ("engine", &["rules", "model"]),
    ("input", &["model"]),
    ("rules", &["model"]),
    ("model", &[]),
];

/// Files at the root of `src/` that belong to no layer.
const ROOT_FILES: &[&str] = &["lib.rs", "main.rs"];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/rules/sigma/load.rs` is
/// `[rules, sigma, load]`; a `mod.rs` names its folder.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).expect("under src");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("file name");
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// Source text with comments and string literals blanked out, so that only
/// code is read.
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(text.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(text.len(), |n| i + n + 2);
            i = end;
        } else if rest.starts_with("r#\"") || rest.starts_with("r\"") {
            let hashes = rest[1..].chars().take_while(|&c| c == '#').count();
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(text.len(), |n| i + body + n + close.len());
            out.push_str("\"\"");
            i = end;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = (j + 1).min(bytes.len());
        } else if bytes[i] == b'\'' && rest.len() >= 3 && is_char_literal(rest) {
            let end = rest[1..].find('\'').map_or(text.len(), |n| i + n + 2);
            out.push_str("' '");
            i = end;
        } else {
            let c = rest.chars().next().expect("char");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `'x'` or `'\n'` rather than a lifetime such as `'a`.
fn is_char_literal(rest: &str) -> bool {
    let b = rest.as_bytes();
    b[1] == b'\\' || rest[1..].chars().nth(1) == Some('\'')
}

/// Every module path (as segments after `crate::`) that a file's code names,
/// with `super::` resolved against the file's own module path.
fn references(file: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(file).expect("read source");
    let code = code_only(&text);
    let own = module_path(file);
    let mut found = Vec::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for (at, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        if at > 0
            && code[..at]
                .chars()
                .next_back()
                .is_some_and(|c| ident(c) || c == ':')
        {
            continue;
        }
        let path: Vec<String> = code[at..]
            .split(|c: char| !(ident(c) || c == ':'))
            .next()
            .unwrap_or("")
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let resolved = if path[0] == "crate" {
            path[1..].to_vec()
        } else {
            let mut base = own.clone();
            let mut rest = &path[..];
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base
        };
        if !resolved.is_empty() {
            found.push(resolved);
        }
    }
    // `use crate::{a, b}` groups name several modules at once.
    for (at, _) in code.match_indices("crate::{") {
        let group = &code[at + "crate::{".len()..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        for item in group.split(',') {
            let item: Vec<String> = item
                .trim()
                .split("::")
                .map(|s| s.trim().to_string())
                .collect();
            if !item[0].is_empty() {
                found.push(item);
            }
        }
    }
    found
}

/// `layer::module` for a path, when the path reaches that deep.
fn node(path: &[String]) -> Option<String> {
    match path {
        [layer, module, ..] => Some(format!("{layer}::{module}")),
        _ => None,
    }
}

struct Graph {
    files: Vec<PathBuf>,
    edges: BTreeMap<String, BTreeSet<String>>,
    layer_violations: Vec<String>,
}

fn graph() -> Graph {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut layer_violations = Vec::new();
    for file in &files {
        let own = module_path(file);
        let rel = file
            .strip_prefix(src_dir())
            .expect("under src")
            .display()
            .to_string();
        if own.len() < 2 {
            let is_layer_root = own.len() == 1 && allowed.contains_key(own[0].as_str());
            assert!(
                is_layer_root || ROOT_FILES.contains(&rel.as_str()),
                "src/{rel} lies outside every layer folder; put it in one of {:?}",
                LAYERS.iter().map(|l| l.0).collect::<Vec<_>>()
            );
            if !is_layer_root {
                continue;
            }
        }
        let layer = own[0].as_str();
        let may = allowed
            .get(layer)
            .unwrap_or_else(|| panic!("src/{rel}: folder `{layer}` is not in the LAYERS table"));
        for target in references(file) {
            let target_layer = target[0].as_str();
            if target_layer != layer && !may.contains(&target_layer) {
                layer_violations.push(format!(
                    "src/{rel} ({layer}) uses crate::{} ({target_layer}), which `{layer}` may not import",
                    target.join("::")
                ));
            }
            if let (Some(from), Some(to)) = (node(&own), node(&target)) {
                if from != to {
                    edges.entry(from).or_default().insert(to);
                }
            }
        }
    }
    Graph {
        files,
        edges,
        layer_violations,
    }
}

/// The cycles in a dependency graph, each as the list of modules on it.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan's strongly connected components; any component of two or more
    // modules is a cycle.
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        if let Some(targets) = s.edges.get(v) {
            for w in targets {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let low = s.low[v].min(s.low[w]);
                    s.low.insert(v, low);
                } else if s.on_stack.contains(w) {
                    let low = s.low[v].min(s.index[w]);
                    s.low.insert(v, low);
                }
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn every_import_points_down_the_layer_table() {
    let graph = graph();
    assert!(
        graph.files.len() > 20,
        "found only {} source files",
        graph.files.len()
    );
    assert!(
        graph.layer_violations.is_empty(),
        "imports against the layer table:\n{}",
        graph.layer_violations.join("\n")
    );
}

#[test]
fn no_modules_import_each_other() {
    let graph = graph();
    let found = cycles(&graph.edges);
    assert!(
        found.is_empty(),
        "modules that depend on each other (directly or through others):\n{}",
        found
            .iter()
            .map(|c| c.join(" <-> "))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_layer_folder_exists_and_has_a_header() {
    for (layer, _) in LAYERS {
        let root = src_dir().join(layer).join("mod.rs");
        let text =
            std::fs::read_to_string(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
        assert!(
            text.starts_with("//!"),
            "{} must open with a //! header",
            root.display()
        );
    }
}

#[test]
fn the_checker_sees_what_it_must() {
    // The checker itself must be able to fail: a hand-made graph with a cycle
    // is reported, and comments and strings are not read as code.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges
        .entry("a::x".into())
        .or_default()
        .insert("a::y".into());
    edges
        .entry("a::y".into())
        .or_default()
        .insert("b::z".into());
    edges
        .entry("b::z".into())
        .or_default()
        .insert("a::x".into());
    assert_eq!(
        cycles(&edges),
        vec![vec!["a::x".to_string(), "a::y".into(), "b::z".into()]]
    );
    let code = code_only(
        "use crate::a; // crate::b\nlet s = \"crate::c\"; /* crate::d */ let c = '\"'; crate::e",
    );
    assert!(
        code.contains("crate::a") && code.contains("crate::e"),
        "{code}"
    );
    assert!(
        !code.contains("crate::b") && !code.contains("crate::c") && !code.contains("crate::d"),
        "{code}"
    );
}
