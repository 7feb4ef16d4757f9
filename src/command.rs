//! What a command line does, for grading: the programs it runs, where, and for kubectl the
//! verb, the resource kinds and names and the flags in one canonical form. Two lines that
//! kubectl reads the same way (`get po -owide` and `get pods --output wide`) parse to
//! invocations that match each other. Pure: no cluster, no I/O.

use crate::sim::kinds;
use crate::sim::sh::simple_commands;
use crate::sim::shell::split_words;

/// One program run by a command line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Invocation {
    /// Where it ran: `pc`, `node/NAME`, `pod/NAME`. In a pattern, `None` means anywhere.
    pub at: Option<String>,
    /// The program's name without its directory (`kubectl` for `k`).
    pub program: String,
    /// kubectl's subcommand (`get`, `rollout status`).
    pub verb: Option<String>,
    /// kubectl's resource kinds, as API kinds (`Pod` for `po`, `pods`, `pod/x`).
    pub kinds: Vec<String>,
    /// kubectl's object names; for other programs, their operands.
    pub names: Vec<String>,
    /// Flags by long name (kubectl) or as written (others), with their values (`true` for a
    /// switch).
    pub flags: Vec<(String, String)>,
    /// For a command of an `sh -c` text, its number among the text's commands.
    pub part: Option<usize>,
}

/// Programs a pattern may name; a pattern starting with anything else is plain text.
const PROGRAMS: &[&str] = &[
    "kubectl",
    "curl",
    "wget",
    "nslookup",
    "dig",
    "ping",
    "cat",
    "echo",
    "hostname",
    "ls",
    "env",
    "sleep",
    "sh",
    "bash",
    "ash",
    "grep",
    "awk",
    "head",
    "tail",
    "sort",
    "uniq",
    "wc",
    "cut",
    "tr",
    "seq",
    "xargs",
    "printenv",
    "ip",
    "ps",
    "iptables",
    "iptables-save",
    "conntrack",
    "sudo",
    "ssh",
];

/// Subcommands whose first operand is a resource type (or a list of them).
const TYPE_VERBS: &[&str] = &[
    "get", "describe", "delete", "label", "annotate", "scale", "expose", "edit", "explain", "create", "top", "rollout",
];

/// kubectl's flags that take a value, by long name.
const KUBECTL_VALUE_FLAGS: &[&str] = &[
    "namespace",
    "output",
    "selector",
    "filename",
    "container",
    "context",
    "kubeconfig",
    "image",
    "port",
    "type",
    "name",
    "target-port",
    "replicas",
    "labels",
    "tail",
    "sort-by",
    "field-selector",
    "cluster-ip",
    "clusterip",
    "external-ip",
    "external-name",
    "node-port",
    "tcp",
    "protocol",
    "dry-run",
    "timeout",
    "grace-period",
    "session-affinity",
    "load-balancer-ip",
    "restart",
    "current-replicas",
    "validate",
    "v",
    "since",
    "template",
    "for",
    "patch",
    "patch-file",
];

/// kubectl's one-letter flags for a subcommand: (letter, long name, takes a value).
fn kubectl_short(verb: &str, c: char) -> Option<(&'static str, bool)> {
    Some(match (c, verb) {
        ('f', "logs") => ("follow", false),
        ('l', "run") => ("labels", true),
        ('w', "rollout status") => ("watch", true),
        ('p', "patch") => ("patch", true),
        ('n', _) => ("namespace", true),
        ('o', _) => ("output", true),
        ('l', _) => ("selector", true),
        ('f', _) => ("filename", true),
        ('c', _) => ("container", true),
        ('r', _) => ("replicas", true),
        ('v', _) => ("v", true),
        ('A', _) => ("all-namespaces", false),
        ('i', _) => ("stdin", false),
        ('t', _) => ("tty", false),
        ('w', _) => ("watch", false),
        ('R', _) => ("recursive", false),
        ('q', _) => ("quiet", false),
        ('p', _) => ("previous", false),
        _ => return None,
    })
}

