//! Generated input: mutated manifests and random command lines fed to `kubectl apply` and the
//! shell. Nothing may panic or hang, and the cluster's invariants must hold after every case.
//! `SVCLAB_FUZZ_CASES=N` sets the number of cases per generator (default 300; `make fuzz` runs
//! 20,000). Timings are printed, not asserted: `cargo test --test robustness -- --nocapture`.

use std::collections::BTreeSet;
use std::time::Instant;

use svclab::sim::cluster::{key, Cluster};
use svclab::sim::lab::{ip_to_u32, Lab};
use svclab::sim::rng::Rng;
use svclab::sim::shell::{MemFiles, Shell};

const SEEDS: &[&str] = &[
    include_str!("transcripts/clusterip/deploy-test01.yml"),
    include_str!("transcripts/nodeport/service-test01.yml"),
    include_str!("transcripts/loadbalancer/service-test01.yml"),
    include_str!("transcripts/externalname/service-test04.yml"),
    include_str!("transcripts/affinity-and-dns/hello.yml"),
    include_str!("transcripts/bad-manifests/multi.yml"),
    include_str!("transcripts/local-policy/svc-local.yml"),
];

const NOISE: &[&str] = &[
    "\t",
    " ",
    ":",
    "-",
    "---\n",
    "\n",
    "'",
    "\"",
    "{",
    "}",
    "[",
    "]",
    "&a",
    "*a",
    "!!str ",
    "#",
    "0",
    "99999999999",
    "-1",
    "true",
    "null",
    "\r\n",
    "é",
    "<script>",
    "..",
    "nodePort: 80\n",
    "  ",
    "~",
];

fn cases() -> usize {
    std::env::var("SVCLAB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..rng.range(1, 6) {
        match rng.below(5) {
            0 if !s.is_empty() => {
                let at = rng.below(s.len() as u64) as usize;
                let len = (rng.below(8) as usize).min(s.len() - at);
                s.drain(at..at + len);
            }
            1 => {
                let at = rng.below(s.len() as u64 + 1) as usize;
                let piece: Vec<char> = NOISE[rng.below(NOISE.len() as u64) as usize].chars().collect();
                s.splice(at..at, piece);
            }
            2 => {
                let lines: Vec<String> = s.iter().collect::<String>().lines().map(String::from).collect();
                if lines.len() > 1 {
                    let mut lines = lines;
                    let a = rng.below(lines.len() as u64) as usize;
                    let b = rng.below(lines.len() as u64) as usize;
                    lines.swap(a, b);
                    s = lines.join("\n").chars().collect();
                }
            }
            3 => {
                let other = SEEDS[rng.below(SEEDS.len() as u64) as usize];
                s.extend("\n---\n".chars().chain(other.chars()));
            }
            _ if !s.is_empty() => {
                let at = rng.below(s.len() as u64) as usize;
                s[at] = char::from_u32(rng.range(32, 0x2FF) as u32).unwrap_or('x');
            }
            _ => {}
        }
    }
    s.into_iter().collect()
}

