//! The cluster DNS records beyond a Service's `A` record (kubernetes/dns `specification.md`
//! v1.1.0, as CoreDNS's `kubernetes` plugin serves them): `SRV` for a Service's ports (target
//! the Service, or each ready endpoint of a headless one), `A` for an endpoint by hostname
//! (`hostname`/`subdomain` pods, else the dashed IP), `PTR` for ClusterIPs and endpoint
//! addresses, and the `dns-version` `TXT` record. `nslookup -type=`, `nslookup IP`, `dig +short
//! TYPE`, `dig -x` and `host` print them.

use super::cluster::{key, Cluster};
use super::net::{Client, Lookup};
use super::objects::{EndpointAddress, Service};
use super::shell::{Output, Shell};

/// The schema version the `dns-version` record carries.
pub const SCHEMA_VERSION: &str = "1.1.0";

/// One answer: a record's name and data as dig prints it.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Srv { weight: u16, port: i64, target: String },
    Ptr(String),
    Txt(String),
}

impl Cluster {
    fn zone(&self) -> &str {
        &self.lab.cluster_domain
    }

    /// An endpoint's name under its Service: its pod's `hostname` when the pod's `subdomain`
    /// is the Service, else its address with dashes (CoreDNS's choice).
    pub fn endpoint_host(&self, ns: &str, svc: &str, a: &EndpointAddress) -> String {
        a.pod
            .as_ref()
            .and_then(|p| self.pods.get(&key(ns, p)))
            .filter(|p| p.spec.subdomain.as_deref() == Some(svc))
            .and_then(|p| p.spec.hostname.clone())
            .unwrap_or_else(|| a.ip.replace('.', "-"))
    }

    fn ready_addresses(&self, ns: &str, svc: &str) -> Vec<&EndpointAddress> {
        self.service_addresses(&key(ns, svc))
            .iter()
            .filter(|a| a.ready)
            .collect()
    }

    /// `<endpoint>.<service>.<ns>.svc.<zone>`: the ready endpoints of that name.
    pub fn endpoint_a(&self, host: &str, svc: &str, ns: &str) -> Option<Vec<String>> {
        self.services.get(&key(ns, svc))?;
        let ips: Vec<String> = self
            .ready_addresses(ns, svc)
            .into_iter()
            .filter(|a| self.endpoint_host(ns, svc, a).eq_ignore_ascii_case(host))
            .map(|a| a.ip.clone())
            .collect();
        (!ips.is_empty()).then_some(ips)
    }