/// curl's options that take a value (so that the value is not read as the URL).
const CURL_VALUE_FLAGS: &[&str] = &[
    "-H",
    "--header",
    "-o",
    "--output",
    "-w",
    "--write-out",
    "-X",
    "--request",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-d",
    "--data",
    "-A",
    "--user-agent",
    "-u",
    "--user",
    "-e",
    "--referer",
    "--resolve",
    "-x",
    "--proxy",
];

/// The canonical API kind of a resource word (`po`, `pods`, `Pod` -> `Pod`); other words in
/// lower case (`all`).
pub fn kind_word(w: &str) -> String {
    kinds::by_name(w).map_or_else(|| w.to_ascii_lowercase(), |k| k.kind.to_string())
}

fn kubectl(words: &[String], at: &Option<String>, out: &mut Vec<Invocation>) {
    let mut inv = Invocation {
        at: at.clone(),
        program: "kubectl".into(),
        ..Invocation::default()
    };
    let mut pos: Vec<String> = Vec::new();
    let mut rest: Option<&[String]> = None;
    // The verb decides what some letters mean; find it first (the first word that is not a
    // flag or a global flag's value).
    let verb0 = {
        let mut i = 0;
        let mut v = String::new();
        while i < words.len() {
            let w = &words[i];
            if w == "--" {
                break;
            }
            if !w.starts_with('-') || w == "-" {
                v = w.clone();
                break;
            }
            let takes = matches!(w.as_str(), "-n" | "--namespace" | "--context" | "--kubeconfig" | "-v");
            i += if takes { 2 } else { 1 };
        }
        v
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "--" {
            rest = Some(&words[i + 1..]);
            break;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let value = if KUBECTL_VALUE_FLAGS.contains(&name) {
                inline.or_else(|| {
                    i += 1;
                    words.get(i).cloned()
                })
            } else {
                inline.or(Some("true".into()))
            };
            inv.flags.push((name.to_string(), value.unwrap_or_default()));
        } else if w.len() > 1 && w.starts_with('-') {
            let chars: Vec<char> = w[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                match kubectl_short(&verb0, chars[j]) {
                    Some((long, true)) => {
                        let tail: String = chars[j + 1..].iter().collect();
                        let tail = tail.strip_prefix('=').map(str::to_string).unwrap_or(tail);
                        let value = if tail.is_empty() {
                            i += 1;
                            words.get(i).cloned().unwrap_or_default()
                        } else {
                            tail
                        };
                        inv.flags.push((long.to_string(), value));
                        break;
                    }
                    Some((long, false)) => inv.flags.push((long.to_string(), "true".into())),
                    None => inv.flags.push((format!("-{}", chars[j]), "true".into())),
                }
                j += 1;
            }
        } else {
            pos.push(w.clone());
        }
        i += 1;
    }
    let mut pos = pos.into_iter();
    let mut verb = pos.next().unwrap_or_default();
    let mut pos: Vec<String> = pos.collect();
    if verb == "rollout" && !pos.is_empty() {
        verb = format!("rollout {}", pos.remove(0));
    }
    let by_type = TYPE_VERBS.contains(&verb.split(' ').next().unwrap_or(""));
    let mut first = true;
    for p in pos {
        if let Some((k, n)) = p.split_once('/') {
            inv.kinds.push(kind_word(k));
            inv.names.push(n.to_string());
        } else if first && by_type && !(verb == "create" && inv.flags.iter().any(|(f, _)| f == "filename")) {
            inv.kinds.extend(p.split(',').filter(|k| !k.is_empty()).map(kind_word));
        } else {
            inv.names.push(p);
        }
        first = false;
    }
    for (name, value) in inv.flags.iter_mut() {
        if name == "selector" || name == "labels" {
            let mut terms: Vec<&str> = value.split(',').map(str::trim).collect();
            terms.sort_unstable();
            *value = terms.join(",");
        }
    }
    let pod = (verb == "exec").then(|| inv.names.first().cloned()).flatten();
    inv.verb = Some(verb);
    out.push(inv);
    if let (Some(pod), Some(cmd)) = (pod, rest) {
        let pod = pod.strip_prefix("pods/").or(pod.strip_prefix("pod/")).unwrap_or(&pod);
        invocations(cmd, &Some(format!("pod/{pod}")), out);
    }
}