/// What must hold whatever was applied.
fn check_invariants(c: &Cluster) {
    let mut ips = BTreeSet::new();
    for p in c.pods.values() {
        if let Some(ip) = &p.status.pod_ip {
            if !p.spec.host_network {
                assert!(ips.insert(ip.clone()), "two pods share {ip}");
            }
        }
    }
    let mut cluster_ips = BTreeSet::new();
    let mut node_ports = BTreeSet::new();
    for s in c.services.values() {
        if let Some(ip) = s.spec.cluster_ip.as_deref().and_then(ip_to_u32) {
            assert!(cluster_ips.insert(ip), "two Services share a ClusterIP");
            assert!(c.cluster_ips.contains(&ip), "ClusterIP not held by the allocator");
        }
        let mut own = BTreeSet::new();
        for p in &s.spec.ports {
            if let Some(np) = p.node_port {
                own.insert(np);
            }
        }
        for np in own {
            assert!(node_ports.insert(np), "two Services share nodePort {np}");
            assert!(
                c.node_ports.contains(&(np as u16)),
                "nodePort {np} not held by the allocator"
            );
        }
    }
    assert_eq!(cluster_ips.len(), c.cluster_ips.len(), "the ClusterIP allocator leaks");
    for e in c.endpoints.values() {
        for a in &e.addresses {
            assert!(
                c.pods
                    .values()
                    .any(|p| p.status.pod_ip.as_deref() == Some(a.ip.as_str()))
                    || e.meta.name == "kubernetes",
                "endpoint {} has no pod",
                a.ip
            );
        }
        // The Service's slices exist, and hold each of its endpoints exactly once.
        let mut in_slices = BTreeSet::new();
        for name in &e.slices {
            let s = c
                .slices
                .get(&key(&e.meta.namespace, name))
                .unwrap_or_else(|| panic!("slice {name} of {} is gone", e.meta.name));
            assert_eq!(
                s.meta.owner.as_ref().map(|o| o.name.as_str()),
                Some(e.meta.name.as_str()),
                "slice {name} has another owner"
            );
            for ep in &s.endpoints {
                assert!(
                    in_slices.insert(ep.ip.clone()),
                    "{} is in two slices of {}",
                    ep.ip,
                    e.meta.name
                );
            }
        }
        if !e.slices.is_empty() {
            for a in &e.addresses {
                assert!(
                    in_slices.contains(&a.ip),
                    "endpoint {} of {} is in no slice",
                    a.ip,
                    e.meta.name
                );
            }
        }
    }
    // Every slice belongs to a Service that exists (the API server's own `kubernetes` slice too).
    for (k, s) in c.slices.iter() {
        let service = s.meta.owner.as_ref().map_or(s.meta.name.as_str(), |o| o.name.as_str());
        assert!(
            c.services.contains_key(&key(&k.0, service)) || s.meta.name == "kubernetes",
            "slice {} outlived its Service",
            k.1
        );
    }
}

#[test]
fn mutated_manifests_never_break_the_cluster() {
    let n = cases();
    let mut rng = Rng::new(42);
    let start = Instant::now();
    let mut errors = 0;
    for i in 0..n {
        let base = SEEDS[i % SEEDS.len()];
        let text = mutate(&mut rng, base);
        let mut sh = Shell::new(
            Cluster::new(Lab::default(), i as u64),
            Box::new(MemFiles(vec![
                ("m.yml".into(), text.clone()),
                ("base.yml".into(), base.into()),
            ])),
        );
        let a = sh.run("kubectl apply -f base.yml");
        let b = sh.run("kubectl apply -f m.yml");
        errors += usize::from(b.code != 0);
        assert!(
            a.code == 0 || base.contains("Bad_Name"),
            "seed manifest failed: {}",
            a.text
        );
        sh.run("sleep 30");
        sh.run("kubectl delete -f m.yml");
        sh.run("kubectl get all -A");
        check_invariants(&sh.cluster);
    }
    eprintln!("mutated manifests: {n} cases, {errors} rejected, {:?}", start.elapsed());
}

