//! One learner's session: the editor's files, the shell, the terminal transcript and the log
//! that reproduces the cluster. The cluster is deterministic, so the seed, the commands and the
//! files they read rebuild the same cluster: that log is what is saved, not the cluster itself.
//! No web dependency: the browser front end drives this and renders it.

use crate::sim::cluster::Cluster;
use crate::sim::lab::Lab;
use crate::sim::net::{Client, Request, Trace};
use crate::sim::shell::{self, Files, MemFiles, Shell};
use crate::sim::value::Value;
use crate::sim::yaml;
use std::cell::RefCell;
use std::rc::Rc;

/// One entry of the replay log.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A command line, with the files it read as they were when it ran (when they differ from
    /// what the log last recorded; a command that lists the files records them all).
    Command {
        line: String,
        files: Option<Vec<(String, String)>>,
    },
    /// Simulated seconds that passed while the page was open.
    Tick(i64),
    /// Requests sent from the PC's "send" control.
    Send { url: String, count: usize },
    /// Ctrl-C: ends a watch, leaves an edit unsaved, drops an unfinished line.
    Interrupt,
    /// The file of a `kubectl edit` saved with this text.
    Save(String),
}

/// What holds the terminal until Ctrl-C (or, for an edit, until its file is saved).
#[derive(Clone, Debug, PartialEq)]
pub enum Hold {
    /// `kubectl get -w`.
    Watch,
    /// `kubectl edit`, with the name of the file it opened.
    Edit(String),
}

/// A command and what it printed, as the terminal shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TermLine {
    pub prompt: String,
    pub command: String,
    pub output: String,
}

/// A command the learner ran, for grading: the line, where it ran and its exit status.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    /// The action's number in this session (see `Session::mark`).
    pub seq: u64,
    pub line: String,
    /// Where the line was typed: `node/NAME`, or `pod/NAME` in a pod's shell.
    pub at: String,
    /// The exit status: 0 when the command succeeded.
    pub code: i32,
    /// Each simple command's own exit status, in `sim::sh::simple_commands` order (`None`:
    /// it did not run); past the first `sh::WATCHED`, the line's `code` stands for them.
    pub codes: Vec<Option<u8>>,
    /// For a simple command that was `sh -c TEXT` (by its number), TEXT's commands' own.
    pub inner: Vec<(u8, Vec<Option<u8>>)>,
}

impl Ran {
    /// The own exit status of the line's simple command `k` (of its `sh -c` text's command
    /// `part`, when given), `None` when it did not run: in `kubectl get svc | grep x`
    /// kubectl's status is kubectl's, not grep's.
    pub fn code_of(&self, k: usize, part: Option<usize>) -> Option<i32> {
        let inner = self.inner.iter().find(|(i, _)| usize::from(*i) == k);
        match (part, inner) {
            (Some(j), Some((_, v))) if j < v.len() => v[j].map(i32::from),
            _ => match self.codes.get(k) {
                Some(c) => c.map(i32::from),
                None => Some(self.code),
            },
        }
    }
}

/// A request the learner sent (from a command or the PC's "send" control), for grading.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    /// The action's number in this session (see `Session::mark`).
    pub seq: u64,
    pub request: Request,
    /// Where it went; `trace.client.label()` is where it came from (`pc`, `node/NAME`,
    /// `pod/NAME`).
    pub trace: Trace,
}

/// How many commands and requests a session keeps for grading (the oldest go first).
pub const ACTIONS_KEPT: usize = 500;
/// The terminal text a session keeps: the newest commands and their output, at most this many
/// entries and bytes (a single huge output keeps its tail). Older text is counted, not kept.
pub const TRANSCRIPT_ENTRIES: usize = 300;
pub const TRANSCRIPT_BYTES: usize = 256 * 1024;
/// The saved format this build writes (`v`). Format 1 (every file text inline) is still read.
pub const FORMAT: i64 = 2;

/// Why a saved session or shared lab could not be opened.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// Not a saved session: unreadable, truncated or of the wrong shape.
    Damaged,
    /// A saved session of a format this build does not know (the `v` it carries).
    Version(String),
}

pub struct Session {
    pub seed: u64,
    pub shell: Shell,
    pub files: Vec<(String, String)>,
    pub active: usize,
    pub log: Vec<Entry>,
    pub transcript: Vec<TermLine>,
    /// Lines of terminal text no longer kept (a command line counts one, then its output's).
    pub dropped_lines: usize,
    pub history: Vec<String>,
    /// The traces of the most recent requests, newest last.
    pub traces: Vec<Trace>,
    /// The commands the learner ran on this cluster, oldest first (at most `ACTIONS_KEPT`).
    pub ran: Vec<Ran>,
    /// The requests the learner sent on this cluster, oldest first (at most `ACTIONS_KEPT`).
    pub sent: Vec<Sent>,
    next_seq: u64,
    files_logged: Option<Vec<(String, String)>>,
    seen: Rc<RefCell<Seen>>,
    /// The editor file of the `kubectl edit` in progress.
    edit_file: Option<String>,
}

