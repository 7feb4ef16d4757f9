//! The terminal a learner types into: a prompt on a node, `kubectl exec -it` into a pod's shell,
//! `host ...` for the learner's PC. Each line runs one command against the cluster and returns
//! its output, exit code and the traces of the requests it sent.

use super::cluster::{key, Cluster, Key};
use super::images;
use super::net::{Client, Request, Trace};
use super::sh;

/// Where manifests come from: the script's folder, or the editor's files.
pub trait Files {
    fn read(&self, path: &str) -> Option<String>;
    fn list(&self) -> Vec<String>;
}

/// `/etc/passwd` of a node before the lab's user: name, uid:gid, comment, home, shell (empty:
/// `nologin`).
const NODE_USERS: &[(&str, &str, &str, &str, &str)] = &[
    ("root", "0:0", "root", "/root", "/bin/bash"),
    ("daemon", "1:1", "daemon", "/usr/sbin", ""),
    ("bin", "2:2", "bin", "/bin", ""),
    ("sys", "3:3", "sys", "/dev", ""),
    ("sync", "4:65534", "sync", "/bin", "/bin/sync"),
    ("games", "5:60", "games", "/usr/games", ""),
    ("man", "6:12", "man", "/var/cache/man", ""),
    ("lp", "7:7", "lp", "/var/spool/lpd", ""),
    ("mail", "8:8", "mail", "/var/mail", ""),
    ("news", "9:9", "news", "/var/spool/news", ""),
    ("uucp", "10:10", "uucp", "/var/spool/uucp", ""),
    ("proxy", "13:13", "proxy", "/bin", ""),
    ("www-data", "33:33", "www-data", "/var/www", ""),
    ("backup", "34:34", "backup", "/var/backups", ""),
    ("list", "38:38", "Mailing List Manager", "/var/list", ""),
    ("irc", "39:39", "ircd", "/run/ircd", ""),
    ("_apt", "42:65534", "", "/nonexistent", ""),
    ("nobody", "65534:65534", "nobody", "/nonexistent", ""),
    ("systemd-network", "998:998", "systemd Network Management", "/", ""),
    ("systemd-timesync", "996:996", "systemd Time Synchronization", "/", ""),
    ("messagebus", "101:102", "", "/nonexistent", ""),
    ("systemd-resolve", "992:992", "systemd Resolver", "/", ""),
    ("sshd", "102:65534", "", "/run/sshd", ""),
];

/// A set of named files in memory.
#[derive(Clone, Debug, Default)]
pub struct MemFiles(pub Vec<(String, String)>);

