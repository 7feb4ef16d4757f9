//! kubectl: argument parsing with kubectl's own errors, and the commands the lab supports
//! (apply, create, delete, get, describe, scale, rollout, label, exec, logs, run, version).

use super::apierror::{render_errors, ApiError, CmdError};
use super::apiserver::{classify, Mode};
use super::clock::rfc3339;
use super::cluster::key;
use super::images;
use super::jsonpath;
use super::kinds::{self, KindInfo};
use super::objects::*;
use super::printers as pr;
use super::shell::{split_words, Output, Session, Shell};
use super::tabwriter::table;
use super::value::Value;
use super::version;
use super::yaml;

/// A flag kubectl knows: short name, long name, whether it takes a value.
pub(super) type FlagSpec = (&'static str, &'static str, bool);

const GLOBAL: &[FlagSpec] = &[
    ("n", "namespace", true),
    ("", "context", true),
    ("", "kubeconfig", true),
    ("v", "v", true),
];

#[derive(Default)]
pub(super) struct Parsed {
    pub(super) pos: Vec<String>,
    flags: Vec<(String, String)>,
    rest: Option<Vec<String>>,
}

impl Parsed {
    pub(super) fn get(&self, long: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(k, _)| k == long)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, long: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|(k, _)| k == long)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub(super) fn has(&self, long: &str) -> bool {
        self.flags.iter().any(|(k, v)| k == long && v != "false")
    }
}

fn usage_error(cmd: &str, msg: &str) -> Output {
    Output::err(format!("error: {msg}\nSee 'kubectl {cmd} --help' for usage.\n"), 1)
}

pub(super) fn parse(cmd: &str, args: &[String], spec: &[FlagSpec]) -> Result<Parsed, Output> {
    let find_long = |l: &str| spec.iter().chain(GLOBAL).find(|(_, long, _)| *long == l);
    let find_short = |s: &str| {
        spec.iter()
            .chain(GLOBAL)
            .find(|(short, _, _)| !short.is_empty() && *short == s)
    };
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            p.rest = Some(args[i + 1..].to_vec());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(&(_, lname, takes)) = find_long(name) else {
                return Err(usage_error(cmd, &format!("unknown flag: --{name}")));
            };
            let value = if takes {
                match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(usage_error(cmd, &format!("flag needs an argument: --{name}"))),
                        }
                    }
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            p.flags.push((lname.to_string(), value));
        } else if a.starts_with('-') && a.len() > 1 {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let s = chars[j].to_string();
                let Some(&(_, lname, takes)) = find_short(&s) else {
                    return Err(usage_error(cmd, &format!("unknown shorthand flag: '{s}' in {a}")));
                };
                if takes {
                    let rest: String = chars[j + 1..].iter().collect();
                    let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                    let value = if !rest.is_empty() {
                        rest
                    } else {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(usage_error(cmd, &format!("flag needs an argument: '{s}' in {a}"))),
                        }
                    };
                    p.flags.push((lname.to_string(), value));
                    break;
                }
                p.flags.push((lname.to_string(), "true".into()));
                j += 1;
            }
        } else {
            p.pos.push(a.clone());
        }
        i += 1;
    }
    Ok(p)
}

/// Every subcommand kubectl v1.32 has (`kubectl --help`), whether this lab runs it or not,
/// in cobra's (alphabetical) order: one the lab does not run says so instead of kubectl's
/// "unknown command", and a typo's suggestions come in this order.
pub const COMMANDS: &[&str] = &[
    "alpha",
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// The object kubectl prints for `--dry-run=client -o yaml`: what it would send, with the
/// zero values Go's encoder writes for the empty structs of the generated object
/// (`creationTimestamp: null`, `resources: {}`, `status: {}`, ...).
fn client_object(doc: &Value) -> Value {
    fn set(v: &mut Value, key: &str, x: Value) {
        if let Value::Map(entries) = v {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some((_, old)) => *old = x,
                None => entries.push((key.to_string(), x)),
            }
        }
    }
    fn get<'a>(v: &'a mut Value, key: &str) -> Option<&'a mut Value> {
        match v {
            Value::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, x)| x),
            _ => None,
        }
    }
    fn pod_spec(spec: &mut Value, top_level_pod: bool) {
        if let Some(Value::Seq(cs)) = get(spec, "containers") {
            for c in cs {
                set(c, "resources", Value::Map(Vec::new()));
            }
        }
        if top_level_pod {
            set(spec, "dnsPolicy", Value::str("ClusterFirst"));
        }
    }
    let mut v = doc.clone();
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(m) = get(&mut v, "metadata") {
        set(m, "creationTimestamp", Value::Null);
    }
    match kind.as_str() {
        "Service" => set(
            &mut v,
            "status",
            Value::Map(vec![("loadBalancer".into(), Value::Map(Vec::new()))]),
        ),
        "Deployment" => {
            if let Some(spec) = get(&mut v, "spec") {
                set(spec, "strategy", Value::Map(Vec::new()));
                if let Some(t) = get(spec, "template") {
                    if let Some(m) = get(t, "metadata") {
                        set(m, "creationTimestamp", Value::Null);
                    }
                    if let Some(ps) = get(t, "spec") {
                        pod_spec(ps, false);
                    }
                }
            }
            set(&mut v, "status", Value::Map(Vec::new()));
        }
        "Pod" => {
            if let Some(spec) = get(&mut v, "spec") {
                pod_spec(spec, true);
            }
            set(&mut v, "status", Value::Map(Vec::new()));
        }
        _ => {}
    }
    v
}

/// `a=b,c=d` (kubectl's `ParseLabels`); `None` when a part is not `key=value`.
fn parse_label_list(s: &str) -> Option<Labels> {
    let mut out = Labels::new();
    for part in s.split(',') {
        let (k, v) = part.split_once('=')?;
        if k.is_empty() {
            return None;
        }
        out.insert(k.to_string(), v.to_string());
    }
    Some(out)
}

/// The subcommand of `kubectl create` (the first word that is neither a flag nor the value of
/// a global flag) and where it stands: global flags may come before it.
fn create_subcommand(args: &[String]) -> Option<(usize, &str)> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if !a.starts_with('-') {
            return Some((i, a));
        }
        // Flags of `create -f` that take a value, and the global ones.
        const CREATE: &[FlagSpec] = &[
            ("f", "filename", true),
            ("", "validate", true),
            ("", "dry-run", true),
            ("o", "output", true),
        ];
        let takes_value = GLOBAL.iter().chain(CREATE).any(|(short, long, takes)| {
            *takes && (a.strip_prefix("--") == Some(long) || (!short.is_empty() && a.strip_prefix('-') == Some(short)))
        });
        i += if takes_value { 2 } else { 1 };
    }
    None
}

/// `kubectl expose`'s usage errors.
fn expose_usage(msg: &str) -> Output {
    Output::err(
        format!("error: {msg}\nSee 'kubectl expose -h' for help and examples\n"),
        1,
    )
}

/// `args` without the word at `i`.
fn without(args: &[String], i: usize) -> Vec<String> {
    args.iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .map(|(_, a)| a.clone())
        .collect()
}

/// The resource builder's answer to a name and a `-l` selector (or `--all`) together.
const NAME_AND_SELECTOR: &str = "error: name cannot be provided when a selector is specified\n";

/// A `-l` selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated.
pub(super) fn selector_matches(sel: &str, labels: &Labels) -> bool {
    sel.split(',').filter(|s| !s.trim().is_empty()).all(|term| {
        let term = term.trim();
        if let Some((k, v)) = term.split_once("!=") {
            labels.get(k.trim()) != Some(&v.trim().to_string())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            labels.get(k.trim()) == Some(&v.trim().to_string())
        } else if let Some(k) = term.strip_prefix('!') {
            !labels.contains_key(k)
        } else {
            labels.contains_key(term)
        }
    })
}

/// Why kubectl would refuse an output format, or `None`: an unknown one is kubectl's own error;
/// one kubectl has that reads a file is the lab's limit.
fn output_error(format: &str, has_template: bool) -> Option<Output> {
    const TEMPLATED: &[&str] = &[
        "jsonpath",
        "jsonpath-as-json",
        "custom-columns",
        "go-template",
        "template",
    ];
    if has_template && TEMPLATED.contains(&format)
        || !has_template && ["", "wide", "yaml", "json", "name"].contains(&format)
    {
        return None;
    }
    if TEMPLATED.contains(&format) {
        return Some(Output::err(
            "error: template format specified but no template given\n",
            1,
        ));
    }
    if format.ends_with("-file") || format == "templatefile" {
        return Some(Output::err(
            format!(
                "error: this lab reads no template files; give the template inline: -o {}=...\n",
                format.trim_end_matches("-file").trim_end_matches("file")
            ),
            1,
        ));
    }
    Some(Output::err(format!("error: unable to match a printer suitable for the output format \"{format}\", \
        allowed formats are: \
        custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n"), 1))
}

/// `--sort-by` order: numbers by value, everything else by its text; missing values first.
fn sort_key_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        _ => jsonpath::go_value(a).cmp(&jsonpath::go_value(b)),
    }
}

fn no_resources(ns: &str, all_ns: bool) -> String {
    if all_ns {
        "No resources found\n".into()
    } else {
        format!("No resources found in {ns} namespace.\n")
    }
}

impl Shell {
    pub(super) fn namespace(&self, p: &Parsed) -> String {
        p.get("namespace").unwrap_or("default").to_string()
    }