/// What one command did with the files: the names it read, and whether it listed them.
#[derive(Default)]
struct Seen {
    read: Vec<String>,
    listed: bool,
}

/// The session's files as the shell sees them, noting what each command reads, so that the log
/// keeps only the files a replay needs.
struct Watched {
    files: Vec<(String, String)>,
    seen: Rc<RefCell<Seen>>,
}

impl Files for Watched {
    fn read(&self, path: &str) -> Option<String> {
        let p = path.trim_start_matches("./");
        self.seen.borrow_mut().read.push(p.to_string());
        self.files.iter().find(|(n, _)| n == p).map(|(_, t)| t.clone())
    }
    fn list(&self) -> Vec<String> {
        self.seen.borrow_mut().listed = true;
        self.files.iter().map(|(n, _)| n.clone()).collect()
    }
}

/// The seed manifests a new playground opens with.
pub fn starter_files() -> Vec<(String, String)> {
    vec![
        (
            "deploy-test01.yml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: deploy-test01\nspec:\n  replicas: \
                3\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: \
                web-deploy\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: \
                web-deploy\n    spec:\n      containers:\n        - name: nginx\n          image: nginx:latest\n"
                .into(),
        ),
        (
            "service-test01.yml".into(),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: \
                web-service-nodeport\nspec:\n  selector:\n    app.kubernetes.io/name: web-deploy\n  type: \
                NodePort\n  ports:\n    - protocol: TCP\n      nodePort: 31001\n      port: 80\n      targetPort: 80\n"
                .into(),
        ),
    ]
}

impl Session {
    pub fn new(seed: u64, files: Vec<(String, String)>) -> Session {
        Session::with_lab(seed, Lab::default(), files)
    }

    /// A session on a changed lab (a lesson's port forwards, node labels).
    pub fn with_lab(seed: u64, lab: Lab, files: Vec<(String, String)>) -> Session {
        let mut shell = Shell::new(Cluster::new(lab, seed), Box::new(MemFiles(files.clone())));
        shell.live = true;
        Session {
            seed,
            shell,
            files,
            active: 0,
            log: Vec::new(),
            transcript: Vec::new(),
            dropped_lines: 0,
            history: Vec::new(),
            traces: Vec::new(),
            ran: Vec::new(),
            sent: Vec::new(),
            next_seq: 0,
            files_logged: None,
            seen: Rc::default(),
            edit_file: None,
        }
    }

