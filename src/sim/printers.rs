//! What kubectl prints for objects: table columns (`pkg/printers/internalversion/printers.go`,
//! reference section 5.2) and `describe` (kubectl's describers).

use super::apiserver::LAST_APPLIED;
use super::clock::{http_date, human_duration};
use super::cluster::Cluster;
use super::images;
use super::lab::hex_id;
use super::objects::*;
use super::tabwriter::align;
use super::version;

pub(crate) fn age(c: &Cluster, t: Time) -> String {
    human_duration(c.now - t)
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

// ---------------------------------------------------------------------------------------------
// Table rows

/// A table's column names; `-o wide` adds `wide_columns`.
fn header(columns: &[&str], wide_columns: &[&str], wide: bool) -> Vec<String> {
    let extra = if wide { wide_columns } else { &[] };
    columns.iter().chain(extra).map(|c| c.to_string()).collect()
}

pub fn pod_status(p: &Pod) -> String {
    if p.is_terminating() {
        return "Terminating".into();
    }
    if p.spec.node_name.is_none() {
        return "Pending".into();
    }
    match &p.status.state {
        ContainerState::Waiting(r) => r.clone(),
        ContainerState::Running { .. } => "Running".into(),
        ContainerState::Terminated { reason, .. } => reason.clone(),
    }
}

pub fn pod_header(wide: bool) -> Vec<String> {
    header(
        &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        wide,
    )
}

pub fn pod_row(c: &Cluster, p: &Pod, name: String, wide: bool) -> Vec<String> {
    let total = p.spec.containers.len();
    let ready = if p.status.ready && !p.is_terminating() {
        total
    } else {
        0
    };
    let restarts = match p.status.last_restart {
        Some(t) if p.status.restarts > 0 => format!("{} ({} ago)", p.status.restarts, age(c, t)),
        _ => p.status.restarts.to_string(),
    };
    let mut row = vec![
        name,
        format!("{ready}/{total}"),
        pod_status(p),
        restarts,
        age(c, p.meta.creation),
    ];
    if wide {
        row.push(p.status.pod_ip.clone().unwrap_or_else(|| "<none>".into()));
        row.push(p.spec.node_name.clone().unwrap_or_else(|| "<none>".into()));
        row.push("<none>".into());
        row.push("<none>".into());
    }
    row
}

pub fn service_header(wide: bool) -> Vec<String> {
    header(
        &["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        &["SELECTOR"],
        wide,
    )
}

pub fn service_external_ip(s: &Service) -> String {
    match s.type_() {
        "ClusterIP" | "NodePort" => none_if_empty(s.spec.external_ips.join(",")),
        "LoadBalancer" => {
            if s.spec.external_ips.is_empty() {
                "<pending>".into()
            } else {
                s.spec.external_ips.join(",")
            }
        }
        "ExternalName" => s.spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

pub fn service_ports(s: &Service) -> String {
    let parts: Vec<String> = s
        .spec
        .ports
        .iter()
        .map(|p| match p.node_port {
            Some(np) if np > 0 => format!("{}:{}/{}", p.port, np, p.protocol()),
            _ => format!("{}/{}", p.port, p.protocol()),
        })
        .collect();
    none_if_empty(parts.join(","))
}

pub fn service_row(c: &Cluster, s: &Service, name: String, wide: bool) -> Vec<String> {
    let cluster_ip = if s.type_() == "ExternalName" {
        "<none>".into()
    } else {
        s.spec.cluster_ip.clone().unwrap_or_else(|| "<none>".into())
    };
    let mut row = vec![
        name,
        s.type_().to_string(),
        cluster_ip,
        service_external_ip(s),
        service_ports(s),
        age(c, s.meta.creation),
    ];
    if wide {
        row.push(none_if_empty(
            s.spec.selector.as_ref().map(render_labels).unwrap_or_default(),
        ));
    }
    row
}

fn containers_images(t: &PodTemplate) -> (String, String) {
    (
        t.spec
            .containers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(","),
        t.spec
            .containers
            .iter()
            .map(|c| c.image.as_str())
            .collect::<Vec<_>>()
            .join(","),
    )
}

pub fn deployment_header(wide: bool) -> Vec<String> {
    header(
        &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        &["CONTAINERS", "IMAGES", "SELECTOR"],
        wide,
    )
}

pub fn deployment_row(c: &Cluster, d: &Deployment, name: String, wide: bool) -> Vec<String> {
    let st = c.deployment_status(d);
    let mut row = vec![
        name,
        format!("{}/{}", st.ready, d.replicas.unwrap_or(1)),
        st.updated.to_string(),
        st.available.to_string(),
        age(c, d.meta.creation),
    ];
    if wide {
        let (cs, is) = containers_images(&d.template);
        row.extend([
            cs,
            is,
            d.selector.as_ref().map(LabelSelector::render).unwrap_or_default(),
        ]);
    }
    row
}

pub fn replica_set_header(wide: bool) -> Vec<String> {
    header(
        &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        &["CONTAINERS", "IMAGES", "SELECTOR"],
        wide,
    )
}

pub fn replica_set_row(c: &Cluster, rs: &ReplicaSet, name: String, wide: bool) -> Vec<String> {
    let (current, ready) = c.replica_set_counts(rs);
    let mut row = vec![
        name,
        rs.replicas.unwrap_or(0).to_string(),
        current.to_string(),
        ready.to_string(),
        age(c, rs.meta.creation),
    ];
    if wide {
        let (cs, is) = containers_images(&rs.template);
        row.extend([
            cs,
            is,
            rs.selector.as_ref().map(LabelSelector::render).unwrap_or_default(),
        ]);
    }
    row
}

/// `formatEndpoints`: ready addresses times ports, at most three, then `+ N more...`.
pub fn format_endpoints(e: &Endpoints) -> String {
    let ready: Vec<&EndpointAddress> = e.addresses.iter().filter(|a| a.ready).collect();
    let listed = e.addresses.iter().any(EndpointAddress::in_subsets);
    if ready.is_empty() {
        return if listed { String::new() } else { "<none>".into() };
    }
    let mut all = Vec::new();
    let port_count = ready[0].ports.len();
    for pi in 0..port_count.max(1) {
        for a in &ready {
            match a.ports.get(pi) {
                Some((_, p, _)) => all.push(format!("{}:{}", a.ip, p)),
                None if port_count == 0 => all.push(a.ip.clone()),
                None => {}
            }
        }
    }
    if all.len() > 3 {
        format!("{} + {} more...", all[..3].join(","), all.len() - 3)
    } else {
        all.join(",")
    }
}

pub fn endpoints_row(c: &Cluster, e: &Endpoints, name: String) -> Vec<String> {
    vec![name, format_endpoints(e), age(c, e.meta.creation)]
}

pub fn endpoint_slice_header() -> Vec<String> {
    header(&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[], false)
}

/// `listWithMoreString`: at most three items, then `+ N more...`; `<unset>` for none.
fn list_with_more(items: Vec<String>) -> String {
    match items.len() {
        0 => "<unset>".into(),
        n if n > 3 => format!("{} + {} more...", items[..3].join(","), n - 3),
        _ => items.join(","),
    }
}

/// PORTS lists port numbers; ENDPOINTS every address, ready or not.
pub fn endpoint_slice_row(c: &Cluster, e: &EndpointSlice, name: String) -> Vec<String> {
    let ports = list_with_more(e.ports.iter().map(|(_, p, _)| p.to_string()).collect());
    let endpoints = list_with_more(e.endpoints.iter().map(|a| a.ip.clone()).collect());
    vec![name, "IPv4".into(), ports, endpoints, age(c, e.meta.creation)]
}

pub fn node_header(wide: bool) -> Vec<String> {
    header(
        &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        &[
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ],
        wide,
    )
}

pub fn node_row(c: &Cluster, n: &Node, name: String, wide: bool) -> Vec<String> {
    let roles = if n.labels.contains_key("node-role.kubernetes.io/control-plane") {
        "control-plane"
    } else {
        "<none>"
    };
    let mut row = vec![
        name,
        "Ready".into(),
        roles.into(),
        age(c, n.creation),
        version::SERVER_VERSION.into(),
    ];
    if wide {
        row.extend([
            n.ip.clone(),
            "<none>".into(),
            "Ubuntu 24.04.2 LTS".into(),
            "6.8.0-60-generic".into(),
            "containerd://1.7.27".into(),
        ]);
    }
    row
}

pub fn other_row(c: &Cluster, o: &Other, name: String) -> (Vec<String>, Vec<String>) {
    let count = |k: &str| match o.body.get(k) {
        Some(super::value::Value::Map(m)) => m.len(),
        _ => 0,
    };
    match o.kind.as_str() {
        "ConfigMap" => (
            vec!["NAME".into(), "DATA".into(), "AGE".into()],
            vec![
                name,
                (count("data") + count("binaryData")).to_string(),
                age(c, o.meta.creation),
            ],
        ),
        "Secret" => {
            let t = o
                .body
                .get("type")
                .and_then(|t| t.as_str())
                .unwrap_or("Opaque")
                .to_string();
            (
                vec!["NAME".into(), "TYPE".into(), "DATA".into(), "AGE".into()],
                vec![
                    name,
                    t,
                    (count("data") + count("stringData")).to_string(),
                    age(c, o.meta.creation),
                ],
            )
        }
        _ => (vec!["NAME".into(), "AGE".into()], vec![name, age(c, o.meta.creation)]),
    }
}

// ---------------------------------------------------------------------------------------------
// describe

/// A describe block: `Title:` with the first entry, later entries indented below it, `<none>`
/// when there is none.
pub(crate) fn block(out: &mut String, title: &str, entries: Vec<String>) {
    if entries.is_empty() {
        out.push_str(&format!("{title}:\t<none>\n"));
        return;
    }
    for (i, e) in entries.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("{title}:\t{e}\n"));
        } else {
            out.push_str(&format!("\t{e}\n"));
        }
    }
}

/// kubectl's label block: `key=value`, one a line.
pub(crate) fn multiline(out: &mut String, title: &str, map: &Labels) {
    block(out, title, map.iter().map(|(k, v)| format!("{k}={v}")).collect());
}

/// `kubectl describe namespace`: this lab has no ResourceQuota or LimitRange objects.
pub fn describe_namespace(ns: &Namespace) -> String {
    let mut o = format!("Name:\t{}\n", ns.meta.name);
    multiline(&mut o, "Labels", &ns.meta.labels);
    annotations(&mut o, &ns.meta.annotations);
    o.push_str("Status:\tActive\n\nNo resource quota.\n\nNo LimitRange resource.\n");
    align(&o, 0, 2)
}

/// `kubectl describe endpoints`, from the object as the API serves it: one block per subset.
pub fn describe_endpoints(obj: &super::value::Value) -> String {
    use super::value::Value;
    let items = |v: Option<&Value>| -> Vec<Value> {
        match v {
            Some(Value::Seq(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let ips = |v: Option<&Value>| {
        let list: Vec<String> = items(v).iter().map(|a| str_field(Some(a), "ip")).collect();
        if list.is_empty() {
            "<none>".to_string()
        } else {
            list.join(",")
        }
    };
    let mut o = describe_head(obj, true);
    o.push_str("Subsets:\n");
    for subset in items(obj.get("subsets")) {
        o.push_str(&format!("  Addresses:\t{}\n", ips(subset.get("addresses"))));
        o.push_str(&format!(
            "  NotReadyAddresses:\t{}\n",
            ips(subset.get("notReadyAddresses"))
        ));
        let ports = items(subset.get("ports"));
        if !ports.is_empty() {
            o.push_str("  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n");
            for p in ports {
                let name = Some(str_field(Some(&p), "name"))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "<unset>".into());
                let port = match p.get("port") {
                    Some(Value::Int(n)) => n.to_string(),
                    _ => String::new(),
                };
                o.push_str(&format!("    {name}\t{port}\t{}\n", str_field(Some(&p), "protocol")));
            }
        }
        o.push('\n');
    }
    o.push_str("Events:\t<none>\n");
    align(&o, 0, 2)
}

/// `kubectl describe endpointslice`: ports, then each endpoint with its readiness, target and
/// node (this lab's nodes carry no zone).
pub fn describe_endpoint_slice(c: &Cluster, e: &EndpointSlice) -> String {
    let mut o = format!("Name:\t{}\nNamespace:\t{}\n", e.meta.name, e.meta.namespace);
    multiline(&mut o, "Labels", &e.meta.labels);
    annotations(&mut o, &e.meta.annotations);
    o.push_str("AddressType:\tIPv4\n");
    if e.ports.is_empty() {
        o.push_str("Ports: <unset>\n");
    } else {
        o.push_str("Ports:\n  Name\tPort\tProtocol\n  ----\t----\t--------\n");
        for (name, port, proto) in &e.ports {
            let name = name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
            o.push_str(&format!("  {name}\t{port}\t{proto}\n"));
        }
    }
    if e.endpoints.is_empty() {
        o.push_str("Endpoints: <none>\n");
    } else {
        o.push_str("Endpoints:\n");
        let service = e.meta.labels.get(SERVICE_NAME_LABEL).map_or("", String::as_str);
        for a in &e.endpoints {
            let pod = a
                .pod
                .as_ref()
                .and_then(|n| c.pods.get(&super::cluster::key(&e.meta.namespace, n)));
            let hostname = pod
                .filter(|p| e.meta.owner.is_some() && p.spec.subdomain.as_deref() == Some(service))
                .and_then(|p| p.spec.hostname.as_deref())
                .unwrap_or("<unset>");
            o.push_str(&format!(
                "  - Addresses:\t{}\n    Conditions:\n      Ready:\t{}\n    Hostname:\t{hostname}\n",
                a.ip, a.ready
            ));
            if let Some(p) = pod {
                o.push_str(&format!("    TargetRef:\tPod/{}\n", p.meta.name));
            }
            o.push_str(&format!(
                "    NodeName:\t{}\n    Zone:\t<unset>\n",
                pod.and_then(|p| p.node()).unwrap_or("<unset>")
            ));
        }
    }
    o.push_str("Events:\t<none>\n");
    align(&o, 0, 2)
}

/// A string field of an object as the API serves it; empty when absent.
fn str_field(v: Option<&super::value::Value>, f: &str) -> String {
    v.and_then(|v| v.get(f))
        .and_then(|x| x.as_str())
        .unwrap_or_default()
        .to_string()
}

/// Name, namespace, labels and annotations of an object as the API serves it.
fn describe_head(obj: &super::value::Value, namespaced: bool) -> String {
    let meta = obj.get("metadata");
    let field = |f: &str| -> Labels {
        let mut out = Labels::new();
        if let Some(super::value::Value::Map(entries)) = meta.and_then(|m| m.get(f)) {
            for (k, v) in entries {
                out.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
            }
        }
        out
    };
    let mut o = format!("Name:\t{}\n", str_field(meta, "name"));
    if namespaced {
        o.push_str(&format!("Namespace:\t{}\n", str_field(meta, "namespace")));
    }
    multiline(&mut o, "Labels", &field("labels"));
    annotations(&mut o, &field("annotations"));
    o
}

/// `kubectl describe` of a kind without its own describer here: name, namespace, labels and
/// annotations (read from the object as the API serves it), no events.
pub fn describe_basic(obj: &super::value::Value, namespaced: bool) -> String {
    let mut o = describe_head(obj, namespaced);
    o.push_str("Events:\t<none>\n");
    align(&o, 0, 2)
}

/// kubectl's annotation block: `key: value` (labels use `=`), without the last-applied
/// configuration; a value with a newline, or too long for one line, goes below its key.
pub(crate) fn annotations(out: &mut String, map: &Labels) {
    annotations_titled(out, "Annotations", map);
}

fn annotations_titled(out: &mut String, title: &str, map: &Labels) {
    const MAX: usize = 140;
    let entries = map
        .iter()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED)
        .map(|(k, v)| {
            let v = v.strip_suffix('\n').unwrap_or(v);
            if v.len() + k.len() + 2 <= MAX && !v.contains('\n') {
                return format!("{k}: {v}");
            }
            let mut e = format!("{k}:");
            for line in v.split('\n') {
                e.push_str(&format!("\n\t  {}", shorten(line, MAX - 2)));
            }
            e
        })
        .collect();
    block(out, title, entries);
}

/// The first `max` bytes of `s` and `...` when it is longer (cut at a character boundary).
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

pub(crate) fn events(c: &Cluster, out: &mut String, events: &[Event]) {
    // Events live an hour after their last occurrence (the API server's `--event-ttl`).
    let live: Vec<&Event> = events.iter().filter(|e| e.at > c.now - EVENT_TTL).collect();
    if live.is_empty() {
        out.push_str("Events:\t<none>\n");
        return;
    }
    out.push_str("Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n");
    // Repeats of one event are one line: `10s (x3 over 50s)`.
    for e in live {
        let when = if e.count > 1 {
            format!("{} (x{} over {})", age(c, e.at), e.count, age(c, e.first))
        } else {
            age(c, e.at)
        };
        out.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\n",
            e.type_, e.reason, when, e.from, e.message
        ));
    }
}

pub fn describe_service(c: &Cluster, s: &Service) -> String {
    let mut o = String::new();
    o.push_str(&format!("Name:\t{}\nNamespace:\t{}\n", s.meta.name, s.meta.namespace));
    multiline(&mut o, "Labels", &s.meta.labels);
    annotations(&mut o, &s.meta.annotations);
    o.push_str(&format!(
        "Selector:\t{}\n",
        none_if_empty(s.spec.selector.as_ref().map(render_labels).unwrap_or_default())
    ));
    o.push_str(&format!("Type:\t{}\n", s.type_()));
    if let Some(p) = &s.spec.ip_family_policy {
        o.push_str(&format!("IP Family Policy:\t{p}\n"));
    }
    if s.type_() != "ExternalName" {
        o.push_str(&format!(
            "IP Families:\t{}\n",
            none_if_empty(s.spec.ip_families.join(","))
        ));
        o.push_str(&format!("IP:\t{}\n", s.spec.cluster_ip.clone().unwrap_or_default()));
        o.push_str(&format!("IPs:\t{}\n", none_if_empty(s.spec.cluster_ips.join(","))));
    } else {
        o.push_str("IP Families:\t<none>\nIP:\t\nIPs:\t<none>\n");
    }
    if !s.spec.external_ips.is_empty() {
        o.push_str(&format!("External IPs:\t{}\n", s.spec.external_ips.join(",")));
    }
    if let Some(lb) = &s.spec.load_balancer_ip {
        o.push_str(&format!("Desired LoadBalancer IP:\t{lb}\n"));
    }
    if let Some(en) = &s.spec.external_name {
        o.push_str(&format!("External Name:\t{en}\n"));
    }
    let eps = Some(c.service_addresses(&(s.meta.namespace.clone(), s.meta.name.clone())));
    for p in &s.spec.ports {
        let name = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        o.push_str(&format!("Port:\t{name}\t{}/{}\n", p.port, p.protocol()));
        o.push_str(&format!("TargetPort:\t{}/{}\n", p.target().render(), p.protocol()));
        if let Some(np) = p.node_port.filter(|n| *n > 0) {
            o.push_str(&format!("NodePort:\t{name}\t{np}/{}\n", p.protocol()));
        }
        let list = eps.map(|e| {
            let ready: Vec<String> = e
                .iter()
                .filter(|a| a.ready)
                .filter_map(|a| {
                    a.ports
                        .iter()
                        .find(|(n, _, _)| *n == p.name)
                        .map(|(_, port, _)| format!("{}:{port}", a.ip))
                })
                .collect();
            if ready.len() > 3 {
                format!("{} + {} more...", ready[..3].join(","), ready.len() - 3)
            } else {
                ready.join(",")
            }
        });
        // kubectl lists the Service's EndpointSlices: none at all is `<none>`.
        let sliced = c
            .slices
            .iter()
            .any(|(k, sl)| k.0 == s.meta.namespace && sl.meta.labels.get(SERVICE_NAME_LABEL) == Some(&s.meta.name));
        if s.type_() != "ExternalName" {
            let list = if sliced {
                list.unwrap_or_default()
            } else {
                "<none>".into()
            };
            o.push_str(&format!("Endpoints:\t{list}\n"));
        }
    }
    o.push_str(&format!(
        "Session Affinity:\t{}\n",
        s.spec.session_affinity.clone().unwrap_or_else(|| "None".into())
    ));
    if let Some(etp) = &s.spec.external_traffic_policy {
        o.push_str(&format!("External Traffic Policy:\t{etp}\n"));
    }
    // kubectl v1.32's order: internal traffic policy, health check node port, source ranges.
    if let Some(itp) = &s.spec.internal_traffic_policy {
        o.push_str(&format!("Internal Traffic Policy:\t{itp}\n"));
    }
    if let Some(h) = s.spec.health_check_node_port {
        o.push_str(&format!("HealthCheck NodePort:\t{h}\n"));
    }
    if !s.spec.lb_source_ranges.is_empty() {
        o.push_str(&format!(
            "LoadBalancer Source Ranges:\t{}\n",
            s.spec.lb_source_ranges.join(",")
        ));
    }
    events(c, &mut o, &[]);
    align(&o, 0, 2)
}

pub(crate) fn start_time(c: &Cluster, t: Time) -> String {
    http_date(c.lab.start_unix + t).replace(" GMT", " +0000")
}

pub fn describe_pod(c: &Cluster, p: &Pod) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "Name:\t{}\nNamespace:\t{}\nPriority:\t0\nService Account:\tdefault\n",
        p.meta.name, p.meta.namespace
    ));
    match p.node() {
        Some(n) => o.push_str(&format!(
            "Node:\t{n}/{}\n",
            c.node(n).map(|n| n.ip.clone()).unwrap_or_default()
        )),
        None => o.push_str("Node:\t<none>\n"),
    }
    if let Some(t) = p.status.start_time {
        o.push_str(&format!("Start Time:\t{}\n", start_time(c, t)));
    }
    multiline(&mut o, "Labels", &p.meta.labels);
    annotations(&mut o, &p.meta.annotations);
    if let Some(d) = p.meta.deletion {
        o.push_str(&format!(
            "Status:\tTerminating (lasts {})\n",
            human_duration(c.now - (d - p.meta.grace_seconds.unwrap_or(30)))
        ));
        o.push_str(&format!(
            "Termination Grace Period:\t{}s\n",
            p.meta.grace_seconds.unwrap_or(30)
        ));
    } else {
        o.push_str(&format!("Status:\t{}\n", p.status.phase));
    }
    o.push_str(&format!("IP:\t{}\n", p.status.pod_ip.clone().unwrap_or_default()));
    match &p.status.pod_ip {
        Some(ip) => o.push_str(&format!("IPs:\n  IP:\t{ip}\n")),
        None => o.push_str("IPs:\t<none>\n"),
    }
    if let Some(owner) = &p.meta.owner {
        o.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    o.push_str("Containers:\n");
    for ct in &p.spec.containers {
        o.push_str(&format!("  {}:\n", ct.name));
        let started = p.spec.node_name.is_some()
            && !matches!(&p.status.state, ContainerState::Waiting(r) if r == "ContainerCreating" || r == "ErrImagePull" || r == "ImagePullBackOff");
        if started {
            o.push_str(&format!(
                "    Container ID:\tcontainerd://{}\n",
                hex_id(&format!("{}{}", p.meta.uid, ct.name), 64)
            ));
        } else {
            o.push_str("    Container ID:\t\n");
        }
        o.push_str(&format!("    Image:\t{}\n", ct.image));
        if started {
            let reference = images::full_reference(&ct.image);
            let repo = reference.rsplit_once(':').map_or(reference.as_str(), |(r, _)| r);
            o.push_str(&format!("    Image ID:\t{repo}@sha256:{}\n", hex_id(&ct.image, 64)));
        } else {
            o.push_str("    Image ID:\t\n");
        }
        match ct.ports.as_slice() {
            [] => o.push_str("    Port:\t<none>\n    Host Port:\t<none>\n"),
            [one] => o.push_str(&format!(
                "    Port:\t{}/{}\n    Host Port:\t0/{}\n",
                one.container_port,
                one.protocol.as_deref().unwrap_or("TCP"),
                one.protocol.as_deref().unwrap_or("TCP")
            )),
            many => {
                let ps: Vec<String> = many
                    .iter()
                    .map(|x| format!("{}/{}", x.container_port, x.protocol.as_deref().unwrap_or("TCP")))
                    .collect();
                let hs: Vec<String> = many
                    .iter()
                    .map(|x| format!("0/{}", x.protocol.as_deref().unwrap_or("TCP")))
                    .collect();
                o.push_str(&format!(
                    "    Ports:\t{}\n    Host Ports:\t{}\n",
                    ps.join(", "),
                    hs.join(", ")
                ));
            }
        }
        if !ct.command.is_empty() {
            o.push_str("    Command:\n");
            for w in &ct.command {
                o.push_str(&format!("      {w}\n"));
            }
        }
        if !ct.args.is_empty() {
            o.push_str("    Args:\n");
            for w in &ct.args {
                o.push_str(&format!("      {w}\n"));
            }
        }
        match &p.status.state {
            ContainerState::Waiting(r) => o.push_str(&format!("    State:\tWaiting\n      Reason:\t{r}\n")),
            ContainerState::Running { since } => o.push_str(&format!(
                "    State:\tRunning\n      Started:\t{}\n",
                start_time(c, *since)
            )),
            ContainerState::Terminated {
                reason,
                exit_code,
                started,
                finished,
            } => o.push_str(&format!(
                "    State:\tTerminated\n      Reason:\t{reason}\n      Exit Code:\t{exit_code}\n      Started:\t{}\n      \
                 Finished:\t{}\n",
                start_time(c, *started),
                start_time(c, *finished)
            )),
        }
        if let Some((reason, code, started, finished)) = p.status.probe.last {
            o.push_str(&format!(
                "    Last State:\tTerminated\n      Reason:\t{reason}\n      Exit Code:\t{code}\n      \
                Started:\t{}\n      Finished:\t{}\n",
                start_time(c, started),
                start_time(c, finished)
            ));
        }
        o.push_str(&format!(
            "    Ready:\t{}\n",
            if p.status.ready && !p.is_terminating() {
                "True"
            } else {
                "False"
            }
        ));
        o.push_str(&format!("    Restart Count:\t{}\n", p.status.restarts));
        let probes = super::probes::of(p);
        for (kind, name) in [(1, "Liveness"), (2, "Readiness"), (0, "Startup")] {
            if let Some(probe) = probes.iter().find(|x| x.kind == kind) {
                o.push_str(&format!("    {name}:\t{}\n", super::probes::describe(probe)));
            }
        }
        o.push_str("    Environment:\t<none>\n    Mounts:\n");
        for v in &p.spec.volumes {
            o.push_str(&format!("      {} from {} (rw)\n", "/mnt", v.name));
        }
        o.push_str(&format!(
            "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-{} (ro)\n",
            &hex_id(&p.meta.uid, 5)
        ));
    }
    let b = |x: bool| if x { "True" } else { "False" };
    o.push_str("Conditions:\n  Type\tStatus\n");
    o.push_str(&format!("  PodReadyToStartContainers\t{}\n", b(p.has_sandbox())));
    o.push_str(&format!("  Initialized\t{}\n", b(p.spec.node_name.is_some())));
    o.push_str(&format!("  Ready\t{}\n", b(p.is_ready())));
    o.push_str(&format!("  ContainersReady\t{}\n", b(p.status.ready)));
    o.push_str(&format!("  PodScheduled\t{}\n", b(p.spec.node_name.is_some())));
    o.push_str("Volumes:\n");
    for v in &p.spec.volumes {
        match &v.source {
            VolumeSource::Secret(n) => o.push_str(&format!(
                "  {}:\n    Type:\tSecret (a volume populated by a \
                Secret)\n    SecretName:\t{n}\n    Optional:\tfalse\n",
                v.name
            )),
            VolumeSource::ConfigMap(n) => o.push_str(&format!(
                "  {}:\n    Type:\tConfigMap (a volume populated by a \
                ConfigMap)\n    Name:\t{n}\n    Optional:\tfalse\n",
                v.name
            )),
            VolumeSource::Other => o.push_str(&format!(
                "  {}:\n    Type:\tEmptyDir (a temporary directory that shares \
                a pod's lifetime)\n",
                v.name
            )),
        }
    }
    o.push_str(&format!(
        "  kube-api-access-{}:\n    Type:\tProjected (a volume that contains injected data from multiple \
            sources)\n    TokenExpirationSeconds:\t3607\n    ConfigMapName:\tkube-root-ca.crt\n    ConfigMapOptional:\t<nil>\n    DownwardAPI:\ttrue\n",
        hex_id(&p.meta.uid, 5)
    ));
    o.push_str("QoS Class:\tBestEffort\n");
    o.push_str(&format!(
        "Node-Selectors:\t{}\n",
        none_if_empty(render_labels(&p.spec.node_selector))
    ));
    let mut tolerations: Vec<String> = p
        .spec
        .tolerations
        .iter()
        .map(|t| {
            let mut s = t.key.clone().unwrap_or_default();
            if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("={v}"));
            }
            if let Some(e) = &t.effect {
                s.push_str(&format!(":{e}"));
            }
            if t.operator.as_deref() == Some("Exists") {
                s.push_str(" op=Exists");
            }
            s
        })
        .collect();
    tolerations.push("node.kubernetes.io/not-ready:NoExecute op=Exists for 300s".into());
    tolerations.push("node.kubernetes.io/unreachable:NoExecute op=Exists for 300s".into());
    for (i, t) in tolerations.iter().enumerate() {
        if i == 0 {
            o.push_str(&format!("Tolerations:\t{t}\n"));
        } else {
            o.push_str(&format!("\t{t}\n"));
        }
    }
    events(c, &mut o, &p.status.events);
    align(&o, 0, 2)
}