    pub fn kubectl(&mut self, args: &[String]) -> Output {
        let Some(cmd) = args.first() else {
            return Output::ok(KUBECTL_HELP);
        };
        let rest = &args[1..];
        match cmd.as_str() {
            "apply" => self.k_apply(rest, Mode::Apply),
            "create" => match create_subcommand(rest) {
                Some((i, "deployment" | "deploy")) => self.k_create_deployment(&without(rest, i)),
                Some((i, "service" | "svc")) => self.k_create_service(&without(rest, i)),
                Some((i, "namespace" | "ns")) => self.k_create_namespace(&without(rest, i)),
                Some((_, kind)) => Output::err(
                    format!(
                        "error: `kubectl create {kind}` is not part of this lab; write \
                    a manifest and use `kubectl create -f FILE`\n"
                    ),
                    1,
                ),
                None => self.k_apply(rest, Mode::Create),
            },
            "delete" => self.k_delete(rest),
            "get" => self.k_get(rest),
            "describe" => self.k_describe(rest),
            "scale" => self.k_scale(rest),
            "rollout" => self.k_rollout(rest),
            "label" => self.k_label(rest),
            "exec" => self.k_exec(rest),
            "logs" => self.k_logs(rest),
            "run" => self.k_run(rest),
            "expose" => self.k_expose(rest),
            "patch" => self.k_patch(rest),
            "wait" => self.k_wait(rest),
            "port-forward" => self.k_port_forward(None, rest),
            "edit" => self.k_edit(rest),
            "api-resources" => self.k_api_resources(rest),
            "attach" => {
                let p = match parse(
                    "attach",
                    rest,
                    &[
                        ("i", "stdin", false),
                        ("t", "tty", false),
                        ("c", "container", true),
                        ("q", "quiet", false),
                    ],
                ) {
                    Ok(p) => p,
                    Err(e) => return e,
                };
                let Some(name) = p.pos.first() else {
                    return Output::err("error: expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 0: []\nSee 'kubectl attach -h' for help and examples\n", 1);
                };
                let name = name
                    .strip_prefix("pod/")
                    .or(name.strip_prefix("pods/"))
                    .unwrap_or(name)
                    .to_string();
                let ns = self.namespace(&p);
                self.k_attach(&ns, &name, p.get("container"), p.has("stdin"))
            }
            "version" => Output::ok(format!(
                "Client Version: {}\nKustomize Version: v5.5.0\nServer Version: {}\n",
                version::SERVER_VERSION,
                version::SERVER_VERSION
            )),
            c if COMMANDS.contains(&c) => Output::err(format!("error: `kubectl {c}` is not part of this lab\n"), 1),
            c if c.starts_with('-') => Output::err(
                format!(
                    "error: unknown flag: {c}\nSee 'kubectl --help' for \
                usage.\n"
                ),
                1,
            ),
            c => {
                let mut sugg: Vec<&str> = COMMANDS
                    .iter()
                    .copied()
                    .filter(|k| images::edit_distance(c, k) <= 2 || k.starts_with(c))
                    .collect();
                sugg.truncate(3);
                let mut text = format!("error: unknown command \"{c}\" for \"kubectl\"\n");
                if !sugg.is_empty() {
                    text.push_str("\nDid you mean this?\n");
                    for s in sugg {
                        text.push_str(&format!("\t{s}\n"));
                    }
                }
                Output::err(text, 1)
            }
        }
    }

    /// Reads the manifests behind `-f`: each file's documents (List items flattened), or the
    /// first error.
    fn read_manifests(&self, files: &[String], errors: &mut Vec<CmdError>) -> Result<Vec<(String, Value)>, Output> {
        let mut texts = Vec::new();
        for f in files {
            if f == "-" {
                texts.push(("STDIN".to_string(), self.stdin_doc.clone().unwrap_or_default()));
                continue;
            }
            match self.files.read(f) {
                Some(t) => texts.push((f.clone(), t)),
                None if f.starts_with("http://") || f.starts_with("https://") => {
                    let name = f.rsplit('/').next().unwrap_or("FILE");
                    return Err(Output::err(
                        format!(
                            "error: this lab does not download manifests: add {name} in the editor (the page \
                             shows its text) and apply it by name: kubectl apply -f {name}\n"
                        ),
                        1,
                    ));
                }
                None => return Err(Output::err(format!("error: the path \"{f}\" does not exist\n"), 1)),
            }
        }
        let mut docs = Vec::new();
        for (f, t) in texts {
            let (parsed, err) = yaml::parse_stream(&t);
            for d in parsed {
                if d.oversized {
                    errors.push(CmdError::Api {
                        err: ApiError::Other {
                            reason: "RequestEntityTooLarge".into(),
                            message: format!(
                                "Request entity too large: limit is {}",
                                super::apiserver::MAX_REQUEST_BYTES
                            ),
                        },
                        context: Some(format!("error when creating \"{f}\": ")),
                    });
                    continue;
                }
                match (d.value.get("kind").and_then(Value::as_str), d.value.get("items")) {
                    (Some("List"), Some(Value::Seq(items))) => {
                        docs.extend(items.iter().map(|i| (f.clone(), i.clone())))
                    }
                    _ => docs.push((f.clone(), d.value)),
                }
            }
            if let Some(e) = err {
                errors.push(CmdError::Client(format!(
                    "error parsing {f}: error converting YAML to JSON: {}",
                    e.message
                )));
            }
        }
        Ok(docs)
    }