    /// The number the learner's next action will get: a goal checked `since` a mark counts
    /// only commands and requests made after it (`lessons::check_since`). The numbers are
    /// the same when the saved log is replayed, so a mark can be saved with the progress.
    pub fn mark(&self) -> u64 {
        self.next_seq
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    /// Moves the requests the shell sent into `sent`.
    fn take_sent(&mut self) {
        for x in std::mem::take(&mut self.shell.sent) {
            let seq = self.seq();
            self.sent.push(Sent {
                seq,
                request: x.request,
                trace: x.trace,
            });
        }
        let n = self.sent.len();
        if n > ACTIONS_KEPT {
            self.sent.drain(..n - ACTIONS_KEPT);
        }
    }

    /// Runs a command line as typed in the terminal; returns the traces it produced.
    pub fn run(&mut self, line: &str) -> Vec<Trace> {
        // The next command ends a watch (in a script, where no Ctrl-C comes) and an edit.
        self.shell.watch = None;
        if self.shell.editing.is_some() {
            let out = self.shell.finish_edit(None);
            self.edit_ended(out);
        }
        // A line that continues a command (a here-document's body) keeps its indentation.
        let line = if self.shell.pending.is_some() {
            line.trim_end().to_string()
        } else {
            line.trim().to_string()
        };
        self.log.push(Entry::Command {
            line: line.clone(),
            files: None,
        });
        if !line.is_empty() && self.history.last() != Some(&line) {
            self.history.push(line.clone());
        }
        let traces = self.exec(&line);
        // An edit opens its file in the editor (a replay finds it there, as the learner left it).
        if let Some(e) = self.shell.editing.as_ref().filter(|_| self.edit_file.is_none()) {
            let (file, text) = (e.file.clone(), e.text.clone());
            self.active = match self.files.iter().position(|f| f.0 == file) {
                Some(i) => i,
                None => {
                    self.files.push((file.clone(), text));
                    self.files.len() - 1
                }
            };
            self.edit_file = Some(file);
        }
        // The log keeps the files the command read, when a replay would not have them as read.
        let seen = std::mem::take(&mut *self.seen.borrow_mut());
        let logged = self.files_logged.as_deref().unwrap_or(&[]);
        let stale = match seen.listed {
            true => logged != self.files.as_slice(),
            false => {
                let find =
                    |fs: &[(String, String)], n: &String| fs.iter().position(|f| f.0 == *n).map(|i| fs[i].clone());
                seen.read.iter().any(|n| find(&self.files, n) != find(logged, n))
            }
        };
        if stale {
            let needed: Vec<(String, String)> = match seen.listed {
                true => self.files.clone(),
                false => self
                    .files
                    .iter()
                    .filter(|f| seen.read.contains(&f.0))
                    .cloned()
                    .collect(),
            };
            if let Some(Entry::Command { files, .. }) = self.log.last_mut() {
                *files = Some(needed.clone());
            }
            self.files_logged = Some(needed);
        }
        traces
    }

    fn exec(&mut self, line: &str) -> Vec<Trace> {
        self.shell.files = Box::new(Watched {
            files: self.files.clone(),
            seen: self.seen.clone(),
        });
        let prompt = self.shell.prompt();
        let at = match self.shell.session() {
            shell::Session::Node(n) => format!("node/{n}"),
            shell::Session::Pod { pod, .. } if pod.0 == "default" => format!("pod/{}", pod.1),
            shell::Session::Pod { pod, .. } => format!("pod/{}/{}", pod.0, pod.1),
        };
        let continued = self.shell.pending.is_some();
        let out = self.shell.run(line);
        // A command typed over several lines is recorded once, whole, when it runs.
        if !line.is_empty() && self.shell.pending.is_none() {
            let seq = self.seq();
            let whole = if continued {
                self.shell.last_source.clone()
            } else {
                line.to_string()
            };
            self.ran.push(Ran {
                seq,
                line: whole,
                at,
                code: out.code,
                codes: std::mem::take(&mut self.shell.codes),
                inner: std::mem::take(&mut self.shell.inner),
            });
            let n = self.ran.len();
            if n > ACTIONS_KEPT {
                self.ran.drain(..n - ACTIONS_KEPT);
            }
        }
        self.take_sent();
        self.transcript.push(TermLine {
            prompt,
            command: line.to_string(),
            output: out.text,
        });
        self.trim_transcript();
        self.remember(&out.traces);
        out.traces
    }

    /// Keeps the transcript's newest `TRANSCRIPT_ENTRIES` entries and `TRANSCRIPT_BYTES` bytes.
    fn trim_transcript(&mut self) {
        let size = |t: &TermLine| t.command.len() + t.output.len();
        let mut bytes: usize = self.transcript.iter().map(size).sum();
        let mut cut = 0;
        while self.transcript.len() - cut > 1
            && (self.transcript.len() - cut > TRANSCRIPT_ENTRIES || bytes > TRANSCRIPT_BYTES)
        {
            let t = &self.transcript[cut];
            bytes -= size(t);
            self.dropped_lines += 1 + t.output.lines().count();
            cut += 1;
        }
        self.transcript.drain(..cut);
        if let Some(t) = self.transcript.last_mut().filter(|t| t.output.len() > TRANSCRIPT_BYTES) {
            let mut from = t.output.len() - TRANSCRIPT_BYTES;
            while !t.output.is_char_boundary(from) {
                from += 1;
            }
            // Whole lines only: from the line after the cut.
            from = t.output[from..].find('\n').map_or(t.output.len(), |i| from + i + 1);
            self.dropped_lines += t.output[..from].matches('\n').count();
            t.output.drain(..from);
        }
    }

    fn remember(&mut self, traces: &[Trace]) {
        self.traces.extend(traces.iter().cloned());
        let n = self.traces.len();
        if n > 50 {
            self.traces.drain(..n - 50);
        }
    }

    /// Time passing while the page is open.
    pub fn tick(&mut self, secs: i64) {
        // An open watch looks once a simulated second (the page's clock ticks one at a time,
        // a replay many at once), for ten minutes of a long jump at most.
        if self.shell.watch.is_some() {
            let steps = secs.clamp(0, 600);
            for _ in 0..steps {
                self.shell.cluster.advance(1);
                self.watch_output();
            }
            self.shell.cluster.advance(secs - steps);
            self.watch_output();
        } else {
            self.shell.cluster.advance(secs);
        }
        match self.log.last_mut() {
            Some(Entry::Tick(n)) => *n += secs,
            _ => self.log.push(Entry::Tick(secs)),
        }
    }

    /// The page's language, for what the lab itself says in the terminal (`trace`'s notes).
    pub fn set_lang(&mut self, lang: crate::i18n::Lang) {
        self.shell.narrate = match lang {
            crate::i18n::Lang::Ko => Some(crate::hopwords::trace_ko),
            crate::i18n::Lang::En => None,
        };
    }

    /// Adds what an open watch printed to the terminal, under its command.
    fn watch_output(&mut self) {
        if let Some(text) = self.shell.watch_poll().filter(|t| !t.is_empty()) {
            self.print(&text);
        }
    }

    /// Adds text to the output of the last command in the terminal.
    fn print(&mut self, text: &str) {
        if let Some(t) = self.transcript.last_mut() {
            t.output.push_str(text);
        }
        self.trim_transcript();
    }

    /// What holds the terminal: a watch or an edit, which Ctrl-C ends.
    pub fn held(&self) -> Option<Hold> {
        match (&self.shell.watch, &self.shell.editing) {
            (Some(_), _) => Some(Hold::Watch),
            (_, Some(e)) => Some(Hold::Edit(e.file.clone())),
            _ => None,
        }
    }

    /// Ctrl-C: ends a watch (`^C`), leaves an edit without saving, or drops a line left
    /// unfinished. Whether there was one.
    pub fn interrupt(&mut self) -> bool {
        // A watch and an edit never hold the terminal together: each stops the rest of its line.
        let done = if self.shell.editing.is_some() {
            let out = self.shell.finish_edit(None);
            self.edit_ended(out);
            true
        } else if self.shell.watch.take().is_some() || self.shell.interrupt() {
            self.print("^C\n");
            self.shell.status = 130;
            true
        } else {
            false
        };
        if done {
            self.log.push(Entry::Interrupt);
        }
        done
    }

    /// Saves the file of the edit in progress with `text`: kubectl applies it, or reopens it
    /// with the failures.
    pub fn save_edit(&mut self, text: &str) {
        if self.shell.editing.is_none() {
            return;
        }
        self.log.push(Entry::Save(text.to_string()));
        let out = self.shell.finish_edit(Some(text));
        self.edit_ended(out);
    }

    /// After the editor closed: its output in the terminal, and the file reopened, closed
    /// (kubectl removes it), or kept (when the changes were not saved).
    fn edit_ended(&mut self, out: shell::Output) {
        self.print(&out.text);
        self.shell.status = out.code;
        let (file, text) = match &self.shell.editing {
            Some(e) => (e.file.clone(), Some(e.text.clone())),
            None => match self.edit_file.take() {
                Some(f) => (f, None),
                None => return,
            },
        };
        let at = self.files.iter().position(|f| f.0 == file);
        match (text, at) {
            (Some(t), Some(i)) => self.files[i].1 = t,
            (None, Some(i)) if out.code == 0 => {
                self.files.remove(i);
                self.active = self.active.min(self.files.len().saturating_sub(1));
            }
            _ => {}
        }
    }

    /// Sends `count` requests from the PC, as curl would; returns their traces.
    pub fn send(&mut self, url: &str, count: usize) -> Vec<Trace> {
        self.log.push(Entry::Send {
            url: url.to_string(),
            count,
        });
        self.exec_send(url, count)
    }

    fn exec_send(&mut self, url: &str, count: usize) -> Vec<Trace> {
        let args = vec!["-s".to_string(), "-o".into(), "/dev/null".into(), url.to_string()];
        let traces: Vec<Trace> = (0..count.min(200))
            .flat_map(|_| self.shell.curl(&Client::Pc, &args, true, "8.7.1").traces)
            .collect();
        self.take_sent();
        self.remember(&traces);
        traces
    }

    /// Starts the cluster over with the same seed; files and history stay. The commands and
    /// requests recorded for grading go with the old cluster, and numbering starts again at 0
    /// (as a replay of the saved log does): take a new mark after a reset.
    pub fn reset(&mut self) {
        let files = std::mem::take(&mut self.files);
        let history = std::mem::take(&mut self.history);
        *self = Session::with_lab(self.seed, self.shell.cluster.lab.clone(), files);
        self.history = history;
    }

    /// The saved form: seed, files, history and the replay log, as JSON.
    pub fn to_json(&self) -> String {
        self.to_json_with(Vec::new())
    }

    /// The saved form with extra top-level fields (a share link's lesson and language). Each
    /// distinct file text is written once, in `texts`; files name their text by its index, so a
    /// large file kept unchanged across many commands costs its size once.
    pub fn to_json_with(&self, extra: Vec<(&str, Value)>) -> String {
        fn files<'a>(fs: &'a [(String, String)], texts: &mut Vec<&'a str>) -> Value {
            Value::Seq(
                fs.iter()
                    .map(|(n, t)| {
                        let i = texts.iter().position(|x| *x == t.as_str()).unwrap_or_else(|| {
                            texts.push(t);
                            texts.len() - 1
                        });
                        Value::Seq(vec![Value::str(n.as_str()), Value::Int(i as i64)])
                    })
                    .collect(),
            )
        }
        let mut texts: Vec<&str> = Vec::new();
        let now = files(&self.files, &mut texts);
        let log = self
            .log
            .iter()
            .map(|e| match e {
                Entry::Command { line, files: f } => Value::Seq(vec![
                    Value::str("cmd"),
                    Value::str(line.as_str()),
                    f.as_ref().map_or(Value::Null, |f| files(f, &mut texts)),
                ]),
                Entry::Tick(n) => Value::Seq(vec![Value::str("tick"), Value::Int(*n)]),
                Entry::Interrupt => Value::Seq(vec![Value::str("interrupt")]),
                Entry::Save(t) => Value::Seq(vec![Value::str("save"), Value::str(t.as_str())]),
                Entry::Send { url, count } => Value::Seq(vec![
                    Value::str("send"),
                    Value::str(url.as_str()),
                    Value::Int(*count as i64),
                ]),
            })
            .collect();
        let mut fields = vec![
            ("v", Value::Int(FORMAT)),
            ("seed", Value::Int(self.seed as i64)),
            ("active", Value::Int(self.active as i64)),
            ("texts", Value::Seq(texts.into_iter().map(Value::str).collect())),
            ("files", now),
            (
                "history",
                Value::Seq(self.history.iter().map(|h| Value::str(h.as_str())).collect()),
            ),
            ("log", Value::Seq(log)),
        ];
        fields.extend(extra);
        Value::map(fields).to_json()
    }

