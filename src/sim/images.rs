//! What runs inside a container, by image: its shell and tools (what `kubectl exec` finds),
//! whether its default process keeps running, and the server it runs. A repository the
//! catalogue does not know is modelled as a generic server on its declared container ports;
//! a name one or two letters away from a known one (`ngnix`) fails to pull, as a typo does.

use super::objects::Container;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum App {
    /// nginx: HTTP on 80 (and 443 for the docs' nginxhttps).
    Nginx,
    Httpd,
    /// Google's hello-app: HTTP on 8080, answers with its version (by tag) and hostname.
    HelloApp(u8),
    /// `serve_hostname`: its pod's name on 9376.
    ServeHostname,
    /// agnhost `netexec`: `/hostname`, `/clientip`, `/echo?msg=` on 8080 (`--http-port`).
    Netexec,
    /// hashicorp/http-echo: its `-text` on 5678 (`-listen`).
    HttpEcho,
    /// echoserver: the request echoed back, on 8080.
    EchoServer,
    /// traefik/whoami: its hostname, addresses and the request, on 80 (`--port`).
    Whoami,
    /// A PHP page that answers `OK!` on 80 (the HPA example).
    PhpOk,
    Redis,
    /// MySQL greets every client first with its handshake: not HTTP.
    Mysql,
    /// postgres: it reads an HTTP request as a broken startup packet and closes at once.
    Postgres,
    Mongo,
    CoreDns,
    /// agnhost: its default subcommand is `pause`, no server.
    Pause,
    /// No server: a shell or tool image.
    Nothing,
    /// Unknown image: HTTP on every declared container port.
    Generic,
}

#[derive(Debug, PartialEq)]
pub struct Image {
    pub repo: &'static str,
    pub shells: &'static [&'static str],
    pub tools: &'static [&'static str],
    pub app: App,
    /// Whether the image's default command keeps running without a terminal.
    pub runs_by_default: bool,
    pub size_bytes: u64,
    /// The nslookup flavour: `bind` prints `#53`, `busybox` prints `:53`.
    pub nslookup: &'static str,
}

const BASIC: &[&str] = &["cat", "hostname", "ls", "echo", "sleep", "env", "exit", "pwd"];