const WORDS: &[&str] = &[
    "kubectl",
    "apply",
    "get",
    "delete",
    "describe",
    "exec",
    "-it",
    "--",
    "-f",
    "m.yml",
    "pods",
    "svc",
    "all",
    "-o",
    "wide",
    "yaml",
    "json",
    "-l",
    "app=web",
    "curl",
    "-v",
    "-s",
    "--max-time",
    "2",
    "http://127.0.0.1:31051",
    "web",
    "nslookup",
    "host",
    "trace",
    "sleep",
    "5",
    "exit",
    "/bin/bash",
    "sh",
    "wget",
    "-qO-",
    "scale",
    "--replicas=0",
    "deployment/web",
    "label",
    "pod",
    "x=y",
    "rollout",
    "restart",
    "logs",
    "'",
    "\"",
    "\\",
    "|",
    "-n",
    "é",
    "-é",
    "http://ü:80/ä",
    "--é=ü",
    "~/.kube",
    "kube-system",
    "cat",
    "/etc/resolv.conf",
    "ping",
    "10.96.0.1",
    "run",
    "t",
    "--image=busybox",
    "expose",
    "-A",
    "--grace-period=0",
    "--force",
    "events",
    "ev",
    "rs",
    "ns",
    "namespace",
    "endpoints",
    "ep",
    "--all",
    "default",
    "kubernetes",
    "team=a",
    "app-",
    "--overwrite",
    "endpointslices",
    "endpointslice",
    "kubernetes.io/service-name=web",
    "create",
    "deployment",
    "--port=80",
    "--type=NodePort",
    "--dry-run=client",
    "--name=x",
    "--target-port=http",
    "--selector=app=web",
    "service",
    "nodeport",
    "clusterip",
    "externalname",
    "--tcp=80:8080",
    "--external-name=example.com",
    "--clusterip=None",
];

#[test]
fn random_command_lines_never_panic() {
    let n = cases();
    let mut rng = Rng::new(7);
    let start = Instant::now();
    let manifest = format!("{}\n---\n{}", SEEDS[0], SEEDS[1]);
    let mut sh = Shell::new(
        Cluster::new(Lab::default(), 3),
        Box::new(MemFiles(vec![("m.yml".into(), manifest)])),
    );
    sh.run("kubectl apply -f m.yml");
    sh.run("sleep 20");
    let mut lines = 0;
    for i in 0..n {
        let len = rng.range(1, 8) as usize;
        let line: Vec<&str> = (0..len)
            .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
            .collect();
        let line = line.join(" ");
        sh.run(&line);
        lines += 1;
        if i % 50 == 49 {
            check_invariants(&sh.cluster);
            // Start over now and then so that state does not only shrink.
            while sh.sessions.len() > 1 {
                sh.run("exit");
            }
            sh.run("kubectl apply -f m.yml");
        }
    }
    check_invariants(&sh.cluster);
    eprintln!("random command lines: {lines} lines, {:?}", start.elapsed());
}

#[test]
fn hostile_sizes_get_an_answer_quickly() {
    // A YAML alias bomb: refused by the parser.
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..16 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    // A 5 MB paste: one ConfigMap whose data is too large for the API server.
    let mut big = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
    let mut i = 0;
    while big.len() < 5 * 1024 * 1024 {
        big.push_str(&format!("  key{i}: \"{}\"\n", "x".repeat(100)));
        i += 1;
    }
    // 10,000 documents.
    let mut many = String::new();
    for i in 0..10_000 {
        many.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v\n"
        ));
    }
    // Deep nesting.
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let files = MemFiles(vec![
        ("bomb.yml".into(), bomb),
        ("big.yml".into(), big),
        ("many.yml".into(), many),
        ("deep.yml".into(), deep),
    ]);
    let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(files));

    let t = Instant::now();
    let out = sh.run("kubectl apply -f bomb.yml");
    eprintln!("alias bomb: {:?}: {}", t.elapsed(), out.text.trim());
    assert_eq!(
        out.text,
        "error: error parsing bomb.yml: error converting YAML to JSON: yaml: document contains excessive aliasing\n"
    );

    let t = Instant::now();
    let out = sh.run("kubectl apply -f big.yml");
    eprintln!("5 MB paste: {:?}: {}", t.elapsed(), out.text.trim());
    assert_eq!(
        out.text,
        "Error from server (RequestEntityTooLarge): error when creating \"big.yml\": Request entity \
        too large: limit is 3145728\n"
    );

    let t = Instant::now();
    let out = sh.run("kubectl apply -f many.yml");
    eprintln!(
        "10,000 documents: {:?}: {} lines",
        t.elapsed(),
        out.text.lines().count()
    );
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(lines.len(), 10_001);
    assert_eq!(lines[9_999], "configmap/cm-9999 created");
    assert_eq!(
        lines[10_000],
        "note: ConfigMap objects are stored and listed; this lab does not simulate them"
    );

    let t = Instant::now();
    let out = sh.run("kubectl apply -f deep.yml");
    eprintln!("deep nesting: {:?}: {}", t.elapsed(), out.text.trim());
    assert!(
        out.text
            .starts_with("error: error parsing deep.yml: error converting YAML to JSON: yaml: "),
        "{}",
        out.text
    );
}