impl Files for MemFiles {
    fn read(&self, path: &str) -> Option<String> {
        let p = path.trim_start_matches("./");
        self.0.iter().find(|(n, _)| n == p).map(|(_, t)| t.clone())
    }
    fn list(&self) -> Vec<String> {
        self.0.iter().map(|(n, _)| n.clone()).collect()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Session {
    Node(String),
    Pod { pod: Key, container: String, shell: String },
}

/// What one command printed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub text: String,
    pub code: i32,
    pub traces: Vec<Trace>,
}

impl Output {
    pub fn ok(text: impl Into<String>) -> Output {
        Output {
            text: text.into(),
            code: 0,
            traces: Vec::new(),
        }
    }
    pub fn err(text: impl Into<String>, code: i32) -> Output {
        Output {
            text: text.into(),
            code,
            traces: Vec::new(),
        }
    }
}

/// Each command takes one simulated second of the learner's time.
pub const COMMAND_SECONDS: i64 = 1;

pub struct Shell {
    pub cluster: Cluster,
    pub sessions: Vec<Session>,
    pub files: Box<dyn Files>,
    /// The requests sent since the caller last took them (`std::mem::take`), oldest first;
    /// at most `SENT_KEPT`, so a caller that never takes them holds a bounded list.
    pub sent: Vec<Sent>,
    /// A line that is not finished yet (an open quote, a `for` without `done`): the next
    /// line continues it.
    pub pending: Option<String>,
    /// The exit status of the last line, which `$?` reads on the next one.
    pub status: i32,
    /// Each session's shell variables, by session depth.
    pub scopes: Vec<Vec<(String, String)>>,
    /// Pod shells entered through `kubectl run -it` or `kubectl attach`.
    pub attached: Vec<super::attach::Attached>,
    /// `kubectl port-forward` listeners, each a job of a node's shell.
    pub forwards: Vec<super::portforward::Forward>,
    /// The command running now was started with `&`.
    pub background: bool,
    /// What background jobs printed while the current command ran.
    pub job_output: String,
    /// The standard input of the command running now, for `kubectl apply -f -`.
    pub stdin_doc: Option<String>,
    /// The whole text of the last command run (its lines joined when it took several).
    pub last_source: String,
    /// The own exit status of each simple command of the last line run (`sh::Ctx::codes`).
    pub codes: Vec<Option<u8>>,
    /// The same for the commands of each `sh -c` text the last line ran (`sh::Ctx::inner`).
    pub inner: Vec<(u8, Vec<Option<u8>>)>,
    /// The own statuses of the commands of the last `sh -c` text run.
    pub sub_codes: Vec<Option<u8>>,
    /// Whether the running command's standard output is the terminal (not a pipe, a file or
    /// `$(...)`): curl shows its progress meter only when it is not.
    pub stdout_tty: bool,
    /// The part of a program's output that went to its standard output, the rest being
    /// stderr (curl's meter and errors, the lab's own notes).
    pub stdout_part: Option<(usize, usize)>,
    /// The terminal is a page's, which keeps running between commands: `kubectl get -w`
    /// stays open and `kubectl edit` opens the page's editor. Scripts run without it.
    pub live: bool,
    /// The `kubectl get -w` holding the terminal, in a live one.
    pub watch: Option<Box<super::kwait::Watch>>,
    /// The `kubectl edit` holding the terminal, in a live one.
    pub editing: Option<Box<super::edit::Edit>>,
    /// How `trace` words a request's hops in the page's language; `Trace::render` (English)
    /// when unset.
    pub narrate: Option<fn(&super::net::Trace) -> String>,
}

/// A request a command sent: what was asked and what happened to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    pub request: Request,
    pub trace: Trace,
}

/// How many untaken requests a shell keeps.
pub const SENT_KEPT: usize = 256;

/// Splits a command line like a POSIX shell: quotes, backslashes, `#` comments.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unexpected EOF while looking for matching `\"'".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(x) = chars.next() {
                    cur.push(x);
                }
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

impl Shell {
    pub fn new(cluster: Cluster, files: Box<dyn Files>) -> Shell {
        let start = cluster
            .lab
            .nodes
            .iter()
            .find(|n| n.control_plane)
            .or(cluster.lab.nodes.first())
            .map(|n| n.name.clone())
            .unwrap_or_default();
        Shell {
            cluster,
            sessions: vec![Session::Node(start)],
            files,
            sent: Vec::new(),
            pending: None,
            status: 0,
            scopes: Vec::new(),
            attached: Vec::new(),
            forwards: Vec::new(),
            background: false,
            job_output: String::new(),
            stdin_doc: None,
            last_source: String::new(),
            codes: Vec::new(),
            inner: Vec::new(),
            sub_codes: Vec::new(),
            stdout_tty: true,
            stdout_part: None,
            live: false,
            watch: None,
            editing: None,
            narrate: None,
        }
    }

    pub fn session(&self) -> &Session {
        self.sessions.last().expect("the node session is never popped")
    }

    /// The prompt before the next command.
    pub fn prompt(&self) -> String {
        if self.pending.is_some() {
            return "> ".into();
        }
        match self.session() {
            Session::Node(n) => format!("{}@{n}:~$ ", self.cluster.lab.user),
            Session::Pod { pod, shell, .. } => {
                if shell.ends_with("bash") {
                    format!("root@{}:/# ", pod.1)
                } else {
                    "/ # ".into()
                }
            }
        }
    }