pub static CATALOGUE: &[Image] = &[
    Image {
        repo: "nginx",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["curl"],
        app: App::Nginx,
        runs_by_default: true,
        size_bytes: 72_195_292,
        nslookup: "",
    },
    Image {
        repo: "bprashanth/nginxhttps",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::Nginx,
        runs_by_default: true,
        size_bytes: 41_345_112,
        nslookup: "",
    },
    Image {
        repo: "httpd",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::Httpd,
        runs_by_default: true,
        size_bytes: 58_012_316,
        nslookup: "",
    },
    Image {
        repo: "busybox",
        shells: &["/bin/sh", "sh"],
        tools: &["wget", "nslookup", "ping", "nc"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 1_855_985,
        nslookup: "busybox",
    },
    Image {
        repo: "alpine",
        shells: &["/bin/sh", "sh"],
        tools: &["wget", "nslookup", "ping", "nc"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 3_993_027,
        nslookup: "busybox",
    },
    Image {
        repo: "curlimages/curl",
        shells: &["/bin/sh", "sh"],
        tools: &["curl", "wget", "nslookup"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 11_897_412,
        nslookup: "busybox",
    },
    Image {
        repo: "registry.k8s.io/e2e-test-images/agnhost",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["curl", "nslookup", "dig", "nc", "wget"],
        app: App::Pause,
        runs_by_default: true,
        size_bytes: 51_024_448,
        nslookup: "bind",
    },
    Image {
        repo: "registry.k8s.io/e2e-test-images/jessie-dnsutils",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["nslookup", "dig", "host"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 112_603_740,
        nslookup: "bind",
    },
    Image {
        repo: "us-docker.pkg.dev/google-samples/containers/gke/hello-app",
        shells: &["/bin/sh", "sh"],
        tools: &["wget", "nslookup"],
        app: App::HelloApp(2),
        runs_by_default: true,
        size_bytes: 10_052_113,
        nslookup: "busybox",
    },
    Image {
        repo: "registry.k8s.io/hpa-example",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::PhpOk,
        runs_by_default: true,
        size_bytes: 180_118_451,
        nslookup: "",
    },
    Image {
        repo: "redis",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["redis-cli"],
        app: App::Redis,
        runs_by_default: true,
        size_bytes: 40_012_104,
        nslookup: "",
    },
    Image {
        repo: "us-docker.pkg.dev/google-samples/containers/gke/gb-redis-follower",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["redis-cli"],
        app: App::Redis,
        runs_by_default: true,
        size_bytes: 40_412_104,
        nslookup: "",
    },
    Image {
        repo: "mysql",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["mysql"],
        app: App::Mysql,
        runs_by_default: true,
        size_bytes: 172_567_842,
        nslookup: "",
    },
    Image {
        repo: "postgres",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["psql"],
        app: App::Postgres,
        runs_by_default: true,
        size_bytes: 158_433_874,
        nslookup: "",
    },
    Image {
        repo: "mongo",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &["mongosh"],
        app: App::Mongo,
        runs_by_default: true,
        size_bytes: 150_422_337,
        nslookup: "",
    },
    Image {
        repo: "registry.k8s.io/coredns/coredns",
        shells: &[],
        tools: &[],
        app: App::CoreDns,
        runs_by_default: true,
        size_bytes: 16_948_420,
        nslookup: "",
    },
    Image {
        repo: "registry.k8s.io/serve_hostname",
        shells: &[],
        tools: &[],
        app: App::ServeHostname,
        runs_by_default: true,
        size_bytes: 3_262_656,
        nslookup: "",
    },
    Image {
        repo: "registry.k8s.io/echoserver",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::EchoServer,
        runs_by_default: true,
        size_bytes: 46_008_236,
        nslookup: "",
    },
    Image {
        repo: "traefik/whoami",
        shells: &[],
        tools: &[],
        app: App::Whoami,
        runs_by_default: true,
        size_bytes: 3_006_392,
        nslookup: "",
    },
    Image {
        repo: "hashicorp/http-echo",
        shells: &[],
        tools: &[],
        app: App::HttpEcho,
        runs_by_default: true,
        size_bytes: 3_553_020,
        nslookup: "",
    },
    Image {
        repo: "registry.k8s.io/busybox",
        shells: &["/bin/sh", "sh"],
        tools: &["wget", "nslookup", "ping", "nc"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 1_144_547,
        nslookup: "busybox",
    },
    Image {
        repo: "nicolaka/netshoot",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh", "zsh"],
        tools: &["curl", "wget", "nslookup", "dig", "host", "ping", "nc"],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 208_617_346,
        nslookup: "bind",
    },
    Image {
        repo: "ubuntu",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 28_850_000,
        nslookup: "",
    },
    Image {
        repo: "debian",
        shells: &["/bin/bash", "bash", "/bin/sh", "sh"],
        tools: &[],
        app: App::Nothing,
        runs_by_default: false,
        size_bytes: 48_490_000,
        nslookup: "",
    },
];

/// The repository part of an image reference, without the default registry and tag.
/// A `busybox` image older than 1.29, whose nslookup is the one built on the C library's
/// resolver (1.29 rewrote it).
pub fn old_busybox(image: &str) -> bool {
    let minor = super::apiserver::image_tag(image)
        .and_then(|t| t.strip_prefix("1."))
        .and_then(|t| t.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u32>().ok());
    repository(image) == "busybox" && minor.is_some_and(|m| m < 29)
}

pub fn repository(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let (path, _) = match no_digest.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') => (p, t),
        _ => (no_digest, ""),
    };
    let path = path.strip_prefix("docker.io/").unwrap_or(path);
    let path = path.strip_prefix("library/").unwrap_or(path);
    path.to_string()
}

/// The full reference a runtime pulls (`docker.io/library/nginx:latest`).
pub fn full_reference(image: &str) -> String {
    let repo = repository(image);
    let tag = super::apiserver::image_tag(image).unwrap_or("latest");
    let sep = if tag.starts_with("sha256:") { "@" } else { ":" };
    let first = repo.split('/').next().unwrap_or("");
    if first.contains('.') || first.contains(':') {
        format!("{repo}{sep}{tag}")
    } else if repo.contains('/') {
        format!("docker.io/{repo}{sep}{tag}")
    } else {
        format!("docker.io/library/{repo}{sep}{tag}")
    }
}

pub enum Lookup {
    Known(&'static Image),
    /// Pulls fine; behaves as a generic server.
    Unknown,
    /// Does not exist (a near miss of a known name).
    NotFound,
}

/// Levenshtein distance, for "did you mean" and near-miss checks.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            cur[j] = (prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(prev[j - 1] + usize::from(a[i - 1] != b[j - 1]));
        }
        prev = cur;
    }
    prev[b.len()]
}

pub fn lookup(image: &str) -> Lookup {
    let repo = repository(image);
    // Registries that serve the same images under their older names (older docs use them).
    const SAME_AS: &[(&str, &str)] = &[
        ("k8s.gcr.io/", "registry.k8s.io/"),
        ("gcr.io/google_containers/", "registry.k8s.io/"),
        ("gcr.io/google-containers/", "registry.k8s.io/"),
        (
            "gcr.io/google-samples/",
            "us-docker.pkg.dev/google-samples/containers/gke/",
        ),
    ];
    let same = SAME_AS
        .iter()
        .find_map(|(old, new)| repo.strip_prefix(old).map(|rest| format!("{new}{rest}")));
    let repo = same.unwrap_or(repo);
    if let Some(img) = CATALOGUE.iter().find(|i| i.repo == repo) {
        return Lookup::Known(img);
    }
    const REAL: &[&str] = &["mono", "node", "nats", "redmine"];
    if !repo.contains('/')
        && !REAL.contains(&repo.as_str())
        && repo.len() >= 4
        && CATALOGUE
            .iter()
            .any(|i| !i.repo.contains('/') && edit_distance(&repo, i.repo) <= 2)
    {
        return Lookup::NotFound;
    }
    Lookup::Unknown
}

/// The image a container runs, with what it can do.
pub fn of(c: &Container) -> Option<&'static Image> {
    match lookup(&c.image) {
        Lookup::Known(i) => Some(i),
        _ => None,
    }
}

pub fn has_tool(c: &Container, tool: &str) -> bool {
    match of(c) {
        Some(img) => img.tools.contains(&tool) || BASIC.contains(&tool) && !img.shells.is_empty(),
        None => BASIC.contains(&tool),
    }
}

pub fn has_shell(c: &Container, shell: &str) -> bool {
    match of(c) {
        Some(img) => img.shells.contains(&shell),
        None => matches!(shell, "/bin/sh" | "sh"),
    }
}

/// Whether the container's process keeps running: a given command that sleeps, loops or
/// serves does; a bare shell or a one-shot command exits.
pub fn keeps_running(c: &Container) -> bool {
    let words: Vec<&str> = c.command.iter().chain(&c.args).map(String::as_str).collect();
    let shell_first = words
        .first()
        .is_some_and(|w| matches!(w.rsplit('/').next(), Some("sh" | "bash" | "ash")));
    if c.stdin && (words.is_empty() || shell_first && words.len() == 1) {
        // A shell with its standard input open waits for input.
        return true;
    }
    if words.is_empty() {
        return match lookup(&c.image) {
            Lookup::Known(i) => i.runs_by_default,
            _ => true,
        };
    }
    let joined = words.join(" ");
    if joined.contains("sleep")
        || joined.contains("while true")
        || joined.contains("tail -f")
        || joined.contains("infinity")
    {
        return true;
    }
    let first = words[0].rsplit('/').next().unwrap_or("");
    if matches!(
        first,
        "sh" | "bash" | "echo" | "true" | "false" | "ls" | "cat" | "date" | "env" | "curl" | "wget" | "nslookup"
    ) {
        return false;
    }
    // An image's own server started with flags (`mongod --bind_ip ...`) keeps running.
    true
}

/// How long a container's command runs before it ends by itself: `sleep N` (with an `s`, `m`,
/// `h` or `d` suffix), as the command or as a shell's whole `-c` script; `None` for one that
/// runs on (or ends at once: `keeps_running` says which).
pub fn run_for(c: &Container) -> Option<i64> {
    let words: Vec<&str> = c.command.iter().chain(&c.args).map(String::as_str).collect();
    let script: Vec<&str> = match words.as_slice() {
        [sh, "-c", s] if matches!(sh.rsplit('/').next(), Some("sh" | "bash" | "ash")) => s.split_whitespace().collect(),
        w => w.to_vec(),
    };
    let [sleep, n] = script.as_slice() else { return None };
    if sleep.rsplit('/').next() != Some("sleep") {
        return None;
    }
    let (digits, unit) = n.split_at(n.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(n.len()));
    let times = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    digits.parse::<i64>().ok()?.checked_mul(times)
}

/// The server a container runs: its image's, or what the arguments select (agnhost's
/// subcommand), hello-app's version by tag.
pub fn app(c: &Container) -> App {
    let app = of(c).map(|i| i.app).unwrap_or(App::Generic);
    match app {
        App::Pause if c.args.first().is_some_and(|a| a == "netexec") => App::Netexec,
        App::Pause if c.args.first().is_some_and(|a| a == "serve-hostname") => App::ServeHostname,
        App::HelloApp(_) => {
            let tag = super::apiserver::image_tag(&c.image).unwrap_or("latest");
            App::HelloApp(if tag.starts_with('1') { 1 } else { 2 })
        }
        a => a,
    }
}

/// The value of a Go-style flag in the container's arguments (`-text=hi`, `--text hi`).
pub fn flag<'a>(c: &'a Container, name: &str) -> Option<&'a str> {
    let words: Vec<&str> = c.command.iter().chain(&c.args).map(String::as_str).collect();
    words.iter().enumerate().find_map(|(i, w)| {
        let bare = w.trim_start_matches('-');
        if !w.starts_with('-') {
            return None;
        }
        match bare.split_once('=') {
            Some((k, v)) if k == name => Some(v),
            None if bare == name => words.get(i + 1).copied(),
            _ => None,
        }
    })
}

