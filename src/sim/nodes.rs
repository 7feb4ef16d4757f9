//! What a node holds: its capacity (a kubeadm node's kubelet runs at most 110 pods), the
//! scheduler's fit check against it, the lab's own limit on pods, and `kubectl describe node`.

use super::cluster::Cluster;
use super::lab::fnv32a;
use super::objects::*;
use super::printers::{age, annotations, block, events, multiline, start_time};
use super::rng::Rng;
use super::tabwriter::align;
use super::value::Value;

/// The kubelet's default `maxPods`.
pub const MAX_PODS: usize = 110;

/// The most pods the lab keeps as objects, Pending ones included: three nodes run at most 330;
/// past this the ReplicaSet controller stops creating pods and the lab says so.
pub const LAB_POD_LIMIT: usize = 1000;

/// A lab node's virtual machine: CPUs, memory and disk in KiB (as the kubelet reports them).
const CPUS: u64 = 2;
const MEMORY_KI: u64 = 4_001_420;
const DISK_KI: u64 = 30_786_468;
/// The kubelet's hard eviction thresholds, which allocatable leaves out: `memory.available`
/// 100Mi and `nodefs.available` 10%.
const EVICTION_MEMORY_KI: u64 = 100 * 1024;

/// Whether a pod counts against its node's pod capacity: assigned and not finished.
pub fn occupies(p: &Pod) -> bool {
    p.node().is_some() && p.status.phase != "Succeeded" && p.status.phase != "Failed"
}

/// The lab's note when a controller would make more pods than the lab holds.
pub fn pod_limit_note() -> String {
    format!(
        "note: this lab holds at most {LAB_POD_LIMIT} pods; the ReplicaSet controller makes no more (a real cluster \
         would keep creating them, and they would stay Pending)\n"
    )
}

