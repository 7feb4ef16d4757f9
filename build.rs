//! Embeds every file under `lessons/` into the program, so the browser build carries the
//! lessons without fetching them. A new lesson folder is picked up with no Rust change.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut out = String::from("/// (folder, [(file, text)]) for every lesson folder.\npub static LESSON_FILES: &[(&str, &[(&str, &str)])] = &[\n");
    let mut folders: Vec<_> = std::fs::read_dir(&root).map(|rd| rd.filter_map(Result::ok).filter(|e| e.path().is_dir()).collect()).unwrap_or_default();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        println!("cargo:rerun-if-changed={}", folder.path().display());
        let name = folder.file_name().to_string_lossy().into_owned();
        let _ = write!(out, "    ({name:?}, &[\n");
        let mut files: Vec<_> = std::fs::read_dir(folder.path()).map(|rd| rd.filter_map(Result::ok).filter(|e| e.path().is_file()).collect()).unwrap_or_default();
        files.sort_by_key(|e| e.file_name());
        for f in files {
            let _ = write!(out, "        ({:?}, include_str!({:?})),\n", f.file_name().to_string_lossy(), f.path().display().to_string());
        }
        out.push_str("    ]),\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(dest, out).expect("write the embedded lessons");
}
