//! The cluster's state: every stored object, the allocators, the simulated clock and the one
//! random generator. API operations live in `apiserver`, controllers in `controllers`, the
//! data plane in `net`; all of them are `impl Cluster` blocks over this state.

use std::collections::{BTreeMap, VecDeque};

use super::map::{Map, Set};

use super::lab::{fnv32, ip_to_u32, parse_cidr, u32_to_ip, Lab};
use super::objects::*;
use super::rng::Rng;
use super::store::Store;

pub type Key = (String, String);

pub fn key(ns: &str, name: &str) -> Key {
    (ns.to_string(), name.to_string())
}

/// How a destination reaches a Service port in kube-proxy's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    ClusterIp,
    /// A node's own address and a nodePort: only on that node.
    NodePort,
    /// An `externalIPs` address: captured on every node.
    ExternalIp,
}

/// One conntrack entry on a node: the original and reply tuples `(src, dst, sport, dport)`,
/// and when the connection ended (TCP: TIME_WAIT for 120 s after; UDP: 30 s after).
#[derive(Clone, Debug, PartialEq)]
pub struct CtEntry {
    pub node: String,
    pub udp: bool,
    pub orig: (String, String, u16, u16),
    pub reply: (String, String, u16, u16),
    pub ended: Time,
}

impl CtEntry {
    /// Seconds it has left at `now` (TIME_WAIT's 120 s after a TCP connection, UDP's 30 s).
    pub fn left(&self, now: Time) -> i64 {
        let timeout = if self.udp { 30 } else { 120 };
        timeout - (now - self.ended)
    }
}

