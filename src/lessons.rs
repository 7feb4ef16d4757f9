//! Lessons as data: a folder per lesson under `lessons/` with a `lesson.yaml`, prose in
//! `intro.en.md` and `intro.ko.md`, and the manifests the editor starts with. This module reads
//! that data and checks a step's goals against a learner's session; it knows no lesson by
//! name. The format is documented in `lessons/README.md`.

use crate::i18n::Lang;
use crate::session::Session;
use crate::sim::cluster::key;
use crate::sim::net::{Client, Outcome, Request};
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
    /// The learner ran a command containing this text.
    Ran { command: String },
    /// A request from `from` (`pc`, `node/NAME`, `pod/NAME`) to `url` ends like this:
    /// an HTTP status (`200`, `404`), or `refused`, `timeout`, `reset`, `unresolved`.
    Request { from: String, url: String, outcome: String },
    /// One of the learner's recent requests passed through a hop with this rule
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
        "ran" => Goal::Ran {
            command: body.as_str().ok_or(format!("{w}: give the command text"))?.to_string(),
        },
        "request" => Goal::Request {
            from: string(body, "from", &w)?,
            url: string(body, "url", &w)?,
            outcome: string(body, "outcome", &w)?,
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

fn field_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (k, idx) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(k)?;
        if let Some(i) = idx {
            match cur {
                Value::Seq(items) => cur = items.get(i)?,
                _ => return None,
            }
        }
    }
    Some(cur)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => other.to_json(),
    }
}

fn kind_of(name: &str) -> &str {
    crate::sim::kinds::by_name(name).map_or(name, |k| k.kind)
}

/// Whether a goal holds for the session now. Requests run on a copy of the cluster, so
/// checking changes nothing.
pub fn check(goal: &Goal, s: &Session) -> bool {
    let c = &s.shell.cluster;
    match goal {
        Goal::Exists { kind, name } => c.exists(kind_of(kind), "default", name),
        Goal::Absent { kind, name } => !c.exists(kind_of(kind), "default", name),
        Goal::Field {
            kind,
            name,
            path,
            equals,
        } => c
            .object_value(kind_of(kind), "default", name)
            .and_then(|v| field_at(&v, path).map(scalar))
            .is_some_and(|v| v == *equals),
        Goal::Endpoints { service, count } => {
            c.endpoints
                .get(&key("default", service))
                .map_or(0, |e| e.addresses.iter().filter(|a| a.ready).count())
                == *count
        }
        Goal::Ready { deployment, count } => c
            .deployments
            .get(&key("default", deployment))
            .is_some_and(|d| c.deployment_status(d).ready == *count),
        Goal::Ran { command } => s.history.iter().any(|h| h.contains(command.as_str())),
        Goal::Trace { rule } => s.traces.iter().any(|t| t.hops.iter().any(|h| h.rule.name() == rule)),
        Goal::Request { from, url, outcome } => {
            let client = match from.split_once('/') {
                None if from == "pc" => Client::Pc,
                Some(("node", n)) => Client::Node(n.to_string()),
                Some(("pod", p)) => Client::Pod(key("default", p)),
                _ => return false,
            };
            if let Client::Pod(k) = &client {
                if !c.pods.contains_key(k) {
                    return false;
                }
            }
            let Ok((_, host, port, path)) = crate::sim::tools::parse_url(url) else {
                return false;
            };
            let host_header = if port == 80 {
                host.clone()
            } else {
                format!("{host}:{port}")
            };
            let req = Request {
                host,
                port,
                method: "GET".into(),
                path,
                host_header,
                user_agent: "curl/8.14.1".into(),
            };
            let got = match c.clone().request(&client, &req).outcome {
                Outcome::Response(r) => r.status.to_string(),
                Outcome::NotHttp => "not-http".into(),
                Outcome::Refused => "refused".into(),
                Outcome::Timeout | Outcome::EmptyReply => "timeout".into(),
                Outcome::Reset => "reset".into(),
                Outcome::Unresolved(_) | Outcome::DnsTimeout(_) => "unresolved".into(),
            };
            got == *outcome
        }
    }
}

/// A goal in words, for the checklist beside the lesson.
pub fn describe(goal: &Goal, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match goal {
        Goal::Exists { kind, name } => {
            if ko {
                format!("{kind} {name}이(가) 있다")
            } else {
                format!("{kind} {name} exists")
            }
        }
        Goal::Absent { kind, name } => {
            if ko {
                format!("{kind} {name}이(가) 없다")
            } else {
                format!("{kind} {name} is gone")
            }
        }
        Goal::Field {
            kind,
            name,
            path,
            equals,
        } => format!("{kind} {name}: {path} = {equals}"),
        Goal::Endpoints { service, count } => {
            if ko {
                format!("서비스 {service}의 준비된 엔드포인트 {count}개")
            } else {
                format!("Service {service} has {count} ready endpoints")
            }
        }
        Goal::Ready { deployment, count } => {
            if ko {
                format!("디플로이먼트 {deployment}의 준비된 파드 {count}개")
            } else {
                format!("Deployment {deployment} has {count} ready pods")
            }
        }
        Goal::Ran { command } => {
            if ko {
                format!("`{command}` 실행하기")
            } else {
                format!("run `{command}`")
            }
        }
        Goal::Request { from, url, outcome } => {
            if ko {
                format!("{from}에서 {url} 요청 → {outcome}")
            } else {
                format!("a request from {from} to {url} ends with {outcome}")
            }
        }
        Goal::Trace { rule } => {
            if ko {
                format!("{rule} 단계를 지나는 요청 보내기")
            } else {
                format!("send a request that passes a {rule} hop")
            }
        }
    }
}

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
