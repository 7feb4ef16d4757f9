//! The data plane: one request walked through the lab, returning its trace.
//!
//! A connection starts at a client (the learner's PC, a node, a pod), goes through the
//! VirtualBox NAT port forwarding, each node's kube-proxy rules (reference section 6: ClusterIP,
//! NodePort, externalIPs, REJECT without endpoints, DROP under a Local policy, masquerade,
//! session affinity), Calico routing between nodes, and reaches a listening socket or fails.
//! Every step is a `Hop` with the addresses before and after it, so the trace is exactly what a
//! packet capture at each place would show.

use super::apps::{self, Answer, HttpResponse};
use super::cluster::{key, Cluster, Key, Via};
use super::images;
use super::lab::cidr_contains;
use super::objects::*;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Addr {
    pub ip: String,
    pub port: u16,
}

impl Addr {
    pub fn new(ip: &str, port: u16) -> Addr {
        Addr {
            ip: ip.to_string(),
            port,
        }
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{}:{}", self.ip, self.port)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub src: Addr,
    pub dst: Addr,
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} -> {}", self.src, self.dst)
    }
}

/// The most conntrack entries the lab keeps (the oldest go first).
const CONNTRACK_KEPT: usize = 4096;

/// A connection as each node's conntrack holds it: for every node the packet crossed, in order,
/// the flow as it entered the node (the original tuple) and the reply tuple, the reverse of the
/// flow as it left the node after that node's NAT. A pod's hops belong to its node.
pub fn conntrack_views(hops: &[Hop]) -> Vec<(String, Flow, Flow)> {
    let mut out: Vec<(String, Flow, Flow)> = Vec::new();
    for h in hops.iter().filter(|h| !matches!(h.rule, Rule::Dns { .. })) {
        let node = match &h.place {
            Place::Node(n) | Place::Pod { node: n, .. } => n,
            _ => continue,
        };
        let reply = Flow {
            src: h.after.dst.clone(),
            dst: h.after.src.clone(),
        };
        match out.iter_mut().find(|(n, _, _)| n == node) {
            Some(e) => e.2 = reply,
            None => out.push((node.clone(), h.before.clone(), reply)),
        }
    }
    out
}

/// The two tuples of an entry as `conntrack -L` prints them.
pub fn ct_tuples(orig: &Flow, reply: &Flow) -> String {
    let t = |f: &Flow| {
        format!(
            "src={} dst={} sport={} dport={}",
            f.src.ip, f.dst.ip, f.src.port, f.dst.port
        )
    };
    format!("{} {}", t(orig), t(reply))
}

/// Where a hop happens.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Pc,
    /// The VirtualBox NAT network's port forwarding.
    Nat,
    /// A node's kernel: kube-proxy's rules, routing, host processes.
    Node(String),
    Pod {
        namespace: String,
        name: String,
        node: String,
    },
    /// The cluster DNS (CoreDNS behind the kube-dns Service) or the node's resolver.
    Dns,
    Internet(String),
}

impl Place {
    pub fn label(&self) -> String {
        match self {
            Place::Pc => "pc".into(),
            Place::Nat => "nat".into(),
            Place::Node(n) => format!("node/{n}"),
            Place::Pod { namespace, name, .. } if namespace == "default" => format!("pod/{name}"),
            Place::Pod { namespace, name, .. } => format!("pod/{namespace}/{name}"),
            Place::Dns => "dns".into(),
            Place::Internet(h) => format!("internet/{h}"),
        }
    }
}

/// What acted at a hop.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// The client opens the connection.
    Send,
    /// The NAT network forwards a host port to a guest.
    PortForward { rule: String },
    /// A DNS query and its answer.
    Dns { query: String, answer: String },
    /// kube-proxy chose an endpoint and rewrote the destination.
    Dnat {
        service: String,
        port: String,
        chosen: usize,
        of: usize,
        pod: String,
        sticky: bool,
        local: bool,
    },
    /// The source was rewritten (masquerade, Calico natOutgoing, hairpin).
    Snat { reason: String },
    /// Forwarded without a rewrite (between nodes, out to the internet).
    Route { via: String },
    /// The destination socket accepted the connection.
    Deliver,
    /// The server answered.
    Respond { status: String },
    /// kube-proxy's REJECT for a Service (`namespace/name`) with no endpoints: ICMP port
    /// unreachable, the client sees "connection refused".
    Reject { service: String, reason: String },
    /// Dropped silently: the client waits until it times out. `service` when one of a Service's
    /// own rules dropped it.
    Drop { service: Option<String>, reason: String },
    /// Nothing listens on the port: the kernel answers with a TCP reset.
    Reset { reason: String },
}

