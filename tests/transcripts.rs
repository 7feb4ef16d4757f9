//! Golden transcripts: each folder under `tests/transcripts/` holds a `script`, the manifests it
//! applies and the `expected` transcript for seed 1. A changed transcript is read, then
//! accepted with `SVCLAB_BLESS=1 cargo test --test transcripts`.

use std::path::Path;

use svclab::script::run_script;
use svclab::sim::shell::MemFiles;

fn load_dir(dir: &Path) -> MemFiles {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).expect("transcript folder") {
        let p = e.expect("entry").path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if name != "script" && name != "expected" && p.is_file() {
            files.push((name, std::fs::read_to_string(&p).expect("manifest text")));
        }
    }
    MemFiles(files)
}

/// The differing lines of two texts as `-want` / `+got` lines with their line numbers, from a
/// longest-common-subsequence alignment (transcripts are a few hundred lines).
fn line_diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("{:>5} -{}\n", i + 1, a[i]));
            i += 1;
        } else {
            out.push_str(&format!("{:>5} +{}\n", j + 1, b[j]));
            j += 1;
        }
    }
    out
}

/// Runs one scenario; `Err` carries the line diff against its `expected`.
fn check(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let script = std::fs::read_to_string(dir.join("script")).map_err(|e| format!("{name}: no script: {e}"))?;
    let got = run_script(&script, 1, Box::new(load_dir(dir)));
    let expected_path = dir.join("expected");
    if std::env::var_os("SVCLAB_BLESS").is_some() {
        std::fs::write(&expected_path, &got).expect("write expected");
        return Ok(());
    }
    let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if got != want {
        return Err(format!(
            "transcript {name} differs from expected (- expected, + got):\n{}",
            line_diff(&want, &got)
        ));
    }
    // The same seed and script give the same transcript, byte for byte.
    if run_script(&script, 1, Box::new(load_dir(dir))) != got {
        return Err(format!("transcript {name} is not deterministic"));
    }
    Ok(())
}

/// Every folder under `tests/transcripts/` is a scenario: none is listed by hand, so a new one
/// cannot go untested.
#[test]
fn every_golden_transcript_matches() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/transcripts")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 14, "scenarios found: {}", dirs.len());
    let failures: Vec<String> = dirs.iter().filter_map(|d| check(d).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} transcripts fail:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

#[test]
fn the_line_diff_names_changed_added_and_removed_lines() {
    let d = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
    assert_eq!(d, "    2 -b\n    2 +B\n    5 +e\n");
    assert_eq!(line_diff("x\n", "x\n"), "");
}
