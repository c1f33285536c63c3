//! Embeds every `rules/*.yml` file into the binary as the default rule pack,
//! in file-name order, with a content hash that versions the pack.
//!
//! Each file is embedded twice: as written (for `ctfilter test` and `check`),
//! and with its `tests:` blocks blanked out, line for line, for filtering.
//! Test records are most of the pack's text, and parsing them on every start
//! would cost most of the startup time. Blank lines keep every line number.
//!
//! The test-free copy is also parsed here, with the run-time parser
//! (`src/rules/yaml.rs`), and embedded as a node tree in the packed form of
//! `src/rules/packed.rs`, which loads without scanning YAML. A file that does not
//! parse gets no packed form: its errors are then reported at run time from
//! the YAML text, as for any rule file.

use std::fmt::Write as _;
use std::path::Path;

#[allow(dead_code)]
#[path = "src/rules/yaml.rs"]
mod yaml;

#[allow(dead_code)]
#[path = "src/rules/packed.rs"]
mod packed;

fn main() {
    let dir = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=src/rules/yaml.rs");
    println!("cargo:rerun-if-changed=src/rules/packed.rs");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut list = String::from("&[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("read rule file");
        for b in name.bytes().chain(bytes.iter().copied()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let abs = std::fs::canonicalize(&path).expect("canonical rule path");
        let text = String::from_utf8(bytes.clone()).expect("rule files are UTF-8");
        let lean = without_tests(&text);
        let runtime = Path::new(&out).join(format!("runtime-{name}"));
        std::fs::write(&runtime, &lean).expect("write runtime rule file");
        let packed = match yaml::from_str::<yaml::Node>(&lean) {
            Ok(node) => {
                let mut bytes = Vec::new();
                packed::encode(&node, &mut bytes);
                let file = Path::new(&out).join(format!("packed-{name}.bin"));
                std::fs::write(&file, bytes).expect("write packed rule file");
                format!("Some(include_bytes!({:?}))", file.display().to_string())
            }
            Err(_) => "None".to_string(),
        };
        writeln!(
            list,
            "    File {{ name: \"rules/{name}\", full: include_str!({:?}), lean: include_str!({:?}), packed: {packed} }},",
            abs.display().to_string(),
            runtime.display().to_string()
        )
        .unwrap();
    }
    list.push(']');
    let code = format!(
        "/// Every embedded rule file, in file-name order.\npub const FILES: &[File] = {list};\n/// Content hash of the embedded pack.\npub const PACK_HASH: &str = \"{:012x}\";\n",
        hash & 0xffff_ffff_ffff
    );
    std::fs::write(Path::new(&out).join("default_rules.rs"), code).expect("write default_rules.rs");
}

/// Blank out every `tests:` block (the key line and everything indented under
/// it), keeping one empty line per removed line.
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let blank = body.trim().is_empty();
        if let Some(at) = block_indent {
            if blank || indent > at {
                out.push('\n');
                continue;
            }
            block_indent = None;
        }
        if body.trim_start().starts_with("tests:") && indent > 0 {
            block_indent = Some(indent);
            out.push('\n');
            continue;
        }
        out.push_str(line);
    }
    out
}
