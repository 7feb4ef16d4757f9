//! Indexes `lessons/`: for each lesson folder, its id and file names. The browser fetches the
//! files themselves (trunk copies `lessons/` next to the page), so the program carries only
//! this index and a new folder needs no Rust change.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut out = String::from(
        "/// (folder, lesson id, [file]) for every lesson folder, in folder order.\npub static \
        LESSON_INDEX: &[(&str, &str, &[&str])] = &[\n",
    );
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| rd.filter_map(Result::ok).filter(|e| e.path().is_dir()).collect())
        .unwrap_or_default();
    folders.sort_by_key(|e| e.file_name());
    for folder in folders {
        println!("cargo:rerun-if-changed={}", folder.path().display());
        let name = folder.file_name().to_string_lossy().into_owned();
        // The id is the `id:` line of lesson.yaml; the lesson test checks it matches the parse.
        let id = std::fs::read_to_string(folder.path().join("lesson.yaml"))
            .ok()
            .and_then(|t| {
                t.lines().find_map(|l| {
                    l.strip_prefix("id:")
                        .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
                })
            })
            .unwrap_or_default();
        let mut files: Vec<String> = std::fs::read_dir(folder.path())
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let _ = writeln!(out, "    ({name:?}, {id:?}, &{files:?}),");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(dest, out).expect("write the lesson index");
}
