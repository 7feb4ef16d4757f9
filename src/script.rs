//! Scripts of commands, run as a learner types them: the transcript `svclab run` prints and the
//! golden tests compare. Shared by the command line and the tests; no file system access here.

use crate::sim::cluster::Cluster;
use crate::sim::lab::Lab;
use crate::sim::shell::{Files, Shell};

/// Runs each non-empty line that is not a `#` comment at the current prompt and returns the
/// transcript: the prompt with the command as typed, then its output.
pub fn run_script(script: &str, seed: u64, files: Box<dyn Files>) -> String {
    let mut shell = Shell::new(Cluster::new(Lab::default(), seed), files);
    let mut out = String::new();
    for line in script.lines() {
        // Inside a command that continues (a here-document, an open quote) every line counts,
        // as typed; otherwise blank lines and comments are skipped.
        let trimmed = if shell.pending.is_some() {
            line.trim_end()
        } else {
            line.trim()
        };
        if shell.pending.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        out.push_str(&shell.prompt());
        out.push_str(trimmed);
        out.push('\n');
        let result = shell.run(trimmed);
        out.push_str(&result.text);
        if !result.text.is_empty() && !result.text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