impl Rule {
    pub fn name(&self) -> &'static str {
        match self {
            Rule::Send => "SEND",
            Rule::PortForward { .. } => "PORT-FORWARD",
            Rule::Dns { .. } => "DNS",
            Rule::Dnat { .. } => "DNAT",
            Rule::Snat { .. } => "SNAT",
            Rule::Route { .. } => "ROUTE",
            Rule::Deliver => "DELIVER",
            Rule::Respond { .. } => "RESPOND",
            Rule::Reject { .. } => "REJECT",
            Rule::Drop { .. } => "DROP",
            Rule::Reset { .. } => "RST",
        }
    }

    pub fn note(&self) -> String {
        match self {
            Rule::Send => String::new(),
            Rule::PortForward { rule } => rule.clone(),
            Rule::Dns { query, answer } => format!("{query} -> {answer}"),
            Rule::Dnat {
                service,
                port,
                chosen,
                of,
                pod,
                sticky,
                local,
            } => {
                let how = match (*sticky, *local) {
                    (true, _) => "sticky (sessionAffinity ClientIP)",
                    (false, true) => "random among this node's endpoints (traffic policy Local)",
                    (false, false) => "random",
                };
                format!("{service}:{port} chose endpoint {chosen} of {of}, {pod} ({how})")
            }
            Rule::Snat { reason }
            | Rule::Reject { reason, .. }
            | Rule::Drop { reason, .. }
            | Rule::Reset { reason } => reason.clone(),
            Rule::Route { via } => via.clone(),
            Rule::Deliver => "connection accepted".into(),
            Rule::Respond { status } => status.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub place: Place,
    pub rule: Rule,
    pub before: Flow,
    pub after: Flow,
    /// At kube-proxy's hops, the iptables chains and rule numbers the packet went through, as
    /// `iptables -L --line-numbers` numbers them on that node (`iptables::nat_path`).
    pub iptables: Option<String>,
}

impl Hop {
    /// The rewrite and what acted, after the hop's addresses: `  =>  A -> B  [note]`.
    pub fn suffix(&self, arrow: &str, open: &str, close: &str) -> String {
        let mut s = String::new();
        if self.after != self.before {
            s.push_str(&format!("{arrow}{}", self.after));
        }
        let note = self.rule.note();
        if !note.is_empty() {
            s.push_str(&format!("{open}{note}{close}"));
        }
        s
    }

    /// One line: place, rule, addresses, rewrite, note.
    pub fn line(&self) -> String {
        format!(
            "{} {} {}{}",
            self.place.label(),
            self.rule.name(),
            self.before,
            self.suffix(" => ", " (", ")")
        )
    }
}

/// How the request ended, as the client sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Response(HttpResponse),
    /// The server answered with bytes that are not HTTP.
    NotHttp,
    /// Connection refused (TCP reset or ICMP port unreachable while connecting).
    Refused,
    /// No answer at all: the connection attempt times out.
    Timeout,
    /// The NAT accepted the connection, then the guest side refused: reset.
    Reset,
    /// The NAT accepted the connection, then gave up on the guest: closed without a reply.
    EmptyReply,
    /// The name did not resolve.
    Unresolved(String),
    /// The resolver got no answer.
    DnsTimeout(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    pub client: Place,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    /// The address the client connected to, after name resolution.
    pub connected: Option<Addr>,
    /// The client's own address and port.
    pub local: Option<Addr>,
    /// Milliseconds the request took when it did not time out.
    pub elapsed_ms: u64,
}

impl Trace {
    /// The hops of the reply, travelling back: each rewrite undone where it was made.
    pub fn reply(&self) -> Vec<Hop> {
        if !matches!(self.outcome, Outcome::Response(_) | Outcome::NotHttp) {
            return Vec::new();
        }
        let entries = conntrack_views(&self.hops);
        self.hops
            .iter()
            .rev()
            .filter(|h| !matches!(h.rule, Rule::Dns { .. } | Rule::Respond { .. }))
            .map(|h| Hop {
                // Where the request was rewritten, the reply is rewritten back by the node's
                // conntrack entry, not by a rule: the entry is cited.
                iptables: match &h.place {
                    Place::Node(n) if h.before != h.after => entries
                        .iter()
                        .find(|(node, _, _)| node == n)
                        .map(|(_, orig, reply)| format!("conntrack: {}", ct_tuples(orig, reply))),
                    _ => None,
                },
                place: h.place.clone(),
                rule: h.rule.clone(),
                before: Flow {
                    src: h.after.dst.clone(),
                    dst: h.after.src.clone(),
                },
                after: Flow {
                    src: h.before.dst.clone(),
                    dst: h.before.src.clone(),
                },
            })
            .collect()
    }

    /// One line per hop: place, rule, the addresses as the packet carries them, what acted.
    pub fn render(&self) -> String {
        self.render_with(|h| h.rule.note(), &self.result())
    }

    /// `render` with each hop's note and the last line in other words (the page's language).
    pub fn render_with<N: AsRef<str>>(&self, note: impl Fn(&Hop) -> N, result: &str) -> String {
        let mut out = String::new();
        for (i, h) in self.hops.iter().enumerate() {
            let mut line = format!(
                "  {:>2}  {:<34} {:<13} {}",
                i + 1,
                h.place.label(),
                h.rule.name(),
                h.before
            );
            if h.after != h.before {
                line.push_str(&format!("  =>  {}", h.after));
            }
            let note = note(h);
            if !note.as_ref().is_empty() {
                line.push_str(&format!("  [{}]", note.as_ref()));
            }
            out.push_str(line.trim_end());
            out.push('\n');
            if let Some(rules) = &h.iptables {
                out.push_str(&format!("      {:<34} {:<13} {rules}\n", "", "iptables"));
            }
        }
        out.push_str(&format!("  =>  {result}\n"));
        out
    }

    /// How the request ended, in words: the last line of `render`.
    pub fn result(&self) -> String {
        match &self.outcome {
            Outcome::Response(r) => format!(
                "{} {} {}, {} bytes, back along the same path",
                r.version,
                r.status,
                r.reason,
                r.body.len()
            ),
            Outcome::NotHttp => "the server answered, but not in HTTP".into(),
            Outcome::Refused => "connection refused".into(),
            Outcome::Timeout => "no answer: timed out".into(),
            Outcome::Reset => "connection reset".into(),
            Outcome::EmptyReply => "closed without a reply".into(),
            Outcome::Unresolved(n) => format!("could not resolve {n}"),
            Outcome::DnsTimeout(n) => format!("no DNS answer for {n}"),
        }
    }
}

/// Who sends a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Client {
    Pc,
    Node(String),
    Pod(Key),
}

/// What a client asks for.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub host: String,
    pub port: u16,
    pub method: String,
    pub path: String,
    pub host_header: String,
    pub user_agent: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Origin {
    /// A pod's traffic (source in the pod network).
    Pod,
    /// The node's own processes.
    Host,
    /// From outside the cluster (the NAT gateway, the PC).
    External,
}

/// Where a packet ended.
enum Arrival {
    Pod(Key, u16),
    Site(usize),
    NodeHost(String, u16),
    Refused,
    Dropped,
}

/// A DNS lookup's result.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    Found {
        name: String,
        cname: Option<String>,
        ips: Vec<String>,
    },
    NxDomain {
        tried: Vec<String>,
    },
    NoServer,
}

const HOST_LISTENERS: &[u16] = &[22, 10250];