/// A node's share of the pod network: Calico /26 blocks with their free ordinals.
#[derive(Clone, Debug, Default)]
pub struct NodeIpam {
    pub blocks: Vec<(u32, VecDeque<u8>)>,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub lab: Lab,
    pub now: Time,
    pub rng: Rng,
    pub nodes: Vec<Node>,
    pub namespaces: Map<String, Namespace>,
    pub services: Store<Service>,
    pub pods: Store<Pod>,
    pub deployments: Store<Deployment>,
    pub replicasets: Store<ReplicaSet>,
    pub endpoints: Store<Endpoints>,
    /// EndpointSlices, by (namespace, slice name).
    pub slices: Store<EndpointSlice>,
    /// Stored objects of kinds the simulation does not act on: (kind, namespace, name).
    /// A B-tree: it can hold thousands of objects, inserted in any order.
    pub others: BTreeMap<(String, String, String), Other>,
    pub ipam: Map<String, NodeIpam>,
    pub claimed_blocks: Set<u32>,
    pub cluster_ips: Set<u32>,
    pub node_ports: Set<u16>,
    /// ClientIP session affinity, per node's kube-proxy:
    /// (node, service key, port, client ip) -> (endpoint ip, last used).
    pub affinity: Map<(String, Key, i64, String), (String, Time)>,
    /// Counters of the iptables rules the lab's connections went through:
    /// (node, table, chain, rule as saved) -> (packets, bytes).
    pub ipt_counters: Map<(String, String, String, String), (u64, u64)>,
    /// Connection tracking entries of the lab's connections, on the nodes they passed.
    pub conntrack: Vec<CtEntry>,
    /// Images already on a node: later pulls are quick.
    pub pulled: Set<(String, String)>,
    /// Image pulls in progress: (node, image) -> when the image lands.
    pub pulling: Map<(String, String), Time>,
    /// What each pod's container wrote to stdout (nginx's access log).
    pub logs: Map<Key, Vec<String>>,
    /// Active and ready pods per owner uid, while the workload controllers run.
    pub(crate) owner_counts: Map<String, (i64, i64)>,
    /// The last counts, and the (pods, ReplicaSets) table versions they were counted at.
    pub(crate) counts_kept: ((u64, u64), Map<String, (i64, i64)>),
    /// The ReplicaSet removals the counts were started after, and per pod slot what its pod
    /// added to them: (owner uid, its (namespace, name), (active, ready)).
    #[allow(clippy::type_complexity)]
    pub(crate) pod_shares: (u64, Vec<Option<(String, Key, (i64, i64))>>),
    /// The table versions (and pod counts) the garbage collector, the deployment controller, the
    /// ReplicaSet controller and the scheduler last saw when they found nothing to do.
    #[allow(clippy::type_complexity)]
    #[allow(clippy::type_complexity)]
    pub(crate) quiet_tables: (
        Option<(u64, u64)>,
        Option<(u64, (u64, u64))>,
        Option<(u64, u64)>,
        Option<u64>,
    ),
    /// The (Deployments, ReplicaSets) write numbers and ReplicaSet removals at the deployment
    /// controller's last pass, and the (namespace, owner name) of the pods written since.
    pub(crate) deployments_seen: Option<(u64, u64, u64)>,
    pub(crate) counts_changed: Vec<Key>,
    /// The (ReplicaSets, pods) write numbers and pod removals at the ReplicaSet controller's
    /// last pass.
    pub(crate) replica_sets_seen: Option<(u64, u64, u64)>,
    /// The pods' write number and removals, and the pods on each node, at the scheduler's last
    /// pass.
    pub(crate) scheduled_seen: Option<(u64, u64, Vec<usize>)>,
    /// Deployment uid -> (template, pod-template-hash) last computed.
    pub(crate) hash_cache: Map<String, (PodTemplate, String)>,
    /// kube-proxy's lookup tables, rebuilt whenever Services or pods change: destination
    /// (ip, port) -> Service ports it belongs to, and pod IP -> pod.
    pub(crate) service_index: Map<(String, u16), Vec<(Key, usize, Via)>>,
    pub(crate) cluster_ip_owner: Map<String, Key>,
    pub(crate) pod_ips: Map<String, Key>,
    /// The pods' write number when `pod_ips` was built.
    pub(crate) pod_ips_at: u64,
    pub(crate) resource_version: u64,
    /// Per Service, a signature of what its endpoints were computed from.
    pub(crate) endpoint_sigs: Map<Key, u64>,
    /// Events of the workload controllers, by the uid of the object they are about (pods keep
    /// theirs in their status).
    pub(crate) object_events: Map<String, Vec<Event>>,
    /// Events of objects already deleted, kept until they expire.
    pub(crate) past_events: Vec<PastEvent>,
    /// When `default/kubernetes` was deleted: the API server puts it back on its next pass.
    pub(crate) kubernetes_service_gone: Option<Time>,
    /// The Services changed since kube-proxy's table was built.
    pub(crate) services_changed: bool,
    /// Counts the changes kube-proxy's rules are made from: a Service written, the endpoints
    /// computed again.
    pub(crate) net_gen: u64,
    /// Each node's rules as last built (`iptables::rules_of`), with the `net_gen` they were
    /// built at, and the resource version: requests read them, and they are built again only after a change.
    pub(crate) rules: std::cell::RefCell<Vec<(String, (u64, u64), std::rc::Rc<super::iptables::Ruleset>)>>,
    /// Pods changed since the endpoints were last computed.
    pub(crate) pods_changed: bool,
    /// The resource version the endpoints were last computed at.
    pub(crate) endpoints_version: u64,
    /// What the lab has to say about the last command, in its own voice (a limit it reached).
    pub notes: Vec<String>,
    /// The lab's pod limit held back pods the ReplicaSet controller wanted, at its last pass.
    pub(crate) pods_held_back: bool,
    /// EndpointSlices created so far: with the Service's uid, it seeds each new slice's name.
    pub(crate) slices_made: u64,
    /// Endpoints of the EndpointSlices users wrote for selectorless Services (`selectorless`).
    pub(crate) sliced: Vec<(Key, Vec<EndpointAddress>)>,
}