    /// Rebuilds a session from its saved form by replaying the log. `None` if the text is not
    /// a saved session this build can read.
    pub fn from_json(text: &str) -> Option<Session> {
        Session::from_json_on(text, Lab::default())
    }

    /// `from_json` for a session on a changed lab (a lesson's).
    pub fn from_json_on(text: &str, lab: Lab) -> Option<Session> {
        let mut r = Replay::new(text, lab).ok()?;
        while r.step() {}
        Some(r.finish())
    }

    /// Where the last apply of a file failed: its 1-based line and the message. Syntax errors
    /// come from the YAML parser; API errors are placed at the field they name.
    pub fn error_line(&self, file: &str, output: &str) -> Option<(usize, String)> {
        let text = &self.files.iter().find(|(n, _)| n == file)?.1;
        let (docs, err) = yaml::parse_stream(text);
        if let Some(e) = err {
            return Some((e.file_line.unwrap_or(1), e.message));
        }
        let line = output.lines().find(|l| {
            l.contains("invalid")
                || l.contains("unknown field")
                || l.contains("cannot unmarshal")
                || l.starts_with("error")
        })?;
        // The object the error names: `Service "web"` or `Deployment.apps "web"`.
        let name = line.split('"').nth(1).unwrap_or("");
        let doc = docs
            .iter()
            .find(|d| {
                d.value
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str)
                    == Some(name)
            })
            .or(docs.first())?;
        let field = line
            .split(|c: char| c == ' ' || c == '"')
            .map(|w| w.trim_end_matches(':').trim_matches(','))
            .find(|w| (w.starts_with("spec.") || w.starts_with("metadata.")) && !w.ends_with('.'))
            .map(|w| w.trim_start_matches('['));
        let at = field
            .and_then(|f| yaml::locate(text, doc.first_line, f))
            .unwrap_or(doc.first_line);
        Some((at, line.to_string()))
    }
}

