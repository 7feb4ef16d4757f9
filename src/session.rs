//! One learner's session: the editor's files, the shell, the terminal transcript and the log
//! that reproduces the cluster. The cluster is deterministic, so the seed, the commands and the
//! files they read rebuild the same cluster: that log is what is saved, not the cluster itself.
//! No web dependency: the browser front end drives this and renders it.

use crate::sim::cluster::Cluster;
use crate::sim::lab::Lab;
use crate::sim::net::{Client, Request, Trace};
use crate::sim::shell::{self, MemFiles, Shell};
use crate::sim::value::Value;
use crate::sim::yaml;

/// One entry of the replay log.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A command line, with the files as they were when it ran (when they had changed).
    Command {
        line: String,
        files: Option<Vec<(String, String)>>,
    },
    /// Simulated seconds that passed while the page was open.
    Tick(i64),
    /// Requests sent from the PC's "send" control.
    Send { url: String, count: usize },
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

pub struct Session {
    pub seed: u64,
    pub shell: Shell,
    pub files: Vec<(String, String)>,
    pub active: usize,
    pub log: Vec<Entry>,
    pub transcript: Vec<TermLine>,
    pub history: Vec<String>,
    /// The traces of the most recent requests, newest last.
    pub traces: Vec<Trace>,
    /// The commands the learner ran on this cluster, oldest first (at most `ACTIONS_KEPT`).
    pub ran: Vec<Ran>,
    /// The requests the learner sent on this cluster, oldest first (at most `ACTIONS_KEPT`).
    pub sent: Vec<Sent>,
    next_seq: u64,
    files_logged: Option<Vec<(String, String)>>,
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
        let shell = Shell::new(Cluster::new(lab, seed), Box::new(MemFiles(files.clone())));
        Session {
            seed,
            shell,
            files,
            active: 0,
            log: Vec::new(),
            transcript: Vec::new(),
            history: Vec::new(),
            traces: Vec::new(),
            ran: Vec::new(),
            sent: Vec::new(),
            next_seq: 0,
            files_logged: None,
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
        // A line that continues a command (a here-document's body) keeps its indentation.
        let line = if self.shell.pending.is_some() {
            line.trim_end().to_string()
        } else {
            line.trim().to_string()
        };
        let snapshot = if self.files_logged.as_ref() != Some(&self.files) {
            self.files_logged = Some(self.files.clone());
            Some(self.files.clone())
        } else {
            None
        };
        self.log.push(Entry::Command {
            line: line.clone(),
            files: snapshot,
        });
        if !line.is_empty() && self.history.last() != Some(&line) {
            self.history.push(line.clone());
        }
        self.exec(&line)
    }

    fn exec(&mut self, line: &str) -> Vec<Trace> {
        self.shell.files = Box::new(MemFiles(self.files.clone()));
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
        self.remember(&out.traces);
        out.traces
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
        self.shell.cluster.advance(secs);
        match self.log.last_mut() {
            Some(Entry::Tick(n)) => *n += secs,
            _ => self.log.push(Entry::Tick(secs)),
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

    /// The saved form with extra top-level fields (a share link's lesson and language).
    pub fn to_json_with(&self, extra: Vec<(&str, Value)>) -> String {
        let files = |fs: &[(String, String)]| {
            Value::Seq(
                fs.iter()
                    .map(|(n, t)| Value::Seq(vec![Value::str(n.as_str()), Value::str(t.as_str())]))
                    .collect(),
            )
        };
        let log = self
            .log
            .iter()
            .map(|e| match e {
                Entry::Command { line, files: f } => Value::Seq(vec![
                    Value::str("cmd"),
                    Value::str(line.as_str()),
                    f.as_ref().map_or(Value::Null, |f| files(f)),
                ]),
                Entry::Tick(n) => Value::Seq(vec![Value::str("tick"), Value::Int(*n)]),
                Entry::Send { url, count } => Value::Seq(vec![
                    Value::str("send"),
                    Value::str(url.as_str()),
                    Value::Int(*count as i64),
                ]),
            })
            .collect();
        let mut fields = vec![
            ("v", Value::Int(1)),
            ("seed", Value::Int(self.seed as i64)),
            ("active", Value::Int(self.active as i64)),
            ("files", files(&self.files)),
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
    /// a saved session.
    pub fn from_json(text: &str) -> Option<Session> {
        Session::from_json_on(text, Lab::default())
    }

    /// `from_json` for a session on a changed lab (a lesson's).
    pub fn from_json_on(text: &str, lab: Lab) -> Option<Session> {
        let (docs, err) = yaml::parse_stream(text);
        if err.is_some() {
            return None;
        }
        let v = docs.into_iter().next()?.value;
        let files_of = |v: &Value| -> Option<Vec<(String, String)>> {
            let Value::Seq(items) = v else { return None };
            items
                .iter()
                .map(|i| match i {
                    Value::Seq(p) if p.len() == 2 => Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string())),
                    _ => None,
                })
                .collect()
        };
        let seed = match v.get("seed")? {
            Value::Int(i) => *i as u64,
            _ => return None,
        };
        let files = files_of(v.get("files")?)?;
        let mut s = Session::with_lab(seed, lab, Vec::new());
        if let Some(Value::Seq(log)) = v.get("log") {
            for e in log {
                let Value::Seq(parts) = e else { continue };
                match (parts.first().and_then(Value::as_str), parts.get(1)) {
                    (Some("cmd"), Some(Value::Str(line))) => {
                        if let Some(f) = parts.get(2).and_then(files_of) {
                            s.files = f;
                        }
                        s.run(line);
                    }
                    (Some("tick"), Some(Value::Int(n))) => s.tick(*n),
                    (Some("send"), Some(Value::Str(url))) => {
                        let count = match parts.get(2) {
                            Some(Value::Int(c)) => *c as usize,
                            _ => 1,
                        };
                        s.send(url, count);
                    }
                    _ => {}
                }
            }
        }
        s.files = files;
        s.files_logged = None;
        if let Some(Value::Int(a)) = v.get("active") {
            s.active = (*a as usize).min(s.files.len().saturating_sub(1));
        }
        if let Some(Value::Seq(h)) = v.get("history") {
            s.history = h.iter().filter_map(|x| x.as_str().map(String::from)).collect();
        }
        Some(s)
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
}
