//! Copies the lookup trie of ICU4X's baked percent data out of its source
//! (a Rust byte-string literal) into OUT_DIR/trie.bin.
use std::path::PathBuf;

fn main() {
    let home = std::env::var("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo")
    });
    let src = home.join("registry/src");
    let file = std::fs::read_dir(&src)
        .expect("the registry's sources")
        .filter_map(|index| {
            let path = index.ok()?.path().join("icu_experimental_data-0.4.1/data/percent_essentials_v1.rs.data");
            path.exists().then_some(path)
        })
        .next()
        .expect("icu_experimental_data 0.4.1 unpacked under $CARGO_HOME/registry/src");
    let text = std::fs::read_to_string(file).expect("UTF-8 data source");
    let start = text.find("ZeroTrieSimpleAscii { store: b\"").expect("the trie") + 31;
    let bytes = text[start..].as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while bytes[i] != b'"' {
        if bytes[i] == b'\\' {
            match bytes[i + 1] {
                b'x' => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                other => out.push(other),
            }
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::write(out_dir.join("trie.bin"), out).unwrap();
}
