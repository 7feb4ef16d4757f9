//! The control loops, run as the simulated clock advances: Deployment -> ReplicaSet -> Pods,
//! the garbage collector, the scheduler, each node's kubelet (sandbox, IP, image pull, start,
//! restarts, graceful termination), and the endpoints and endpointslice controllers.
//!
//! `reconcile` runs them until nothing changes at the current instant; `advance` moves the
//! clock to each pending kubelet step in turn. Both are deterministic: iteration follows
//! sorted keys and every random choice draws from the cluster's generator (or, for what
//! controllers make on the side, from one seeded by the owner's uid).

use super::map::Map;

use super::clock::rfc3339;
use super::cluster::{key, safe_encode_decimal, Cluster, Key};
use super::images::{self, Lookup};
use super::lab::{fnv32a, fnv64a, FNV64_OFFSET};
use super::objects::*;
use super::store::Store;
use super::value::Value;

/// When the API server's 10-second pass after `gone` recreates `default/kubernetes`.
fn kubernetes_service_returns(gone: Time) -> Time {
    (gone.div_euclid(10) + 1) * 10
}

/// The label the endpoints controller puts on a headless Service's Endpoints.
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

const REVISION: &str = "deployment.kubernetes.io/revision";
/// A span of time past which `advance` looks for restart loops to move forward in one go.
const LONG_SPAN: Time = 3600;
/// The longest the clock is moved in one `settle`.
const SETTLE_LIMIT: i64 = 3600;

fn scaled(v: &Option<IntOrStr>, total: i64, round_up: bool) -> i64 {
    match v {
        Some(IntOrStr::Int(i)) => *i,
        Some(IntOrStr::Str(s)) => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let x = pct * total as f64 / 100.0;
            if round_up {
                x.ceil() as i64
            } else {
                x.floor() as i64
            }
        }
        None => 0,
    }
}

/// The pod-template-hash: FNV-32a over the template's canonical form, encoded as Kubernetes
/// encodes it (only `4-9 b c d f`, usually ten characters).
pub fn template_hash(t: &PodTemplate) -> String {
    let labels: Vec<(String, Value)> = t
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
        .collect();
    let annotations: Vec<(String, Value)> = t
        .annotations
        .iter()
        .map(|(k, v)| (k.clone(), Value::Str(v.clone())))
        .collect();
    let canonical = format!(
        "{{\"annotations\":{},\"labels\":{},\"spec\":{}}}",
        Value::Map(annotations).to_json(),
        Value::Map(labels).to_json(),
        t.spec.raw.to_json()
    );
    safe_encode_decimal(fnv32a(canonical.as_bytes()))
}

fn tolerates(tolerations: &[Toleration], taint_key: &str, effect: &str) -> bool {
    tolerations.iter().any(|t| {
        let op = t.operator.as_deref().unwrap_or("Equal");
        let key_ok = match t.key.as_deref() {
            None | Some("") => op == "Exists",
            Some(k) => k == taint_key,
        };
        let value_ok = op == "Exists" || t.value.as_deref().unwrap_or("").is_empty();
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == effect);
        key_ok && value_ok && effect_ok
    })
}

impl Cluster {
    /// Runs every controller until the state is stable at the current time, then brings the
    /// endpoints up to date.
    pub fn reconcile(&mut self) {
        self.run_controllers();
        if self.resource_version != self.endpoints_version || self.pods_changed {
            self.sync_endpoints();
            self.endpoints_version = self.resource_version;
            self.pods_changed = false;
        }
    }

    /// The control loops without the endpoints controller, for the steps inside one `advance`:
    /// nothing reads endpoints between them.
    pub(crate) fn run_controllers(&mut self) {
        let mut any = false;
        for _ in 0..50 {
            let mut changed = false;
            changed |= self.collect_garbage();
            changed |= self.restore_kubernetes_service();
            let counted_at = self.count_owned_pods();
            changed |= self.sync_deployments(counted_at);
            self.counts_changed.clear();
            // Kept for the next pass (valid while pods and ReplicaSets are unchanged), and out
            // of `replica_set_counts`' way between passes.
            self.counts_kept = (counted_at, std::mem::take(&mut self.owner_counts));
            changed |= self.sync_replica_sets();
            changed |= self.schedule();
            changed |= self.run_kubelets();
            any |= changed;
            if !changed {
                break;
            }
        }
        self.pods_changed |= any;
    }

    /// The earliest pending kubelet step after now.
    pub fn next_event(&self) -> Option<Time> {
        let kubernetes_back = self.kubernetes_service_gone.map(kubernetes_service_returns);
        self.pods
            .unordered()
            .flat_map(|(_, p)| [p.status.next_step_at, p.status.exits_at])
            .flatten()
            .chain(kubernetes_back)
            .filter(|t| *t > self.now)
            .min()
    }

    /// Moves the clock forward by `secs`, acting at each pending step on the way.
    pub fn advance(&mut self, secs: i64) {
        let target = self.now.saturating_add(secs.max(0));
        self.run_controllers();
        while let Some(t) = self.next_event().filter(|t| *t <= target) {
            self.now = t;
            self.run_controllers();
            if target - self.now > LONG_SPAN {
                self.skip_loops(target);
            }
        }
        self.now = target;
        self.reconcile();
    }

    /// Advances until no step is pending (at most an hour): every pod that can start has.
    pub fn settle(&mut self) {
        let limit = self.now + SETTLE_LIMIT;
        self.reconcile();
        while let Some(t) = self.next_event().filter(|t| *t <= limit) {
            // Crash loops never settle; stop once only they are left.
            let only_loops = self.pods.values().all(|p| {
                p.status.next_step_at.is_none()
                    || matches!(&p.status.state, ContainerState::Waiting(r) if r == "CrashLoopBackOff" || r == "ImagePullBackOff" || r == "ErrImagePull")
                    || matches!(p.status.state, ContainerState::Terminated { .. })
            });
            if only_loops {
                break;
            }
            self.now = t;
            self.run_controllers();
        }
        self.reconcile();
    }

    // -----------------------------------------------------------------------------------------

    /// The API server's own controller puts `default/kubernetes` back on its next pass (every
    /// 10 s), on the same address.
    fn restore_kubernetes_service(&mut self) -> bool {
        let Some(gone) = self.kubernetes_service_gone else {
            return false;
        };
        if self.now < kubernetes_service_returns(gone) {
            return false;
        }
        let ip = super::lab::ip_to_u32(&self.service_ip(1));
        if ip.is_some_and(|ip| self.cluster_ips.contains(&ip)) {
            // Someone took its address: the API server's create fails, and it tries again.
            return false;
        }
        self.kubernetes_service_gone = None;
        let svc = self.kubernetes_service(self.now);
        if let Some(ip) = ip {
            self.cluster_ips.insert(ip);
        }
        self.services.insert(key("default", "kubernetes"), svc);
        self.services_changed = true;
        self.next_resource_version();
        true
    }

    /// Removes ReplicaSets whose Deployment is gone and pods whose ReplicaSet is gone.
    fn collect_garbage(&mut self) -> bool {
        // Orphans appear only when Deployments or ReplicaSets go: none went since a pass that
        // found none, none again. (Owners are set only by the controllers, to objects that exist:
        // a manifest's ownerReferences are not kept.)
        let seen = |c: &Cluster| (c.deployments.removals(), c.replicasets.removals());
        if self.quiet_tables.0 == Some(seen(self)) {
            return false;
        }
        let found = self.collect_orphans();
        if !found {
            self.quiet_tables.0 = Some(seen(self));
        }
        found
    }

