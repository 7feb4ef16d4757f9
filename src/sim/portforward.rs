//! `kubectl port-forward`: a listener on the node's loopback that carries each connection
//! through the API server and the pod's kubelet into the pod's own network namespace, never
//! through kube-proxy. It runs as a job of that node's shell (`jobs`, `kill %N`).

use super::apps::{self, Answer};
use super::cluster::Key;
use super::images;
use super::kubectl::parse;
use super::net::{Addr, Client, Flow, Hop, Outcome, Place, Request, Rule, Trace};
use super::objects::IntOrStr;
use super::shell::{Output, Shell};

#[derive(Clone, Debug, PartialEq)]
pub struct Forward {
    pub job: usize,
    pub node: String,
    pub local: u16,
    pub pod: Key,
    pub port: u16,
    pub command: String,
}

/// bash's mark for the i-th of n jobs: `+` the current one (the last), `-` the one before.
fn mark(i: usize, n: usize) -> char {
    if i + 1 == n {
        '+'
    } else if i + 2 == n {
        '-'
    } else {
        ' '
    }
}

/// The process id bash reports for a job (deterministic).
fn pid(job: usize) -> usize {
    2417 + job * 13
}

impl Shell {
    /// The pod a `TYPE/NAME` stands for and the pod port a remote port means there.
    fn forward_target(&self, ns: &str, target: &str, port: &str) -> Result<(Key, u16), String> {
        let (kind, name) = target.split_once('/').unwrap_or(("pod", target));
        let info =
            super::kinds::by_name(kind).ok_or_else(|| format!("the server doesn't have a resource type \"{kind}\""))?;
        let want: Option<i64> = port.parse().ok();
        let pick = |sel: &dyn Fn(&super::objects::Pod) -> bool| -> Result<Key, String> {
            let mut pods: Vec<&super::objects::Pod> = self
                .cluster
                .pods
                .values()
                .filter(|p| p.meta.namespace == ns && p.meta.deletion.is_none() && sel(p))
                .collect();
            super::order::sort_by(&mut pods, |a, b| {
                (!a.is_ready(), &a.meta.name).cmp(&(!b.is_ready(), &b.meta.name))
            });
            pods.first()
                .map(|p| (ns.to_string(), p.meta.name.clone()))
                .ok_or_else(|| "timed out waiting for the condition".to_string())
        };
        let matches = |sel: &super::objects::Labels, p: &super::objects::Pod| {
            !sel.is_empty() && sel.iter().all(|(k, v)| p.meta.labels.get(k) == Some(v))
        };
        match info.kind {
            "Pod" => {
                let k = (ns.to_string(), name.to_string());
                if !self.cluster.pods.contains_key(&k) {
                    return Err(format!("Error from server (NotFound): pods \"{name}\" not found"));
                }
                let n = want.ok_or_else(|| format!("Pod '{name}' does not have a named port '{port}'"))?;
                Ok((k, n as u16))
            }
            "Service" => {
                let svc = self
                    .cluster
                    .services
                    .get(&(ns.to_string(), name.to_string()))
                    .ok_or_else(|| format!("Error from server (NotFound): services \"{name}\" not found"))?;
                let sp = svc
                    .spec
                    .ports
                    .iter()
                    .find(|p| Some(p.port) == want || p.name.as_deref() == Some(port) || port == "0")
                    .ok_or_else(|| format!("Service {name} does not have a service port {port}"))?
                    .clone();
                let sel = svc.spec.selector.clone().unwrap_or_default();
                let k = pick(&|p| matches(&sel, p))?;
                let target = match &sp.target_port {
                    Some(IntOrStr::Int(n)) => *n,
                    Some(IntOrStr::Str(s)) => self
                        .cluster
                        .pods
                        .get(&k)
                        .and_then(|p| {
                            p.spec
                                .containers
                                .iter()
                                .flat_map(|c| &c.ports)
                                .find(|cp| cp.name.as_deref() == Some(s))
                        })
                        .map_or(sp.port, |cp| cp.container_port),
                    None => sp.port,
                };
                Ok((k, target as u16))
            }
            "Deployment" | "ReplicaSet" => {
                let sel = if info.kind == "Deployment" {
                    self.cluster
                        .deployments
                        .get(&(ns.to_string(), name.to_string()))
                        .map(|d| d.template.labels.clone())
                } else {
                    self.cluster
                        .replicasets
                        .get(&(ns.to_string(), name.to_string()))
                        .map(|r| r.template.labels.clone())
                }
                .ok_or_else(|| format!("Error from server (NotFound): {} \"{name}\" not found", info.resource()))?;
                let k = pick(&|p| matches(&sel, p))?;
                let n = want.ok_or_else(|| format!("Pod '{}' does not have a named port '{port}'", k.1))?;
                Ok((k, n as u16))
            }
            _ => Err(format!(
                "cannot attach to *v1.{}: selector for {} not implemented",
                info.kind, info.kind
            )),
        }
    }