    /// Runs one line as typed at the current prompt. A line that does not finish its command
    /// (an open quote, a loop without `done`) waits for the next one, at the `> ` prompt.
    pub fn run(&mut self, line: &str) -> Output {
        let src = match self.pending.take() {
            Some(p) => format!("{p}\n{line}"),
            None => line.to_string(),
        };
        let at = self.session().clone();
        self.codes.clear();
        self.inner.clear();
        let list = match sh::parse(&src) {
            Err(sh::ParseError::Incomplete) if src.len() < 64 * 1024 => {
                self.pending = Some(src);
                return Output::default();
            }
            Err(e) => {
                self.last_source = src;
                self.cluster.advance(COMMAND_SECONDS);
                self.status = 2;
                return Output::err(sh::parse_error(&at, &e), 2);
            }
            Ok(l) => l,
        };
        self.last_source = src;
        let depth = self.sessions.len();
        self.scopes.resize(depth, Vec::new());
        let vars = std::mem::take(&mut self.scopes[depth - 1]);
        let mut ctx = sh::Ctx::new(at, vars, true);
        ctx.status = self.status;
        ctx.watch(&list);
        let out = self.run_list(&mut ctx, &list);
        self.codes = std::mem::take(&mut ctx.codes);
        self.inner = std::mem::take(&mut ctx.inner);
        self.status = out.code;
        if self.sessions.len() >= depth {
            self.scopes[depth - 1] = ctx.vars;
        }
        self.scopes.resize(self.sessions.len(), Vec::new());
        self.cluster.advance(COMMAND_SECONDS);
        let mut out = out;
        for note in std::mem::take(&mut self.cluster.notes) {
            out.text.push_str(&note);
        }
        out
    }

    /// Drops a line left unfinished (Ctrl-C at the `> ` prompt).
    pub fn interrupt(&mut self) -> bool {
        self.pending.take().is_some()
    }

    /// Runs one command, its words expanded, where `at` says.
    pub fn dispatch_at(&mut self, at: &Session, words: &[String]) -> Output {
        match at.clone() {
            Session::Node(node) => self.node_command(&node, words),
            Session::Pod { pod, container, shell } => {
                if words[0] == "exit" {
                    // bash says `exit` as an interactive shell ends; busybox's ash says nothing.
                    let mut text = if shell.ends_with("bash") {
                        "exit\n".to_string()
                    } else {
                        String::new()
                    };
                    if self.session() == at && self.sessions.len() > 1 {
                        let depth = self.sessions.len();
                        self.sessions.pop();
                        text.push_str(&self.end_attach(depth));
                    }
                    return Output::ok(text);
                }
                if words[0] == "trace" {
                    return self.trace(at, &words[1..]);
                }
                let mut out = self.container_command(&pod, &container, words, true);
                if out.code == 127 && out.text.is_empty() {
                    let name = shell.rsplit('/').next().unwrap_or("sh");
                    out.text = if name == "bash" {
                        format!("bash: {}: command not found\n", words[0])
                    } else {
                        format!("/bin/sh: {}: not found\n", words[0])
                    };
                }
                out
            }
        }
    }

    fn node_command(&mut self, node: &str, words: &[String]) -> Output {
        let args = &words[1..];
        match words[0].as_str() {
            "sudo" => match args.first().map(String::as_str) {
                Some("iptables") => self.iptables(node, &args[1..], true),
                Some("iptables-save") => self.iptables_save(node, &args[1..], true),
                Some("conntrack") => self.conntrack(node, &args[1..], true),
                Some(w) if !w.starts_with('-') => self.node_command(node, args),
                _ => Output::err("this lab's sudo runs one command: sudo COMMAND [ARGS]\n", 1),
            },
            "iptables" => self.iptables(node, args, false),
            "iptables-save" => self.iptables_save(node, args, false),
            "conntrack" => self.conntrack(node, args, false),
            "kubectl" | "k" if args.first().is_some_and(|a| a == "port-forward") => {
                self.k_port_forward(Some(node), &args[1..])
            }
            "kubectl" | "k" => self.kubectl(args),
            "curl" => self.curl(&Client::Node(node.to_string()), args, self.stdout_tty, "8.5.0"),
            "host" => match args.first().map(String::as_str) {
                Some("curl") => self.curl(&Client::Pc, &args[1..], true, "8.7.1"),
                Some("trace") => {
                    let mut w = vec!["host".to_string()];
                    w.extend(args[1..].iter().cloned());
                    self.trace(&Session::Node(node.to_string()), &w)
                }
                _ => Output::err("usage: host curl [options] URL   (runs curl on the learner's PC)\n", 2),
            },
            "trace" => self.trace(&Session::Node(node.to_string()), args),
            "sleep" => self.sleep(args),
            "nslookup" => self.nslookup(&Client::Node(node.to_string()), args, "bind"),
            "hostname" => match args.first().map(String::as_str) {
                Some(f @ ("-i" | "-I" | "--ip-address" | "--all-ip-addresses")) => Output::ok(
                    self.hostname_addrs(&Session::Node(node.to_string()), f == "-I" || f.starts_with("--all")),
                ),
                _ => Output::ok(format!("{node}\n")),
            },
            "ip" => self.node_ip(node, args),
            "ps" => self.ps(node, args),
            "echo" => Output::ok(format!("{}\n", args.join(" "))),
            "pwd" => Output::ok(format!("/home/{}\n", self.cluster.lab.user)),
            "clear" | "true" | "cd" => Output::default(),
            "false" => Output::err("", 1),
            "ls" => {
                let mut files = self.files.list();
                super::order::sort(&mut files);
                Output::ok(if files.is_empty() {
                    String::new()
                } else {
                    format!("{}\n", files.join("  "))
                })
            }
            "cat" => self.cat_node(args),
            "exit" | "logout" if self.sessions.len() > 1 => {
                self.sessions.pop();
                Output::ok(format!("logout\nConnection to {node} closed.\n"))
            }
            "exit" | "logout" => Output::ok("logout\nthis lab keeps you on the node; close the page to leave\n"),
            "ssh" => self.ssh(node, args),
            "ping" => self.ping(&Client::Node(node.to_string()), args),
            other => Output::err(format!("{other}: command not found\n"), 127),
        }
    }

