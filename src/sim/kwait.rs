//! `kubectl wait` (`--for=condition=...`, `--for=delete`, `--for=jsonpath=...`) over the
//! simulated clock, and `kubectl api-resources` from the kinds the lab's API server serves.

use super::jsonpath;
use super::kinds::{KindInfo, KINDS};
use super::kubectl::{parse, selector_matches, Parsed};
use super::shell::{Output, Shell};
use super::tabwriter::table;
use super::value::Value;

/// What `--for` asks.
enum For {
    Condition(String, String),
    Delete,
    Path(jsonpath::JsonPath, String),
}

/// `30s`, `1m`, `2m30s`, `60` (seconds) as seconds.
fn duration(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let mut total = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            let n: i64 = num.parse().ok()?;
            num.clear();
            total += n * match c {
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return None,
            };
        }
    }
    num.is_empty().then_some(total)
}

impl Shell {
    pub(super) fn k_wait(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "wait",
            args,
            &[
                ("", "for", true),
                ("", "timeout", true),
                ("l", "selector", true),
                ("", "all", false),
                ("A", "all-namespaces", false),
                ("f", "filename", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let Some(f) = p.get("for") else {
            return Output::err(
                "error: --for must be set to one of: delete, condition=condition-name, jsonpath='{JSONPath expression}'=[JSONPath value] or create\n",
                1,
            );
        };
        let cond = if f == "delete" {
            For::Delete
        } else if let Some(c) = f.strip_prefix("condition=") {
            let (name, value) = c.split_once('=').unwrap_or((c, "true"));
            For::Condition(name.to_ascii_lowercase(), value.to_ascii_lowercase())
        } else if let Some(j) = f.strip_prefix("jsonpath=") {
            let Some(close) = j.rfind('}') else {
                return Output::err("error: unrecognized format for jsonpath: missing closing brace\n", 1);
            };
            let (expr, rest) = j.split_at(close + 1);
            let value = rest.strip_prefix('=').unwrap_or("").to_string();
            match jsonpath::JsonPath::parse(expr) {
                Ok(jp) => For::Path(jp, value),
                Err(e) => return Output::err(format!("error: {e}\n"), 1),
            }
        } else {
            return Output::err(format!("error: unrecognized condition: \"{f}\"\n"), 1);
        };
        let timeout = match p.get("timeout").map(duration) {
            None => 30,
            Some(Some(t)) => t,
            Some(None) => {
                return Output::err(
                    format!(
                        "error: invalid argument \"{}\" for \"--timeout\" flag\n",
                        p.get("timeout").unwrap_or("")
                    ),
                    1,
                )
            }
        };
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let ns = self.namespace(&p);
        let mut objects: Vec<(&'static KindInfo, String)> = Vec::new();
        for (info, name) in &targets {
            match name {
                Some(n) => objects.push((info, n.clone())),
                None if p.has("all") || p.get("selector").is_some() => {
                    let sel = p.get("selector").unwrap_or("");
                    for n in self.names_selected(info.kind, &ns, sel) {
                        objects.push((info, n));
                    }
                }
                None => return Output::err("error: resource(s) were provided, but no name was specified\n", 1),
            }
        }
        if objects.is_empty() {
            return Output::err("error: no matching resources found\n", 1);
        }
        let mut text = String::new();
        let mut code = 0;
        for (info, name) in objects {
            let obj_ns = if info.namespaced { ns.clone() } else { String::new() };
            let printed = format!("{}/{name}", info.qualified());
            let mut waited = 0;
            loop {
                let v = self.cluster.object_value(info.kind, &obj_ns, &name);
                let met = match (&cond, &v) {
                    (For::Delete, None) => true,
                    (_, None) if waited == 0 => {
                        text.push_str(&format!(
                            "Error from server (NotFound): {} \"{name}\" not found\n",
                            info.resource()
                        ));
                        code = 1;
                        break;
                    }
                    (For::Condition(c, want), Some(v)) => condition(v, c).is_some_and(|s| s == *want),
                    (For::Path(jp, want), Some(v)) => jp
                        .values(v)
                        .ok()
                        .and_then(|x| x.first().map(|x| jsonpath::go_value(x)))
                        .is_some_and(|got| want.is_empty() || got == *want),
                    _ => false,
                };
                if met {
                    text.push_str(&format!("{printed} condition met\n"));
                    break;
                }
                if waited >= timeout {
                    text.push_str(&format!(
                        "error: timed out waiting for the condition on {}/{name}\n",
                        info.resource()
                    ));
                    code = 1;
                    break;
                }
                self.cluster.advance(1);
                waited += 1;
            }
        }
        Output {
            text,
            code,
            traces: Vec::new(),
        }
    }

    /// `kubectl get -w`: the table, then a row each time an object's printed row changes (its
    /// age aside), while the cluster keeps changing. In a page's terminal (`live`) the watch
    /// stays open and streams as the page's clock runs, until Ctrl-C or the next command; in a
    /// script it ends after ten quiet seconds (two minutes at most).
    pub(super) fn watch_table(&mut self, p: &Parsed, first: Output) -> Output {
        if first.code != 0 {
            return first;
        }
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        if targets.iter().any(|(i, _)| i.kind != targets[0].0.kind) {
            return Output::err(
                "error: watch is only supported on individual resources and resource collections - more than 1 \
                 resource was found\n",
                1,
            );
        }
        let output = p.get("output").unwrap_or("");
        if !["", "wide"].contains(&output) {
            return Output::err(
                "error: this lab watches the table output (kubectl get -w, or -o wide -w)\n",
                1,
            );
        }
        let all = p.has("all-namespaces");
        let mut w = Watch {
            info: targets[0].0,
            names: targets.iter().filter_map(|(_, n)| n.clone()).collect(),
            all,
            ns: (!all && targets[0].0.namespaced).then(|| self.namespace(p)),
            sel: p.get("selector").map(str::to_string),
            wide: output == "wide",
            last: Vec::new(),
            widths: Vec::new(),
            headed: false,
        };
        w.last = w.snapshot(self);
        w.headed = !w.last.is_empty();
        if let Some((k, _, _)) = w.last.first() {
            let h = w.header(self, k);
            w.grow(&h);
        }
        for r in w.last.iter().map(|x| x.1.clone()).collect::<Vec<_>>() {
            w.grow(&r);
        }
        let mut text = first.text;
        if self.live && self.stdout_tty && !self.background {
            // A watch prints no "No resources found": it waits for the first object.
            if !w.headed {
                text.clear();
            }
            self.watch = Some(Box::new(w));
            return Output::ok(text);
        }
        let (mut quiet, mut waited) = (0, 0);
        while quiet < 10 && waited < 120 {
            self.cluster.advance(1);
            waited += 1;
            let rows = w.step(self, &mut text);
            quiet = if rows { 0 } else { quiet + 1 };
        }
        self.stdout_part = Some((0, text.len()));
        text.push_str(&format!(
            "svclab: the watch ended after {waited}s ({}); a real kubectl get -w runs until Ctrl-C\n",
            if quiet >= 10 {
                "ten seconds without a change"
            } else {
                "two minutes"
            }
        ));
        Output::ok(text)
    }

    /// The rows a live watch prints as time passes, or `None` when no watch is open.
    pub fn watch_poll(&mut self) -> Option<String> {
        let mut w = self.watch.take()?;
        let mut text = String::new();
        w.step(self, &mut text);
        self.watch = Some(w);
        Some(text)
    }

    pub(super) fn k_api_resources(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "api-resources",
            args,
            &[
                ("o", "output", true),
                ("", "namespaced", true),
                ("", "api-group", true),
                ("", "no-headers", false),
                ("", "sort-by", true),
                ("", "cached", false),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let output = p.get("output").unwrap_or("");
        if !["", "wide", "name"].contains(&output) {
            return Output::err(format!("error: --output {output} is not available\n"), 1);
        }
        let mut kinds: Vec<&KindInfo> = KINDS
            .iter()
            .filter(|k| p.get("namespaced").is_none_or(|n| (n == "true") == k.namespaced))
            .filter(|k| p.get("api-group").is_none_or(|g| g == k.group))
            .collect();
        match p.get("sort-by") {
            Some("kind") => super::order::sort_by(&mut kinds, |a, b| a.kind.cmp(b.kind)),
            Some("name") => super::order::sort_by(&mut kinds, |a, b| a.plural.cmp(b.plural)),
            _ => super::order::sort_by(&mut kinds, |a, b| (a.group, a.plural).cmp(&(b.group, b.plural))),
        }
        if output == "name" {
            return Output::ok(kinds.iter().map(|k| format!("{}\n", k.resource())).collect::<String>());
        }
        let mut rows = Vec::new();
        if !p.has("no-headers") {
            rows.push(
                ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            );
        }
        for k in kinds {
            rows.push(vec![
                k.plural.to_string(),
                k.short.join(","),
                k.api_version(),
                k.namespaced.to_string(),
                k.kind.to_string(),
            ]);
        }
        Output::ok(table(&rows))
    }
}

/// A Deployment's `Available` condition as its controller sets it: available replicas at
/// least the desired count less `maxUnavailable` (25% by default, rounded down).
fn deployment_available(v: &Value) -> Option<String> {
    let int = |v: Option<&Value>| match v {
        Some(Value::Int(i)) => *i,
        _ => 0,
    };
    let spec = v.get("spec")?;
    let want = match spec.get("replicas") {
        Some(Value::Int(i)) => *i,
        _ => 1,
    };
    let max_unavailable = match spec
        .get("strategy")
        .and_then(|s| s.get("rollingUpdate"))
        .and_then(|r| r.get("maxUnavailable"))
    {
        Some(Value::Int(i)) => *i,
        Some(Value::Str(p)) => p.trim_end_matches('%').parse::<i64>().unwrap_or(25) * want / 100,
        _ if spec.get("strategy").and_then(|s| s.get("type")).and_then(Value::as_str) == Some("Recreate") => 0,
        _ => want * 25 / 100,
    };
    let available = int(v.get("status").and_then(|s| s.get("availableReplicas")));
    Some((available >= want - max_unavailable).to_string())
}

/// A condition's status (lower case) by type, case-insensitively.
fn condition(v: &Value, name: &str) -> Option<String> {
    if name == "available" && v.get("kind").and_then(Value::as_str) == Some("Deployment") {
        return deployment_available(v);
    }
    let Some(Value::Seq(conds)) = v.get("status").and_then(|s| s.get("conditions")) else {
        return None;
    };
    conds
        .iter()
        .find(|c| {
            c.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
        })
        .and_then(|c| c.get("status").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("30s"), Some(30));
        assert_eq!(duration("2m30s"), Some(150));
        assert_eq!(duration("90"), Some(90));
        assert_eq!(duration("1x"), None);
    }
}

/// One object's row in a watch: (namespace, name), the cells, and which cell is the age.
type Row = ((String, String), Vec<String>, Option<usize>);

/// A `kubectl get -w`: what it watches and what it printed last.
pub struct Watch {
    info: &'static KindInfo,
    names: Vec<String>,
    all: bool,
    /// The namespace watched; `None` for all of them, or a kind without namespaces.
    ns: Option<String>,
    sel: Option<String>,
    wide: bool,
    last: Vec<Row>,
    /// kubectl's tabwriter remembers column widths across flushes: an event's row lines up
    /// with the table, and a wider cell widens its column from then on.
    widths: Vec<usize>,
    headed: bool,
}

impl Watch {
    fn snapshot(&self, sh: &Shell) -> Vec<Row> {
        let (kind, all) = (self.info.kind, self.all && self.info.namespaced);
        sh.names_of(kind, self.ns.as_deref())
            .into_iter()
            .filter(|(_, n)| self.names.is_empty() || self.names.contains(n))
            .filter(|(n, name)| {
                self.sel
                    .as_deref()
                    .is_none_or(|s| selector_matches(s, &sh.labels_of(kind, n, name)))
            })
            .filter_map(|(n, name)| {
                let (h, mut r) = sh.row(kind, &n, &name, name.clone(), self.wide)?;
                if all {
                    r.insert(0, n.clone());
                }
                let age = h.iter().position(|c| c == "AGE").map(|a| a + usize::from(all));
                Some(((n, name), r, age))
            })
            .collect()
    }

    fn header(&self, sh: &Shell, k: &(String, String)) -> Vec<String> {
        let mut h = sh
            .row(self.info.kind, &k.0, &k.1, k.1.clone(), self.wide)
            .map(|x| x.0)
            .unwrap_or_default();
        if self.all && self.info.namespaced {
            h.insert(0, "NAMESPACE".into());
        }
        h
    }

    fn grow(&mut self, r: &[String]) {
        if self.widths.len() < r.len() {
            self.widths.resize(r.len(), 6);
        }
        for (w, c) in self.widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count() + 3);
        }
    }

    fn line(&self, r: &[String]) -> String {
        let mut l = String::new();
        for (i, c) in r.iter().enumerate() {
            l.push_str(c);
            if i + 1 < r.len() {
                l.extend(std::iter::repeat_n(
                    ' ',
                    self.widths[i].saturating_sub(c.chars().count()),
                ));
            }
        }
        l.push('\n');
        l
    }

    /// Prints a row for each object whose row changed (its age aside) or that went since the
    /// last look; whether there was one.
    fn step(&mut self, sh: &Shell, text: &mut String) -> bool {
        let strip = |r: &[String], age: Option<usize>| -> Vec<String> {
            r.iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != age)
                .map(|(_, c)| c.clone())
                .collect()
        };
        let now = self.snapshot(sh);
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (k, r, age) in &now {
            let before = self.last.iter().find(|x| &x.0 == k);
            if before.is_none_or(|b| strip(&b.1, b.2) != strip(r, *age)) {
                rows.push(r.clone());
            }
        }
        for (k, r, _) in &self.last {
            if !now.iter().any(|x| &x.0 == k) {
                rows.push(r.clone());
            }
        }
        let changed = !rows.is_empty();
        for r in rows {
            if !self.headed {
                let h = self.header(sh, &now.first().map(|x| x.0.clone()).unwrap_or_default());
                self.grow(&h);
                self.grow(&r);
                // Nothing printed yet but kubectl's "No resources found": the header replaces it.
                text.clear();
                text.push_str(&self.line(&h));
                self.headed = true;
            }
            self.grow(&r);
            text.push_str(&self.line(&r));
        }
        self.last = now;
        changed
    }
}