    fn k_apply(&mut self, args: &[String], mode: Mode) -> Output {
        let cmd = if mode == Mode::Apply { "apply" } else { "create" };
        let p = match parse(
            cmd,
            args,
            &[
                ("f", "filename", true),
                ("R", "recursive", false),
                ("", "validate", true),
                ("", "dry-run", true),
                ("", "save-config", false),
                ("", "server-side", false),
                ("", "force", false),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let files = p.all("filename");
        if files.is_empty() {
            return Output::err("error: must specify one of -f and -k\n".to_string(), 1);
        }
        let ns = self.namespace(&p);
        let mut errors = Vec::new();
        let docs = match self.read_manifests(&files, &mut errors) {
            Ok(d) => d,
            Err(e) => return e,
        };
        if docs.is_empty() && errors.is_empty() {
            return Output::err(format!("error: no objects passed to {cmd}\n"), 1);
        }
        let dry = p.get("dry-run").filter(|v| *v != "none");
        let mut text = String::new();
        let mut noted: Vec<&str> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for (file, doc) in &docs {
            if let Some(d) = dry {
                match classify(doc, file, &ns) {
                    Ok(t) => {
                        let verb = if self.cluster.exists(t.info.kind, &t.namespace, &t.name) {
                            "configured"
                        } else {
                            "created"
                        };
                        text.push_str(&format!(
                            "{}/{} {verb} (dry run{})\n",
                            t.info.qualified(),
                            t.name,
                            if d == "server" { " server" } else { "" }
                        ));
                    }
                    Err(e) => errors.push(e),
                }
                continue;
            }
            match self.cluster.submit_with_warning(doc, file, mode, &ns) {
                Ok((name, verb, warning)) => {
                    if let Some(w) = warning.filter(|_| mode == Mode::Apply) {
                        text.push_str(&w);
                        text.push('\n');
                    }
                    text.push_str(&format!("{name} {verb}\n"));
                    // Stored kinds get one note per command, so the learner knows nothing acts on them.
                    if let Some(kind) = doc
                        .get("kind")
                        .and_then(Value::as_str)
                        .and_then(kinds::by_kind)
                        .filter(|k| !k.simulated && k.kind != "Namespace")
                    {
                        if !noted.contains(&kind.kind) {
                            noted.push(kind.kind);
                            notes.push(format!(
                                "note: {} objects are stored and listed; this lab does not simulate them\n",
                                kind.kind
                            ));
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        // The shell's one-second step after every command brings the endpoints up to date.
        self.cluster.run_controllers();
        for n in notes {
            text.push_str(&n);
        }
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    /// Resolves `TYPE NAME...`, `TYPE/NAME...` or `TYPE` to (kind, names).
    pub(super) fn targets(&self, pos: &[String]) -> Result<Vec<(&'static KindInfo, Option<String>)>, Output> {
        let mut out = Vec::new();
        if pos.iter().any(|p| p.contains('/')) {
            for p in pos {
                let Some((t, n)) = p.split_once('/') else {
                    return Err(Output::err(
                        "error: there is no need to specify a resource type as a separate argument \
                        when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' \
                        instead of 'kubectl get resource resource/<resource_name>'\n",
                        1,
                    ));
                };
                let info = kinds::by_name(t).ok_or_else(|| {
                    Output::err(format!("error: the server doesn't have a resource type \"{t}\"\n"), 1)
                })?;
                out.push((info, Some(n.to_string())));
            }
            return Ok(out);
        }
        let Some(types) = pos.first() else { return Ok(out) };
        let mut infos = Vec::new();
        let expanded = types.split(',').flat_map(|t| {
            if t == "all" {
                kinds::ALL_CATEGORY.to_vec()
            } else {
                vec![t]
            }
        });
        for t in expanded {
            let info = kinds::by_name(t)
                .ok_or_else(|| Output::err(format!("error: the server doesn't have a resource type \"{t}\"\n"), 1))?;
            infos.push(info);
        }
        if pos.len() > 1 {
            for info in &infos {
                for n in &pos[1..] {
                    out.push((*info, Some(n.clone())));
                }
            }
        } else {
            for info in infos {
                out.push((info, None));
            }
        }
        Ok(out)
    }

    /// A named object's namespace (empty for a kind without one) and its JSON, or kubectl's
    /// NotFound.
    pub(super) fn live(&self, info: &KindInfo, p: &Parsed, name: &str) -> Result<(String, Value), Output> {
        let ns = if info.namespaced {
            self.namespace(p)
        } else {
            String::new()
        };
        match self.cluster.object_value(info.kind, &ns, name) {
            Some(v) => Ok((ns, v)),
            None => Err(Output::err(
                format!(
                    "Error from server (NotFound): {} \"{name}\" not found\n",
                    info.resource()
                ),
                1,
            )),
        }
    }

    /// Names of a kind's objects in a namespace that a `-l` selector matches.
    pub(super) fn names_selected(&self, kind: &str, ns: &str, sel: &str) -> Vec<String> {
        self.names_of(kind, Some(ns))
            .into_iter()
            .filter(|(n, name)| selector_matches(sel, &self.labels_of(kind, n, name)))
            .map(|(_, name)| name)
            .collect()
    }

    /// Names of stored objects of a kind in a namespace (all namespaces with `None`).
    pub(super) fn names_of(&self, kind: &str, ns: Option<&str>) -> Vec<(String, String)> {
        let c = &self.cluster;
        let keep = |k: &(String, String)| ns.is_none_or(|n| k.0 == n);
        let mut v: Vec<(String, String)> = match kind {
            "Pod" => c.pods.keys().filter(|k| keep(k)).cloned().collect(),
            "Service" => c.services.keys().filter(|k| keep(k)).cloned().collect(),
            "Deployment" => c.deployments.keys().filter(|k| keep(k)).cloned().collect(),
            "ReplicaSet" => c.replicasets.keys().filter(|k| keep(k)).cloned().collect(),
            "Endpoints" => c.endpoints.keys().filter(|k| keep(k)).cloned().collect(),
            "EndpointSlice" => c.slices.keys().filter(|k| keep(k)).cloned().collect(),
            "Node" => c.nodes.iter().map(|n| (String::new(), n.name.clone())).collect(),
            "Namespace" => c.namespaces.keys().map(|n| (String::new(), n.clone())).collect(),
            other => c
                .others
                .keys()
                .filter(|(k, n, _)| k == other && ns.is_none_or(|x| n == x || n.is_empty()))
                .map(|(_, n, name)| (n.clone(), name.clone()))
                .collect(),
        };
        super::order::sort_by(&mut v, |a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        v
    }

    /// `names_of`, keeping the objects whose labels match the `-l` selector, if there is one.
    fn selected(&self, kind: &str, ns: Option<&str>, selector: Option<&str>) -> Vec<(String, String)> {
        let mut v = self.names_of(kind, ns);
        if let Some(sel) = selector {
            v.retain(|(n, name)| selector_matches(sel, &self.labels_of(kind, n, name)));
        }
        v
    }

    pub(super) fn labels_of(&self, kind: &str, ns: &str, name: &str) -> Labels {
        self.cluster.labels(kind, ns, name).cloned().unwrap_or_default()
    }

    pub(super) fn row(
        &self,
        kind: &str,
        ns: &str,
        name: &str,
        shown: String,
        wide: bool,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let c = &self.cluster;
        let k = key(ns, name);
        Some(match kind {
            "Pod" => (pr::pod_header(wide), pr::pod_row(c, c.pods.get(&k)?, shown, wide)),
            "Service" => (
                pr::service_header(wide),
                pr::service_row(c, c.services.get(&k)?, shown, wide),
            ),
            "Deployment" => (
                pr::deployment_header(wide),
                pr::deployment_row(c, c.deployments.get(&k)?, shown, wide),
            ),
            "ReplicaSet" => (
                pr::replica_set_header(wide),
                pr::replica_set_row(c, c.replicasets.get(&k)?, shown, wide),
            ),
            "Endpoints" => (
                vec!["NAME".into(), "ENDPOINTS".into(), "AGE".into()],
                pr::endpoints_row(c, c.endpoints.get(&k)?, shown),
            ),
            "EndpointSlice" => (
                pr::endpoint_slice_header(),
                pr::endpoint_slice_row(c, c.slices.get(&k)?, shown),
            ),
            "Node" => (pr::node_header(wide), pr::node_row(c, c.node(name)?, shown, wide)),
            "Namespace" => (
                vec!["NAME".into(), "STATUS".into(), "AGE".into()],
                vec![
                    shown,
                    "Active".into(),
                    super::clock::human_duration(c.now - c.namespaces.get(name)?.meta.creation),
                ],
            ),
            other => pr::other_row(
                c,
                c.others.get(&(other.to_string(), ns.to_string(), name.to_string()))?,
                shown,
            ),
        })
    }

    /// `kubectl get events`: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (NAMESPACE first with -A).
    fn events_table(&self, ns: Option<&str>, terms: &[super::fields::Term]) -> Output {
        let c = &self.cluster;
        let mut list = c.event_list(ns);
        list.retain(|e| super::fields::event_matches(e, terms));
        if list.is_empty() {
            return Output::ok(no_resources(ns.unwrap_or(""), ns.is_none()));
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header: Vec<String> = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if ns.is_none() {
            header.insert(0, "NAMESPACE".into());
        }
        rows.push(header);
        for l in list {
            let mut row = vec![
                super::clock::human_duration(c.now - l.event.at),
                l.event.type_.to_string(),
                l.event.reason.clone(),
                format!("{}/{}", l.kind.to_ascii_lowercase(), l.name),
                l.event.message.clone(),
            ];
            if ns.is_none() {
                row.insert(0, l.namespace.clone());
            }
            rows.push(row);
        }
        Output::ok(table(&rows))
    }

    fn k_get(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "get",
            args,
            &[
                ("o", "output", true),
                ("l", "selector", true),
                ("", "field-selector", true),
                ("A", "all-namespaces", false),
                ("", "show-labels", false),
                ("w", "watch", false),
                ("", "no-headers", false),
                ("", "sort-by", true),
                ("", "template", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.has("watch") && !p.pos.is_empty() {
            let once: Vec<String> = args
                .iter()
                .filter(|a| !matches!(a.as_str(), "-w" | "--watch" | "--watch=true"))
                .cloned()
                .collect();
            let first = self.k_get(&once);
            return self.watch_table(&p, first);
        }
        if p.pos.is_empty() {
            return Output::err(
                "You must specify the type of resource to get. Use \"kubectl api-resources\" for a \
                complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl \
                explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \
                'kubectl get -h' for help and examples\n",
                1,
            );
        }
        let full_output = p.get("output").unwrap_or("").to_string();
        let (output, template) = match full_output.split_once('=') {
            Some((f, t)) => (f.to_string(), Some(t.to_string())),
            // `-o go-template --template '...'` (also jsonpath): the template in its own flag.
            None => (full_output.clone(), p.get("template").map(str::to_string)),
        };
        if let Some(e) = output_error(&output, template.is_some()) {
            return e;
        }
        let template_kind = template.is_some();
        let sort_by = match p.get("sort-by").map(jsonpath::relaxed).transpose() {
            Ok(s) => s,
            Err(e) => return Output::err(format!("error: {e}\n"), 1),
        };
        let wide = output == "wide";
        let all_ns = p.has("all-namespaces");
        let ns = self.namespace(&p);
        let selector = p.get("selector").map(str::to_string);
        let show_labels = p.has("show-labels");
        let field_text = p.get("field-selector").unwrap_or("");
        let fields = super::fields::parse(field_text);
        let refused = |info: &KindInfo| super::fields::refusal(info, selector.as_deref(), field_text, &fields);
        let terms = fields.clone().unwrap_or_default();
        if p.pos.len() == 1 && ["events", "event", "ev"].contains(&p.pos[0].as_str()) {
            if !output.is_empty() {
                return Output::err(
                    "error: this lab prints events as the default table only (kubectl get events)\n",
                    1,
                );
            }
            if let Some(e) = refused(&super::fields::EVENTS) {
                return Output::err(e, 1);
            }
            return self.events_table(if all_ns { None } else { Some(&ns) }, &terms);
        }
        let pos = p.pos.clone();
        let expanded_all = pos.first().is_some_and(|t| t.split(',').any(|x| x == "all"));
        let targets = match self.targets(&pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        if selector.is_some() && targets.iter().any(|(_, n)| n.is_some()) {
            return Output::err(NAME_AND_SELECTOR, 1);
        }
        let multi_type = {
            let mut kinds: Vec<&str> = targets.iter().map(|(i, _)| i.kind).collect();
            kinds.dedup();
            kinds.len() > 1 || expanded_all
        };
        let mut errors = Vec::new();
        let mut groups: Vec<(Vec<String>, Vec<Vec<String>>)> = Vec::new();
        let mut objects: Vec<Value> = Vec::new();
        let mut names_out = String::new();
        let mut found = false;
        let mut i = 0;
        while i < targets.len() {
            let info = targets[i].0;
            let mut items: Vec<(String, String)> = Vec::new();
            while i < targets.len() && targets[i].0.kind == info.kind {
                match &targets[i].1 {
                    Some(n) => {
                        let obj_ns = if info.namespaced { ns.clone() } else { String::new() };
                        if self.cluster.exists(info.kind, &obj_ns, n) {
                            items.push((obj_ns, n.clone()));
                        } else {
                            errors.push(CmdError::Api {
                                err: ApiError::NotFound {
                                    resource: info.resource(),
                                    name: n.clone(),
                                },
                                context: None,
                            });
                        }
                    }
                    None => {
                        let scope = if all_ns || !info.namespaced {
                            None
                        } else {
                            Some(ns.as_str())
                        };
                        items.extend(self.names_of(info.kind, scope));
                    }
                }
                i += 1;
            }
            if let Some(sel) = &selector {
                items.retain(|(n, name)| selector_matches(sel, &self.labels_of(info.kind, n, name)));
            }
            if !field_text.is_empty() {
                if let Some(e) = refused(info) {
                    return Output::err(e, 1);
                }
                items.retain(|(n, name)| {
                    self.cluster
                        .object_value(info.kind, n, name)
                        .is_some_and(|v| super::fields::matches(info.kind, &v, &terms))
                });
            }
            if items.is_empty() {
                continue;
            }
            found = true;
            if let Some(sp) = &sort_by {
                let keyed: Vec<(Value, (String, String))> = std::mem::take(&mut items)
                    .into_iter()
                    .map(|(n, name)| {
                        let v = self.cluster.object_value(info.kind, &n, &name).unwrap_or_default();
                        (jsonpath::first(sp, &v).cloned().unwrap_or_default(), (n, name))
                    })
                    .collect();
                let mut keyed = keyed;
                super::order::sort_by(&mut keyed, |a, b| sort_key_cmp(&a.0, &b.0));
                items = keyed.into_iter().map(|(_, i)| i).collect();
            }
            let mut header = Vec::new();
            let mut rows = Vec::new();
            for (obj_ns, name) in &items {
                let shown = if multi_type {
                    format!("{}/{name}", info.qualified())
                } else {
                    name.clone()
                };
                match output.as_str() {
                    _ if template_kind => {
                        if let Some(v) = self.cluster.object_value(info.kind, obj_ns, name) {
                            objects.push(v);
                        }
                    }
                    "yaml" | "json" => {
                        if let Some(v) = self.cluster.object_value(info.kind, obj_ns, name) {
                            objects.push(v);
                        }
                    }
                    "name" => names_out.push_str(&format!("{}/{name}\n", info.qualified())),
                    _ => {
                        if let Some((h, mut r)) = self.row(info.kind, obj_ns, name, shown, wide) {
                            header = h;
                            if all_ns && info.namespaced {
                                r.insert(0, obj_ns.clone());
                            }
                            if show_labels {
                                let labels = self.labels_of(info.kind, obj_ns, name);
                                r.push(if labels.is_empty() {
                                    "<none>".into()
                                } else {
                                    render_labels(&labels)
                                });
                            }
                            rows.push(r);
                        }
                    }
                }
            }
            if all_ns && info.namespaced {
                header.insert(0, "NAMESPACE".into());
            }
            if show_labels {
                header.push("LABELS".into());
            }
            if !rows.is_empty() {
                groups.push((header, rows));
            }
        }
        let mut text = String::new();
        if output == "custom-columns" {
            let objs: Vec<&Value> = objects.iter().collect();
            match jsonpath::custom_columns(template.as_deref().unwrap_or(""), &objs) {
                Ok(mut rows) if !objs.is_empty() => {
                    if p.has("no-headers") {
                        rows.remove(0);
                    }
                    text = table(&rows);
                }
                Ok(_) => {}
                Err(e) => return Output::err(format!("error: {e}\n"), 1),
            }
            objects.clear();
        }
        match output.as_str() {
            "custom-columns" => {}
            "yaml" | "json" | "jsonpath" | "jsonpath-as-json" | "go-template" | "template" => {
                let single = objects.len() == 1 && targets.len() == 1 && targets[0].1.is_some();
                let v = if single {
                    objects.remove(0)
                } else if objects.is_empty() && !errors.is_empty() {
                    Value::Null
                } else {
                    Value::map(vec![
                        ("apiVersion", Value::str("v1")),
                        ("items", Value::Seq(objects)),
                        ("kind", Value::str("List")),
                        ("metadata", Value::map(vec![("resourceVersion", Value::str(""))])),
                    ])
                };
                if !v.is_null() {
                    let t = template.as_deref().unwrap_or("");
                    text = match output.as_str() {
                        "yaml" => v.to_yaml(),
                        "json" => format!("{}\n", to_json_pretty(&v, 0)),
                        "go-template" | "template" => match jsonpath::go_template(t, &v) {
                            Ok(t) => t,
                            Err(e) => return Output::err(format!("error: error executing template \"{t}\": {e}\n"), 1),
                        },
                        _ => match jsonpath::JsonPath::parse(t) {
                            Err(e) => return Output::err(format!("error: error parsing jsonpath {t}, {e}\n"), 1),
                            Ok(jp) if output == "jsonpath" => match jp.execute(&v) {
                                Ok(t) => t,
                                Err(e) => {
                                    return Output::err(
                                        format!(
                                            "error: error executing jsonpath \"{t}\": Error executing template: {e}\n"
                                        ),
                                        1,
                                    )
                                }
                            },
                            Ok(jp) => match jp.values(&v) {
                                Ok(vals) => {
                                    let seq = Value::Seq(vals.into_iter().cloned().collect());
                                    format!("{}\n", to_json_pretty(&seq, 0))
                                }
                                Err(e) => return Output::err(format!("error: {e}\n"), 1),
                            },
                        },
                    };
                }
            }
            "name" => text = names_out,
            _ => {
                let blocks: Vec<String> = groups
                    .into_iter()
                    .map(|(header, mut rows)| {
                        if !p.has("no-headers") {
                            rows.insert(0, header);
                        }
                        table(&rows)
                    })
                    .collect();
                text = blocks.join("\n");
            }
        }
        if !found && errors.is_empty() {
            text = no_resources(&ns, all_ns);
        }
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    fn k_describe(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "describe",
            args,
            &[("l", "selector", true), ("A", "all-namespaces", false)],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.pos.is_empty() {
            return Output::err(
                "You must specify the type of resource to describe. Use \"kubectl api-resources\" for \
                a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl \
                describe -h' for help and examples\n",
                1,
            );
        }
        let ns = self.namespace(&p);
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let selector = p.get("selector").map(str::to_string);
        if selector.is_some() && targets.iter().any(|(_, n)| n.is_some()) {
            return Output::err(NAME_AND_SELECTOR, 1);
        }
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        for (info, name) in targets {
            let obj_ns = if info.namespaced { ns.clone() } else { String::new() };
            let names: Vec<String> = match name {
                Some(n) => {
                    // describe also finds objects whose name starts with the given prefix.
                    let all = self.names_of(info.kind, Some(&obj_ns));
                    if all.iter().any(|(_, x)| *x == n) {
                        vec![n]
                    } else {
                        let pref: Vec<String> = all.into_iter().map(|(_, x)| x).filter(|x| x.starts_with(&n)).collect();
                        if pref.is_empty() {
                            errors.push(CmdError::Api {
                                err: ApiError::NotFound {
                                    resource: info.resource(),
                                    name: n,
                                },
                                context: None,
                            });
                        }
                        pref
                    }
                }
                None => self
                    .selected(
                        info.kind,
                        if info.namespaced { Some(&obj_ns) } else { None },
                        selector.as_deref(),
                    )
                    .into_iter()
                    .map(|(_, x)| x)
                    .collect(),
            };
            for n in names {
                let k = key(&obj_ns, &n);
                let c = &self.cluster;
                let text = match info.kind {
                    "Service" => c.services.get(&k).map(|s| pr::describe_service(c, s)),
                    "Pod" => c.pods.get(&k).map(|s| pr::describe_pod(c, s)),
                    "Deployment" => c.deployments.get(&k).map(|s| pr::describe_deployment(c, s)),
                    "Namespace" => c.namespaces.get(&n).map(pr::describe_namespace),
                    "ReplicaSet" => c.replicasets.get(&k).map(|rs| pr::describe_replica_set(c, rs)),
                    "Endpoints" => self
                        .cluster
                        .object_value(info.kind, &obj_ns, &n)
                        .map(|v| pr::describe_endpoints(&v)),
                    "EndpointSlice" => c.slices.get(&k).map(|e| pr::describe_endpoint_slice(c, e)),
                    "Node" => c.node(&n).map(|node| super::nodes::describe_node(c, node)),
                    _ => self
                        .cluster
                        .object_value(info.kind, &obj_ns, &n)
                        .map(|v| pr::describe_basic(&v, info.namespaced)),
                };
                if let Some(t) = text {
                    parts.push(t);
                }
            }
        }
        let mut text = parts.join("\n\n");
        if text.is_empty() && errors.is_empty() {
            text = no_resources(&ns, false);
        }
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    fn k_delete(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "delete",
            args,
            &[
                ("f", "filename", true),
                ("l", "selector", true),
                ("", "all", false),
                ("", "grace-period", true),
                ("", "force", false),
                ("", "now", false),
                ("", "wait", true),
                ("R", "recursive", false),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let force = p.has("force");
        let mut grace: Option<i64> = match p.get("grace-period").map(str::parse::<i64>) {
            Some(Ok(g)) if g >= 0 => Some(g),
            Some(Ok(_)) | None => None,
            Some(Err(_)) => {
                return Output::err(
                    format!(
                        "error: invalid argument \"{}\" for \"--grace-period\" flag: \
                strconv.ParseInt: parsing \"{}\": invalid syntax\nSee 'kubectl delete --help' for usage.\n",
                        p.get("grace-period").unwrap_or(""),
                        p.get("grace-period").unwrap_or("")
                    ),
                    1,
                )
            }
        };
        if p.has("now") {
            grace = Some(1);
        }
        if force && grace.is_none() {
            grace = Some(0);
        }
        let mut text = String::new();
        if force && grace == Some(0) {
            text.push_str(
                "Warning: Immediate deletion does not wait for confirmation that the running resource has \
                been terminated. The resource may continue to run on the cluster indefinitely.\n",
            );
        }
        let verb = if force && grace == Some(0) {
            "force deleted"
        } else {
            "deleted"
        };
        let mut errors = Vec::new();
        let mut doomed_pods = Vec::new();
        let delete_one = |shell: &mut Shell,
                          info: &KindInfo,
                          obj_ns: &str,
                          name: &str,
                          ctx: Option<String>,
                          text: &mut String,
                          errors: &mut Vec<CmdError>,
                          doomed_pods: &mut Vec<(String, String)>| {
            match shell.cluster.delete(info.kind, obj_ns, name, grace) {
                Ok(()) => {
                    text.push_str(&format!(
                        "{} \"{name}\" {verb}{}\n",
                        info.qualified(),
                        version::delete_suffix(obj_ns)
                    ));
                    if info.kind == "Pod" {
                        doomed_pods.push(key(obj_ns, name));
                    }
                }
                Err(e) => errors.push(CmdError::Api { err: e, context: ctx }),
            }
        };
        let files = p.all("filename");
        if !files.is_empty() {
            let mut parse_errors = Vec::new();
            let docs = match self.read_manifests(&files, &mut parse_errors) {
                Ok(d) => d,
                Err(e) => return e,
            };
            for (file, doc) in docs {
                match classify(&doc, &file, &ns) {
                    Ok(t) => delete_one(
                        self,
                        t.info,
                        &t.namespace,
                        &t.name,
                        Some(format!("error when deleting \"{file}\": ")),
                        &mut text,
                        &mut errors,
                        &mut doomed_pods,
                    ),
                    Err(e) => errors.push(e),
                }
            }
            errors.extend(parse_errors);
        } else {
            if p.pos.is_empty() {
                return Output::err(NO_RESOURCES_ERROR, 1);
            }
            let targets = match self.targets(&p.pos) {
                Ok(t) => t,
                Err(e) => return e,
            };
            let selector = p.get("selector").map(str::to_string);
            let everything = p.has("all");
            if (selector.is_some() || everything) && targets.iter().any(|(_, n)| n.is_some()) {
                return Output::err(NAME_AND_SELECTOR, 1);
            }
            let mut found_any = false;
            for (info, name) in targets {
                let obj_ns = if info.namespaced { ns.clone() } else { String::new() };
                match name {
                    Some(n) => {
                        found_any = true;
                        delete_one(self, info, &obj_ns, &n, None, &mut text, &mut errors, &mut doomed_pods);
                    }
                    None if selector.is_some() || everything => {
                        for (n, name) in self.selected(info.kind, Some(&obj_ns), selector.as_deref()) {
                            found_any = true;
                            delete_one(self, info, &n, &name, None, &mut text, &mut errors, &mut doomed_pods);
                        }
                    }
                    None => return Output::err("error: resource(s) were provided, but no name was specified\n", 1),
                }
            }
            if !found_any && errors.is_empty() {
                text.push_str("No resources found\n");
            }
        }
        self.cluster.reconcile();
        // kubectl waits until the pods it deleted are gone.
        if p.get("wait") != Some("false") {
            let mut guard = 0;
            while doomed_pods.iter().any(|k| self.cluster.pods.contains_key(k)) && guard < 700 {
                match self.cluster.next_event() {
                    Some(t) => self.cluster.advance(t - self.cluster.now),
                    None => self.cluster.advance(1),
                }
                guard += 1;
            }
        }
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    fn k_scale(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "scale",
            args,
            &[
                ("", "replicas", true),
                ("f", "filename", true),
                ("", "current-replicas", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let Some(r) = p.get("replicas") else {
            return Output::err("error: required flag(s) \"replicas\" not set\n", 1);
        };
        let Ok(n) = r.parse::<i64>() else {
            return Output::err(
                format!(
                    "error: invalid argument \"{r}\" for \"--replicas\" flag: strconv.ParseInt: \
                parsing \"{r}\": invalid syntax\nSee 'kubectl scale --help' for usage.\n"
                ),
                1,
            );
        };
        if n < 0 {
            return Output::err(
                "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n",
                1,
            );
        }
        let ns = self.namespace(&p);
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        if targets.is_empty() {
            return Output::err(
                "error: You must provide one or more resources by argument or filename.\n",
                1,
            );
        }
        let mut text = String::new();
        let mut errors = Vec::new();
        for (info, name) in targets {
            let Some(name) = name else {
                return Output::err("error: resource(s) were provided, but no name was specified\n", 1);
            };
            let k = key(&ns, &name);
            let ok = match info.kind {
                "Deployment" => self
                    .cluster
                    .deployments
                    .get_mut(&k)
                    .map(|d| d.replicas = Some(n))
                    .is_some(),
                "ReplicaSet" => self
                    .cluster
                    .replicasets
                    .get_mut(&k)
                    .map(|d| d.replicas = Some(n))
                    .is_some(),
                _ => {
                    errors.push(CmdError::Client(format!(
                        "cannot scale {}: this lab scales deployments and replicasets",
                        info.plural
                    )));
                    continue;
                }
            };
            if ok {
                text.push_str(&format!("{}/{name} scaled\n", info.qualified()));
            } else {
                errors.push(CmdError::Api {
                    err: ApiError::NotFound {
                        resource: info.resource(),
                        name,
                    },
                    context: None,
                });
            }
        }
        self.cluster.reconcile();
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    fn k_rollout(&mut self, args: &[String]) -> Output {
        let Some(sub) = args.first() else {
            return Output::err("error: Required resource not specified.\n", 1);
        };
        let p = match parse("rollout", &args[1..], &[("", "timeout", true), ("w", "watch", true)]) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some((info, Some(name))) = targets.into_iter().next() else {
            return Output::err("error: required resource not specified\n", 1);
        };
        if info.kind != "Deployment" {
            return Output::err(
                format!("error: no rollout for {} in this lab; use a deployment\n", info.plural),
                1,
            );
        }
        let k = key(&ns, &name);
        if !self.cluster.deployments.contains_key(&k) {
            return Output::err(
                format!("Error from server (NotFound): deployments.apps \"{name}\" not found\n"),
                1,
            );
        }
        match sub.as_str() {
            "restart" => {
                let stamp = rfc3339(self.cluster.lab.start_unix + self.cluster.now);
                if let Some(d) = self.cluster.deployments.get_mut(&k) {
                    d.template
                        .annotations
                        .insert("kubectl.kubernetes.io/restartedAt".into(), stamp);
                }
                self.cluster.reconcile();
                Output::ok(format!("deployment.apps/{name} restarted\n"))
            }
            "status" => {
                let mut text = String::new();
                // `--timeout` (a Go duration, 0 for none) and the Deployment's progress deadline:
                // no new status line for that long and the controller gives up.
                let timeout = match p.get("timeout").map(go_duration) {
                    Some(Ok(t)) => t,
                    Some(Err(e)) => {
                        let v = p.get("timeout").unwrap_or("");
                        return Output::err(
                            format!(
                                "error: invalid argument \"{v}\" for \"--timeout\" flag: {e}\n\
                                 See 'kubectl rollout status --help' for usage.\n"
                            ),
                            1,
                        );
                    }
                    None => 0,
                };
                let start = self.cluster.now;
                let mut progressed = start;
                for _ in 0..2000 {
                    let d = self.cluster.deployments[&k].clone();
                    let st = self.cluster.deployment_status(&d);
                    let want = d.replicas.unwrap_or(1);
                    let line = if st.updated < want {
                        format!(
                            "Waiting for deployment \"{name}\" rollout to finish: {} out of {want} new replicas \
                            have been updated...\n",
                            st.updated
                        )
                    } else if st.replicas > st.updated {
                        format!(
                            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending \
                            termination...\n",
                            st.replicas - st.updated
                        )
                    } else if st.available < st.updated {
                        format!(
                            "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are \
                            available...\n",
                            st.available, st.updated
                        )
                    } else {
                        text.push_str(&format!("deployment \"{name}\" successfully rolled out\n"));
                        return Output::ok(text);
                    };
                    if !text.ends_with(&line) {
                        text.push_str(&line);
                        progressed = self.cluster.now;
                    }
                    let now = self.cluster.now;
                    let deadline = progressed + d.progress_deadline_seconds.unwrap_or(600);
                    let until = if timeout > 0 {
                        deadline.min(start + timeout)
                    } else {
                        deadline
                    };
                    if now >= until {
                        if timeout > 0 && now >= start + timeout {
                            break;
                        }
                        text.push_str(&format!(
                            "error: deployment \"{name}\" exceeded its progress deadline\n"
                        ));
                        return Output::err(text, 1);
                    }
                    let step = self
                        .cluster
                        .next_event()
                        .map_or(until - now, |t| t - now)
                        .clamp(1, until - now);
                    self.cluster.advance(step);
                }
                text.push_str("error: timed out waiting for the condition\n");
                Output::err(text, 1)
            }
            other => Output::err(format!("error: `kubectl rollout {other}` is not part of this lab\n"), 1),
        }
    }

    fn k_label(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "label",
            args,
            &[("", "overwrite", false), ("l", "selector", true), ("", "all", false)],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let (objs, changes): (Vec<String>, Vec<String>) = p
            .pos
            .iter()
            .cloned()
            .partition(|a| !a.contains('=') && !a.ends_with('-'));
        if changes.is_empty() {
            return Output::err("error: at least one label update is required\n", 1);
        }
        let targets = match self.targets(&objs) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let selector = p.get("selector").map(str::to_string);
        if selector.is_some() && p.has("all") {
            return Output::err("error: cannot set --all and --selector at the same time\n", 1);
        }
        let listed = selector.is_some() || p.has("all");
        if listed && targets.iter().any(|(_, n)| n.is_some()) {
            return Output::err(NAME_AND_SELECTOR, 1);
        }
        // `-l` or `--all`: every object of the type (in the namespace) that matches.
        let mut named = Vec::new();
        for (info, name) in targets {
            match name {
                Some(n) => named.push((info, n)),
                None if listed => {
                    let obj_ns = if info.namespaced { Some(ns.as_str()) } else { None };
                    named.extend(
                        self.selected(info.kind, obj_ns, selector.as_deref())
                            .into_iter()
                            .map(|(_, name)| (info, name)),
                    );
                }
                None => return Output::err("error: resource(s) were provided, but no name was specified\n", 1),
            }
        }
        let mut text = String::new();
        let mut errors = Vec::new();
        for (info, name) in named {
            let obj_ns = if info.namespaced { ns.clone() } else { String::new() };
            if !self.cluster.exists(info.kind, &obj_ns, &name) {
                errors.push(CmdError::Api {
                    err: ApiError::NotFound {
                        resource: info.resource(),
                        name,
                    },
                    context: None,
                });
                continue;
            }
            let mut labels = self.labels_of(info.kind, &obj_ns, &name);
            let before = labels.clone();
            for ch in &changes {
                if let Some(k) = ch.strip_suffix('-') {
                    labels.remove(k);
                } else if let Some((k, v)) = ch.split_once('=') {
                    if let Some(old) = labels.get(k) {
                        if old != v && !p.has("overwrite") {
                            return Output::err(
                                format!("error: '{k}' already has a value ({old}), and --overwrite is false\n"),
                                1,
                            );
                        }
                    }
                    let errs =
                        super::validation::validate_labels(&[(k.to_string(), v.to_string())].into(), "metadata.labels");
                    if !errs.is_empty() {
                        errors.push(CmdError::Api {
                            err: ApiError::Invalid {
                                kind: info.kind.into(),
                                kind_group: info.kind_group(),
                                name: name.clone(),
                                causes: errs,
                            },
                            context: None,
                        });
                        continue;
                    }
                    labels.insert(k.to_string(), v.to_string());
                }
            }
            if let Some(stored) = self.cluster.labels_mut(info.kind, &obj_ns, &name) {
                *stored = labels.clone();
                // The API server keeps a namespace's name label whatever the request says.
                if info.kind == "Namespace" {
                    stored.insert(NAMESPACE_NAME_LABEL.into(), name.clone());
                }
            }
            self.cluster.next_resource_version();
            let verb = if labels == before {
                "not labeled"
            } else if labels.len() < before.len() && changes.iter().all(|c| c.ends_with('-')) {
                "unlabeled"
            } else {
                "labeled"
            };
            text.push_str(&format!("{}/{name} {verb}\n", info.qualified()));
        }
        self.cluster.reconcile();
        text.push_str(&render_errors(&errors));
        Output {
            text,
            code: if errors.is_empty() { 0 } else { 1 },
            traces: Vec::new(),
        }
    }

    fn k_exec(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "exec",
            args,
            &[
                ("i", "stdin", false),
                ("t", "tty", false),
                ("c", "container", true),
                ("q", "quiet", false),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let Some(target) = p.pos.first() else {
            return Output::err("error: pod, type/name or --filename must be specified\n", 1);
        };
        let Some(cmd) = p.rest.clone().filter(|r| !r.is_empty()) else {
            if p.pos.len() > 1 {
                return Output::err(
                    "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] \
                    instead\nSee 'kubectl exec -h' for help and examples\n",
                    1,
                );
            }
            return Output::err("error: you must specify at least one command for the container\n", 1);
        };
        // deploy/NAME, svc/NAME, rs/NAME: one of the object's pods, as kubectl picks it.
        let picked = match target.split_once('/') {
            Some((kind, _)) if !matches!(kind, "pod" | "pods" | "po") => match self.pod_for(&ns, target) {
                Ok(k) => Some(k.1),
                Err(e) => return Output::err(format!("{e}\n"), 1),
            },
            _ => None,
        };
        let pod_name = picked.as_deref().unwrap_or_else(|| {
            target
                .strip_prefix("pod/")
                .or_else(|| target.strip_prefix("pods/"))
                .or_else(|| target.strip_prefix("po/"))
                .unwrap_or(target)
        });
        let Some(k) = self.pod_key(&ns, pod_name) else {
            return Output::err(
                format!("Error from server (NotFound): pods \"{pod_name}\" not found\n"),
                1,
            );
        };
        let pod = self.cluster.pods[&k].clone();
        let container = match p.get("container") {
            Some(c) => {
                if !pod.spec.containers.iter().any(|x| x.name == c) {
                    return Output::err(format!("error: container {c} not found in pod {pod_name}\n"), 1);
                }
                c.to_string()
            }
            None => pod.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default(),
        };
        if pod.status.phase == "Succeeded" || pod.status.phase == "Failed" {
            return Output::err(
                format!(
                    "error: cannot exec into a container in a completed pod; current phase is {}\n",
                    pod.status.phase
                ),
                1,
            );
        }
        if !matches!(pod.status.state, ContainerState::Running { .. }) {
            return Output::err(
                format!("error: unable to upgrade connection: container not found (\"{container}\")\n"),
                1,
            );
        }
        let ct = pod
            .spec
            .containers
            .iter()
            .find(|x| x.name == container)
            .cloned()
            .unwrap_or_default();
        let interactive = p.has("stdin") && p.has("tty");
        let program = cmd[0].clone();
        let is_shell = matches!(program.rsplit('/').next(), Some("bash" | "sh" | "ash")) && cmd.len() == 1;
        let exists = images::has_shell(&ct, &program)
            || images::has_tool(&ct, program.rsplit('/').next().unwrap_or(""))
            || matches!(program.as_str(), "hostname" | "cat" | "echo" | "env" | "ls")
            || super::textutil::TOOLS.contains(&program.as_str()) && images::has_tool(&ct, "cat");
        if !exists {
            let why = if program.starts_with('/') {
                format!("stat {program}: no such file or directory")
            } else {
                "executable file not found in $PATH".into()
            };
            let id = self.cluster.new_uid().replace('-', "");
            return Output::err(
                format!(
                    "error: Internal error occurred: error executing command in container: failed to exec in \
                    container: failed to start exec \"{id}{}\": OCI runtime exec failed: exec failed: unable to start \
                    container process: exec: \"{program}\": {why}: unknown\n",
                    &id[..32]
                ),
                1,
            );
        }
        if is_shell {
            if interactive {
                self.sessions.push(Session::Pod {
                    pod: k,
                    container,
                    shell: program,
                });
            }
            return Output::default();
        }
        let mut out = self.container_command(&k, &container, &cmd, p.has("tty"));
        if out.code != 0 {
            out.text
                .push_str(&format!("command terminated with exit code {}\n", out.code));
            out.code = 1;
        }
        out
    }

    fn k_logs(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "logs",
            args,
            &[
                ("f", "follow", false),
                ("c", "container", true),
                ("", "tail", true),
                ("p", "previous", false),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let Some(target) = p.pos.first() else {
            return Output::err(
                "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME \
                is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples\n",
                1,
            );
        };
        let pod_name = if let Some(d) = target
            .strip_prefix("deployment/")
            .or_else(|| target.strip_prefix("deploy/"))
        {
            let dk = key(&ns, d);
            let Some(dep) = self.cluster.deployments.get(&dk) else {
                return Output::err(
                    format!(
                        "error: error from server (NotFound): deployments.apps \"{d}\" not found \
                    in namespace \"{ns}\"\n"
                    ),
                    1,
                );
            };
            let uid_rs: Vec<String> = self
                .cluster
                .replicasets
                .values()
                .filter(|r| r.meta.owner.as_ref().is_some_and(|o| o.uid == dep.meta.uid))
                .map(|r| r.meta.uid.clone())
                .collect();
            match self
                .cluster
                .pods
                .values()
                .find(|p| p.meta.owner.as_ref().is_some_and(|o| uid_rs.contains(&o.uid)))
            {
                Some(p) => p.meta.name.clone(),
                None => return Output::err(format!("error: timed out waiting for the condition\n"), 1),
            }
        } else {
            target.strip_prefix("pod/").unwrap_or(target).to_string()
        };
        let k = key(&ns, &pod_name);
        let Some(pod) = self.cluster.pods.get(&k) else {
            return Output::err(
                format!("Error from server (NotFound): pods \"{pod_name}\" not found\n"),
                1,
            );
        };
        if !matches!(
            pod.status.state,
            ContainerState::Running { .. } | ContainerState::Terminated { .. }
        ) {
            let c = pod.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default();
            let reason = match &pod.status.state {
                ContainerState::Waiting(r) => r.clone(),
                _ => "ContainerCreating".into(),
            };
            return Output::err(
                format!(
                    "Error from server (BadRequest): container \"{c}\" in pod \"{pod_name}\" is waiting to start: {}\n",
                    if reason == "ContainerCreating" {
                        "ContainerCreating".to_string()
                    } else {
                        format!("trying and failing to pull image")
                    }
                ),
                1,
            );
        }
        self.cluster.flush_probe_log(&k);
        let mut lines = self.cluster.logs.get(&k).cloned().unwrap_or_default();
        if let Some(t) = p.get("tail").and_then(|t| t.parse::<usize>().ok()) {
            let skip = lines.len().saturating_sub(t);
            lines.drain(..skip);
        }
        let mut text = String::new();
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        Output::ok(text)
    }

    /// `kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=N]`: labels and
    /// selector `app=NAME`, one container per image, named after the image.
    fn k_create_deployment(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "create deployment",
            args,
            &[
                ("", "image", true),
                ("r", "replicas", true),
                ("", "port", true),
                ("", "dry-run", true),
                ("o", "output", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.pos.len() != 1 {
            return Output::err(
                format!(
                    "error: exactly one NAME is required, got {}\nSee 'kubectl create deployment \
                -h' for help and examples\n",
                    p.pos.len()
                ),
                1,
            );
        }
        let name = p.pos[0].as_str();
        let images = p.all("image");
        if images.is_empty() {
            return Output::err("error: required flag(s) \"image\" not set\n", 1);
        }
        let int_flag = |f: &str, default: i64| -> Result<i64, Output> {
            match p.get(f) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().map_err(|_| {
                    Output::err(
                        format!(
                            "error: invalid argument \"{v}\" for \
                    \"--{f}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl create deployment \
                    --help' for usage.\n"
                        ),
                        1,
                    )
                }),
            }
        };
        let (replicas, port) = match (int_flag("replicas", 1), int_flag("port", -1)) {
            (Ok(r), Ok(p)) => (r, p),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        let labels = || Value::Map(vec![("app".to_string(), Value::str(name))]);
        let mut containers = Vec::new();
        // Each container is named after its image's last path part, without tag or digest and
        // with `_` made `-`; a name already taken gets a random suffix.
        let bases: Vec<String> = images
            .iter()
            .map(|image| {
                let base = image.rsplit('/').next().unwrap_or(image);
                base.split([':', '@']).next().unwrap_or(base).replace('_', "-")
            })
            .collect();
        for (i, image) in images.iter().enumerate() {
            let base = &bases[i];
            let cname = if bases[..i].contains(base) {
                format!("{base}-{}", self.cluster.random_suffix())
            } else {
                base.clone()
            };
            let mut c = vec![("name", Value::Str(cname)), ("image", Value::str(image.as_str()))];
            if port >= 0 && i == 0 {
                c.push((
                    "ports",
                    Value::Seq(vec![Value::map(vec![("containerPort", Value::Int(port))])]),
                ));
            }
            containers.push(Value::map(c));
        }
        let doc = Value::map(vec![
            ("apiVersion", Value::str("apps/v1")),
            ("kind", Value::str("Deployment")),
            (
                "metadata",
                Value::map(vec![("name", Value::str(name)), ("labels", labels())]),
            ),
            (
                "spec",
                Value::map(vec![
                    ("replicas", Value::Int(replicas)),
                    ("selector", Value::map(vec![("matchLabels", labels())])),
                    (
                        "template",
                        Value::map(vec![
                            ("metadata", Value::map(vec![("labels", labels())])),
                            ("spec", Value::map(vec![("containers", Value::Seq(containers))])),
                        ]),
                    ),
                ]),
            ),
        ]);
        self.create_generated(&doc, &p, "created")
    }

    /// `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME --tcp=P[:T]`:
    /// label and selector `app=NAME`, one port per `--tcp`, named `P-T`.
    fn k_create_service(&mut self, args: &[String]) -> Output {
        let types = [
            ("clusterip", "ClusterIP"),
            ("nodeport", "NodePort"),
            ("loadbalancer", "LoadBalancer"),
            ("externalname", "ExternalName"),
        ];
        let word = create_subcommand(args);
        let Some((sub, type_)) = word.and_then(|(_, a)| types.iter().find(|(t, _)| *t == a)).copied() else {
            if word.is_none() {
                return Output::err(CREATE_SERVICE_HELP, 1);
            }
            let words: Vec<&str> = args
                .iter()
                .map(String::as_str)
                .filter(|a| !a.starts_with('-'))
                .collect();
            return Output::err(
                format!(
                    "error: unknown command \"{}\"\nSee 'kubectl create service -h' for help and examples\n",
                    words.join(" ")
                ),
                1,
            );
        };
        let args = &without(args, word.map_or(0, |(i, _)| i))[..];
        let cmd = format!("create service {sub}");
        let mut flags: Vec<FlagSpec> = vec![("", "tcp", true), ("", "dry-run", true), ("o", "output", true)];
        match sub {
            "clusterip" => flags.push(("", "clusterip", true)),
            "nodeport" => flags.push(("", "node-port", true)),
            "externalname" => flags.push(("", "external-name", true)),
            _ => {}
        }
        let p = match parse(&cmd, args, &flags) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.pos.len() != 1 {
            return Output::err(
                format!(
                    "error: exactly one NAME is required, got {}\nSee 'kubectl {cmd} -h' for help and examples\n",
                    p.pos.len()
                ),
                1,
            );
        }
        let name = p.pos[0].as_str();
        let external = p.get("external-name").unwrap_or("");
        if sub == "externalname" && p.get("external-name").is_none() {
            return Output::err("error: required flag(s) \"external-name\" not set\n", 1);
        }
        let cluster_ip = p.get("clusterip").unwrap_or("");
        let tcp = p
            .all("tcp")
            .iter()
            .flat_map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect::<Vec<String>>();
        if cluster_ip == "None" && type_ != "ClusterIP" {
            return Output::err(
                "error: ClusterIP=None can only be used with ClusterIP service type\n",
                1,
            );
        }
        if cluster_ip != "None" && tcp.is_empty() && type_ != "ExternalName" {
            return Output::err("error: at least one tcp port specifier must be provided\n", 1);
        }
        if type_ == "ExternalName" && !super::validation::dns1123_subdomain(external).is_empty() {
            return Output::err(format!("error: invalid service external name {external}\n"), 1);
        }
        let node_port = match p.get("node-port").map(|v| v.parse::<i64>()) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(_)) => {
                let v = p.get("node-port").unwrap_or("");
                return Output::err(
                    format!(
                        "error: invalid argument \"{v}\" for \"--node-port\" flag: \
                    strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl {cmd} --help' for usage.\n"
                    ),
                    1,
                );
            }
        };
        let mut ports = Vec::new();
        for spec in &tcp {
            let (port, target) = spec
                .split_once(':')
                .map_or((spec.as_str(), None), |(a, b)| (a, Some(b)));
            let Ok(port) = port.parse::<u16>() else {
                return Output::err(
                    format!("error: strconv.ParseUint: parsing \"{port}\": invalid syntax\n"),
                    1,
                );
            };
            let target = match target {
                None => Value::Int(port as i64),
                Some(t) => match t.parse::<i64>() {
                    Ok(n) if (1..=65535).contains(&n) => Value::Int(n),
                    Ok(_) => return Output::err("error: must be between 1 and 65535, inclusive\n", 1),
                    Err(_) => {
                        let errs = super::validation::port_name(t);
                        if !errs.is_empty() {
                            return Output::err(format!("error: {}\n", errs.join(",")), 1);
                        }
                        Value::str(t)
                    }
                },
            };
            let mut sp = vec![
                ("name", Value::Str(spec.replace(':', "-"))),
                ("port", Value::Int(port as i64)),
                ("protocol", Value::str("TCP")),
                ("targetPort", target),
            ];
            if node_port != 0 {
                sp.push(("nodePort", Value::Int(node_port)));
            }
            ports.push(Value::map(sp));
        }
        let app = || Value::Map(vec![("app".to_string(), Value::str(name))]);
        let mut spec = vec![
            (
                "ports",
                if ports.is_empty() {
                    Value::Null
                } else {
                    Value::Seq(ports)
                },
            ),
            ("selector", app()),
            ("type", Value::str(type_)),
        ];
        if !external.is_empty() {
            spec.push(("externalName", Value::str(external)));
        }
        if !cluster_ip.is_empty() {
            spec.push(("clusterIP", Value::str(cluster_ip)));
        }
        let doc = Value::map(vec![
            ("apiVersion", Value::str("v1")),
            ("kind", Value::str("Service")),
            (
                "metadata",
                Value::map(vec![("name", Value::str(name)), ("labels", app())]),
            ),
            ("spec", Value::map(spec)),
        ]);
        self.create_generated(&doc, &p, "created")
    }

    /// `kubectl create namespace NAME`.
    fn k_create_namespace(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "create namespace",
            args,
            &[("", "dry-run", true), ("o", "output", true)],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.pos.len() != 1 {
            return Output::err(
                format!(
                    "error: exactly one NAME is required, got {}\nSee 'kubectl create namespace -h' for help and examples\n",
                    p.pos.len()
                ),
                1,
            );
        }
        let doc = Value::map(vec![
            ("apiVersion", Value::str("v1")),
            ("kind", Value::str("Namespace")),
            ("metadata", Value::map(vec![("name", Value::str(&p.pos[0]))])),
            // Go's zero spec and status, as `--dry-run=client -o yaml` shows them.
            ("spec", Value::Map(Vec::new())),
            ("status", Value::Map(Vec::new())),
        ]);
        self.create_generated(&doc, &p, "created")
    }

    /// Creates what `create deployment`, `expose` or `run` generated, as their `Create` call
    /// does: errors come back without a file context. `--dry-run=client` only prints what would
    /// be sent; `-o yaml|json|name` prints the object (the one sent, or the one created).
    fn create_generated(&mut self, doc: &Value, p: &Parsed, verb: &str) -> Output {
        let ns = self.namespace(p);
        // `--overrides` changes the generated object before anything else sees it.
        let overridden;
        let doc = match p.get("overrides").filter(|o| !o.is_empty()) {
            Some(o) => match super::overrides::apply(doc, o, p.get("override-type").unwrap_or("merge")) {
                Ok(v) => {
                    overridden = v;
                    &overridden
                }
                Err(e) => return Output::err(format!("{e}\n"), 1),
            },
            None => doc,
        };
        let output = p.get("output").unwrap_or("");
        if !["", "yaml", "json", "name"].contains(&output) {
            return Output::err(format!("error: unable to match a printer suitable for the output format \"{output}\", \
                allowed formats are: \
                go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"), 1);
        }
        let print = |v: &Value| {
            if output == "yaml" {
                v.to_yaml()
            } else {
                format!("{}\n", to_json_pretty(v, 0))
            }
        };
        let dry = p.get("dry-run").filter(|d| *d != "none");
        if let Some(d) = dry {
            return match classify(doc, "STDIN", &ns) {
                Ok(_) if output == "yaml" || output == "json" => {
                    // kubectl sets the namespace only when one was given (`EnforceNamespace`).
                    let mut v = client_object(doc);
                    if let (Some(n), Value::Map(top)) = (p.get("namespace"), &mut v) {
                        if let Some((_, Value::Map(m))) = top.iter_mut().find(|(k, _)| k == "metadata") {
                            m.push(("namespace".into(), Value::str(n)));
                        }
                    }
                    Output::ok(print(&v))
                }
                Ok(t) if output == "name" => Output::ok(format!("{}/{}\n", t.info.qualified(), t.name)),
                Ok(t) => Output::ok(format!(
                    "{}/{} {verb} (dry run{})\n",
                    t.info.qualified(),
                    t.name,
                    if d == "server" { " server" } else { "" }
                )),
                Err(e) => Output::err(render_errors(&[e]), 1),
            };
        }
        match self.cluster.submit(doc, "STDIN", Mode::Create, &ns) {
            Ok((n, _)) => {
                let shown = match output {
                    "yaml" | "json" => {
                        let (kind, name) = (
                            doc.get("kind").and_then(Value::as_str).unwrap_or(""),
                            n.rsplit('/').next().unwrap_or(""),
                        );
                        self.cluster
                            .object_value(kind, &ns, name)
                            .map(|v| print(&v))
                            .unwrap_or_default()
                    }
                    "name" => format!("{n}\n"),
                    _ => format!("{n} {verb}\n"),
                };
                self.cluster.reconcile();
                Output::ok(shown)
            }
            Err(CmdError::Api { err, .. }) => {
                let text = match &err {
                    ApiError::AlreadyExists { resource, name } => {
                        format!("Error from server (AlreadyExists): {resource} \"{name}\" already exists\n")
                    }
                    _ => render_errors(&[CmdError::Api { err, context: None }]),
                };
                Output::err(text, 1)
            }
            Err(e) => Output::err(render_errors(&[e]), 1),
        }
    }

    /// `kubectl expose TYPE NAME`: a Service for a pod, Service, Deployment or ReplicaSet, with
    /// the selector, ports and labels read from it unless flags give them (`ServiceGeneratorV2`).
    fn k_expose(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "expose",
            args,
            &[
                ("", "port", true),
                ("", "target-port", true),
                ("", "name", true),
                ("", "type", true),
                ("", "protocol", true),
                ("", "selector", true),
                ("l", "labels", true),
                ("", "external-ip", true),
                ("", "cluster-ip", true),
                ("", "session-affinity", true),
                ("", "load-balancer-ip", true),
                ("", "dry-run", true),
                ("o", "output", true),
                ("f", "filename", true),
                ("", "overrides", true),
                ("", "override-type", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.get("filename").is_some() {
            return Output::err(
                "error: `kubectl expose -f` is not part of this lab; name the object: kubectl expose TYPE NAME\n",
                1,
            );
        }
        if p.pos.is_empty() {
            return expose_usage(
                "You must provide one or more resources by argument or filename.\nExample resource \
                specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> \
                <name>'\n   '<resource>'",
            );
        }
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let mut text = String::new();
        for (info, name) in targets {
            let Some(name) = name else {
                return expose_usage("resource(s) were provided, but no name was specified");
            };
            let out = self.expose_one(&p, info, &ns, &name);
            text.push_str(&out.text);
            if out.code != 0 {
                return Output {
                    text,
                    code: out.code,
                    traces: Vec::new(),
                };
            }
        }
        Output::ok(text)
    }

    fn expose_one(&mut self, p: &Parsed, info: &KindInfo, ns: &str, name: &str) -> Output {
        let c = &self.cluster;
        let k = key(ns, name);
        let not_found = || {
            Output::err(
                render_errors(&[CmdError::Api {
                    err: ApiError::NotFound {
                        resource: info.resource(),
                        name: name.to_string(),
                    },
                    context: None,
                }]),
                1,
            )
        };
        // What the object says: its labels, pod selector, (port, protocol) pairs.
        let container_ports = |spec: &PodSpec| -> Vec<(i64, String)> {
            spec.containers
                .iter()
                .flat_map(|c| &c.ports)
                .map(|p| (p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
                .collect()
        };
        let map_selector = |sel: &Option<LabelSelector>| -> Result<Labels, String> {
            let sel = sel.clone().unwrap_or_default();
            if !sel.match_expressions.is_empty() {
                return Err("couldn't convert expressions to a map-based selector format".into());
            }
            Ok(sel.match_labels)
        };
        let (labels, selector, ports): (Labels, Result<Labels, String>, Vec<(i64, String)>) = match info.kind {
            "Pod" => {
                let Some(o) = c.pods.get(&k) else { return not_found() };
                let sel = if o.meta.labels.is_empty() {
                    Err("the pod has no labels and cannot be exposed".to_string())
                } else {
                    Ok(o.meta.labels.clone())
                };
                (o.meta.labels.clone(), sel, container_ports(&o.spec))
            }
            "Service" => {
                let Some(o) = c.services.get(&k) else {
                    return not_found();
                };
                let sel = o
                    .spec
                    .selector
                    .clone()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| "the service has no pod selector set".to_string());
                (
                    o.meta.labels.clone(),
                    sel,
                    o.spec
                        .ports
                        .iter()
                        .map(|sp| (sp.port, sp.protocol().to_string()))
                        .collect(),
                )
            }
            "Deployment" => {
                let Some(o) = c.deployments.get(&k) else {
                    return not_found();
                };
                (
                    o.meta.labels.clone(),
                    map_selector(&o.selector),
                    container_ports(&o.template.spec),
                )
            }
            "ReplicaSet" => {
                let Some(o) = c.replicasets.get(&k) else {
                    return not_found();
                };
                (
                    o.meta.labels.clone(),
                    map_selector(&o.selector),
                    container_ports(&o.template.spec),
                )
            }
            _ => {
                if !c.exists(info.kind, ns, name) {
                    return not_found();
                }
                return Output::err(format!("error: cannot expose a {}\n", info.kind_group()), 1);
            }
        };
        // `--selector` and `--labels` replace what the object says.
        let flag = |f: &str| {
            p.get(f)
                .map(|s| parse_label_list(s).ok_or_else(|| Output::err(format!("error: invalid label spec: {s}\n"), 1)))
        };
        let selector = match (flag("selector"), selector) {
            (Some(Err(e)), _) => return e,
            (Some(Ok(l)), _) | (None, Ok(l)) => l,
            (None, Err(e)) => {
                return expose_usage(&format!(
                    "couldn't retrieve selectors via --selector flag or introspection: {e}"
                ))
            }
        };
        let labels = match flag("labels") {
            Some(Err(e)) => return e,
            Some(Ok(l)) => l,
            None => labels,
        };
        let headless = p.get("cluster-ip") == Some("None");
        let port_list: Vec<String> = match p.get("port").filter(|v| !v.is_empty()) {
            Some(v) => vec![v.to_string()],
            None => {
                if ports.is_empty() && !headless {
                    return expose_usage("couldn't find port via --port flag or introspection");
                }
                // One entry a port number, as `getPorts` dedups them.
                let mut seen: Vec<String> = Vec::new();
                for (n, _) in &ports {
                    if !seen.contains(&n.to_string()) {
                        seen.push(n.to_string());
                    }
                }
                seen
            }
        };
        let mut service_ports = Vec::new();
        for (i, ps) in port_list.iter().enumerate() {
            let Ok(port) = ps.parse::<i64>() else {
                return Output::err(format!("error: strconv.Atoi: parsing \"{ps}\": invalid syntax\n"), 1);
            };
            // The object's protocols for this port number; one port each when it has several
            // (`port-N-tcp`, `port-N-udp`), unless --protocol names one for all.
            let mut protocols: Vec<String> = Vec::new();
            for (_, pr) in ports.iter().filter(|(n, _)| n.to_string() == *ps) {
                if !protocols.contains(pr) {
                    protocols.push(pr.clone());
                }
            }
            let given = p.get("protocol").filter(|v| !v.is_empty());
            let each: Vec<(Option<String>, String)> = match given {
                Some(pr) => vec![(None, pr.to_string())],
                None if protocols.len() > 1 => protocols
                    .iter()
                    .map(|pr| (Some(format!("port-{}-{}", i + 1, pr.to_ascii_lowercase())), pr.clone()))
                    .collect(),
                None => vec![(None, protocols.first().cloned().unwrap_or_else(|| "TCP".into()))],
            };
            let target = match p.get("target-port").filter(|v| !v.is_empty()) {
                Some(t) => t.parse::<i64>().map_or_else(|_| Value::str(t), Value::Int),
                None => Value::Int(port),
            };
            for (own_name, protocol) in each {
                let mut sp = Vec::new();
                match own_name {
                    Some(n) => sp.push(("name", Value::Str(n))),
                    None if port_list.len() > 1 => sp.push(("name", Value::Str(format!("port-{}", i + 1)))),
                    None => {}
                }
                sp.extend([
                    ("port", Value::Int(port)),
                    ("protocol", Value::Str(protocol)),
                    ("targetPort", target.clone()),
                ]);
                service_ports.push(Value::map(sp));
            }
        }
        let mut spec = vec![
            (
                "selector",
                Value::Map(selector.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect()),
            ),
            (
                "ports",
                if service_ports.is_empty() {
                    Value::Null
                } else {
                    Value::Seq(service_ports)
                },
            ),
        ];
        if let Some(t) = p.get("type").filter(|v| !v.is_empty()) {
            spec.push(("type", Value::str(t)));
            if t == "LoadBalancer" {
                if let Some(ip) = p.get("load-balancer-ip").filter(|v| !v.is_empty()) {
                    spec.push(("loadBalancerIP", Value::str(ip)));
                }
            }
        }
        if let Some(ip) = p.get("external-ip").filter(|v| !v.is_empty()) {
            spec.push(("externalIPs", Value::Seq(vec![Value::str(ip)])));
        }
        if let Some(a) = p.get("session-affinity").filter(|v| !v.is_empty()) {
            if a != "None" && a != "ClientIP" {
                return Output::err(format!("error: unknown session affinity: {a}\n"), 1);
            }
            spec.push(("sessionAffinity", Value::str(a)));
        }
        if let Some(ip) = p.get("cluster-ip").filter(|v| !v.is_empty()) {
            spec.push(("clusterIP", Value::str(ip)));
        }
        // The Service is named after the object (cut to 63 characters) unless --name says.
        let mut service_name = p.get("name").filter(|v| !v.is_empty()).unwrap_or(name).to_string();
        if p.get("name").is_none_or(str::is_empty) {
            service_name.truncate(63);
        }
        let mut meta = vec![("name", Value::Str(service_name))];
        if !labels.is_empty() {
            meta.push((
                "labels",
                Value::Map(labels.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect()),
            ));
        }
        let doc = Value::map(vec![
            ("apiVersion", Value::str("v1")),
            ("kind", Value::str("Service")),
            ("metadata", Value::map(meta)),
            ("spec", Value::map(spec)),
        ]);
        self.create_generated(&doc, p, "exposed")
    }

    fn k_run(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "run",
            args,
            &[
                ("", "image", true),
                ("", "port", true),
                ("", "restart", true),
                ("", "labels", true),
                ("i", "stdin", false),
                ("t", "tty", false),
                ("", "rm", false),
                ("", "command", false),
                ("", "dry-run", true),
                ("", "overrides", true),
                ("", "override-type", true),
                ("o", "output", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let Some(name) = p.pos.first() else {
            return Output::err(
                "error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n",
                1,
            );
        };
        let Some(image) = p.get("image") else {
            return Output::err("error: required flag(s) \"image\" not set\n", 1);
        };
        let mut labels = vec![("run".to_string(), Value::str(name.as_str()))];
        // `--labels` replaces the `run` label; an empty one is as good as none.
        if let Some(l) = p.get("labels").filter(|l| !l.is_empty()) {
            labels = l
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), Value::str(v)))
                .collect();
        }
        let mut container = vec![("name", Value::str(name.as_str())), ("image", Value::str(image))];
        if let Some(port) = p.get("port").and_then(|x| x.parse::<i64>().ok()) {
            container.push((
                "ports",
                Value::Seq(vec![Value::map(vec![("containerPort", Value::Int(port))])]),
            ));
        }
        let cmd: Vec<Value> = p.rest.clone().unwrap_or_default().into_iter().map(Value::Str).collect();
        if !cmd.is_empty() {
            container.push((if p.has("command") { "command" } else { "args" }, Value::Seq(cmd)));
        }
        let attach = p.has("stdin") && p.get("dry-run").is_none_or(|d| d == "none");
        if p.has("rm") && !attach {
            return Output::err("error: --rm should only be used for attached containers\n", 1);
        }
        if p.has("stdin") {
            container.push(("stdin", Value::Bool(true)));
            container.push(("stdinOnce", Value::Bool(true)));
            if p.has("tty") {
                container.push(("tty", Value::Bool(true)));
            }
        }
        // An interactive pod restarts on failure unless told otherwise.
        let restart = p
            .get("restart")
            .unwrap_or(if p.has("stdin") { "OnFailure" } else { "Always" });
        if !["Always", "OnFailure", "Never"].contains(&restart) {
            return Output::err(format!("error: invalid restart policy: {restart}\n"), 1);
        }
        let doc = Value::map(vec![
            ("apiVersion", Value::str("v1")),
            ("kind", Value::str("Pod")),
            (
                "metadata",
                Value::map(vec![
                    ("name", Value::str(name.as_str())),
                    ("labels", Value::Map(labels)),
                ]),
            ),
            (
                "spec",
                Value::map(vec![
                    ("containers", Value::Seq(vec![Value::map(container)])),
                    ("restartPolicy", Value::str(restart)),
                ]),
            ),
        ]);
        if attach {
            let ns = self.namespace(&p);
            return self.run_attached(doc, &ns, p.has("tty"), p.has("rm"));
        }
        self.create_generated(&doc, &p, "created")
    }
}

/// `kubectl get -o json`: four-space indentation, sorted keys.
pub fn to_json_pretty(v: &Value, ind: usize) -> String {
    let pad = " ".repeat(ind + 4);
    let end = " ".repeat(ind);
    match v {
        Value::Map(entries) if !entries.is_empty() => {
            let mut sorted: Vec<&(String, Value)> = entries.iter().collect();
            super::order::sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
            let items: Vec<String> = sorted
                .iter()
                .map(|(k, x)| {
                    format!(
                        "{pad}{}: {}",
                        Value::Str(k.clone()).to_json(),
                        to_json_pretty(x, ind + 4)
                    )
                })
                .collect();
            format!("{{\n{}\n{end}}}", items.join(",\n"))
        }
        Value::Seq(items) if !items.is_empty() => {
            let items: Vec<String> = items
                .iter()
                .map(|x| format!("{pad}{}", to_json_pretty(x, ind + 4)))
                .collect();
            format!("[\n{}\n{end}]", items.join(",\n"))
        }
        other => other.to_json(),
    }
}

#[allow(dead_code)]
fn words(line: &str) -> Vec<String> {
    split_words(line).unwrap_or_default()
}

/// What `kubectl` alone prints: the lab's short form of kubectl's help.
const KUBECTL_HELP: &str = r#"kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (this lab): apply, create, delete, get, describe, expose, patch, scale, rollout, label, wait,
exec, attach, logs, run, port-forward, api-resources, version
"#;

/// `kubectl create service` without a type: kubectl's help for the command.
const CREATE_SERVICE_HELP: &str = r#"Create a service using a specified subcommand.

Aliases:
service, svc

Available Commands:
  clusterip       Create a ClusterIP service
  externalname    Create an ExternalName service
  loadbalancer    Create a LoadBalancer service
  nodeport        Create a NodePort service

Usage:
  kubectl create service [flags] [options]

Use "kubectl create service <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
"#;

/// kubectl's message when a command names no resource, with its examples.
const NO_RESOURCES_ERROR: &str = r#"error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'
"#;

/// A Go duration as seconds (`90s`, `5m`, `1h30m`, `0`), or `time.ParseDuration`'s error.
fn go_duration(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration \"{s}\"");
    if s == "0" {
        return Ok(0);
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() {
        return Err(invalid());
    }
    let (mut total, mut rest) = (0f64, body);
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let v: f64 = rest[..n].parse().map_err(|_| invalid())?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..u];
        rest = &rest[u..];
        total += v * match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" | "μs" => 0.000_001,
            "ns" => 0.000_000_001,
            "" => return Err(format!("time: missing unit in duration \"{s}\"")),
            _ => return Err(format!("time: unknown unit \"{unit}\" in duration \"{s}\"")),
        };
    }
    Ok(if s.starts_with('-') { 0 } else { total.ceil() as i64 })
}
