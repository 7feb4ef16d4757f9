//! Objects to data trees, as the API server returns them: what `kubectl get -o yaml` prints
//! and what `apply` compares a manifest against.

use super::clock::rfc3339;
use super::cluster::Cluster;
use super::objects::*;
use super::value::Value;

fn s(x: &str) -> Value {
    Value::str(x)
}

fn labels(l: &Labels) -> Value {
    if l.is_empty() {
        Value::Null
    } else {
        Value::Map(l.iter().map(|(k, v)| (k.clone(), s(v))).collect())
    }
}

fn list(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Seq(items.iter().map(|i| s(i)).collect())
    }
}

pub fn timestamp(c: &Cluster, t: Time) -> Value {
    Value::Str(rfc3339(c.lab.start_unix + t))
}

fn meta(c: &Cluster, m: &Meta, kind_of_owner: Option<&str>) -> Value {
    let owner = m.owner.as_ref().map(|o| {
        Value::Seq(vec![Value::map(vec![
            (
                "apiVersion",
                s(
                    if kind_of_owner == Some("Deployment") || o.kind == "ReplicaSet" || o.kind == "Deployment" {
                        "apps/v1"
                    } else {
                        "v1"
                    },
                ),
            ),
            ("blockOwnerDeletion", Value::Bool(true)),
            ("controller", Value::Bool(true)),
            ("kind", s(&o.kind)),
            ("name", s(&o.name)),
            ("uid", s(&o.uid)),
        ])])
    });
    Value::map(vec![
        ("annotations", labels(&m.annotations)),
        ("creationTimestamp", timestamp(c, m.creation)),
        (
            "deletionGracePeriodSeconds",
            m.deletion.and(m.grace_seconds).map_or(Value::Null, Value::Int),
        ),
        ("deletionTimestamp", m.deletion.map_or(Value::Null, |t| timestamp(c, t))),
        ("generateName", Value::opt_str(&m.generate_name)),
        (
            "generation",
            if m.generation > 0 {
                Value::Int(m.generation)
            } else {
                Value::Null
            },
        ),
        ("labels", labels(&m.labels)),
        ("name", s(&m.name)),
        (
            "namespace",
            if m.namespace.is_empty() {
                Value::Null
            } else {
                s(&m.namespace)
            },
        ),
        ("ownerReferences", owner.unwrap_or(Value::Null)),
        (
            "resourceVersion",
            s(&(c.resource_version - (fnv(&m.uid) % 500) as u64).to_string()),
        ),
        ("uid", if m.uid.is_empty() { Value::Null } else { s(&m.uid) }),
    ])
}

fn fnv(x: &str) -> u32 {
    super::lab::fnv32a(x.as_bytes())
}

pub fn service(c: &Cluster, svc: &Service) -> Value {
    let sp = &svc.spec;
    let ports = Value::Seq(
        sp.ports
            .iter()
            .map(|p| {
                Value::map(vec![
                    ("appProtocol", Value::opt_str(&p.app_protocol)),
                    ("name", Value::opt_str(&p.name)),
                    ("nodePort", p.node_port.map_or(Value::Null, Value::Int)),
                    ("port", Value::Int(p.port)),
                    ("protocol", s(p.protocol())),
                    ("targetPort", p.target().to_value()),
                ])
            })
            .collect(),
    );
    let affinity_cfg = sp
        .affinity_config
        .flatten()
        .map(|t| Value::map(vec![("clientIP", Value::map(vec![("timeoutSeconds", Value::Int(t))]))]));
    let spec = Value::map(vec![
        (
            "allocateLoadBalancerNodePorts",
            sp.allocate_lb_node_ports.map_or(Value::Null, Value::Bool),
        ),
        ("clusterIP", Value::opt_str(&sp.cluster_ip)),
        ("clusterIPs", list(&sp.cluster_ips)),
        ("externalIPs", list(&sp.external_ips)),
        ("externalName", Value::opt_str(&sp.external_name)),
        ("externalTrafficPolicy", Value::opt_str(&sp.external_traffic_policy)),
        (
            "healthCheckNodePort",
            sp.health_check_node_port.map_or(Value::Null, Value::Int),
        ),
        ("internalTrafficPolicy", Value::opt_str(&sp.internal_traffic_policy)),
        ("ipFamilies", list(&sp.ip_families)),
        ("ipFamilyPolicy", Value::opt_str(&sp.ip_family_policy)),
        ("loadBalancerIP", Value::opt_str(&sp.load_balancer_ip)),
        ("ports", if sp.ports.is_empty() { Value::Null } else { ports }),
        (
            "publishNotReadyAddresses",
            if sp.publish_not_ready_addresses {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        ("selector", sp.selector.as_ref().map_or(Value::Null, labels)),
        ("sessionAffinity", Value::opt_str(&sp.session_affinity)),
        ("sessionAffinityConfig", affinity_cfg.unwrap_or(Value::Null)),
        ("type", s(svc.type_())),
    ]);
    // Every Service has an empty load-balancer status; this lab never provisions one.
    let status = Value::map(vec![("loadBalancer", Value::Map(Vec::new()))]);
    Value::map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        ("metadata", meta(c, &svc.meta, None)),
        ("spec", spec),
        ("status", status),
    ])
}