impl Cluster {
    /// Appends an access-log line to a pod's log, as nginx writes it: the client address is
    /// the source the pod saw, after any SNAT.
    pub fn log_access(&mut self, pod: &Key, src: &str, req: &Request, status: u16, bytes: usize) {
        self.flush_probe_log(pod);
        let unix = self.lab.start_unix + self.now;
        let date = super::clock::http_date(unix);
        // "Sat, 20 Dec 2025 10:24:07 GMT" -> "20/Dec/2025:10:24:07 +0000"
        let parts: Vec<&str> = date.split(' ').collect();
        let stamp = if parts.len() >= 5 {
            format!("{}/{}/{}:{} +0000", parts[1], parts[2], parts[3], parts[4])
        } else {
            date.clone()
        };
        let line = format!(
            "{src} - - [{stamp}] \"{} {} HTTP/1.1\" {status} {bytes} \"-\" \"{}\" \"-\"",
            req.method, req.path, req.user_agent
        );
        self.logs.entry(pod.clone()).or_default().push(line);
    }

    fn client_place(&self, c: &Client) -> Place {
        match c {
            Client::Pc => Place::Pc,
            Client::Node(n) => Place::Node(n.clone()),
            Client::Pod(k) => Place::Pod {
                namespace: k.0.clone(),
                name: k.1.clone(),
                node: self
                    .pods
                    .get(k)
                    .and_then(|p| p.spec.node_name.clone())
                    .unwrap_or_default(),
            },
        }
    }

    fn pod_place(&self, k: &Key) -> Place {
        self.client_place(&Client::Pod(k.clone()))
    }

    fn ephemeral_port(&mut self) -> u16 {
        self.rng.range(32768, 60999) as u16
    }

    // -----------------------------------------------------------------------------------------
    // DNS

    /// The search path, ndots and nameserver a client resolves with (`/etc/resolv.conf`).
    pub fn resolv_conf(&self, c: &Client) -> (Vec<String>, Vec<String>, Vec<(String, Option<String>)>) {
        let domain = &self.lab.cluster_domain;
        match c {
            Client::Pod(k) => {
                let Some(p) = self.pods.get(k) else {
                    return (Vec::new(), Vec::new(), Vec::new());
                };
                let policy = p.spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
                let cluster_first =
                    policy == "ClusterFirst" && !p.spec.host_network || policy == "ClusterFirstWithHostNet";
                let (mut search, mut servers, mut options) = if cluster_first {
                    (
                        vec![format!("{}.svc.{domain}", k.0), format!("svc.{domain}"), domain.clone()],
                        vec![self.lab.dns_ip.clone()],
                        vec![("ndots".to_string(), Some("5".to_string()))],
                    )
                } else if policy == "None" {
                    (Vec::new(), Vec::new(), Vec::new())
                } else {
                    (Vec::new(), vec!["10.0.2.3".to_string()], Vec::new())
                };
                if let Some(cfg) = &p.spec.dns_config {
                    // The kubelet appends the pod's own, dropping repeats.
                    for (list, more) in [(&mut servers, &cfg.nameservers), (&mut search, &cfg.searches)] {
                        for x in more {
                            if !list.contains(x) {
                                list.push(x.clone());
                            }
                        }
                    }
                    for (name, value) in &cfg.options {
                        options.retain(|(n, _)| n != name);
                        options.push((name.clone(), value.clone()));
                    }
                }
                (search, servers, options)
            }
            _ => (
                Vec::new(),
                vec!["127.0.0.53".into()],
                vec![("edns0".into(), None), ("trust-ad".into(), None)],
            ),
        }
    }

    /// What CoreDNS (or the upstream resolver) answers for one fully qualified name.
    fn answer(&self, fqdn: &str, cluster_dns: bool) -> Option<(Option<String>, Vec<String>)> {
        let name = fqdn.trim_end_matches('.').to_ascii_lowercase();
        let suffix = format!(".svc.{}", self.lab.cluster_domain);
        if cluster_dns {
            if let Some(rest) = name.strip_suffix(&suffix) {
                let parts: Vec<&str> = rest.split('.').collect();
                match parts.as_slice() {
                    [svc, ns] => {
                        let s = self.services.get(&key(ns, svc))?;
                        if s.type_() == "ExternalName" {
                            let target = s.spec.external_name.clone().unwrap_or_default();
                            let ips = self.answer(&target, true).map(|(_, ips)| ips).unwrap_or_default();
                            return Some((Some(target), ips));
                        }
                        if s.is_headless() {
                            let ips: Vec<String> = self
                                .service_addresses(&key(ns, svc))
                                .iter()
                                .filter(|a| a.ready)
                                .map(|a| a.ip.clone())
                                .collect();
                            return (!ips.is_empty()).then_some((None, ips));
                        }
                        return s.spec.cluster_ip.clone().map(|ip| (None, vec![ip]));
                    }
                    [host, svc, ns] => return self.endpoint_a(host, svc, ns).map(|ips| (None, ips)),
                    _ => return None,
                }
            }
            let pod_suffix = format!(".pod.{}", self.lab.cluster_domain);
            if let Some(rest) = name.strip_suffix(&pod_suffix) {
                let dashed = rest.split('.').next()?;
                let ip = dashed.replace('-', ".");
                super::validation::parse_ipv4(&ip)?;
                return Some((None, vec![ip]));
            }
            if name.ends_with(&self.lab.cluster_domain) {
                return None;
            }
        }
        self.lab
            .internet
            .iter()
            .find(|s| s.host == name)
            .map(|s| (None, vec![s.ip.clone()]))
    }