// ---------------------------------------------------------------------------------------------
// Costs that must not grow with what an input spans: time skipped, objects made, keys, depth.
// Each case has a time budget (twenty times larger in a debug build) and, where a size can be
// varied, compares a small and a large size so that the cost is seen not to scale.

/// A budget in milliseconds, generous for a debug build.
fn budget(release_ms: u64) -> std::time::Duration {
    std::time::Duration::from_millis(if cfg!(debug_assertions) {
        release_ms * 20
    } else {
        release_ms
    })
}

fn timed<T>(what: &str, budget_ms: u64, f: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    eprintln!("{what}: {took:?}");
    assert!(took < budget(budget_ms), "{what} took {took:?}");
    (out, took)
}

#[test]
fn a_huge_wait_costs_what_happens_in_it() {
    let mut s = svclab::session::Session::new(1, Vec::new());
    s.run("kubectl run bb --image=busybox");
    timed("crash loop, then 10^12 s in one tick", 200, || {
        s.tick(1_000_000_000_000)
    });
    let pod = &s.shell.cluster.pods[&key("default", "bb")];
    assert_eq!(pod.status.restarts, i32::MAX as u32);
    let json = s.to_json();
    let (back, _) = timed("the same session replayed", 200, || {
        svclab::session::Session::from_json(&json)
    });
    let back = back.expect("the saved session replays");
    assert_eq!(back.shell.cluster.pods[&key("default", "bb")].status, pod.status);
    let out = s.shell.run("kubectl get pods");
    assert!(out.text.contains("CrashLoopBackOff"), "{}", out.text);
    // Dates 31,000 years on still print.
    for line in [
        "kubectl describe pod bb",
        "kubectl get events",
        "kubectl get pod bb -o yaml",
        "kubectl describe node",
    ] {
        let out = s.shell.run(line);
        assert_eq!(out.code, 0, "{line}: {}", out.text);
    }
    let out = s.shell.run("kubectl describe pod bb");
    // Counts are the API's 32-bit integers, and stop at their largest value.
    assert!(out.text.contains("Restart Count:  2147483647"), "{}", out.text);
    assert!(
        out.text
            .contains("Back-off restarting failed container bb in pod bb_default("),
        "{}",
        out.text
    );
}

#[test]
fn a_crash_loop_does_not_slow_each_later_sleep() {
    let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(MemFiles(Vec::new())));
    sh.run("kubectl create deployment bb --image=busybox --replicas=30");
    let mut times = Vec::new();
    for _ in 0..20 {
        let (_, took) = timed("sleep 1000000000 with 30 pods in CrashLoopBackOff", 300, || {
            sh.run("sleep 1000000000")
        });
        times.push(took);
    }
    let first: std::time::Duration = times[1..6].iter().sum();
    let last: std::time::Duration = times[15..].iter().sum();
    eprintln!("sleeps 2-6: {first:?}, sleeps 16-20: {last:?}");
    assert!(
        last < first * 3 + budget(20),
        "later sleeps got slower: {first:?} then {last:?}"
    );
    let out = sh.run("kubectl describe pod");
    assert!(
        out.text
            .contains("Back-off restarting failed container busybox in pod bb-"),
        "{}",
        out.text
    );
    assert!(out.text.contains(" (x"), "repeats are folded: {}", out.text);
}