    /// `ssh [USER@]NODE [COMMAND...]`: the lab's nodes trust each other's keys.
    fn ssh(&mut self, from: &str, args: &[String]) -> Output {
        let Some(i) = args.iter().position(|a| !a.starts_with('-')) else {
            return Output::err(
                "usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           \
                 [-c cipher_spec] [-D [bind_address:]port] [-E log_file] [-e escape_char]\n           \
                 destination [command [argument ...]]\n",
                255,
            );
        };
        let dest = args[i].rsplit('@').next().unwrap_or("");
        let Some(node) = self
            .cluster
            .lab
            .nodes
            .iter()
            .find(|n| n.name == dest || n.ip == dest)
            .map(|n| n.name.clone())
        else {
            return Output::err(
                format!("ssh: Could not resolve hostname {dest}: Temporary failure in name resolution\n"),
                255,
            );
        };
        if args.len() > i + 1 {
            let cmd = args[i + 1..].join(" ");
            return self.run_text(Session::Node(node), &cmd);
        }
        let from_ip = self
            .cluster
            .lab
            .nodes
            .iter()
            .find(|n| n.name == from)
            .map(|n| n.ip.clone())
            .unwrap_or_default();
        let login = super::clock::ctime(self.cluster.lab.start_unix + self.cluster.now - 3600);
        self.sessions.push(Session::Node(node));
        Output::ok(format!(
            "Welcome to Ubuntu 24.04.2 LTS (GNU/Linux 6.8.0-60-generic x86_64)\nLast login: {login} from {from_ip}\n"
        ))
    }

    /// A node's /etc/hosts.
    fn node_hosts(&self, node: &str) -> String {
        let mut text = format!("127.0.0.1 localhost\n127.0.1.1 {node}\n\n");
        for n in &self.cluster.lab.nodes {
            text.push_str(&format!("{} {}\n", n.ip, n.name));
        }
        text.push_str(
            "\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost \
            ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 \
            ip6-allrouters\n",
        );
        text
    }

    fn cat_node(&self, args: &[String]) -> Output {
        let mut text = String::new();
        let mut code = 0;
        for a in args {
            if a == "/etc/hosts" {
                if let Session::Node(n) = self.session() {
                    text.push_str(&self.node_hosts(n));
                }
            } else if a == "/etc/resolv.conf" {
                text.push_str("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n");
            } else if a == "/etc/hostname" {
                if let Session::Node(n) = self.session() {
                    text.push_str(&format!("{n}\n"));
                }
            } else if a == "/etc/passwd" {
                // An Ubuntu server's system accounts, then the lab's user.
                for (name, ids, gecos, home, shell) in NODE_USERS {
                    let shell = if shell.is_empty() { "/usr/sbin/nologin" } else { shell };
                    text.push_str(&format!("{name}:x:{ids}:{gecos}:{home}:{shell}\n"));
                }
                let u = &self.cluster.lab.user;
                text.push_str(&format!("{u}:x:1000:1000:{u}:/home/{u}:/bin/bash\n"));
            } else {
                match self.files.read(a) {
                    Some(t) => {
                        text.push_str(&t);
                        if !t.ends_with('\n') && !t.is_empty() {
                            text.push('\n');
                        }
                    }
                    None => {
                        text.push_str(&format!("cat: {a}: No such file or directory\n"));
                        code = 1;
                    }
                }
            }
        }
        Output {
            text,
            code,
            traces: Vec::new(),
        }
    }