    /// The records of one type for a fully qualified name; `None` is NXDOMAIN, an empty list
    /// a name that exists without records of that type.
    pub fn records(&self, fqdn: &str, qtype: &str) -> Option<Vec<Record>> {
        let name = fqdn.trim_end_matches('.').to_ascii_lowercase();
        let zone = self.zone().to_string();
        if qtype == "PTR" {
            let ip = reverse_ip(&name)?;
            let v = self.ptr(&ip);
            return (!v.is_empty()).then_some(v.into_iter().map(Record::Ptr).collect());
        }
        if name == format!("dns-version.{zone}") {
            return Some(if qtype == "TXT" {
                vec![Record::Txt(format!("\"{SCHEMA_VERSION}\""))]
            } else {
                Vec::new()
            });
        }
        let rest = name.strip_suffix(&format!(".svc.{zone}"))?;
        let labels: Vec<&str> = rest.split('.').collect();
        let (port, proto, svc, ns) = match labels.as_slice() {
            [p, t, s, n] if p.starts_with('_') && t.starts_with('_') => (Some(&p[1..]), Some(&t[1..]), *s, *n),
            [s, n] => (None, None, *s, *n),
            [_, s, n] => {
                // An endpoint's own name: only A records.
                return self.endpoint_a(labels[0], s, n).map(|_| Vec::new());
            }
            _ => return None,
        };
        let service = self.services.get(&key(ns, svc))?;
        if qtype != "SRV" {
            return Some(Vec::new());
        }
        let ports: Vec<_> = service
            .spec
            .ports
            .iter()
            .filter(|p| {
                let pname = p.name.as_deref().unwrap_or("");
                port.is_none_or(|x| !pname.is_empty() && pname.eq_ignore_ascii_case(x))
                    && proto.is_none_or(|x| p.protocol().eq_ignore_ascii_case(x))
            })
            .collect();
        if ports.is_empty() && port.is_some() {
            return None;
        }
        let mut out = Vec::new();
        let targets: Vec<(String, Option<&EndpointAddress>)> = if has_endpoints_in_dns(service) {
            self.ready_addresses(ns, svc)
                .into_iter()
                .map(|a| {
                    (
                        format!("{}.{svc}.{ns}.svc.{zone}.", self.endpoint_host(ns, svc, a)),
                        Some(a),
                    )
                })
                .collect()
        } else {
            vec![(format!("{svc}.{ns}.svc.{zone}."), None)]
        };
        for p in &ports {
            for (target, a) in &targets {
                // A headless Service's endpoint answers on its resolved port.
                let number = a
                    .and_then(|a| a.ports.iter().find(|(n, _, _)| *n == p.name).map(|x| x.1))
                    .unwrap_or(p.port);
                out.push((number, target.clone()));
            }
        }
        // CoreDNS splits the weight of one priority evenly: 100 / the number of records.
        let weight = (100 / out.len().max(1)) as u16;
        Some(
            out.into_iter()
                .map(|(port, target)| Record::Srv { weight, port, target })
                .collect(),
        )
    }

    /// The names of an address: the Service whose ClusterIP it is, else every Service it is a
    /// ready endpoint of.
    pub fn ptr(&self, ip: &str) -> Vec<String> {
        let zone = self.zone();
        if let Some((k, _)) = self
            .services
            .iter()
            .find(|(_, s)| s.has_virtual_ip() && s.spec.cluster_ip.as_deref() == Some(ip))
        {
            return vec![format!("{}.{}.svc.{zone}.", k.1, k.0)];
        }
        let mut out = Vec::new();
        for (k, e) in &self.endpoints {
            for a in e.addresses.iter().filter(|a| a.ready && a.ip == ip) {
                out.push(format!(
                    "{}.{}.{}.svc.{zone}.",
                    self.endpoint_host(&k.0, &k.1, a),
                    k.1,
                    k.0
                ));
            }
        }
        out
    }
}

/// Headless Services answer with their endpoints.
fn has_endpoints_in_dns(s: &Service) -> bool {
    s.is_headless()
}

/// `4.3.2.1.in-addr.arpa` as `1.2.3.4`.
fn reverse_ip(name: &str) -> Option<String> {
    let rest = name.strip_suffix(".in-addr.arpa")?;
    let mut parts: Vec<&str> = rest.split('.').collect();
    parts.reverse();
    let ip = parts.join(".");
    super::validation::parse_ipv4(&ip).map(|_| ip)
}

/// `1.2.3.4` as `4.3.2.1.in-addr.arpa`.
pub fn arpa(ip: &str) -> String {
    let mut parts: Vec<&str> = ip.split('.').collect();
    parts.reverse();
    format!("{}.in-addr.arpa", parts.join("."))
}

fn rdata(r: &Record, trailing_dot: bool) -> String {
    let dot = |s: &str| {
        if trailing_dot {
            s.to_string()
        } else {
            s.trim_end_matches('.').to_string()
        }
    };
    match r {
        Record::Srv { weight, port, target } => format!("0 {weight} {port} {}", dot(target)),
        Record::Ptr(n) => dot(n),
        Record::Txt(t) => t.clone(),
    }
}