fn set_default(v: &mut Value, k: &str, val: Value) {
    if let Value::Map(entries) = v {
        if !entries.iter().any(|(ek, _)| ek == k) {
            entries.push((k.to_string(), val));
        }
    }
}

pub fn pod_spec(spec: &PodSpec) -> Value {
    // The spec as written, with the fields defaulting fills in.
    let mut v = match &*spec.raw {
        Value::Map(_) => (*spec.raw).clone(),
        _ => Value::Map(Vec::new()),
    };
    let set = |v: &mut Value, k: &str, val: Value| {
        if let Value::Map(entries) = v {
            if let Some(slot) = entries.iter_mut().find(|(ek, _)| ek == k) {
                slot.1 = val;
            } else if !val.is_null() {
                entries.push((k.to_string(), val));
            }
        }
    };
    let containers: Vec<Value> = spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut cv = spec.raw.get("containers").and_then(|cs| match cs {
                Value::Seq(items) => items.get(i).cloned(),
                _ => None,
            });
            let mut cv = cv.take().unwrap_or(Value::Map(Vec::new()));
            set(&mut cv, "image", s(&c.image));
            set(&mut cv, "imagePullPolicy", Value::opt_str(&c.image_pull_policy));
            if !c.ports.is_empty() {
                set(
                    &mut cv,
                    "ports",
                    Value::Seq(
                        c.ports
                            .iter()
                            .map(|p| {
                                Value::map(vec![
                                    ("containerPort", Value::Int(p.container_port)),
                                    ("name", Value::opt_str(&p.name)),
                                    ("protocol", Value::opt_str(&p.protocol)),
                                ])
                            })
                            .collect(),
                    ),
                );
            }
            set_default(&mut cv, "resources", Value::Map(Vec::new()));
            super::probes::default_probes(&mut cv);
            set(&mut cv, "terminationMessagePath", s("/dev/termination-log"));
            set(&mut cv, "terminationMessagePolicy", s("File"));
            cv
        })
        .collect();
    set(&mut v, "containers", Value::Seq(containers));
    set(&mut v, "dnsPolicy", Value::opt_str(&spec.dns_policy));
    set_default(&mut v, "enableServiceLinks", Value::Bool(true));
    set(&mut v, "nodeName", Value::opt_str(&spec.node_name));
    set(&mut v, "restartPolicy", Value::opt_str(&spec.restart_policy));
    set_default(&mut v, "schedulerName", s("default-scheduler"));
    set_default(&mut v, "securityContext", Value::Map(Vec::new()));
    set(
        &mut v,
        "terminationGracePeriodSeconds",
        spec.termination_grace_period.map_or(Value::Null, Value::Int),
    );
    v
}

