//! The kubelet's probes: startup, liveness and readiness, on their schedule, against what the
//! container's image really serves (`apps::serve`), with the events, restarts and readiness the
//! kubelet writes.
//!
//! An image answers a probe the same way every time, except for an exec probe on a file the
//! container's own script creates and removes (`touch f; sleep 30; rm -f f`); so each probe's
//! outcome is a step function of the time since the container started. The kubelet's work is
//! done in one pass when the pod is next looked at (`Cluster::probe_step`), and the pod's next
//! step is the next tick at which its readiness changes or a container is killed, never every
//! period: advancing time for hours costs one pass per transition.
//!
//! Schedule: the first probe a second after the container starts, or `initialDelaySeconds`
//! after it, then one every `periodSeconds`; liveness and readiness wait for the startup probe
//! to succeed and run at once when it does.

use super::apps::{self, Answer};
use super::cluster::{Cluster, Key};
use super::images::{self, App};
use super::objects::{record_event, ContainerState, Event, IntOrStr, Pod, Time};
use super::value::Value;

/// The kinds, in the order the kubelet runs probes that fall in the same second.
const KINDS: [&str; 3] = ["Startup", "Liveness", "Readiness"];
const FIELDS: [&str; 3] = ["startupProbe", "livenessProbe", "readinessProbe"];

#[derive(Clone, Debug, PartialEq)]
pub enum Handler {
    Http {
        scheme: String,
        host: String,
        path: String,
        port: IntOrStr,
    },
    Tcp {
        host: String,
        port: IntOrStr,
    },
    Exec(Vec<String>),
    Grpc {
        port: i64,
        service: Option<String>,
    },
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// 0 startup, 1 liveness, 2 readiness.
    pub kind: usize,
    pub handler: Handler,
    pub delay: i64,
    pub timeout: i64,
    pub period: i64,
    pub success: i64,
    pub failure: i64,
}

