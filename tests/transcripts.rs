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

fn check(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts").join(name);
    let script = std::fs::read_to_string(dir.join("script")).expect("script");
    let got = run_script(&script, 1, Box::new(load_dir(&dir)));
    let expected_path = dir.join("expected");
    if std::env::var_os("SVCLAB_BLESS").is_some() {
        std::fs::write(&expected_path, &got).expect("write expected");
        return;
    }
    let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if got != want {
        let mut first = 0;
        for (i, (a, b)) in got.lines().zip(want.lines()).enumerate() {
            if a != b {
                first = i + 1;
                break;
            }
        }
        panic!("transcript {name} differs from expected (first different line {first}):\n{got}");
    }
    // The same seed and script give the same transcript, byte for byte.
    assert_eq!(run_script(&script, 1, Box::new(load_dir(&dir))), got, "{name} is not deterministic");
}

macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(&stringify!($name).replace('_', "-"));
            }
        )*
    };
}

transcripts!(concept, clusterip, nodeport, loadbalancer, externalname, no_endpoints, local_policy, bad_manifests, affinity_and_dns, updates, labels, cleanup, endpointslices, imperative);