    /// The pod kubectl picks for `TYPE/NAME` (exec, logs): the message is the whole error line.
    pub(super) fn pod_for(&self, ns: &str, target: &str) -> Result<Key, String> {
        self.forward_target(ns, target, "0").map(|(k, _)| k).map_err(|e| {
            if e.starts_with("Error from server") {
                e
            } else {
                format!("error: {e}")
            }
        })
    }

    pub(super) fn k_port_forward(&mut self, node: Option<&str>, args: &[String]) -> Output {
        let p = match parse(
            "port-forward",
            args,
            &[("", "address", true), ("", "pod-running-timeout", true)],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if p.pos.len() < 2 {
            return Output::err(
                "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n",
                1,
            );
        }
        let Some(node) = node else {
            return Output::err(
                "error: this lab runs kubectl port-forward on a node's shell, where curl localhost reaches it\n",
                1,
            );
        };
        if p.get("address").is_some_and(|a| a != "localhost" && a != "127.0.0.1") {
            return Output::err("error: this lab's port-forward listens on localhost only\n", 1);
        }
        let ns = self.namespace(&p);
        let mut pairs = Vec::new();
        for spec in &p.pos[1..] {
            let (local, remote) = spec.split_once(':').unwrap_or((spec.as_str(), spec.as_str()));
            let local: u16 = if local.is_empty() {
                self.cluster.rng.range(32768, 60999) as u16
            } else {
                match local.parse() {
                    Ok(n) if n > 0 => n,
                    _ => return Output::err(format!("error: Error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax\n"), 1),
                }
            };
            match self.forward_target(&ns, &p.pos[0], remote) {
                Ok((pod, port)) => pairs.push((local, pod, port, remote.to_string())),
                Err(e) if e.starts_with("Error from server") => return Output::err(format!("{e}\n"), 1),
                Err(e) => return Output::err(format!("error: {e}\n"), 1),
            }
        }
        for (_, pod, _, _) in &pairs {
            let phase = self
                .cluster
                .pods
                .get(pod)
                .map(|p| p.status.phase.clone())
                .unwrap_or_default();
            if phase != "Running" {
                return Output::err(
                    format!("error: unable to forward port because pod is not running. Current status={phase}\n"),
                    1,
                );
            }
        }
        for (local, _, _, remote) in &pairs {
            if self.forwards.iter().any(|f| f.node == node && f.local == *local) {
                return Output::err(
                    format!(
                        "Unable to listen on port {local}: Listeners failed to create with the following errors: \
                         [unable to create listener: Error listen tcp4 127.0.0.1:{local}: bind: address already in use \
                         unable to create listener: Error listen tcp6 [::1]:{local}: bind: address already in use]\n\
                         error: unable to listen on any of the requested ports: [{{{local} {remote}}}]\n"
                    ),
                    1,
                );
            }
        }
        let job = self.forwards.iter().map(|f| f.job).max().unwrap_or(0) + 1;
        let mut text = String::new();
        if self.background {
            text.push_str(&format!("[{job}] {}\n", pid(job)));
        }
        let command = format!("kubectl port-forward {}", args.join(" "));
        for (local, pod, port, _) in pairs {
            text.push_str(&format!(
                "Forwarding from 127.0.0.1:{local} -> {port}\nForwarding from [::1]:{local} -> {port}\n"
            ));
            self.forwards.push(Forward {
                job,
                node: node.to_string(),
                local,
                pod,
                port,
                command: command.clone(),
            });
        }
        if !self.background {
            self.stdout_part = Some((0, text.len()));
            text.push_str(&format!(
                "svclab: port-forward keeps running in the background of this shell (job [{job}]): \
                 curl localhost:PORT here reaches the pod; `jobs` lists it, `kill %{job}` stops it\n"
            ));
        }
        Output::ok(text)
    }

    /// A connection to a forwarded port on a node's loopback: kubectl -> API server -> the
    /// pod's kubelet -> the pod's own localhost.
    pub fn forwarded(&mut self, client: &Client, req: &Request) -> Option<Trace> {
        let Client::Node(node) = client else { return None };
        if !matches!(req.host.as_str(), "localhost" | "127.0.0.1" | "::1" | "[::1]") {
            return None;
        }
        let f = self
            .forwards
            .iter()
            .find(|f| &f.node == node && f.local == req.port)?
            .clone();
        let Some(pod) = self.cluster.pods.get(&f.pod).cloned() else {
            // The pod is gone: kubectl lost its stream and exited; nothing listens any more.
            self.forwards.retain(|x| x.job != f.job);
            self.job_output.push_str(&format!(
                "error: lost connection to pod\n[{}]+  Exit 1                  {}\n",
                f.job, f.command
            ));
            return None;
        };
        let pod_node = pod.spec.node_name.clone().unwrap_or_default();
        let ip_of = |n: &str| {
            self.cluster
                .lab
                .nodes
                .iter()
                .find(|x| x.name == n)
                .map(|x| x.ip.clone())
                .unwrap_or_default()
        };
        let cp = self
            .cluster
            .lab
            .nodes
            .iter()
            .find(|n| n.control_plane)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let mut port = || self.cluster.rng.range(32768, 60999) as u16;
        let (p1, p2, p3, p4) = (port(), port(), port(), port());
        let flow = |a: &str, ap: u16, b: &str, bp: u16| Flow {
            src: Addr::new(a, ap),
            dst: Addr::new(b, bp),
        };
        let hop = |place: Place, rule: Rule, f: Flow| Hop {
            place,
            rule,
            before: f.clone(),
            after: f,
            iptables: None,
        };
        let pod_place = Place::Pod {
            namespace: f.pod.0.clone(),
            name: f.pod.1.clone(),
            node: pod_node.clone(),
        };
        let inner = flow("127.0.0.1", p4, "127.0.0.1", f.port);
        let mut hops = vec![
            hop(
                Place::Node(node.clone()),
                Rule::Send,
                flow("127.0.0.1", p1, "127.0.0.1", f.local),
            ),
            hop(
                Place::Node(node.clone()),
                Rule::Route {
                    via: format!("kubectl port-forward on 127.0.0.1:{} -> the API server", f.local),
                },
                flow(&ip_of(node), p2, &ip_of(&cp), 6443),
            ),
            hop(
                Place::Node(cp.clone()),
                Rule::Route {
                    via: format!("kube-apiserver -> the kubelet on {pod_node} (port-forward stream)"),
                },
                flow(&ip_of(&cp), p3, &ip_of(&pod_node), 10250),
            ),
            hop(
                Place::Node(pod_node.clone()),
                Rule::Route {
                    via: "kubelet -> the pod's network namespace (no Service, no kube-proxy rule)".into(),
                },
                inner.clone(),
            ),
        ];
        let app = pod
            .spec
            .containers
            .iter()
            .find(|c| images::listening_ports(c).contains(&i64::from(f.port)))
            .map(|c| images::of(c).map_or(images::App::Generic, |i| i.app));
        let unix = self.cluster.lab.start_unix + self.cluster.now;
        let mut note = format!("Handling connection for {}\n", f.local);
        let outcome = match app {
            Some(app) => {
                hops.push(hop(pod_place.clone(), Rule::Deliver, inner.clone()));
                match apps::serve(app, &req.method, &req.path, &f.pod.1, unix) {
                    Answer::Http(r) => {
                        hops.push(hop(
                            pod_place,
                            Rule::Respond {
                                status: format!("{} {} {}", r.version, r.status, r.reason),
                            },
                            inner,
                        ));
                        Outcome::Response(r)
                    }
                    Answer::NotHttp => Outcome::NotHttp,
                    Answer::Closed => Outcome::EmptyReply,
                }
            }
            None => {
                hops.push(hop(
                    pod_place,
                    Rule::Reset {
                        reason: format!("nothing listens on port {} in the pod", f.port),
                    },
                    inner,
                ));
                let t = super::clock::rfc3339(unix);
                note.push_str(&format!(
                    "E{}{} {}.000000 {:>7} portforward.go:413] an error occurred forwarding {} -> {}: error forwarding \
                     port {} to pod {}, uid : failed to connect to localhost:{} inside the pod's network namespace: \
                     connect: connection refused\n",
                    t.get(5..7).unwrap_or(""),
                    t.get(8..10).unwrap_or(""),
                    t.get(11..19).unwrap_or(""),
                    pid(f.job),
                    f.local,
                    f.port,
                    f.port,
                    f.pod.1,
                    f.port
                ));
                Outcome::EmptyReply
            }
        };
        self.job_output.push_str(&note);
        Some(Trace {
            client: Place::Node(node.clone()),
            hops,
            outcome,
            connected: Some(Addr::new("127.0.0.1", f.local)),
            local: Some(Addr::new("127.0.0.1", p1)),
            elapsed_ms: 2,
        })
    }

    /// `jobs`: the shell's background port-forwards on this node.
    pub(super) fn jobs(&self, node: &str) -> String {
        let mut out = String::new();
        let mut jobs: Vec<(usize, &str)> = Vec::new();
        for f in self.forwards.iter().filter(|f| f.node == node) {
            if !jobs.iter().any(|j| j.0 == f.job) {
                jobs.push((f.job, &f.command));
            }
        }
        for (i, (job, cmd)) in jobs.iter().enumerate() {
            out.push_str(&format!(
                "[{job}]{}  Running                 {cmd} &\n",
                mark(i, jobs.len())
            ));
        }
        out
    }

    /// `kill %N` (or the job's pid): ends a port-forward.
    pub(super) fn kill_job(&mut self, node: &str, spec: &str) -> Result<String, String> {
        let job = match spec.strip_prefix('%') {
            Some("" | "+" | "%") => self.forwards.iter().filter(|f| f.node == node).map(|f| f.job).max(),
            Some(n) => n.parse().ok(),
            None => spec.parse::<usize>().ok().and_then(|p| (1..=64).find(|j| pid(*j) == p)),
        };
        let Some(job) = job.filter(|j| self.forwards.iter().any(|f| f.node == node && f.job == *j)) else {
            return Err(if spec.starts_with('%') {
                format!("kill: {spec}: no such job")
            } else {
                format!("kill: ({spec}) - No such process")
            });
        };
        let mut jobs: Vec<usize> = self.forwards.iter().filter(|f| f.node == node).map(|f| f.job).collect();
        jobs.dedup();
        let m = mark(jobs.iter().position(|j| *j == job).unwrap_or(0), jobs.len());
        let cmd = self
            .forwards
            .iter()
            .find(|f| f.job == job)
            .map(|f| f.command.clone())
            .unwrap_or_default();
        self.forwards.retain(|f| !(f.node == node && f.job == job));
        Ok(format!("[{job}]{m}  Terminated              {cmd}\n"))
    }
}