/// A query's type from `-type=srv`, `-t SRV`, `SRV`; `None` for A.
fn query_type(args: &[String]) -> Option<String> {
    const TYPES: &[&str] = &["SRV", "PTR", "TXT"];
    let mut it = args.iter().peekable();
    while let Some(a) = it.next() {
        let v = if let Some(v) = a
            .strip_prefix("-type=")
            .or_else(|| a.strip_prefix("-query="))
            .or_else(|| a.strip_prefix("-q="))
        {
            v.to_string()
        } else if a == "-t" {
            it.next()?.clone()
        } else {
            a.clone()
        };
        if TYPES.iter().any(|t| t.eq_ignore_ascii_case(&v)) {
            return Some(v.to_ascii_uppercase());
        }
    }
    None
}

impl Shell {
    /// Tries a name as the client's resolver does (search list, ndots) for records of a type.
    fn search(&self, client: &Client, name: &str, qtype: &str) -> Option<(String, Vec<Record>)> {
        let (search, _, options) = self.cluster.resolv_conf(client);
        let ndots: usize = options
            .iter()
            .find(|(n, _)| n == "ndots")
            .and_then(|(_, v)| v.as_deref()?.parse().ok())
            .unwrap_or(1);
        let mut tries = Vec::new();
        if name.ends_with('.') || name.matches('.').count() >= ndots {
            tries.push(name.to_string());
        }
        if !name.ends_with('.') {
            tries.extend(search.iter().map(|s| format!("{name}.{s}")));
            if name.matches('.').count() < ndots {
                tries.push(name.to_string());
            }
        }
        tries.into_iter().find_map(|t| {
            let r = self.cluster.records(&t, qtype)?;
            (!r.is_empty()).then(|| (t.trim_end_matches('.').to_string(), r))
        })
    }

    /// BusyBox's nslookup before 1.29 (the docs' `busybox:1.28`): the C library's resolver (the
    /// search list applies), the server and each address with its reverse name when it has one.
    pub fn nslookup_old_busybox(&mut self, client: &Client, args: &[String]) -> Output {
        let Some(name) = args.first().filter(|a| !a.starts_with('-') && args.len() < 3) else {
            return Output::err(
                "BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\n\
                 Query the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n",
                1,
            );
        };
        let c = &self.cluster;
        let host = |ip: &str| match c.ptr(ip).first() {
            Some(n) => format!("{ip} {}", n.trim_end_matches('.')),
            None => ip.to_string(),
        };
        let server = c.resolv_conf(client).1.first().cloned().unwrap_or_default();
        let mut text = format!("Server:    {server}\nAddress 1: {}\n\n", host(&server));
        match c.lookup(client, name) {
            Lookup::Found { ips, .. } if !ips.is_empty() => {
                text.push_str(&format!("Name:      {name}\n"));
                for (i, ip) in ips.iter().enumerate() {
                    text.push_str(&format!("Address {}: {}\n", i + 1, host(ip)));
                }
                Output::ok(text)
            }
            found => {
                if matches!(found, Lookup::NoServer) {
                    self.cluster.advance(15);
                }
                text.push_str(&format!("nslookup: can't resolve '{name}'\n"));
                Output::err(text, 1)
            }
        }
    }