pub fn pod(c: &Cluster, p: &Pod) -> Value {
    let mut spec = pod_spec(&p.spec);
    if let Value::Map(entries) = &mut spec {
        if !entries.iter().any(|(k, _)| k == "serviceAccountName") {
            entries.push(("serviceAccountName".into(), s("default")));
        }
    }
    let state = match &p.status.state {
        ContainerState::Waiting(r) => Value::map(vec![("waiting", Value::map(vec![("reason", s(r))]))]),
        ContainerState::Running { since } => {
            Value::map(vec![("running", Value::map(vec![("startedAt", timestamp(c, *since))]))])
        }
        ContainerState::Terminated {
            reason,
            exit_code,
            started,
            finished,
        } => Value::map(vec![(
            "terminated",
            Value::map(vec![
                ("exitCode", Value::Int(*exit_code as i64)),
                ("finishedAt", timestamp(c, *finished)),
                ("reason", s(reason)),
                ("startedAt", timestamp(c, *started)),
            ]),
        )]),
    };
    let last_state = match p.status.probe.last {
        Some((reason, code, started, finished)) => Value::map(vec![(
            "terminated",
            Value::map(vec![
                ("exitCode", Value::Int(code as i64)),
                ("finishedAt", timestamp(c, finished)),
                ("reason", s(reason)),
                ("startedAt", timestamp(c, started)),
            ]),
        )]),
        None => Value::Map(Vec::new()),
    };
    let statuses: Vec<Value> = p
        .spec
        .containers
        .iter()
        .map(|ct| {
            Value::map(vec![
                ("image", s(&ct.image)),
                ("name", s(&ct.name)),
                ("lastState", last_state.clone()),
                ("ready", Value::Bool(p.status.ready)),
                ("restartCount", Value::Int(p.status.restarts as i64)),
                (
                    "started",
                    // A startup probe holds `started` false until it passes.
                    Value::Bool(
                        matches!(p.status.state, ContainerState::Running { .. })
                            && (p.status.probe.since.is_none() || p.status.probe.started.is_some()),
                    ),
                ),
                ("state", state.clone()),
            ])
        })
        .collect();
    // Each condition with `lastProbeTime: null` and when it last changed. The scheduler writes
    // PodScheduled; the kubelet the others, from its first status of the pod (when it starts
    // the sandbox).
    let cond = |t: &str, ok: bool, at: Option<Time>| {
        Value::Map(vec![
            ("lastProbeTime".into(), Value::Null),
            (
                "lastTransitionTime".into(),
                at.map_or(Value::Null, |at| timestamp(c, at)),
            ),
            ("status".into(), s(if ok { "True" } else { "False" })),
            ("type".into(), s(t)),
        ])
    };
    let scheduled = p.spec.node_name.is_some();
    let scheduled_at = p
        .status
        .events
        .iter()
        .find(|e| e.reason == "Scheduled")
        .map_or(p.meta.creation, |e| e.at);
    let mut conditions = Vec::new();
    if let Some(started) = p.status.start_time {
        let ready_at = p.status.ready_changed.or(Some(started));
        conditions.push(cond("PodReadyToStartContainers", p.has_sandbox(), Some(started)));
        conditions.push(cond("Initialized", true, Some(started)));
        // The kubelet says which containers are not ready.
        let unready = |c: Value, ok: bool| match c {
            Value::Map(mut m) if !ok => {
                let names: Vec<&str> = p.spec.containers.iter().map(|c| c.name.as_str()).collect();
                let message = format!("containers with unready status: [{}]", names.join(" "));
                m.insert(2, ("message".into(), s(&message)));
                m.insert(3, ("reason".into(), s("ContainersNotReady")));
                Value::Map(m)
            }
            c => c,
        };
        conditions.push(unready(cond("Ready", p.is_ready(), ready_at), p.status.ready));
        conditions.push(unready(
            cond("ContainersReady", p.status.ready, ready_at),
            p.status.ready,
        ));
    }
    if scheduled {
        conditions.push(cond("PodScheduled", true, Some(scheduled_at)));
    }
    let status = Value::map(vec![
        (
            "conditions",
            if conditions.is_empty() {
                Value::Null
            } else {
                Value::Seq(conditions)
            },
        ),
        (
            "containerStatuses",
            if scheduled { Value::Seq(statuses) } else { Value::Null },
        ),
        ("hostIP", Value::opt_str(&p.status.host_ip)),
        ("phase", s(&p.status.phase)),
        ("podIP", Value::opt_str(&p.status.pod_ip)),
        (
            "podIPs",
            p.status
                .pod_ip
                .as_ref()
                .map_or(Value::Null, |ip| Value::Seq(vec![Value::map(vec![("ip", s(ip))])])),
        ),
        ("qosClass", s("BestEffort")),
        (
            "startTime",
            p.status.start_time.map_or(Value::Null, |t| timestamp(c, t)),
        ),
    ]);
    Value::map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Pod")),
        ("metadata", meta(c, &p.meta, None)),
        ("spec", spec),
        ("status", status),
    ])
}

fn selector(sel: &Option<LabelSelector>) -> Value {
    match sel {
        None => Value::Null,
        Some(sel) => {
            let exprs: Vec<Value> = sel
                .match_expressions
                .iter()
                .map(|r| {
                    Value::map(vec![
                        ("key", s(&r.key)),
                        ("operator", s(&r.operator)),
                        ("values", list(&r.values)),
                    ])
                })
                .collect();
            Value::map(vec![
                (
                    "matchExpressions",
                    if exprs.is_empty() {
                        Value::Null
                    } else {
                        Value::Seq(exprs)
                    },
                ),
                ("matchLabels", labels(&sel.match_labels)),
            ])
        }
    }
}