/// CPU in millicores and memory in bytes, from a quantity (`100m`, `0.5`, `128Mi`, `1G`).
fn quantity(v: &Value, cpu: bool) -> u64 {
    let text = match v {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => s.clone(),
        _ => return 0,
    };
    let (num, mult) = [
        ("Ki", 1u64 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("k", 1000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ]
    .iter()
    .find_map(|(sfx, m)| text.strip_suffix(sfx).map(|n| (n, *m)))
    .unwrap_or((text.as_str(), 1));
    let (num, milli) = match num.strip_suffix('m') {
        Some(n) => (n, true),
        None => (num, false),
    };
    let Ok(n) = num.parse::<f64>() else { return 0 };
    let base = if milli { n / 1000.0 } else { n } * mult as f64;
    (if cpu { base * 1000.0 } else { base }).max(0.0) as u64
}

/// A pod's CPU (millicores) and memory (bytes) requests and limits, summed over its containers;
/// a container's unset request is its limit, as the API server defaults it.
fn requests_limits(p: &Pod) -> [(u64, u64); 2] {
    let mut out = [(0, 0); 2];
    let Some(Value::Seq(containers)) = p.spec.raw.get("containers") else {
        return out;
    };
    for c in containers {
        let get = |what: &str, r: &str| {
            let q = c.get("resources").and_then(|v| v.get(what)).and_then(|v| v.get(r));
            q.map(|q| quantity(q, r == "cpu"))
        };
        for (i, r) in ["cpu", "memory"].iter().enumerate() {
            let lim = get("limits", r).unwrap_or(0);
            let req = get("requests", r).unwrap_or(lim);
            if i == 0 {
                (out[0].0, out[1].0) = (out[0].0 + req, out[1].0 + lim);
            } else {
                (out[0].1, out[1].1) = (out[0].1 + req, out[1].1 + lim);
            }
        }
    }
    out
}

fn cpu_text(m: u64) -> String {
    if m % 1000 == 0 {
        (m / 1000).to_string()
    } else {
        format!("{m}m")
    }
}

fn memory_text(b: u64) -> String {
    match [(30, "Gi"), (20, "Mi"), (10, "Ki")]
        .iter()
        .find(|(s, _)| b > 0 && b % (1 << s) == 0)
    {
        Some((s, sfx)) => format!("{}{sfx}", b >> s),
        None => b.to_string(),
    }
}

/// `used (percent%)`, the percent truncated as kubectl truncates it.
fn share(text: String, used: u64, of: u64) -> String {
    format!("{text} ({}%)", if of == 0 { 0 } else { used * 100 / of })
}

/// `kubectl describe node`, as v1.32 prints it for a kubeadm node running Calico.
pub fn describe_node(c: &Cluster, n: &Node) -> String {
    let mut o = String::new();
    let cp = n.labels.contains_key("node-role.kubernetes.io/control-plane");
    o.push_str(&format!(
        "Name:\t{}\nRoles:\t{}\n",
        n.name,
        if cp { "control-plane" } else { "<none>" }
    ));
    multiline(&mut o, "Labels", &n.labels);
    let mut ann = Labels::new();
    let tunnel = n.pod_cidr_blocks.first().map(|b| super::lab::u32_to_ip(*b));
    for (k, v) in [
        (
            "kubeadm.alpha.kubernetes.io/cri-socket",
            "unix:///var/run/containerd/containerd.sock".to_string(),
        ),
        ("node.alpha.kubernetes.io/ttl", "0".into()),
        ("projectcalico.org/IPv4Address", format!("{}/24", n.ip)),
        ("projectcalico.org/IPv4IPIPTunnelAddr", tunnel.unwrap_or_default()),
        ("volumes.kubernetes.io/controller-managed-attach-detach", "true".into()),
    ] {
        ann.insert(k.into(), v);
    }
    annotations(&mut o, &ann);
    o.push_str(&format!("CreationTimestamp:\t{}\n", start_time(c, n.creation)));
    block(
        &mut o,
        "Taints",
        n.taints.iter().map(|(k, e)| format!("{k}:{e}")).collect(),
    );
    o.push_str("Unschedulable:\tfalse\n");
    // The kubelet renews its lease every 10 s and posts its status every 5 minutes.
    let since = c.now - n.creation;
    let renew = c.now - since.rem_euclid(10);
    let heartbeat = c.now - since.rem_euclid(300);
    o.push_str(&format!(
        "Lease:\n  HolderIdentity:\t{}\n  AcquireTime:\t<unset>\n  RenewTime:\t{}\n",
        n.name,
        start_time(c, renew)
    ));
    o.push_str(
        "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t\
         -----------------\t------------------\t------\t-------\n",
    );
    let up = start_time(c, n.creation + 40);
    let beat = start_time(c, heartbeat);
    for (t, status, hb, tr, reason, msg) in [
        (
            "NetworkUnavailable",
            "False",
            &up,
            &up,
            "CalicoIsUp",
            "Calico is running on this node",
        ),
        (
            "MemoryPressure",
            "False",
            &beat,
            &start_time(c, n.creation),
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        (
            "DiskPressure",
            "False",
            &beat,
            &start_time(c, n.creation),
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
        ),
        (
            "PIDPressure",
            "False",
            &beat,
            &start_time(c, n.creation),
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
        (
            "Ready",
            "True",
            &beat,
            &start_time(c, n.creation + 35),
            "KubeletReady",
            "kubelet is posting ready status",
        ),
    ] {
        o.push_str(&format!("  {t} \t{status} \t{hb} \t{tr} \t{reason} \t{msg}\n"));
    }
    o.push_str(&format!(
        "Addresses:\n  InternalIP:\t{}\n  Hostname:\t{}\n",
        n.ip, n.name
    ));
    let disk = DISK_KI * 1024;
    let memory = (MEMORY_KI - EVICTION_MEMORY_KI) * 1024;
    for (title, storage, mem) in [
        ("Capacity", format!("{DISK_KI}Ki"), MEMORY_KI),
        (
            "Allocatable",
            (disk - disk / 10).to_string(),
            MEMORY_KI - EVICTION_MEMORY_KI,
        ),
    ] {
        o.push_str(&format!(
            "{title}:\n  cpu:\t{CPUS}\n  ephemeral-storage:\t{storage}\n  hugepages-1Gi:\t0\n  hugepages-2Mi:\t0\n  \
             hugepages-32Mi:\t0\n  hugepages-64Ki:\t0\n  memory:\t{mem}Ki\n  pods:\t{MAX_PODS}\n"
        ));
    }
    // Machine, system and boot ids: fixed per node, drawn from its name.
    let mut r = Rng::new(fnv32a(n.name.as_bytes()) as u64);
    let mut hex = || format!("{:016x}{:016x}", r.next_u64(), r.next_u64());
    let (machine, system, boot) = (hex(), hex(), hex());
    let uuid = |h: &str| format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
    o.push_str(&format!(
        "System Info:\n  Machine ID:\t{machine}\n  System UUID:\t{}\n  Boot ID:\t{}\n  Kernel Version:\t6.8.0-60-generic\n  \
         OS Image:\tUbuntu 24.04.2 LTS\n  Operating System:\tlinux\n  Architecture:\tarm64\n  Container Runtime Version:\t\
         containerd://1.7.27\n  Kubelet Version:\t{v}\n  Kube-Proxy Version:\t{v}\n",
        uuid(&system),
        uuid(&boot),
        v = super::version::SERVER_VERSION
    ));
    let pods: Vec<&Pod> = c
        .pods
        .values()
        .filter(|p| occupies(p) && p.node() == Some(&n.name))
        .collect();
    o.push_str(&format!(
        "Non-terminated Pods:\t({} in total)\n  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\t\
         Memory Limits\tAge\n  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
        pods.len()
    ));
    let cpu = CPUS * 1000;
    let mut total = [(0, 0); 2];
    for p in &pods {
        let [req, lim] = requests_limits(p);
        o.push_str(&format!(
            "  {}\t{}\t\t{}\t{}\t{}\t{}\t{}\n",
            p.meta.namespace,
            p.meta.name,
            share(cpu_text(req.0), req.0, cpu),
            share(cpu_text(lim.0), lim.0, cpu),
            share(memory_text(req.1), req.1, memory),
            share(memory_text(lim.1), lim.1, memory),
            age(c, p.meta.creation)
        ));
        for (t, x) in total.iter_mut().zip([req, lim]) {
            t.0 += x.0;
            t.1 += x.1;
        }
    }
    let [req, lim] = total;
    o.push_str(&format!(
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource\tRequests\tLimits\n  \
         --------\t--------\t------\n  cpu\t{}\t{}\n  memory\t{}\t{}\n",
        share(cpu_text(req.0), req.0, cpu),
        share(cpu_text(lim.0), lim.0, cpu),
        share(memory_text(req.1), req.1, memory),
        share(memory_text(lim.1), lim.1, memory),
    ));
    for r in [
        "ephemeral-storage",
        "hugepages-1Gi",
        "hugepages-2Mi",
        "hugepages-32Mi",
        "hugepages-64Ki",
    ] {
        o.push_str(&format!("  {r}\t0 (0%)\t0 (0%)\n"));
    }
    events(c, &mut o, &[]);
    align(&o, 0, 2)
}
