//! `make bench`: plain `--release` timings of the simulation core.
//!
//! 1. apply and settle 100 Deployments x 10 replicas + 1,000 Services (goal: under 50 ms);
//! 2. 10,000 traced requests from the PC through a nodePort and from a pod to a ClusterIP
//!    (goal: under 10 microseconds per trace);
//! 3. 1,000 `kubectl create deployment` commands one after another: the 1,000th costs about
//!    what the first did; then `kubectl scale --replicas=1000` and one more create;
//! 4. peak memory of the process (VmHWM).

use std::time::{Duration, Instant};

use svclab::sim::cluster::{key, Cluster};
use svclab::sim::lab::Lab;
use svclab::sim::net::{Client, Request};
use svclab::sim::nodes::MAX_PODS;
use svclab::sim::shell::{MemFiles, Shell};

fn manifests() -> String {
    let mut m = String::new();
    for d in 0..100 {
        m.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{d}\nspec:\n  replicas: \
                10\n  selector:\n    matchLabels:\n      app: \
                app-{d}\n  template:\n    metadata:\n      labels:\n        app: \
                app-{d}\n    spec:\n      containers:\n      - name: web\n        image: \
                nginx:1.27\n        ports:\n        - containerPort: 80\n"
        ));
    }
    for s in 0..1000 {
        let d = s % 100;
        let kind = if s % 10 == 0 { "NodePort" } else { "ClusterIP" };
        m.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{s}\nspec:\n  type: \
                {kind}\n  selector:\n    app: app-{d}\n  ports:\n  - port: 80\n    targetPort: 80\n"
        ));
    }
    m
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    // SVCLAB_BENCH=creates: only the creates.
    if std::env::var("SVCLAB_BENCH").is_ok_and(|b| b == "creates") {
        return creates();
    }
    let text = manifests();
    let mut applies = Vec::new();
    let mut settled = None;
    for run in 0..11 {
        let mut sh = Shell::new(
            Cluster::new(Lab::default(), run),
            Box::new(MemFiles(vec![("big.yml".into(), text.clone())])),
        );
        let t = Instant::now();
        let out = sh.run("kubectl apply -f big.yml");
        let t_apply = t.elapsed();
        sh.cluster.settle();
        applies.push(t.elapsed());
        if std::env::var_os("SVCLAB_BENCH_SPLIT").is_some() {
            eprintln!(
                "  run {run}: apply command {t_apply:?}, settle {:?}",
                t.elapsed() - t_apply
            );
        }
        assert_eq!(out.code, 0, "{}", &out.text[..out.text.len().min(500)]);
        settled = Some(sh);
    }
    let mut sh = settled.expect("five runs");
    let ready = sh
        .cluster
        .pods
        .values()
        .filter(|p| p.is_ready() && p.meta.namespace == "default")
        .count();
    // Each worker runs at most 110 pods; the others stay Pending.
    assert_eq!(ready, 2 * MAX_PODS, "every pod that fits runs after settling");
    let fastest = *applies.iter().min().expect("runs");
    println!(
        "apply + settle, 100 Deployments x 10 replicas + 1,000 Services: median {:?}, fastest {:?} of 11 runs \
        (goal < 50 ms)",
        median(applies),
        fastest
    );

    // A client pod, then 10,000 traced requests alternating between two paths.
    let client = sh
        .cluster
        .pods
        .iter()
        .find(|(k, p)| k.0 == "default" && p.is_ready())
        .expect("a pod")
        .0
        .clone();
    let svc = sh
        .cluster
        .services
        .get(&key("default", "svc-1"))
        .expect("svc-1")
        .spec
        .cluster_ip
        .clone()
        .expect("ClusterIP");
    let np = sh
        .cluster
        .services
        .get(&key("default", "svc-0"))
        .expect("svc-0")
        .spec
        .ports[0]
        .node_port
        .expect("nodePort");
    sh.cluster.lab.port_forwards[1].guest_port = np as u16;
    let to_svc = Request {
        host: svc,
        port: 80,
        method: "GET".into(),
        path: "/".into(),
        host_header: "svc-1".into(),
        user_agent: "curl/8.14.1".into(),
    };
    let from_pc = Request {
        host: "127.0.0.1".into(),
        port: 31051,
        method: "GET".into(),
        path: "/".into(),
        host_header: "127.0.0.1:31051".into(),
        user_agent: "curl/8.7.1".into(),
    };
    let pod_client = Client::Pod(client);
    let mut runs = Vec::new();
    let mut hops = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        for i in 0..10_000 {
            let trace = if i % 2 == 0 {
                sh.cluster.request(&pod_client, &to_svc)
            } else {
                sh.cluster.request(&Client::Pc, &from_pc)
            };
            hops += trace.hops.len();
            std::hint::black_box(&trace);
        }
        runs.push(t.elapsed());
    }
    let fastest = *runs.iter().min().expect("runs");
    let m = median(runs);
    println!(
        "10,000 traced requests (pod -> ClusterIP and PC -> nodePort, {} hops on average): median {:?} ({:.2} us per \
            trace), fastest {:.2} us per trace (goal < 10 us)",
        hops / 50_000,
        m,
        m.as_secs_f64() * 1e6 / 10_000.0,
        fastest.as_secs_f64() * 1e6 / 10_000.0
    );
    creates();
    match peak_rss_kib() {
        Some(k) => println!("peak memory (VmHWM): {:.1} MiB", k as f64 / 1024.0),
        None => println!("peak memory: /proc/self/status not available"),
    }
}

fn timed(sh: &mut Shell, line: &str) -> Duration {
    let t = Instant::now();
    let out = sh.run(line);
    let took = t.elapsed();
    assert_eq!(out.code, 0, "{line}: {}", out.text);
    took
}

fn creates() {
    let (mut first, mut last, mut nth) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..5 {
        let mut sh = Shell::new(Cluster::new(Lab::default(), run), Box::new(MemFiles(Vec::new())));
        let took: Vec<Duration> = (0..1000)
            .map(|i| timed(&mut sh, &format!("kubectl create deployment d{i} --image=nginx")))
            .collect();
        first.push(took[..100].iter().sum::<Duration>());
        last.push(took[900..].iter().sum::<Duration>());
        nth.push(took[999]);
    }
    println!(
        "kubectl create deployment, 1,000 in a row: creates 1-100 median {:?}, creates 901-1000 median {:?}, the \
            1,000th median {:?} (goal: 901-1000 within 3x of 1-100)",
        median(first),
        median(last),
        median(nth)
    );
    let (mut scale, mut after) = (Vec::new(), Vec::new());
    for run in 0..5 {
        let mut sh = Shell::new(Cluster::new(Lab::default(), run), Box::new(MemFiles(Vec::new())));
        timed(&mut sh, "kubectl create deployment x --image=nginx");
        scale.push(timed(&mut sh, "kubectl scale deployment x --replicas=1000"));
        after.push(timed(&mut sh, "kubectl create deployment y --image=nginx"));
    }
    println!(
        "kubectl scale deployment x --replicas=1000: median {:?}; then one more create: median {:?}",
        median(scale),
        median(after)
    );
}
