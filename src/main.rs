//! The `svclab` command line: `svclab run [--seed N] SCRIPT` prints the transcript of a
//! script of commands run against the simulated lab.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(native::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {
    svclab::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::Write;
    use std::path::{Component, Path, PathBuf};

    use svclab::script::run_script;
    use svclab::sim::shell::Files;

    /// Files next to the script: the learner's home folder on the nodes. `-f` paths are relative
    /// to it; any other path (absolute, or leaving the folder with `..`) is not in the lab, so
    /// the host's own files are never read.
    struct DirFiles(PathBuf);

    impl Files for DirFiles {
        fn read(&self, path: &str) -> Option<String> {
            let p = Path::new(path);
            if !p
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
            {
                return None;
            }
            let full = self.0.join(p);
            let meta = std::fs::metadata(&full).ok()?;
            if !meta.is_file() {
                return None;
            }
            let bytes = std::fs::read(full).ok()?;
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        fn list(&self) -> Vec<String> {
            let Ok(rd) = std::fs::read_dir(&self.0) else {
                return Vec::new();
            };
            rd.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".yml") || n.ends_with(".yaml") || n.ends_with(".json"))
                .collect()
        }
    }

    const USAGE: &str = "usage: svclab run [--seed N] SCRIPT\n\nRuns each line of SCRIPT as a command in the \
        simulated lab and prints the transcript.\n";

    pub fn main(args: Vec<String>) -> i32 {
        let mut seed = 1u64;
        let mut script = None;
        let mut it = args.iter();
        match it.next().map(String::as_str) {
            Some("run") => {}
            Some("-h" | "--help" | "help") => {
                print!("{USAGE}");
                return 0;
            }
            _ => {
                eprint!("{USAGE}");
                return 2;
            }
        }
        while let Some(a) = it.next() {
            match a.as_str() {
                "--seed" => match it.next().and_then(|s| s.parse().ok()) {
                    Some(s) => seed = s,
                    None => {
                        eprintln!("svclab: --seed takes a whole number");
                        return 2;
                    }
                },
                s if s.starts_with("--seed=") => match s["--seed=".len()..].parse() {
                    Ok(v) => seed = v,
                    Err(_) => {
                        eprintln!("svclab: --seed takes a whole number");
                        return 2;
                    }
                },
                s => script = Some(s.to_string()),
            }
        }
        let Some(script) = script else {
            eprint!("{USAGE}");
            return 2;
        };
        let text = match std::fs::read(&script) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                eprintln!("svclab: cannot read {script}: {e}");
                return 1;
            }
        };
        let dir = Path::new(&script).parent().map(Path::to_path_buf).unwrap_or_default();
        let out = run_script(&text, seed, Box::new(DirFiles(dir)));
        // A reader that stops early (`| head -1`) closes the pipe: stop quietly, as Unix tools do.
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
            Ok(()) => 0,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                eprintln!("svclab: cannot write the transcript: {e}");
                1
            }
        }
    }
}
