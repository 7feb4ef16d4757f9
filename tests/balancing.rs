//! The data plane's choice of endpoint, drawn over many requests: kube-proxy's statistic rules
//! give each ready endpoint an equal share (1/3, then 1/2 of the rest, then the last), never an
//! endpoint that is not ready, and under `externalTrafficPolicy: Local` only the node's own.

use std::collections::BTreeMap;
use svclab::sim::cluster::Cluster;
use svclab::sim::lab::Lab;
use svclab::sim::net::{Client, Outcome, Place, Request};
use svclab::sim::shell::{MemFiles, Shell};

/// Three ready nginx pods (two on myserver02, one on myserver03), a fourth whose readiness
/// probe asks for a page nginx does not have, a Cluster NodePort and a Local one over them.
const MANIFEST: &str = "apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 31001}]
---
apiVersion: v1
kind: Service
metadata: {name: local}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, nodePort: 31002}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-a, labels: {app: web}}
spec: {nodeName: myserver02, containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-b, labels: {app: web}}
spec: {nodeName: myserver02, containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-c, labels: {app: web}}
spec: {nodeName: myserver03, containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-unready, labels: {app: web}}
spec:
  nodeName: myserver03
  containers:
  - name: nginx
    image: nginx
    readinessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 5}
";

fn lab() -> Shell {
    let mut sh = Shell::new(
        Cluster::new(Lab::default(), 1),
        Box::new(MemFiles(vec![("lab.yml".into(), MANIFEST.into())])),
    );
    let out = sh.run("kubectl apply -f lab.yml");
    assert_eq!(out.code, 0, "{}", out.text);
    sh.run("sleep 60");
    sh
}

fn get(host: &str, port: u16) -> Request {
    Request {
        host: host.into(),
        port,
        method: "GET".into(),
        path: "/".into(),
        host_header: format!("{host}:{port}"),
        user_agent: "curl/8.5.0".into(),
    }
}

/// Which pod answered each of `n` requests (`None`: no pod did).
fn answers(sh: &mut Shell, client: &Client, req: &Request, n: usize) -> BTreeMap<Option<String>, usize> {
    let mut seen = BTreeMap::new();
    for _ in 0..n {
        let tr = sh.cluster.request(client, req);
        let pod = match (&tr.outcome, tr.hops.last().map(|h| &h.place)) {
            (Outcome::Response(_), Some(Place::Pod { name, .. })) => Some(name.clone()),
            _ => None,
        };
        *seen.entry(pod).or_insert(0) += 1;
    }
    seen
}

#[test]
fn each_ready_endpoint_gets_an_equal_share_and_the_unready_one_none() {
    let mut sh = lab();
    let ready = sh.run("kubectl get pod web-unready");
    assert!(ready.text.contains("0/1"), "{}", ready.text);
    let ip = sh.run("kubectl get svc web -o jsonpath={.spec.clusterIP}").text;
    const N: usize = 30_000;
    let seen = answers(&mut sh, &Client::Node("myserver01".into()), &get(ip.trim(), 80), N);
    let names: Vec<Option<String>> = ["web-a", "web-b", "web-c"]
        .iter()
        .map(|n| Some(n.to_string()))
        .collect();
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), names, "{seen:?}");
    // Chi-square against thirds, two degrees of freedom: 13.82 is the 0.1% critical value.
    let expected = N as f64 / 3.0;
    let chi2: f64 = seen.values().map(|&o| (o as f64 - expected).powi(2) / expected).sum();
    assert!(chi2 < 13.82, "chi-square {chi2:.2} over {seen:?}");
    // Not a constant either: a skewed picker (say, always the first) fails the same test.
    let skewed = [N as f64 * 0.40, N as f64 * 0.30, N as f64 * 0.30];
    let chi2_skewed: f64 = skewed.iter().map(|&o| (o - expected).powi(2) / expected).sum();
    assert!(chi2_skewed > 13.82);
}

#[test]
fn local_policy_answers_only_from_the_node_own_endpoints() {
    let mut sh = lab();
    // myserver03 has web-c (ready) and web-unready: only web-c ever answers there.
    let on03 = answers(
        &mut sh,
        &Client::Node("myserver01".into()),
        &get("10.0.2.6", 31002),
        600,
    );
    assert_eq!(
        on03.keys().cloned().collect::<Vec<_>>(),
        vec![Some("web-c".to_string())],
        "{on03:?}"
    );
    // myserver02 has two: each gets about half.
    let on02 = answers(
        &mut sh,
        &Client::Node("myserver01".into()),
        &get("10.0.2.5", 31002),
        3000,
    );
    assert_eq!(on02.len(), 2, "{on02:?}");
    assert!(on02.values().all(|&n| (1300..=1700).contains(&n)), "{on02:?}");
    // myserver01 has none: the packet is dropped, no pod elsewhere answers.
    let on01 = answers(&mut sh, &Client::Node("myserver02".into()), &get("10.0.2.4", 31002), 50);
    assert_eq!(on01.keys().cloned().collect::<Vec<_>>(), vec![None], "{on01:?}");
}