/// A host name compared as the cluster's resolver would complete it in `default`
/// (`web` -> `web.default.svc.cluster.local`); addresses and full names stay as they are.
pub fn host_key(host: &str) -> String {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || h.chars().all(|c| c.is_ascii_digit() || c == '.') || h == "localhost" {
        return if h == "localhost" { "127.0.0.1".into() } else { h };
    }
    match h.matches('.').count() {
        0 => format!("{h}.default.svc.cluster.local"),
        1 => format!("{h}.svc.cluster.local"),
        2 if h.ends_with(".svc") => format!("{h}.cluster.local"),
        _ => h,
    }
}

/// An operand of curl, wget, nslookup or dig, in a form where equal meanings compare equal.
fn operand_key(program: &str, w: &str) -> String {
    match program {
        "curl" | "wget" => {
            let no_scheme = w.strip_prefix("http://").unwrap_or(w);
            let (hostport, path) = match no_scheme.find('/') {
                Some(i) => (&no_scheme[..i], &no_scheme[i..]),
                None => (no_scheme, "/"),
            };
            let (host, port) = match hostport.rsplit_once(':') {
                Some((h, "80")) => (h, ""),
                Some((h, p)) => (h, p),
                None => (hostport, ""),
            };
            let path = if path == "/" { "" } else { path };
            let port = if port.is_empty() {
                String::new()
            } else {
                format!(":{port}")
            };
            format!("{}{port}{path}", host_key(host))
        }
        "nslookup" | "dig" | "ping" => host_key(w),
        _ => w.to_string(),
    }
}

fn other(program: &str, words: &[String], at: &Option<String>, out: &mut Vec<Invocation>) {
    let mut inv = Invocation {
        at: at.clone(),
        program: program.to_string(),
        ..Invocation::default()
    };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.starts_with('-') && w.len() > 1 {
            let (name, inline) = match w.split_once('=') {
                Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
                _ => (w.clone(), None),
            };
            let takes = program == "curl" && CURL_VALUE_FLAGS.contains(&name.as_str());
            let value = match inline {
                Some(v) => v,
                None if takes => {
                    i += 1;
                    words.get(i).cloned().unwrap_or_default()
                }
                None => "true".into(),
            };
            inv.flags.push((name, value));
        } else {
            inv.names.push(operand_key(program, w));
        }
        i += 1;
    }
    out.push(inv);
    // `sh -c "..."` runs its argument.
    if matches!(program, "sh" | "bash" | "ash") {
        if let Some(c) = words.iter().position(|w| w == "-c") {
            let text = words.get(c + 1).and_then(|s| simple_commands(s)).unwrap_or_default();
            for (j, inner) in text.iter().enumerate() {
                let from = out.len();
                invocations(inner, at, out);
                for i in &mut out[from..] {
                    i.part = Some(j);
                }
            }
        }
    }
}

fn invocations(words: &[String], at: &Option<String>, out: &mut Vec<Invocation>) {
    let Some(first) = words.first() else { return };
    let program = first.rsplit('/').next().unwrap_or(first);
    let args = &words[1..];
    match program {
        "trace" => invocations(args, at, out),
        "host" if at.as_deref().is_none_or(|a| a.starts_with("node/")) => {
            invocations(args, &Some("pc".to_string()), out)
        }
        "kubectl" | "k" => kubectl(args, at, out),
        // `sudo CMD` runs CMD where it was typed; `ssh NODE CMD` runs it on that node.
        "sudo" => invocations(args, at, out),
        "ssh" if args.len() > 1 && at.as_deref().is_none_or(|a| a.starts_with("node/")) => {
            invocations(&args[1..], &Some(format!("node/{}", args[0])), out)
        }
        p => other(p, args, at, out),
    }
}

/// Every program a line runs, outermost first: `kubectl exec web -- curl x` runs kubectl on
/// the node and curl in pod `web`; each command of a pipe, list or loop counts. `at` is where
/// the line was typed (`node/NAME`, `pod/NAME`).
pub fn parse(line: &str, at: &str) -> Vec<Invocation> {
    parse_indexed(line, at).into_iter().map(|(_, i)| i).collect()
}

