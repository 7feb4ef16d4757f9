//! Services without a selector: Endpoints the user writes (validated as `ValidateEndpoints`
//! does), kept by the endpoints controller, used by kube-proxy and the cluster DNS, and
//! mirrored into EndpointSlices by the endpointslice mirroring controller (one slice per
//! subset, labelled `endpointslice.kubernetes.io/managed-by:
//! endpointslicemirroring-controller.k8s.io`, owned by the Service, only `ready` set).

use super::apierror::{invalid, required, Bad, FieldError};
use super::cluster::{key, Cluster, Key};
use super::objects::*;
use super::store::Store;
use super::validation::{ip_error, special_ip};
use super::value::Value;

pub const MIRROR_CONTROLLER: &str = "endpointslicemirroring-controller.k8s.io";
pub const SKIP_MIRROR_LABEL: &str = "endpointslice.kubernetes.io/skip-mirror";

fn seq(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Seq(s)) => s,
        _ => &[],
    }
}

/// The addresses of a user's Endpoints, and the errors validation finds in them.
pub fn addresses(doc: &Value) -> (Vec<EndpointAddress>, Vec<FieldError>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, ss) in seq(doc.get("subsets")).iter().enumerate() {
        let at = format!("subsets[{i}]");
        let mut ports = Vec::new();
        let mut port_errs = Vec::new();
        let listed = seq(ss.get("ports"));
        for (j, p) in listed.iter().enumerate() {
            let pp = format!("{at}.ports[{j}]");
            let name = p.get("name").and_then(Value::as_str).filter(|n| !n.is_empty());
            if name.is_none() && listed.len() > 1 {
                port_errs.push(required(format!("{pp}.name"), ""));
            }
            let port = match p.get("port") {
                Some(Value::Int(n)) => *n,
                _ => 0,
            };
            if !(1..=65535).contains(&port) {
                port_errs.push(invalid(
                    format!("{pp}.port"),
                    Bad::Int(port),
                    "must be between 1 and 65535, inclusive",
                ));
            }
            let proto = match p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") {
                "TCP" => "TCP",
                "UDP" => "UDP",
                "SCTP" => "SCTP",
                other => {
                    port_errs.push(FieldError::NotSupported(
                        format!("{pp}.protocol"),
                        Bad::Str(other.into()),
                        vec!["SCTP", "TCP", "UDP"],
                    ));
                    "TCP"
                }
            };
            ports.push((name.map(str::to_string), port, proto));
        }
        let (ready, not_ready) = (seq(ss.get("addresses")), seq(ss.get("notReadyAddresses")));
        if ready.is_empty() && not_ready.is_empty() {
            errs.push(required(at.clone(), "must specify `addresses` or `notReadyAddresses`"));
        }
        for (field, list, is_ready) in [("addresses", ready, true), ("notReadyAddresses", not_ready, false)] {
            for (j, a) in list.iter().enumerate() {
                let ap = format!("{at}.{field}[{j}].ip");
                let ip = a.get("ip").and_then(Value::as_str).unwrap_or("").to_string();
                if let Some(m) = ip_error(&ip) {
                    errs.push(invalid(ap.clone(), Bad::Str(ip.clone()), &m));
                    // `ValidateNonSpecialIP` says it again in its own words.
                    errs.push(invalid(ap, Bad::Str(ip.clone()), "must be a valid IP address"));
                } else if let Some(m) = special_ip(&ip) {
                    errs.push(invalid(ap, Bad::Str(ip.clone()), m));
                }
                let target = a.get("targetRef");
                out.push(EndpointAddress {
                    ip,
                    node: a.get("nodeName").and_then(Value::as_str).map(str::to_string),
                    pod: target
                        .filter(|t| t.get("kind").and_then(Value::as_str) == Some("Pod"))
                        .and_then(|t| t.get("name")?.as_str().map(str::to_string)),
                    ready: is_ready,
                    serving: is_ready,
                    terminating: false,
                    ports: ports.clone(),
                });
            }
        }
        errs.append(&mut port_errs);
    }
    (out, errs)
}

/// Whether a Service takes its endpoints from what users write.
pub fn selectorless(svc: &Service) -> bool {
    svc.spec.selector.as_ref().is_none_or(|s| s.is_empty()) && svc.type_() != "ExternalName"
}

impl Cluster {
    /// Stores an Endpoints object a user wrote (`meta` already filled); the endpoints
    /// controller replaces it on its next pass if the Service has a selector.
    pub(crate) fn store_written_endpoints(&mut self, meta: Meta, addresses: Vec<EndpointAddress>) {
        let k = key(&meta.namespace, &meta.name);
        let slices = self.endpoints.get(&k).map(|e| e.slices.clone()).unwrap_or_default();
        self.endpoint_sigs.remove(&k);
        self.endpoints.insert(
            k,
            Endpoints {
                meta,
                addresses,
                slices,
                trigger_state: None,
                written: true,
            },
        );
        self.services_changed = true;
    }
}