pub fn template(t: &PodTemplate) -> Value {
    Value::map(vec![
        (
            "metadata",
            Value::map(vec![
                ("annotations", labels(&t.annotations)),
                ("creationTimestamp", Value::Null),
                ("labels", labels(&t.labels)),
            ]),
        ),
        ("spec", pod_spec(&t.spec)),
    ])
}

pub fn deployment(c: &Cluster, d: &Deployment) -> Value {
    let st = c.deployment_status(d);
    let strategy = match d.strategy.type_.as_deref() {
        Some("RollingUpdate") => Value::map(vec![
            (
                "rollingUpdate",
                Value::map(vec![
                    (
                        "maxSurge",
                        d.strategy.max_surge.as_ref().map_or(Value::Null, IntOrStr::to_value),
                    ),
                    (
                        "maxUnavailable",
                        d.strategy
                            .max_unavailable
                            .as_ref()
                            .map_or(Value::Null, IntOrStr::to_value),
                    ),
                ]),
            ),
            ("type", s("RollingUpdate")),
        ]),
        other => Value::map(vec![("type", Value::Str(other.unwrap_or("Recreate").into()))]),
    };
    let spec = Value::map(vec![
        (
            "minReadySeconds",
            if d.min_ready_seconds != 0 {
                Value::Int(d.min_ready_seconds)
            } else {
                Value::Null
            },
        ),
        ("paused", if d.paused { Value::Bool(true) } else { Value::Null }),
        (
            "progressDeadlineSeconds",
            d.progress_deadline_seconds.map_or(Value::Null, Value::Int),
        ),
        ("replicas", d.replicas.map_or(Value::Null, Value::Int)),
        (
            "revisionHistoryLimit",
            d.revision_history_limit.map_or(Value::Null, Value::Int),
        ),
        ("selector", selector(&d.selector)),
        ("strategy", strategy),
        ("template", template(&d.template)),
    ]);
    let n = |x: i64| if x > 0 { Value::Int(x) } else { Value::Null };
    let status = Value::map(vec![
        ("availableReplicas", n(st.available)),
        ("observedGeneration", Value::Int(d.meta.generation.max(1))),
        ("readyReplicas", n(st.ready)),
        ("replicas", n(st.replicas)),
        (
            "unavailableReplicas",
            n((d.replicas.unwrap_or(1) - st.available).max(0)),
        ),
        ("updatedReplicas", n(st.updated)),
    ]);
    Value::map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s("Deployment")),
        ("metadata", meta(c, &d.meta, None)),
        ("spec", spec),
        ("status", status),
    ])
}

pub fn replica_set(c: &Cluster, rs: &ReplicaSet) -> Value {
    let (current, ready) = c.replica_set_counts(rs);
    let spec = Value::map(vec![
        ("replicas", rs.replicas.map_or(Value::Null, Value::Int)),
        ("selector", selector(&rs.selector)),
        ("template", template(&rs.template)),
    ]);
    let n = |x: i64| if x > 0 { Value::Int(x) } else { Value::Null };
    let status = Value::map(vec![
        ("availableReplicas", n(ready)),
        ("fullyLabeledReplicas", n(current)),
        ("observedGeneration", Value::Int(1)),
        ("readyReplicas", n(ready)),
        ("replicas", Value::Int(current)),
    ]);
    Value::map(vec![
        ("apiVersion", s("apps/v1")),
        ("kind", s("ReplicaSet")),
        ("metadata", meta(c, &rs.meta, Some("Deployment"))),
        ("spec", spec),
        ("status", status),
    ])
}

/// The uid of an object the endpoint controllers make for a Service: drawn, when shown, from a
/// generator seeded by the Service's uid and the object's name (the controllers run on every
/// change, and minting a uid each time would cost more than showing one now and then).
fn controller_uid(c: &Cluster, m: &Meta, service: &str, salt: u64) -> String {
    let owner_uid = c
        .services
        .get(&super::cluster::key(&m.namespace, service))
        .map_or("", |s| s.meta.uid.as_str());
    Cluster::uid_from_rng(&mut Cluster::service_rng(owner_uid, salt ^ u64::from(fnv(&m.name))))
}

