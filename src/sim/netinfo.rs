//! What a node or a pod shows of its own network: `ip addr`, `ip route` (Calico in IP-in-IP
//! mode: a pod's /32 on eth0 behind the link-local gateway 169.254.1.1; a node's `tunl0` with
//! the first address of its block, a `cali` veth and a /32 route per local pod, a blackhole
//! for its own block and a route through `tunl0` to each other node's block) and
//! `hostname -i`/`-I`. A node runs iproute2; a pod has `ip` only if its image is busybox-based.

use super::cluster::Key;
use super::lab::{ip_to_u32, u32_to_ip};
use super::objects::Pod;
use super::shell::Output;
use super::shell::Shell;

/// SHA-1, for Calico's interface names (`cali` + the first 11 hex digits of
/// sha1("namespace.pod")).
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
    let mut msg = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bits.to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([chunk[4 * i], chunk[4 * i + 1], chunk[4 * i + 2], chunk[4 * i + 3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A827999),
                1 => (b ^ c ^ d, 0x6ED9EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDC),
                _ => (b ^ c ^ d, 0xCA62C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The host side of a pod's veth, as Calico names it.
pub fn cali_name(pod: &Key) -> String {
    format!("cali{}", &hex(&sha1(format!("{}.{}", pod.0, pod.1).as_bytes()))[..11])
}

/// A MAC address from a name: `prefix` bytes, the rest from its hash.
fn mac(prefix: &[u8], name: &str) -> [u8; 6] {
    let h = sha1(name.as_bytes());
    let mut m = [0u8; 6];
    m[..prefix.len()].copy_from_slice(prefix);
    m[prefix.len()..].copy_from_slice(&h[..6 - prefix.len()]);
    if prefix.is_empty() {
        m[0] = (m[0] & 0xfe) | 0x02;
    }
    m
}

fn mac_text(m: &[u8; 6]) -> String {
    m.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(":")
}

/// The IPv6 link-local address derived from a MAC (EUI-64).
fn link_local(m: &[u8; 6]) -> String {
    let g = [
        u16::from(m[0] ^ 2) << 8 | u16::from(m[1]),
        u16::from(m[2]) << 8 | 0xff,
        0xfe00 | u16::from(m[3]),
        u16::from(m[4]) << 8 | u16::from(m[5]),
    ];
    format!("fe80::{:x}:{:x}:{:x}:{:x}", g[0], g[1], g[2], g[3])
}

/// `ip -4 addr`: IPv4 addresses only; an interface without one is left out.
fn only_v4(text: &str) -> String {
    let mut out = String::new();
    let mut block = String::new();
    let mut keep = false;
    let mut skip_lft = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            if keep {
                out.push_str(&block);
            }
            block.clear();
            keep = false;
        }
        if line.trim_start().starts_with("inet6") || line.trim_start().starts_with("link/") {
            skip_lft = true;
            continue;
        }
        if skip_lft && line.trim_start().starts_with("valid_lft") {
            skip_lft = false;
            continue;
        }
        skip_lft = false;
        keep |= line.trim_start().starts_with("inet ");
        block.push_str(line);
        block.push('\n');
    }
    if keep {
        out.push_str(&block);
    }
    out
}

impl Shell {
    /// The pods with an address on a node, in the order their interfaces were made.
    fn local_pods(&self, node: &str) -> Vec<&Pod> {
        let mut pods: Vec<&Pod> = self
            .cluster
            .pods
            .values()
            .filter(|p| p.spec.node_name.as_deref() == Some(node) && p.status.pod_ip.is_some() && !p.spec.host_network)
            .collect();
        super::order::sort_by(&mut pods, |a, b| {
            (a.status.start_time, &a.meta.name).cmp(&(b.status.start_time, &b.meta.name))
        });
        pods
    }

    /// A node's tunnel address: the first address of its first block.
    fn tunnel_ip(&self, node: &str) -> Option<String> {
        let n = self.cluster.nodes.iter().find(|n| n.name == node)?;
        n.pod_cidr_blocks.first().map(|b| u32_to_ip(*b))
    }

    /// `ip ...` on a node (iproute2).
    pub fn node_ip(&self, node: &str, args: &[String]) -> Output {
        let Some(n) = self.cluster.nodes.iter().find(|n| n.name == node) else {
            return Output::err("", 1);
        };
        let v4 = args.iter().any(|a| a == "-4");
        let obj = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(String::as_str)
            .unwrap_or("");
        let sub = args.iter().filter(|a| !a.starts_with('-')).nth(1).map(String::as_str);
        if !matches!(sub, None | Some("show" | "list" | "ls")) {
            return Output::err(
                "this lab's ip shows addresses and routes (ip addr, ip route); it does not change them\n",
                2,
            );
        }
        let mut out = String::new();
        match obj {
            "a" | "ad" | "addr" | "address" => {
                let lease = 1200 - self.cluster.now.rem_euclid(600);
                let m = mac(&[0x08, 0x00, 0x27], node);
                out.push_str(
                    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    \
                     link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       \
                     valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host noprefixroute \n       \
                     valid_lft forever preferred_lft forever\n",
                );
                let brd = u32_to_ip(ip_to_u32(&n.ip).unwrap_or(0) | 0xff);
                out.push_str(&format!(
                    "2: enp0s3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    \
                     link/ether {} brd ff:ff:ff:ff:ff:ff\n    inet {}/24 metric 100 brd {brd} scope global dynamic enp0s3\n       \
                     valid_lft {lease}sec preferred_lft {lease}sec\n    inet6 {}/64 scope link \n       \
                     valid_lft forever preferred_lft forever\n",
                    mac_text(&m),
                    n.ip,
                    link_local(&m)
                ));
                if let Some(t) = self.tunnel_ip(node) {
                    out.push_str(&format!(
                        "3: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000\n    \
                         link/ipip 0.0.0.0 brd 0.0.0.0\n    inet {t}/32 scope global tunl0\n       \
                         valid_lft forever preferred_lft forever\n"
                    ));
                }
                let cali = [0xee; 6];
                for (i, p) in self.local_pods(node).iter().enumerate() {
                    let k = (p.meta.namespace.clone(), p.meta.name.clone());
                    let netns = &hex(&sha1(p.meta.uid.as_bytes()))[..32];
                    out.push_str(&format!(
                        "{}: {}@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1480 qdisc noqueue state UP group default qlen 1000\n    \
                         link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netns cni-{}-{}-{}-{}-{}\n    \
                         inet6 {}/64 scope link \n       valid_lft forever preferred_lft forever\n",
                        i + 4,
                        cali_name(&k),
                        &netns[..8],
                        &netns[8..12],
                        &netns[12..16],
                        &netns[16..20],
                        &netns[20..32],
                        link_local(&cali)
                    ));
                }
            }
            "r" | "ro" | "route" => {
                let gw = &self.cluster.lab.nat_gateway;
                let mut routes: Vec<(u32, u32, String)> = Vec::new();
                let ip = &n.ip;
                routes.push((
                    0,
                    0,
                    format!("default via {gw} dev enp0s3 proto dhcp src {ip} metric 100 "),
                ));
                let net = &self.cluster.lab.nat_network;
                let (base, len) = net.split_once('/').unwrap_or((net, "24"));
                let len: u32 = len.parse().unwrap_or(24);
                routes.push((
                    ip_to_u32(base).unwrap_or(0),
                    len,
                    format!("{net} dev enp0s3 proto kernel scope link src {ip} metric 100 "),
                ));
                routes.push((
                    ip_to_u32(gw).unwrap_or(0),
                    32,
                    format!("{gw} dev enp0s3 proto dhcp scope link src {ip} metric 100 "),
                ));
                for other in &self.cluster.nodes {
                    for b in &other.pod_cidr_blocks {
                        let text = if other.name == node {
                            format!("blackhole {}/26 proto bird ", u32_to_ip(*b))
                        } else {
                            format!("{}/26 via {} dev tunl0 proto bird onlink ", u32_to_ip(*b), other.ip)
                        };
                        routes.push((*b, 26, text));
                    }
                }
                for p in self.local_pods(node) {
                    let pip = p.status.pod_ip.clone().unwrap_or_default();
                    let k = (p.meta.namespace.clone(), p.meta.name.clone());
                    routes.push((
                        ip_to_u32(&pip).unwrap_or(0),
                        32,
                        format!("{pip} dev {} scope link ", cali_name(&k)),
                    ));
                }
                super::order::sort_by(&mut routes, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
                for (_, _, r) in routes {
                    out.push_str(&r);
                    out.push('\n');
                }
            }
            "" => {
                return Output::err(
                    "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\n\
                     where  OBJECT := { address | route | link | neigh | rule | ... }\n",
                    255,
                )
            }
            o => {
                return Output::err(
                    format!("this lab's ip shows addresses and routes (ip addr, ip route), not `ip {o}`\n"),
                    2,
                )
            }
        }
        if v4 {
            out = only_v4(&out);
        }
        Output::ok(out)
    }

    /// `ip ...` in a pod (busybox's applet).
    pub fn pod_ip(&self, pod: &Key, args: &[String]) -> Output {
        let Some(p) = self.cluster.pods.get(pod) else {
            return Output::err("", 1);
        };
        let obj = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map(String::as_str)
            .unwrap_or("");
        let ip = p.status.pod_ip.clone().unwrap_or_default();
        let node = p.spec.node_name.clone().unwrap_or_default();
        let host_if = self
            .local_pods(&node)
            .iter()
            .position(|x| x.meta.uid == p.meta.uid)
            .map_or(4, |i| i + 4);
        let mut out = String::new();
        match obj {
            "a" | "ad" | "addr" | "address" => {
                let m = mac(&[], &p.meta.uid);
                out.push_str(&format!(
                    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    \
                     link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       \
                     valid_lft forever preferred_lft forever\n    inet6 ::1/128 scope host \n       \
                     valid_lft forever preferred_lft forever\n2: tunl0@NONE: <NOARP> mtu 1480 qdisc noop qlen 1000\n    \
                     link/ipip 0.0.0.0 brd 0.0.0.0\n4: eth0@if{host_if}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1480 \
                     qdisc noqueue qlen 1000\n    link/ether {} brd ff:ff:ff:ff:ff:ff\n    inet {ip}/32 scope global eth0\n       \
                     valid_lft forever preferred_lft forever\n    inet6 {}/64 scope link \n       \
                     valid_lft forever preferred_lft forever\n",
                    mac_text(&m),
                    link_local(&m)
                ));
            }
            "r" | "ro" | "route" => {
                out.push_str("default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n");
            }
            _ => {
                return Output::err(
                    "BusyBox's ip in this lab shows addresses and routes (ip addr, ip route)\n",
                    1,
                )
            }
        }
        Output::ok(out)
    }

    /// A pod's hostname as its kernel has it, and its fully qualified name (what `hostname -f`
    /// finds in the kubelet's /etc/hosts): `spec.hostname` or the pod's name, qualified with
    /// `<subdomain>.<namespace>.svc.<cluster domain>` when the pod has a subdomain;
    /// `setHostnameAsFQDN` gives the kernel the qualified name. A hostNetwork pod has its node's.
    pub fn pod_names(&self, pod: &Key) -> (String, String) {
        let Some(p) = self.cluster.pods.get(pod) else {
            return (pod.1.clone(), pod.1.clone());
        };
        if p.spec.host_network {
            let n = p.spec.node_name.clone().unwrap_or_default();
            return (n.clone(), n);
        }
        let short = p.spec.hostname.clone().unwrap_or_else(|| pod.1.clone());
        let fqdn = p.spec.subdomain.as_ref().map_or(short.clone(), |sub| {
            format!("{short}.{sub}.{}.svc.{}", pod.0, self.cluster.lab.cluster_domain)
        });
        let as_fqdn = p.spec.raw.get("setHostnameAsFQDN") == Some(&super::value::Value::Bool(true));
        (if as_fqdn { fqdn.clone() } else { short }, fqdn)
    }

    /// `hostname -i` / `-I`: the addresses of the name, or of every interface.
    pub fn hostname_addrs(&self, at: &super::shell::Session, all: bool) -> String {
        match at {
            super::shell::Session::Node(n) => {
                let ip = self
                    .cluster
                    .nodes
                    .iter()
                    .find(|x| &x.name == n)
                    .map(|x| x.ip.clone())
                    .unwrap_or_default();
                if all {
                    let t = self.tunnel_ip(n).map(|t| format!("{t} ")).unwrap_or_default();
                    format!("{ip} {t}\n")
                } else {
                    format!("127.0.1.1 {ip}\n")
                }
            }
            super::shell::Session::Pod { pod, .. } => {
                let ip = self
                    .cluster
                    .pods
                    .get(pod)
                    .and_then(|p| p.status.pod_ip.clone())
                    .unwrap_or_default();
                if all {
                    format!("{ip} \n")
                } else {
                    format!("{ip}\n")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_and_names() {
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(cali_name(&("default".into(), "web".into())).len(), 15);
        assert_eq!(link_local(&[0xee; 6]), "fe80::ecee:eeff:feee:eeee");
    }
}
