//! Validation as the API server does it (`pkg/apis/core/validation`, `pkg/apis/apps/validation`,
//! apimachinery's name and label checks), after defaulting and before allocation. Messages and
//! their order follow the upstream functions; see the reference, sections 2.2 to 2.5.

use super::apierror::{forbidden, go_quote, invalid, required, Bad, FieldError};
use super::objects::*;

// ---------------------------------------------------------------------------------------------
// Names and labels

fn is_alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn dns1123_label_re(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| is_alnum_lower(c) || c == '-')
        && s.chars().next().is_some_and(is_alnum_lower)
        && s.chars().last().is_some_and(is_alnum_lower)
}

/// `[a-z]([-a-z0-9]*[a-z0-9])?`
fn dns1035_label_re(s: &str) -> bool {
    dns1123_label_re(s) && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

fn dns1123_subdomain_re(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(dns1123_label_re)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn qualified_name_re(s: &str) -> bool {
    let ok_end = |c: char| c.is_ascii_alphanumeric();
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && s.chars().next().is_some_and(ok_end)
        && s.chars().last().is_some_and(ok_end)
}

fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let ex: Vec<String> = examples.iter().map(|e| format!("'{e}'")).collect();
    format!(
        "{msg} (e.g. {}, regex used for validation is '{fmt}')",
        ex.join(",  or ")
    )
}

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const SUBDOMAIN_FMT: &str = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const QUALIFIED_MSG: &str =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

fn max_len(n: usize) -> String {
    format!("must be no more than {n} characters")
}

pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len(63));
    }
    if !dns1123_label_re(s) {
        if dns1123_subdomain_re(s) {
            errs.push("must not contain dots".into());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len(63));
    }
    if !dns1035_label_re(s) {
        errs.push(regex_error(DNS1035_MSG, DNS1035_FMT, &["my-name", "abc-123"]));
    }
    errs
}

pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len(253));
    }
    if !dns1123_subdomain_re(s) {
        errs.push(regex_error(SUBDOMAIN_MSG, SUBDOMAIN_FMT, &["example.com"]));
    }
    errs
}

/// `IsQualifiedName`: label keys, annotation keys.
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for m in dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {m}"));
                }
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_MSG, QUALIFIED_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len(63)));
    }
    if !qualified_name_re(name) {
        errs.push(format!(
            "name part {}",
            regex_error(QUALIFIED_MSG, QUALIFIED_FMT, &["MyName", "my.name", "123-abc"])
        ));
    }
    errs
}

pub fn label_value(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push(max_len(63));
    }
    if !v.is_empty() && !qualified_name_re(v) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

pub fn validate_labels(labels: &Labels, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        for m in qualified_name(k) {
            errs.push(invalid(path, Bad::Str(k.clone()), &m));
        }
        for m in label_value(v) {
            errs.push(invalid(path, Bad::Str(v.clone()), &m));
        }
    }
    errs
}

fn validate_annotations(annotations: &Labels, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0usize;
    for (k, v) in annotations {
        for m in qualified_name(&k.to_ascii_lowercase()) {
            errs.push(invalid(path, Bad::Str(k.clone()), &m));
        }
        total += k.len() + v.len();
    }
    if total > 256 * 1024 {
        errs.push(forbidden(path, "may not be larger than 256 KB"));
    }
    errs
}

#[derive(Clone, Copy, PartialEq)]
pub enum NameRule {
    Dns1035Label,
    Dns1123Subdomain,
}

pub fn validate_meta(meta: &Meta, rule: NameRule, namespaced: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // A prefix is checked with a trailing dash read as a letter (`maskTrailingDash`).
    if let Some(g) = meta.generate_name.as_ref().filter(|g| !g.is_empty()) {
        let masked = match g.strip_suffix('-') {
            Some(head) if !head.is_empty() => format!("{head}a"),
            _ => g.clone(),
        };
        let msgs = match rule {
            NameRule::Dns1035Label => dns1035_label(&masked),
            NameRule::Dns1123Subdomain => dns1123_subdomain(&masked),
        };
        for m in msgs {
            errs.push(invalid("metadata.generateName", Bad::Str(g.clone()), &m));
        }
    }
    if meta.name.is_empty() && meta.generate_name.is_none() {
        errs.push(required("metadata.name", "name or generateName is required"));
    } else if !meta.name.is_empty() {
        let msgs = match rule {
            NameRule::Dns1035Label => dns1035_label(&meta.name),
            NameRule::Dns1123Subdomain => dns1123_subdomain(&meta.name),
        };
        for m in msgs {
            errs.push(invalid("metadata.name", Bad::Str(meta.name.clone()), &m));
        }
    }
    if namespaced {
        for m in dns1123_label(&meta.namespace) {
            errs.push(invalid("metadata.namespace", Bad::Str(meta.namespace.clone()), &m));
        }
    }
    errs.extend(validate_labels(&meta.labels, "metadata.labels"));
    errs.extend(validate_annotations(&meta.annotations, "metadata.annotations"));
    errs
}