/// The mirroring controller's pass for one user-written Endpoints: its slices, one per port
/// list, made or updated; stale ones deleted. Without a selectorless Service of the same
/// name, or with the skip-mirror label, it mirrors nothing.
pub fn mirror(slices: &mut Store<EndpointSlice>, made: &mut u64, now: Time, svc: Option<&Service>, e: &mut Endpoints) {
    let ns = e.meta.namespace.clone();
    let wanted = svc
        .filter(|s| selectorless(s))
        .filter(|_| e.meta.labels.get(SKIP_MIRROR_LABEL).map(String::as_str) != Some("true"));
    let Some(svc) = wanted else {
        for n in std::mem::take(&mut e.slices) {
            slices.remove(&key(&ns, &n));
        }
        return;
    };
    // One slice per port list, in the order the lists first appear.
    let mut groups: Vec<(Vec<(Option<String>, i64, &'static str)>, Vec<SliceEndpoint>)> = Vec::new();
    for a in &e.addresses {
        let endpoint = SliceEndpoint {
            ip: a.ip.clone(),
            pod: a.pod.clone(),
            ready: a.ready,
            serving: None,
            terminating: None,
        };
        match groups.iter_mut().find(|(p, _)| *p == a.ports) {
            Some((_, list)) => list.push(endpoint),
            None => groups.push((a.ports.clone(), vec![endpoint])),
        }
    }
    let mut labels = e.meta.labels.clone();
    labels.insert(SERVICE_NAME_LABEL.into(), svc.meta.name.clone());
    labels.insert(MANAGED_BY_LABEL.into(), MIRROR_CONTROLLER.into());
    let mut annotations = e.meta.annotations.clone();
    annotations.remove(super::apiserver::LAST_APPLIED);
    annotations.remove(super::controllers::TRIGGER_TIME);
    // The first slices are made within moments of the Endpoints.
    let now = if e.slices.is_empty() {
        e.meta.creation.max(now - 1)
    } else {
        now
    };
    let mut names = std::mem::take(&mut e.slices).into_iter();
    let mut kept = Vec::new();
    for (ports, endpoints) in groups {
        let existing = names.next().filter(|n| slices.contains_key(&key(&ns, n)));
        let name = existing.unwrap_or_else(|| {
            let mut r = Cluster::service_rng(&e.meta.uid, *made);
            *made += 1;
            let mut base = format!("{}-", e.meta.name);
            base.truncate(58);
            loop {
                let n = format!("{base}{}", r.string_from(super::cluster::ALPHANUMS, 5));
                if !slices.contains_key(&key(&ns, &n)) {
                    break n;
                }
            }
        });
        let k = key(&ns, &name);
        match slices.get_mut(&k) {
            Some(s) => {
                if s.ports != ports || s.endpoints != endpoints || s.meta.labels != labels {
                    s.meta.generation += 1;
                }
                s.ports = ports;
                s.endpoints = endpoints;
                s.meta.labels = labels.clone();
                s.meta.annotations = annotations.clone();
            }
            None => {
                let meta = Meta {
                    name: name.clone(),
                    generate_name: Some(format!("{}-", e.meta.name)),
                    namespace: ns.clone(),
                    labels: labels.clone(),
                    annotations: annotations.clone(),
                    creation: now,
                    owner: Some(Owner {
                        kind: "Service".into(),
                        name: svc.meta.name.clone(),
                        uid: svc.meta.uid.clone(),
                    }),
                    generation: 1,
                    ..Meta::default()
                };
                slices.insert(
                    k,
                    EndpointSlice {
                        meta,
                        ports,
                        endpoints,
                        written: Value::Null,
                    },
                );
            }
        }
        kept.push(name);
    }
    for n in names {
        slices.remove(&key(&ns, &n));
    }
    e.slices = kept;
}

/// A user's EndpointSlice: its ports and endpoints, and the errors validation finds
/// (`ValidateEndpointSlice`: an address type, an address an endpoint at least, IPv4 ones
/// valid and not special, port numbers and protocols).
pub fn slice_from(doc: &Value) -> (EndpointSlice, Vec<FieldError>) {
    let mut errs = Vec::new();
    let family = doc.get("addressType").and_then(Value::as_str).unwrap_or("");
    match family {
        "" => errs.push(required("addressType", "")),
        "IPv4" | "IPv6" | "FQDN" => {}
        other => errs.push(FieldError::NotSupported(
            "addressType".into(),
            Bad::Str(other.into()),
            vec!["FQDN", "IPv4", "IPv6"],
        )),
    }
    let mut endpoints = Vec::new();
    for (i, e) in seq(doc.get("endpoints")).iter().enumerate() {
        let ap = format!("endpoints[{i}].addresses");
        let addresses = seq(e.get("addresses"));
        if addresses.is_empty() {
            errs.push(required(ap.clone(), "must contain at least 1 address"));
        }
        for (j, a) in addresses.iter().enumerate() {
            let ip = a.as_str().unwrap_or("");
            if family == "IPv4" {
                if super::validation::parse_ipv4(ip).is_none() || ip_error(ip).is_some() {
                    errs.push(invalid(
                        format!("{ap}[{j}]"),
                        Bad::Str(ip.into()),
                        "must be a valid IPv4 address",
                    ));
                } else if let Some(m) = special_ip(ip) {
                    errs.push(invalid(format!("{ap}[{j}]"), Bad::Str(ip.into()), m));
                }
            }
        }
        let cond = |k: &str| {
            e.get("conditions").and_then(|c| c.get(k)).and_then(|v| match v {
                Value::Bool(b) => Some(*b),
                _ => None,
            })
        };
        let target = e.get("targetRef");
        endpoints.push(SliceEndpoint {
            ip: addresses.first().and_then(Value::as_str).unwrap_or("").to_string(),
            pod: target
                .filter(|t| t.get("kind").and_then(Value::as_str) == Some("Pod"))
                .and_then(|t| t.get("name")?.as_str().map(str::to_string)),
            // A missing `ready` reads as ready (kube-proxy's rule for an unknown state).
            ready: cond("ready").unwrap_or(true),
            serving: cond("serving"),
            terminating: cond("terminating"),
        });
    }
    let mut ports = Vec::new();
    for (j, p) in seq(doc.get("ports")).iter().enumerate() {
        let pp = format!("ports[{j}]");
        let port = match p.get("port") {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        if p.get("port").is_some() && !(1..=65535).contains(&port) {
            errs.push(invalid(
                format!("{pp}.port"),
                Bad::Int(port),
                "must be between 1 and 65535, inclusive",
            ));
        }
        let proto = match p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") {
            "UDP" => "UDP",
            "SCTP" => "SCTP",
            "TCP" => "TCP",
            other => {
                errs.push(FieldError::NotSupported(
                    format!("{pp}.protocol"),
                    Bad::Str(other.into()),
                    vec!["SCTP", "TCP", "UDP"],
                ));
                "TCP"
            }
        };
        let name = p.get("name").and_then(Value::as_str).map(str::to_string);
        ports.push((name.filter(|n| !n.is_empty()), port, proto));
    }
    // What the API server returns: a port's name defaults to "" and its protocol to TCP; an
    // endpoint's `conditions` is an object even when left out (no defaults inside it).
    let fill = |v: &Value, defaults: &[(&str, Value)]| {
        let mut m = match v {
            Value::Map(m) => m.clone(),
            _ => Vec::new(),
        };
        for (k, d) in defaults {
            if v.get(k).is_none() {
                m.push((k.to_string(), d.clone()));
            }
        }
        Value::Map(m)
    };
    let list = |k: &str, defaults: &[(&str, Value)]| {
        let items: Vec<Value> = seq(doc.get(k)).iter().map(|v| fill(v, defaults)).collect();
        (!items.is_empty()).then_some(Value::Seq(items)).unwrap_or_default()
    };
    let written = Value::map(vec![
        ("addressType", Value::str(family)),
        (
            "endpoints",
            list("endpoints", &[("conditions", Value::Map(Vec::new()))]),
        ),
        (
            "ports",
            list("ports", &[("name", Value::str("")), ("protocol", Value::str("TCP"))]),
        ),
    ]);
    let slice = EndpointSlice {
        meta: Meta::default(),
        ports,
        endpoints,
        written,
    };
    (slice, errs)
}

/// Whether a slice is one the lab's controllers keep (the endpointslice controller's, the
/// mirroring controller's, or the API server's `kubernetes`).
pub fn controller_made(s: &EndpointSlice) -> bool {
    s.meta.owner.is_some() || s.meta.name == "kubernetes" && s.meta.namespace == "default"
}

impl Cluster {
    /// What kube-proxy and the DNS read for a Service: its Endpoints, with the endpoints of
    /// the EndpointSlices users wrote for it (kube-proxy reads every slice of a Service).
    pub fn service_addresses(&self, k: &Key) -> &[EndpointAddress] {
        if let Some((_, v)) = self.sliced.iter().find(|(sk, _)| sk == k) {
            return v;
        }
        self.endpoints.get(k).map_or(&[], |e| &e.addresses)
    }

    /// Recomputes `sliced` for the Services that have slices users wrote.
    pub(crate) fn sync_written_slices(&mut self) {
        let mut out: Vec<(Key, Vec<EndpointAddress>)> = Vec::new();
        for (k, s) in &self.slices {
            if controller_made(s) {
                continue;
            }
            let Some(svc_name) = s.meta.labels.get(SERVICE_NAME_LABEL) else {
                continue;
            };
            let sk = key(&k.0, svc_name);
            if !self.services.contains_key(&sk) {
                continue;
            }
            let i = match out.iter().position(|(k, _)| *k == sk) {
                Some(i) => i,
                None => {
                    let own = self.endpoints.get(&sk).map(|e| e.addresses.clone()).unwrap_or_default();
                    out.push((sk, own));
                    out.len() - 1
                }
            };
            let list = &mut out[i].1;
            for e in &s.endpoints {
                list.push(EndpointAddress {
                    ip: e.ip.clone(),
                    node: None,
                    pod: e.pod.clone(),
                    ready: e.ready,
                    serving: e.serving.unwrap_or(e.ready),
                    terminating: e.terminating.unwrap_or(false),
                    ports: s.ports.clone(),
                });
            }
        }
        self.sliced = out;
    }
}