/// What the kubelet keeps between passes for a pod's (first) container.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProbeState {
    /// The container start the counters belong to; `None` when the container has no probe.
    pub since: Option<Time>,
    /// Every tick at or before this time has run.
    pub done: Time,
    /// When the startup probe succeeded (the start itself without one).
    pub started: Option<Time>,
    pub successes: [i64; 3],
    pub failures: [i64; 3],
    /// A probe failed the container: it stops at this time with this reason and exit code.
    pub stopping: Option<(Time, &'static str, i32)>,
    /// A restart the back-off delays until this time.
    pub restart_at: Option<Time>,
    /// The kubelet's restart back-off for the container, and its last exit.
    pub backoff: i64,
    pub last_exit: Time,
    /// The container's previous run: reason, exit code, started, finished (`Last State`).
    pub last: Option<(&'static str, i32, Time, Time)>,
    /// The event recorder's spam filter: the pod's bucket of 25 events refilled by one every
    /// five minutes (in 1/300 event units), and when it was last used.
    pub spam: Vec<(u64, i64, Time)>,
    /// Occurrences the filter held back, by type, reason and message (the first and how
    /// many): the recorder counts them and its next write of that event carries them.
    pub held: Vec<(&'static str, String, String, Time, u32)>,
    /// HTTP probes the server logged and the pod's log does not show yet: time, probe kind,
    /// status, bytes.
    pub log: Vec<(Time, u8, u16, u32)>,
}

/// Burst and refill of the event recorder's spam filter (client-go's defaults).
const SPAM_BURST: i64 = 25;
const SPAM_REFILL_SECS: i64 = 300;

/// Records an event unless the recorder's spam filter drops it.
fn push(pod: &mut Pod, type_: &'static str, reason: &str, message: String, at: Time) {
    const FULL: i64 = SPAM_BURST * SPAM_REFILL_SECS;
    // The bucket is the pod's (the spam key is the source and the object): the kubelet's
    // earlier events of this pod have drawn from it.
    if pod.status.probe.spam.is_empty() {
        let (mut units, mut last) = (FULL, None::<Time>);
        for e in pod.status.events.iter().filter(|e| e.from == "kubelet") {
            units = (units + last.map_or(0, |l| (e.at - l).max(0))).min(FULL);
            units = (units - SPAM_REFILL_SECS).max(0);
            last = Some(e.at);
        }
        pod.status.probe.spam.push((0, units, last.unwrap_or(at)));
    }
    let st = &mut pod.status.probe;
    let (_, units, last) = &mut st.spam[0];
    *units = (*units + (at - *last).max(0)).min(FULL);
    *last = at;
    let passes = *units >= SPAM_REFILL_SECS;
    if passes {
        *units -= SPAM_REFILL_SECS;
    }
    let same = |h: &(&'static str, String, String, Time, u32)| h.0 == type_ && h.1 == reason && h.2 == message;
    if !passes {
        match st.held.iter_mut().find(|h| same(h)) {
            Some(h) => h.4 += 1,
            None => st.held.push((type_, reason.into(), message, at, 1)),
        }
        return;
    }
    let (held_first, held) = match st.held.iter().position(same) {
        Some(i) => {
            let h = st.held.remove(i);
            (Some(h.3), h.4)
        }
        None => (None, 0),
    };
    // The held-back repeats count into the event written now, from the first of them.
    let mut e = Event::new(type_, reason, "kubelet", message, at);
    e.count = held + 1;
    e.first = held_first.unwrap_or(at);
    record_event(&mut pod.status.events, e);
}

/// The lines of a pod's log the lab keeps (the kubelet rotates container logs too).
pub const LOG_LINES_KEPT: usize = 5000;

/// An int32 field (the API refuses larger ones; kept in range here all the same).
fn int(v: &Value, k: &str, default: i64) -> i64 {
    match v.get(k) {
        Some(Value::Int(n)) => (*n).clamp(i32::MIN as i64, i32::MAX as i64),
        _ => default,
    }
}

fn int_or_str(v: Option<&Value>) -> IntOrStr {
    match v {
        Some(Value::Int(n)) => IntOrStr::Int(*n),
        Some(Value::Str(s)) => IntOrStr::Str(s.clone()),
        _ => IntOrStr::Int(0),
    }
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn nonzero(n: i64, default: i64) -> i64 {
    if n <= 0 {
        default
    } else {
        n
    }
}

/// The probes of a pod's first container, with the API server's defaults.
pub fn of(pod: &Pod) -> Vec<Probe> {
    let Some(Value::Seq(cs)) = pod.spec.raw.get("containers") else {
        return Vec::new();
    };
    let Some(c) = cs.first() else { return Vec::new() };
    let mut out = Vec::new();
    for (kind, field) in FIELDS.iter().enumerate() {
        let Some(p) = c.get(field).filter(|p| matches!(p, Value::Map(_))) else {
            continue;
        };
        let handler = if let Some(h) = p.get("httpGet") {
            Handler::Http {
                scheme: text(h, "scheme").unwrap_or_else(|| "HTTP".into()),
                host: text(h, "host").unwrap_or_default(),
                path: text(h, "path").unwrap_or_else(|| "/".into()),
                port: int_or_str(h.get("port")),
            }
        } else if let Some(h) = p.get("tcpSocket") {
            Handler::Tcp {
                host: text(h, "host").unwrap_or_default(),
                port: int_or_str(h.get("port")),
            }
        } else if let Some(h) = p.get("exec") {
            let cmd = match h.get("command") {
                Some(Value::Seq(ws)) => ws.iter().filter_map(|w| w.as_str().map(str::to_string)).collect(),
                _ => Vec::new(),
            };
            Handler::Exec(cmd)
        } else if let Some(h) = p.get("grpc") {
            Handler::Grpc {
                port: int(h, "port", 0),
                service: text(h, "service"),
            }
        } else {
            Handler::None
        };
        out.push(Probe {
            kind,
            handler,
            // `SetDefaults_Probe`: a zero takes the default.
            delay: int(p, "initialDelaySeconds", 0).max(0),
            timeout: nonzero(int(p, "timeoutSeconds", 0), 1),
            period: nonzero(int(p, "periodSeconds", 0), 10),
            success: nonzero(int(p, "successThreshold", 0), 1),
            failure: nonzero(int(p, "failureThreshold", 0), 3),
        });
    }
    out
}

/// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction` on a container as the API serves it:
/// zero or missing numbers take their defaults, an `httpGet` its path `/` and scheme `HTTP`.
pub fn default_probes(container: &mut Value) {
    let Value::Map(fields) = container else { return };
    for (k, probe) in fields.iter_mut() {
        let Value::Map(p) = probe else { continue };
        if !FIELDS.contains(&k.as_str()) {
            continue;
        }
        for (f, d) in [
            ("timeoutSeconds", 1),
            ("periodSeconds", 10),
            ("successThreshold", 1),
            ("failureThreshold", 3),
        ] {
            match p.iter_mut().find(|(n, _)| n == f) {
                Some((_, v)) => {
                    if !matches!(*v, Value::Int(n) if n > 0) {
                        *v = Value::Int(d);
                    }
                }
                None => p.push((f.into(), Value::Int(d))),
            }
        }
        if let Some((_, Value::Map(h))) = p.iter_mut().find(|(n, _)| n == "httpGet") {
            for (f, d) in [("path", "/"), ("scheme", "HTTP")] {
                if !h.iter().any(|(n, _)| n == f) {
                    h.push((f.into(), Value::str(d)));
                }
            }
        }
    }
}

/// `validateProbe` for container `i`: one handler, and a success threshold of 1 for the
/// liveness and startup probes.
pub fn validate(spec: &Value, i: usize, path: &str) -> Vec<super::apierror::FieldError> {
    use super::apierror::{invalid, required, Bad};
    let mut errs = Vec::new();
    let Some(Value::Seq(cs)) = spec.get("containers") else {
        return errs;
    };
    let Some(c) = cs.get(i) else { return errs };
    for (kind, field) in FIELDS.iter().enumerate() {
        let Some(p) = c.get(field).filter(|p| matches!(p, Value::Map(_))) else {
            continue;
        };
        let handlers = ["exec", "httpGet", "tcpSocket", "grpc"]
            .iter()
            .filter(|h| p.get(h).is_some())
            .count();
        if handlers == 0 {
            errs.push(required(format!("{path}.{field}"), "must specify a handler type"));
        }
        for f in [
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold",
        ] {
            let n = int(p, f, 0);
            if n < 0 {
                let at = format!("{path}.{field}.{f}");
                errs.push(invalid(at, Bad::Int(n), "must be greater than or equal to 0"));
            }
        }
        let n = int(p, "successThreshold", 1);
        if kind != 2 && n != 1 {
            errs.push(invalid(
                format!("{path}.{field}.successThreshold"),
                Bad::Int(n),
                "must be 1",
            ));
        }
    }
    errs
}

/// `kubectl describe pod`'s line for a probe (`DescribeProbe`).
pub fn describe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.delay, p.timeout, p.period, p.success, p.failure
    );
    match &p.handler {
        Handler::Exec(cmd) => format!("exec [{}] {attrs}", cmd.join(" ")),
        Handler::Http {
            scheme,
            host,
            path,
            port,
        } => format!(
            "http-get {}://{host}:{}{path} {attrs}",
            scheme.to_ascii_lowercase(),
            port.render()
        ),
        Handler::Tcp { host, port } => format!("tcp-socket {host}:{} {attrs}", port.render()),
        Handler::Grpc { port, service } => {
            format!("grpc <pod>:{port} {} {attrs}", service.as_deref().unwrap_or(""))
        }
        Handler::None => format!("unknown {attrs}"),
    }
}

/// One probe's result: the failure message (`None` on success), and the access-log entry of
/// an HTTP probe the server logs (path, status, body bytes).
#[derive(Clone, Debug, PartialEq)]
struct Outcome {
    failed: Option<String>,
    log: Option<(String, u16, usize)>,
}

/// A probe's outcomes from offsets after the container's start: `(from, outcome)`, in order.
fn outcomes(pod: &Pod, probe: &Probe) -> Vec<(i64, Outcome)> {
    let container = pod.spec.containers.first().cloned().unwrap_or_default();
    let ip = pod.status.pod_ip.clone().unwrap_or_default();
    let fail = |m: String| Outcome {
        failed: Some(m),
        log: None,
    };
    let ok = Outcome {
        failed: None,
        log: None,
    };
    let port_of = |p: &IntOrStr| match p {
        IntOrStr::Int(n) => Ok(*n),
        IntOrStr::Str(name) => container
            .ports
            .iter()
            .find(|cp| cp.name.as_deref() == Some(name))
            .map(|cp| cp.container_port)
            .ok_or_else(|| format!("strconv.Atoi: parsing \"{name}\": invalid syntax")),
    };
    let listening = images::listening_ports(&container);
    let app = images::app(&container);
    let one = |o: Outcome| vec![(0, o)];
    match &probe.handler {
        Handler::Http {
            scheme,
            host,
            path,
            port,
        } => {
            let port = match port_of(port) {
                Ok(p) => p,
                Err(e) => return one(fail(format!("\u{0}{e}"))),
            };
            let host = if host.is_empty() { ip.as_str() } else { host.as_str() };
            let url = format!("{}://{host}:{port}{path}", scheme.to_ascii_lowercase());
            if !listening.contains(&port) {
                return one(fail(format!(
                    "Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"
                )));
            }
            if scheme.eq_ignore_ascii_case("HTTPS") {
                return one(fail(format!(
                    "Get \"{url}\": http: server gave HTTP response to HTTPS client"
                )));
            }
            let peer = apps::Peer {
                tag: super::apiserver::image_tag(&container.image).unwrap_or("latest"),
                ..apps::Peer::default()
            };
            match apps::serve_peer(app, "GET", path, &pod.meta.name, 0, &peer) {
                Answer::Http(r) => {
                    let log = (app == App::Nginx).then(|| (path.clone(), r.status, r.body.len()));
                    // Success is any status from 200 to 399.
                    let failed = (!(200..400).contains(&r.status))
                        .then(|| format!("HTTP probe failed with statuscode: {}", r.status));
                    one(Outcome { failed, log })
                }
                Answer::NotHttp if app == App::Redis => one(fail(format!(
                    "Get \"{url}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response \
                     \"-ERR wrong number of arguments for 'get' command\""
                ))),
                Answer::NotHttp => one(fail(format!(
                    "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                ))),
                Answer::Closed => one(fail(format!("Get \"{url}\": EOF"))),
            }
        }
        Handler::Tcp { host, port } => {
            let port = match port_of(port) {
                Ok(p) => p,
                Err(e) => return one(fail(format!("\u{0}{e}"))),
            };
            let host = if host.is_empty() { ip.as_str() } else { host.as_str() };
            if listening.contains(&port) {
                one(ok)
            } else {
                one(fail(format!("dial tcp {host}:{port}: connect: connection refused")))
            }
        }
        Handler::Grpc { port, .. } => {
            // No catalogue server speaks gRPC: a closed port and an HTTP/1 server alike leave
            // the blocking dial waiting until the timeout.
            let secs = probe.timeout;
            one(fail(format!(
                "timeout: failed to connect service \"{ip}:{port}\" within {secs}s: context deadline exceeded"
            )))
        }
        Handler::Exec(cmd) => exec_outcomes(&container, cmd),
        Handler::None => one(ok),
    }
}

/// An exec probe: a command the image lacks cannot start; `cat FILE` follows the files the
/// container's own script creates and removes; other commands the image has succeed.
fn exec_outcomes(c: &super::objects::Container, cmd: &[String]) -> Vec<(i64, Outcome)> {
    let ok = Outcome {
        failed: None,
        log: None,
    };
    let Some(prog) = cmd.first() else {
        return vec![(0, ok)];
    };
    let base = prog.rsplit('/').next().unwrap_or(prog);
    let builtin = ["true", "false", "test", "[", "ls", "grep"].contains(&base);
    if !images::has_tool(c, base) && !images::has_shell(c, prog) && !builtin {
        return vec![(
            0,
            Outcome {
                // containerd cannot start it: an error, not a failed command (the exec id is
                // filled in per probe).
                failed: Some(format!(
                    "\u{0}rpc error: code = Unknown desc = failed to exec in container: failed to start exec \
                     \"{EXEC_ID}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \
                     \"{prog}\": executable file not found in $PATH: unknown"
                )),
                log: None,
            },
        )];
    }
    if base == "false" {
        return vec![(
            0,
            Outcome {
                failed: Some(String::new()),
                log: None,
            },
        )];
    }
    let Some(file) = cmd.get(1).filter(|_| base == "cat" && cmd.len() == 2) else {
        return vec![(0, ok)];
    };
    // busybox's cat and coreutils' cat word a missing file differently.
    let busybox = images::of(c).is_none_or(|i| !i.shells.contains(&"bash"));
    let missing = Outcome {
        failed: Some(if busybox {
            format!("cat: can't open '{file}': No such file or directory")
        } else {
            format!("cat: {file}: No such file or directory")
        }),
        log: None,
    };
    let timeline = file_timeline(c, file);
    let mut out = Vec::new();
    let mut exists = timeline.first().is_some_and(|(t, e)| *t == 0 && *e) || file.starts_with("/etc/");
    out.push((0, if exists { ok.clone() } else { missing.clone() }));
    for (t, e) in timeline {
        if e != exists {
            exists = e;
            let o = if e { ok.clone() } else { missing.clone() };
            match out.last_mut() {
                Some(last) if last.0 == t => last.1 = o,
                _ => out.push((t, o)),
            }
        }
    }
    out
}

/// When the container's `sh -c` script creates (`touch`, `echo ... > f`) and removes (`rm`)
/// a file, counting its `sleep`s: `(offset, exists)`.
fn file_timeline(c: &super::objects::Container, file: &str) -> Vec<(i64, bool)> {
    let words: Vec<&str> = c.command.iter().chain(&c.args).map(String::as_str).collect();
    let Some(script) = words.windows(2).find(|w| w[0] == "-c").map(|w| w[1]) else {
        return Vec::new();
    };
    let mut t = 0i64;
    let mut out = Vec::new();
    for stmt in script.split([';', '\n']).flat_map(|s| s.split("&&")) {
        let ws: Vec<&str> = stmt.split_whitespace().collect();
        match ws.as_slice() {
            ["sleep", n, ..] => match n.parse::<i64>() {
                Ok(n) => t = t.saturating_add(n.max(0)),
                Err(_) => break,
            },
            ["touch", rest @ ..] if rest.contains(&file) => out.push((t, true)),
            ["rm", rest @ ..] if rest.contains(&file) => out.push((t, false)),
            [.., ">", f] | [.., ">>", f] if *f == file => out.push((t, true)),
            _ => {}
        }
    }
    out
}

/// Whether a pod has probes that decide its readiness or restarts.
pub fn has_probes(pod: &Pod) -> bool {
    pod.status.probe.since.is_some()
}

/// Whether readiness waits for a readiness or startup probe when the container starts.
pub fn gated(pod: &Pod) -> bool {
    of(pod).iter().any(|p| p.kind != 1)
}

/// The container (re)started at `now`: readiness waits for the readiness and startup probes.
pub fn on_start(pod: &mut Pod, now: Time) {
    let probes = of(pod);
    let st = &mut pod.status.probe;
    st.since = None;
    st.stopping = None;
    st.restart_at = None;
    if probes.is_empty() {
        return;
    }
    st.since = Some(now);
    st.done = now;
    st.started = (!probes.iter().any(|p| p.kind == 0)).then_some(now);
    st.successes = [0; 3];
    st.failures = [0; 3];
    if !gated(pod) {
        pod.set_ready(true, now);
    }
    pod.status.next_step_at = Some(now + 1);
}

/// Stands for the id of one exec in an error message.
const EXEC_ID: &str = "\u{1}";

/// What one pass of the probes did, in time order.
enum Effect {
    Fail(usize, String, Time),
    Log(usize, u16, usize, Time),
    Ready(bool, Time),
    Kill(usize, Time),
    /// Looking ahead stopped here without a change: look again from this tick.
    Horizon(Time),
}

/// How many ticks one look ahead examines at most.
const LOOK_AHEAD_TICKS: u32 = 4096;

struct Run {
    probes: Vec<(Probe, Vec<(i64, Outcome)>)>,
}

impl Run {
    fn new(pod: &Pod) -> Run {
        Run {
            probes: of(pod).into_iter().map(|p| (p.clone(), outcomes(pod, &p))).collect(),
        }
    }

    /// The first tick of probe `i` after `after`, if it is active.
    fn next_tick(&self, st: &ProbeState, i: usize, after: Time) -> Option<Time> {
        let (p, _) = &self.probes[i];
        let since = st.since?;
        let first = if p.kind == 0 {
            if st.started.is_some() {
                return None;
            }
            since + p.delay.max(1)
        } else {
            (since + p.delay.max(1)).max(st.started?)
        };
        let k = if after < first {
            0
        } else {
            (after - first) / p.period + 1
        };
        Some(first + k * p.period)
    }

    /// Runs every tick up to `to`, or up to the first change of readiness or kill when
    /// `until_change`; returns the effects (failures and logs only when not looking ahead).
    fn run(&self, st: &mut ProbeState, ready: &mut bool, to: Time, until_change: bool) -> Vec<Effect> {
        let mut fx = Vec::new();
        let Some(since) = st.since else { return fx };
        // Looking ahead stops once every outcome is constant and every count saturated.
        let last_change = self
            .probes
            .iter()
            .flat_map(|(_, o)| o.last().map(|x| x.0))
            .max()
            .unwrap_or(0);
        let longest = self
            .probes
            .iter()
            .map(|(p, _)| p.period * (p.failure.max(p.success) + 1))
            .max()
            .unwrap_or(0);
        let horizon = (since + last_change).max(st.done) + longest + 1;
        let mut ticks = 0;
        while st.stopping.is_none() {
            let Some((t, _)) = (0..self.probes.len())
                .filter_map(|i| self.next_tick(st, i, st.done).map(|t| (t, i)))
                .min()
            else {
                break;
            };
            if t > to || (until_change && t > horizon) {
                break;
            }
            ticks += 1;
            if until_change && ticks > LOOK_AHEAD_TICKS {
                fx.push(Effect::Horizon(t));
                break;
            }
            for i in 0..self.probes.len() {
                if self.next_tick(st, i, st.done) != Some(t) {
                    continue;
                }
                let (p, outs) = &self.probes[i];
                let o = &outs
                    .iter()
                    .rev()
                    .find(|(from, _)| since + from <= t)
                    .unwrap_or(&outs[0])
                    .1;
                let k = p.kind;
                if let Some((_, status, bytes)) = &o.log {
                    if !until_change {
                        fx.push(Effect::Log(k, *status, *bytes, t));
                    }
                }
                match &o.failed {
                    // A probe that errored is thrown away: no count moves.
                    Some(msg) if msg.starts_with('\u{0}') => {
                        if !until_change {
                            fx.push(Effect::Fail(k, msg.clone(), t));
                        }
                    }
                    None => {
                        st.failures[k] = 0;
                        st.successes[k] += 1;
                        if k == 0 {
                            st.started = Some(t);
                        } else if k == 2 && !*ready && st.successes[k] >= p.success {
                            *ready = true;
                            fx.push(Effect::Ready(true, t));
                        }
                    }
                    Some(msg) => {
                        st.successes[k] = 0;
                        st.failures[k] += 1;
                        if !until_change {
                            fx.push(Effect::Fail(k, msg.clone(), t));
                        }
                        if k == 2 && *ready && st.failures[k] >= p.failure {
                            *ready = false;
                            fx.push(Effect::Ready(false, t));
                        }
                        if k != 2 && st.failures[k] >= p.failure {
                            fx.push(Effect::Kill(k, t));
                            st.stopping = Some((t, "", 0));
                            break;
                        }
                    }
                }
            }
            st.done = t;
            if until_change && fx.iter().any(|e| matches!(e, Effect::Ready(..) | Effect::Kill(..))) {
                break;
            }
        }
        if st.stopping.is_none() && !until_change {
            st.done = st.done.max(to);
        }
        fx
    }
}

/// Whether a pod's probes have ticks due by `now` (the kubelet's catch-up).
pub fn due(pod: &Pod, now: Time) -> bool {
    let st = &pod.status.probe;
    st.since.is_some()
        && st.stopping.is_none()
        && st.restart_at.is_none()
        && matches!(pod.status.state, ContainerState::Running { .. })
        && st.done < now
}

impl Cluster {
    /// The kubelet's probe work for a pod: runs the ticks due, stops and restarts a container a
    /// probe failed. `None` when the pod is not the probes' to handle now.
    pub(crate) fn probe_step(&mut self, pod: &mut Pod) -> Option<bool> {
        let now = self.now;
        // The pending log lines stay on the pod; the rest is small.
        let log = std::mem::take(&mut pod.status.probe.log);
        let st = pod.status.probe.clone();
        pod.status.probe.log = log;
        st.since?;
        let name = pod.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default();
        if let Some(at) = st.restart_at {
            if now < at {
                return Some(false);
            }
            self.restart_container(pod, now);
            return Some(true);
        }
        if let Some((stop, reason, code)) = st.stopping.filter(|s| !s.1.is_empty()) {
            if now < stop {
                return Some(false);
            }
            let started = st.since.unwrap_or(stop);
            let p = &mut pod.status;
            p.probe.last = Some((reason, code, started, stop));
            p.state = ContainerState::Terminated {
                reason: reason.into(),
                exit_code: code,
                started,
                finished: stop,
            };
            pod.set_ready(false, stop);
            // The kubelet's back-off: the first restart is at once, later ones wait 10 s,
            // doubling to five minutes; ten minutes without an exit forgets it.
            let st = &mut pod.status.probe;
            let fresh = st.backoff == 0 || stop - st.last_exit > 600;
            st.last_exit = stop;
            if fresh {
                st.backoff = 10;
                self.restart_container(pod, now);
            } else {
                let wait = st.backoff;
                st.backoff = (st.backoff * 2).min(300);
                st.restart_at = Some(stop + wait);
                pod.status.state = ContainerState::Waiting("CrashLoopBackOff".into());
                pod.status.next_step_at = Some(stop + wait);
                let message = format!(
                    "Back-off restarting failed container {name} in pod {}_{}({})",
                    pod.meta.name, pod.meta.namespace, pod.meta.uid
                );
                push(pod, "Warning", "BackOff", message, now);
            }
            return Some(true);
        }
        if !matches!(pod.status.state, ContainerState::Running { .. }) {
            return None;
        }
        let run = Run::new(pod);
        let mut st = st;
        let mut ready = pod.status.ready;
        let fx = run.run(&mut st, &mut ready, now, false);
        let mut changed = !fx.is_empty();
        for e in fx {
            match e {
                Effect::Fail(k, msg, at) => {
                    let message = match msg.strip_prefix('\u{0}') {
                        Some(err) => {
                            let mut r =
                                super::rng::Rng::new(super::lab::fnv32a(pod.meta.uid.as_bytes()) as u64 ^ at as u64);
                            let id = format!(
                                "{:016x}{:016x}{:016x}{:016x}",
                                r.next_u64(),
                                r.next_u64(),
                                r.next_u64(),
                                r.next_u64()
                            );
                            let err = err.replace(EXEC_ID, &id);
                            format!("{} probe errored and resulted in unknown state: {err}", KINDS[k])
                        }
                        None => format!("{} probe failed: {msg}", KINDS[k]),
                    };
                    push(pod, "Warning", "Unhealthy", message, at);
                }
                Effect::Log(k, status, bytes, at) => {
                    // Kept compact; written out as lines when the log is read or grows.
                    let log = &mut pod.status.probe.log;
                    log.push((at, k as u8, status, bytes as u32));
                    if log.len() > 2 * LOG_LINES_KEPT {
                        log.drain(..log.len() - LOG_LINES_KEPT);
                    }
                }
                Effect::Ready(r, at) => pod.set_ready(r, at),
                Effect::Horizon(_) => {}
                Effect::Kill(k, at) => {
                    let what = if k == 0 { "startup" } else { "liveness" };
                    push(
                        pod,
                        "Normal",
                        "Killing",
                        format!("Container {name} failed {what} probe, will be restarted"),
                        at,
                    );
                    // A server exits on SIGTERM at once; a shell ignores it and is killed when
                    // the grace period ends.
                    let c = pod.spec.containers.first().cloned().unwrap_or_default();
                    let quick = !images::listening_ports(&c).is_empty() && c.command.is_empty();
                    let grace = pod.spec.termination_grace_period.unwrap_or(30).clamp(0, 1 << 40);
                    st.stopping = Some(if quick {
                        (at, "Completed", 0)
                    } else {
                        (at.saturating_add(grace), "Error", 137)
                    });
                }
            }
        }
        // Wake at the next change: a readiness flip, a kill, the container's stop.
        let mut ahead = st.clone();
        let mut r = ready;
        let next = match st.stopping {
            Some((stop, ..)) => Some(stop.max(now + 1)),
            None => run
                .run(&mut ahead, &mut r, Time::MAX, true)
                .iter()
                .find_map(|e| match e {
                    Effect::Ready(_, t) | Effect::Kill(_, t) | Effect::Horizon(t) => Some(*t),
                    _ => None,
                }),
        };
        let mut st = st;
        st.log = std::mem::take(&mut pod.status.probe.log);
        st.spam = std::mem::take(&mut pod.status.probe.spam);
        st.held = std::mem::take(&mut pod.status.probe.held);
        changed |= pod.status.next_step_at != next || pod.status.probe.done != st.done;
        pod.status.next_step_at = next;
        pod.status.probe = st;
        Some(changed)
    }

    /// Writes the probes a pod's server logged into its log (before a request adds a line
    /// and before the log is read), as nginx writes them; the log keeps its last lines.
    pub fn flush_probe_log(&mut self, key: &Key) {
        let Some(pod) = self.pods.get_mut(key) else { return };
        if pod.status.probe.log.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut pod.status.probe.log);
        let pod = &self.pods[key];
        let probes = of(pod);
        let src = pod
            .node()
            .and_then(|n| self.node(n))
            .map(|n| n.ip.clone())
            .unwrap_or_default();
        let saved = self.now;
        for (at, kind, status, bytes) in pending {
            let path = probes.iter().find_map(|p| match &p.handler {
                Handler::Http { path, .. } if p.kind == kind as usize => Some(path.clone()),
                _ => None,
            });
            let req = super::net::Request {
                host: String::new(),
                port: 0,
                method: "GET".into(),
                path: path.unwrap_or_else(|| "/".into()),
                host_header: String::new(),
                user_agent: format!("kube-probe/{}.{}", super::version::RELEASE.0, super::version::RELEASE.1),
            };
            self.now = at;
            self.log_access(key, &src, &req, status, bytes as usize);
        }
        self.now = saved;
        if let Some(lines) = self.logs.get_mut(key).filter(|l| l.len() > LOG_LINES_KEPT) {
            lines.drain(..lines.len() - LOG_LINES_KEPT);
        }
    }

    /// Starts a container again after a probe failed it, with the events the kubelet writes.
    fn restart_container(&mut self, pod: &mut Pod, now: Time) {
        let c = pod.spec.containers.first().cloned().unwrap_or_default();
        let image = c.image.clone();
        if c.image_pull_policy.as_deref() == Some("Always") {
            push(pod, "Normal", "Pulling", format!("Pulling image \"{image}\""), now);
            let size = images::of(&c).map_or(58_412_114, |i| i.size_bytes);
            push(
                pod,
                "Normal",
                "Pulled",
                format!(
                    "Successfully pulled image \"{image}\" in 512ms (512ms including waiting). Image size: {size} bytes."
                ),
                now,
            );
        } else {
            let message = format!("Container image \"{image}\" already present on machine");
            push(pod, "Normal", "Pulled", message, now);
        }
        push(pod, "Normal", "Created", format!("Created container: {}", c.name), now);
        push(pod, "Normal", "Started", format!("Started container {}", c.name), now);
        pod.status.restarts += 1;
        pod.status.last_restart = Some(now);
        pod.status.state = ContainerState::Running { since: now };
        pod.status.phase = "Running".into();
        pod.status.exits_at = pod
            .spec
            .containers
            .first()
            .and_then(super::images::run_for)
            .map(|n| now.saturating_add(n));
        on_start(pod, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::objects::Container;

    fn busybox(script: &str) -> Container {
        Container {
            name: "liveness".into(),
            image: "registry.k8s.io/busybox".into(),
            args: vec!["/bin/sh".into(), "-c".into(), script.into()],
            ..Container::default()
        }
    }

    #[test]
    fn a_script_creates_and_removes_its_file() {
        let c = busybox("touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600");
        assert_eq!(file_timeline(&c, "/tmp/healthy"), vec![(0, true), (30, false)]);
        let o = exec_outcomes(&c, &["cat".into(), "/tmp/healthy".into()]);
        assert_eq!(o.len(), 2);
        assert!(o[0].1.failed.is_none());
        assert_eq!(
            o[1].1.failed.as_deref(),
            Some("cat: can't open '/tmp/healthy': No such file or directory")
        );
    }

    #[test]
    fn extreme_probe_settings_stay_cheap_and_validated() {
        use crate::sim::cluster::{key, Cluster};
        use crate::sim::lab::Lab;
        use crate::sim::shell::{MemFiles, Shell};
        let pod = |period: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  terminationGracePeriodSeconds: \
                 9223372036854775807\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, \
                 \"9999999\"]\n    readinessProbe: {{exec: {{command: [cat, /nope]}}, periodSeconds: {period}}}\n    \
                 livenessProbe: {{exec: {{command: [cat, /nope]}}, initialDelaySeconds: 2147483647, periodSeconds: \
                 2147483647, failureThreshold: 0}}\n"
            )
        };
        let files = vec![("bad.yml".to_string(), pod("-5")), ("ok.yml".to_string(), pod("1"))];
        let mut sh = Shell::new(Cluster::new(Lab::default(), 3), Box::new(MemFiles(files)));
        let out = sh.run("kubectl apply -f bad.yml");
        assert!(
            out.text.contains("readinessProbe.periodSeconds: Invalid value: -5"),
            "{}",
            out.text
        );
        sh.run("kubectl apply -f ok.yml");
        sh.run("sleep 604800");
        sh.run("sleep 604800");
        let p = &sh.cluster.pods[&key("default", "p")];
        assert!(!p.status.ready && p.status.restarts == 0);
        assert_eq!(of(p)[1].failure, 3, "a zero takes the default");
        // The readiness failures are one event object with the count of every probe.
        let e = p.status.events.iter().find(|e| e.reason == "Unhealthy").unwrap();
        assert!(e.count > 1000 && p.status.events.len() < 20, "{e:?}");
    }

    #[test]
    fn a_command_the_image_lacks_cannot_start() {
        let c = busybox("sleep 3600");
        let o = exec_outcomes(&c, &["redis-cli".into(), "ping".into()]);
        assert!(o[0]
            .1
            .failed
            .as_deref()
            .unwrap()
            .contains("exec: \"redis-cli\": executable file not found"));
    }
}