    /// `nslookup -type=srv|txt NAME` and `nslookup IP` (PTR); `None` for an A query.
    pub fn nslookup_records(&mut self, client: &Client, args: &[String], flavour: &str) -> Option<Output> {
        let name = args.iter().find(|a| !a.starts_with('-'))?;
        let is_ip = super::validation::parse_ipv4(name).is_some();
        let qtype = if is_ip { "PTR".to_string() } else { query_type(args)? };
        let server = match client {
            Client::Pod(_) => self.cluster.resolv_conf(client).1.first().cloned().unwrap_or_default(),
            _ => "127.0.0.53".into(),
        };
        let busybox = flavour == "busybox";
        let sep = if busybox { ":" } else { "#" };
        let mut text = format!("Server:\t\t{server}\nAddress:\t{server}{sep}53\n\n");
        let found = if is_ip {
            let q = arpa(name);
            self.cluster.records(&q, "PTR").map(|r| (q, r))
        } else {
            self.search(client, name, &qtype)
        };
        let word = match qtype.as_str() {
            "SRV" => "service",
            "PTR" => "name",
            _ => "text",
        };
        Some(match found {
            Some((q, records)) => {
                for r in &records {
                    text.push_str(&format!("{q}\t{word} = {}\n", rdata(r, !busybox)));
                }
                text.push('\n');
                Output::ok(text)
            }
            None => {
                let q = if is_ip { arpa(name) } else { name.clone() };
                text.push_str(&format!("** server can't find {q}: NXDOMAIN\n\n"));
                Output::err(text, 1)
            }
        })
    }

    /// `dig +short` for SRV, PTR (`-x`) and TXT; `None` for an A query.
    pub fn dig_records(&mut self, client: &Client, args: &[String]) -> Option<Output> {
        let reverse = args.iter().position(|a| a == "-x").and_then(|i| args.get(i + 1));
        let (q, qtype) = match reverse {
            Some(ip) => (arpa(ip), "PTR".to_string()),
            None => {
                let qtype = query_type(args)?;
                let name = args.iter().find(|a| {
                    !a.starts_with('+') && !a.starts_with('-') && !a.starts_with('@') && !a.eq_ignore_ascii_case(&qtype)
                })?;
                (name.clone(), qtype)
            }
        };
        // dig does not use the search list.
        let records = self.cluster.records(&q, &qtype).unwrap_or_default();
        let _ = client;
        Some(Output::ok(
            records
                .iter()
                .map(|r| format!("{}\n", rdata(r, true)))
                .collect::<String>(),
        ))
    }

    /// bind's `host NAME`, `host IP`, `host -t TYPE NAME`.
    pub fn host_tool(&mut self, client: &Client, args: &[String]) -> Output {
        let Some(name) = args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .find(|a| query_type(std::slice::from_ref(a)).is_none() && !a.eq_ignore_ascii_case("A"))
        else {
            return Output::err("Usage: host [-t type] name\n", 1);
        };
        if super::validation::parse_ipv4(name).is_some() {
            let q = arpa(name);
            return match self.cluster.records(&q, "PTR") {
                Some(r) => Output::ok(
                    r.iter()
                        .map(|r| format!("{q} domain name pointer {}\n", rdata(r, true)))
                        .collect::<String>(),
                ),
                None => Output::err(format!("Host {q} not found: 3(NXDOMAIN)\n"), 1),
            };
        }
        if let Some(qtype) = query_type(args) {
            return match self.search(client, name, &qtype) {
                Some((q, r)) => {
                    let word = if qtype == "SRV" {
                        "has SRV record"
                    } else {
                        "descriptive text"
                    };
                    Output::ok(
                        r.iter()
                            .map(|r| format!("{q} {word} {}\n", rdata(r, true)))
                            .collect::<String>(),
                    )
                }
                None => Output::err(format!("Host {name} not found: 3(NXDOMAIN)\n"), 1),
            };
        }
        match self.cluster.lookup(client, name) {
            Lookup::Found { name: fqdn, cname, ips } => {
                let mut text = String::new();
                if let Some(c) = &cname {
                    text.push_str(&format!("{fqdn} is an alias for {c}.\n"));
                }
                let shown = cname.unwrap_or(fqdn);
                for ip in ips {
                    text.push_str(&format!("{shown} has address {ip}\n"));
                }
                Output::ok(text)
            }
            Lookup::NxDomain { .. } => Output::err(format!("Host {name} not found: 3(NXDOMAIN)\n"), 1),
            Lookup::NoServer => {
                self.cluster.advance(15);
                Output::err(";; connection timed out; no servers could be reached\n", 1)
            }
        }
    }
}