pub fn describe_deployment(c: &Cluster, d: &Deployment) -> String {
    let st = c.deployment_status(d);
    let desired = d.replicas.unwrap_or(1);
    let mut o = String::new();
    o.push_str(&format!(
        "Name:\t{}\nNamespace:\t{}\nCreationTimestamp:\t{}\n",
        d.meta.name,
        d.meta.namespace,
        start_time(c, d.meta.creation)
    ));
    multiline(&mut o, "Labels", &d.meta.labels);
    let mut ann = d.meta.annotations.clone();
    let revision = c
        .replicasets
        .values()
        .filter(|rs| rs.meta.owner.as_ref().is_some_and(|ow| ow.uid == d.meta.uid))
        .filter_map(|rs| {
            rs.meta
                .annotations
                .get("deployment.kubernetes.io/revision")
                .and_then(|r| r.parse::<i64>().ok())
        })
        .max()
        .unwrap_or(1);
    ann.insert("deployment.kubernetes.io/revision".into(), revision.to_string());
    annotations(&mut o, &ann);
    o.push_str(&format!(
        "Selector:\t{}\n",
        none_if_empty(d.selector.as_ref().map(LabelSelector::render).unwrap_or_default())
    ));
    o.push_str(&format!(
        "Replicas:\t{desired} desired | {} updated | {} total | {} available | {} unavailable\n",
        st.updated,
        st.replicas,
        st.available,
        (st.replicas - st.available).max(0).max(desired - st.available).max(0)
    ));
    o.push_str(&format!(
        "StrategyType:\t{}\nMinReadySeconds:\t{}\n",
        d.strategy.type_.clone().unwrap_or_default(),
        d.min_ready_seconds
    ));
    if d.strategy.type_.as_deref() == Some("RollingUpdate") {
        o.push_str(&format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            d.strategy
                .max_unavailable
                .as_ref()
                .map(IntOrStr::render)
                .unwrap_or_default(),
            d.strategy.max_surge.as_ref().map(IntOrStr::render).unwrap_or_default()
        ));
    }
    pod_template(&mut o, &d.template);
    let avail = st.available >= desired - 0;
    o.push_str("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
    o.push_str(&format!(
        "  Available\t{}\t{}\n",
        if avail { "True" } else { "False" },
        if avail {
            "MinimumReplicasAvailable"
        } else {
            "MinimumReplicasUnavailable"
        }
    ));
    let done = st.updated == desired && st.replicas == desired;
    o.push_str(&format!(
        "  Progressing\tTrue\t{}\n",
        if done {
            "NewReplicaSetAvailable"
        } else {
            "ReplicaSetUpdated"
        }
    ));
    let mut rs_all: Vec<&ReplicaSet> = c
        .replicasets
        .values()
        .filter(|rs| rs.meta.owner.as_ref().is_some_and(|ow| ow.uid == d.meta.uid))
        .collect();
    super::order::sort_by_key(&mut rs_all, |rs| rs.meta.creation);
    let hash = super::controllers::template_hash(&d.template);
    let fmt_rs = |rs: &ReplicaSet| {
        let (current, _) = c.replica_set_counts(rs);
        format!(
            "{} ({}/{} replicas created)",
            rs.meta.name,
            current,
            rs.replicas.unwrap_or(0)
        )
    };
    let old: Vec<String> = rs_all
        .iter()
        .filter(|rs| rs.meta.labels.get("pod-template-hash") != Some(&hash) && rs.replicas.unwrap_or(0) > 0)
        .map(|rs| fmt_rs(rs))
        .collect();
    let new: Vec<String> = rs_all
        .iter()
        .filter(|rs| rs.meta.labels.get("pod-template-hash") == Some(&hash))
        .map(|rs| fmt_rs(rs))
        .collect();
    o.push_str(&format!("OldReplicaSets:\t{}\n", none_if_empty(old.join(", "))));
    o.push_str(&format!("NewReplicaSet:\t{}\n", none_if_empty(new.join(", "))));
    events(c, &mut o, object_events(c, &d.meta.uid));
    align(&o, 0, 2)
}

