//! Lessons as data: a folder per lesson under `lessons/` with a `lesson.yaml`, prose in
//! `intro.en.md` and `intro.ko.md`, and the manifests the editor starts with. This module reads
//! that data and checks a step's goals against a learner's session; it knows no lesson by
//! name. The format is documented in `lessons/README.md`.

use crate::i18n::Lang;
use crate::session::Session;
use crate::sim::value::Value;
use crate::sim::yaml;

/// A text in both languages.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Text {
    pub en: String,
    pub ko: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ko => &self.ko,
        }
    }
}

/// What must be true of the cluster, or of what the learner did, for a step to pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// An object exists (`kind`, `name`; lessons work in the `default` namespace).
    Exists { kind: String, name: String },
    /// An object does not exist.
    Absent { kind: String, name: String },
    /// A field of the object as `-o yaml` shows it has this value (`path` like `spec.type`).
    Field {
        kind: String,
        name: String,
        path: String,
        equals: String,
    },
    /// A Service has this many ready endpoints.
    Endpoints { service: String, count: usize },
    /// A Deployment has this many ready replicas.
    Ready { deployment: String, count: i64 },
    /// The learner ran this command and it succeeded (exit status 0). Compared as kubectl
    /// reads it (`command::pattern`): short names, flag forms and orders do not matter; more
    /// names and flags are allowed. Text that names no known program is matched as text.
    /// `also`: other commands that count as well (`ran: [A, B]` in lesson.yaml).
    Ran { command: String, also: Vec<String> },
    /// The lab's state: a request from `from` (`pc`, `node/NAME`, `pod/NAME`) to `url` would
    /// end like this: an HTTP status (`200`, `404`), or `refused`, `timeout`, `reset`,
    /// `unresolved`, `not-http`. Sent on a copy of the cluster.
    Request { from: String, url: String, outcome: String },
    /// The learner sent a request from `from` (`pc`, `node`, `node/NAME`, `pod`,
    /// `pod/NAME`, `any`) to `url` (a Service by name, short or full, or by its ClusterIP)
    /// with this `Host` header (any when `None`, compared without regard to case) and it
    /// ended with `outcome` (any when `None`), at least `count` times.
    Sent {
        from: String,
        url: String,
        host: Option<String>,
        outcome: Option<String>,
        count: usize,
    },
    /// One of the learner's requests passed through a hop with this rule
    /// (`DNAT`, `SNAT`, `PORT-FORWARD`, `REJECT`, `DROP`, `DNS`).
    Trace { rule: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub text: Text,
    pub goals: Vec<Goal>,
    pub hint: Text,
    pub solution: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub id: String,
    pub order: i64,
    pub title: Text,
    pub intro: Text,
    pub seed: u64,
    pub lab: Value,
    pub files: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

fn text(v: Option<&Value>, what: &str) -> Result<Text, String> {
    let v = v.ok_or(format!("{what}: missing"))?;
    let get = |l: &str| {
        v.get(l)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    Ok(Text {
        en: get("en").ok_or(format!("{what}: no English text (en)"))?,
        ko: get("ko").ok_or(format!("{what}: no Korean text (ko)"))?,
    })
}

fn string(v: &Value, k: &str, what: &str) -> Result<String, String> {
    match v.get(k) {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(Value::Int(i)) => Ok(i.to_string()),
        _ => Err(format!("{what}: `{k}` is required")),
    }
}

/// The data tree of a lesson's `lesson.yaml`.
fn read_meta(folder: &str, lesson_yaml: &str) -> Result<Value, String> {
    let (docs, err) = yaml::parse_stream(lesson_yaml);
    if let Some(e) = err {
        return Err(format!("{folder}/lesson.yaml: {}", e.message));
    }
    docs.into_iter()
        .next()
        .map(|d| d.value)
        .ok_or(format!("{folder}/lesson.yaml is empty"))
}

fn goal(v: &Value, what: &str) -> Result<Goal, String> {
    let Value::Map(entries) = v else {
        return Err(format!("{what}: a goal is a mapping"));
    };
    let [(name, body)] = entries.as_slice() else {
        return Err(format!("{what}: a goal has exactly one key"));
    };
    let w = format!("{what} {name}");
    Ok(match name.as_str() {
        "exists" => Goal::Exists {
            kind: string(body, "kind", &w)?,
            name: string(body, "name", &w)?,
        },
        "absent" => Goal::Absent {
            kind: string(body, "kind", &w)?,
            name: string(body, "name", &w)?,
        },
        "field" => Goal::Field {
            kind: string(body, "kind", &w)?,
            name: string(body, "name", &w)?,
            path: string(body, "path", &w)?,
            equals: string(body, "equals", &w)?,
        },
        "endpoints" => Goal::Endpoints {
            service: string(body, "service", &w)?,
            count: string(body, "count", &w)?
                .parse()
                .map_err(|_| format!("{w}: count is a number"))?,
        },
        "ready" => Goal::Ready {
            deployment: string(body, "deployment", &w)?,
            count: string(body, "count", &w)?
                .parse()
                .map_err(|_| format!("{w}: count is a number"))?,
        },
        "ran" => {
            let one = |v: &Value| {
                v.as_str()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(String::from)
                    .ok_or(format!("{w}: give the command text, or a list of commands"))
            };
            let mut all = match body {
                Value::Seq(items) if !items.is_empty() => items.iter().map(one).collect::<Result<Vec<_>, _>>()?,
                other => vec![one(other)?],
            };
            let command = all.remove(0);
            Goal::Ran { command, also: all }
        }
        "request" => Goal::Request {
            from: from(body, &w, false)?,
            url: url(body, &w)?,
            outcome: outcome(&string(body, "outcome", &w)?, &w)?,
        },
        "sent" => Goal::Sent {
            from: from(body, &w, true)?,
            url: url(body, &w)?,
            host: body.get("host").map(|_| string(body, "host", &w)).transpose()?,
            outcome: match body.get("outcome") {
                None => None,
                Some(_) => Some(outcome(&string(body, "outcome", &w)?, &w)?),
            },
            count: match body.get("count") {
                None => 1,
                Some(Value::Int(n)) if (1..=200).contains(n) => *n as usize,
                Some(_) => return Err(format!("{w}: count is a number from 1 to 200")),
            },
        },
        "trace" => {
            let rule = body.as_str().ok_or(format!("{w}: give a rule name"))?.to_string();
            if !RULE_NAMES.contains(&rule.as_str()) {
                return Err(format!("{w}: unknown rule `{rule}`; one of {}", RULE_NAMES.join(", ")));
            }
            Goal::Trace { rule }
        }
        other => return Err(format!("{what}: unknown goal `{other}`")),
    })
}

/// `from:` of a request goal: `pc`, `node/NAME`, `pod/NAME`; a `sent` goal also takes
/// `node`, `pod` (any) and `any`.
fn from(body: &Value, w: &str, any: bool) -> Result<String, String> {
    let f = string(body, "from", w)?;
    let ok = match f.split_once('/') {
        None => f == "pc" || (any && matches!(f.as_str(), "node" | "pod" | "any")),
        Some(("node" | "pod", n)) => !n.is_empty(),
        _ => false,
    };
    if ok {
        Ok(f)
    } else {
        Err(format!("{w}: `from: {f}`: one of pc, node/NAME, pod/NAME"))
    }
}

fn url(body: &Value, w: &str) -> Result<String, String> {
    let u = string(body, "url", w)?;
    crate::sim::tools::parse_url(&u).map_err(|e| format!("{w}: url {u}: {e}"))?;
    Ok(u)
}

/// The outcomes a request goal may name.
pub const OUTCOMES: &[&str] = &["refused", "timeout", "reset", "unresolved", "not-http"];

fn outcome(o: &str, w: &str) -> Result<String, String> {
    let status = o.len() == 3 && o.parse::<u16>().is_ok_and(|n| (100..600).contains(&n));
    if status || OUTCOMES.contains(&o) {
        Ok(o.to_string())
    } else {
        Err(format!(
            "{w}: unknown outcome `{o}`; an HTTP status or one of {}",
            OUTCOMES.join(", ")
        ))
    }
}

impl Lesson {
    /// Reads a lesson from its folder's files: `(name, text)` pairs.
    pub fn parse(folder: &str, files: &[(String, String)]) -> Result<Lesson, String> {
        let read = |n: &str| files.iter().find(|(f, _)| f == n).map(|(_, t)| t.clone());
        let meta = read_meta(folder, &read("lesson.yaml").ok_or(format!("{folder}: no lesson.yaml"))?)?;
        let id = string(&meta, "id", folder)?;
        let intro = Text {
            en: read("intro.en.md")
                .filter(|t| !t.trim().is_empty())
                .ok_or(format!("{folder}: no intro.en.md"))?,
            ko: read("intro.ko.md")
                .filter(|t| !t.trim().is_empty())
                .ok_or(format!("{folder}: no intro.ko.md"))?,
        };
        let mut lesson_files = Vec::new();
        if let Some(Value::Seq(names)) = meta.get("files") {
            for n in names {
                let n = n.as_str().ok_or(format!("{folder}: files are names"))?;
                lesson_files.push((
                    n.to_string(),
                    read(n).ok_or(format!("{folder}: file {n} is listed but missing"))?,
                ));
            }
        }
        let mut steps = Vec::new();
        let Some(Value::Seq(raw_steps)) = meta.get("steps") else {
            return Err(format!("{folder}: no steps"));
        };
        for (i, s) in raw_steps.iter().enumerate() {
            let w = format!("{folder} step {}", i + 1);
            let goals = match s.get("goal") {
                Some(Value::Seq(gs)) if !gs.is_empty() => {
                    gs.iter().map(|g| goal(g, &w)).collect::<Result<Vec<_>, _>>()?
                }
                _ => return Err(format!("{w}: a step needs at least one goal")),
            };
            let solution = match s.get("solution") {
                Some(Value::Seq(cmds)) => cmds
                    .iter()
                    .map(|c| {
                        c.as_str()
                            .map(String::from)
                            .ok_or(format!("{w}: solution lines are text"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                _ => return Err(format!("{w}: a step needs a solution")),
            };
            steps.push(Step {
                text: text(s.get("text"), &format!("{w} text"))?,
                goals,
                hint: text(s.get("hint"), &format!("{w} hint"))?,
                solution,
            });
        }
        Ok(Lesson {
            id,
            order: match meta.get("order") {
                Some(Value::Int(i)) => *i,
                _ => 0,
            },
            title: text(meta.get("title"), &format!("{folder} title"))?,
            intro,
            seed: match meta.get("seed") {
                Some(Value::Int(i)) if *i >= 0 => *i as u64,
                _ => 1,
            },
            lab: meta.get("lab").cloned().unwrap_or(Value::Null),
            files: lesson_files,
            steps,
        })
    }

    /// A session set up for this lesson: its seed, its lab changes, its files.
    pub fn start(&self) -> Result<Session, String> {
        Ok(Session::with_lab(self.seed, self.lab()?, self.files.clone()))
    }

    /// The lab with this lesson's changes applied.
    pub fn lab(&self) -> Result<crate::sim::lab::Lab, String> {
        let mut lab = crate::sim::lab::Lab::default();
        if !self.lab.is_null() {
            lab.apply_changes(&self.lab)?;
        }
        Ok(lab)
    }
}

pub use crate::grading::{check, check_since, describe, why, why_since};

/// The rule names a trace goal may use (`Rule::name`).
pub const RULE_NAMES: &[&str] = &[
    "SEND",
    "PORT-FORWARD",
    "DNS",
    "DNAT",
    "SNAT",
    "ROUTE",
    "DELIVER",
    "RESPOND",
    "REJECT",
    "DROP",
    "RST",
];

/// Every lesson folder under `dir`, read from disk (the command line and tests; the browser
/// fetches the same files).
#[cfg(not(target_arch = "wasm32"))]
pub fn load_dir(dir: &std::path::Path) -> Result<Vec<Lesson>, String> {
    let mut out = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .collect();
    folders.sort_unstable_by_key(|e| e.file_name());
    for f in folders {
        let name = f.file_name().to_string_lossy().into_owned();
        let mut files = Vec::new();
        for e in std::fs::read_dir(f.path())
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok())
        {
            if e.path().is_file() {
                files.push((
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).map_err(|e| e.to_string())?,
                ));
            }
        }
        out.push(Lesson::parse(&name, &files)?);
    }
    out.sort_unstable_by_key(|l| l.order);
    Ok(out)
}

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// What the lesson index shows of a lesson, from its `lesson.yaml` alone.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub id: String,
    pub title: Text,
    pub steps: usize,
}

pub fn summary(folder: &str, lesson_yaml: &str) -> Result<Summary, String> {
    let meta = read_meta(folder, lesson_yaml)?;
    Ok(Summary {
        id: string(&meta, "id", folder)?,
        title: text(meta.get("title"), &format!("{folder} title"))?,
        steps: match meta.get("steps") {
            Some(Value::Seq(s)) => s.len(),
            _ => 0,
        },
    })
}

/// The folder of the lesson with this id, and the id of the lesson after it.
pub fn locate(id: &str) -> Option<(&'static str, &'static [&'static str], Option<&'static str>)> {
    let i = LESSON_INDEX.iter().position(|(_, lid, _)| *lid == id)?;
    let (folder, _, files) = LESSON_INDEX[i];
    Some((folder, files, LESSON_INDEX.get(i + 1).map(|(_, next, _)| *next)))
}