    /// Resolves a name as the client's resolver does: search list and ndots for pods.
    pub fn lookup(&self, c: &Client, name: &str) -> Lookup {
        if super::validation::parse_ipv4(name).is_some() {
            return Lookup::Found {
                name: name.into(),
                cname: None,
                ips: vec![name.into()],
            };
        }
        let lower = name.to_ascii_lowercase();
        if lower == "localhost" {
            return Lookup::Found {
                name: name.into(),
                cname: None,
                ips: vec!["127.0.0.1".into()],
            };
        }
        match c {
            Client::Pc | Client::Node(_) => {
                if let Client::Node(_) = c {
                    if let Some(n) = self.lab.nodes.iter().find(|n| n.name == lower) {
                        return Lookup::Found {
                            name: lower,
                            cname: None,
                            ips: vec![n.ip.clone()],
                        };
                    }
                }
                match self.answer(&lower, false) {
                    Some((cname, ips)) => Lookup::Found {
                        name: lower,
                        cname,
                        ips,
                    },
                    None => Lookup::NxDomain { tried: vec![lower] },
                }
            }
            Client::Pod(_) => {
                let (search, servers, options) = self.resolv_conf(c);
                let cluster_dns = servers.first().is_some_and(|s| *s == self.lab.dns_ip);
                let upstream = servers.first().is_some_and(|s| s == "10.0.2.3");
                if !cluster_dns && !upstream {
                    return Lookup::NoServer;
                }
                let ndots: usize = options
                    .iter()
                    .find(|(n, _)| n == "ndots")
                    .and_then(|(_, v)| v.as_deref()?.parse().ok())
                    .unwrap_or(1);
                let mut candidates = Vec::new();
                if lower.ends_with('.') {
                    candidates.push(lower.clone());
                } else {
                    let searched: Vec<String> = search.iter().map(|s| format!("{lower}.{s}")).collect();
                    if lower.matches('.').count() >= ndots {
                        candidates.push(lower.clone());
                        candidates.extend(searched);
                    } else {
                        candidates.extend(searched);
                        candidates.push(lower.clone());
                    }
                }
                for cand in &candidates {
                    if let Some((cname, ips)) = self.answer(cand, cluster_dns) {
                        if !ips.is_empty() || cname.is_some() {
                            return Lookup::Found {
                                name: cand.trim_end_matches('.').to_string(),
                                cname,
                                ips,
                            };
                        }
                    }
                }
                Lookup::NxDomain { tried: candidates }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Requests

    /// Sends one request and returns its trace. The outcome says what the client sees.
    pub fn request(&mut self, client: &Client, req: &Request) -> Trace {
        let place = self.client_place(client);
        let mut trace = Trace {
            client: place.clone(),
            hops: Vec::new(),
            outcome: Outcome::Timeout,
            connected: None,
            local: None,
            elapsed_ms: 1,
        };
        let src_ip = match client {
            Client::Pc => self.lab.pc_address.clone(),
            Client::Node(n) => self.node(n).map(|n| n.ip.clone()).unwrap_or_default(),
            Client::Pod(k) => self
                .pods
                .get(k)
                .and_then(|p| p.status.pod_ip.clone())
                .unwrap_or_default(),
        };
        // Name resolution.
        let ip = match self.lookup(client, &req.host) {
            Lookup::Found { name, cname, ips } => {
                if super::validation::parse_ipv4(&req.host).is_none() && req.host != "localhost" {
                    let dns_port = self.ephemeral_port();
                    let server = self
                        .resolv_conf(client)
                        .1
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "127.0.0.53".into());
                    let flow = Flow {
                        src: Addr::new(&src_ip, dns_port),
                        dst: Addr::new(&server, 53),
                    };
                    let answer = match &cname {
                        Some(c) => format!("CNAME {c} -> A {}", ips.join(", ")),
                        None => format!("A {}", ips.join(", ")),
                    };
                    trace.hops.push(Hop {
                        iptables: None,
                        place: Place::Dns,
                        rule: Rule::Dns { query: name, answer },
                        before: flow.clone(),
                        after: flow,
                    });
                }
                match ips.first() {
                    Some(ip) => ip.clone(),
                    None => {
                        trace.outcome = Outcome::Unresolved(req.host.clone());
                        return trace;
                    }
                }
            }
            Lookup::NxDomain { .. } => {
                trace.outcome = Outcome::Unresolved(req.host.clone());
                return trace;
            }
            Lookup::NoServer => {
                trace.outcome = Outcome::DnsTimeout(req.host.clone());
                return trace;
            }
        };
        let sport = self.ephemeral_port();
        // A connection to a loopback address leaves from the loopback address.
        let src_ip = if ip.starts_with("127.") {
            "127.0.0.1".to_string()
        } else {
            src_ip
        };
        let flow = Flow {
            src: Addr::new(&src_ip, sport),
            dst: Addr::new(&ip, req.port),
        };
        trace.connected = Some(flow.dst.clone());
        trace.local = Some(flow.src.clone());
        trace.hops.push(Hop {
            iptables: None,
            place: place.clone(),
            rule: Rule::Send,
            before: flow.clone(),
            after: flow.clone(),
        });
        let (arrival, via_nat) = match client {
            Client::Pc => self.from_pc(flow, &mut trace.hops),
            Client::Node(n) => (self.forward(n, flow, Origin::Host, &mut trace.hops, 0), false),
            // A pod's own loopback stays in its network namespace: its containers' ports.
            Client::Pod(k) if flow.dst.ip.starts_with("127.") => {
                let listening = self.pods.get(k).is_some_and(|p| {
                    matches!(p.status.state, ContainerState::Running { .. })
                        && p.spec
                            .containers
                            .iter()
                            .any(|c| images::listening_ports(c).contains(&i64::from(flow.dst.port)))
                });
                let rule = if listening {
                    Rule::Deliver
                } else {
                    Rule::Reset {
                        reason: format!("nothing listens on port {} in the pod", flow.dst.port),
                    }
                };
                trace.hops.push(Hop {
                    iptables: None,
                    place: place.clone(),
                    rule,
                    before: flow.clone(),
                    after: flow.clone(),
                });
                let arrival = if listening {
                    Arrival::Pod(k.clone(), flow.dst.port)
                } else {
                    Arrival::Refused
                };
                (arrival, false)
            }
            Client::Pod(k) => {
                let node = self
                    .pods
                    .get(k)
                    .and_then(|p| p.spec.node_name.clone())
                    .unwrap_or_default();
                (self.forward(&node, flow, Origin::Pod, &mut trace.hops, 0), false)
            }
        };
        let cross = trace
            .hops
            .iter()
            .filter(|h| matches!(h.rule, Rule::Route { .. }))
            .count() as u64;
        trace.elapsed_ms = 1 + cross;
        let last_flow = trace.hops.last().map(|h| h.after.clone()).expect("a send hop exists");
        let unix = self.lab.start_unix + self.now;
        trace.outcome = match arrival {
            Arrival::Pod(k, port) => {
                let server = self.pods.get(&k).and_then(|pod| {
                    pod.spec
                        .containers
                        .iter()
                        .find(|c| images::listening_ports(c).contains(&(port as i64)))
                });
                let app = server.map_or(images::App::Generic, images::app);
                let peer = apps::Peer {
                    client: format!("{}:{}", last_flow.src.ip, last_flow.src.port),
                    host_header: &req.host_header,
                    user_agent: &req.user_agent,
                    text: server.and_then(|c| images::flag(c, "text")).unwrap_or(""),
                    pod_ip: &last_flow.dst.ip,
                    tag: server
                        .and_then(|c| super::apiserver::image_tag(&c.image))
                        .unwrap_or("latest"),
                    mac_seed: self.pods.get(&k).map_or(0, |p| {
                        super::lab::fnv64a(super::lab::FNV64_OFFSET, p.meta.uid.as_bytes())
                    }),
                };
                match apps::serve_peer(app, &req.method, &req.path, &k.1, unix, &peer) {
                    Answer::Http(r) => {
                        let status = format!("{} {} {}", r.version, r.status, r.reason);
                        trace.hops.push(Hop {
                            iptables: None,
                            place: self.pod_place(&k),
                            rule: Rule::Respond { status },
                            before: last_flow.clone(),
                            after: last_flow,
                        });
                        Outcome::Response(r)
                    }
                    Answer::NotHttp => Outcome::NotHttp,
                    Answer::Closed => Outcome::EmptyReply,
                }
            }
            Arrival::Site(i) => {
                let site = self.lab.internet[i].clone();
                let r = apps::serve_site(&site.host, &site.title, &req.host_header, &req.method, &req.path, unix);
                let status = format!("{} {} {}", r.version, r.status, r.reason);
                trace.hops.push(Hop {
                    iptables: None,
                    place: Place::Internet(site.host.clone()),
                    rule: Rule::Respond { status },
                    before: last_flow.clone(),
                    after: last_flow,
                });
                trace.elapsed_ms += 20;
                Outcome::Response(r)
            }
            Arrival::NodeHost(_, 22) => Outcome::NotHttp,
            Arrival::NodeHost(n, 10249) => {
                // kube-proxy's metrics server: /proxyMode and /healthz, Go's 404 otherwise.
                let (status, reason, body, nosniff) = match req.path.as_str() {
                    "/proxyMode" => (200, "OK", "iptables", true),
                    "/healthz" => (200, "OK", "ok", true),
                    _ => (404, "Not Found", "404 page not found\n", true),
                };
                let mut headers = vec![
                    ("Content-Length".to_string(), body.len().to_string()),
                    ("Content-Type".to_string(), "text/plain; charset=utf-8".to_string()),
                    ("Date".to_string(), super::clock::http_date(unix)),
                ];
                if nosniff {
                    headers.push(("X-Content-Type-Options".to_string(), "nosniff".to_string()));
                }
                trace.hops.push(Hop {
                    iptables: None,
                    place: Place::Node(n),
                    rule: Rule::Respond {
                        status: format!("HTTP/1.1 {status} {reason}"),
                    },
                    before: last_flow.clone(),
                    after: last_flow,
                });
                Outcome::Response(HttpResponse {
                    version: "HTTP/1.1",
                    status,
                    reason,
                    headers,
                    body: body.to_string(),
                })
            }
            Arrival::NodeHost(n, _) => {
                let body = "Client sent an HTTP request to an HTTPS server.\n".to_string();
                let r = HttpResponse {
                    version: "HTTP/1.0",
                    status: 400,
                    reason: "Bad Request",
                    headers: vec![("Content-Length".into(), body.len().to_string())],
                    body,
                };
                trace.hops.push(Hop {
                    iptables: None,
                    place: Place::Node(n),
                    rule: Rule::Respond {
                        status: "HTTP/1.0 400 Bad Request".into(),
                    },
                    before: last_flow.clone(),
                    after: last_flow,
                });
                Outcome::Response(r)
            }
            Arrival::Refused if via_nat => Outcome::Reset,
            Arrival::Refused => Outcome::Refused,
            Arrival::Dropped if via_nat => Outcome::EmptyReply,
            Arrival::Dropped => Outcome::Timeout,
        };
        if matches!(trace.outcome, Outcome::Response(_) | Outcome::NotHttp) {
            self.remember_connection(&trace.hops);
        }
        trace
    }

    /// A finished connection stays in the conntrack table of every node it crossed, in
    /// TIME_WAIT for 120 s after curl closed it. Entries past their timeout are dropped as new
    /// ones come, and the table keeps at most `CONNTRACK_KEPT`.
    fn remember_connection(&mut self, hops: &[Hop]) {
        let now = self.now;
        self.conntrack.retain(|e| e.left(now) > 0);
        let tuple = |f: &Flow| (f.src.ip.clone(), f.dst.ip.clone(), f.src.port, f.dst.port);
        for (node, orig, reply) in conntrack_views(hops) {
            self.conntrack.push(super::cluster::CtEntry {
                node,
                udp: false,
                orig: tuple(&orig),
                reply: tuple(&reply),
                ended: now,
            });
        }
        let extra = self.conntrack.len().saturating_sub(CONNTRACK_KEPT);
        self.conntrack.drain(..extra);
    }

    /// The learner's PC: loopback ports forwarded by the NAT network, or the internet.
    fn from_pc(&mut self, flow: Flow, hops: &mut Vec<Hop>) -> (Arrival, bool) {
        if let Some(i) = self.lab.internet.iter().position(|s| s.ip == flow.dst.ip) {
            hops.push(Hop {
                iptables: None,
                place: Place::Pc,
                rule: Rule::Route {
                    via: "the PC's own internet connection".into(),
                },
                before: flow.clone(),
                after: flow,
            });
            return (Arrival::Site(i), false);
        }
        let loopback = flow.dst.ip.starts_with("127.") || flow.dst.ip == self.lab.pc_address;
        if !loopback {
            hops.push(Hop {
                iptables: None,
                place: Place::Pc,
                rule: Rule::Drop {
                    service: None,
                    reason: format!(
                        "the PC has no route into the NAT network {}; only port-forwarding rules reach the VMs",
                        self.lab.nat_network
                    ),
                },
                before: flow.clone(),
                after: flow,
            });
            return (Arrival::Dropped, false);
        }
        let Some(pf) = self
            .lab
            .port_forwards
            .iter()
            .find(|p| p.host_port == flow.dst.port)
            .cloned()
        else {
            hops.push(Hop {
                iptables: None,
                place: Place::Pc,
                rule: Rule::Reset {
                    reason: format!(
                        "nothing listens on {}; no port-forwarding rule for host port {}",
                        flow.dst, flow.dst.port
                    ),
                },
                before: flow.clone(),
                after: flow,
            });
            return (Arrival::Refused, false);
        };
        let nat_port = self.ephemeral_port();
        let after = Flow {
            src: Addr::new(&self.lab.nat_gateway, nat_port),
            dst: Addr::new(&pf.guest_ip, pf.guest_port),
        };
        hops.push(Hop {
            iptables: None,
            place: Place::Nat,
            rule: Rule::PortForward {
                rule: format!(
                    "{}: host {} -> {}:{}",
                    pf.name, pf.host_port, pf.guest_ip, pf.guest_port
                ),
            },
            before: flow,
            after: after.clone(),
        });
        let Some(node) = self.node_by_ip(&pf.guest_ip).map(|n| n.name.clone()) else {
            hops.push(Hop {
                iptables: None,
                place: Place::Nat,
                rule: Rule::Drop {
                    service: None,
                    reason: format!("no VM has the address {}", pf.guest_ip),
                },
                before: after.clone(),
                after,
            });
            return (Arrival::Dropped, true);
        };
        (self.forward(&node, after, Origin::External, hops, 0), true)
    }

    /// A packet at a node: leaving a pod or the node itself, or arriving from the network.
    /// kube-proxy puts the same Service rules on both paths (OUTPUT and PREROUTING), so one
    /// function serves both; `origin` carries the difference.
    fn forward(&mut self, node: &str, flow: Flow, origin: Origin, hops: &mut Vec<Hop>, depth: u8) -> Arrival {
        let flow = match self.kube_proxy(node, flow, origin, hops) {
            Ok(f) => f,
            Err(a) => return a,
        };
        self.route(node, flow, origin, hops, depth)
    }

    /// kube-proxy's NAT rules on one node. `Ok` is the flow after them; `Err` ends the packet.
    fn kube_proxy(&mut self, node: &str, flow: Flow, origin: Origin, hops: &mut Vec<Hop>) -> Result<Flow, Arrival> {
        let node_ip = self.node(node).map(|n| n.ip.clone()).unwrap_or_default();
        let place = Place::Node(node.to_string());
        // Which Service port, if any, this destination belongs to, and whether it is an
        // "external" destination (nodePort, externalIP).
        // A process on the node may reach a nodePort on 127.0.0.0/8 too: kube-proxy's
        // localhost nodePort rule in KUBE-NODEPORTS (and route_localnet) let it through.
        let localhost = origin == Origin::Host && flow.dst.ip.starts_with("127.");
        let key_ip = if localhost { &node_ip } else { &flow.dst.ip };
        let candidates = self
            .service_index
            .get(&(key_ip.clone(), flow.dst.port))
            .cloned()
            .unwrap_or_default();
        // A nodePort counts only on this node's own address (or its loopback).
        let hit = candidates
            .into_iter()
            .filter(|(_, _, via)| !localhost || *via == Via::NodePort)
            .find(|(_, _, via)| *via != Via::NodePort || localhost || flow.dst.ip == node_ip)
            .map(|(k, i, via)| (k, i, via != Via::ClusterIp));
        let clusterip_no_port = if hit.is_none() {
            self.cluster_ip_owner.get(&flow.dst.ip).cloned()
        } else {
            None
        };
        let Some((sk, pi, external)) = hit else {
            if let Some(k) = clusterip_no_port {
                hops.push(Hop {
                    iptables: None,
                    place,
                    rule: Rule::Drop {
                        service: None,
                        reason: format!(
                            "{}/{} has no port {}: no rule matches, the packet goes nowhere",
                            k.0, k.1, flow.dst.port
                        ),
                    },
                    before: flow.clone(),
                    after: flow,
                });
                return Err(Arrival::Dropped);
            }
            return Ok(flow);
        };
        let (svc_name, port_name, port_number, etp_local, itp_local, affinity) = {
            let svc = &self.services[&sk];
            let sp = &svc.spec.ports[pi];
            (
                format!("{}/{}", sk.0, sk.1),
                sp.name.clone(),
                sp.port,
                svc.etp_local(),
                svc.itp_local(),
                svc.affinity_timeout(),
            )
        };
        let port_label = port_name.clone().unwrap_or_else(|| port_number.to_string());
        // Endpoints that serve this port: ready ones, or serving-terminating ones if none is.
        let usable: Vec<(String, Option<String>, Option<String>, u16)> = {
            let eps = self.service_addresses(&sk);
            let port_of = |a: &EndpointAddress| {
                a.ports
                    .iter()
                    .find(|(n, _, _)| *n == port_name)
                    .map(|(_, p, _)| *p as u16)
            };
            let any_ready = eps.iter().any(|a| a.ready && port_of(a).is_some());
            let list: Vec<(String, Option<String>, Option<String>, u16)> = eps
                .iter()
                .filter(|a| if any_ready { a.ready } else { a.serving && a.terminating })
                .filter_map(|a| port_of(a).map(|p| (a.ip.clone(), a.node.clone(), a.pod.clone(), p)))
                .collect();
            list
        };
        let port_text = if external {
            format!("{}", flow.dst.port)
        } else {
            port_label.clone()
        };
        if usable.is_empty() {
            let stop = super::iptables::filter_stop(
                &super::iptables::rules_of(self, node),
                &self.packet(&flow, &node_ip, origin),
            );
            hops.push(Hop {
                iptables: stop,
                place,
                rule: Rule::Reject {
                    service: svc_name.clone(),
                    reason: format!("\"{svc_name}:{port_text} has no endpoints\" -j REJECT (icmp-port-unreachable)"),
                },
                before: flow.clone(),
                after: flow,
            });
            return Err(Arrival::Refused);
        }
        let local_only = (external && etp_local && origin == Origin::External) || (!external && itp_local);
        let candidates: Vec<(String, Option<String>, Option<String>, u16)> = if local_only {
            usable
                .into_iter()
                .filter(|(_, n, _, _)| n.as_deref() == Some(node))
                .collect()
        } else {
            usable
        };
        if candidates.is_empty() {
            let which = if external {
                "externalTrafficPolicy"
            } else {
                "internalTrafficPolicy"
            };
            let stop = super::iptables::filter_stop(
                &super::iptables::rules_of(self, node),
                &self.packet(&flow, &node_ip, origin),
            );
            hops.push(Hop {
                iptables: stop,
                place,
                rule: Rule::Drop {
                    service: Some(svc_name.clone()),
                    reason: format!(
                        "\"{svc_name}:{port_text} has no \
                    local endpoints\" -j DROP ({which}: Local, no ready pod on {node})"
                    ),
                },
                before: flow.clone(),
                after: flow,
            });
            return Err(Arrival::Dropped);
        }
        let mut candidates = candidates;
        super::order::sort_by_key(&mut candidates, |c| format!("{}:{}", c.0, c.3));
        // Session affinity, then a uniform random choice (1/n, 1/(n-1), ... rules).
        let aff_key = (node.to_string(), sk.clone(), port_number, flow.src.ip.clone());
        let mut sticky = false;
        let mut chosen_idx = None;
        if let Some(timeout) = affinity {
            if let Some((ip, last)) = self.affinity.get(&aff_key) {
                if self.now - last <= timeout {
                    chosen_idx = candidates.iter().position(|a| a.0 == *ip);
                    sticky = chosen_idx.is_some();
                }
            }
        }
        // kube-proxy's rules: one `statistic` rule per endpoint, in `ip:port` string order, rule i
        // of n matching with probability 1/(n-i), the last one always.
        let idx = match chosen_idx {
            Some(i) => i,
            None => {
                let n = candidates.len();
                (0..n)
                    .find(|&i| i + 1 == n || self.rng.below((n - i) as u64) == 0)
                    .unwrap_or(0)
            }
        };
        let of = candidates.len();
        let (ep_ip, ep_node, ep_pod, target_port) = candidates.into_iter().nth(idx).expect("idx < len");
        if affinity.is_some() {
            self.affinity.insert(aff_key, (ep_ip.clone(), self.now));
        }
        let dnat = Flow {
            src: flow.src.clone(),
            dst: Addr::new(&ep_ip, target_port),
        };
        let path = {
            let svc = &self.services[&sk];
            let sep = super::iptables::endpoint_chain(svc, &svc.spec.ports[pi], &format!("{ep_ip}:{target_port}"));
            let rules = super::iptables::rules_of(self, node);
            let walk = super::iptables::nat_path(&rules, &self.packet(&flow, &node_ip, origin), Some(&sep), sticky);
            if let (Some((_, marked, hit)), Some(nat)) = (&walk, rules.table("nat")) {
                self.count_rules(node, nat, hit, *marked);
            }
            walk.map(|p| p.0)
        };
        hops.push(Hop {
            iptables: path,
            place: place.clone(),
            rule: Rule::Dnat {
                service: svc_name.clone(),
                port: port_text,
                chosen: idx + 1,
                of,
                pod: format!(
                    "{} on {}",
                    ep_pod.unwrap_or_else(|| ep_ip.clone()),
                    ep_node.unwrap_or_else(|| "-".into())
                ),
                sticky,
                local: local_only,
            },
            before: flow,
            after: dnat.clone(),
        });
        // Masquerade.
        let hairpin = dnat.src.ip == ep_ip;
        let reason = if hairpin {
            Some("hairpin: the pod reached itself through the Service, masquerade")
        } else if external && !(etp_local && origin != Origin::Host) {
            Some("masquerade traffic for external destinations (externalTrafficPolicy: Cluster)")
        } else if !external && origin != Origin::Pod {
            Some("masquerade: source outside the pod network (--cluster-cidr)")
        } else if external && origin == Origin::Host {
            Some("masquerade LOCAL traffic")
        } else {
            None
        };
        if let Some(reason) = reason {
            // kube-proxy's MASQUERADE is `--random-fully`: the kernel draws the new source port
            // from the whole port range for every connection. Drawn here from the connection's
            // own tuple and time, so the lab's random choices elsewhere stay as they were.
            let h = [node_ip.as_bytes(), dnat.src.ip.as_bytes(), dnat.dst.ip.as_bytes()]
                .iter()
                .fold(super::lab::FNV64_OFFSET, |h, b| super::lab::fnv64a(h, b));
            let h = super::lab::fnv64a(
                h,
                &[dnat.src.port.to_be_bytes(), (self.now as u16).to_be_bytes()].concat(),
            );
            let snat = Flow {
                src: Addr::new(&node_ip, 1024 + (h % 64512) as u16),
                dst: dnat.dst.clone(),
            };
            hops.push(Hop {
                iptables: Some("KUBE-POSTROUTING #3 MASQUERADE".into()),
                place,
                rule: Rule::Snat { reason: reason.into() },
                before: dnat,
                after: snat.clone(),
            });
            return Ok(snat);
        }
        Ok(dnat)
    }

    /// Counts a new connection's first packet (60 bytes, a SYN) on the nat rules it matched: the
    /// walk to its DNAT, then POSTROUTING's jump and KUBE-POSTROUTING, which returns an unmarked
    /// packet (#1) and clears the mark of a marked one and masquerades it (#2, #3).
    fn count_rules(&mut self, node: &str, nat: &super::iptables::Table, hit: &[(String, usize)], marked: bool) {
        let post = nat.find("POSTROUTING").and_then(|c| {
            c.rules
                .iter()
                .position(|r| matches!(&r.target, super::iptables::Target::Jump(x) if x == "KUBE-POSTROUTING"))
        });
        let tail: &[(&str, usize)] = if marked {
            &[("KUBE-POSTROUTING", 2), ("KUBE-POSTROUTING", 3)]
        } else {
            &[("KUBE-POSTROUTING", 1)]
        };
        let all = hit
            .iter()
            .map(|(c, i)| (c.as_str(), *i))
            .chain(post.map(|j| ("POSTROUTING", j + 1)))
            .chain(tail.iter().copied());
        for (chain, i) in all {
            let Some(rule) = nat.find(chain).and_then(|c| c.rules.get(i.wrapping_sub(1))) else {
                continue;
            };
            let key = (node.to_string(), "nat".to_string(), chain.to_string(), rule.save());
            let n = self.ipt_counters.entry(key).or_insert_with(|| (0, 0));
            n.0 += 1;
            n.1 += 60;
        }
    }

    /// The first packet of `flow` as netfilter on a node matches it.
    fn packet<'a>(&self, flow: &'a Flow, node_ip: &'a str, origin: Origin) -> super::iptables::Packet<'a> {
        super::iptables::Packet {
            src: &flow.src.ip,
            dst: &flow.dst.ip,
            dport: flow.dst.port,
            proto: "tcp",
            node_ip,
            from_host: origin == Origin::Host,
        }
    }

    /// Routing after NAT: to a pod (possibly on another node), another node, the internet.
    fn route(&mut self, node: &str, flow: Flow, origin: Origin, hops: &mut Vec<Hop>, depth: u8) -> Arrival {
        let here = Place::Node(node.to_string());
        let found = self
            .pod_by_ip(&flow.dst.ip)
            .filter(|p| !p.spec.host_network)
            .map(|pod| {
                let running = matches!(pod.status.state, ContainerState::Running { .. });
                let listening = running
                    && pod
                        .spec
                        .containers
                        .iter()
                        .any(|c| images::listening_ports(c).contains(&(flow.dst.port as i64)));
                (
                    key(&pod.meta.namespace, &pod.meta.name),
                    pod.node().unwrap_or_default().to_string(),
                    running,
                    listening,
                )
            });
        if let Some((pk, pod_node, running, listening)) = found {
            if pod_node != node {
                hops.push(Hop {
                    iptables: None,
                    place: here,
                    rule: Rule::Route {
                        via: format!("Calico IP-in-IP tunnel {node} -> {pod_node}"),
                    },
                    before: flow.clone(),
                    after: flow.clone(),
                });
            }
            if listening {
                hops.push(Hop {
                    iptables: None,
                    place: self.pod_place(&pk),
                    rule: Rule::Deliver,
                    before: flow.clone(),
                    after: flow,
                });
                return Arrival::Pod(pk, hops.last().map(|h| h.after.dst.port).unwrap_or(0));
            }
            let why = if running {
                format!("nothing listens on port {} in the pod", flow.dst.port)
            } else {
                "the container is not running".into()
            };
            hops.push(Hop {
                iptables: None,
                place: self.pod_place(&pk),
                rule: Rule::Reset { reason: why },
                before: flow.clone(),
                after: flow,
            });
            return Arrival::Refused;
        }
        // The node's loopback: kube-proxy's metrics server (127.0.0.1:10249) and the node's
        // listeners answer; any other port is refused at once.
        let loopback = flow.dst.ip.starts_with("127.") && origin == Origin::Host;
        if let Some(target) = self
            .node_by_ip(&flow.dst.ip)
            .map(|n| n.name.clone())
            .or(loopback.then(|| node.to_string()))
        {
            if target != node {
                if depth > 2 {
                    return Arrival::Dropped;
                }
                hops.push(Hop {
                    iptables: None,
                    place: here,
                    rule: Rule::Route {
                        via: format!("NAT network {} -> {target}", node),
                    },
                    before: flow.clone(),
                    after: flow.clone(),
                });
                let o = if origin == Origin::Pod {
                    Origin::Pod
                } else {
                    Origin::External
                };
                return self.forward(&target, flow, o, hops, depth + 1);
            }
            let cp = self.lab.nodes.iter().any(|n| n.name == node && n.control_plane);
            let metrics = loopback && flow.dst.port == 10249;
            if metrics || HOST_LISTENERS.contains(&flow.dst.port) || (cp && flow.dst.port == 6443) {
                hops.push(Hop {
                    iptables: None,
                    place: Place::Node(node.to_string()),
                    rule: Rule::Deliver,
                    before: flow.clone(),
                    after: flow,
                });
                return Arrival::NodeHost(node.to_string(), hops.last().map(|h| h.after.dst.port).unwrap_or(0));
            }
            hops.push(Hop {
                iptables: None,
                place: Place::Node(node.to_string()),
                rule: Rule::Reset {
                    reason: format!("nothing listens on {} on the node", flow.dst),
                },
                before: flow.clone(),
                after: flow,
            });
            return Arrival::Refused;
        }
        if let Some(i) = self.lab.internet.iter().position(|s| s.ip == flow.dst.ip) {
            let mut flow = flow;
            if origin == Origin::Pod {
                let node_ip = self.node(node).map(|n| n.ip.clone()).unwrap_or_default();
                let snat = Flow {
                    src: Addr::new(&node_ip, flow.src.port),
                    dst: flow.dst.clone(),
                };
                hops.push(Hop {
                    iptables: None,
                    place: here.clone(),
                    rule: Rule::Snat {
                        reason: "Calico natOutgoing: pod traffic leaving the pod network".into(),
                    },
                    before: flow,
                    after: snat.clone(),
                });
                flow = snat;
            }
            hops.push(Hop {
                iptables: None,
                place: here,
                rule: Rule::Route {
                    via: "VirtualBox NAT to the internet".into(),
                },
                before: flow.clone(),
                after: flow,
            });
            return Arrival::Site(i);
        }
        let reason = if cidr_contains(&self.lab.service_cidr, &flow.dst.ip) {
            format!(
                "no Service has the ClusterIP {}: nothing rewrites it, the packet goes nowhere",
                flow.dst.ip
            )
        } else if cidr_contains(&self.lab.pod_cidr, &flow.dst.ip) {
            format!("no pod has the address {}", flow.dst.ip)
        } else {
            format!("no host answers at {}", flow.dst.ip)
        };
        hops.push(Hop {
            iptables: None,
            place: here,
            rule: Rule::Drop { service: None, reason },
            before: flow.clone(),
            after: flow,
        });
        Arrival::Dropped
    }
}