fn port_num(p: i64) -> Option<&'static str> {
    (!(1..=65535).contains(&p)).then_some("must be between 1 and 65535, inclusive")
}

/// `IsValidPortName` (IANA_SVC_NAME).
pub fn port_name(s: &str) -> Vec<&'static str> {
    let mut errs = Vec::new();
    if s.len() > 15 {
        errs.push("must be no more than 15 characters");
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    } else if s.contains("--") {
        errs.push("must not contain consecutive hyphens");
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)");
    }
    if s.starts_with('-') || s.ends_with('-') {
        errs.push("must not begin or end with a hyphen");
    }
    errs
}

fn port_num_or_name(v: &IntOrStr, path: &str) -> Vec<FieldError> {
    match v {
        IntOrStr::Int(i) => port_num(*i)
            .map(|m| invalid(path, Bad::Int(*i), m))
            .into_iter()
            .collect(),
        IntOrStr::Str(s) => port_name(s)
            .into_iter()
            .map(|m| invalid(path, Bad::Str(s.clone()), m))
            .collect(),
    }
}

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

// ---------------------------------------------------------------------------------------------
// IP addresses

pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 3 || !p.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        out[i] = p.parse().ok()?;
    }
    Some(out)
}

fn looks_ipv6(s: &str) -> bool {
    s.contains(':') && s.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') && s.matches("::").count() <= 1
}

/// Whether Go's `ParseCIDR` takes the text (IPv4 `a.b.c.d/n`, or an IPv6 form).
fn is_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let Ok(n) = bits.parse::<u8>() else { return false };
    if bits.len() > 1 && bits.starts_with('0') {
        return false;
    }
    match parse_ipv4(ip) {
        Some(_) => n <= 32,
        None => looks_ipv6(ip) && n <= 128,
    }
}

/// `IsValidIP` messages for one address (`None` when valid).
pub fn ip_error(s: &str) -> Option<String> {
    if let Some(o) = parse_ipv4(s) {
        let canonical = format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]);
        if canonical != s {
            return Some(if s.split('.').any(|p| p.len() > 1 && p.starts_with('0')) {
                "must not have leading 0s".into()
            } else {
                format!("must be in canonical form (\"{canonical}\")")
            });
        }
        return None;
    }
    if looks_ipv6(s) {
        return None;
    }
    Some("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)".into())
}