fn port_flag(c: &Container, name: &str, default: i64) -> i64 {
    flag(c, name)
        .and_then(|v| v.rsplit(':').next()?.parse().ok())
        .unwrap_or(default)
}

/// TCP ports the container's server listens on: the image's own, whatever the manifest's
/// `containerPort` says (it is informational).
pub fn listening_ports(c: &Container) -> Vec<i64> {
    match app(c) {
        App::ServeHostname => vec![9376],
        App::Netexec => vec![port_flag(c, "http-port", 8080)],
        App::HttpEcho => vec![port_flag(c, "listen", 5678)],
        App::EchoServer => vec![8080],
        App::Whoami => vec![port_flag(c, "port", 80)],
        App::Nginx => vec![80, 443],
        App::Httpd | App::PhpOk => vec![80],
        App::HelloApp(_) => vec![8080],
        App::Redis => vec![6379],
        App::Mysql => vec![3306, 33060],
        App::Postgres => vec![5432],
        App::Mongo => vec![27017],
        App::CoreDns => vec![53, 9153],
        App::Pause | App::Nothing => Vec::new(),
        App::Generic => c
            .ports
            .iter()
            .filter(|p| p.protocol.as_deref().unwrap_or("TCP") == "TCP")
            .map(|p| p.container_port)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busybox_before_1_29_has_the_old_nslookup() {
        for (image, old) in [
            ("busybox:1.28", true),
            ("docker.io/library/busybox:1.28.4", true),
            ("busybox:1.27-uclibc", true),
            ("busybox:1.29", false),
            ("busybox:1.36.1", false),
            ("busybox", false),
            ("alpine:1.2", false),
        ] {
            assert_eq!(old_busybox(image), old, "{image}");
        }
    }

    #[test]
    fn references_normalise() {
        assert_eq!(repository("docker.io/library/nginx:1.27"), "nginx");
        assert_eq!(repository("docker.io/redis:6.0.5"), "redis");
        assert_eq!(full_reference("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(
            full_reference("registry.k8s.io/hpa-example"),
            "registry.k8s.io/hpa-example:latest"
        );
    }

    #[test]
    fn near_misses_do_not_exist() {
        assert!(matches!(lookup("ngnix:latest"), Lookup::NotFound));
        assert!(matches!(lookup("nginx:latest"), Lookup::Known(_)));
        assert!(matches!(lookup("docker.io/corelab/gb-frontend:v5"), Lookup::Unknown));
    }
}