    fn sleep(&mut self, args: &[String]) -> Output {
        let Some(a) = args.first() else {
            return Output::err("sleep: missing operand\nTry 'sleep --help' for more information.\n", 1);
        };
        let (num, mult) = match a.chars().last() {
            Some('s') => (&a[..a.len() - 1], 1),
            Some('m') => (&a[..a.len() - 1], 60),
            Some('h') => (&a[..a.len() - 1], 3600),
            _ => (a.as_str(), 1),
        };
        match num.parse::<f64>() {
            Ok(n) if n >= 0.0 && n.is_finite() => {
                let secs = ((n * mult as f64).ceil() as i64).min(7 * 86400);
                self.cluster.advance(secs);
                Output::default()
            }
            _ => Output::err(
                format!("sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"),
                1,
            ),
        }
    }

    /// `trace CMD`: runs the command, then prints the hops of every request it sent.
    fn trace(&mut self, at: &Session, args: &[String]) -> Output {
        if args.is_empty() {
            return Output::err(
                "usage: trace COMMAND   (curl, wget, host curl, kubectl exec POD -- curl)\n",
                2,
            );
        }
        let mut out = self.dispatch_at(at, args);
        // The hops follow on standard output: the output is no longer curl's alone.
        self.stdout_part = None;
        for t in &out.traces {
            out.text.push_str(&format!("trace: {}\n", t.client.label()));
            out.text.push_str(&self.narrate.map_or_else(|| t.render(), |n| n(t)));
        }
        if out.traces.is_empty() {
            out.text.push_str("trace: the command sent no request\n");
        }
        out
    }

    /// A command inside a container (an exec, or a line typed in its shell).
    pub fn container_command(&mut self, pod: &Key, container: &str, words: &[String], tty: bool) -> Output {
        let Some(p) = self.cluster.pods.get(pod).cloned() else {
            return Output::err("error: the pod is gone\n", 1);
        };
        let c = p
            .spec
            .containers
            .iter()
            .find(|c| c.name == container)
            .cloned()
            .unwrap_or_default();
        let program = words[0].rsplit('/').next().unwrap_or("").to_string();
        let args = &words[1..];
        let client = Client::Pod(pod.clone());
        let has = |t: &str| images::has_tool(&c, t);
        if images::has_shell(&c, &words[0])
            || ((program == "sh" || program == "bash") && images::has_shell(&c, &program))
        {
            // A shell with `-c` runs its argument; without a terminal it exits.
            if args.first().map(String::as_str) == Some("-c") {
                if let Some(cmd) = args.get(1) {
                    let at = Session::Pod {
                        pod: pod.clone(),
                        container: container.to_string(),
                        shell: program.clone(),
                    };
                    return self.run_text(at, cmd);
                }
            }
            return Output::default();
        }
        match program.as_str() {
            "curl" if has("curl") => {
                let version = if images::repository(&c.image) == "curlimages/curl" {
                    super::apiserver::image_tag(&c.image).unwrap_or("8.18.0").to_string()
                } else if images::repository(&c.image) == "nginx" {
                    "8.14.1".to_string()
                } else {
                    "8.12.1".to_string()
                };
                self.curl(&client, args, tty && self.stdout_tty, &version)
            }
            "wget" if has("wget") => self.wget(&client, args),
            "nslookup" if has("nslookup") => {
                let flavour = match images::of(&c).map_or("busybox", |i| if i.nslookup.is_empty() { "bind" } else { i.nslookup }) {
                    "busybox" if images::old_busybox(&c.image) => "busybox-1.28",
                    f => f,
                };
                self.nslookup(&client, args, flavour)
            }
            "dig" if has("dig") => self.dig(&client, args),
            "host" if has("host") => self.host_tool(&client, args),
            "ping" if has("ping") => self.ping(&client, args),
            "hostname" if matches!(args.first().map(String::as_str), Some("-i" | "-I")) => {
                let at = Session::Pod {
                    pod: pod.clone(),
                    container: container.to_string(),
                    shell: "sh".into(),
                };
                Output::ok(self.hostname_addrs(&at, args[0] == "-I"))
            }
            "hostname" => {
                let (name, fqdn) = self.pod_names(pod);
                Output::ok(match args.first().map(String::as_str) {
                    Some("-f" | "--fqdn" | "--long") => format!("{fqdn}\n"),
                    Some("-s" | "--short") => format!("{}\n", name.split('.').next().unwrap_or("")),
                    Some("-d" | "--domain") => fqdn.split_once('.').map_or(String::new(), |(_, d)| format!("{d}\n")),
                    _ => format!("{name}\n"),
                })
            }
            "ip" if images::of(&c).is_some_and(|i| i.nslookup == "busybox") => self.pod_ip(pod, args),
            "cat" if has("cat") => self.cat_pod(pod, args),
            "echo" if has("echo") => Output::ok(format!("{}\n", args.join(" "))),
            "ls" if has("ls") => Output::ok("bin   dev  etc   lib    media  opt   root  sbin  sys  usr\nboot  docker-entrypoint.d  home  lib64  mnt  proc  run  srv  tmp  var\n"),
            "pwd" if has("pwd") => Output::ok("/\n"),
            "sleep" if has("sleep") => self.sleep(args),
            "clear" | "cd" | "true" => Output::default(),
            _ => {
                let at = Session::Pod {
                    pod: pod.clone(),
                    container: container.to_string(),
                    shell: "sh".into(),
                };
                match self.text_tool(&at, words, &mut sh::Input::default()) {
                    Some(r) => Output {
                        text: format!("{}{}", r.out, r.err),
                        code: r.code,
                        traces: Vec::new(),
                    },
                    None => Output::err("", 127),
                }
            }
        }
    }