#[test]
fn the_nth_create_costs_about_what_the_first_did() {
    let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(MemFiles(Vec::new())));
    let mut batch = |from: usize| {
        let t = Instant::now();
        for i in from..from + 100 {
            let out = sh.run(&format!("kubectl create deployment d{i} --image=nginx"));
            assert_eq!(out.code, 0, "{}", out.text);
        }
        t.elapsed()
    };
    let first = batch(0);
    for from in (100..900).step_by(100) {
        batch(from);
    }
    let last = batch(900);
    eprintln!("creates 1-100: {first:?}, creates 901-1000: {last:?}");
    // The controllers look at what was written since their last pass, and walk the tables
    // only where that is cheap per object: creates 901-1000 take two or three times creates
    // 1-100 (six to fifteen times when every pass recounted every pod; a scan per object per
    // pass would make it hundreds of times). The slack absorbs a loaded machine.
    assert!(
        last < first * 6 + budget(50),
        "creates 901-1000 took {last:?}, 1-100 {first:?}"
    );
    assert!(last < budget(500), "creates 901-1000 took {last:?}");
}

#[test]
fn scaling_to_the_largest_count_stops_at_the_lab_limit() {
    let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(MemFiles(Vec::new())));
    sh.run("kubectl create deployment w --image=nginx");
    let (out, _) = timed("scale --replicas=2147483647", 1000, || {
        sh.run("kubectl scale deployment w --replicas=2147483647")
    });
    assert!(
        out.text.contains("note: this lab holds at most 1000 pods"),
        "{}",
        out.text
    );
    timed("a minute with 1,000 pods", 1000, || sh.run("sleep 60"));
    let (out, _) = timed("one more create with 1,000 pods", 100, || {
        sh.run("kubectl create deployment y --image=nginx")
    });
    assert!(out.text.starts_with("deployment.apps/y created"), "{}", out.text);
    assert_eq!(sh.cluster.pods.len(), svclab::sim::nodes::LAB_POD_LIMIT);
    let running = sh.cluster.pods.values().filter(|p| p.status.phase == "Running").count();
    // CoreDNS's two on the control plane, 110 on each worker.
    assert_eq!(running, 222);
    check_invariants(&sh.cluster);
}

#[test]
fn large_and_deep_yaml_is_answered_in_time() {
    let config_map = |keys: usize| {
        let mut t = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\ndata:\n");
        for i in 0..keys {
            t.push_str(&format!("  k{i}: v{i}\n"));
        }
        t
    };
    let files = MemFiles(vec![
        ("small.yml".into(), config_map(5_000)),
        ("large.yml".into(), config_map(50_000)),
        ("brackets.yml".into(), format!("a: {}\n", "[".repeat(80_000))),
        ("deep.yml".into(), format!("a: {}1\n", "{b: ".repeat(100_000))),
        ("dashes.yml".into(), format!("{}x\n", "- ".repeat(100_000))),
    ]);
    let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(files));
    let (_, small) = timed("ConfigMap of 5,000 keys", 500, || sh.run("kubectl apply -f small.yml"));
    sh.run("kubectl delete configmap keys");
    let (out, large) = timed("ConfigMap of 50,000 keys", 2000, || {
        sh.run("kubectl apply -f large.yml")
    });
    assert!(out.text.starts_with("configmap/keys created"), "{}", out.text);
    assert!(
        large < small * 25 + budget(50),
        "5,000 keys {small:?}, 50,000 keys {large:?}"
    );
    for (file, what) in [
        ("brackets.yml", "80 KB of nested brackets"),
        ("deep.yml", "a 100,000-deep nested value"),
        ("dashes.yml", "100,000 nested sequences"),
    ] {
        let (out, _) = timed(what, 100, || sh.run(&format!("kubectl apply -f {file}")));
        assert_eq!(
            out.text,
            format!("error: error parsing {file}: error converting YAML to JSON: yaml: exceeded max depth of 10000\n")
        );
    }
}