    fn collect_orphans(&mut self) -> bool {
        let mut dep_uids = super::map::Set::new();
        dep_uids.extend(self.deployments.values().map(|d| d.meta.uid.as_str()));
        let orphan_rs: Vec<Key> = self
            .replicasets
            .iter()
            .filter(|(_, rs)| {
                rs.meta
                    .owner
                    .as_ref()
                    .is_some_and(|o| !dep_uids.contains(o.uid.as_str()))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in &orphan_rs {
            let _ = self.delete("ReplicaSet", &k.0, &k.1, None);
        }
        let mut rs_uids = super::map::Set::new();
        rs_uids.extend(self.replicasets.values().map(|r| r.meta.uid.as_str()));
        let orphan_pods: Vec<Key> = self
            .pods
            .iter()
            .filter(|(_, p)| {
                p.meta.deletion.is_none()
                    && p.meta
                        .owner
                        .as_ref()
                        .is_some_and(|o| o.kind == "ReplicaSet" && !rs_uids.contains(o.uid.as_str()))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in &orphan_pods {
            let _ = self.delete("Pod", &k.0, &k.1, None);
        }
        !orphan_rs.is_empty() || !orphan_pods.is_empty()
    }

    fn sync_deployments(&mut self, counted_at: (u64, u64)) -> bool {
        // Nothing changed in Deployments, ReplicaSets or their pod counts since a pass that did
        // nothing: nothing to do.
        let seen = (self.deployments.writes(), counted_at);
        if self.quiet_tables.1 == Some(seen) {
            return false;
        }
        let changed = self.sync_each_deployment();
        if !changed {
            self.quiet_tables.1 = Some(seen);
        }
        changed
    }

    fn sync_each_deployment(&mut self) -> bool {
        // Only Deployments that can have something to do: written since the last pass, or
        // owning a ReplicaSet written since or with a pod written since (Recreate ones also wait
        // for terminating pods). After a ReplicaSet was removed (its Deployment makes it again),
        // or at first, all of them.
        let seen = (
            self.deployments.writes(),
            self.replicasets.writes(),
            self.replicasets.removals(),
        );
        let dirty: Option<super::map::Set<Key>> = match self.deployments_seen {
            Some((dw, rw, rr)) if rr == seen.2 => {
                let owners = self.counts_changed.iter().filter_map(|k| self.replicasets.get(k));
                let owners = self
                    .replicasets
                    .slots_since(rw)
                    .filter_map(|(_, rs)| Some(rs?.1))
                    .chain(owners);
                let mut dirty: Vec<Key> = owners
                    .filter_map(|rs| {
                        let o = rs.meta.owner.as_ref().filter(|o| o.kind == "Deployment")?;
                        Some(key(&rs.meta.namespace, &o.name))
                    })
                    .collect();
                dirty.extend(self.deployments.slots_since(dw).filter_map(|(_, d)| Some(d?.0.clone())));
                let mut set = super::map::Set::new();
                set.extend(dirty);
                Some(set)
            }
            _ => None,
        };
        self.deployments_seen = Some(seen);
        let keys: Vec<Key> = match &dirty {
            Some(d) => d.iter().filter(|k| self.deployments.contains_key(k)).cloned().collect(),
            None => self.deployments.keys().cloned().collect(),
        };
        // Each Deployment's ReplicaSets: one index when many Deployments sync, else a scan each.
        let mut owned_by: Option<Map<String, Vec<Key>>> = (keys.len() > 4).then(|| {
            Map::grouped(
                self.replicasets
                    .iter()
                    .filter_map(|(k, rs)| Some((rs.meta.owner.as_ref()?.uid.clone(), k.clone())))
                    .collect(),
            )
        });
        let mut changed = false;
        for dk in keys {
            let uid = self.deployments[&dk].meta.uid.clone();
            let owned = match owned_by.as_mut() {
                Some(index) => index.remove(&uid).unwrap_or_default(),
                None => {
                    let mut owned: Vec<Key> = self
                        .replicasets
                        .unordered()
                        .filter(|(_, rs)| rs.meta.owner.as_ref().is_some_and(|o| o.uid == uid))
                        .map(|(k, _)| k.clone())
                        .collect();
                    super::order::sort(&mut owned);
                    owned
                }
            };
            changed |= self.sync_deployment(&dk, owned);
        }
        changed
    }

    fn sync_deployment(&mut self, dk: &Key, owned: Vec<Key>) -> bool {
        let mut changed = false;
        {
            let dk = dk.clone();
            let hash = self.cached_template_hash(&dk);
            let d = &self.deployments[&dk];
            let Some(selector) = d.selector.clone() else {
                return false;
            };
            let (uid, dep_name, namespace, replicas, strategy, paused, min_ready) = (
                d.meta.uid.clone(),
                d.meta.name.clone(),
                d.meta.namespace.clone(),
                d.replicas.unwrap_or(1),
                d.strategy.clone(),
                d.paused,
                d.min_ready_seconds,
            );
            let mut name = format!("{}-{}", dep_name, hash);
            if name.len() > 253 {
                name.truncate(253);
            }
            let max_rev = owned
                .iter()
                .filter_map(|k| {
                    self.replicasets[k]
                        .meta
                        .annotations
                        .get(REVISION)
                        .and_then(|r| r.parse::<i64>().ok())
                })
                .max()
                .unwrap_or(0);
            let new_key = key(&namespace, &name);
            if !self.replicasets.contains_key(&new_key) {
                let mut template = self.deployments[&dk].template.clone();
                template.labels.insert("pod-template-hash".into(), hash.clone());
                let mut sel = selector.clone();
                sel.match_labels.insert("pod-template-hash".into(), hash.clone());
                let mut labels = template.labels.clone();
                labels.insert("pod-template-hash".into(), hash.clone());
                let mut annotations = Labels::new();
                annotations.insert("deployment.kubernetes.io/desired-replicas".into(), replicas.to_string());
                annotations.insert(
                    "deployment.kubernetes.io/max-replicas".into(),
                    (replicas + scaled(&strategy.max_surge, replicas, true)).to_string(),
                );
                annotations.insert(REVISION.into(), (max_rev + 1).to_string());
                let rs = ReplicaSet {
                    meta: Meta {
                        name: name.clone(),
                        namespace: namespace.clone(),
                        labels,
                        annotations,
                        uid: self.new_uid(),
                        creation: self.now,
                        owner: Some(Owner {
                            kind: "Deployment".into(),
                            name: dep_name.clone(),
                            uid: uid.clone(),
                        }),
                        generation: 1,
                        ..Meta::default()
                    },
                    replicas: Some(0),
                    selector: Some(sel),
                    template,
                    min_ready_seconds: min_ready,
                };
                self.replicasets.insert(new_key.clone(), rs);
                changed = true;
            } else {
                let rs = &self.replicasets[&new_key];
                let is_newest = rs.meta.annotations.get(REVISION).and_then(|r| r.parse::<i64>().ok()) == Some(max_rev);
                if !is_newest && owned.len() > 1 {
                    let rs = self.replicasets.get_mut(&new_key).expect("checked above");
                    rs.meta.annotations.insert(REVISION.into(), (max_rev + 1).to_string());
                    changed = true;
                }
            }
            if paused {
                return changed;
            }
            let old: Vec<Key> = owned.into_iter().filter(|k| *k != new_key).collect();
            changed |= self.roll(old, replicas, &strategy, &new_key);
        }
        changed
    }

    /// Sets a ReplicaSet's replicas for its Deployment, with the Deployment's event. Each scaled
    /// ReplicaSet also records the Deployment's size: `desired` and `desired + maxSurge`.
    fn set_rs_replicas(&mut self, k: &Key, n: i64, sizes: (i64, i64)) -> bool {
        if self.replicasets.get(k).is_none_or(|rs| rs.replicas == Some(n)) {
            return false;
        }
        let Some(rs) = self.replicasets.get_mut(k) else {
            return false;
        };
        let from = rs.replicas.unwrap_or(0);
        rs.replicas = Some(n);
        rs.meta
            .annotations
            .insert("deployment.kubernetes.io/desired-replicas".into(), sizes.0.to_string());
        rs.meta
            .annotations
            .insert("deployment.kubernetes.io/max-replicas".into(), sizes.1.to_string());
        let (name, owner) = (rs.meta.name.clone(), rs.meta.owner.as_ref().map(|o| o.uid.clone()));
        if let Some(owner) = owner {
            let way = if n > from { "up" } else { "down" };
            self.record(
                &owner,
                "ScalingReplicaSet",
                "deployment-controller",
                format!("Scaled {way} replica set {name} from {from} to {n}"),
            );
        }
        true
    }

    /// A Normal event about the object with this uid.
    fn record(&mut self, uid: &str, reason: &str, from: &str, message: String) {
        let event = Event::new("Normal", reason, from, message, self.now);
        match self.object_events.get_mut(uid) {
            Some(list) => record_event(list, event),
            None => {
                self.object_events.insert(uid.to_string(), vec![event]);
            }
        }
    }

    /// Pods a ReplicaSet owns that are not terminating, and how many of them are ready (from
    /// the pass's counts while the controllers run).
    pub fn replica_set_counts(&self, rs: &ReplicaSet) -> (i64, i64) {
        if let Some(counts) = self.owner_counts.get(&rs.meta.uid) {
            return *counts;
        }
        let mut active = 0;
        let mut ready = 0;
        for p in self.pods.values() {
            if p.meta.owner.as_ref().is_some_and(|o| o.uid == rs.meta.uid) && !p.is_terminating() {
                active += 1;
                if p.is_ready() {
                    ready += 1;
                }
            }
        }
        (active, ready)
    }

    /// Counts each owner's active and ready pods, for a pass of the workload controllers: the
    /// last counts corrected by the pods written since (each slot's share is kept), and
    /// counted afresh after a ReplicaSet went. `counts_changed` gets the (namespace, owner name)
    /// of every pod written since, whether its owner's counts moved or not.
    fn count_owned_pods(&mut self) -> (u64, u64) {
        let at = (self.pods.writes(), self.replicasets.writes());
        let ((mut pw, mut rw), mut counts) = std::mem::take(&mut self.counts_kept);
        if self.pod_shares.0 != self.replicasets.removals() {
            (pw, rw, counts) = (0, 0, Map::new());
            self.pod_shares = (self.replicasets.removals(), Vec::new());
        }
        let (changed, shares) = (&mut self.counts_changed, &mut self.pod_shares.1);
        for (i, pod) in self.pods.slots_since(pw) {
            if shares.len() <= i {
                shares.resize(i + 1, None);
            }
            let now = pod.and_then(|(_, p)| {
                let o = p.meta.owner.as_ref()?;
                let share = (!p.is_terminating() as i64, p.is_ready() as i64);
                Some((o.uid.clone(), key(&p.meta.namespace, &o.name), share))
            });
            for (sign, (uid, owner, (active, ready))) in
                [(-1, std::mem::replace(&mut shares[i], now.clone())), (1, now)]
                    .into_iter()
                    .filter_map(|(sign, s)| Some((sign, s?)))
            {
                if active > 0 {
                    let e = counts.entry(uid).or_default();
                    e.0 += sign;
                    e.1 += sign * ready;
                }
                changed.push(owner);
            }
        }
        for (_, rs) in self.replicasets.slots_since(rw).filter_map(|(_, rs)| rs) {
            if !counts.contains_key(rs.meta.uid.as_str()) {
                counts.insert(rs.meta.uid.clone(), (0, 0));
            }
        }
        self.owner_counts = counts;
        at
    }

    /// One step of the Deployment's rollout strategy.
    fn roll(&mut self, old: Vec<Key>, desired: i64, strategy: &Strategy, new_key: &Key) -> bool {
        let mut changed = false;
        let sizes = (desired, desired + scaled(&strategy.max_surge, desired, true));
        let old_total: i64 = old.iter().map(|k| self.replicasets[k].replicas.unwrap_or(0)).sum();
        if strategy.type_.as_deref() == Some("Recreate") {
            for k in &old {
                changed |= self.set_rs_replicas(k, 0, sizes);
            }
            let old_pods: i64 = old
                .iter()
                .map(|k| self.replica_set_counts(&self.replicasets[k]).0)
                .sum::<i64>()
                + self
                    .pods
                    .values()
                    .filter(|p| {
                        p.is_terminating()
                            && p.meta
                                .owner
                                .as_ref()
                                .is_some_and(|o| old.iter().any(|k| self.replicasets[k].meta.uid == o.uid))
                    })
                    .count() as i64;
            if old_pods == 0 {
                changed |= self.set_rs_replicas(new_key, desired, sizes);
            }
            return changed;
        }
        if old_total == 0 {
            return self.set_rs_replicas(new_key, desired, sizes);
        }
        let mut surge = scaled(&strategy.max_surge, desired, true);
        let unavailable = scaled(&strategy.max_unavailable, desired, false);
        if surge == 0 && unavailable == 0 {
            surge = 0;
        }
        let max_unavailable = if surge == 0 && unavailable == 0 { 1 } else { unavailable };
        let new_replicas = self.replicasets[new_key].replicas.unwrap_or(0);
        let total = old_total + new_replicas;
        // Scale the new ReplicaSet up within the surge.
        if new_replicas < desired {
            let room = (desired + surge - total).max(0);
            let up = room.min(desired - new_replicas);
            if up > 0 {
                changed |= self.set_rs_replicas(new_key, new_replicas + up, sizes);
            }
        } else if new_replicas > desired {
            changed |= self.set_rs_replicas(new_key, desired, sizes);
        }
        // Scale old ReplicaSets down while enough pods stay available.
        let min_available = desired - max_unavailable;
        let available: i64 = old
            .iter()
            .chain(std::iter::once(new_key))
            .map(|k| self.replica_set_counts(&self.replicasets[k]).1)
            .sum();
        let mut can_remove = (available - min_available).max(0);
        // Old pods that are not ready can always go.
        for k in &old {
            let rs = &self.replicasets[k];
            let (active, ready) = self.replica_set_counts(rs);
            let current = rs.replicas.unwrap_or(0);
            let unhealthy = (active - ready).max(0).min(current);
            if unhealthy > 0 {
                changed |= self.set_rs_replicas(k, current - unhealthy, sizes);
            }
        }
        let mut old_sorted = old.clone();
        super::order::sort_by_key(&mut old_sorted, |k| (self.replicasets[k].meta.creation, k.1.clone()));
        for k in &old_sorted {
            if can_remove == 0 {
                break;
            }
            let cur = self.replicasets[k].replicas.unwrap_or(0);
            let down = cur.min(can_remove);
            if down > 0 {
                changed |= self.set_rs_replicas(k, cur - down, sizes);
                can_remove -= down;
            }
        }
        changed
    }

    fn sync_replica_sets(&mut self) -> bool {
        // Nothing written to ReplicaSets or pods since a pass that did nothing: nothing to do.
        let seen = |c: &Cluster| (c.replicasets.writes(), c.pods.writes());
        if self.quiet_tables.2 == Some(seen(self)) {
            return false;
        }
        let changed = self.sync_each_replica_set();
        if !changed {
            self.quiet_tables.2 = Some(seen(self));
        }
        changed
    }

    fn sync_each_replica_set(&mut self) -> bool {
        // Plan with borrowed state; clone only what an action needs.
        let mut release: Vec<Key> = Vec::new();
        let mut adopt: Vec<(Key, String, String)> = Vec::new();
        let mut create: Vec<(Key, i64)> = Vec::new();
        let mut remove: Vec<(Key, String)> = Vec::new();
        // Only ReplicaSets that can have something to do: written since the last pass, or with
        // a pod written since; all of them after a pod was removed or when a pod without a
        // ReplicaSet was written (any of them may adopt it), and at first.
        let seen = (self.replicasets.writes(), self.pods.writes(), self.pods.removals());
        let dirty: Option<super::map::Set<Key>> = match self.replica_sets_seen {
            Some((rw, pw, pr)) if pr == seen.2 => {
                let written = self
                    .replicasets
                    .slots_since(rw)
                    .filter_map(|(_, rs)| Some(rs?.0.clone()));
                let mut dirty: Vec<Key> = written.collect();
                let mut all = false;
                for (k, p) in self.pods.slots_since(pw).filter_map(|(_, p)| p) {
                    match p.meta.owner.as_ref().filter(|o| o.kind == "ReplicaSet") {
                        Some(o) => dirty.push(key(&k.0, &o.name)),
                        None => all = true,
                    }
                }
                (!all).then(|| {
                    let mut set = super::map::Set::new();
                    set.extend(dirty);
                    set
                })
            }
            _ => None,
        };
        self.replica_sets_seen = Some(seen);
        {
            // Each ReplicaSet's pods: one index when many sync, else a scan each.
            let index = dirty.as_ref().is_none_or(|d| d.len() > 4);
            let mut by_owner: Vec<(&str, &Key)> = Vec::new();
            let mut orphans: Vec<&Key> = Vec::new();
            for (k, p) in self.pods.unordered() {
                if p.is_terminating() {
                    continue;
                }
                match &p.meta.owner {
                    Some(o) if index => by_owner.push((o.uid.as_str(), k)),
                    Some(_) => {}
                    None => orphans.push(k),
                }
            }
            super::order::sort(&mut orphans);
            let mut owned: Option<Map<&str, Vec<&Key>>> = index.then(|| Map::grouped(by_owner));
            let keys: Vec<&Key> = match &dirty {
                Some(d) => d.iter().collect(),
                None => self.replicasets.keys().collect(),
            };
            for rk in keys {
                let Some(rs) = self.replicasets.get(rk) else { continue };
                let Some(selector) = rs.selector.as_ref().filter(|s| !s.is_empty()) else {
                    continue;
                };
                let want = rs.replicas.unwrap_or(1);
                let uid = rs.meta.uid.as_str();
                let mut active: Vec<&Key> = match owned.as_mut() {
                    Some(index) => index.get_mut(uid).map(std::mem::take).unwrap_or_default(),
                    None => self
                        .pods
                        .unordered()
                        .filter(|(_, p)| !p.is_terminating() && p.meta.owner.as_ref().is_some_and(|o| o.uid == uid))
                        .map(|(k, _)| k)
                        .collect(),
                };
                // In key order, as the pods are listed.
                super::order::sort(&mut active);
                // Release pods whose labels no longer match; adopt orphans that do.
                active.retain(|k| {
                    let keep = selector.matches(&self.pods[*k].meta.labels);
                    if !keep {
                        release.push((*k).clone());
                    }
                    keep
                });
                let mut i = 0;
                while i < orphans.len() {
                    let k = orphans[i];
                    if k.0 == rk.0 && selector.matches(&self.pods[k].meta.labels) {
                        adopt.push((k.clone(), rs.meta.name.clone(), rs.meta.uid.clone()));
                        active.push(orphans.remove(i));
                    } else {
                        i += 1;
                    }
                }
                let have = active.len() as i64;
                if have < want {
                    create.push((rk.clone(), want - have));
                } else if have > want {
                    // Delete the least useful first: unscheduled, not running, not ready, newest.
                    super::order::sort_by_key(&mut active, |k| {
                        let p = &self.pods[*k];
                        (
                            p.node().is_some(),
                            matches!(p.status.state, ContainerState::Running { .. }),
                            p.is_ready(),
                            -p.meta.creation,
                            k.1.as_str(),
                        )
                    });
                    remove.extend(
                        active
                            .iter()
                            .take((have - want) as usize)
                            .map(|k| ((*k).clone(), rs.meta.uid.clone())),
                    );
                }
            }
        }
        let changed = !(release.is_empty() && adopt.is_empty() && create.is_empty() && remove.is_empty());
        for k in release {
            if let Some(p) = self.pods.get_mut(&k) {
                p.meta.owner = None;
            }
        }
        for (k, name, uid) in adopt {
            if let Some(p) = self.pods.get_mut(&k) {
                p.meta.owner = Some(Owner {
                    kind: "ReplicaSet".into(),
                    name,
                    uid,
                });
            }
        }
        let mut held_back = false;
        for (rk, n) in create {
            let rs = self.replicasets[&rk].clone();
            let room = super::nodes::LAB_POD_LIMIT.saturating_sub(self.pods.len()) as i64;
            held_back |= n > room;
            for _ in 0..n.min(room) {
                self.create_pod_for(&rs);
            }
        }
        // Said once when the limit starts holding pods back, not at every pass after.
        if held_back && !self.pods_held_back {
            self.notes.push(super::nodes::pod_limit_note());
        }
        self.pods_held_back = held_back;
        for (k, rs_uid) in remove {
            if self.delete("Pod", &k.0, &k.1, None).is_ok() {
                self.record(
                    &rs_uid,
                    "SuccessfulDelete",
                    "replicaset-controller",
                    format!("Deleted pod: {}", k.1),
                );
            }
        }
        changed
    }

    fn create_pod_for(&mut self, rs: &ReplicaSet) {
        let mut base = rs.meta.name.clone();
        base.truncate(58);
        let mut name = format!("{base}-{}", self.random_suffix());
        while self.pods.contains_key(&key(&rs.meta.namespace, &name)) {
            name = format!("{base}-{}", self.random_suffix());
        }
        let pod = Pod {
            meta: Meta {
                name: name.clone(),
                generate_name: Some(format!("{base}-")),
                namespace: rs.meta.namespace.clone(),
                labels: rs.template.labels.clone(),
                annotations: rs.template.annotations.clone(),
                uid: self.new_uid(),
                creation: self.now,
                owner: Some(Owner {
                    kind: "ReplicaSet".into(),
                    name: rs.meta.name.clone(),
                    uid: rs.meta.uid.clone(),
                }),
                ..Meta::default()
            },
            spec: rs.template.spec.clone(),
            status: PodStatus::default(),
        };
        self.pods.insert(key(&rs.meta.namespace, &name), pod);
        self.record(
            &rs.meta.uid,
            "SuccessfulCreate",
            "replicaset-controller",
            format!("Created pod: {name}"),
        );
        self.next_resource_version();
    }

    /// Binds pending pods to nodes: taints, nodeSelector, then spreading.
    fn schedule(&mut self) -> bool {
        // Nothing written to pods since a pass that bound nothing: the same pods stay pending
        // for the same reasons (nodes do not change).
        if self.quiet_tables.3 == Some(self.pods.writes()) {
            return false;
        }
        let changed = self.schedule_pending();
        if !changed {
            self.quiet_tables.3 = Some(self.pods.writes());
        }
        changed
    }

    fn schedule_pending(&mut self) -> bool {
        let mut changed = false;
        let mut node_index: Map<&str, usize> = Map::new();
        node_index.extend(self.nodes.iter().enumerate().map(|(i, n)| (n.name.as_str(), i)));
        // What counts against each node's pod capacity (terminating pods too, until gone).
        let mut on_node = vec![0usize; self.nodes.len()];
        for (_, p) in self.pods.unordered() {
            if let Some(&ni) = p.node().and_then(|n| node_index.get(n)) {
                on_node[ni] += super::nodes::occupies(p) as usize;
            }
        }
        // A pod that did not fit is tried again when it changes or when room may have been
        // made (a pod removed, or fewer on a node), as the scheduler's unschedulable queue
        // waits for such events; new pods are tried at once.
        let seen = (self.pods.writes(), self.pods.removals(), on_node.clone());
        let since = match &self.scheduled_seen {
            Some((w, r, on)) if *r == seen.1 && on.iter().zip(&on_node).all(|(a, b)| b >= a) => *w,
            _ => 0,
        };
        self.scheduled_seen = Some(seen);
        let mut pending: Vec<(Time, Key)> = self
            .pods
            .slots_since(since)
            .filter_map(|(_, p)| p)
            .filter(|(_, p)| p.spec.node_name.is_none() && !p.is_terminating())
            .map(|(k, p)| (p.meta.creation, k.clone()))
            .collect();
        super::order::sort(&mut pending);
        if pending.is_empty() {
            return false;
        }
        // Pods per node, and per owner of a pending pod and node, for spreading (node by index).
        let mut per_node = vec![0usize; self.nodes.len()];
        let mut placed: Vec<(String, usize)> = Vec::new();
        let mut owners = super::map::Set::new();
        owners.extend(
            pending
                .iter()
                .filter_map(|(_, k)| Some(self.pods[k].meta.owner.as_ref()?.uid.as_str())),
        );
        for (_, p) in self.pods.unordered() {
            let Some(&ni) = p.node().and_then(|n| node_index.get(n)) else {
                continue;
            };
            if !p.is_terminating() {
                per_node[ni] += 1;
                if let Some(o) = p.meta.owner.as_ref().filter(|o| owners.contains(o.uid.as_str())) {
                    placed.push((o.uid.clone(), ni));
                }
            }
        }
        // Per owner, its pods on each node (grouped in one sort).
        let mut per_owner: Map<String, Vec<usize>> = Map::grouped(placed);
        for v in per_owner.values_mut() {
            let mut counts = vec![0; per_node.len()];
            for &ni in v.iter() {
                counts[ni] += 1;
            }
            *v = counts;
        }
        drop(node_index);
        for (_, k) in pending {
            let pod = &self.pods[&k];
            let (tolerations, selector) = (pod.spec.tolerations.clone(), pod.spec.node_selector.clone());
            let owner = pod.meta.owner.as_ref().map(|o| o.uid.clone());
            let mut feasible: Vec<usize> = Vec::new();
            let mut reasons: Map<String, usize> = Map::new();
            // Nodes where evicting lower-priority pods could make room (all pods here have the
            // same priority, so none would be evicted).
            let mut full = 0;
            for (ni, n) in self.nodes.iter().enumerate() {
                if let Some((tk, _)) = n.taints.iter().find(|(tk, te)| !tolerates(&tolerations, tk, te)) {
                    *reasons
                        .entry(format!("node(s) had untolerated taint {{{tk}: }}"))
                        .or_default() += 1;
                    continue;
                }
                if !labels_match(&selector, &n.labels) {
                    *reasons
                        .entry("node(s) didn't match Pod's node affinity/selector".into())
                        .or_default() += 1;
                    continue;
                }
                if on_node[ni] >= super::nodes::MAX_PODS {
                    *reasons.entry("Too many pods".into()).or_default() += 1;
                    full += 1;
                    continue;
                }
                feasible.push(ni);
            }
            if feasible.is_empty() {
                let total = self.nodes.len();
                let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
                super::order::sort(&mut parts);
                let mut preemption = Vec::new();
                if total > full {
                    preemption.push(format!("{} Preemption is not helpful for scheduling", total - full));
                }
                if full > 0 {
                    preemption.push(format!("{full} No preemption victims found for incoming pod"));
                }
                super::order::sort(&mut preemption);
                let msg = format!(
                    "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
                    parts.join(", "),
                    preemption.join(", ")
                );
                let now = self.now;
                if self.pods[&k].status.events.last().is_none_or(|e| e.message != msg) {
                    let p = self.pods.get_mut(&k).expect("pending pod");
                    record_event(
                        &mut p.status.events,
                        Event::new("Warning", "FailedScheduling", "default-scheduler", msg, now),
                    );
                }
                continue;
            }
            let owned = owner.as_ref().and_then(|o| per_owner.get(o.as_str()));
            let score = |ni: usize| (owned.map_or(0, |v| v[ni]), per_node[ni]);
            let best = feasible
                .iter()
                .map(|&ni| score(ni))
                .min()
                .expect("feasible is not empty");
            let ties: Vec<usize> = feasible.iter().copied().filter(|&ni| score(ni) == best).collect();
            let ni = ties[self.rng.below(ties.len() as u64) as usize];
            let chosen = self.nodes[ni].name.clone();
            per_node[ni] += 1;
            on_node[ni] += 1;
            if let Some(o) = &owner {
                per_owner.entry(o.clone()).or_insert_with(|| vec![0; self.nodes.len()])[ni] += 1;
            }
            let now = self.now;
            let p = self.pods.get_mut(&k).expect("pending pod");
            p.spec.node_name = Some(chosen.clone());
            let msg = format!("Successfully assigned {}/{} to {chosen}", k.0, k.1);
            record_event(
                &mut p.status.events,
                Event::new("Normal", "Scheduled", "default-scheduler", msg, now),
            );
            p.status.next_step_at = Some(now + 1);
            changed = true;
        }
        changed
    }

    /// Why the kubelet cannot make the sandbox of a pod with `setHostnameAsFQDN` whose FQDN
    /// does not fit the kernel's 64-character hostname.
    fn fqdn_too_long(&self, pod: &Pod) -> Option<String> {
        let sub = pod.spec.subdomain.as_ref()?;
        if pod.spec.host_network || pod.spec.raw.get("setHostnameAsFQDN") != Some(&Value::Bool(true)) {
            return None;
        }
        let host = pod.spec.hostname.as_ref().unwrap_or(&pod.meta.name);
        let fqdn = format!("{host}.{sub}.{}.svc.{}", pod.meta.namespace, self.lab.cluster_domain);
        (fqdn.len() > 64).then(|| {
            format!(
                "Failed to create pod sandbox: failed to construct FQDN from pod hostname and cluster domain, FQDN {fqdn} \
                 is too long (64 characters is the max, {} characters requested)",
                fqdn.len()
            )
        })
    }

    fn missing_volume(&self, pod: &Pod) -> Option<(String, String)> {
        for v in &pod.spec.volumes {
            let (kind, name) = match &v.source {
                VolumeSource::Secret(n) => ("Secret", n),
                VolumeSource::ConfigMap(n) => ("ConfigMap", n),
                VolumeSource::Other => continue,
            };
            if !self
                .others
                .contains_key(&(kind.to_string(), pod.meta.namespace.clone(), name.clone()))
            {
                let what = if kind == "Secret" { "secret" } else { "configmap" };
                return Some((v.name.clone(), format!("{what} \"{name}\" not found")));
            }
        }
        None
    }

    /// Each node's kubelet: acts on pods whose next step is due.
    fn run_kubelets(&mut self) -> bool {
        let mut changed = false;
        let mut due: Vec<Key> = self
            .pods
            .unordered()
            .filter(|(_, p)| {
                p.node().is_some()
                    && (p.status.next_step_at.is_some_and(|t| t <= self.now)
                        || p.status.exits_at.is_some_and(|t| t <= self.now)
                        || (p.status.next_step_at.is_none()
                            && p.status.pod_ip.is_none()
                            && p.status.phase == "Pending")
                        || (p.is_terminating() && p.status.next_step_at.is_none())
                        || super::probes::due(p, self.now))
            })
            .map(|(k, _)| k.clone())
            .collect();
        super::order::sort(&mut due);
        for k in due {
            changed |= self.kubelet_step(&k);
        }
        changed
    }

    fn kubelet_step(&mut self, k: &Key) -> bool {
        // The pod is taken out of the map while its kubelet works on it, and put back unless
        // it is gone: no copy of the whole object per step.
        let Some(mut pod) = self.pods.remove(k) else {
            return false;
        };
        match self.kubelet_step_on(&mut pod) {
            Some(changed) => {
                self.pods.put_back(k.clone(), pod);
                changed
            }
            None => {
                self.archive_events(&k.0, "Pod", &k.1, &pod.meta.uid, pod.status.events);
                true
            }
        }
    }

    /// One kubelet step for a pod; `None` when the pod is gone.
    fn kubelet_step_on(&mut self, pod: &mut Pod) -> Option<bool> {
        let now = self.now;
        let node = pod.node().unwrap_or_default().to_string();
        let container = pod.spec.containers.first().cloned().unwrap_or_default();
        let event = |p: &mut Pod, type_: &'static str, reason: &str, message: String| {
            record_event(&mut p.status.events, Event::new(type_, reason, "kubelet", message, now));
        };
        // Termination: servers exit on SIGTERM at once; a shell sleeping as PID 1 ignores it
        // and is killed when the grace period ends.
        if let Some(deadline) = pod.meta.deletion {
            let grace = pod.meta.grace_seconds.unwrap_or(30);
            let started = deadline - grace;
            let running = matches!(pod.status.state, ContainerState::Running { .. });
            let has_prestop = pod
                .spec
                .raw
                .get("containers")
                .is_some_and(|c| c.to_json().contains("preStop"));
            let quick = !running
                || (images::listening_ports(&container).len() > 0 && !has_prestop && container.command.is_empty());
            // A server stops in about two seconds (the kubelet then confirms the deletion).
            let gone_at = if quick { (started + 2).min(deadline) } else { deadline };
            if now >= gone_at {
                if let Some(ip) = &pod.status.pod_ip {
                    if !pod.spec.host_network {
                        self.release_pod_ip(&node, ip);
                    }
                }
                self.next_resource_version();
                return None;
            }
            let p = &mut *pod;
            if p.status.next_step_at != Some(gone_at) {
                if running && p.status.events.iter().all(|e| e.reason != "Killing") {
                    event(p, "Normal", "Killing", format!("Stopping container {}", container.name));
                }
                p.status.next_step_at = Some(gone_at);
                p.set_ready(false, now);
                return Some(true);
            }
            return Some(false);
        }
        // The container's command is over (`sleep 30` ended): it exits, as one that ends at once.
        if pod.status.exits_at.is_some_and(|t| t <= now) {
            pod.status.exits_at = None;
            if matches!(pod.status.state, ContainerState::Running { .. }) {
                let policy = pod.spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
                exited(pod, &policy, now);
                return Some(true);
            }
        }
        if let Some(changed) = self.probe_step(pod) {
            return Some(changed);
        }
        let state = pod.status.state.clone();
        let pull_image = container.image.clone();
        match (&state, pod.status.pod_ip.is_some()) {
            // Sandbox: volumes, then an address from the node's block.
            (ContainerState::Waiting(r), false) if r == "ContainerCreating" => {
                let stuck = match self.missing_volume(&pod) {
                    Some((vol, why)) => Some((
                        "FailedMount",
                        format!("MountVolume.SetUp failed for volume \"{vol}\" : {why}"),
                    )),
                    None => self.fqdn_too_long(&pod).map(|m| ("FailedCreatePodSandBox", m)),
                };
                if let Some((reason, msg)) = stuck {
                    let p = &mut *pod;
                    let first = p.status.events.iter().all(|e| e.reason != reason);
                    if first {
                        event(p, "Warning", reason, msg);
                        p.status.next_step_at = None;
                        return Some(true);
                    }
                    if p.status.next_step_at.is_some() {
                        p.status.next_step_at = None;
                        return Some(true);
                    }
                    return Some(false);
                }
                let ip = if pod.spec.host_network {
                    self.node(&node).map(|n| n.ip.clone())
                } else {
                    self.allocate_pod_ip(&node)
                };
                let host_ip = self.node(&node).map(|n| n.ip.clone());
                let cached = self.pulled.contains(&(node.clone(), pull_image.clone()));
                let never_pull = container.image_pull_policy.as_deref() == Some("IfNotPresent") && cached;
                // A node pulls an image once; every pod waiting for it starts when it lands.
                let pull_key = (node.clone(), pull_image.clone());
                let delay = match images::lookup(&pull_image) {
                    Lookup::NotFound => 2,
                    _ if never_pull => 1,
                    _ => match self.pulling.get(&pull_key) {
                        Some(done) if *done > now => *done - now,
                        _ if cached => 1 + self.rng.below(2) as i64,
                        _ => {
                            let d = 3 + self.rng.below(4) as i64;
                            self.pulling.insert(pull_key, now + d);
                            d
                        }
                    },
                };
                let p = &mut *pod;
                // Calico's CNI plugin records the sandbox and the address on the pod.
                if let Some(ip) = ip.as_deref().filter(|_| !p.spec.host_network) {
                    let mut r = super::rng::Rng::new(super::lab::fnv32a(p.meta.uid.as_bytes()) as u64);
                    let sandbox = format!(
                        "{:016x}{:016x}{:016x}{:016x}",
                        r.next_u64(),
                        r.next_u64(),
                        r.next_u64(),
                        r.next_u64()
                    );
                    p.meta
                        .annotations
                        .insert("cni.projectcalico.org/containerID".into(), sandbox);
                    p.meta
                        .annotations
                        .insert("cni.projectcalico.org/podIP".into(), format!("{ip}/32"));
                    p.meta
                        .annotations
                        .insert("cni.projectcalico.org/podIPs".into(), format!("{ip}/32"));
                }
                p.status.pod_ip = ip;
                p.status.host_ip = host_ip;
                p.status.start_time = Some(now);
                p.set_ready(false, now);
                if never_pull {
                    event(
                        p,
                        "Normal",
                        "Pulled",
                        format!("Container image \"{pull_image}\" already present on machine"),
                    );
                } else {
                    event(p, "Normal", "Pulling", format!("Pulling image \"{pull_image}\""));
                }
                p.status.next_step_at = Some(now + delay);
                Some(true)
            }
            // Each sync while the back-off lasts says so again (the pod worker retries every 10 s).
            (ContainerState::Waiting(r), true)
                if r == "CrashLoopBackOff" && pod.status.backoff_until.is_some_and(|t| t > now) =>
            {
                self.back_off(pod, &container.name, now);
                Some(true)
            }
            // The image is pulled (or not): start the container.
            (ContainerState::Waiting(r), true)
                if r == "ContainerCreating" || r == "ImagePullBackOff" || r == "CrashLoopBackOff" =>
            {
                let pulled_at = p_pulling_since(&pod);
                if r != "CrashLoopBackOff" {
                    if let Lookup::NotFound = images::lookup(&pull_image) {
                        let reference = images::full_reference(&pull_image);
                        let p = &mut *pod;
                        event(
                            p,
                            "Warning",
                            "Failed",
                            format!(
                            "Failed to pull image \"{pull_image}\": rpc error: code = NotFound desc = failed to pull \
                                and unpack image \"{reference}\": failed to resolve reference \"{reference}\": \
                                {reference}: not found"
                        ),
                        );
                        event(p, "Warning", "Failed", "Error: ErrImagePull".into());
                        p.status.state = ContainerState::Waiting("ErrImagePull".into());
                        let backoff = backoff(event_count(&p.status.events, "Failed", Some("Error: ErrImagePull")));
                        p.status.next_step_at = Some(now + backoff.min(20));
                        return Some(true);
                    }
                }
                let first_start = r == "ContainerCreating";
                let keeps = images::keeps_running(&container);
                let restart_policy = pod.spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
                self.pulled.insert((node.clone(), pull_image.clone()));
                let p = &mut *pod;
                if first_start && !p.status.events.iter().any(|e| e.reason == "Pulled") {
                    // The pull took the whole wait but half a second, to the millisecond.
                    let took = format!("{}.623s", (now - pulled_at - 1).max(0));
                    let size = images::of(&container).map_or(58_412_114, |i| i.size_bytes);
                    event(
                        p,
                        "Normal",
                        "Pulled",
                        format!(
                            "Successfully pulled image \"{pull_image}\" in {took} \
                        ({took} including waiting). Image size: {size} bytes."
                        ),
                    );
                }
                if r == "CrashLoopBackOff" {
                    p.status.restarts = add_count(p.status.restarts, 1);
                    p.status.last_restart = Some(now);
                    p.status.backoff_until = None;
                }
                let names: Vec<String> = p.spec.containers.iter().map(|c| c.name.clone()).collect();
                for name in names {
                    event(p, "Normal", "Created", format!("Created container: {name}"));
                    event(p, "Normal", "Started", format!("Started container {name}"));
                }
                if keeps {
                    p.status.state = ContainerState::Running { since: now };
                    p.status.phase = "Running".into();
                    p.set_ready(!super::probes::gated(p), now);
                    p.status.next_step_at = None;
                    p.status.exits_at = images::run_for(&container).map(|n| now.saturating_add(n));
                    super::probes::on_start(p, now);
                } else {
                    exited(p, &restart_policy, now);
                }
                Some(true)
            }
            (ContainerState::Waiting(r), true) if r == "ErrImagePull" => {
                let p = &mut *pod;
                event(
                    p,
                    "Normal",
                    "BackOff",
                    format!("Back-off pulling image \"{pull_image}\""),
                );
                event(p, "Warning", "Failed", "Error: ImagePullBackOff".into());
                p.status.state = ContainerState::Waiting("ImagePullBackOff".into());
                let n = event_count(&p.status.events, "BackOff", None);
                p.status.next_step_at = Some(now + backoff(n));
                Some(true)
            }
            (ContainerState::Terminated { .. }, true) => {
                let p = &mut *pod;
                // The run that ended is the container's `Last State` while it waits.
                if let ContainerState::Terminated {
                    exit_code: 0,
                    started,
                    finished,
                    ..
                } = p.status.state
                {
                    p.status.probe.last = Some(("Completed", 0, started, finished));
                }
                let until = now + backoff(p.status.restarts + 1);
                p.status.state = ContainerState::Waiting("CrashLoopBackOff".into());
                p.status.backoff_until = Some(until);
                p.status.next_step_at = Some(until);
                self.back_off(p, &container.name, now);
                Some(true)
            }
            _ => {
                if pod.status.next_step_at.is_some() {
                    pod.status.next_step_at = None;
                    return Some(true);
                }
                Some(false)
            }
        }
    }

    /// The kubelet's sync of a pod whose container is in its restart back-off: the BackOff
    /// event, and the next sync (the pod worker's retry, or the back-off's end).
    fn back_off(&self, p: &mut Pod, container: &str, now: Time) {
        let (name, ns, uid) = (&p.meta.name, &p.meta.namespace, &p.meta.uid);
        let msg = format!("Back-off restarting failed container {container} in pod {name}_{ns}({uid})");
        record_event(
            &mut p.status.events,
            Event::new("Warning", "BackOff", "kubelet", msg, now),
        );
        let until = p.status.backoff_until.unwrap_or(now);
        p.status.next_step_at = Some((now + SYNC_RETRY).min(until));
    }

    /// Moves every pod in a steady restart loop forward by whole periods, to within two periods
    /// of `target`, when nothing else is pending: each period repeats the last one (the same
    /// events, one more restart), so the time this takes does not grow with the time skipped.
    fn skip_loops(&mut self, target: Time) {
        if self.kubernetes_service_gone.is_some() {
            return;
        }
        let mut loops: Vec<(Key, Time, u32)> = Vec::new();
        for (k, p) in &self.pods {
            if p.status.next_step_at.is_some() || p.status.exits_at.is_some() {
                match steady_loop(p) {
                    Some((period, backoffs)) => loops.push((k.clone(), period, backoffs)),
                    None => return,
                }
            }
        }
        let now = self.now;
        for (k, period, backoffs) in loops {
            let Some(p) = self.pods.get_mut(&k) else { continue };
            let next = p.status.next_step_at.unwrap_or(target);
            let periods = (target - next) / period - 1;
            if periods < 1 {
                continue;
            }
            let shift = periods * period;
            let times = |per: u32| u32::try_from(periods.saturating_mul(per as i64)).unwrap_or(u32::MAX);
            for e in p.status.events.iter_mut().filter(|e| e.at > now - period) {
                e.count = add_count(e.count, times(if e.reason == "BackOff" { backoffs } else { 1 }));
                e.at += shift;
            }
            let st = &mut p.status;
            if st.restarts > 0 {
                st.restarts = add_count(st.restarts, times(1));
            }
            for t in [&mut st.next_step_at, &mut st.last_restart, &mut st.backoff_until] {
                if let Some(t) = t.as_mut() {
                    *t += shift;
                }
            }
            if let ContainerState::Running { since } = &mut st.state {
                *since += shift;
            }
        }
    }

    /// Recomputes every selector Service's endpoints from the pods.
    pub fn sync_endpoints(&mut self) {
        self.net_gen += 1;
        // Index pods by namespace and label pair, so each Service looks at candidates only: only
        // the pairs some Service selects on (its first), not every label of every pod.
        let mut wanted = super::map::Set::new();
        wanted.extend(self.services.iter().filter_map(|(k, svc)| {
            let (lk, lv) = svc.spec.selector.as_ref()?.iter().next()?;
            Some((k.0.as_str(), lk.as_str(), lv.as_str()))
        }));
        let index: Map<(&str, &str, &str), Vec<&Pod>> = Map::grouped(
            self.pods
                .values()
                .flat_map(|p| {
                    p.meta
                        .labels
                        .iter()
                        .map(move |(lk, lv)| ((p.meta.namespace.as_str(), lk.as_str(), lv.as_str()), p))
                })
                .filter(|(pair, _)| wanted.contains(pair))
                .collect(),
        );
        // Unchanged objects move from the old map to the new one.
        let mut old = std::mem::take(&mut self.endpoints);
        let mut result: Store<Endpoints> = Store::new();
        let mut sigs: Map<Key, u64> = Map::new();
        for (k, svc) in &self.services {
            if svc.type_() == "ExternalName" {
                continue;
            }
            if k.1 == "kubernetes" && k.0 == "default" {
                let cp = self
                    .lab
                    .nodes
                    .iter()
                    .find(|n| n.control_plane)
                    .map(|n| n.ip.clone())
                    .unwrap_or_default();
                // The API server's own reconciler writes these, marked so that no EndpointSlice
                // is mirrored from them.
                let first = !old.contains_key(k);
                let meta = old.get(k).map(|e| e.meta.clone()).unwrap_or_else(|| Meta {
                    name: k.1.clone(),
                    namespace: k.0.clone(),
                    labels: [(
                        "endpointslice.kubernetes.io/skip-mirror".to_string(),
                        "true".to_string(),
                    )]
                    .into(),
                    creation: svc.meta.creation,
                    ..Meta::default()
                });
                // ... and their own EndpointSlice, put back on their next pass if deleted.
                let endpoints = vec![SliceEndpoint {
                    ip: cp.clone(),
                    pod: None,
                    ready: true,
                    serving: None,
                    terminating: None,
                }];
                let ports = vec![(Some("https".to_string()), 6443, "TCP")];
                let sk = key(&k.0, &k.1);
                if !self.slices.contains_key(&sk) {
                    let meta = Meta {
                        name: k.1.clone(),
                        namespace: k.0.clone(),
                        labels: [(SERVICE_NAME_LABEL.to_string(), k.1.clone())].into(),
                        creation: if first { svc.meta.creation } else { self.now },
                        generation: 1,
                        ..Meta::default()
                    };
                    self.slices.insert(
                        sk,
                        EndpointSlice {
                            meta,
                            ports,
                            endpoints,
                            written: Value::Null,
                        },
                    );
                }
                result.insert(
                    k.clone(),
                    Endpoints {
                        meta,
                        addresses: vec![EndpointAddress {
                            ip: cp,
                            node: None,
                            pod: None,
                            ready: true,
                            serving: true,
                            terminating: false,
                            ports: vec![(Some("https".into()), 6443, "TCP")],
                        }],
                        slices: Vec::new(),
                        trigger_state: None,
                        written: false,
                    },
                );
                continue;
            }
            let Some(selector) = svc.spec.selector.as_ref().filter(|s| !s.is_empty()) else {
                // Selector-less Services keep what the user gave them (nothing, here).
                continue;
            };
            let (fk, fv) = selector.iter().next().expect("selector is not empty");
            let empty = Vec::new();
            let candidates = index.get(&(k.0.as_str(), fk.as_str(), fv.as_str())).unwrap_or(&empty);
            // A signature of everything the endpoints depend on: unchanged, reuse the object.
            let mut sig = FNV64_OFFSET;
            let mut mix = |bytes: &[u8]| sig = fnv64a(sig, bytes);
            for sp in &svc.spec.ports {
                mix(sp.name.as_deref().unwrap_or("").as_bytes());
                match &sp.target_port {
                    Some(IntOrStr::Str(t)) => mix(t.as_bytes()),
                    Some(IntOrStr::Int(n)) => mix(&n.to_le_bytes()),
                    None => mix(&sp.port.to_le_bytes()),
                }
                mix(sp.protocol().as_bytes());
            }
            mix(&[svc.spec.publish_not_ready_addresses as u8, svc.has_virtual_ip() as u8]);
            for (lk, lv) in &svc.meta.labels {
                mix(lk.as_bytes());
                mix(&[0]);
                mix(lv.as_bytes());
                mix(&[0]);
            }
            for p in candidates.iter().filter(|p| labels_match(selector, &p.meta.labels)) {
                mix(p.meta.name.as_bytes());
                mix(p.status.pod_ip.as_deref().unwrap_or("-").as_bytes());
                mix(p.status.phase.as_bytes());
                mix(&[
                    p.status.ready as u8,
                    p.is_terminating() as u8,
                    matches!(p.status.state, ContainerState::Running { .. }) as u8,
                ]);
            }
            if self.endpoint_sigs.get(k) == Some(&sig) {
                if let Some(e) = old.remove(k) {
                    result.insert(k.clone(), e);
                    sigs.insert(k.clone(), sig);
                    continue;
                }
            }
            sigs.insert(k.clone(), sig);
            let mut addresses = Vec::new();
            // The endpointslice controller's view: every pod with an address, by port map.
            let mut port_maps: Vec<PortMap> = Vec::new();
            let mut desired: Vec<(usize, SliceEndpoint)> = Vec::new();
            for p in candidates.iter().copied() {
                if !labels_match(selector, &p.meta.labels) {
                    continue;
                }
                let Some(ip) = p.status.pod_ip.clone() else { continue };
                if p.status.phase == "Succeeded" || p.status.phase == "Failed" {
                    continue;
                }
                let mut ports = Vec::new();
                for sp in &svc.spec.ports {
                    let resolved = match sp.target() {
                        IntOrStr::Int(n) => Some(n),
                        IntOrStr::Str(name) => p.find_named_port(&name, sp.protocol()),
                    };
                    if let Some(n) = resolved {
                        ports.push((sp.name.clone(), n, sp.protocol_static()));
                    }
                }
                // `podToEndpoint`: serving is the pod's readiness; ready never holds for a
                // terminating pod unless the Service publishes not-ready addresses.
                let (pod_ready, terminating) = (p.status.ready, p.is_terminating());
                let map = match port_maps.iter().position(|m| *m == ports) {
                    Some(i) => i,
                    None => {
                        port_maps.push(ports.clone());
                        port_maps.len() - 1
                    }
                };
                desired.push((
                    map,
                    SliceEndpoint {
                        ip: ip.clone(),
                        pod: Some(p.meta.name.clone()),
                        ready: svc.spec.publish_not_ready_addresses || (pod_ready && !terminating),
                        serving: Some(pod_ready),
                        terminating: Some(terminating),
                    },
                ));
                if ports.is_empty() && !svc.spec.ports.is_empty() {
                    continue;
                }
                let running = matches!(p.status.state, ContainerState::Running { .. });
                let serving = running && (p.status.ready || p.is_terminating());
                addresses.push(EndpointAddress {
                    ip,
                    node: p.spec.node_name.clone(),
                    pod: Some(p.meta.name.clone()),
                    ready: p.is_ready() || (svc.spec.publish_not_ready_addresses && !p.is_terminating()),
                    serving,
                    terminating: p.is_terminating(),
                    ports,
                });
            }
            super::order::sort_by(&mut addresses, |a, b| a.ip.cmp(&b.ip));
            let (previous, old_addresses, mine, mut trigger_state) = match old.remove(k) {
                Some(e) => (Some(e.meta), Some(e.addresses), e.slices, e.trigger_state),
                None => (None, None, Vec::new(), None),
            };
            let selected = candidates
                .iter()
                .copied()
                .filter(|p| labels_match(selector, &p.meta.labels));
            let trigger = trigger_time(&mut trigger_state, svc, selected).map(|t| rfc3339(self.lab.start_unix + t));
            // A new Service's first slices are made within moments of it.
            let made_at = if previous.is_none() {
                svc.meta.creation
            } else {
                self.now
            };
            let slices = reconcile_slices(
                &mut self.slices,
                &mut self.slices_made,
                made_at,
                svc,
                mine,
                port_maps,
                desired,
                trigger.as_deref(),
            );
            let mut meta = match previous {
                Some(meta) => meta,
                None => Meta {
                    name: k.1.clone(),
                    namespace: k.0.clone(),
                    // The controller creates it within moments of the Service.
                    creation: svc.meta.creation,
                    ..Meta::default()
                },
            };
            // Each update writes the Service's labels, and marks a headless Service's
            // endpoints; labels added to the Endpoints by hand last until then.
            let mut labels = svc.meta.labels.clone();
            if !svc.has_virtual_ip() {
                labels.insert(HEADLESS_LABEL.into(), String::new());
            }
            // The controller writes only when the subsets or labels change; a write carries the
            // trigger time, or drops it when this pass saw none.
            if old_addresses.is_none_or(|old| subsets_view(&old) != subsets_view(&addresses)) || meta.labels != labels {
                set_trigger(&mut meta.annotations, trigger.as_deref());
            }
            meta.labels = labels;
            result.insert(
                k.clone(),
                Endpoints {
                    meta,
                    addresses,
                    slices,
                    trigger_state,
                    written: false,
                },
            );
        }
        // Slices of Services that lost their selector or became ExternalName: the garbage
        // collector follows their owner reference. Endpoints users wrote stay, mirrored.
        let leftover: Vec<Key> = old.keys().cloned().collect();
        for k in leftover {
            let Some(mut e) = old.remove(&k) else { continue };
            if e.written {
                let svc = self.services.get(&k);
                super::selectorless::mirror(&mut self.slices, &mut self.slices_made, self.now, svc, &mut e);
                result.insert(k, e);
                continue;
            }
            for name in &e.slices {
                self.slices.remove(&key(&k.0, name));
            }
        }
        self.endpoints = result;
        self.endpoint_sigs = sigs;
        self.sync_written_slices();
        self.rebuild_indexes();
    }
}

/// What an Endpoints object shows of its addresses (`EndpointAddress::in_subsets`), with their
/// readiness and ports: the serving flag is not in it.
fn subsets_view(addresses: &[EndpointAddress]) -> Vec<(&str, bool, &[(Option<String>, i64, &'static str)])> {
    addresses
        .iter()
        .filter(|a| a.in_subsets())
        .map(|a| (a.ip.as_str(), a.ready, a.ports.as_slice()))
        .collect()
}

/// The annotation the endpoint controllers write with the time of the change behind an update.
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// Writes the trigger time on an object the controller writes, or drops it when the pass that
/// writes it saw none.
fn set_trigger(annotations: &mut Labels, trigger: Option<&str>) {
    match trigger {
        Some(t) => {
            annotations.insert(TRIGGER_TIME.into(), t.to_string());
        }
        None => {
            annotations.remove(TRIGGER_TIME);
        }
    }
}

/// `TriggerTimeTracker.ComputeEndpointLastChangeTriggerTime`: for a Service seen for the first
/// time, its creation time; then the earliest of the Ready transition times of selected pods
/// and of the Service's creation that changed since the last sync (none: `None`). `state` is
/// the Service's tracker state, updated.
fn trigger_time<'a>(
    state: &mut Option<(Time, Vec<(u64, Time)>)>,
    svc: &Service,
    pods: impl Iterator<Item = &'a Pod>,
) -> Option<Time> {
    let now: Vec<(u64, Time)> = pods
        .filter_map(|p| {
            p.status
                .ready_changed
                .map(|t| (fnv64a(FNV64_OFFSET, p.meta.name.as_bytes()), t))
        })
        .collect();
    let created = svc.meta.creation;
    let result = match state {
        None => Some(created),
        Some((last_service, last_pods)) => {
            // Few pods a Service: a linear look-up beats building an index.
            let changed_pods = now
                .iter()
                .filter(|(h, t)| last_pods.iter().find(|(lh, _)| lh == h).is_none_or(|(_, old)| t > old))
                .map(|(_, t)| *t);
            let changed_service = (created > *last_service).then_some(created);
            changed_pods.chain(changed_service).min()
        }
    };
    *state = Some((created, now));
    result
}

/// The port map of an endpoint: (Service port name, resolved number, protocol).
type PortMap = Vec<(Option<String>, i64, &'static str)>;

/// `setEndpointSliceLabels`: the slice keeps its labels, gains the Service's (all but the two
/// reserved keys), the headless mark follows the Service, and the reserved keys are set.
/// Changes the labels in place, touching only what differs.
fn set_slice_labels(l: &mut Labels, svc: &Service) -> bool {
    fn set(l: &mut Labels, k: &str, v: &str) -> bool {
        let differs = l.get(k).map(String::as_str) != Some(v);
        if differs {
            l.insert(k.to_string(), v.to_string());
        }
        differs
    }
    let mut changed = false;
    for (k, v) in &svc.meta.labels {
        if k != SERVICE_NAME_LABEL && k != MANAGED_BY_LABEL {
            changed |= set(l, k, v);
        }
    }
    if svc.has_virtual_ip() {
        changed |= l.remove(HEADLESS_LABEL).is_some();
    } else {
        changed |= set(l, HEADLESS_LABEL, "");
    }
    changed |= set(l, SERVICE_NAME_LABEL, &svc.meta.name);
    changed |= set(l, MANAGED_BY_LABEL, SLICE_CONTROLLER);
    changed
}

/// A new slice of the Service: `generateName` `<service>-` (cut to 58 characters) and five
/// random characters.
fn new_slice(
    slices: &mut Store<EndpointSlice>,
    made: &mut u64,
    now: Time,
    svc: &Service,
    ports: PortMap,
    endpoints: Vec<SliceEndpoint>,
    trigger: Option<&str>,
) -> String {
    let mut r = Cluster::service_rng(&svc.meta.uid, *made);
    *made += 1;
    let mut base = format!("{}-", svc.meta.name);
    base.truncate(58);
    let name = loop {
        let n = format!("{base}{}", r.string_from(super::cluster::ALPHANUMS, 5));
        if !slices.contains_key(&key(&svc.meta.namespace, &n)) {
            break n;
        }
    };
    let mut annotations = Labels::new();
    set_trigger(&mut annotations, trigger);
    let meta = Meta {
        name: name.clone(),
        generate_name: Some(base),
        annotations,
        namespace: svc.meta.namespace.clone(),
        labels: {
            let mut l = Labels::new();
            set_slice_labels(&mut l, svc);
            l
        },
        creation: now,
        owner: Some(Owner {
            kind: "Service".into(),
            name: svc.meta.name.clone(),
            uid: svc.meta.uid.clone(),
        }),
        generation: 1,
        ..Meta::default()
    };
    slices.insert(
        key(&svc.meta.namespace, &name),
        EndpointSlice {
            meta,
            ports,
            endpoints,
            written: Value::Null,
        },
    );
    name
}

/// The endpointslice controller's reconciler for one Service. `mine` names its slices,
/// `desired` holds its endpoints, each with the index of its port map in `port_maps`.
/// Endpoints stay in the slice that holds them (updated in place), gone ones are dropped, new
/// ones fill slices with room before new slices are made (at most `MAX_ENDPOINTS_PER_SLICE`
/// each), and slices left empty are deleted. A Service without endpoints keeps one placeholder
/// slice: no ports, no endpoints. Returns the names of the Service's slices.
#[allow(clippy::too_many_arguments)]
fn reconcile_slices(
    slices: &mut Store<EndpointSlice>,
    made: &mut u64,
    now: Time,
    svc: &Service,
    mine: Vec<String>,
    port_maps: Vec<PortMap>,
    desired: Vec<(usize, SliceEndpoint)>,
    trigger: Option<&str>,
) -> Vec<String> {
    let ns = svc.meta.namespace.as_str();
    if desired.is_empty() {
        if let [only] = mine.as_slice() {
            if let Some(s) = slices
                .get_mut(&key(ns, only))
                .filter(|s| s.ports.is_empty() && s.endpoints.is_empty())
            {
                if set_slice_labels(&mut s.meta.labels, svc) {
                    set_trigger(&mut s.meta.annotations, trigger);
                }
                return mine;
            }
        }
        for name in &mine {
            slices.remove(&key(ns, name));
        }
        return vec![new_slice(slices, made, now, svc, Vec::new(), Vec::new(), trigger)];
    }
    // The desired endpoints of each port map, each waiting to be placed.
    let mut wanted: Vec<Vec<Option<SliceEndpoint>>> = port_maps.iter().map(|_| Vec::new()).collect();
    for (map, ep) in desired {
        wanted[map].push(Some(ep));
    }
    // Existing slices keep what is still desired, where it is. (name, port map, changed)
    let mut kept: Vec<(String, usize, bool)> = Vec::new();
    for name in mine {
        let k = key(ns, &name);
        let Some(s) = slices.get_mut(&k) else { continue };
        let Some(map) = port_maps.iter().position(|m| *m == s.ports) else {
            slices.remove(&k);
            continue;
        };
        let mut endpoints = Vec::with_capacity(s.endpoints.len());
        for e in &s.endpoints {
            let found = wanted[map]
                .iter_mut()
                .find(|w| w.as_ref().is_some_and(|w| w.pod == e.pod && w.ip == e.ip));
            endpoints.extend(found.and_then(Option::take));
        }
        if endpoints.is_empty() {
            slices.remove(&k);
            continue;
        }
        let changed = endpoints != s.endpoints;
        if changed {
            s.endpoints = endpoints;
            s.meta.generation += 1;
        }
        let relabelled = set_slice_labels(&mut s.meta.labels, svc);
        if changed || relabelled {
            set_trigger(&mut s.meta.annotations, trigger);
        }
        kept.push((name, map, changed));
    }
    // New endpoints: into slices of their port map with room, then into new slices.
    let mut names: Vec<String> = Vec::with_capacity(kept.len() + 1);
    for (map, (ports, eps)) in port_maps.into_iter().zip(wanted).enumerate() {
        let mut fresh = eps.into_iter().flatten().peekable();
        for (name, m, changed) in &mut kept {
            if *m != map || fresh.peek().is_none() {
                continue;
            }
            let Some(s) = slices.get_mut(&key(ns, name)) else {
                continue;
            };
            let before = s.endpoints.len();
            while s.endpoints.len() < MAX_ENDPOINTS_PER_SLICE {
                match fresh.next() {
                    Some(e) => s.endpoints.push(e),
                    None => break,
                }
            }
            // A full slice takes nothing: it is not updated.
            if s.endpoints.len() > before && !*changed {
                *changed = true;
                s.meta.generation += 1;
                set_trigger(&mut s.meta.annotations, trigger);
            }
        }
        names.extend(kept.iter().filter(|(_, m, _)| *m == map).map(|(n, _, _)| n.clone()));
        while fresh.peek().is_some() {
            let chunk: Vec<SliceEndpoint> = fresh.by_ref().take(MAX_ENDPOINTS_PER_SLICE).collect();
            names.push(new_slice(slices, made, now, svc, ports.clone(), chunk, trigger));
        }
    }
    names
}

/// What `kubectl get deployment` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DeploymentStatus {
    pub replicas: i64,
    pub updated: i64,
    pub ready: i64,
    pub available: i64,
}

impl Cluster {
    /// The Deployment's pod-template-hash, computed once per template.
    pub fn cached_template_hash(&mut self, dk: &Key) -> String {
        let d = &self.deployments[dk];
        if let Some(hash) = self.known_template_hash(d) {
            return hash.clone();
        }
        let hash = template_hash(&d.template);
        let entry = (d.template.clone(), hash.clone());
        self.hash_cache.insert(d.meta.uid.clone(), entry);
        hash
    }

    /// The hash cached for the Deployment's current template, if any.
    fn known_template_hash(&self, d: &Deployment) -> Option<&String> {
        self.hash_cache
            .get(&d.meta.uid)
            .filter(|(t, _)| *t == d.template)
            .map(|(_, h)| h)
    }

    pub fn deployment_status(&self, d: &Deployment) -> DeploymentStatus {
        let hash = self
            .known_template_hash(d)
            .cloned()
            .unwrap_or_else(|| template_hash(&d.template));
        let mut st = DeploymentStatus::default();
        for rs in self.replicasets.values() {
            if rs.meta.owner.as_ref().is_none_or(|o| o.uid != d.meta.uid) {
                continue;
            }
            let (active, ready) = self.replica_set_counts(rs);
            st.replicas += active;
            st.ready += ready;
            st.available += ready;
            if rs.meta.labels.get("pod-template-hash") == Some(&hash) {
                st.updated += active;
            }
        }
        st
    }
}

fn p_pulling_since(pod: &Pod) -> Time {
    pod.status
        .events
        .iter()
        .rev()
        .find(|e| e.reason == "Pulling")
        .map_or(pod.status.start_time.unwrap_or(0), |e| e.at)
}

/// The container's process ended with status 0: a pod that restarts it is Running but not
/// ready until it does (its back-off follows), one that does not has Succeeded.
pub(super) fn exited(p: &mut Pod, restart_policy: &str, now: Time) {
    let started = match p.status.state {
        ContainerState::Running { since } => since,
        _ => now,
    };
    p.status.state = ContainerState::Terminated {
        reason: "Completed".into(),
        exit_code: 0,
        started,
        finished: now,
    };
    p.status.probe.since = None;
    p.status.exits_at = None;
    p.set_ready(false, now);
    if restart_policy == "Always" {
        p.status.phase = "Running".into();
        p.status.next_step_at = Some(now + 1);
    } else {
        p.status.phase = "Succeeded".into();
        p.status.next_step_at = None;
    }
}

/// How soon the kubelet's pod worker syncs a pod again after a failed sync (its back-off
/// period, without the jitter).
const SYNC_RETRY: Time = 10;

/// A pod whose kubelet repeats the same period forever: a container that exits and restarts
/// with the back-off at its five-minute cap, or an image that cannot be pulled with the pull
/// back-off at its cap. The period, and how many BackOff events one period records.
fn steady_loop(p: &Pod) -> Option<(Time, u32)> {
    if p.is_terminating() {
        return None;
    }
    let container = p.spec.containers.first()?;
    match &p.status.state {
        // Past a few capped periods, every event of the loop happened within the last period.
        _ if p.status.restarts >= 7 && !images::keeps_running(container) && p.status.exits_at.is_none() => {
            let wait = backoff(u32::MAX);
            Some((1 + wait, (wait / SYNC_RETRY) as u32))
        }
        ContainerState::Waiting(r)
            if (r == "ErrImagePull" || r == "ImagePullBackOff")
                && event_count(&p.status.events, "BackOff", None) >= 7 =>
        {
            Some((backoff(u32::MAX) + 20, 1))
        }
        _ => None,
    }
}

/// The kubelet's back-off: 10 s doubling to five minutes.
fn backoff(n: u32) -> i64 {
    (10i64 << n.saturating_sub(1).min(5)).min(300)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::apiserver::Mode;
    use crate::sim::lab::Lab;

    fn apply(c: &mut Cluster, text: &str) {
        for d in crate::sim::yaml::parse_stream(text).0 {
            c.submit(&d.value, "t.yml", Mode::Apply, "default")
                .expect("manifest is accepted");
        }
        c.reconcile();
        c.settle();
    }

    #[test]
    fn a_long_wait_skips_restart_loops_to_the_same_state_as_stepping() {
        let loops = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bb\nspec:\n  containers:\n  - name: bb\n    image: busybox\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: typo\nspec:\n  containers:\n  - name: web\n    image: ngnix\n";
        let mut stepped = Cluster::new(Lab::default(), 3);
        apply(&mut stepped, loops);
        let mut skipped = stepped.clone();
        let span = 3 * 86400 + 17;
        for _ in 0..span / 1000 {
            stepped.advance(1000);
        }
        stepped.advance(span % 1000);
        skipped.advance(span);
        for name in ["bb", "typo"] {
            let (a, b) = (
                &stepped.pods[&key("default", name)],
                &skipped.pods[&key("default", name)],
            );
            assert_eq!(a.status, b.status, "{name}");
        }
        let bb = &skipped.pods[&key("default", "bb")].status;
        assert!(bb.restarts > 800, "{}", bb.restarts);
        let back_offs = event_count(&bb.events, "BackOff", None);
        assert!(
            back_offs > 25 * bb.restarts,
            "every 10 s of each 5-minute back-off: {back_offs}"
        );
        assert_eq!(
            bb.events.iter().filter(|e| e.reason == "BackOff").count(),
            1,
            "one folded event"
        );
        // A year costs what a day costs.
        let start = std::time::Instant::now();
        skipped.advance(365 * 86400);
        assert!(start.elapsed().as_millis() < 500, "{:?}", start.elapsed());
    }

    fn web(replicas: u32) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \
                {replicas}\n  selector:\n    matchLabels:\n      app: \
                web\n  template:\n    metadata:\n      labels:\n        app: \
                web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n---\napiVersion: \
                v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n"
        )
    }

    /// The Service's slices: name -> the addresses each holds.
    fn slices(c: &Cluster) -> Vec<(String, Vec<String>)> {
        c.slices
            .values()
            .filter(|s| s.meta.labels.get(SERVICE_NAME_LABEL).map(String::as_str) == Some("web"))
            .map(|s| (s.meta.name.clone(), s.endpoints.iter().map(|e| e.ip.clone()).collect()))
            .collect()
    }

    #[test]
    fn trigger_time_is_the_earliest_change_since_the_last_sync() {
        let mut state = None;
        let svc = Service {
            meta: Meta {
                name: "web".into(),
                creation: 100,
                ..Meta::default()
            },
            ..Service::default()
        };
        let pod = |name: &str, at: Option<Time>| {
            let mut p = Pod {
                meta: Meta {
                    name: name.into(),
                    ..Meta::default()
                },
                ..Pod::default()
            };
            p.status.ready_changed = at;
            p
        };
        let (a, b, c) = (pod("a", Some(120)), pod("b", Some(130)), pod("c", None));
        // A Service seen for the first time: its creation.
        assert_eq!(trigger_time(&mut state, &svc, [&a, &c].into_iter()), Some(100));
        // Nothing changed since: no trigger time.
        assert_eq!(trigger_time(&mut state, &svc, [&a, &c].into_iter()), None);
        // A new pod with a Ready condition, and a changed one: the earlier of the two.
        let a2 = pod("a", Some(140));
        assert_eq!(trigger_time(&mut state, &svc, [&a2, &b].into_iter()), Some(130));
        // A pod that went away is no trigger.
        assert_eq!(trigger_time(&mut state, &svc, [&a2].into_iter()), None);
    }

    #[test]
    fn slices_hold_at_most_a_hundred_endpoints_and_keep_them_in_place() {
        // At most 220 pods run on the two workers (110 each).
        let mut c = Cluster::new(Lab::default(), 3);
        apply(&mut c, &web(190));
        let before = slices(&c);
        let mut sizes: Vec<usize> = before.iter().map(|(_, eps)| eps.len()).collect();
        sizes.sort();
        assert_eq!(sizes, vec![90, 100]);
        let mut ips: Vec<String> = before.iter().flat_map(|(_, eps)| eps.clone()).collect();
        ips.sort();
        ips.dedup();
        let mut pod_ips: Vec<String> = c
            .pods
            .values()
            .filter(|p| p.meta.labels.get("app").map(String::as_str) == Some("web"))
            .filter_map(|p| p.status.pod_ip.clone())
            .collect();
        pod_ips.sort();
        assert_eq!(ips, pod_ips, "every pod once, in one slice");
        // Scaling up fills the slice with room; the full ones are not touched.
        let generations = |c: &Cluster| -> Vec<(String, usize, i64)> {
            c.slices
                .values()
                .filter(|s| s.meta.labels.get(SERVICE_NAME_LABEL).map(String::as_str) == Some("web"))
                .map(|s| (s.meta.name.clone(), s.endpoints.len(), s.meta.generation))
                .collect()
        };
        let full_before: Vec<_> = generations(&c)
            .into_iter()
            .filter(|(_, n, _)| *n == MAX_ENDPOINTS_PER_SLICE)
            .collect();
        apply(&mut c, &web(200));
        let after_up = generations(&c);
        for (name, _, generation) in &full_before {
            assert!(
                after_up
                    .iter()
                    .any(|(n, len, g)| n == name && *len == MAX_ENDPOINTS_PER_SLICE && g == generation),
                "full slice {name} was rewritten"
            );
        }
        assert_eq!(after_up.iter().map(|(_, n, _)| n).sum::<usize>(), 200);
        apply(&mut c, &web(190));
        let before = slices(&c);
        // Scaling down removes endpoints where they are: no endpoint moves to another slice.
        apply(&mut c, &web(120));
        let after = slices(&c);
        let total: usize = after.iter().map(|(_, eps)| eps.len()).sum();
        assert_eq!(total, 120);
        for (name, eps) in &after {
            let old = &before
                .iter()
                .find(|(n, _)| n == name)
                .expect("no new slice when scaling down")
                .1;
            assert!(
                eps.iter().all(|ip| old.contains(ip)),
                "{name} gained endpoints from another slice"
            );
            assert!(
                eps.windows(2)
                    .all(|w| old.iter().position(|x| *x == w[0]) < old.iter().position(|x| *x == w[1])),
                "{name} reordered"
            );
        }
        // No endpoints at all: one placeholder slice without ports or endpoints.
        apply(&mut c, &web(0));
        let placeholder: Vec<&EndpointSlice> = c
            .slices
            .values()
            .filter(|s| s.meta.labels.get(SERVICE_NAME_LABEL).map(String::as_str) == Some("web"))
            .collect();
        assert_eq!(placeholder.len(), 1);
        assert!(placeholder[0].ports.is_empty() && placeholder[0].endpoints.is_empty());
        assert!(
            before.iter().all(|(n, _)| *n != placeholder[0].meta.name),
            "the placeholder is a new slice"
        );
    }
}