/// The events the workload controllers recorded about an object.
fn object_events<'a>(c: &'a Cluster, uid: &str) -> &'a [Event] {
    c.object_events.get(uid).map_or(&[], |v| v.as_slice())
}

/// kubectl's `Pod Template:` block of a Deployment or ReplicaSet.
fn pod_template(o: &mut String, t: &PodTemplate) {
    o.push_str("Pod Template:\n");
    multiline(o, "  Labels", &t.labels);
    if !t.annotations.is_empty() {
        annotations_titled(o, "  Annotations", &t.annotations);
    }
    o.push_str("  Containers:\n");
    for ct in &t.spec.containers {
        o.push_str(&format!("   {}:\n    Image:\t{}\n", ct.name, ct.image));
        match ct.ports.first() {
            Some(p) => o.push_str(&format!(
                "    Port:\t{}/{}\n    Host Port:\t0/{}\n",
                p.container_port,
                p.protocol.as_deref().unwrap_or("TCP"),
                p.protocol.as_deref().unwrap_or("TCP")
            )),
            None => o.push_str("    Port:\t<none>\n    Host Port:\t<none>\n"),
        }
        o.push_str("    Environment:\t<none>\n    Mounts:\t<none>\n");
    }
    o.push_str("  Volumes:\t<none>\n  Node-Selectors:\t<none>\n  Tolerations:\t<none>\n");
}