/// [`parse`], each invocation with the number of the simple command it belongs to (its place
/// in `simple_commands`): that command's exit status is the invocation's own.
pub fn parse_indexed(line: &str, at: &str) -> Vec<(usize, Invocation)> {
    let mut out = Vec::new();
    for (k, words) in simple_commands(line).unwrap_or_default().iter().enumerate() {
        let mut invs = Vec::new();
        invocations(words, &Some(at.to_string()), &mut invs);
        out.extend(invs.into_iter().map(|i| (k, i)));
    }
    out
}

/// A goal's command as a pattern: the program it is about (the innermost one: the curl of
/// `kubectl exec web -- curl x`), or `None` when the text names no program this module knows
/// (such a goal falls back to matching the text). kubectl's verbs may come alone:
/// `get pods` is `kubectl get pods`.
pub fn pattern(text: &str) -> Option<Invocation> {
    let words = split_words(text).ok()?;
    let first = words.first()?;
    let known = |w: &str| PROGRAMS.contains(&w) || matches!(w, "k" | "host" | "trace");
    let words = if known(first.rsplit('/').next().unwrap_or(first)) {
        words
    } else if crate::sim::kubectl::COMMANDS.contains(&first.as_str()) {
        std::iter::once("kubectl".to_string()).chain(words).collect()
    } else {
        return None;
    };
    let mut out = Vec::new();
    invocations(&words, &None, &mut out);
    out.pop()
}

fn namespace(inv: &Invocation) -> Option<&str> {
    if inv.flags.iter().any(|(f, v)| f == "all-namespaces" && v == "true") {
        return None;
    }
    Some(
        inv.flags
            .iter()
            .rev()
            .find(|(f, _)| f == "namespace")
            .map_or("default", |(_, v)| v.as_str()),
    )
}