    fn cat_pod(&self, pod: &Key, args: &[String]) -> Output {
        let mut text = String::new();
        let mut code = 0;
        for a in args {
            match a.as_str() {
                "/etc/resolv.conf" => {
                    let (search, servers, options) = self.cluster.resolv_conf(&Client::Pod(pod.clone()));
                    if !search.is_empty() {
                        text.push_str(&format!("search {}\n", search.join(" ")));
                    }
                    for s in servers {
                        text.push_str(&format!("nameserver {s}\n"));
                    }
                    if !options.is_empty() {
                        let opts: Vec<String> = options
                            .iter()
                            .map(|(n, v)| v.as_ref().map_or(n.clone(), |v| format!("{n}:{v}")))
                            .collect();
                        text.push_str(&format!("options {}\n", opts.join(" ")));
                    }
                }
                "/etc/hosts" => {
                    let p = self.cluster.pods.get(pod);
                    let ip = p.and_then(|p| p.status.pod_ip.clone()).unwrap_or_default();
                    let (name, fqdn) = self.pod_names(pod);
                    if p.is_some_and(|p| p.spec.host_network) {
                        // The kubelet copies the node's file under its own header.
                        text.push_str("# Kubernetes-managed hosts file (host network).\n");
                        text.push_str(&self.node_hosts(&name));
                    } else {
                        // The kubelet's own file: the pod's address with its qualified name first.
                        let short = p.and_then(|p| p.spec.hostname.clone()).unwrap_or_else(|| pod.1.clone());
                        let names = if fqdn == short {
                            short
                        } else {
                            format!("{fqdn}\t{short}")
                        };
                        text.push_str(&format!(
                            "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost \
                            ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{names}\n"
                        ));
                    }
                }
                "/etc/hostname" => text.push_str(&format!("{}\n", self.pod_names(pod).0)),
                other => {
                    text.push_str(&format!("cat: {other}: No such file or directory\n"));
                    code = 1;
                }
            }
        }
        Output {
            text,
            code,
            traces: Vec::new(),
        }
    }

    /// Looks a pod up for exec, by name in a namespace.
    pub fn pod_key(&self, ns: &str, name: &str) -> Option<Key> {
        let k = key(ns, name);
        self.cluster.pods.contains_key(&k).then_some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_like_a_shell() {
        assert_eq!(
            split_words("curl 'web-service-externalname'").unwrap(),
            vec!["curl", "web-service-externalname"]
        );
        assert_eq!(
            split_words("kubectl exec -it nginx01 -- /bin/bash # in").unwrap(),
            vec!["kubectl", "exec", "-it", "nginx01", "--", "/bin/bash"]
        );
        assert_eq!(split_words("echo \"a b\" c\\ d").unwrap(), vec!["echo", "a b", "c d"]);
        assert!(split_words("echo 'open").is_err());
    }
}