/// A saved session being rebuilt, one log entry at a time, so that a caller can spread a long
/// replay over many slices (and stop it). Everything is checked before the first entry runs.
pub struct Replay {
    session: Session,
    entries: std::vec::IntoIter<Entry>,
    total: usize,
    files: Vec<(String, String)>,
    active: usize,
    history: Vec<String>,
}

impl Replay {
    pub fn new(text: &str, lab: Lab) -> Result<Replay, LoadError> {
        use LoadError::Damaged;
        let (docs, err) = yaml::parse_stream(text);
        if err.is_some() {
            return Err(Damaged);
        }
        let v = docs.into_iter().next().ok_or(Damaged)?.value;
        match v.get("v") {
            Some(Value::Int(1..=FORMAT)) => {}
            Some(other) => return Err(LoadError::Version(other.to_json())),
            None => return Err(Damaged),
        }
        let texts: Vec<&str> = match v.get("texts") {
            Some(Value::Seq(t)) => t.iter().map(Value::as_str).collect::<Option<_>>().ok_or(Damaged)?,
            None => Vec::new(),
            _ => return Err(Damaged),
        };
        let files_of = |v: &Value| -> Option<Vec<(String, String)>> {
            let Value::Seq(items) = v else { return None };
            items
                .iter()
                .map(|i| match i {
                    Value::Seq(p) if p.len() == 2 => Some((
                        p[0].as_str()?.to_string(),
                        match &p[1] {
                            Value::Int(k) => texts.get(usize::try_from(*k).ok()?)?.to_string(),
                            t => t.as_str()?.to_string(),
                        },
                    )),
                    _ => None,
                })
                .collect()
        };
        let seed = match v.get("seed") {
            Some(Value::Int(i)) => *i as u64,
            _ => return Err(Damaged),
        };
        let files = v.get("files").and_then(files_of).ok_or(Damaged)?;
        let log = match v.get("log") {
            Some(Value::Seq(log)) => log.as_slice(),
            None => &[],
            _ => return Err(Damaged),
        };
        let entries = log
            .iter()
            .map(|e| {
                let Value::Seq(parts) = e else { return None };
                Some(match (parts.first()?.as_str()?, parts.get(1).unwrap_or(&Value::Null)) {
                    ("interrupt", Value::Null) => Entry::Interrupt,
                    ("save", Value::Str(t)) => Entry::Save(t.clone()),
                    ("cmd", Value::Str(line)) => Entry::Command {
                        line: line.clone(),
                        files: match parts.get(2) {
                            None | Some(Value::Null) => None,
                            Some(f) => Some(files_of(f)?),
                        },
                    },
                    ("tick", Value::Int(n)) => Entry::Tick(*n),
                    ("send", Value::Str(url)) => Entry::Send {
                        url: url.clone(),
                        count: match parts.get(2) {
                            Some(Value::Int(c)) => usize::try_from(*c).ok()?,
                            _ => 1,
                        },
                    },
                    _ => return None,
                })
            })
            .collect::<Option<Vec<Entry>>>()
            .ok_or(Damaged)?;
        let active = match v.get("active") {
            Some(Value::Int(a)) => usize::try_from(*a).unwrap_or(0),
            _ => 0,
        };
        let history = match v.get("history") {
            Some(Value::Seq(h)) => h.iter().filter_map(|x| x.as_str().map(String::from)).collect(),
            _ => Vec::new(),
        };
        Ok(Replay {
            session: Session::with_lab(seed, lab, Vec::new()),
            total: entries.len(),
            entries: entries.into_iter(),
            files,
            active,
            history,
        })
    }

