//! Embeds every `rules/*.yml` file into the binary as the default rule pack,
//! in file-name order, with a content hash that versions the pack.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new("rules");
    println!("cargo:rerun-if-changed=rules");
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
        writeln!(list, "    (\"rules/{name}\", include_str!({:?})),", abs.display().to_string()).unwrap();
    }
    list.push(']');
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let code = format!(
        "/// (path, text) of each embedded rule file.\npub const FILES: &[(&str, &str)] = {list};\n/// Content hash of the embedded pack.\npub const PACK_HASH: &str = \"{:012x}\";\n",
        hash & 0xffff_ffff_ffff
    );
    std::fs::write(Path::new(&out).join("default_rules.rs"), code).expect("write default_rules.rs");
}