pub(crate) fn special_ip(s: &str) -> Option<&'static str> {
    let o = parse_ipv4(s)?;
    if o == [0, 0, 0, 0] {
        Some("may not be unspecified (0.0.0.0)")
    } else if o[0] == 127 {
        Some("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    } else if o[0] == 169 && o[1] == 254 {
        Some("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    } else if o[0] == 224 && o[1] == 0 && o[2] == 0 {
        Some("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Service

/// `ServicePort{Protocol, Port}` as a duplicate-key value.
fn service_port_key(protocol: &str, port: i64) -> Bad {
    Bad::Composite {
        go: format!(
            "core.ServicePort{{Name:\"\", Protocol:\"{protocol}\", AppProtocol:(*string)(nil), Port:{port}, \
                TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}"
        ),
        json: format!("{{\"protocol\":\"{protocol}\",\"port\":{port},\"targetPort\":0}}"),
    }
}

pub fn validate_service(svc: &Service) -> Vec<FieldError> {
    let mut errs = validate_meta(&svc.meta, NameRule::Dns1035Label, true);
    let s = &svc.spec;
    let headless = svc.is_headless();
    let type_ = s.type_.as_deref().unwrap_or("");
    if s.ports.is_empty() && !headless && type_ != "ExternalName" {
        errs.push(required("spec.ports", ""));
    }
    match type_ {
        "LoadBalancer" | "NodePort" if headless => {
            errs.push(invalid(
                "spec.clusterIPs[0]",
                Bad::Str("None".into()),
                &format!("may not be set to 'None' for {type_} services"),
            ));
        }
        "ExternalName" => {
            if !s.cluster_ips.is_empty() {
                errs.push(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
            }
            if !s.ip_families.is_empty() {
                errs.push(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
            }
            if s.ip_family_policy.is_some() {
                errs.push(forbidden(
                    "spec.ipFamilyPolicy",
                    "may not be set for ExternalName services",
                ));
            }
            let cname = s.external_name.as_deref().unwrap_or("").trim_end_matches('.');
            if cname.is_empty() {
                errs.push(required("spec.externalName", ""));
            } else {
                for m in dns1123_subdomain(cname) {
                    errs.push(invalid("spec.externalName", Bad::Str(cname.into()), &m));
                }
            }
        }
        _ => {}
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        let path = format!("spec.ports[{i}]");
        match p.name.as_deref() {
            None | Some("") if s.ports.len() > 1 => errs.push(required(format!("{path}.name"), "")),
            None | Some("") => {}
            Some(n) => {
                for m in dns1123_label(n) {
                    errs.push(invalid(format!("{path}.name"), Bad::Str(n.into()), &m));
                }
                if names.contains(&n) {
                    errs.push(FieldError::Duplicate(format!("{path}.name"), Bad::Str(n.into())));
                } else {
                    names.push(n);
                }
            }
        }
        if let Some(m) = port_num(p.port) {
            errs.push(invalid(format!("{path}.port"), Bad::Int(p.port), m));
        }
        let proto = p.protocol();
        if !PROTOCOLS.contains(&proto) {
            errs.push(FieldError::NotSupported(
                format!("{path}.protocol"),
                Bad::Str(proto.into()),
                PROTOCOLS.to_vec(),
            ));
        }
        errs.extend(port_num_or_name(&p.target(), &format!("{path}.targetPort")));
        if let Some(ap) = &p.app_protocol {
            for m in qualified_name(ap) {
                errs.push(invalid(format!("{path}.appProtocol"), Bad::Str(ap.clone()), &m));
            }
        }
    }
    if let Some(sel) = &s.selector {
        errs.extend(validate_labels(sel, "spec.selector"));
    }
    let affinity = s.session_affinity.as_deref().unwrap_or("None");
    match affinity {
        "ClientIP" => {
            let t = s.affinity_config.flatten().unwrap_or(10800);
            if !(1..=86400).contains(&t) {
                errs.push(invalid(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    Bad::Int(t),
                    "must be greater than 0 and less than 86400",
                ));
            }
        }
        "None" => {
            if s.affinity_config.is_some() {
                errs.push(forbidden(
                    "spec.sessionAffinityConfig",
                    "must not be set when session affinity is None",
                ));
            }
        }
        other => errs.push(FieldError::NotSupported(
            "spec.sessionAffinity".into(),
            Bad::Str(other.into()),
            vec!["ClientIP", "None"],
        )),
    }
    if type_ != "ExternalName" {
        errs.extend(validate_cluster_ips(svc));
    }
    for (i, ip) in s.external_ips.iter().enumerate() {
        let path = format!("spec.externalIPs[{i}]");
        if let Some(m) = ip_error(ip) {
            errs.push(invalid(path, Bad::Str(ip.clone()), &m));
        } else if let Some(m) = special_ip(ip) {
            errs.push(invalid(path, Bad::Str(ip.clone()), m));
        }
    }
    const TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !TYPES.contains(&type_) {
        errs.push(FieldError::NotSupported(
            "spec.type".into(),
            Bad::Str(type_.into()),
            TYPES.to_vec(),
        ));
    }
    if type_ == "ClusterIP" {
        for (i, p) in s.ports.iter().enumerate() {
            if p.node_port.is_some_and(|n| n != 0) {
                errs.push(forbidden(
                    format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let mut seen_node_ports: Vec<(&str, i64)> = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if seen_node_ports.contains(&(p.protocol(), np)) {
                errs.push(FieldError::Duplicate(format!("spec.ports[{i}].nodePort"), Bad::Int(np)));
            }
            seen_node_ports.push((p.protocol(), np));
        }
    }
    let mut seen_ports: Vec<(&str, i64)> = Vec::new();
    for (i, p) in s.ports.iter().enumerate() {
        if seen_ports.contains(&(p.protocol(), p.port)) {
            errs.push(FieldError::Duplicate(
                format!("spec.ports[{i}]"),
                service_port_key(p.protocol(), p.port),
            ));
        }
        seen_ports.push((p.protocol(), p.port));
    }
    // The field, or else its older annotation; entries may be space-padded.
    const RANGES: &str = "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ";
    const RANGES_KEY: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";
    if !s.lb_source_ranges.is_empty() {
        if type_ != "LoadBalancer" {
            errs.push(forbidden(
                "spec.LoadBalancerSourceRanges",
                "may only be used when `type` is 'LoadBalancer'",
            ));
        }
        for (i, r) in s.lb_source_ranges.iter().enumerate() {
            if !is_cidr(r.trim()) {
                let at = format!("spec.LoadBalancerSourceRanges[{i}]");
                errs.push(invalid(at, Bad::Str(r.trim().into()), RANGES));
            }
        }
    } else if let Some(val) = svc.meta.annotations.get(RANGES_KEY) {
        let at = format!("metadata.annotations[{RANGES_KEY}]");
        if type_ != "LoadBalancer" {
            errs.push(forbidden(at.clone(), "may only be used when `type` is 'LoadBalancer'"));
        }
        for r in val.trim().split(',').filter(|_| !val.trim().is_empty()) {
            if !is_cidr(r.trim()) {
                errs.push(invalid(at.clone(), Bad::Str(r.trim().into()), RANGES));
            }
        }
    }
    if s.allocate_lb_node_ports.is_some() && type_ != "LoadBalancer" {
        errs.push(forbidden(
            "spec.allocateLoadBalancerNodePorts",
            "may only be used when `type` is 'LoadBalancer'",
        ));
    }
    if let Some(etp) = &s.external_traffic_policy {
        if !svc.externally_accessible() {
            errs.push(invalid(
                "spec.externalTrafficPolicy",
                Bad::Str(etp.clone()),
                "may only be set for externally-accessible services",
            ));
        } else if etp != "Cluster" && etp != "Local" {
            errs.push(FieldError::NotSupported(
                "spec.externalTrafficPolicy".into(),
                Bad::Str(etp.clone()),
                vec!["Cluster", "Local"],
            ));
        }
    }
    if let Some(h) = s.health_check_node_port.filter(|h| *h != 0) {
        if !(type_ == "LoadBalancer" && svc.etp_local()) {
            errs.push(invalid(
                "spec.healthCheckNodePort",
                Bad::Int(h),
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            ));
        }
    }
    if let Some(itp) = &s.internal_traffic_policy {
        if itp != "Cluster" && itp != "Local" {
            errs.push(FieldError::NotSupported(
                "spec.internalTrafficPolicy".into(),
                Bad::Str(itp.clone()),
                vec!["Cluster", "Local"],
            ));
        }
    }
    if let Some(td) = &s.traffic_distribution {
        if td != "PreferClose" {
            errs.push(FieldError::NotSupported(
                "spec.trafficDistribution".into(),
                Bad::Str(td.clone()),
                vec!["PreferClose"],
            ));
        }
    }
    errs
}

fn validate_cluster_ips(svc: &Service) -> Vec<FieldError> {
    let s = &svc.spec;
    let mut errs = Vec::new();
    if let (Some(ip), Some(first)) = (&s.cluster_ip, s.cluster_ips.first()) {
        if ip != first {
            errs.push(invalid(
                "spec.clusterIPs",
                Bad::string_list(&s.cluster_ips),
                "first value must match `clusterIP`",
            ));
        }
    }
    if s.cluster_ips.len() > 2 {
        errs.push(invalid(
            "spec.clusterIPs",
            Bad::string_list(&s.cluster_ips),
            "may only hold up to 2 values",
        ));
    }
    for (i, ip) in s.cluster_ips.iter().enumerate() {
        let path = format!("spec.clusterIPs[{i}]");
        if ip == "None" {
            if i != 0 || s.cluster_ips.len() > 1 {
                errs.push(invalid(
                    path,
                    Bad::Str(ip.clone()),
                    "'None' must be the first and only value",
                ));
            }
            continue;
        }
        if let Some(m) = ip_error(ip) {
            errs.push(invalid(path, Bad::Str(ip.clone()), &m));
        }
    }
    if s.cluster_ips.len() == 2 && s.cluster_ips.iter().all(|ip| parse_ipv4(ip).is_some()) {
        errs.push(invalid(
            "spec.clusterIPs[1]",
            Bad::string_list(&s.cluster_ips),
            "may specify no more than one IP for each IP family",
        ));
    }
    let mut families: Vec<&str> = Vec::new();
    for (i, f) in s.ip_families.iter().enumerate() {
        let path = format!("spec.ipFamilies[{i}]");
        if f != "IPv4" && f != "IPv6" {
            errs.push(FieldError::NotSupported(
                path,
                Bad::Str(f.clone()),
                vec!["IPv4", "IPv6"],
            ));
        } else if families.contains(&f.as_str()) {
            errs.push(FieldError::Duplicate(path, Bad::Str(f.clone())));
        } else {
            families.push(f);
        }
    }
    if let Some(p) = &s.ip_family_policy {
        const POLICIES: &[&str] = &["PreferDualStack", "RequireDualStack", "SingleStack"];
        if !POLICIES.contains(&p.as_str()) {
            errs.push(FieldError::NotSupported(
                "spec.ipFamilyPolicy".into(),
                Bad::Str(p.clone()),
                POLICIES.to_vec(),
            ));
        } else if p == "SingleStack" && s.ip_families.len() > 1 {
            errs.push(invalid(
                "spec.ipFamilyPolicy",
                Bad::Str(p.clone()),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified",
            ));
        } else if p == "SingleStack" && s.cluster_ips.len() > 1 {
            errs.push(invalid(
                "spec.ipFamilyPolicy",
                Bad::Str(p.clone()),
                "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified",
            ));
        }
    }
    errs
}

// ---------------------------------------------------------------------------------------------
// Pods and workloads

fn validate_pod_spec(spec: &PodSpec, path: &str, in_template: bool) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut volume_names: Vec<&str> = Vec::new();
    for (i, v) in spec.volumes.iter().enumerate() {
        let vp = format!("{path}.volumes[{i}].name");
        if v.name.is_empty() {
            errs.push(required(vp, ""));
        } else {
            for m in dns1123_label(&v.name) {
                errs.push(invalid(vp.clone(), Bad::Str(v.name.clone()), &m));
            }
            if volume_names.contains(&v.name.as_str()) {
                errs.push(FieldError::Duplicate(vp, Bad::Str(v.name.clone())));
            }
            volume_names.push(&v.name);
        }
    }
    if spec.containers.is_empty() {
        errs.push(required(format!("{path}.containers"), ""));
    }
    let mut container_names: Vec<&str> = Vec::new();
    for (i, c) in spec.containers.iter().enumerate() {
        let cp = format!("{path}.containers[{i}]");
        if c.name.is_empty() {
            errs.push(required(format!("{cp}.name"), ""));
        } else {
            for m in dns1123_label(&c.name) {
                errs.push(invalid(format!("{cp}.name"), Bad::Str(c.name.clone()), &m));
            }
            if container_names.contains(&c.name.as_str()) {
                errs.push(FieldError::Duplicate(format!("{cp}.name"), Bad::Str(c.name.clone())));
            }
            container_names.push(&c.name);
        }
        if c.image.trim().is_empty() {
            errs.push(required(format!("{cp}.image"), ""));
        }
        let mut port_names: Vec<&str> = Vec::new();
        for (j, p) in c.ports.iter().enumerate() {
            let pp = format!("{cp}.ports[{j}]");
            if let Some(n) = &p.name {
                for m in port_name(n) {
                    errs.push(invalid(format!("{pp}.name"), Bad::Str(n.clone()), m));
                }
                if port_names.contains(&n.as_str()) {
                    errs.push(FieldError::Duplicate(format!("{pp}.name"), Bad::Str(n.clone())));
                }
                port_names.push(n);
            }
            if p.container_port == 0 {
                errs.push(required(format!("{pp}.containerPort"), ""));
            } else if let Some(m) = port_num(p.container_port) {
                errs.push(invalid(format!("{pp}.containerPort"), Bad::Int(p.container_port), m));
            }
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            if !PROTOCOLS.contains(&proto) {
                errs.push(FieldError::NotSupported(
                    format!("{pp}.protocol"),
                    Bad::Str(proto.into()),
                    PROTOCOLS.to_vec(),
                ));
            }
        }
        errs.extend(super::probes::validate(&spec.raw, i, &cp));
        if let Some(pol) = &c.image_pull_policy {
            const POL: &[&str] = &["Always", "IfNotPresent", "Never"];
            if !POL.contains(&pol.as_str()) {
                errs.push(FieldError::NotSupported(
                    format!("{cp}.imagePullPolicy"),
                    Bad::Str(pol.clone()),
                    POL.to_vec(),
                ));
            }
        }
    }
    let rp = spec.restart_policy.as_deref().unwrap_or("Always");
    const RP: &[&str] = &["Always", "OnFailure", "Never"];
    if !RP.contains(&rp) {
        errs.push(FieldError::NotSupported(
            format!("{path}.restartPolicy"),
            Bad::Str(rp.into()),
            RP.to_vec(),
        ));
    }
    let dp = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
    const DP: &[&str] = &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
    if !DP.contains(&dp) {
        errs.push(FieldError::NotSupported(
            format!("{path}.dnsPolicy"),
            Bad::Str(dp.into()),
            DP.to_vec(),
        ));
    }
    if dp == "None" && spec.dns_config.is_none() {
        errs.push(required(
            format!("{path}.dnsConfig"),
            "must provide `dnsConfig` when `dnsPolicy` is None",
        ));
    }
    if let Some(cfg) = &spec.dns_config {
        if dp == "None" && cfg.nameservers.is_empty() {
            errs.push(required(
                format!("{path}.dnsConfig.nameservers"),
                "must provide at least one DNS nameserver when `dnsPolicy` is None",
            ));
        }
        if cfg.nameservers.len() > 3 {
            errs.push(invalid(
                format!("{path}.dnsConfig.nameservers"),
                Bad::string_list(&cfg.nameservers),
                "must not have more than 3 nameservers",
            ));
        }
        for (i, ns) in cfg.nameservers.iter().enumerate() {
            if let Some(m) = ip_error(ns) {
                errs.push(invalid(
                    format!("{path}.dnsConfig.nameservers[{i}]"),
                    Bad::Str(ns.clone()),
                    &m,
                ));
            }
        }
        let searches = format!("{path}.dnsConfig.searches");
        let too_many = (cfg.searches.len() > 32).then_some("must not have more than 32 search paths");
        let too_long = (cfg.searches.join(" ").len() > 2048)
            .then_some("must not have more than 2048 characters (including spaces) in the search list");
        for m in too_many.into_iter().chain(too_long) {
            errs.push(invalid(searches.clone(), Bad::string_list(&cfg.searches), m));
        }
        for (i, d) in cfg.searches.iter().enumerate() {
            // A trailing dot is allowed.
            let d = d.strip_suffix('.').unwrap_or(d);
            for m in dns1123_subdomain(d) {
                errs.push(invalid(format!("{searches}[{i}]"), Bad::Str(d.into()), &m));
            }
        }
        for (i, (name, _)) in cfg.options.iter().enumerate() {
            if name.is_empty() {
                errs.push(required(format!("{path}.dnsConfig.options[{i}]"), "must not be empty"));
            }
        }
    }
    errs.extend(validate_labels(&spec.node_selector, &format!("{path}.nodeSelector")));
    if let Some(h) = &spec.hostname {
        for m in dns1123_label(h) {
            errs.push(invalid(format!("{path}.hostname"), Bad::Str(h.clone()), &m));
        }
    }
    if let Some(sd) = &spec.subdomain {
        for m in dns1123_label(sd) {
            errs.push(invalid(format!("{path}.subdomain"), Bad::Str(sd.clone()), &m));
        }
    }
    if let Some(g) = spec.termination_grace_period {
        if g < 0 && !in_template {
            errs.push(invalid(
                format!("{path}.terminationGracePeriodSeconds"),
                Bad::Int(g),
                "must be greater than or equal to 0",
            ));
        }
    }
    errs
}

pub fn validate_pod(pod: &Pod) -> Vec<FieldError> {
    let mut errs = validate_meta(&pod.meta, NameRule::Dns1123Subdomain, true);
    errs.extend(validate_pod_spec(&pod.spec, "spec", false));
    errs
}

/// A `*v1.LabelSelector` as a bad value.
pub fn selector_bad(sel: &LabelSelector) -> Bad {
    let labels_go = if sel.match_labels.is_empty() {
        "map[string]string(nil)".to_string()
    } else {
        let items: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
            .collect();
        format!("map[string]string{{{}}}", items.join(", "))
    };
    let exprs_go = if sel.match_expressions.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let items: Vec<String> = sel
            .match_expressions
            .iter()
            .map(|r| {
                let vals: Vec<String> = r.values.iter().map(|v| go_quote(v)).collect();
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:[]string{{{}}}}}",
                    go_quote(&r.key),
                    go_quote(&r.operator),
                    vals.join(", ")
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
    };
    let mut json = String::from("{");
    if !sel.match_labels.is_empty() {
        let items: Vec<String> = sel
            .match_labels
            .iter()
            .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
            .collect();
        json.push_str(&format!("\"matchLabels\":{{{}}}", items.join(",")));
    }
    json.push('}');
    Bad::Composite {
        go: format!("v1.LabelSelector{{MatchLabels:{labels_go}, MatchExpressions:{exprs_go}}}"),
        json,
    }
}

fn validate_selector(sel: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, r) in sel.match_expressions.iter().enumerate() {
        let rp = format!("{path}.matchExpressions[{i}]");
        match r.operator.as_str() {
            "In" | "NotIn" => {
                if r.values.is_empty() {
                    errs.push(required(
                        format!("{rp}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !r.values.is_empty() {
                    errs.push(forbidden(
                        format!("{rp}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            op => errs.push(invalid(
                format!("{rp}.operator"),
                Bad::Str(op.into()),
                "not a valid selector operator",
            )),
        }
        for m in qualified_name(&r.key) {
            errs.push(invalid(format!("{rp}.key"), Bad::Str(r.key.clone()), &m));
        }
    }
    errs.extend(validate_labels(&sel.match_labels, &format!("{path}.matchLabels")));
    errs
}

/// The parts Deployment and ReplicaSet specs share.
fn validate_workload(
    selector: &Option<LabelSelector>,
    template: &PodTemplate,
    replicas: i64,
    errs: &mut Vec<FieldError>,
) {
    if replicas < 0 {
        errs.push(invalid(
            "spec.replicas",
            Bad::Int(replicas),
            "must be greater than or equal to 0",
        ));
    }
    match selector {
        None => errs.push(required("spec.selector", "")),
        Some(sel) => {
            errs.extend(validate_selector(sel, "spec.selector"));
            if sel.is_empty() {
                errs.push(invalid(
                    "spec.selector",
                    selector_bad(sel),
                    "empty selector is invalid for deployment",
                ));
            }
        }
    }
    // A nil selector matches nothing, so the template check fires too; an empty one matches all
    // and is skipped.
    let matches = selector
        .as_ref()
        .is_some_and(|s| s.is_empty() || s.matches(&template.labels));
    if !matches {
        errs.push(invalid(
            "spec.template.metadata.labels",
            Bad::string_map(&template.labels),
            "`selector` does not match template `labels`",
        ));
    }
    errs.extend(validate_labels(&template.labels, "spec.template.metadata.labels"));
    errs.extend(validate_pod_spec(&template.spec, "spec.template.spec", true));
    let rp = template.spec.restart_policy.as_deref().unwrap_or("Always");
    if rp != "Always" {
        errs.push(FieldError::NotSupported(
            "spec.template.spec.restartPolicy".into(),
            Bad::Str(rp.into()),
            vec!["Always"],
        ));
    }
}

fn percent_or_int(v: &IntOrStr) -> Option<f64> {
    match v {
        IntOrStr::Int(i) => Some(*i as f64),
        IntOrStr::Str(s) => s.strip_suffix('%').and_then(|n| n.parse::<f64>().ok()),
    }
}

pub fn validate_deployment(d: &Deployment) -> Vec<FieldError> {
    let mut errs = validate_meta(&d.meta, NameRule::Dns1123Subdomain, true);
    validate_workload(&d.selector, &d.template, d.replicas.unwrap_or(1), &mut errs);
    let st = &d.strategy;
    match st.type_.as_deref().unwrap_or("RollingUpdate") {
        "Recreate" => {
            if st.max_surge.is_some() || st.max_unavailable.is_some() {
                errs.push(forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => {
            let surge = st.max_surge.clone().unwrap_or(IntOrStr::Str("25%".into()));
            let unavail = st.max_unavailable.clone().unwrap_or(IntOrStr::Str("25%".into()));
            for (name, v) in [("maxUnavailable", &unavail), ("maxSurge", &surge)] {
                let path = format!("spec.strategy.rollingUpdate.{name}");
                match (v, percent_or_int(v)) {
                    (IntOrStr::Str(s), None) => errs.push(invalid(
                        path,
                        Bad::Str(s.clone()),
                        "a valid percent string \
                        must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for \
                        validation is '[0-9]+%')",
                    )),
                    (_, Some(n)) if n < 0.0 => errs.push(invalid(
                        path,
                        Bad::Str(v.render()),
                        "must be greater than or \
                        equal to 0",
                    )),
                    _ => {}
                }
            }
            if let (IntOrStr::Str(s), Some(n)) = (&unavail, percent_or_int(&unavail)) {
                if n > 100.0 {
                    errs.push(invalid(
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        Bad::Str(s.clone()),
                        "must not be greater than 100%",
                    ));
                }
            }
            if percent_or_int(&surge) == Some(0.0) && percent_or_int(&unavail) == Some(0.0) {
                let bad = match &unavail {
                    IntOrStr::Int(i) => Bad::Int(*i),
                    IntOrStr::Str(s) => Bad::Str(s.clone()),
                };
                errs.push(invalid(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    bad,
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
        }
        other => errs.push(FieldError::NotSupported(
            "spec.strategy.type".into(),
            Bad::Str(other.into()),
            vec!["Recreate", "RollingUpdate"],
        )),
    }
    if d.min_ready_seconds < 0 {
        errs.push(invalid(
            "spec.minReadySeconds",
            Bad::Int(d.min_ready_seconds),
            "must be greater than or equal to 0",
        ));
    }
    if let Some(r) = d.revision_history_limit.filter(|r| *r < 0) {
        errs.push(invalid(
            "spec.revisionHistoryLimit",
            Bad::Int(r),
            "must be greater than or equal to 0",
        ));
    }
    if let Some(p) = d.progress_deadline_seconds {
        if p < 0 {
            errs.push(invalid(
                "spec.progressDeadlineSeconds",
                Bad::Int(p),
                "must be greater than or equal to 0",
            ));
        }
        if p <= d.min_ready_seconds {
            errs.push(invalid(
                "spec.progressDeadlineSeconds",
                Bad::Int(p),
                "must be greater than minReadySeconds",
            ));
        }
    }
    errs
}

pub fn validate_replica_set(rs: &ReplicaSet) -> Vec<FieldError> {
    let mut errs = validate_meta(&rs.meta, NameRule::Dns1123Subdomain, true);
    let replicas = rs.replicas.unwrap_or(1);
    if rs.min_ready_seconds < 0 {
        errs.push(invalid(
            "spec.minReadySeconds",
            Bad::Int(rs.min_ready_seconds),
            "must be greater than or equal to 0",
        ));
    }
    validate_workload(&rs.selector, &rs.template, replicas, &mut errs);
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_dns1035_labels() {
        assert!(dns1035_label("web").is_empty());
        assert_eq!(
            dns1035_label("TP2-service")[0],
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic \
                character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for \
                validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        );
        assert!(!dns1035_label("1web").is_empty());
        assert!(dns1123_subdomain("1web.example").is_empty());
    }

    #[test]
    fn label_keys_with_prefix_are_qualified_names() {
        assert!(qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(qualified_name("app name").len(), 1);
        assert_eq!(qualified_name("a/b/c").len(), 1);
        assert!(label_value("").is_empty());
        assert!(!label_value("-x").is_empty());
    }

    #[test]
    fn port_names_follow_iana_rules() {
        assert!(port_name("http").is_empty());
        assert_eq!(port_name("8080"), vec!["must contain at least one letter (a-z)"]);
        assert_eq!(port_name("a--b"), vec!["must not contain consecutive hyphens"]);
    }

    #[test]
    fn ip_checks() {
        assert_eq!(
            ip_error("10.96.0.300").unwrap(),
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
        );
        assert_eq!(ip_error("10.096.0.1").unwrap(), "must not have leading 0s");
        assert!(ip_error("10.0.2.4").is_none());
        assert_eq!(
            special_ip("127.0.0.1"),
            Some("may not be in the loopback range (127.0.0.0/8, ::1/128)")
        );
    }
}