/// The `appProtocol` of port `name` of Service `ns/svc`, which the endpoint controllers copy
/// into the ports they write; `Null` for a Service without a selector (its Endpoints are a
/// user's).
fn app_protocol(c: &Cluster, ns: &str, svc: &str, name: &Option<String>) -> Value {
    c.services
        .get(&super::cluster::key(ns, svc))
        .filter(|s| !super::selectorless::selectorless(s))
        .and_then(|s| {
            s.spec
                .ports
                .iter()
                .find(|p| p.name.as_deref().unwrap_or("") == name.as_deref().unwrap_or(""))
        })
        .map_or(Value::Null, |p| Value::opt_str(&p.app_protocol))
}

pub fn endpoints(c: &Cluster, e: &Endpoints) -> Value {
    let ready: Vec<&EndpointAddress> = e.addresses.iter().filter(|a| a.ready).collect();
    let not_ready: Vec<&EndpointAddress> = e.addresses.iter().filter(|a| !a.ready && a.in_subsets()).collect();
    // The controllers write a pod's `hostname` when its `subdomain` names the Service.
    let hostname = |pod: Option<&String>, svc: &str| {
        pod.and_then(|n| c.pods.get(&super::cluster::key(&e.meta.namespace, n)))
            .filter(|p| p.spec.subdomain.as_deref() == Some(svc))
            .map_or(Value::Null, |p| Value::opt_str(&p.spec.hostname))
    };
    let addr = |a: &EndpointAddress| {
        Value::map(vec![
            ("hostname", hostname(a.pod.as_ref(), &e.meta.name)),
            ("ip", s(&a.ip)),
            ("nodeName", Value::opt_str(&a.node)),
            (
                "targetRef",
                a.pod.as_ref().map_or(Value::Null, |p| {
                    let uid = c
                        .pods
                        .get(&super::cluster::key(&e.meta.namespace, p))
                        .map_or(Value::Null, |pod| s(&pod.meta.uid));
                    Value::map(vec![
                        ("kind", s("Pod")),
                        ("name", s(p)),
                        ("namespace", s(&e.meta.namespace)),
                        ("uid", uid),
                    ])
                }),
            ),
        ])
    };
    // One subset per port list (the API server repacks subsets so), addresses by IP.
    let mut groups: Vec<(&[(Option<String>, i64, &'static str)], Vec<&EndpointAddress>)> = Vec::new();
    for a in ready.iter().chain(&not_ready) {
        match groups.iter_mut().find(|(p, _)| *p == a.ports.as_slice()) {
            Some((_, list)) => list.push(a),
            None => groups.push((a.ports.as_slice(), vec![a])),
        }
    }
    let mut subsets = Vec::new();
    for (ports, members) in groups {
        let list = |want: bool| {
            let mut m: Vec<&&EndpointAddress> = members.iter().filter(|a| a.ready == want).collect();
            super::order::sort_by(&mut m, |a, b| a.ip.cmp(&b.ip));
            if m.is_empty() {
                Value::Null
            } else {
                Value::Seq(m.into_iter().map(|a| addr(a)).collect())
            }
        };
        let ports = Value::Seq(
            ports
                .iter()
                .map(|(n, p, proto)| {
                    Value::map(vec![
                        ("appProtocol", app_protocol(c, &e.meta.namespace, &e.meta.name, n)),
                        ("name", Value::opt_str(n)),
                        ("port", Value::Int(*p)),
                        ("protocol", s(proto)),
                    ])
                })
                .collect(),
        );
        subsets.push(Value::map(vec![
            ("addresses", list(true)),
            ("notReadyAddresses", list(false)),
            (
                "ports",
                if ports == Value::Seq(Vec::new()) {
                    Value::Null
                } else {
                    ports
                },
            ),
        ]));
    }
    let m = Meta {
        uid: controller_uid(c, &e.meta, &e.meta.name, u64::MAX),
        ..e.meta.clone()
    };
    Value::map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Endpoints")),
        ("metadata", meta(c, &m, None)),
        (
            "subsets",
            if subsets.is_empty() {
                Value::Null
            } else {
                Value::Seq(subsets)
            },
        ),
    ])
}

pub fn endpoint_slice(c: &Cluster, e: &EndpointSlice) -> Value {
    let endpoint = |a: &SliceEndpoint| {
        let mut conditions = vec![("ready", Value::Bool(a.ready))];
        if let Some(x) = a.serving {
            conditions.push(("serving", Value::Bool(x)));
        }
        if let Some(x) = a.terminating {
            conditions.push(("terminating", Value::Bool(x)));
        }
        let pod = a
            .pod
            .as_ref()
            .and_then(|n| c.pods.get(&super::cluster::key(&e.meta.namespace, n)));
        let service = e.meta.labels.get(SERVICE_NAME_LABEL).map_or("", String::as_str);
        let hostname = pod
            .filter(|p| e.meta.owner.is_some() && p.spec.subdomain.as_deref() == Some(service))
            .map_or(Value::Null, |p| Value::opt_str(&p.spec.hostname));
        Value::map(vec![
            ("addresses", Value::Seq(vec![s(&a.ip)])),
            ("conditions", Value::map(conditions)),
            ("hostname", hostname),
            (
                "nodeName",
                pod.map_or(Value::Null, |p| Value::opt_str(&p.spec.node_name)),
            ),
            (
                "targetRef",
                pod.map_or(Value::Null, |p| {
                    Value::map(vec![
                        ("kind", s("Pod")),
                        ("name", s(&p.meta.name)),
                        ("namespace", s(&e.meta.namespace)),
                        ("uid", s(&p.meta.uid)),
                    ])
                }),
            ),
        ])
    };
    let ports: Vec<Value> = e
        .ports
        .iter()
        .map(|(n, p, proto)| {
            let service = e.meta.labels.get(SERVICE_NAME_LABEL).map_or("", String::as_str);
            Value::map(vec![
                ("appProtocol", app_protocol(c, &e.meta.namespace, service, n)),
                ("name", s(n.as_deref().unwrap_or(""))),
                ("port", Value::Int(*p)),
                ("protocol", s(proto)),
            ])
        })
        .collect();
    // `endpoints` and `ports` have no omitempty: an empty slice shows both as null.
    let list = |items: Vec<Value>| {
        if items.is_empty() {
            Value::Null
        } else {
            Value::Seq(items)
        }
    };
    let written = |k: &str| e.written.get(k).cloned();
    Value::Map(vec![
        ("addressType".into(), written("addressType").unwrap_or(s("IPv4"))),
        ("apiVersion".into(), s("discovery.k8s.io/v1")),
        (
            "endpoints".into(),
            written("endpoints").unwrap_or_else(|| list(e.endpoints.iter().map(endpoint).collect())),
        ),
        ("kind".into(), s("EndpointSlice")),
        ("metadata".into(), {
            let service = e.meta.owner.as_ref().map_or(e.meta.name.as_str(), |o| o.name.as_str());
            meta(
                c,
                &Meta {
                    uid: controller_uid(c, &e.meta, service, 0),
                    ..e.meta.clone()
                },
                None,
            )
        }),
        ("ports".into(), written("ports").unwrap_or_else(|| list(ports))),
    ])
}

pub fn node(c: &Cluster, n: &Node) -> Value {
    let taints: Vec<Value> = n
        .taints
        .iter()
        .map(|(k, e)| Value::map(vec![("effect", s(e)), ("key", s(k))]))
        .collect();
    let m = Meta {
        name: n.name.clone(),
        labels: n.labels.clone(),
        creation: n.creation,
        uid: format!("{:08x}-0000-4000-8000-000000000000", fnv(&n.name)),
        ..Meta::default()
    };
    Value::map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Node")),
        ("metadata", meta(c, &m, None)),
        (
            "spec",
            Value::map(vec![(
                "taints",
                if taints.is_empty() {
                    Value::Null
                } else {
                    Value::Seq(taints)
                },
            )]),
        ),
        (
            "status",
            Value::map(vec![(
                "addresses",
                Value::Seq(vec![
                    Value::map(vec![("address", s(&n.ip)), ("type", s("InternalIP"))]),
                    Value::map(vec![("address", s(&n.name)), ("type", s("Hostname"))]),
                ]),
            )]),
        ),
    ])
}

pub fn namespace(c: &Cluster, ns: &Namespace) -> Value {
    Value::map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Namespace")),
        ("metadata", meta(c, &ns.meta, None)),
        (
            "spec",
            Value::map(vec![("finalizers", Value::Seq(vec![s("kubernetes")]))]),
        ),
        ("status", Value::map(vec![("phase", s("Active"))])),
    ])
}

pub fn other(c: &Cluster, o: &Other) -> Value {
    let mut v = o.body.clone();
    if let Value::Map(entries) = &mut v {
        entries.retain(|(k, _)| k != "metadata" && k != "status");
        entries.push(("metadata".into(), meta(c, &o.meta, None)));
    }
    v
}
