//! The API resources the lab's API server serves: kind, group/version, resource names, short
//! names, and whether the simulation acts on the kind or only stores it.

#[derive(Debug, PartialEq)]
pub struct KindInfo {
    pub kind: &'static str,
    pub group: &'static str,
    pub versions: &'static [&'static str],
    pub plural: &'static str,
    pub singular: &'static str,
    pub short: &'static [&'static str],
    pub namespaced: bool,
    pub simulated: bool,
}

impl KindInfo {
    /// `name` followed by `.group` when the kind has an API group.
    fn in_group(&self, name: &str) -> String {
        if self.group.is_empty() {
            name.to_string()
        } else {
            format!("{name}.{}", self.group)
        }
    }
    /// `service`, `deployment.apps`: the prefix kubectl prints before `/name`.
    pub fn qualified(&self) -> String {
        self.in_group(self.singular)
    }
    /// `services`, `deployments.apps`: the resource as API errors name it.
    pub fn resource(&self) -> String {
        self.in_group(self.plural)
    }
    /// `Service`, `Deployment.apps`: the kind as validation errors name it.
    pub fn kind_group(&self) -> String {
        self.in_group(self.kind)
    }
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.versions[0].to_string()
        } else {
            format!("{}/{}", self.group, self.versions[0])
        }
    }
}

/// The kinds whose registry strategy sets `metadata.generation` (1 on create, one more for each
/// change of the spec). Services, pods (before v1.33), namespaces and config objects have none.
const WITH_GENERATION: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "EndpointSlice",
];

pub fn has_generation(kind: &str) -> bool {
    WITH_GENERATION.contains(&kind)
}

/// The resources of the `all` category, in the order kubectl expands it (discovery order:
/// the core group, apps, autoscaling, batch).
pub const ALL_CATEGORY: &[&str] = &[
    "pods",
    "replicationcontrollers",
    "services",
    "daemonsets",
    "deployments",
    "replicasets",
    "statefulsets",
    "horizontalpodautoscalers",
    "cronjobs",
    "jobs",
];

macro_rules! kind {
    ($kind:expr, $group:expr, [$($v:expr),*], $plural:expr, $singular:expr, [$($s:expr),*], $ns:expr, $sim:expr) => {
        KindInfo { kind: $kind, group: $group, versions: &[$($v),*], plural: $plural, singular: $singular, short: &[$($s),*], namespaced: $ns, simulated: $sim }
    };
}

pub static KINDS: &[KindInfo] = &[
    kind!("Pod", "", ["v1"], "pods", "pod", ["po"], true, true),
    kind!("Service", "", ["v1"], "services", "service", ["svc"], true, true),
    kind!("Endpoints", "", ["v1"], "endpoints", "endpoints", ["ep"], true, true),
    kind!(
        "Deployment",
        "apps",
        ["v1"],
        "deployments",
        "deployment",
        ["deploy"],
        true,
        true
    ),
    kind!(
        "ReplicaSet",
        "apps",
        ["v1"],
        "replicasets",
        "replicaset",
        ["rs"],
        true,
        true
    ),
    kind!("Node", "", ["v1"], "nodes", "node", ["no"], false, true),
    kind!("Namespace", "", ["v1"], "namespaces", "namespace", ["ns"], false, false),
    kind!("ConfigMap", "", ["v1"], "configmaps", "configmap", ["cm"], true, false),
    kind!("Secret", "", ["v1"], "secrets", "secret", [], true, false),
    kind!(
        "ServiceAccount",
        "",
        ["v1"],
        "serviceaccounts",
        "serviceaccount",
        ["sa"],
        true,
        false
    ),
    kind!(
        "PersistentVolumeClaim",
        "",
        ["v1"],
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        ["pvc"],
        true,
        false
    ),
    kind!(
        "PersistentVolume",
        "",
        ["v1"],
        "persistentvolumes",
        "persistentvolume",
        ["pv"],
        false,
        false
    ),
    kind!(
        "ReplicationController",
        "",
        ["v1"],
        "replicationcontrollers",
        "replicationcontroller",
        ["rc"],
        true,
        false
    ),
    kind!(
        "StatefulSet",
        "apps",
        ["v1"],
        "statefulsets",
        "statefulset",
        ["sts"],
        true,
        false
    ),
    kind!(
        "DaemonSet",
        "apps",
        ["v1"],
        "daemonsets",
        "daemonset",
        ["ds"],
        true,
        false
    ),
    kind!("Job", "batch", ["v1"], "jobs", "job", [], true, false),
    kind!("CronJob", "batch", ["v1"], "cronjobs", "cronjob", ["cj"], true, false),
    kind!(
        "HorizontalPodAutoscaler",
        "autoscaling",
        ["v2", "v1"],
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        ["hpa"],
        true,
        false
    ),
    kind!(
        "Ingress",
        "networking.k8s.io",
        ["v1"],
        "ingresses",
        "ingress",
        ["ing"],
        true,
        false
    ),
    kind!(
        "IngressClass",
        "networking.k8s.io",
        ["v1"],
        "ingressclasses",
        "ingressclass",
        [],
        false,
        false
    ),
    kind!(
        "NetworkPolicy",
        "networking.k8s.io",
        ["v1"],
        "networkpolicies",
        "networkpolicy",
        ["netpol"],
        true,
        false
    ),
    kind!(
        "EndpointSlice",
        "discovery.k8s.io",
        ["v1"],
        "endpointslices",
        "endpointslice",
        [],
        true,
        true
    ),
    kind!(
        "PodDisruptionBudget",
        "policy",
        ["v1"],
        "poddisruptionbudgets",
        "poddisruptionbudget",
        ["pdb"],
        true,
        false
    ),
    kind!(
        "Role",
        "rbac.authorization.k8s.io",
        ["v1"],
        "roles",
        "role",
        [],
        true,
        false
    ),
    kind!(
        "RoleBinding",
        "rbac.authorization.k8s.io",
        ["v1"],
        "rolebindings",
        "rolebinding",
        [],
        true,
        false
    ),
    kind!(
        "ClusterRole",
        "rbac.authorization.k8s.io",
        ["v1"],
        "clusterroles",
        "clusterrole",
        [],
        false,
        false
    ),
    kind!(
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        ["v1"],
        "clusterrolebindings",
        "clusterrolebinding",
        [],
        false,
        false
    ),
    kind!(
        "StorageClass",
        "storage.k8s.io",
        ["v1"],
        "storageclasses",
        "storageclass",
        ["sc"],
        false,
        false
    ),
];

/// The kind served at `apiVersion` (`v1`, `apps/v1`), if any.
pub fn by_api_version(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    KINDS
        .iter()
        .find(|k| k.kind == kind && k.group == group && k.versions.contains(&version))
}

pub fn by_kind(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// Resolves what a learner types after `kubectl get`: plural, singular, short name, kind, or
/// `resource.group`, case-insensitively.
pub fn by_name(name: &str) -> Option<&'static KindInfo> {
    let lower = name.to_ascii_lowercase();
    KINDS.iter().find(|k| {
        k.plural == lower
            || k.singular == lower
            || k.short.contains(&lower.as_str())
            || k.kind.to_ascii_lowercase() == lower
            || (!k.group.is_empty() && (lower == k.resource() || lower == k.qualified()))
    })
}