/// Whether an invocation does what a pattern asks: the same program (and kubectl verb), in
/// the same place if the pattern says where, with every kind, name and flag of the pattern
/// (more are allowed, in any order). A kubectl command must look at the pattern's namespace
/// (`default` unless it says), or at all of them.
pub fn matches(pattern: &Invocation, inv: &Invocation) -> bool {
    if pattern.program != inv.program || (pattern.verb.is_some() && pattern.verb != inv.verb) {
        return false;
    }
    if pattern.at.as_ref().is_some_and(|a| Some(a) != inv.at.as_ref()) {
        return false;
    }
    if inv.program == "kubectl" {
        if let Some(ns) = namespace(inv) {
            if namespace(pattern) != Some(ns) {
                return false;
            }
        }
    }
    pattern.kinds.iter().all(|k| inv.kinds.contains(k))
        && pattern.names.iter().all(|n| inv.names.contains(n))
        && pattern
            .flags
            .iter()
            .filter(|(f, _)| f != "namespace")
            .all(|f| inv.flags.contains(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(pat: &str, line: &str) -> bool {
        let p = pattern(pat).expect("a pattern");
        parse(line, "node/myserver01").iter().any(|i| matches(&p, i))
    }

    #[test]
    fn every_command_of_a_pipe_or_loop_counts() {
        assert!(ok(
            "kubectl get svc",
            "kubectl get svc -o yaml | grep -i healthCheckNodePort"
        ));
        assert!(ok("grep", "kubectl get svc | grep x"));
        assert!(ok(
            "kubectl patch svc nodeport",
            "true && kubectl patch svc nodeport -p '{}'"
        ));
        assert!(ok(
            "kubectl get nodes",
            "for n in $(kubectl get nodes -o name); do echo $n; done"
        ));
        assert!(ok("curl", "kubectl exec web -- sh -c 'curl -s web | head -1'"));
        // sudo runs the command where it was typed; ssh runs it on the node it names.
        assert!(ok("iptables-save -t nat", "sudo iptables-save -t nat | grep web"));
        assert!(ok(
            "ssh myserver02 conntrack -L",
            "ssh myserver02 sudo conntrack -L -p tcp"
        ));
        assert!(!ok("ssh myserver02 conntrack -L", "sudo conntrack -L"));
        assert!(!ok("kubectl get svc", "echo 'kubectl get svc'"));
    }

    #[test]
    fn short_names_flag_forms_and_orders_are_the_same_command() {
        assert!(ok("kubectl get pods -o wide", "kubectl get po -o wide"));
        assert!(ok("get pods -o wide", "k get pod -owide"));
        assert!(ok("get pods -o wide", "kubectl get --output=wide pods"));
        assert!(ok(
            "get pods -o wide",
            "kubectl -n default get pods -o=wide --show-labels"
        ));
        assert!(ok("kubectl get endpoints", "kubectl get ep web"));
        assert!(ok("kubectl get endpoints", "kubectl get svc,ep"));
        assert!(ok(
            "get endpointslices",
            "kubectl get endpointslice -l kubernetes.io/service-name=web"
        ));
        assert!(ok("get svc", "kubectl get services"));
        assert!(ok("kubectl delete pod", "kubectl delete po/web-1"));
        assert!(ok("kubectl logs", "kubectl logs deploy/hello --tail=1"));
        assert!(ok(
            "kubectl get pods -l app=web,tier=fe",
            "kubectl get pods --selector tier=fe,app=web"
        ));
        assert!(!ok("get pods -o wide", "kubectl get pods"));
        assert!(!ok("get pods -o wide", "kubectl get pods -o yaml"));
        assert!(!ok("get pods -o wide", "kubectl get pods -o wide -n kube-system"));
        assert!(ok("get pods -o wide", "kubectl get pods -o wide -A"));
        assert!(!ok("kubectl get endpoints", "kubectl get endpointslices"));
        assert!(!ok("kubectl get endpoints", "kubectl describe endpoints"));
    }

    #[test]
    fn commands_inside_pods_and_on_the_pc() {
        assert!(ok("host curl", "host curl -s http://127.0.0.1:31051"));
        assert!(ok(
            "host curl",
            "trace host curl -s -o /dev/null http://127.0.0.1:31061"
        ));
        assert!(!ok("host curl", "curl http://127.0.0.1:31051"));
        assert!(ok("wget -qO- hello", "kubectl exec client -- wget -qO- hello"));
        assert!(ok(
            "wget -qO- hello",
            "kubectl exec -it client -- sh -c 'wget -qO- http://hello/'"
        ));
        assert!(ok(
            "nslookup hello-headless",
            "kubectl exec dnsutils -- nslookup hello-headless.default.svc.cluster.local"
        ));
        assert!(!ok(
            "nslookup hello-headless",
            "kubectl exec dnsutils -- nslookup hello"
        ));
        assert!(ok(
            "kubectl exec dnsutils -- cat /etc/resolv.conf",
            "kubectl exec -i -t dnsutils -- cat /etc/resolv.conf"
        ));
        assert!(!ok(
            "kubectl exec dnsutils -- cat /etc/resolv.conf",
            "cat /etc/resolv.conf"
        ));
        let typed_in_pod = parse("cat /etc/resolv.conf", "pod/dnsutils");
        let p = pattern("kubectl exec dnsutils -- cat /etc/resolv.conf").unwrap();
        assert!(typed_in_pod.iter().any(|i| matches(&p, i)));
        assert!(pattern("Host: www.google.com").is_none());
        assert!(pattern("31061").is_none());
    }

    #[test]
    fn any_line_parses_without_panicking() {
        let words = [
            "kubectl",
            "k",
            "exec",
            "-it",
            "--",
            "-",
            "-o",
            "-owide",
            "--output=",
            "=",
            "get",
            "po/",
            "/",
            "sh",
            "-c",
            "'curl",
            "host",
            "trace",
            "rollout",
            "create",
            "-f",
            "logs",
            "é",
            "한",
            "http://",
            ":",
            "x:0",
            "-n",
        ];
        let mut seed = 7u64;
        for _ in 0..3000 {
            let mut line = Vec::new();
            for _ in 0..(seed % 7) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                line.push(words[(seed >> 33) as usize % words.len()]);
            }
            let line = line.join(" ");
            let invs = parse(&line, "node/myserver01");
            if let Some(p) = pattern(&line) {
                let _ = invs.iter().any(|i| matches(&p, i));
            }
        }
    }
}
