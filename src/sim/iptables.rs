//! Each node's netfilter rules as kube-proxy (iptables mode, v1.32) and the kubelet write them,
//! computed from the Services and endpoints that node's kube-proxy sees, and printed as the
//! host's `iptables v1.8.10 (nf_tables)` prints them (`iptables-save`, `-S`, `-L`).
//!
//! Choices where the reference leaves one (its [I] items):
//! - Calico's own chains (`cali-*` in every table, and its first-position jumps in the built-in
//!   chains) are left out: only kube-proxy's and the kubelet's rules are shown, so the built-in
//!   chains' rule numbers are one lower than on a real Calico node and there is no `*raw` table.
//! - The order of the Service dispatch rules in `KUBE-SERVICES` and `KUBE-NODEPORTS` (a Go map
//!   walk in kube-proxy) is: Services by creation time, then namespace and name; ports in the
//!   order of `spec.ports`. The seed's cluster gives `kubernetes`, `kube-dns` (dns, dns-tcp,
//!   metrics), then the learner's Services, the order of the reference's worked dump.
//! - kube-proxy runs with kubeadm's defaults: `clusterCIDR` = the pod CIDR, `localhostNodePorts`
//!   true, nfacct available (Ubuntu kernel), `--random-fully` supported, masquerade bit 14.
//! - The lab has no load-balancer controller, so `status.loadBalancer` is always empty: no
//!   `loadbalancer IP` rules and no `KUBE-FW-*` chains are ever written.
//! - Counters: the nat rules count the lab's connections to Services (the first packet of each,
//!   60 bytes, on every rule it matched: `nat_path`, then POSTROUTING); connections that no
//!   Service rule rewrites, the filter table's rules and background traffic are not counted,
//!   except the filter `INPUT` and `OUTPUT` policy counters, which grow with the node's uptime.

use super::cluster::Cluster;
use super::lab::cidr_contains;
use super::objects::{EndpointAddress, Service, ServicePort};

// ---------------------------------------------------------------------------------------------
// Hashing: kube-proxy's chain names

fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..64 {
            w[i] = if i < 16 {
                u32::from_be_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]])
            } else {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1)
            };
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// The first 16 characters of the standard base32 encoding of `sha256(s)`: kube-proxy's
/// `portProtoHash`.
pub fn hash16(s: &str) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = sha256(s.as_bytes());
    let (mut acc, mut bits, mut out) = (0u32, 0u32, String::new());
    for b in &digest[..10] {
        acc = (acc << 8) | *b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHA[((acc >> bits) & 31) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    out
}

/// The probability of rule `i` of `n` endpoints (`n - i` left), as iptables prints it:
/// kube-proxy writes `%0.10f` of 1/left, the kernel keeps `lround(2^31 * p)`, iptables prints
/// `%.11f` of that over 2^31.
pub fn probability(left: usize) -> String {
    let written: f64 = format!("{:.10}", 1.0 / left.max(1) as f64).parse().unwrap_or(1.0);
    let fixed = (written * 2147483648.0).round();
    format!("{:.11}", fixed / 2147483648.0)
}

// ---------------------------------------------------------------------------------------------
// Rules

/// A match, in the form kube-proxy writes it; `save` and `list` print it as iptables does.
#[derive(Clone, Debug, PartialEq)]
pub enum Match {
    Comment(String),
    /// `-m tcp|udp|sctp [--dport N]`
    Proto(&'static str, Option<u16>),
    /// `-m statistic --mode random --probability 1/n`, with n the endpoints left.
    Random(usize),
    /// `-m addrtype --src-type LOCAL` (true) or `--dst-type LOCAL` (false).
    AddrLocal(bool),
    /// `-m mark [!] --mark 0x4000/0x4000`
    Mark(bool),
    /// `-m conntrack [!] --ctstate STATES`
    Ct(bool, &'static str),
    Nfacct(&'static str),
    /// `-m recent --set --name N`
    RecentSet(String),
    /// `-m recent --rcheck --seconds S --reap --name N`
    RecentCheck(String, i64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Jump(String),
    /// No `-j` at all (the last rule of a `KUBE-FW-*` chain).
    None,
    Dnat(String),
    MarkOr,
    MarkXor,
    Masquerade,
    Reject,
    Drop,
    Accept,
    Return,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// `(negated, address/len)`
    pub src: Option<(bool, String)>,
    pub dst: Option<(bool, String)>,
    pub proto: Option<&'static str>,
    pub matches: Vec<Match>,
    pub target: Target,
}

fn with_len(a: &str) -> String {
    if a.contains('/') {
        a.to_string()
    } else {
        format!("{a}/32")
    }
}

impl Rule {
    fn new(target: Target) -> Rule {
        Rule {
            src: None,
            dst: None,
            proto: None,
            matches: Vec::new(),
            target,
        }
    }
    fn src(mut self, neg: bool, a: &str) -> Rule {
        self.src = Some((neg, with_len(a)));
        self
    }
    fn dst(mut self, a: &str) -> Rule {
        self.dst = Some((false, with_len(a)));
        self
    }
    fn m(mut self, m: Match) -> Rule {
        self.matches.push(m);
        self
    }
    fn comment(self, c: impl Into<String>) -> Rule {
        self.m(Match::Comment(c.into()))
    }
    /// `-m P -p P [--dport N]`: the protocol match and `-p`.
    fn proto(mut self, p: &'static str, dport: Option<u16>) -> Rule {
        self.proto = Some(p);
        self.m(Match::Proto(p, dport))
    }

    /// The rule as `iptables-save` and `iptables -S` print it, after `-A CHAIN`.
    pub fn save(&self) -> String {
        let mut s = String::new();
        for (flag, a) in [("-s", &self.src), ("-d", &self.dst)] {
            if let Some((neg, a)) = a {
                s.push_str(&format!("{} {flag} {a}", if *neg { " !" } else { "" }));
            }
        }
        if let Some(p) = self.proto {
            s.push_str(&format!(" -p {p}"));
        }
        for m in &self.matches {
            s.push_str(&match m {
                Match::Comment(c) => format!(" -m comment --comment \"{c}\""),
                Match::Proto(p, None) => format!(" -m {p}"),
                Match::Proto(p, Some(d)) => format!(" -m {p} --dport {d}"),
                Match::Random(n) => format!(" -m statistic --mode random --probability {}", probability(*n)),
                Match::AddrLocal(src) => format!(" -m addrtype --{}-type LOCAL", if *src { "src" } else { "dst" }),
                Match::Mark(neg) => format!(" -m mark{} --mark 0x4000/0x4000", if *neg { " !" } else { "" }),
                Match::Ct(neg, st) => format!(" -m conntrack{} --ctstate {st}", if *neg { " !" } else { "" }),
                Match::Nfacct(n) => format!(" -m nfacct --nfacct-name  {n}"),
                Match::RecentSet(n) => format!(" -m recent --set --name {n} --mask 255.255.255.255 --rsource"),
                Match::RecentCheck(n, t) => {
                    format!(" -m recent --rcheck --seconds {t} --reap --name {n} --mask 255.255.255.255 --rsource")
                }
            });
        }
        s.push_str(&match &self.target {
            Target::Jump(c) => format!(" -j {c}"),
            Target::None => String::new(),
            Target::Dnat(a) => format!(" -j DNAT --to-destination {a}"),
            Target::MarkOr => " -j MARK --set-xmark 0x4000/0x4000".into(),
            Target::MarkXor => " -j MARK --set-xmark 0x4000/0x0".into(),
            Target::Masquerade => " -j MASQUERADE --random-fully".into(),
            Target::Reject => " -j REJECT --reject-with icmp-port-unreachable".into(),
            Target::Drop => " -j DROP".into(),
            Target::Accept => " -j ACCEPT".into(),
            Target::Return => " -j RETURN".into(),
        });
        s
    }

    /// The target column of `iptables -L`.
    pub fn target_name(&self) -> &str {
        match &self.target {
            Target::Jump(c) => c,
            Target::None => "",
            Target::Dnat(_) => "DNAT",
            Target::MarkOr | Target::MarkXor => "MARK",
            Target::Masquerade => "MASQUERADE",
            Target::Reject => "REJECT",
            Target::Drop => "DROP",
            Target::Accept => "ACCEPT",
            Target::Return => "RETURN",
        }
    }

    /// The matches and target options as `iptables -L` prints them, each with a leading space.
    fn list_tail(&self, numeric: bool) -> String {
        let mut s = String::new();
        for m in &self.matches {
            s.push(' ');
            s.push_str(&match m {
                Match::Comment(c) => format!("/* {c} */"),
                Match::Proto(p, None) => p.to_string(),
                Match::Proto(p, Some(d)) => format!("{p} dpt:{}", port_name(*d, numeric)),
                Match::Random(n) => format!("statistic mode random probability {}", probability(*n)),
                Match::AddrLocal(src) => format!("ADDRTYPE match {}-type LOCAL", if *src { "src" } else { "dst" }),
                Match::Mark(neg) => format!("mark match {}0x4000/0x4000", if *neg { "! " } else { "" }),
                Match::Ct(neg, st) => format!("{}ctstate {st}", if *neg { "! " } else { "" }),
                Match::Nfacct(n) => format!("nfacct-name  {n}"),
                Match::RecentSet(n) => format!("recent: SET name: {n} side: source mask: 255.255.255.255"),
                Match::RecentCheck(n, t) => {
                    format!("recent: CHECK seconds: {t} reap name: {n} side: source mask: 255.255.255.255")
                }
            });
        }
        match &self.target {
            Target::Dnat(a) => s.push_str(&format!(" to:{a}")),
            Target::MarkOr => s.push_str(" MARK or 0x4000"),
            Target::MarkXor => s.push_str(" MARK xor 0x4000"),
            Target::Masquerade => s.push_str(" random-fully"),
            Target::Reject => s.push_str(" reject-with icmp-port-unreachable"),
            _ => {}
        }
        s
    }
}

/// `/etc/services` names that `iptables -L` without `-n` shows for a port.
fn port_name(p: u16, numeric: bool) -> String {
    let name = match p {
        22 => "ssh",
        53 => "domain",
        80 => "http",
        443 => "https",
        8080 => "http-alt",
        _ => "",
    };
    if numeric || name.is_empty() {
        p.to_string()
    } else {
        name.into()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub name: String,
    /// Built-in chains have a policy (always ACCEPT here).
    pub builtin: bool,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: &'static str,
    /// Built-ins in hook order, then user chains sorted byte-wise, as iptables lists them.
    pub chains: Vec<Chain>,
}

impl Table {
    fn new(name: &'static str, builtins: &[&str], user: &[&str]) -> Table {
        let mut t = Table {
            name,
            chains: Vec::new(),
        };
        for b in builtins {
            t.chains.push(Chain {
                name: b.to_string(),
                builtin: true,
                rules: Vec::new(),
            });
        }
        for u in user {
            t.chain(u);
        }
        t
    }

    /// A table with only its built-in chains, all empty.
    pub fn empty(name: &'static str, builtins: &[&str]) -> Table {
        Table::new(name, builtins, &[])
    }

    /// Where the chain named `name` is, or where a user chain of that name would go: the
    /// built-ins come first, then the user chains in byte order, searched by halves.
    fn locate(&self, name: &str) -> Result<usize, usize> {
        let b = self.chains.iter().take_while(|c| c.builtin).count();
        if let Some(i) = self.chains[..b].iter().position(|c| c.name == name) {
            return Ok(i);
        }
        self.chains[b..]
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .map(|i| i + b)
            .map_err(|i| i + b)
    }

    /// The chain named `name`, created (in sorted place) if missing.
    fn chain(&mut self, name: &str) -> &mut Chain {
        let i = match self.locate(name) {
            Ok(i) => i,
            Err(at) => {
                self.chains.insert(
                    at,
                    Chain {
                        name: name.to_string(),
                        builtin: false,
                        rules: Vec::new(),
                    },
                );
                at
            }
        };
        &mut self.chains[i]
    }

    fn add(&mut self, chain: &str, r: Rule) {
        self.chain(chain).rules.push(r);
    }

    pub fn find(&self, name: &str) -> Option<&Chain> {
        self.locate(name).ok().map(|i| &self.chains[i])
    }

    /// How many rules jump to `name`: the `(N references)` of `iptables -L`.
    pub fn references(&self, name: &str) -> usize {
        self.chains
            .iter()
            .flat_map(|c| &c.rules)
            .filter(|r| matches!(&r.target, Target::Jump(c) if c == name))
            .count()
    }
}

/// One node's rules: `mangle`, `filter`, `nat`, in the order nf_tables lists them.
#[derive(Clone, Debug, PartialEq)]
pub struct Ruleset {
    pub tables: Vec<Table>,
}

impl Ruleset {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

const CANARIES: [&str; 2] = ["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"];
const MASQ: &str = "KUBE-MARK-MASQ";

fn jump(c: &str) -> Target {
    Target::Jump(c.to_string())
}

/// One endpoint of a Service port as kube-proxy sees it.
struct Ep<'a> {
    addr: &'a EndpointAddress,
    ip_port: String,
    local: bool,
}

/// The Services kube-proxy programs, in the dispatch order this lab chose (see the module doc).
pub fn services_in_order(c: &Cluster) -> Vec<&Service> {
    let mut v: Vec<&Service> = c
        .services
        .values()
        .filter(|s| s.has_virtual_ip() && s.spec.cluster_ip.as_deref() != Some(""))
        .collect();
    super::order::sort_by_key(&mut v, |s| {
        (s.meta.creation, s.meta.namespace.clone(), s.meta.name.clone())
    });
    v
}

/// `namespace/name` plus `:port` when the port has a name: kube-proxy's `ServicePortName`.
pub fn port_name_string(s: &Service, p: &ServicePort) -> String {
    match p.name.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => format!("{}/{}:{n}", s.meta.namespace, s.meta.name),
        None => format!("{}/{}", s.meta.namespace, s.meta.name),
    }
}

/// The 16-character hash of one Service port: the suffix of its SVC, SVL, EXT and FW chains.
pub fn port_hash(s: &Service, p: &ServicePort) -> String {
    hash16(&format!(
        "{}{}",
        port_name_string(s, p),
        p.protocol().to_ascii_lowercase()
    ))
}

/// The `KUBE-SEP-*` chain of one endpoint (`ip:port`) of a Service port.
pub fn endpoint_chain(s: &Service, p: &ServicePort, ip_port: &str) -> String {
    let proto = p.protocol().to_ascii_lowercase();
    format!(
        "KUBE-SEP-{}",
        hash16(&format!("{}{proto}{ip_port}", port_name_string(s, p)))
    )
}

/// The rules on `node`, as its kube-proxy and kubelet write them for the cluster's state.
/// `node_rules`, built once for each state of the Services and endpoints (a request through a
/// lab of a thousand Services reads them, it does not build them again).
pub fn rules_of(c: &Cluster, node: &str) -> std::rc::Rc<Ruleset> {
    // Any write through the API server moves the resource version as well.
    let at = (c.net_gen, c.resource_version);
    if let Some((_, _, r)) = c.rules.borrow().iter().find(|(n, g, _)| n == node && *g == at) {
        return r.clone();
    }
    let r = std::rc::Rc::new(node_rules(c, node));
    let mut cache = c.rules.borrow_mut();
    cache.retain(|(n, g, _)| n != node && *g == at);
    cache.push((node.to_string(), at, r.clone()));
    r
}

pub fn node_rules(c: &Cluster, node: &str) -> Ruleset {
    let cidr = c.lab.pod_cidr.clone();
    let mangle = Table::new(
        "mangle",
        &["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
        &["KUBE-IPTABLES-HINT", CANARIES[0], CANARIES[1]],
    );
    let mut filter = Table::new(
        "filter",
        &["INPUT", "FORWARD", "OUTPUT"],
        &[
            "KUBE-EXTERNAL-SERVICES",
            "KUBE-FIREWALL",
            "KUBE-FORWARD",
            CANARIES[0],
            "KUBE-NODEPORTS",
            CANARIES[1],
            "KUBE-PROXY-FIREWALL",
            "KUBE-SERVICES",
        ],
    );
    let mut nat = Table::new(
        "nat",
        &["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        &[
            CANARIES[0],
            MASQ,
            "KUBE-NODEPORTS",
            "KUBE-POSTROUTING",
            CANARIES[1],
            "KUBE-SERVICES",
        ],
    );
    // The jumps from the built-in chains: kube-proxy prepends each (so they read in reverse
    // order of its list), after the kubelet's `-j KUBE-FIREWALL`.
    let new = Match::Ct(false, "NEW");
    let lbfw = "kubernetes load balancer firewall";
    let portals = "kubernetes service portals";
    let ext = "kubernetes externally-visible service portals";
    for chain in ["INPUT", "FORWARD", "OUTPUT"] {
        filter.add(
            chain,
            Rule::new(jump("KUBE-PROXY-FIREWALL")).m(new.clone()).comment(lbfw),
        );
        if chain == "INPUT" {
            filter.add(
                chain,
                Rule::new(jump("KUBE-NODEPORTS")).comment("kubernetes health check service ports"),
            );
            filter.add(
                chain,
                Rule::new(jump("KUBE-EXTERNAL-SERVICES")).m(new.clone()).comment(ext),
            );
        }
        if chain == "FORWARD" {
            filter.add(
                chain,
                Rule::new(jump("KUBE-FORWARD")).comment("kubernetes forwarding rules"),
            );
            filter.add(chain, Rule::new(jump("KUBE-SERVICES")).m(new.clone()).comment(portals));
            filter.add(
                chain,
                Rule::new(jump("KUBE-EXTERNAL-SERVICES")).m(new.clone()).comment(ext),
            );
        }
        if chain == "OUTPUT" {
            filter.add(chain, Rule::new(jump("KUBE-SERVICES")).m(new.clone()).comment(portals));
        }
        if chain != "FORWARD" {
            filter.add(chain, Rule::new(jump("KUBE-FIREWALL")));
        }
    }
    filter.add(
        "KUBE-FIREWALL",
        Rule::new(Target::Drop)
            .src(true, "127.0.0.0/8")
            .dst("127.0.0.0/8")
            .comment("block incoming localnet connections")
            .m(Match::Ct(true, "RELATED,ESTABLISHED,DNAT")),
    );
    filter.add(
        "KUBE-FORWARD",
        Rule::new(Target::Drop)
            .m(Match::Ct(false, "INVALID"))
            .m(Match::Nfacct("ct_state_invalid_dropped_pkts")),
    );
    filter.add(
        "KUBE-FORWARD",
        Rule::new(Target::Accept)
            .comment("kubernetes forwarding rules")
            .m(Match::Mark(false)),
    );
    filter.add(
        "KUBE-FORWARD",
        Rule::new(Target::Accept)
            .comment("kubernetes forwarding conntrack rule")
            .m(Match::Ct(false, "RELATED,ESTABLISHED")),
    );
    nat.add("PREROUTING", Rule::new(jump("KUBE-SERVICES")).comment(portals));
    nat.add("OUTPUT", Rule::new(jump("KUBE-SERVICES")).comment(portals));
    nat.add(
        "POSTROUTING",
        Rule::new(jump("KUBE-POSTROUTING")).comment("kubernetes postrouting rules"),
    );
    nat.add(MASQ, Rule::new(Target::MarkOr));
    nat.add("KUBE-POSTROUTING", Rule::new(Target::Return).m(Match::Mark(true)));
    nat.add("KUBE-POSTROUTING", Rule::new(Target::MarkXor));
    nat.add(
        "KUBE-POSTROUTING",
        Rule::new(Target::Masquerade).comment("kubernetes service traffic requiring SNAT"),
    );

    for svc in services_in_order(c) {
        let Some(cip) = svc.spec.cluster_ip.clone() else {
            continue;
        };
        let all: &[EndpointAddress] = c.service_addresses(&(svc.meta.namespace.clone(), svc.meta.name.clone()));
        for sp in &svc.spec.ports {
            service_port(&mut nat, &mut filter, svc, sp, &cip, all, node, &cidr);
        }
    }
    nat.add(
        "KUBE-SERVICES",
        Rule::new(jump("KUBE-NODEPORTS"))
            .comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain")
            .m(Match::AddrLocal(false)),
    );
    Ruleset {
        tables: vec![mangle, filter, nat],
    }
}

/// The rules of one Service port (kube-proxy's `syncProxyRules` loop body).
#[allow(clippy::too_many_arguments)]
fn service_port(
    nat: &mut Table,
    filter: &mut Table,
    svc: &Service,
    sp: &ServicePort,
    cip: &str,
    all: &[EndpointAddress],
    node: &str,
    cidr: &str,
) {
    let spn = port_name_string(svc, sp);
    let proto: &'static str = match sp.protocol() {
        "UDP" => "udp",
        "SCTP" => "sctp",
        _ => "tcp",
    };
    let hash = port_hash(svc, sp);
    let (svc_chain, svl_chain, ext_chain) = (
        format!("KUBE-SVC-{hash}"),
        format!("KUBE-SVL-{hash}"),
        format!("KUBE-EXT-{hash}"),
    );
    let port = sp.port as u16;
    let node_port = sp.node_port.filter(|n| *n > 0).map(|n| n as u16);
    let externally = node_port.is_some() || !svc.spec.external_ips.is_empty();
    let etp_local = externally && svc.etp_local();
    let itp_local = svc.itp_local();
    let uses_cluster = !itp_local || (externally && !etp_local);
    let uses_local = itp_local || etp_local;
    // The endpoints serving this port, sorted by the string `ip:port`.
    let mut eps: Vec<Ep> = all
        .iter()
        .filter_map(|a| {
            let (_, p, _) = a.ports.iter().find(|(n, _, _)| *n == sp.name)?;
            Some(Ep {
                addr: a,
                ip_port: format!("{}:{p}", a.ip),
                local: a.node.as_deref() == Some(node),
            })
        })
        .collect();
    super::order::sort_by_key(&mut eps, |e| e.ip_port.clone());
    let serving_terminating = |e: &Ep| e.addr.serving && e.addr.terminating;
    // CategorizeEndpoints.
    let mut cluster: Vec<&Ep> = Vec::new();
    let mut any = false;
    if uses_cluster {
        cluster = eps.iter().filter(|e| e.addr.ready).collect();
        if cluster.is_empty() {
            cluster = eps.iter().filter(|e| serving_terminating(e)).collect();
        }
        any = !cluster.is_empty();
    }
    let mut local: Vec<&Ep> = Vec::new();
    if uses_local {
        any |= eps.iter().any(|e| e.addr.ready || serving_terminating(e));
        local = eps.iter().filter(|e| e.local && e.addr.ready).collect();
        if local.is_empty() {
            local = eps.iter().filter(|e| e.local && serving_terminating(e)).collect();
        }
    }
    let reachable: Vec<&Ep> = if !uses_local {
        cluster.clone()
    } else if !uses_cluster {
        local.clone()
    } else {
        eps.iter()
            .filter(|e| cluster.iter().chain(&local).any(|x| x.ip_port == e.ip_port))
            .collect()
    };
    let has_internal = any && !(itp_local && local.is_empty());
    let has_external = any && !(etp_local && local.is_empty());
    let internal_chain = if itp_local { &svl_chain } else { &svc_chain };
    let external_policy = if etp_local { &svl_chain } else { &svc_chain };
    let (int_target, int_comment, ext_target, ext_comment) = if !any {
        let c = format!("{spn} has no endpoints");
        (Target::Reject, c.clone(), Target::Reject, c)
    } else {
        let c = format!("{spn} has no local endpoints");
        (Target::Drop, c.clone(), Target::Drop, c)
    };
    let dispatch = |t: Target, c: String, d: &str| Rule::new(t).dst(d).comment(c).proto(proto, Some(port));
    if has_internal {
        nat.add(
            "KUBE-SERVICES",
            dispatch(jump(internal_chain), format!("{spn} cluster IP"), cip),
        );
    } else {
        filter.add("KUBE-SERVICES", dispatch(int_target, int_comment, cip));
    }
    for eip in &svc.spec.external_ips {
        if any {
            nat.add(
                "KUBE-SERVICES",
                dispatch(jump(&ext_chain), format!("{spn} external IP"), eip),
            );
        }
        if !has_external {
            filter.add(
                "KUBE-EXTERNAL-SERVICES",
                dispatch(ext_target.clone(), ext_comment.clone(), eip),
            );
        }
    }
    if let Some(np) = node_port {
        if any {
            let r = Rule::new(jump(&ext_chain)).comment(spn.clone());
            nat.add(
                "KUBE-NODEPORTS",
                r.clone()
                    .dst("127.0.0.0/8")
                    .proto(proto, Some(np))
                    .m(Match::Nfacct("localhost_nps_accepted_pkts")),
            );
            nat.add("KUBE-NODEPORTS", r.proto(proto, Some(np)));
        }
        if !has_external {
            filter.add(
                "KUBE-EXTERNAL-SERVICES",
                Rule::new(ext_target)
                    .comment(ext_comment)
                    .m(Match::AddrLocal(false))
                    .proto(proto, Some(np)),
            );
        }
    }
    if let Some(hc) = svc.spec.health_check_node_port.filter(|p| *p > 0) {
        filter.add(
            "KUBE-NODEPORTS",
            Rule::new(Target::Accept)
                .comment(format!("{spn} health check node port"))
                .proto("tcp", Some(hc as u16)),
        );
    }
    if !any {
        return;
    }
    let uses_cluster_chain = !cluster.is_empty() && uses_cluster;
    let uses_local_chain = !local.is_empty() && uses_local;
    if uses_cluster_chain {
        nat.chain(&svc_chain);
    }
    if uses_local_chain {
        nat.chain(&svl_chain);
    }
    if externally {
        if !etp_local {
            nat.add(
                &ext_chain,
                Rule::new(jump(MASQ)).comment(format!("masquerade traffic for {spn} external destinations")),
            );
        } else {
            nat.add(
                &ext_chain,
                Rule::new(jump(&svc_chain))
                    .src(false, cidr)
                    .comment(format!("pod traffic for {spn} external destinations")),
            );
            nat.add(
                &ext_chain,
                Rule::new(jump(MASQ))
                    .comment(format!("masquerade LOCAL traffic for {spn} external destinations"))
                    .m(Match::AddrLocal(true)),
            );
            nat.add(
                &ext_chain,
                Rule::new(jump(&svc_chain))
                    .comment(format!("route LOCAL traffic for {spn} external destinations"))
                    .m(Match::AddrLocal(true)),
            );
        }
        if has_external {
            nat.add(&ext_chain, Rule::new(jump(external_policy)));
        }
    }
    if has_internal {
        nat.add(
            internal_chain,
            Rule::new(jump(MASQ))
                .src(true, cidr)
                .dst(cip)
                .comment(format!("{spn} cluster IP"))
                .proto(proto, Some(port)),
        );
    }
    let affinity = svc.affinity_timeout();
    for (chain, list, used) in [
        (&svc_chain, &cluster, uses_cluster_chain),
        (&svl_chain, &local, uses_local_chain),
    ] {
        if !used {
            continue;
        }
        if let Some(t) = affinity {
            for e in list.iter() {
                let sep = endpoint_chain(svc, sp, &e.ip_port);
                nat.add(
                    chain,
                    Rule::new(jump(&sep))
                        .comment(format!("{spn} -> {}", e.ip_port))
                        .m(Match::RecentCheck(sep.clone(), t)),
                );
            }
        }
        for (i, e) in list.iter().enumerate() {
            let mut r =
                Rule::new(jump(&endpoint_chain(svc, sp, &e.ip_port))).comment(format!("{spn} -> {}", e.ip_port));
            if i + 1 < list.len() {
                r = r.m(Match::Random(list.len() - i));
            }
            nat.add(chain, r);
        }
    }
    for e in reachable {
        let sep = endpoint_chain(svc, sp, &e.ip_port);
        nat.add(&sep, Rule::new(jump(MASQ)).src(false, &e.addr.ip).comment(spn.clone()));
        let mut r = Rule::new(Target::Dnat(e.ip_port.clone())).comment(spn.clone());
        if affinity.is_some() {
            r = r.m(Match::RecentSet(sep.clone()));
        }
        nat.add(&sep, r.proto(proto, None));
    }
}

/// Whether `ip` falls in `cidr` (`a.b.c.d/len` or a bare address).
pub fn addr_in(cidr: &str, ip: &str) -> bool {
    if cidr.contains('/') {
        cidr_contains(cidr, ip)
    } else {
        cidr == ip
    }
}

// ---------------------------------------------------------------------------------------------
// Printing

/// Rule counters `(packets, bytes)` by (table, chain, rule number from 1); absent means zero.
pub type Counters = dyn Fn(&str, &str, usize) -> (u64, u64);

/// `iptables-save [-c]` of the given tables, each between its header and footer.
pub fn save(rs: &Ruleset, tables: &[&str], date: &str, counters: Option<&Counters>, policy: &Counters) -> String {
    let mut out = String::new();
    for t in rs.tables.iter().filter(|t| tables.contains(&t.name)) {
        out.push_str(&format!(
            "# Generated by iptables-save v1.8.10 (nf_tables) on {date}\n*{}\n",
            t.name
        ));
        for c in &t.chains {
            if c.builtin {
                let (p, b) = policy(t.name, &c.name, 0);
                out.push_str(&format!(":{} ACCEPT [{p}:{b}]\n", c.name));
            } else {
                out.push_str(&format!(":{} - [0:0]\n", c.name));
            }
        }
        for c in &t.chains {
            for (i, r) in c.rules.iter().enumerate() {
                if let Some(f) = counters {
                    let (p, b) = f(t.name, &c.name, i + 1);
                    out.push_str(&format!("[{p}:{b}] "));
                }
                out.push_str(&format!("-A {}{}\n", c.name, r.save()));
            }
        }
        out.push_str(&format!("COMMIT\n# Completed on {date}\n"));
    }
    out
}

/// `iptables -S [CHAIN]` (with `-v`, the counters as `-c P B` before the target).
pub fn spec(t: &Table, chain: Option<&Chain>, counters: Option<&Counters>) -> String {
    let mut out = String::new();
    let chains: Vec<&Chain> = match chain {
        Some(c) => vec![c],
        None => t.chains.iter().collect(),
    };
    for c in &chains {
        if c.builtin {
            out.push_str(&format!("-P {} ACCEPT\n", c.name));
        } else {
            out.push_str(&format!("-N {}\n", c.name));
        }
    }
    for c in &chains {
        for (i, r) in c.rules.iter().enumerate() {
            let mut line = format!("-A {}{}", c.name, r.save());
            if let Some(f) = counters {
                let (p, b) = f(t.name, &c.name, i + 1);
                let cnt = format!(" -c {p} {b}");
                match line.find(" -j ") {
                    Some(at) => line.insert_str(at, &cnt),
                    None => line.push_str(&cnt),
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// How `iptables -L` is asked to print.
#[derive(Clone, Copy, Debug, Default)]
pub struct ListFormat {
    pub numeric: bool,
    pub verbose: bool,
    pub exact: bool,
    pub line_numbers: bool,
}

/// `xtables_print_num`: K, M, G, T above 99999 unless `-x`.
fn num(n: u64, exact: bool, width: usize) -> String {
    if exact {
        return format!("{n:>width$} ");
    }
    if n <= 99999 {
        return format!("{n:>5} ");
    }
    let mut v = n;
    for suffix in ['K', 'M', 'G', 'T'] {
        v = (v + 500) / 1000;
        if v <= 9999 || suffix == 'T' {
            return format!("{v:>4}{suffix} ");
        }
    }
    String::new()
}

fn short_num(n: u64) -> String {
    // The policy line: no padding.
    num(n, false, 0).trim().to_string()
}

/// `iptables -L [CHAIN]` of one table, in iptables 1.8.10's layout.
pub fn list(
    t: &Table,
    chain: Option<&Chain>,
    f: ListFormat,
    counters: &Counters,
    policy: &Counters,
    hosts: &dyn Fn(&str) -> Option<String>,
) -> String {
    let chains: Vec<&Chain> = match chain {
        Some(c) => vec![c],
        None => t.chains.iter().collect(),
    };
    let mut blocks = Vec::new();
    for c in chains {
        let mut s = String::new();
        if c.builtin {
            if f.verbose {
                let (p, b) = policy(t.name, &c.name, 0);
                let (p, b) = if f.exact {
                    (p.to_string(), b.to_string())
                } else {
                    (short_num(p), short_num(b))
                };
                s.push_str(&format!("Chain {} (policy ACCEPT {p} packets, {b} bytes)\n", c.name));
            } else {
                s.push_str(&format!("Chain {} (policy ACCEPT)\n", c.name));
            }
        } else {
            s.push_str(&format!("Chain {} ({} references)\n", c.name, t.references(&c.name)));
        }
        if f.line_numbers {
            s.push_str("num  ");
        }
        if f.verbose {
            s.push_str(if f.exact {
                "    pkts      bytes "
            } else {
                " pkts bytes "
            });
        }
        s.push_str("target     prot opt ");
        if f.verbose {
            s.push_str("in     out     ");
        }
        s.push_str("source               destination         \n");
        for (i, r) in c.rules.iter().enumerate() {
            if f.line_numbers {
                s.push_str(&format!("{:<4} ", i + 1));
            }
            if f.verbose {
                let (p, b) = counters(t.name, &c.name, i + 1);
                s.push_str(&num(p, f.exact, 8));
                s.push_str(&num(b, f.exact, 10));
            }
            let prot = match (r.proto, f.numeric) {
                (None, true) => "0",
                (None, false) => "all",
                (Some("tcp"), true) => "6",
                (Some("udp"), true) => "17",
                (Some("sctp"), true) => "132",
                (Some(p), _) => p,
            };
            s.push_str(&format!("{:<9}  {prot:<4} -- ", r.target_name()));
            if f.verbose {
                let any = if f.numeric { "*" } else { "any" };
                s.push_str(&format!(" {any:<6} {any:<6} "));
            }
            for a in [&r.src, &r.dst] {
                let (neg, text) = match a {
                    None => (
                        false,
                        if f.numeric {
                            "0.0.0.0/0".to_string()
                        } else {
                            "anywhere".into()
                        },
                    ),
                    Some((neg, cidr)) => {
                        let bare = cidr.strip_suffix("/32").unwrap_or(cidr);
                        let named = if f.numeric { None } else { hosts(bare) };
                        (*neg, named.unwrap_or_else(|| bare.to_string()))
                    }
                };
                s.push_str(&format!("{}{text:<19} ", if neg { "!" } else { " " }));
            }
            s.push_str(&r.list_tail(f.numeric));
            s.push('\n');
        }
        blocks.push(s);
    }
    blocks.join("\n")
}

// ---------------------------------------------------------------------------------------------
// Walking a packet through the rules (for traces)

/// The first packet of a connection as netfilter matches it on one node.
pub struct Packet<'a> {
    pub src: &'a str,
    pub dst: &'a str,
    pub dport: u16,
    pub proto: &'static str,
    /// The node's own address: `--src-type`/`--dst-type LOCAL` match it and 127.0.0.0/8.
    pub node_ip: &'a str,
    /// From the node's own processes (nat OUTPUT) rather than arriving (nat PREROUTING).
    pub from_host: bool,
}

fn local(ip: &str, node_ip: &str) -> bool {
    ip == node_ip || ip.starts_with("127.")
}

impl Rule {
    /// Whether the rule's matches hold, `statistic` and `recent` aside (`choose` decides those).
    fn matches(&self, p: &Packet, choose: &dyn Fn(&Rule) -> bool) -> bool {
        let addr = |a: &Option<(bool, String)>, ip: &str| a.as_ref().is_none_or(|(neg, c)| addr_in(c, ip) != *neg);
        if !addr(&self.src, p.src) || !addr(&self.dst, p.dst) || self.proto.is_some_and(|x| x != p.proto) {
            return false;
        }
        self.matches.iter().all(|m| match m {
            Match::Proto(_, Some(d)) => *d == p.dport,
            Match::AddrLocal(true) => local(p.src, p.node_ip),
            Match::AddrLocal(false) => local(p.dst, p.node_ip),
            Match::Random(_) | Match::RecentCheck(..) => choose(self),
            _ => true,
        })
    }
}

/// The nat rules the packet goes through until a DNAT: `KUBE-SERVICES #5 -> KUBE-SVC-… #3
/// (p=0.50000000000) -> KUBE-SEP-… #2 DNAT`. `sep` is the endpoint chain the data plane drew:
/// a `statistic` rule matches when it jumps there (the draw is made by the caller, rule by rule),
/// a `recent --rcheck` rule when `sticky` and it jumps there. Whether the packet was marked for
/// masquerade is returned too. None when no rule DNATs it.
/// Also returns every rule the packet matched on the way, built-in chains' and KUBE-MARK-MASQ's
/// too, as `(chain, rule number from 1)`: what the rules' counters count.
pub fn nat_path(
    rs: &Ruleset,
    p: &Packet,
    sep: Option<&str>,
    sticky: bool,
) -> Option<(String, bool, Vec<(String, usize)>)> {
    let nat = rs.table("nat")?;
    let choose = |r: &Rule| {
        let to_sep = matches!(&r.target, Target::Jump(c) if Some(c.as_str()) == sep);
        let recent = r.matches.iter().any(|m| matches!(m, Match::RecentCheck(..)));
        to_sep && (!recent || sticky)
    };
    let mut steps: Vec<String> = Vec::new();
    let mut hit: Vec<(String, usize)> = Vec::new();
    let mut marked = false;
    let mut chain = nat.find(if p.from_host { "OUTPUT" } else { "PREROUTING" })?;
    // Built-in chain rules are not shown; the walk is bounded by the chain count.
    for _ in 0..nat.chains.len() {
        let (i, r) = chain.rules.iter().enumerate().find(|(_, r)| r.matches(p, &choose))?;
        hit.push((chain.name.clone(), i + 1));
        let prob = r.matches.iter().find_map(|m| match m {
            Match::Random(n) => Some(format!(" (p={})", probability(*n))),
            Match::RecentCheck(..) => Some(" (recent)".into()),
            _ => None,
        });
        if !chain.builtin {
            steps.push(format!("{} #{}{}", chain.name, i + 1, prob.unwrap_or_default()));
        }
        match &r.target {
            Target::Dnat(_) => {
                if let Some(last) = steps.last_mut() {
                    last.push_str(" DNAT");
                }
                return Some((steps.join(" -> "), marked, hit));
            }
            Target::Jump(c) if c == MASQ => {
                marked = true;
                // KUBE-MARK-MASQ's one rule sets the mark.
                hit.push((MASQ.to_string(), 1));
                // KUBE-MARK-MASQ returns: go on with the next matching rule of this chain.
                let rest = &chain.rules[i + 1..];
                let (j, r2) = rest.iter().enumerate().find(|(_, r)| r.matches(p, &choose))?;
                hit.push((chain.name.clone(), i + j + 2));
                let name = chain.name.clone();
                if let Some(last) = steps.last_mut() {
                    last.push_str(" (KUBE-MARK-MASQ)");
                }
                let prob = r2.matches.iter().find_map(|m| match m {
                    Match::Random(n) => Some(format!(" (p={})", probability(*n))),
                    Match::RecentCheck(..) => Some(" (recent)".into()),
                    _ => None,
                });
                steps.push(format!("{name} #{}{}", i + j + 2, prob.unwrap_or_default()));
                match &r2.target {
                    Target::Jump(c) => chain = nat.find(c)?,
                    Target::Dnat(_) => {
                        if let Some(last) = steps.last_mut() {
                            last.push_str(" DNAT");
                        }
                        return Some((steps.join(" -> "), marked, hit));
                    }
                    _ => return None,
                }
            }
            Target::Jump(c) => chain = nat.find(c)?,
            _ => return None,
        }
    }
    None
}

/// The filter rule that stops a packet nat left alone: `KUBE-SERVICES #1 REJECT`.
pub fn filter_stop(rs: &Ruleset, p: &Packet) -> Option<String> {
    let filter = rs.table("filter")?;
    let none = |_: &Rule| false;
    for name in ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES"] {
        let c = filter.find(name)?;
        if let Some((i, r)) = c.rules.iter().enumerate().find(|(_, r)| r.matches(p, &none)) {
            return Some(format!("{name} #{} {}", i + 1, r.target_name()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_names_match_real_dumps() {
        let cases = [
            ("default/kubernetes:httpstcp", "NPX46M4PTMTKRN6Y"),
            ("kube-system/kube-dns:dnsudp", "TCOU7JCQXEZGVUNU"),
            ("kube-system/kube-dns:dns-tcptcp", "ERIFXISQEP7F7OF4"),
            ("kube-system/kube-dns:metricstcp", "JD5MR3NA4I4DYORP"),
            ("default/web-servicetcp", "SZGXCNNBZLC4E3DM"),
            ("default/nginxtcp", "2CMXP7HKUVJN7L6M"),
            ("default/nginx:80-80tcp", "OVTWZ4GROBJZO4C5"),
            ("calico-system/calico-typha:calico-typhatcp", "RK657RLKDNVNU64O"),
            ("calico-apiserver/calico-api:apiservertcp", "I24EZXP75AX5E7TU"),
            ("default/kubernetes:httpstcp172.31.7.91:6443", "Z256WNARC5DJQIZM"),
            ("kube-system/kube-dns:dnsudp10.244.0.2:53", "YIL6JZP7A3QYXJU2"),
            ("kube-system/kube-dns:dnsudp10.244.0.3:53", "6E7XQMQ4RAYOWTTM"),
            ("kube-system/kube-dns:metricstcp10.244.0.2:9153", "N4G2XR5TDX7PQE7P"),
            (
                "calico-apiserver/calico-api:apiservertcp192.168.2.1:5443",
                "MEN2AJW7XCZSUCKL",
            ),
            ("default/kubernetes:httpstcp192.168.11.170:6443", "T6FTDWJB3J5OEA23"),
            ("ns1/svc1:p80tcp", "XPGD46QRK7WJZT7O"),
            ("ns1/svc1tcp", "AQI2S6QIMU7PVVRP"),
            ("default/web-service-nodeporttcp", "C3R3BM5NADAQQ6RI"),
            ("default/web-service-nodeporttcp192.168.131.65:80", "PE4FBRPJ5VPH63HX"),
            ("default/web-service-loadbalancertcp", "74IEVHA7QEJZEZRT"),
            // Upper-case protocol gives another name (the reference's pitfall 2).
            ("kube-system/kube-dns:dnsUDP", "GOKYAH2GUFSZRCFJ"),
        ];
        for (input, want) in cases {
            assert_eq!(hash16(input), want, "{input}");
        }
    }

    #[test]
    fn sha256_of_known_strings() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Two blocks: 56 bytes of input force the length into a second block.
        assert_eq!(
            hex(sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn probabilities_as_iptables_prints_them() {
        let want = [
            (2, "0.50000000000"),
            (3, "0.33333333349"),
            (4, "0.25000000000"),
            (5, "0.20000000019"),
            (6, "0.16666666651"),
            (7, "0.14285714272"),
            (8, "0.12500000000"),
            (9, "0.11111111101"),
            (10, "0.10000000009"),
        ];
        for (n, p) in want {
            assert_eq!(probability(n), p, "n = {n}");
        }
    }
}
