//! The typed API objects the simulation works on: what the API server stores after decoding
//! and defaulting. Field names follow the Kubernetes API; optional fields are `Option`s so that
//! "not set" and "set to the default" stay distinguishable, as defaulting and validation need.

use super::map::Map;

use super::value::Value;

pub type Labels = Map<String, String>;

/// Simulated time: seconds since the lab's clock started.
pub type Time = i64;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    pub name: String,
    pub generate_name: Option<String>,
    pub namespace: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub uid: String,
    pub creation: Time,
    /// Set when a graceful delete started; the object goes away at `deletion`.
    pub deletion: Option<Time>,
    pub grace_seconds: Option<i64>,
    pub owner: Option<Owner>,
    pub generation: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Owner {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IntOrStr {
    Int(i64),
    Str(String),
}

impl IntOrStr {
    pub fn to_value(&self) -> Value {
        match self {
            IntOrStr::Int(i) => Value::Int(*i),
            IntOrStr::Str(s) => Value::Str(s.clone()),
        }
    }
    pub fn render(&self) -> String {
        match self {
            IntOrStr::Int(i) => i.to_string(),
            IntOrStr::Str(s) => s.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Service

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Service {
    pub meta: Meta,
    pub spec: ServiceSpec,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServiceSpec {
    pub type_: Option<String>,
    pub selector: Option<Labels>,
    pub ports: Vec<ServicePort>,
    pub cluster_ip: Option<String>,
    pub cluster_ips: Vec<String>,
    pub external_ips: Vec<String>,
    pub external_name: Option<String>,
    pub session_affinity: Option<String>,
    /// `sessionAffinityConfig` was given at all, and its `clientIP.timeoutSeconds` if set.
    pub affinity_config: Option<Option<i64>>,
    pub external_traffic_policy: Option<String>,
    pub internal_traffic_policy: Option<String>,
    pub health_check_node_port: Option<i64>,
    pub publish_not_ready_addresses: bool,
    pub ip_families: Vec<String>,
    pub ip_family_policy: Option<String>,
    pub allocate_lb_node_ports: Option<bool>,
    pub lb_source_ranges: Vec<String>,
    pub load_balancer_ip: Option<String>,
    pub load_balancer_class: Option<String>,
    pub traffic_distribution: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: Option<String>,
    pub app_protocol: Option<String>,
    pub port: i64,
    pub target_port: Option<IntOrStr>,
    pub node_port: Option<i64>,
}

impl ServicePort {
    pub fn protocol(&self) -> &str {
        self.protocol.as_deref().unwrap_or("TCP")
    }
    /// The protocol as one of the names validation allows.
    pub fn protocol_static(&self) -> &'static str {
        match self.protocol() {
            "UDP" => "UDP",
            "SCTP" => "SCTP",
            _ => "TCP",
        }
    }
    pub fn target(&self) -> IntOrStr {
        self.target_port.clone().unwrap_or(IntOrStr::Int(self.port))
    }
}

impl Service {
    pub fn type_(&self) -> &str {
        self.spec.type_.as_deref().unwrap_or("ClusterIP")
    }
    pub fn is_headless(&self) -> bool {
        self.spec.cluster_ip.as_deref() == Some("None")
    }
    /// A Service whose ClusterIP kube-proxy programs.
    pub fn has_virtual_ip(&self) -> bool {
        self.type_() != "ExternalName" && !self.is_headless() && self.spec.cluster_ip.is_some()
    }
    pub fn externally_accessible(&self) -> bool {
        matches!(self.type_(), "LoadBalancer" | "NodePort")
            || (self.type_() == "ClusterIP" && !self.spec.external_ips.is_empty())
    }
    pub fn etp_local(&self) -> bool {
        self.spec.external_traffic_policy.as_deref() == Some("Local")
    }
    pub fn itp_local(&self) -> bool {
        self.spec.internal_traffic_policy.as_deref() == Some("Local")
    }
    pub fn affinity_timeout(&self) -> Option<i64> {
        if self.spec.session_affinity.as_deref() == Some("ClientIP") {
            Some(self.spec.affinity_config.flatten().unwrap_or(10800))
        } else {
            None
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pods and their templates

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector {
    pub match_labels: Labels,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let val = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => val.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => !val.is_some_and(|v| r.values.contains(v)),
                    "Exists" => val.is_some(),
                    "DoesNotExist" => val.is_none(),
                    _ => false,
                }
            })
    }
    /// `k=v,k2=v2` as kubectl prints a selector (expressions as `key in (a,b)` and so on).
    pub fn render(&self) -> String {
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for r in &self.match_expressions {
            parts.push(match r.operator.as_str() {
                "In" => format!("{} in ({})", r.key, r.values.join(",")),
                "NotIn" => format!("{} notin ({})", r.key, r.values.join(",")),
                "Exists" => r.key.clone(),
                "DoesNotExist" => format!("!{}", r.key),
                op => format!("{} {op}", r.key),
            });
        }
        parts.join(",")
    }
}

pub fn labels_match(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

pub fn render_labels(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodTemplate {
    pub labels: Labels,
    pub annotations: Labels,
    pub spec: PodSpec,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub init_containers: usize,
    pub node_selector: Labels,
    pub node_name: Option<String>,
    pub restart_policy: Option<String>,
    pub dns_policy: Option<String>,
    pub dns_config: Option<DnsConfig>,
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    pub termination_grace_period: Option<i64>,
    pub volumes: Vec<Volume>,
    pub tolerations: Vec<Toleration>,
    pub service_account: Option<String>,
    pub host_network: bool,
    /// The spec as written, for output of fields the simulation does not model. Shared by the
    /// pods of one template.
    pub raw: std::rc::Rc<Value>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub ports: Vec<ContainerPort>,
    pub image_pull_policy: Option<String>,
    pub has_readiness_probe: bool,
    /// `stdin: true` (`kubectl run -i`): a shell reading it keeps running.
    pub stdin: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i64,
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum VolumeSource {
    Secret(String),
    ConfigMap(String),
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Toleration {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsConfig {
    pub nameservers: Vec<String>,
    pub searches: Vec<String>,
    pub options: Vec<(String, Option<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ContainerState {
    /// Waiting with a reason: `ContainerCreating`, `ErrImagePull`, `ImagePullBackOff`,
    /// `CrashLoopBackOff`.
    Waiting(String),
    Running {
        since: Time,
    },
    Terminated {
        reason: String,
        exit_code: i32,
        started: Time,
        finished: Time,
    },
}

/// One Event object about an object: repeats of the same type, reason, source and message
/// fold into it as the event recorder folds them (a count, the first and the last time).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub type_: &'static str,
    pub reason: String,
    /// The last time it happened.
    pub at: Time,
    pub from: String,
    pub message: String,
    pub count: u32,
    pub first: Time,
}

impl Event {
    pub fn new(type_: &'static str, reason: &str, from: &str, message: String, at: Time) -> Event {
        let (reason, from) = (reason.to_string(), from.to_string());
        Event {
            type_,
            reason,
            at,
            from,
            message,
            count: 1,
            first: at,
        }
    }
}

/// Records `e` in an object's events: a repeat raises the count of the event it repeats and
/// moves it last (the list stays in the order of last occurrence, as `describe` sorts it).
/// From the tenth event of one type, reason and source with a message not seen in the last ten
/// minutes, the event recorder's aggregator folds them into one event with the latest message.
pub fn record_event(events: &mut Vec<Event>, mut e: Event) {
    const COMBINED: &str = "(combined from similar events): ";
    let similar = |x: &Event| x.type_ == e.type_ && x.reason == e.reason && x.from == e.from;
    let mut pos = events.iter().position(|x| similar(x) && x.message == e.message);
    if pos.is_none() {
        let recent = events
            .iter()
            .filter(|x| similar(x) && x.at > e.at - 600 && !x.message.starts_with(COMBINED))
            .count();
        if recent >= 9 {
            e.message = format!("{COMBINED}{}", e.message);
            pos = events
                .iter()
                .position(|x| similar(x) && x.message.starts_with(COMBINED));
        }
    }
    match pos {
        Some(i) => {
            let mut old = events.remove(i);
            old.count = add_count(old.count, e.count);
            (old.at, old.message) = (e.at, e.message);
            events.push(old);
        }
        None => events.push(e),
    }
}

/// The API's counts (an event's count, a container's restart count) are 32-bit signed
/// integers: the lab's stop at their largest value.
pub fn add_count(a: u32, b: u32) -> u32 {
    a.saturating_add(b).min(i32::MAX as u32)
}

/// How many times events of this reason (and message, when given) happened.
pub fn event_count(events: &[Event], reason: &str, message: Option<&str>) -> u32 {
    events
        .iter()
        .filter(|e| e.reason == reason && message.is_none_or(|m| e.message == m))
        .map(|e| e.count)
        .sum()
}

/// An event whose object is gone: events outlive their objects until their time to live ends.
#[derive(Clone, Debug, PartialEq)]
pub struct PastEvent {
    pub namespace: String,
    pub kind: &'static str,
    pub name: String,
    pub uid: String,
    pub event: Event,
}

/// How long the API server keeps events (`--event-ttl`).
pub const EVENT_TTL: Time = 3600;

#[derive(Clone, Debug, PartialEq)]
pub struct PodStatus {
    pub phase: String,
    pub pod_ip: Option<String>,
    pub host_ip: Option<String>,
    pub start_time: Option<Time>,
    pub state: ContainerState,
    pub ready: bool,
    /// When the Ready condition last changed (first set, False, when the kubelet starts the
    /// pod): its `lastTransitionTime`, and the endpoint controllers' trigger time.
    pub ready_changed: Option<Time>,
    pub restarts: u32,
    pub last_restart: Option<Time>,
    /// In CrashLoopBackOff: when the back-off ends and the kubelet starts the container again.
    pub backoff_until: Option<Time>,
    /// When the kubelet acts on this pod next (sandbox ready, container started, restart).
    pub next_step_at: Option<Time>,
    /// When the running container's command ends by itself (`sleep 30`).
    pub exits_at: Option<Time>,
    pub events: Vec<Event>,
    /// The kubelet's probes of the container (`probes`).
    pub probe: super::probes::ProbeState,
}

impl Default for PodStatus {
    fn default() -> Self {
        PodStatus {
            phase: "Pending".into(),
            pod_ip: None,
            host_ip: None,
            start_time: None,
            state: ContainerState::Waiting("ContainerCreating".into()),
            ready: false,
            ready_changed: None,
            restarts: 0,
            last_restart: None,
            backoff_until: None,
            next_step_at: None,
            exits_at: None,
            events: Vec::new(),
            probe: Default::default(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pod {
    pub meta: Meta,
    pub spec: PodSpec,
    pub status: PodStatus,
}

impl Pod {
    /// Sets the container readiness, noting when the Ready condition changes.
    pub fn set_ready(&mut self, ready: bool, now: Time) {
        if self.status.ready != ready || self.status.ready_changed.is_none() {
            self.status.ready_changed = Some(now);
        }
        self.status.ready = ready;
    }
    pub fn node(&self) -> Option<&str> {
        self.spec.node_name.as_deref()
    }
    pub fn is_terminating(&self) -> bool {
        self.meta.deletion.is_some()
    }
    /// The pod's sandbox is up: it has its address and has not finished (the kubelet tears
    /// down the sandbox of a pod that Succeeded or Failed).
    pub fn has_sandbox(&self) -> bool {
        self.status.pod_ip.is_some() && !matches!(self.status.phase.as_str(), "Succeeded" | "Failed")
    }

    /// Ready and serving: what the endpoints controller puts in `addresses`.
    pub fn is_ready(&self) -> bool {
        self.status.ready && !self.is_terminating()
    }
    pub fn image(&self) -> &str {
        self.spec.containers.first().map_or("", |c| c.image.as_str())
    }
    /// The container port with this name and protocol (`FindPort`).
    pub fn find_named_port(&self, name: &str, protocol: &str) -> Option<i64> {
        self.spec.containers.iter().flat_map(|c| &c.ports).find_map(|p| {
            (p.name.as_deref() == Some(name) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                .then_some(p.container_port)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Workloads

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Strategy {
    pub type_: Option<String>,
    pub max_surge: Option<IntOrStr>,
    pub max_unavailable: Option<IntOrStr>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deployment {
    pub meta: Meta,
    pub replicas: Option<i64>,
    pub selector: Option<LabelSelector>,
    pub template: PodTemplate,
    pub strategy: Strategy,
    pub min_ready_seconds: i64,
    pub revision_history_limit: Option<i64>,
    pub progress_deadline_seconds: Option<i64>,
    pub paused: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicaSet {
    pub meta: Meta,
    pub replicas: Option<i64>,
    pub selector: Option<LabelSelector>,
    pub template: PodTemplate,
    pub min_ready_seconds: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Namespace {
    pub meta: Meta,
}

/// The label the API server gives every namespace: its own name (GA since v1.22).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

impl Namespace {
    /// A namespace as the API server stores it: labelled with its name, and without a
    /// `generation` (the namespace strategy does not keep one).
    pub fn new(mut meta: Meta) -> Namespace {
        meta.labels.insert(NAMESPACE_NAME_LABEL.into(), meta.name.clone());
        meta.generation = 0;
        Namespace { meta }
    }
}

/// A well-formed object of a kind the simulation stores and lists but does not act on.
#[derive(Clone, Debug, PartialEq)]
pub struct Other {
    pub api_version: String,
    pub kind: String,
    pub meta: Meta,
    pub body: Value,
}

/// What the endpoints controller computes for one Service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoints {
    pub meta: Meta,
    pub addresses: Vec<EndpointAddress>,
    /// The names of the EndpointSlices the controller keeps for the same Service.
    pub slices: Vec<String>,
    /// The controllers' trigger-time tracker for the Service: its creation time and each
    /// selected pod's Ready transition time (by a hash of the pod's name) at the last sync.
    pub trigger_state: Option<(Time, Vec<(u64, Time)>)>,
    /// Written by a user (a Service without a selector): kept by the controllers, mirrored
    /// into EndpointSlices.
    pub written: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EndpointAddress {
    pub ip: String,
    pub node: Option<String>,
    pub pod: Option<String>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    /// Resolved ports: (service port name, port number, protocol).
    pub ports: Vec<(Option<String>, i64, &'static str)>,
}

impl EndpointAddress {
    /// Whether the Endpoints object lists it: ready (`addresses`), or not ready and not
    /// terminating (`notReadyAddresses`). Terminating endpoints live only in EndpointSlices.
    pub fn in_subsets(&self) -> bool {
        self.ready || !self.terminating
    }
}

/// An EndpointSlice (`discovery.k8s.io/v1`) the lab keeps: the endpointslice controller's for
/// a selector Service, or the API server's own `kubernetes` slice.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointSlice {
    pub meta: Meta,
    /// (Service port name, resolved port, protocol): one port map for every endpoint of the
    /// slice. Empty for the placeholder slice of a Service without endpoints.
    pub ports: Vec<(Option<String>, i64, &'static str)>,
    pub endpoints: Vec<SliceEndpoint>,
    /// A slice a user wrote: its `addressType`, `endpoints` and `ports` as the API server
    /// returns them (`selectorless::slice_from`); `Null` for the controllers' slices.
    pub written: super::value::Value,
}

/// One endpoint of a slice. Its `nodeName` and `targetRef` come from the pod (of the slice's
/// namespace) when the slice is shown: a pod keeps its node and address while it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceEndpoint {
    pub ip: String,
    /// The pod behind it, if any.
    pub pod: Option<String>,
    pub ready: bool,
    /// `serving` and `terminating`: `None` where the writer leaves them out (the API server's
    /// slice sets only `ready`).
    pub serving: Option<bool>,
    pub terminating: Option<bool>,
}

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// The label naming the controller that manages an EndpointSlice.
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const SLICE_CONTROLLER: &str = "endpointslice-controller.k8s.io";
/// At most this many endpoints in one slice (the controller's `--max-endpoints-per-slice`).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    pub ip: String,
    pub labels: Labels,
    pub taints: Vec<(String, String)>,
    pub pod_cidr_blocks: Vec<u32>,
    pub creation: Time,
}

/// Any stored object.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Service(Service),
    Pod(Pod),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    Other(Other),
}

impl Object {
    pub fn meta(&self) -> &Meta {
        match self {
            Object::Service(o) => &o.meta,
            Object::Pod(o) => &o.meta,
            Object::Deployment(o) => &o.meta,
            Object::ReplicaSet(o) => &o.meta,
            Object::Other(o) => &o.meta,
        }
    }
    pub fn meta_mut(&mut self) -> &mut Meta {
        match self {
            Object::Service(o) => &mut o.meta,
            Object::Pod(o) => &mut o.meta,
            Object::Deployment(o) => &mut o.meta,
            Object::ReplicaSet(o) => &mut o.meta,
            Object::Other(o) => &mut o.meta,
        }
    }
    pub fn kind(&self) -> &str {
        match self {
            Object::Service(_) => "Service",
            Object::Pod(_) => "Pod",
            Object::Deployment(_) => "Deployment",
            Object::ReplicaSet(_) => "ReplicaSet",
            Object::Other(o) => &o.kind,
        }
    }
}