/// `kubectl describe replicaset`.
pub fn describe_replica_set(c: &Cluster, rs: &ReplicaSet) -> String {
    let mut o = format!("Name:\t{}\nNamespace:\t{}\n", rs.meta.name, rs.meta.namespace);
    o.push_str(&format!(
        "Selector:\t{}\n",
        none_if_empty(rs.selector.as_ref().map(LabelSelector::render).unwrap_or_default())
    ));
    multiline(&mut o, "Labels", &rs.meta.labels);
    annotations(&mut o, &rs.meta.annotations);
    if let Some(owner) = &rs.meta.owner {
        o.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    let (current, _) = c.replica_set_counts(rs);
    o.push_str(&format!(
        "Replicas:\t{current} current / {} desired\n",
        rs.replicas.unwrap_or(1)
    ));
    // Pods it controls, by phase (terminating ones included, as kubectl counts them).
    let mut phases = [0usize; 4];
    for p in c.pods.values().filter(|p| {
        p.meta.namespace == rs.meta.namespace && p.meta.owner.as_ref().is_some_and(|o| o.uid == rs.meta.uid)
    }) {
        match p.status.phase.as_str() {
            "Running" => phases[0] += 1,
            "Pending" => phases[1] += 1,
            "Succeeded" => phases[2] += 1,
            "Failed" => phases[3] += 1,
            _ => {}
        }
    }
    o.push_str(&format!(
        "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n",
        phases[0], phases[1], phases[2], phases[3]
    ));
    pod_template(&mut o, &rs.template);
    events(c, &mut o, object_events(c, &rs.meta.uid));
    align(&o, 0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_print_like_kubectl_describe() {
        let mut m = Labels::new();
        m.insert("b".into(), "two\nlines\n".into());
        m.insert("a".into(), "1".into());
        m.insert(LAST_APPLIED.into(), "{}".into());
        m.insert("long".into(), "x".repeat(150));
        let mut out = String::new();
        annotations(&mut out, &m);
        let want = format!(
            "Annotations:\ta: 1\n\tb:\n\t  two\n\t  lines\n\tlong:\n\t  {}...\n",
            "x".repeat(138)
        );
        assert_eq!(out, want);
        let mut none = String::new();
        annotations(&mut none, &[(LAST_APPLIED.to_string(), "{}".to_string())].into());
        assert_eq!(none, "Annotations:\t<none>\n");
    }
}