    /// The page's language for the replayed terminal (`Session::set_lang`).
    pub fn set_lang(&mut self, lang: crate::i18n::Lang) {
        self.session.set_lang(lang);
    }

    /// Replays the next entry; `false` when none is left.
    pub fn step(&mut self) -> bool {
        let s = &mut self.session;
        match self.entries.next() {
            Some(Entry::Command { line, files }) => {
                if let Some(f) = files {
                    s.files = f;
                }
                s.run(&line);
            }
            Some(Entry::Tick(n)) => s.tick(n),
            Some(Entry::Interrupt) => {
                s.interrupt();
            }
            Some(Entry::Save(t)) => s.save_edit(&t),
            Some(Entry::Send { url, count }) => {
                s.send(&url, count);
            }
            None => return false,
        }
        self.entries.len() > 0
    }

    /// Entries replayed and entries in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.total - self.entries.len(), self.total)
    }

    /// The session as replayed so far, with the saved files, history and selected file. Stopped
    /// early, its log holds only the entries replayed.
    pub fn finish(self) -> Session {
        let mut s = self.session;
        s.files = self.files;
        s.files_logged = None;
        s.active = self.active.min(s.files.len().saturating_sub(1));
        s.history = self.history;
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_session_replays_to_the_same_cluster() {
        let mut s = Session::new(5, starter_files());
        s.run("kubectl apply -f deploy-test01.yml");
        s.tick(20);
        s.files[1].1 = s.files[1].1.replace("31001", "31002");
        s.run("kubectl apply -f service-test01.yml");
        s.send("http://127.0.0.1:31051", 3);
        s.run("kubectl get pods -o wide");
        let saved = s.to_json();
        let r = Session::from_json(&saved).expect("loads");
        assert_eq!(r.transcript, s.transcript);
        assert_eq!(r.files, s.files);
        assert_eq!(r.shell.cluster.now, s.shell.cluster.now);
        assert_eq!(r.to_json(), saved);
        assert!(Session::from_json("not json at all: [").is_none());
    }

    #[test]
    fn a_watch_streams_as_the_clock_runs_until_ctrl_c_and_replays_the_same() {
        let mut s = Session::new(5, starter_files());
        s.run("kubectl get pods -w");
        assert_eq!(s.held(), Some(Hold::Watch));
        assert_eq!(
            s.transcript.last().unwrap().output,
            "",
            "no pods yet, and no 'No resources found'"
        );
        s.run("kubectl apply -f deploy-test01.yml");
        assert_eq!(s.held(), None, "the next command ends the watch");
        s.run("kubectl get pods --watch");
        let first = s.transcript.last().unwrap().output.clone();
        assert!(
            first.starts_with("NAME ") && first.contains("ContainerCreating"),
            "{first}"
        );
        for _ in 0..20 {
            s.tick(1);
        }
        let out = s.transcript.last().unwrap().output.clone();
        assert!(
            out.len() > first.len() && out[first.len()..].contains(" Running "),
            "{out}"
        );
        assert!(s.interrupt());
        let out = s.transcript.last().unwrap().output.clone();
        assert!(out.ends_with("Running             0          6s\n^C\n"), "{out}");
        s.tick(30);
        assert!(!s.interrupt(), "nothing left to interrupt");
        s.run("echo $?");
        assert_eq!(s.transcript.last().unwrap().output, "130\n");
        // An unfinished line goes with Ctrl-C; the next line starts afresh.
        s.run("for i in 1 2; do");
        assert!(s.shell.pending.is_some());
        assert!(s.interrupt());
        assert_eq!(s.transcript.last().unwrap().output, "^C\n");
        s.run("echo done");
        assert_eq!(s.transcript.last().unwrap().output, "done\n");
        let r = Session::from_json(&s.to_json()).expect("loads");
        assert_eq!(r.transcript, s.transcript);
    }

    #[test]
    fn an_edit_opens_a_file_reopens_it_with_the_failures_and_applies_a_good_save() {
        let mut s = Session::new(5, starter_files());
        s.run("kubectl apply -f service-test01.yml");
        s.run("kubectl edit service/web-service-nodeport; echo after");
        let Some(Hold::Edit(file)) = s.held() else {
            panic!("no edit")
        };
        assert!(
            file.starts_with("/tmp/kubectl-edit-") && file.ends_with(".yaml"),
            "{file}"
        );
        assert_eq!(s.files[s.active].0, file);
        let opened = s.files[s.active].1.clone();
        assert!(opened.starts_with("# Please edit the object below.") && opened.contains("nodePort: 31001"));
        // A port outside the range: kubectl says the object is invalid and reopens the file.
        let bad = opened.replace("nodePort: 31001", "nodePort: 80");
        s.save_edit(&bad);
        assert_eq!(
            s.transcript.last().unwrap().output,
            "error: services \"web-service-nodeport\" is invalid\n"
        );
        let reopened = s.files[s.active].1.clone();
        assert!(
            reopened.contains(
                "#\n# services \"web-service-nodeport\" was not valid:\n# * spec.ports[0].nodePort: Invalid value: 80: \
                 provided port is not in the valid range. The range of valid ports is 30000-32767\n#\n"
            ),
            "{reopened}"
        );
        // Saved again unchanged: kubectl gives up and keeps the file.
        s.save_edit(&reopened);
        assert!(s.transcript.last().unwrap().output.ends_with(&format!(
            "A copy of your changes has been stored to \"{file}\"\nerror: Edit cancelled, no valid changes were saved.\n"
        )));
        assert_eq!(s.held(), None);
        assert!(s.files.iter().any(|f| f.0 == file), "the learner's text is kept");
        assert!(
            !s.transcript.last().unwrap().output.contains("after"),
            "the rest of the line went with the edit"
        );
        // A good save changes the object; the file goes.
        s.tick(60);
        s.run("kubectl edit svc web-service-nodeport");
        let Some(Hold::Edit(second)) = s.held() else {
            panic!("no edit")
        };
        let text = s.files[s.active].1.replace("nodePort: 31001", "nodePort: 31005");
        s.save_edit(&text);
        assert_eq!(
            s.transcript.last().unwrap().output,
            "service/web-service-nodeport edited\n"
        );
        assert!(!s.files.iter().any(|f| f.0 == second));
        s.run("kubectl get svc web-service-nodeport -o jsonpath={.spec.ports[0].nodePort}");
        assert_eq!(s.transcript.last().unwrap().output, "31005");
        // Left without saving, or saved as opened: no change.
        s.run("kubectl edit svc web-service-nodeport");
        assert!(s.interrupt());
        assert_eq!(
            s.transcript.last().unwrap().output,
            "Edit cancelled, no changes made.\n"
        );
        let r = Session::from_json(&s.to_json()).expect("loads");
        assert_eq!(r.transcript, s.transcript);
        assert_eq!(r.files, s.files);
    }

    #[test]
    fn commands_and_requests_are_recorded_with_their_outcome_and_replayed() {
        let mut s = Session::new(5, starter_files());
        s.run("kubectl apply -f deploy-test01.yml -f service-test01.yml");
        s.tick(30);
        let mark = s.mark();
        s.run("kubectl get pods --bogus");
        s.run("host curl -s http://127.0.0.1:31051");
        s.send("http://127.0.0.1:31061", 2);
        assert_eq!(s.ran.len(), 3);
        assert!(s.ran[1].code != 0 && s.ran[2].code == 0);
        assert_eq!(s.ran[2].at, "node/myserver01");
        assert_eq!(s.sent.len(), 3);
        assert!(s.sent.iter().all(|x| x.seq > mark && x.trace.client.label() == "pc"));
        assert_eq!(s.sent[1].request.port, 31061);
        assert!(s.shell.sent.is_empty(), "the session took them");
        let r = Session::from_json(&s.to_json()).expect("loads");
        assert_eq!((r.ran.clone(), r.mark()), (s.ran.clone(), s.mark()));
        assert_eq!(r.sent, s.sent);
        s.reset();
        assert!(s.ran.is_empty() && s.sent.is_empty() && s.mark() == 0);
    }

    #[test]
    fn a_command_over_several_lines_is_recorded_once_whole() {
        let mut s = Session::new(5, starter_files());
        s.run("cat <<EOF | kubectl apply -f -");
        s.run("apiVersion: v1");
        s.run("kind: Service");
        s.run("metadata:");
        s.run("  name: typed");
        s.run("spec:");
        s.run("  ports:");
        s.run("  - port: 80");
        s.run("EOF");
        assert_eq!(s.ran.len(), 1);
        assert_eq!(s.ran[0].code, 0);
        assert!(s.ran[0].line.starts_with("cat <<EOF") && s.ran[0].line.contains("\n  name: typed\n"));
        assert_eq!(
            s.transcript.last().map(|t| t.output.as_str()),
            Some("service/typed created\n")
        );
        let r = Session::from_json(&s.to_json()).expect("loads");
        assert!(r
            .shell
            .cluster
            .services
            .contains_key(&("default".into(), "typed".into())));
        assert_eq!(r.ran, s.ran);
    }

    #[test]
    fn errors_point_at_their_line() {
        let mut s = Session::new(
            1,
            vec![(
                "svc.yml".into(),
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: \
            web\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 80\n"
                    .into(),
            )],
        );
        s.run("kubectl apply -f svc.yml");
        let out = s.transcript.last().unwrap().output.clone();
        assert_eq!(s.error_line("svc.yml", &out).map(|e| e.0), Some(9));
        s.files[0].1 = "apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n".into();
        assert_eq!(s.error_line("svc.yml", "").map(|e| e.0), Some(4));
    }

    #[test]
    fn saves_carry_a_checked_version_and_refuse_damage() {
        let mut s = Session::new(5, starter_files());
        s.run("kubectl get nodes");
        let saved = s.to_json();
        assert!(saved.starts_with("{\"active\":0,\"files\":"), "{saved}");
        let v999 = saved.replace("\"v\":2", "\"v\":999");
        assert_eq!(
            Replay::new(&v999, Lab::default()).err(),
            Some(LoadError::Version("999".into()))
        );
        let cut = &saved[..saved.len() / 2];
        for bad in [cut, "", "\"\"", "[]", "{\"seed\": 1, \"files\": []}", "garbage {"] {
            assert_eq!(
                Replay::new(bad, Lab::default()).err(),
                Some(LoadError::Damaged),
                "{bad}"
            );
        }
        // Format 1 wrote each file's text inline; it still opens.
        let v1 = "{\"v\":1,\"seed\":5,\"files\":[[\"a.yml\",\"x: 1\\n\"]],\"log\":[[\"cmd\",\"cat a.yml\",[[\"a.yml\",\"x: 1\\n\"]]]]}";
        let r = Session::from_json(v1).expect("format 1");
        assert_eq!(r.transcript[0].output, "x: 1\n");
    }

    #[test]
    fn a_large_file_is_saved_once_however_many_commands_see_it() {
        let big = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: \"{}\"\n",
            "x".repeat(200_000)
        );
        let mut s = Session::new(5, vec![("big.yml".into(), big), ("small.yml".into(), "a: 1\n".into())]);
        for i in 0..5 {
            s.files[1].1 = format!("a: {i}\n");
            // Edited between commands that do not read it: only its last text is saved.
            s.files[0].1.push_str(&format!("  e{i}: \"1\"\n"));
            s.run("cat small.yml");
        }
        let saved = s.to_json();
        assert!(saved.len() < 210_000, "{}", saved.len());
        s.run("kubectl apply -f big.yml");
        s.files[0].1.push_str("  last: \"1\"\n");
        s.run("kubectl apply -f big.yml");
        s.run("ls");
        let saved = s.to_json();
        assert!(saved.len() < 2 * 210_000, "read twice, as two texts: {}", saved.len());
        let r = Session::from_json(&saved).expect("loads");
        assert_eq!(
            (r.files.clone(), r.transcript.clone()),
            (s.files.clone(), s.transcript.clone())
        );
        assert_eq!(r.to_json(), saved);
        let r = Session::from_json(&saved).expect("loads");
        assert_eq!(
            (r.files.clone(), r.transcript.clone()),
            (s.files.clone(), s.transcript.clone())
        );
    }

    #[test]
    fn the_transcript_keeps_a_bounded_tail_and_counts_the_rest() {
        let lines = "line\n".repeat(100_000);
        let mut s = Session::new(5, vec![("a.txt".into(), lines)]);
        s.run("cat a.txt");
        let out = &s.transcript[0].output;
        assert!(out.len() <= TRANSCRIPT_BYTES && out.starts_with("line\n"));
        assert_eq!(s.dropped_lines + out.lines().count(), 100_000);
        for _ in 0..400 {
            s.run("hostname");
        }
        assert_eq!(s.transcript.len(), TRANSCRIPT_ENTRIES);
        assert_eq!(s.dropped_lines, 100_000 + 1 + 2 * 100);
    }

    #[test]
    fn a_replay_runs_step_by_step_and_can_stop() {
        let mut s = Session::new(5, starter_files());
        for _ in 0..4 {
            s.run("hostname");
        }
        let mut r = Replay::new(&s.to_json(), Lab::default()).expect("reads");
        assert_eq!(r.progress(), (0, 4));
        assert!(r.step() && r.step());
        assert_eq!(r.progress(), (2, 4));
        let part = r.finish();
        assert_eq!(
            (part.transcript.len(), part.log.len(), part.files.clone()),
            (2, 2, s.files.clone())
        );
    }
}
