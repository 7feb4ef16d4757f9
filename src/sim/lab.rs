//! The lab the cluster runs in: the learner's PC, the VirtualBox NAT network with its port
//! forwarding, the kubeadm nodes, the cluster's address ranges and a small simulated internet.
//! The default is the seed post's lab; a lesson may change any part of it.

use super::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub struct LabNode {
    pub name: String,
    pub ip: String,
    pub control_plane: bool,
    /// The node's Calico /26 block (`192.168.131.64`), or chosen from the hostname.
    pub block: Option<String>,
    pub labels: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PortForward {
    pub name: String,
    pub host_port: u16,
    pub guest_ip: String,
    pub guest_port: u16,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Site {
    pub host: String,
    pub ip: String,
    /// The page it serves to a request whose Host header names it.
    pub title: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lab {
    pub nodes: Vec<LabNode>,
    pub user: String,
    pub nat_network: String,
    pub nat_gateway: String,
    pub pc_address: String,
    pub port_forwards: Vec<PortForward>,
    pub pod_cidr: String,
    pub service_cidr: String,
    pub node_port_range: (u16, u16),
    pub dns_ip: String,
    pub cluster_domain: String,
    /// Seconds the cluster has existed when the session starts (`kubernetes` shows `6d6h`).
    pub cluster_age: i64,
    /// Unix time of the session start, for timestamps and HTTP dates.
    pub start_unix: i64,
    pub internet: Vec<Site>,
}

impl Default for Lab {
    fn default() -> Lab {
        let node = |name: &str, ip: &str, cp: bool, block: Option<&str>| LabNode {
            name: name.into(),
            ip: ip.into(),
            control_plane: cp,
            block: block.map(Into::into),
            labels: Vec::new(),
        };
        let pf = |name: &str, host: u16, ip: &str, guest: u16| PortForward {
            name: name.into(),
            host_port: host,
            guest_ip: ip.into(),
            guest_port: guest,
        };
        Lab {
            nodes: vec![
                node("myserver01", "10.0.2.4", true, None),
                node("myserver02", "10.0.2.5", false, Some("192.168.131.64")),
                node("myserver03", "10.0.2.6", false, Some("192.168.149.192")),
            ],
            user: "user".into(),
            nat_network: "10.0.2.0/24".into(),
            nat_gateway: "10.0.2.1".into(),
            pc_address: "127.0.0.1".into(),
            port_forwards: vec![
                pf("myserver01-http", 80, "10.0.2.4", 80),
                pf("myserver02-nodeport", 31051, "10.0.2.5", 31001),
                pf("myserver03-nodeport", 31061, "10.0.2.6", 31001),
            ],
            pod_cidr: "192.168.0.0/16".into(),
            service_cidr: "10.96.0.0/12".into(),
            node_port_range: (30000, 32767),
            dns_ip: "10.96.0.10".into(),
            cluster_domain: "cluster.local".into(),
            cluster_age: 6 * 86400 + 6 * 3600,
            // 2025-12-20T10:00:00Z
            start_unix: 1_766_224_800,
            internet: vec![
                Site {
                    host: "www.google.com".into(),
                    ip: "142.250.206.228".into(),
                    title: "Google".into(),
                },
                Site {
                    host: "example.com".into(),
                    ip: "93.184.215.14".into(),
                    title: "Example Domain".into(),
                },
            ],
        }
    }
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| match x {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    })
}

fn n(v: &Value, k: &str) -> Option<i64> {
    match v.get(k)? {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

impl Lab {
    /// Applies a lesson's lab changes (`portForwards`, `nodeLabels`, `user`), a data tree read
    /// from lesson files. Unknown keys are an error, so a typo in a lesson is caught by its test.
    pub fn apply_changes(&mut self, changes: &Value) -> Result<(), String> {
        let Value::Map(entries) = changes else {
            return Err("lab changes must be a mapping".into());
        };
        for (k, v) in entries {
            match k.as_str() {
                "user" => self.user = v.as_str().ok_or("lab.user must be a string")?.to_string(),
                "portForwards" => {
                    let Value::Seq(items) = v else {
                        return Err("lab.portForwards must be a list".into());
                    };
                    self.port_forwards.clear();
                    for item in items {
                        let host = n(item, "hostPort").ok_or("portForwards[].hostPort is required")?;
                        let guest = n(item, "guestPort").ok_or("portForwards[].guestPort is required")?;
                        let ip = s(item, "guestIP").ok_or("portForwards[].guestIP is required")?;
                        if !(1..=65535).contains(&host) || !(1..=65535).contains(&guest) {
                            return Err("portForwards ports must be between 1 and 65535".into());
                        }
                        self.port_forwards.push(PortForward {
                            name: s(item, "name").unwrap_or_else(|| format!("rule-{host}")),
                            host_port: host as u16,
                            guest_ip: ip,
                            guest_port: guest as u16,
                        });
                    }
                }
                "nodeLabels" => {
                    let Value::Map(nodes) = v else {
                        return Err("lab.nodeLabels must be a mapping".into());
                    };
                    for (node, labels) in nodes {
                        let target = self
                            .nodes
                            .iter_mut()
                            .find(|n| &n.name == node)
                            .ok_or_else(|| format!("lab.nodeLabels: no node {node}"))?;
                        let Value::Map(ls) = labels else {
                            return Err("node labels must be a mapping".into());
                        };
                        for (lk, lv) in ls {
                            target.labels.push((lk.clone(), lv.as_str().unwrap_or("").to_string()));
                        }
                    }
                }
                other => return Err(format!("unknown lab setting \"{other}\"")),
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses

pub fn ip_to_u32(ip: &str) -> Option<u32> {
    let o = super::validation::parse_ipv4(ip)?;
    Some(u32::from_be_bytes(o))
}

pub fn u32_to_ip(v: u32) -> String {
    let o = v.to_be_bytes();
    format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])
}

/// `10.96.0.0/12` as (network, prefix length).
pub fn parse_cidr(cidr: &str) -> Option<(u32, u32)> {
    let (ip, len) = cidr.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((ip_to_u32(ip)? & mask, len))
}

pub fn cidr_contains(cidr: &str, ip: &str) -> bool {
    match (parse_cidr(cidr), ip_to_u32(ip)) {
        (Some((net, len)), Some(v)) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            v & mask == net
        }
        _ => false,
    }
}

/// FNV-1 (32-bit), as Calico hashes a hostname to pick a node's first block.
pub fn fnv32(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h = h.wrapping_mul(0x0100_0193);
        h ^= *b as u32;
    }
    h
}

/// `len` hex digits derived from `seed`: container and image ids that stay the same for the
/// same object without drawing from the cluster's generator.
pub fn hex_id(seed: &str, len: usize) -> String {
    let mut out = String::new();
    let mut h = fnv32a(seed.as_bytes());
    while out.len() < len {
        out.push_str(&format!("{h:08x}"));
        h = fnv32a(format!("{h}{seed}").as_bytes());
    }
    out.truncate(len);
    out
}

/// FNV-1a (32-bit), as the Deployment controller hashes a pod template.
pub fn fnv32a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in data {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The FNV-1a (64-bit) starting value.
pub const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a (64-bit) of `data`, continuing from `h` (`FNV64_OFFSET` to start): a cheap
/// fingerprint for values the simulation compares between passes.
pub fn fnv64a(h: u64, data: &[u8]) -> u64 {
    data.iter()
        .fold(h, |h, b| (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3))
}
