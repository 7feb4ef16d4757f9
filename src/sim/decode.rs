//! Data trees to typed objects, with the API server's strict decoding: a value of the wrong
//! type is a `json: cannot unmarshal ...` error, a field the API does not have is reported as
//! `unknown field "spec.ports[0].nodeport"`. Parts of the API the simulation does not model
//! (probes, resources, affinity, volume sources...) are accepted as they are.

use super::map::Map;

use super::objects::*;
use super::value::Value;

/// Why an object could not be decoded, in the apiserver's words (without the
/// `<Kind> in version "v1" cannot be handled as a <Kind>: ` prefix).
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    Type(String),
    Strict(Vec<String>),
}

impl DecodeError {
    pub fn message(&self) -> String {
        match self {
            DecodeError::Type(m) => m.clone(),
            DecodeError::Strict(fields) => format!(
                "strict decoding error: {}",
                fields
                    .iter()
                    .map(|f| format!("unknown field \"{f}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// A position in the object: dotted for Go type errors, indexed for strict errors.
#[derive(Clone)]
struct At {
    dots: String,
    idx: String,
}

impl At {
    fn root() -> At {
        At {
            dots: String::new(),
            idx: String::new(),
        }
    }
    fn key(&self, k: &str) -> At {
        if self.dots.is_empty() && self.idx.is_empty() {
            At {
                dots: k.to_string(),
                idx: k.to_string(),
            }
        } else {
            At {
                dots: format!("{}.{k}", self.dots),
                idx: format!("{}.{k}", self.idx),
            }
        }
    }
    fn index(&self, i: usize) -> At {
        At {
            dots: self.dots.clone(),
            idx: format!("{}[{i}]", self.idx),
        }
    }
}

#[derive(Default)]
struct Dec {
    unknown: Vec<String>,
    /// Type errors with their paths; the decoder reports the first in sorted-key order.
    type_errors: Vec<(String, String)>,
}

/// A map being decoded: the fields a Go struct has, the struct's name for error messages.
struct Obj<'v> {
    entries: &'v [(String, Value)],
    at: At,
    st: &'static str,
}

impl<'v> Obj<'v> {
    fn get(&self, k: &str) -> Option<&'v Value> {
        self.entries
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Int(i) => format!("number {i}"),
        Value::Float(f) => format!("number {f}"),
        other => other.json_kind().to_string(),
    }
}

impl Dec {
    fn type_err(&mut self, v: &Value, st: &str, at: &At, ty: &str) {
        let msg = format!(
            "json: cannot unmarshal {} into Go struct field {}.{} of type {}",
            describe(v),
            st,
            at.dots,
            ty
        );
        self.type_errors.push((at.idx.clone(), msg));
    }

    /// Opens a struct-valued field; records unknown keys; a non-map is a type error.
    fn obj<'v>(
        &mut self,
        v: Option<&'v Value>,
        parent: &str,
        at: At,
        go_type: &str,
        st: &'static str,
        known: &[&str],
    ) -> Option<Obj<'v>> {
        match v? {
            Value::Map(entries) => {
                for (k, _) in entries {
                    if !known.contains(&k.as_str()) {
                        let f = at.key(k).idx;
                        if !self.unknown.contains(&f) {
                            self.unknown.push(f);
                        }
                    }
                }
                Some(Obj { entries, at, st })
            }
            Value::Null => None,
            other => {
                self.type_err(other, parent, &at, go_type);
                None
            }
        }
    }

    fn field<'v>(&mut self, o: &Obj<'v>, k: &str) -> (Option<&'v Value>, At) {
        (o.get(k), o.at.key(k))
    }

    fn string(&mut self, o: &Obj, k: &str, go_type: &str) -> Option<String> {
        let (v, at) = self.field(o, k);
        match v? {
            Value::Str(s) => Some(s.clone()),
            other => {
                self.type_err(other, o.st, &at, go_type);
                None
            }
        }
    }

    fn str_(&mut self, o: &Obj, k: &str) -> Option<String> {
        self.string(o, k, "string")
    }

    fn int(&mut self, o: &Obj, k: &str, go_type: &str) -> Option<i64> {
        let (v, at) = self.field(o, k);
        let (lo, hi) = if go_type == "int32" {
            (i32::MIN as i64, i32::MAX as i64)
        } else {
            (i64::MIN, i64::MAX)
        };
        match v? {
            Value::Int(i) if (lo..=hi).contains(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && *f >= lo as f64 && *f <= hi as f64 => Some(*f as i64),
            other => {
                self.type_err(other, o.st, &at, go_type);
                None
            }
        }
    }

    fn boolean(&mut self, o: &Obj, k: &str) -> Option<bool> {
        let (v, at) = self.field(o, k);
        match v? {
            Value::Bool(b) => Some(*b),
            other => {
                self.type_err(other, o.st, &at, "bool");
                None
            }
        }
    }

    fn int_or_str(&mut self, o: &Obj, k: &str) -> Option<IntOrStr> {
        let (v, at) = self.field(o, k);
        match v? {
            Value::Int(i) if i32::try_from(*i).is_ok() => Some(IntOrStr::Int(*i)),
            Value::Str(s) => Some(IntOrStr::Str(s.clone())),
            other => {
                self.type_err(other, o.st, &at, "intstr.IntOrString");
                None
            }
        }
    }

    fn string_map(&mut self, o: &Obj, k: &str) -> Option<Labels> {
        let (v, at) = self.field(o, k);
        match v? {
            Value::Map(entries) => {
                let mut out = Map::new();
                for (key, val) in entries {
                    match val {
                        Value::Str(s) => {
                            out.insert(key.clone(), s.clone());
                        }
                        Value::Null => {
                            out.insert(key.clone(), String::new());
                        }
                        other => self.type_err(other, o.st, &at, "string"),
                    }
                }
                Some(out)
            }
            other => {
                self.type_err(other, o.st, &at, "map[string]string");
                None
            }
        }
    }

    fn string_list(&mut self, o: &Obj, k: &str) -> Vec<String> {
        let (v, at) = self.field(o, k);
        match v {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|item| match item {
                    Value::Str(s) => Some(s.clone()),
                    other => {
                        self.type_err(other, o.st, &at, "string");
                        None
                    }
                })
                .collect(),
            Some(other) => {
                self.type_err(other, o.st, &at, "[]string");
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// The items of a list-valued field, each with its position.
    fn list<'v>(&mut self, o: &Obj<'v>, k: &str, go_type: &str) -> Vec<(&'v Value, At)> {
        let (v, at) = self.field(o, k);
        match v {
            Some(Value::Seq(items)) => items.iter().enumerate().map(|(i, item)| (item, at.index(i))).collect(),
            Some(other) => {
                self.type_err(other, o.st, &at, go_type);
                Vec::new()
            }
            None => Vec::new(),
        }
    }
}

const META_FIELDS: &[&str] = &[
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
    "finalizers",
    "managedFields",
    "selfLink",
];

fn meta(d: &mut Dec, top: &Obj) -> Meta {
    let (v, at) = d.field(top, "metadata");
    let Some(m) = d.obj(v, top.st, at, "v1.ObjectMeta", "ObjectMeta", META_FIELDS) else {
        return Meta::default();
    };
    Meta {
        name: d.str_(&m, "name").unwrap_or_default(),
        generate_name: d.str_(&m, "generateName"),
        namespace: d.str_(&m, "namespace").unwrap_or_default(),
        labels: d.string_map(&m, "labels").unwrap_or_default(),
        annotations: d.string_map(&m, "annotations").unwrap_or_default(),
        ..Meta::default()
    }
}

fn top<'v>(d: &mut Dec, v: &'v Value, st: &'static str, spec_fields: bool) -> Option<Obj<'v>> {
    let known: &[&str] = if spec_fields {
        &["apiVersion", "kind", "metadata", "spec", "status"]
    } else {
        &[
            "apiVersion",
            "kind",
            "metadata",
            "spec",
            "status",
            "data",
            "stringData",
            "type",
            "immutable",
            "binaryData",
        ]
    };
    d.obj(Some(v), st, At::root(), st, st, known)
}

fn finish<T>(d: Dec, t: T) -> Result<T, DecodeError> {
    if let Some((_, e)) = d.type_errors.into_iter().min_by_key(|(p, _)| path_key(p)) {
        return Err(DecodeError::Type(e));
    }
    if !d.unknown.is_empty() {
        // kubectl sends JSON with sorted keys; the decoder meets unknown fields in that order.
        let mut unknown = d.unknown;
        super::order::sort_by_key(&mut unknown, |p| path_key(p));
        return Err(DecodeError::Strict(unknown));
    }
    Ok(t)
}

/// `spec.ports[10].x` as comparable parts: keys as text, list indexes as numbers.
fn path_key(path: &str) -> Vec<(String, usize)> {
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let mut pieces = seg.split('[');
        parts.push((pieces.next().unwrap_or("").to_string(), 0));
        for idx in pieces {
            parts.push((String::new(), idx.trim_end_matches(']').parse().unwrap_or(0)));
        }
    }
    parts
}

// ---------------------------------------------------------------------------------------------

const SERVICE_SPEC: &[&str] = &[
    "ports",
    "selector",
    "clusterIP",
    "clusterIPs",
    "type",
    "externalIPs",
    "sessionAffinity",
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "externalName",
    "externalTrafficPolicy",
    "healthCheckNodePort",
    "publishNotReadyAddresses",
    "sessionAffinityConfig",
    "ipFamilies",
    "ipFamilyPolicy",
    "allocateLoadBalancerNodePorts",
    "loadBalancerClass",
    "internalTrafficPolicy",
    "trafficDistribution",
];

pub fn service(v: &Value) -> Result<Service, DecodeError> {
    let mut d = Dec::default();
    let Some(t) = top(&mut d, v, "Service", true) else {
        return finish(d, Service::default());
    };
    let meta = meta(&mut d, &t);
    let mut spec = ServiceSpec::default();
    let (sv, at) = d.field(&t, "spec");
    if let Some(s) = d.obj(sv, "Service", at, "v1.ServiceSpec", "ServiceSpec", SERVICE_SPEC) {
        spec.type_ = d.string(&s, "type", "v1.ServiceType");
        spec.selector = d.string_map(&s, "selector");
        spec.cluster_ip = d.str_(&s, "clusterIP");
        spec.cluster_ips = d.string_list(&s, "clusterIPs");
        spec.external_ips = d.string_list(&s, "externalIPs");
        spec.external_name = d.str_(&s, "externalName");
        spec.session_affinity = d.string(&s, "sessionAffinity", "v1.ServiceAffinity");
        spec.external_traffic_policy = d.string(&s, "externalTrafficPolicy", "v1.ServiceExternalTrafficPolicy");
        spec.internal_traffic_policy = d.string(&s, "internalTrafficPolicy", "v1.ServiceInternalTrafficPolicy");
        spec.health_check_node_port = d.int(&s, "healthCheckNodePort", "int32");
        spec.publish_not_ready_addresses = d.boolean(&s, "publishNotReadyAddresses").unwrap_or(false);
        spec.ip_families = d.string_list(&s, "ipFamilies");
        spec.ip_family_policy = d.string(&s, "ipFamilyPolicy", "v1.IPFamilyPolicy");
        spec.allocate_lb_node_ports = d.boolean(&s, "allocateLoadBalancerNodePorts");
        spec.lb_source_ranges = d.string_list(&s, "loadBalancerSourceRanges");
        spec.load_balancer_ip = d.str_(&s, "loadBalancerIP");
        spec.load_balancer_class = d.str_(&s, "loadBalancerClass");
        spec.traffic_distribution = d.str_(&s, "trafficDistribution");
        let (cv, cat) = d.field(&s, "sessionAffinityConfig");
        if let Some(c) = d.obj(
            cv,
            "ServiceSpec",
            cat,
            "v1.SessionAffinityConfig",
            "SessionAffinityConfig",
            &["clientIP"],
        ) {
            let (iv, iat) = d.field(&c, "clientIP");
            let timeout = d
                .obj(
                    iv,
                    "SessionAffinityConfig",
                    iat,
                    "v1.ClientIPConfig",
                    "ClientIPConfig",
                    &["timeoutSeconds"],
                )
                .and_then(|ip| d.int(&ip, "timeoutSeconds", "int32"));
            spec.affinity_config = Some(timeout);
        }
        for (pv, pat) in d.list(&s, "ports", "[]v1.ServicePort") {
            let known = &["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"];
            if let Some(p) = d.obj(Some(pv), "ServiceSpec", pat, "v1.ServicePort", "ServicePort", known) {
                spec.ports.push(ServicePort {
                    name: d.str_(&p, "name"),
                    protocol: d.string(&p, "protocol", "v1.Protocol"),
                    app_protocol: d.str_(&p, "appProtocol"),
                    port: d.int(&p, "port", "int32").unwrap_or(0),
                    target_port: d.int_or_str(&p, "targetPort"),
                    node_port: d.int(&p, "nodePort", "int32"),
                });
            } else {
                spec.ports.push(ServicePort::default());
            }
        }
    }
    finish(d, Service { meta, spec })
}

// ---------------------------------------------------------------------------------------------

const POD_SPEC: &[&str] = &[
    "volumes",
    "initContainers",
    "containers",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "shareProcessNamespace",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "dnsConfig",
    "readinessGates",
    "runtimeClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "setHostnameAsFQDN",
    "os",
    "hostUsers",
    "schedulingGates",
    "resourceClaims",
    "resources",
];

const CONTAINER: &[&str] = &[
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
];

fn pod_spec(d: &mut Dec, parent: &Obj, k: &str) -> PodSpec {
    let (v, at) = d.field(parent, k);
    let mut spec = PodSpec {
        raw: std::rc::Rc::new(v.cloned().unwrap_or(Value::Null)),
        ..PodSpec::default()
    };
    let Some(s) = d.obj(v, parent.st, at, "v1.PodSpec", "PodSpec", POD_SPEC) else {
        return spec;
    };
    for (cv, cat) in d.list(&s, "containers", "[]v1.Container") {
        if let Some(c) = d.obj(Some(cv), "PodSpec", cat, "v1.Container", "Container", CONTAINER) {
            let mut ports = Vec::new();
            for (pv, pat) in d.list(&c, "ports", "[]v1.ContainerPort") {
                let known = &["name", "hostPort", "containerPort", "protocol", "hostIP"];
                if let Some(p) = d.obj(Some(pv), "Container", pat, "v1.ContainerPort", "ContainerPort", known) {
                    ports.push(ContainerPort {
                        name: d.str_(&p, "name"),
                        container_port: d.int(&p, "containerPort", "int32").unwrap_or(0),
                        protocol: d.string(&p, "protocol", "v1.Protocol"),
                    });
                    d.int(&p, "hostPort", "int32");
                }
            }
            spec.containers.push(Container {
                name: d.str_(&c, "name").unwrap_or_default(),
                image: d.str_(&c, "image").unwrap_or_default(),
                command: d.string_list(&c, "command"),
                args: d.string_list(&c, "args"),
                ports,
                image_pull_policy: d.string(&c, "imagePullPolicy", "v1.PullPolicy"),
                has_readiness_probe: c.get("readinessProbe").is_some(),
                stdin: d.boolean(&c, "stdin").unwrap_or(false),
            });
        } else {
            spec.containers.push(Container::default());
        }
    }
    spec.init_containers = d.list(&s, "initContainers", "[]v1.Container").len();
    spec.node_selector = d.string_map(&s, "nodeSelector").unwrap_or_default();
    spec.node_name = d.str_(&s, "nodeName");
    spec.restart_policy = d.string(&s, "restartPolicy", "v1.RestartPolicy");
    spec.dns_policy = d.string(&s, "dnsPolicy", "v1.DNSPolicy");
    spec.hostname = d.str_(&s, "hostname");
    spec.subdomain = d.str_(&s, "subdomain");
    spec.termination_grace_period = d.int(&s, "terminationGracePeriodSeconds", "int64");
    spec.service_account = d.str_(&s, "serviceAccountName");
    spec.host_network = d.boolean(&s, "hostNetwork").unwrap_or(false);
    let (dv, dat) = d.field(&s, "dnsConfig");
    if let Some(dc) = d.obj(
        dv,
        "PodSpec",
        dat,
        "v1.PodDNSConfig",
        "PodDNSConfig",
        &["nameservers", "searches", "options"],
    ) {
        let mut cfg = DnsConfig {
            nameservers: d.string_list(&dc, "nameservers"),
            searches: d.string_list(&dc, "searches"),
            options: Vec::new(),
        };
        for (ov, oat) in d.list(&dc, "options", "[]v1.PodDNSConfigOption") {
            if let Some(o) = d.obj(
                Some(ov),
                "PodDNSConfig",
                oat,
                "v1.PodDNSConfigOption",
                "PodDNSConfigOption",
                &["name", "value"],
            ) {
                cfg.options
                    .push((d.str_(&o, "name").unwrap_or_default(), d.str_(&o, "value")));
            }
        }
        spec.dns_config = Some(cfg);
    }
    for (vv, vat) in d.list(&s, "volumes", "[]v1.Volume") {
        if let Value::Map(entries) = vv {
            let name = entries
                .iter()
                .find(|(k, _)| k == "name")
                .and_then(|(_, v)| v.as_str())
                .unwrap_or("")
                .to_string();
            let source = if let Some(sec) = vv.get("secret") {
                VolumeSource::Secret(sec.get("secretName").and_then(Value::as_str).unwrap_or("").to_string())
            } else if let Some(cm) = vv.get("configMap") {
                VolumeSource::ConfigMap(cm.get("name").and_then(Value::as_str).unwrap_or("").to_string())
            } else {
                VolumeSource::Other
            };
            spec.volumes.push(Volume { name, source });
        } else if !vv.is_null() {
            d.type_err(vv, "PodSpec", &vat, "v1.Volume");
        }
    }
    for (tv, tat) in d.list(&s, "tolerations", "[]v1.Toleration") {
        let known = &["key", "operator", "value", "effect", "tolerationSeconds"];
        if let Some(t) = d.obj(Some(tv), "PodSpec", tat, "v1.Toleration", "Toleration", known) {
            spec.tolerations.push(Toleration {
                key: d.str_(&t, "key"),
                operator: d.str_(&t, "operator"),
                value: d.str_(&t, "value"),
                effect: d.str_(&t, "effect"),
            });
        }
    }
    spec
}

pub fn pod(v: &Value) -> Result<Pod, DecodeError> {
    let mut d = Dec::default();
    let Some(t) = top(&mut d, v, "Pod", true) else {
        return finish(d, Pod::default());
    };
    let meta = meta(&mut d, &t);
    let spec = pod_spec(&mut d, &t, "spec");
    finish(
        d,
        Pod {
            meta,
            spec,
            status: PodStatus::default(),
        },
    )
}

fn selector(d: &mut Dec, parent: &Obj) -> Option<LabelSelector> {
    let (v, at) = d.field(parent, "selector");
    let s = d.obj(
        v,
        parent.st,
        at,
        "*v1.LabelSelector",
        "LabelSelector",
        &["matchLabels", "matchExpressions"],
    )?;
    let mut sel = LabelSelector {
        match_labels: d.string_map(&s, "matchLabels").unwrap_or_default(),
        match_expressions: Vec::new(),
    };
    for (ev, eat) in d.list(&s, "matchExpressions", "[]v1.LabelSelectorRequirement") {
        let known = &["key", "operator", "values"];
        if let Some(e) = d.obj(
            Some(ev),
            "LabelSelector",
            eat,
            "v1.LabelSelectorRequirement",
            "LabelSelectorRequirement",
            known,
        ) {
            sel.match_expressions.push(Requirement {
                key: d.str_(&e, "key").unwrap_or_default(),
                operator: d.string(&e, "operator", "v1.LabelSelectorOperator").unwrap_or_default(),
                values: d.string_list(&e, "values"),
            });
        }
    }
    Some(sel)
}

fn template(d: &mut Dec, parent: &Obj) -> PodTemplate {
    let (v, at) = d.field(parent, "template");
    let Some(t) = d.obj(
        v,
        parent.st,
        at,
        "v1.PodTemplateSpec",
        "PodTemplateSpec",
        &["metadata", "spec"],
    ) else {
        return PodTemplate::default();
    };
    let m = meta(d, &t);
    PodTemplate {
        labels: m.labels,
        annotations: m.annotations,
        spec: pod_spec(d, &t, "spec"),
    }
}

const DEPLOYMENT_SPEC: &[&str] = &[
    "replicas",
    "selector",
    "template",
    "strategy",
    "minReadySeconds",
    "revisionHistoryLimit",
    "paused",
    "progressDeadlineSeconds",
];

pub fn deployment(v: &Value) -> Result<Deployment, DecodeError> {
    let mut d = Dec::default();
    let Some(t) = top(&mut d, v, "Deployment", true) else {
        return finish(d, Deployment::default());
    };
    let mut dep = Deployment {
        meta: meta(&mut d, &t),
        ..Deployment::default()
    };
    let (sv, at) = d.field(&t, "spec");
    if let Some(s) = d.obj(
        sv,
        "Deployment",
        at,
        "v1.DeploymentSpec",
        "DeploymentSpec",
        DEPLOYMENT_SPEC,
    ) {
        dep.replicas = d.int(&s, "replicas", "int32");
        dep.selector = selector(&mut d, &s);
        dep.template = template(&mut d, &s);
        dep.min_ready_seconds = d.int(&s, "minReadySeconds", "int32").unwrap_or(0);
        dep.revision_history_limit = d.int(&s, "revisionHistoryLimit", "int32");
        dep.progress_deadline_seconds = d.int(&s, "progressDeadlineSeconds", "int32");
        dep.paused = d.boolean(&s, "paused").unwrap_or(false);
        let (stv, stat) = d.field(&s, "strategy");
        if let Some(st) = d.obj(
            stv,
            "DeploymentSpec",
            stat,
            "v1.DeploymentStrategy",
            "DeploymentStrategy",
            &["type", "rollingUpdate"],
        ) {
            dep.strategy.type_ = d.string(&st, "type", "v1.DeploymentStrategyType");
            let (rv, rat) = d.field(&st, "rollingUpdate");
            if let Some(r) = d.obj(
                rv,
                "DeploymentStrategy",
                rat,
                "*v1.RollingUpdateDeployment",
                "RollingUpdateDeployment",
                &["maxUnavailable", "maxSurge"],
            ) {
                dep.strategy.max_surge = d.int_or_str(&r, "maxSurge");
                dep.strategy.max_unavailable = d.int_or_str(&r, "maxUnavailable");
            }
        }
    }
    finish(d, dep)
}

pub fn replica_set(v: &Value) -> Result<ReplicaSet, DecodeError> {
    let mut d = Dec::default();
    let Some(t) = top(&mut d, v, "ReplicaSet", true) else {
        return finish(d, ReplicaSet::default());
    };
    let mut rs = ReplicaSet {
        meta: meta(&mut d, &t),
        ..ReplicaSet::default()
    };
    let (sv, at) = d.field(&t, "spec");
    let known = &["replicas", "minReadySeconds", "selector", "template"];
    if let Some(s) = d.obj(sv, "ReplicaSet", at, "v1.ReplicaSetSpec", "ReplicaSetSpec", known) {
        rs.replicas = d.int(&s, "replicas", "int32");
        rs.selector = selector(&mut d, &s);
        rs.template = template(&mut d, &s);
        rs.min_ready_seconds = d.int(&s, "minReadySeconds", "int32").unwrap_or(0);
    }
    finish(d, rs)
}

/// Metadata of a kind the simulation only stores.
pub fn other_meta(v: &Value) -> Result<Meta, DecodeError> {
    let mut d = Dec::default();
    let Some(t) = top(&mut d, v, "Object", false) else {
        return finish(d, Meta::default());
    };
    d.unknown.clear();
    let m = meta(&mut d, &t);
    d.unknown.retain(|f| f.starts_with("metadata."));
    finish(d, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::yaml::parse_stream;

    fn doc(text: &str) -> Value {
        parse_stream(text).0.remove(0).value
    }

    #[test]
    fn a_string_port_is_a_go_type_error() {
        let v = doc("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: \"80\"\n");
        assert_eq!(
            service(&v).unwrap_err().message(),
            "json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32"
        );
    }

    #[test]
    fn unknown_fields_are_listed_with_indexes() {
        let v = doc(
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: \
            80\n    targetport: 80\n  selctor: {a: b}\n",
        );
        assert_eq!(
            service(&v).unwrap_err().message(),
            "strict decoding error: unknown field \"spec.ports[0].targetport\", unknown field \"spec.selctor\""
        );
    }

    #[test]
    fn a_bool_label_value_fails_like_the_apiserver() {
        let v = doc(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels:\n    enabled: \
            true\nspec:\n  containers: [{name: c, image: nginx}]\n",
        );
        assert_eq!(
            pod(&v).unwrap_err().message(),
            "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
        );
    }

    #[test]
    fn deployment_fields_decode() {
        let v = doc(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 3\n  selector: \
            {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: \
            x}}\n    spec:\n      containers:\n      - name: n\n        image: nginx:latest\n        ports: \
            [{containerPort: 80, name: http}]\n",
        );
        let d = deployment(&v).unwrap();
        assert_eq!(d.replicas, Some(3));
        assert_eq!(d.template.spec.containers[0].ports[0].name.as_deref(), Some("http"));
        assert!(d.selector.unwrap().matches(&d.template.labels));
    }
}