pub(crate) const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Cluster {
    /// A fresh lab cluster: nodes, the `kubernetes` and `kube-dns` Services, CoreDNS.
    pub fn new(lab: Lab, seed: u64) -> Cluster {
        let mut c = Cluster {
            now: 0,
            rng: Rng::new(seed),
            nodes: Vec::new(),
            namespaces: Map::new(),
            services: Store::new(),
            pods: Store::new(),
            deployments: Store::new(),
            replicasets: Store::new(),
            endpoints: Store::new(),
            slices: Store::new(),
            others: BTreeMap::new(),
            ipam: Map::new(),
            claimed_blocks: Set::new(),
            cluster_ips: Set::new(),
            node_ports: Set::new(),
            affinity: Map::new(),
            ipt_counters: Map::new(),
            conntrack: Vec::new(),
            pulled: Set::new(),
            pulling: Map::new(),
            logs: Map::new(),
            owner_counts: Map::new(),
            counts_kept: ((0, 0), Map::new()),
            pod_shares: (0, Vec::new()),
            hash_cache: Map::new(),
            deployments_seen: None,
            counts_changed: Vec::new(),
            replica_sets_seen: None,
            scheduled_seen: None,
            quiet_tables: (None, None, None, None),
            service_index: Map::new(),
            cluster_ip_owner: Map::new(),
            pod_ips: Map::new(),
            pod_ips_at: 0,
            resource_version: 1000,
            endpoints_version: 0,
            slices_made: 0,
            sliced: Vec::new(),
            notes: Vec::new(),
            pods_held_back: false,
            pods_changed: true,
            endpoint_sigs: Map::new(),
            kubernetes_service_gone: None,
            object_events: Map::new(),
            past_events: Vec::new(),
            services_changed: true,
            net_gen: 0,
            rules: Default::default(),
            lab,
        };
        c.bootstrap();
        c
    }

    fn bootstrap(&mut self) {
        let born = -self.lab.cluster_age;
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            // Their uids come from their names, not from the cluster's generator, whose
            // sequence gives every later name and address.
            let uid = uid_from(&mut Rng::new(fnv32(ns.as_bytes()) as u64));
            self.namespaces.insert(
                ns.to_string(),
                Namespace::new(Meta {
                    name: ns.into(),
                    uid,
                    creation: born,
                    ..Meta::default()
                }),
            );
        }
        let lab_nodes = self.lab.nodes.clone();
        for ln in &lab_nodes {
            let mut labels = Labels::new();
            labels.insert("beta.kubernetes.io/arch".into(), "arm64".into());
            labels.insert("beta.kubernetes.io/os".into(), "linux".into());
            labels.insert("kubernetes.io/arch".into(), "arm64".into());
            labels.insert("kubernetes.io/hostname".into(), ln.name.clone());
            labels.insert("kubernetes.io/os".into(), "linux".into());
            let mut taints = Vec::new();
            if ln.control_plane {
                labels.insert("node-role.kubernetes.io/control-plane".into(), String::new());
                labels.insert(
                    "node.kubernetes.io/exclude-from-external-load-balancers".into(),
                    String::new(),
                );
                taints.push(("node-role.kubernetes.io/control-plane".into(), "NoSchedule".into()));
            }
            for (k, v) in &ln.labels {
                labels.insert(k.clone(), v.clone());
            }
            self.nodes.push(Node {
                name: ln.name.clone(),
                ip: ln.ip.clone(),
                labels,
                taints,
                pod_cidr_blocks: Vec::new(),
                creation: born,
            });
            let block = ln.block.as_deref().and_then(ip_to_u32);
            self.claim_block(&ln.name, block);
            // calico-node takes the block's first address for its tunnel interface.
            self.ipam
                .get_mut(&ln.name)
                .and_then(|i| i.blocks.first_mut())
                .and_then(|b| b.1.pop_front());
        }
        // The API server's own Service and the cluster DNS.
        let kubernetes = self.kubernetes_service(born);
        let dns_ip = self.lab.dns_ip.clone();
        let kube_dns = Service {
            meta: Meta {
                name: "kube-dns".into(),
                namespace: "kube-system".into(),
                labels: string_map(&[
                    ("k8s-app", "kube-dns"),
                    ("kubernetes.io/cluster-service", "true"),
                    ("kubernetes.io/name", "CoreDNS"),
                ]),
                annotations: string_map(&[("prometheus.io/port", "9153"), ("prometheus.io/scrape", "true")]),
                uid: self.new_uid(),
                creation: born,
                ..Meta::default()
            },
            spec: ServiceSpec {
                type_: Some("ClusterIP".into()),
                selector: Some([("k8s-app".to_string(), "kube-dns".to_string())].into()),
                ports: vec![
                    ServicePort {
                        name: Some("dns".into()),
                        protocol: Some("UDP".into()),
                        port: 53,
                        target_port: Some(IntOrStr::Int(53)),
                        ..ServicePort::default()
                    },
                    ServicePort {
                        name: Some("dns-tcp".into()),
                        protocol: Some("TCP".into()),
                        port: 53,
                        target_port: Some(IntOrStr::Int(53)),
                        ..ServicePort::default()
                    },
                    ServicePort {
                        name: Some("metrics".into()),
                        protocol: Some("TCP".into()),
                        port: 9153,
                        target_port: Some(IntOrStr::Int(9153)),
                        ..ServicePort::default()
                    },
                ],
                cluster_ip: Some(dns_ip.clone()),
                cluster_ips: vec![dns_ip.clone()],
                session_affinity: Some("None".into()),
                internal_traffic_policy: Some("Cluster".into()),
                ip_families: vec!["IPv4".into()],
                ip_family_policy: Some("SingleStack".into()),
                ..ServiceSpec::default()
            },
        };
        for svc in [kubernetes, kube_dns] {
            if let Some(ip) = svc.spec.cluster_ip.as_deref().and_then(ip_to_u32) {
                self.cluster_ips.insert(ip);
            }
            self.services.insert(key(&svc.meta.namespace, &svc.meta.name), svc);
        }
        // CoreDNS: a Deployment of two replicas that tolerates the control-plane taint.
        let cp = lab_nodes.iter().find(|n| n.control_plane).map(|n| n.name.clone());
        let mut template = PodTemplate::default();
        template.labels.insert("k8s-app".into(), "kube-dns".into());
        template.spec.containers.push(Container {
            name: "coredns".into(),
            image: "registry.k8s.io/coredns/coredns:v1.11.3".into(),
            ports: vec![
                ContainerPort {
                    name: Some("dns".into()),
                    container_port: 53,
                    protocol: Some("UDP".into()),
                },
                ContainerPort {
                    name: Some("dns-tcp".into()),
                    container_port: 53,
                    protocol: Some("TCP".into()),
                },
                ContainerPort {
                    name: Some("metrics".into()),
                    container_port: 9153,
                    protocol: Some("TCP".into()),
                },
            ],
            args: vec!["-conf".into(), "/etc/coredns/Corefile".into()],
            ..Container::default()
        });
        template.spec.tolerations.push(Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            effect: Some("NoSchedule".into()),
            ..Toleration::default()
        });
        template.spec.dns_policy = Some("Default".into());
        if let Some(cp) = &cp {
            template
                .spec
                .node_selector
                .insert("kubernetes.io/hostname".into(), cp.clone());
        }
        let mut dep = Deployment {
            meta: Meta {
                name: "coredns".into(),
                namespace: "kube-system".into(),
                uid: self.new_uid(),
                creation: born,
                ..Meta::default()
            },
            replicas: Some(2),
            selector: Some(LabelSelector {
                match_labels: template.labels.clone(),
                match_expressions: Vec::new(),
            }),
            template,
            ..Deployment::default()
        };
        dep.meta.labels.insert("k8s-app".into(), "kube-dns".into());
        self.default_deployment(&mut dep);
        self.deployments.insert(key("kube-system", "coredns"), dep);
        // Let the system pods start long before the session does.
        let start = self.now;
        self.now = born;
        self.settle();
        self.advance(60);
        self.now = start;
        self.reconcile();
    }

    pub fn service_ip(&self, index: u32) -> String {
        let (net, _) = parse_cidr(&self.lab.service_cidr).unwrap_or((0x0A60_0000, 12));
        u32_to_ip(net + index)
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn node_by_ip(&self, ip: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.ip == ip)
    }

    /// `default/kubernetes`, the API server's own Service, on the first address of the range.
    pub(crate) fn kubernetes_service(&mut self, born: Time) -> Service {
        Service {
            meta: Meta {
                name: "kubernetes".into(),
                namespace: "default".into(),
                labels: string_map(&[("component", "apiserver"), ("provider", "kubernetes")]),
                uid: self.new_uid(),
                creation: born,
                ..Meta::default()
            },
            spec: ServiceSpec {
                type_: Some("ClusterIP".into()),
                ports: vec![ServicePort {
                    name: Some("https".into()),
                    protocol: Some("TCP".into()),
                    port: 443,
                    target_port: Some(IntOrStr::Int(6443)),
                    ..ServicePort::default()
                }],
                cluster_ip: Some(self.service_ip(1)),
                cluster_ips: vec![self.service_ip(1)],
                session_affinity: Some("None".into()),
                internal_traffic_policy: Some("Cluster".into()),
                ip_families: vec!["IPv4".into()],
                ip_family_policy: Some("SingleStack".into()),
                ..ServiceSpec::default()
            },
        }
    }

    /// Keeps the events of a deleted object until they expire.
    pub(crate) fn archive_events(
        &mut self,
        namespace: &str,
        kind: &'static str,
        name: &str,
        uid: &str,
        events: Vec<Event>,
    ) {
        let now = self.now;
        self.past_events.retain(|p| p.event.at > now - EVENT_TTL);
        for event in events {
            self.past_events.push(PastEvent {
                namespace: namespace.to_string(),
                kind,
                name: name.to_string(),
                uid: uid.to_string(),
                event,
            });
        }
    }

    /// Every unexpired event in a namespace (all with `None`), as `kubectl get events` lists
    /// them: identical repeats folded into one (first time, last time, count), in the order of
    /// their names (`<object>.<first time in hex nanoseconds>`).
    pub fn event_list(&self, ns: Option<&str>) -> Vec<ListedEvent> {
        let mut raw: Vec<(String, &'static str, String, &str, &Event)> = Vec::new();
        let keep = |n: &str| ns.is_none_or(|x| x == n);
        for p in self.pods.values().filter(|p| keep(&p.meta.namespace)) {
            raw.extend(p.status.events.iter().map(|e| {
                (
                    p.meta.namespace.clone(),
                    "Pod",
                    p.meta.name.clone(),
                    p.meta.uid.as_str(),
                    e,
                )
            }));
        }
        for d in self.deployments.values().filter(|d| keep(&d.meta.namespace)) {
            if let Some(evs) = self.object_events.get(&d.meta.uid) {
                raw.extend(evs.iter().map(|e| {
                    (
                        d.meta.namespace.clone(),
                        "Deployment",
                        d.meta.name.clone(),
                        d.meta.uid.as_str(),
                        e,
                    )
                }));
            }
        }
        for rs in self.replicasets.values().filter(|rs| keep(&rs.meta.namespace)) {
            if let Some(evs) = self.object_events.get(&rs.meta.uid) {
                raw.extend(evs.iter().map(|e| {
                    (
                        rs.meta.namespace.clone(),
                        "ReplicaSet",
                        rs.meta.name.clone(),
                        rs.meta.uid.as_str(),
                        e,
                    )
                }));
            }
        }
        for p in self.past_events.iter().filter(|p| keep(&p.namespace)) {
            raw.push((p.namespace.clone(), p.kind, p.name.clone(), p.uid.as_str(), &p.event));
        }
        // Repeats were folded into one event of their object as they happened.
        let out: Vec<ListedEvent> = raw
            .into_iter()
            .filter(|(.., e)| e.at > self.now - EVENT_TTL)
            .map(|(namespace, kind, name, _, e)| ListedEvent {
                namespace,
                kind,
                name,
                first: e.first,
                count: e.count,
                event: e.clone(),
            })
            .collect();
        // Each row's event name is made once, not again for every comparison of the sort.
        let start = self.lab.start_unix;
        let mut named: Vec<(String, ListedEvent)> = out
            .into_iter()
            .map(|l| {
                (
                    format!(
                        "{}.{:x}",
                        l.name,
                        ((start + l.first).max(0) as u64).saturating_mul(1_000_000_000)
                    ),
                    l,
                )
            })
            .collect();
        super::order::sort_by(&mut named, |a, b| (&a.1.namespace, &a.0).cmp(&(&b.1.namespace, &b.0)));
        named.into_iter().map(|(_, l)| l).collect()
    }

    pub fn new_uid(&mut self) -> String {
        uid_from(&mut self.rng)
    }

    /// A generator for what the endpoint controllers name and number for a Service, seeded by
    /// the Service's uid and `salt`: their objects come and go with pods, and drawing their
    /// names from the cluster's generator would change every name drawn after them.
    pub(crate) fn service_rng(uid: &str, salt: u64) -> Rng {
        Rng::new(((fnv32(uid.as_bytes()) as u64) << 32 ^ salt).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    pub(crate) fn uid_from_rng(rng: &mut Rng) -> String {
        uid_from(rng)
    }

    pub fn next_resource_version(&mut self) -> u64 {
        self.resource_version += 1;
        self.resource_version
    }

    /// Five characters as `utilrand.String(5)` makes them.
    pub fn random_suffix(&mut self) -> String {
        self.rng.string_from(ALPHANUMS, 5)
    }

    // -----------------------------------------------------------------------------------------
    // Pod network (Calico IPAM)

    fn claim_block(&mut self, node: &str, preferred: Option<u32>) -> bool {
        let Some((pool, len)) = parse_cidr(&self.lab.pod_cidr) else {
            return false;
        };
        if len > 26 {
            return false;
        }
        let count = 1u32 << (26 - len);
        let pick = match preferred.filter(|b| !self.claimed_blocks.contains(b)) {
            Some(b) => Some(b),
            None => {
                let start = fnv32(node.as_bytes()) % count;
                (0..count)
                    .map(|i| pool + ((start + i) % count) * 64)
                    .find(|b| !self.claimed_blocks.contains(b))
            }
        };
        let Some(base) = pick else { return false };
        self.claimed_blocks.insert(base);
        self.ipam
            .entry(node.to_string())
            .or_default()
            .blocks
            .push((base, (0..64u8).collect()));
        if let Some(n) = self.nodes.iter_mut().find(|n| n.name == node) {
            n.pod_cidr_blocks.push(base);
        }
        true
    }

    /// The next address of the node's blocks, claiming a new block when they are full.
    pub fn allocate_pod_ip(&mut self, node: &str) -> Option<String> {
        for _ in 0..2 {
            if let Some(ipam) = self.ipam.get_mut(node) {
                for (base, free) in ipam.blocks.iter_mut() {
                    if let Some(ord) = free.pop_front() {
                        return Some(u32_to_ip(*base + ord as u32));
                    }
                }
            }
            if !self.claim_block(node, None) {
                return None;
            }
        }
        None
    }

    /// Returns an address to its block; a released ordinal is reused last.
    pub fn release_pod_ip(&mut self, node: &str, ip: &str) {
        let Some(v) = ip_to_u32(ip) else { return };
        if let Some(ipam) = self.ipam.get_mut(node) {
            for (base, free) in ipam.blocks.iter_mut() {
                if v >= *base && v < *base + 64 {
                    free.push_back((v - *base) as u8);
                }
            }
        }
    }

    /// The pod that has this address.
    pub fn pod_by_ip(&self, ip: &str) -> Option<&Pod> {
        match self.pod_ips.get(ip) {
            Some(k) => self.pods.get(k).filter(|p| p.status.pod_ip.as_deref() == Some(ip)),
            None => self
                .pods
                .values()
                .find(|p| p.status.pod_ip.as_deref() == Some(ip) && !self.pod_ips.contains_key(ip)),
        }
    }

    /// Rebuilds kube-proxy's lookup tables from the Services, nodes and pods (the pods' table
    /// only when a pod with an address was written or a pod went since it was built).
    pub fn rebuild_indexes(&mut self) {
        let since = std::mem::replace(&mut self.pod_ips_at, self.pods.writes());
        if self
            .pods
            .slots_since(since)
            .any(|(_, p)| p.is_none_or(|(_, p)| p.status.pod_ip.is_some()))
        {
            self.pod_ips = self
                .pods
                .iter()
                .filter(|(_, p)| !p.spec.host_network)
                .filter_map(|(k, p)| p.status.pod_ip.clone().map(|ip| (ip, k.clone())))
                .collect();
        }
        if !self.services_changed {
            return;
        }
        self.services_changed = false;
        // Thousands of keys in any order: gathered first, then sorted once.
        let mut index: Vec<((String, u16), (Key, usize, Via))> = Vec::new();
        let mut owners: Vec<(String, Key)> = Vec::new();
        let node_ips: Vec<String> = self.nodes.iter().map(|n| n.ip.clone()).collect();
        for (k, svc) in &self.services {
            if svc.type_() == "ExternalName" {
                continue;
            }
            let cluster_ip = svc.spec.cluster_ip.as_ref().filter(|_| svc.has_virtual_ip());
            if let Some(ip) = cluster_ip {
                owners.push((ip.clone(), k.clone()));
            }
            for (i, p) in svc.spec.ports.iter().enumerate() {
                if p.protocol() != "TCP" {
                    continue;
                }
                if let Some(ip) = cluster_ip {
                    index.push(((ip.clone(), p.port as u16), (k.clone(), i, Via::ClusterIp)));
                }
                if let Some(np) = p.node_port {
                    for ip in &node_ips {
                        index.push(((ip.clone(), np as u16), (k.clone(), i, Via::NodePort)));
                    }
                }
                for ip in &svc.spec.external_ips {
                    index.push(((ip.clone(), p.port as u16), (k.clone(), i, Via::ExternalIp)));
                }
            }
        }
        self.service_index = Map::grouped(index);
        self.cluster_ip_owner = owners.into_iter().collect();
    }

    pub fn age(&self, t: Time) -> i64 {
        self.now - t
    }
}

/// `SafeEncodeString` of a decimal number: the pod-template-hash alphabet.
pub fn safe_encode_decimal(n: u32) -> String {
    n.to_string()
        .bytes()
        .map(|b| ALPHANUMS[(b % 27) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_hash_digits_map_like_kubernetes() {
        assert_eq!(safe_encode_decimal(1_234_567_890), "56789bcdf4");
    }

    #[test]
    fn fresh_lab_has_the_seed_addresses() {
        let c = Cluster::new(Lab::default(), 1);
        assert_eq!(
            c.services[&key("default", "kubernetes")].spec.cluster_ip.as_deref(),
            Some("10.96.0.1")
        );
        assert_eq!(
            c.services[&key("kube-system", "kube-dns")].spec.cluster_ip.as_deref(),
            Some("10.96.0.10")
        );
        let mut c = c;
        assert_eq!(c.allocate_pod_ip("myserver02").as_deref(), Some("192.168.131.65"));
        assert_eq!(c.allocate_pod_ip("myserver03").as_deref(), Some("192.168.149.193"));
        let coredns: Vec<_> = c.pods.values().filter(|p| p.meta.namespace == "kube-system").collect();
        assert_eq!(coredns.len(), 2);
        assert!(coredns.iter().all(|p| p.is_ready() && p.node() == Some("myserver01")));
    }
}

/// One row of `kubectl get events`.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedEvent {
    pub namespace: String,
    pub kind: &'static str,
    pub name: String,
    pub first: Time,
    pub count: u32,
    /// The last occurrence (its `at` is the last time seen).
    pub event: Event,
}

/// A random version-4 UUID, as the API server gives each object.
fn uid_from(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        (a & 0xfff) as u16,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// A label or annotation map from literal pairs.
fn string_map(pairs: &[(&str, &str)]) -> Map<String, String> {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.to_string());
    }
    m
}
