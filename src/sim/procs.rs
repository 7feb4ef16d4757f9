//! `ps` on a node: the processes a kubeadm node runs (systemd's services, containerd and the
//! kubelet; per pod a shim, the pause container and the pod's own processes: kube-proxy,
//! calico-node, CoreDNS, the control plane's static pods on the control-plane node, the
//! learner's pods). Sizes and times are plausible, fixed values; the process list follows the
//! cluster. `ps auxw` cuts lines at 132 columns, as procps does.

use super::images::{self, App};
use super::shell::{Output, Shell};

/// (user, command, VSZ KiB, RSS KiB, STAT) of the node's own services, in start order.
const SYSTEM: &[(&str, &str, u32, u32, &str)] = &[
    ("root", "/sbin/init", 167_836, 13_012, "Ss"),
    ("root", "[kthreadd]", 0, 0, "S"),
    ("root", "/lib/systemd/systemd-journald", 56_516, 21_904, "S<s"),
    ("root", "/lib/systemd/systemd-udevd", 26_484, 6_956, "Ss"),
    ("systemd+", "/lib/systemd/systemd-networkd", 16_256, 8_104, "Ss"),
    ("systemd+", "/lib/systemd/systemd-resolved", 25_528, 12_784, "Ss"),
    ("root", "/usr/sbin/cron -f -P", 7_216, 2_852, "Ss"),
    ("message+", "@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only", 8_952, 4_956, "Ss"),
    ("root", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", 15_432, 9_148, "Ss"),
    ("root", "/sbin/agetty -o -p -- \\u --noclear tty1 linux", 6_172, 1_108, "Ss+"),
    ("root", "/usr/bin/containerd", 1_913_468, 51_772, "Ssl"),
    (
        "root",
        "/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10",
        2_052_596,
        82_340,
        "Ssl",
    ),
];

/// The main process of a container by image, or `None` for a shell image's command.
fn main_process(image: &str, args: &[String], node: &str) -> (String, u32, u32) {
    let repo = images::repository(image);
    let named = |cmd: &str, vsz: u32, rss: u32| (cmd.to_string(), vsz, rss);
    match repo.rsplit('/').next().unwrap_or("") {
        "kube-apiserver" => named(
            "kube-apiserver --advertise-address=10.0.2.4 --allow-privileged=true --authorization-mode=Node,RBAC --client-ca-file=/etc/kubernetes/pki/ca.crt --enable-admission-plugins=NodeRestriction",
            1_539_956,
            281_412,
        ),
        "etcd" => named(
            "etcd --advertise-client-urls=https://10.0.2.4:2379 --cert-file=/etc/kubernetes/pki/etcd/server.crt --client-cert-auth=true --data-dir=/var/lib/etcd",
            11_214_436,
            62_908,
        ),
        "kube-controller-manager" => named(
            "kube-controller-manager --allocate-node-cidrs=true --authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
            1_298_380,
            104_112,
        ),
        "kube-scheduler" => named(
            "kube-scheduler --authentication-kubeconfig=/etc/kubernetes/scheduler.conf --authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
            1_288_124,
            58_664,
        ),
        "kube-proxy" => (
            format!("/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/config.conf --hostname-override={node}"),
            1_287_932,
            52_276,
        ),
        "node" if repo.contains("calico") => named("calico-node -felix", 2_202_604, 73_944),
        "coredns" => named("/coredns -conf /etc/coredns/Corefile", 1_283_988, 48_792),
        _ => {
            let words: Vec<&str> = args.iter().map(String::as_str).collect();
            if !words.is_empty() {
                return (words.join(" "), 4_400, 1_640);
            }
            match images::lookup(image) {
                images::Lookup::Known(i) => match i.app {
                    App::Nginx => named("nginx: master process nginx -g daemon off;", 11_404, 7_296),
                    App::Httpd => named("httpd -DFOREGROUND", 5_956, 4_624),
                    App::HelloApp(_) => named("./hello-app", 1_231_736, 6_128),
                    App::Redis => named("redis-server *:6379", 58_708, 11_392),
                    App::Mongo => named("mongod --bind_ip_all", 2_580_160, 120_316),
                    App::PhpOk => named("apache2 -DFOREGROUND", 220_520, 20_112),
                    _ => named("sh", 4_400, 1_640),
                },
                _ => (format!("/{}", repo.rsplit('/').next().unwrap_or("app")), 712_464, 9_880),
            }
        }
    }
}

impl Shell {
    /// `ps` on a node: `aux`/`-ef` style lists of what runs there.
    pub fn ps(&self, node: &str, args: &[String]) -> Output {
        let flags: String = args.iter().map(|a| a.trim_start_matches('-')).collect();
        let full = flags.contains('a') || flags.contains('e') || flags.contains('x') || flags.contains('A');
        let unlimited = flags.matches('w').count() >= 2;
        let now = self.cluster.lab.start_unix + self.cluster.now;
        let boot = self.cluster.lab.start_unix - self.cluster.lab.cluster_age;
        let start = |t: i64| {
            let d = super::clock::http_date(t);
            let p: Vec<&str> = d.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            if now - t < 86_400 {
                p.get(4).map_or(String::new(), |hms| hms[..5].to_string())
            } else {
                format!("{}{}", p.get(2).unwrap_or(&""), p.get(1).unwrap_or(&""))
            }
        };
        // (user, pid, vsz, rss, tty, stat, started, cpu time, command)
        let mut rows: Vec<(String, u32, u32, u32, String, String, i64, String)> = Vec::new();
        let mut pid = 1;
        for (i, (user, cmd, vsz, rss, stat)) in SYSTEM.iter().enumerate() {
            rows.push((
                user.to_string(),
                pid,
                *vsz,
                *rss,
                "?".into(),
                stat.to_string(),
                boot,
                cmd.to_string(),
            ));
            pid += if i == 1 { 600 } else { 37 + (i as u32 * 13) % 50 };
        }
        let mut pods: Vec<&super::objects::Pod> = self
            .cluster
            .pods
            .values()
            .filter(|p| p.spec.node_name.as_deref() == Some(node) && p.status.phase == "Running")
            .collect();
        super::order::sort_by(&mut pods, |a, b| {
            (a.status.start_time, &a.meta.name).cmp(&(b.status.start_time, &b.meta.name))
        });
        let mut pod_rows = Vec::new();
        // The node's own pods, not in the lab's API: kube-proxy and calico-node everywhere, the
        // control plane's static pods on the control-plane node (host network, no sandbox veth).
        let cp = self.cluster.lab.nodes.iter().any(|n| n.name == node && n.control_plane);
        let mut system = vec!["registry.k8s.io/kube-proxy:v1.32.0", "docker.io/calico/node:v3.29.1"];
        if cp {
            system.splice(
                0..0,
                [
                    "registry.k8s.io/etcd:3.5.16-0",
                    "registry.k8s.io/kube-apiserver:v1.32.0",
                    "registry.k8s.io/kube-controller-manager:v1.32.0",
                    "registry.k8s.io/kube-scheduler:v1.32.0",
                ],
            );
        }
        for (i, image) in system.iter().enumerate() {
            let id = super::netinfo::cali_name(&(node.to_string(), image.to_string()));
            let id = format!("{}{}", &id[4..], "0".repeat(53));
            pod_rows.push(("root".to_string(), boot + 20 + i as i64, format!("/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {id} -address /run/containerd/containerd.sock"), 1_238_204, 13_420, "Sl".to_string()));
            pod_rows.push((
                "65535".to_string(),
                boot + 20 + i as i64,
                "/pause".to_string(),
                1_020,
                384,
                "Ss".to_string(),
            ));
            let (cmd, vsz, rss) = main_process(image, &[], node);
            pod_rows.push((
                "root".to_string(),
                boot + 21 + i as i64,
                cmd,
                vsz,
                rss,
                "Ssl".to_string(),
            ));
        }
        for p in &pods {
            let t = p.status.start_time.map_or(boot, |s| self.cluster.lab.start_unix + s);
            let sandbox = p
                .meta
                .annotations
                .get("cni.projectcalico.org/containerID")
                .cloned()
                .unwrap_or_default();
            let short: String = sandbox.chars().take(64).collect();
            pod_rows.push(("root".to_string(), t, format!("/usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id {short} -address /run/containerd/containerd.sock"), 1_238_204, 13_420, "Sl".to_string()));
            pod_rows.push((
                "65535".to_string(),
                t,
                "/pause".to_string(),
                1_020,
                384,
                "Ss".to_string(),
            ));
            for c in &p.spec.containers {
                let words: Vec<String> = c.command.iter().chain(&c.args).cloned().collect();
                let (cmd, vsz, rss) = main_process(&c.image, &words, node);
                let nginx = cmd.starts_with("nginx: master");
                pod_rows.push(("root".to_string(), t, cmd, vsz, rss, "Ss".to_string()));
                if nginx {
                    for _ in 0..2 {
                        pod_rows.push((
                            "systemd+".to_string(),
                            t,
                            "nginx: worker process".into(),
                            11_868,
                            2_900,
                            "S".to_string(),
                        ));
                    }
                }
            }
        }
        pid += 800;
        for (user, t, cmd, vsz, rss, stat) in pod_rows {
            rows.push((user, pid, vsz, rss, "?".into(), stat, t, cmd));
            pid += 11 + (pid % 23);
        }
        let u = self.cluster.lab.user.clone();
        pid += 2000;
        rows.push((
            u.clone(),
            pid,
            8_812,
            5_444,
            "pts/0".into(),
            "Ss".into(),
            self.cluster.lab.start_unix,
            "-bash".into(),
        ));
        rows.push((
            u.clone(),
            pid + 420,
            10_076,
            3_584,
            "pts/0".into(),
            "R+".into(),
            now,
            format!("ps {}", args.join(" ")),
        ));
        let mut out = String::new();
        if full {
            out.push_str("USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n");
        } else {
            out.push_str("    PID TTY          TIME CMD\n");
        }
        for (user, pid, vsz, rss, tty, stat, t, cmd) in rows {
            if !full {
                if tty == "pts/0" {
                    let name = cmd.split(' ').next().unwrap_or("").trim_start_matches('-').to_string();
                    out.push_str(&format!("{pid:>7} {tty:<8} 00:00:00 {name}\n"));
                }
                continue;
            }
            let mem = f64::from(rss) * 100.0 / 4_006_000.0;
            let cpu_secs = (now - t).max(0) * i64::from(vsz > 1_000_000) / 400;
            let line = format!(
                "{user:<8} {pid:>7} {:>4.1} {mem:>4.1} {vsz:>6} {rss:>5} {tty:<8} {stat:<4} {:>5} {:>3}:{:02} {cmd}",
                if cpu_secs > 0 { 0.6 } else { 0.0 },
                start(t),
                cpu_secs / 60,
                cpu_secs % 60
            );
            let line: String = if unlimited {
                line
            } else {
                line.chars().take(132).collect()
            };
            out.push_str(line.trim_end());
            out.push('\n');
        }
        Output::ok(out)
    }
}
