//! The API server: what happens to a manifest between kubectl and the store.
//!
//! Client-side checks kubectl makes first (`apiVersion`/`kind` set, the kind served), then the
//! server's decode (strict fields), defaulting, validation, allocation (ClusterIP, nodePorts) and
//! storage. A failed object changes nothing. Updates through `apply` report `configured` or
//! `unchanged`, keep allocated addresses, enforce immutable fields and release nodePorts a type
//! change no longer needs.

use super::apierror::{invalid, ApiError, Bad, CmdError, FieldError};
use super::cluster::{key, Cluster};
use super::decode;
use super::kinds::{self, KindInfo};
use super::lab::{ip_to_u32, parse_cidr, u32_to_ip};
use super::objects::*;
use super::rng::Rng;
use super::serialize;
use super::validation as v;
use super::value::Value;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// kubectl apply's three-way merge of one metadata map (`labels` or `annotations`): what the
/// manifest sets, plus the live keys that others added (`kubectl label`, controllers, the CNI
/// plugin), that is, keys the previously applied configuration did not have. A key the previous
/// configuration had and the manifest dropped is removed.
fn merge_applied(new: &mut Labels, live: &Labels, applied_before: &Value, field: &str) {
    let before = applied_before.get("metadata").and_then(|m| m.get(field));
    for (k, v) in live {
        if k == LAST_APPLIED || new.contains_key(k) || before.and_then(|b| b.get(k)).is_some() {
            continue;
        }
        new.insert(k.clone(), v.clone());
    }
}

/// `new`, with the keys of the live map `live` that neither `new` nor the configuration
/// applied last (`last`) has: the map part of a strategic merge patch. Lists are the new ones.
fn keep_unowned(live: &Value, last: Option<&Value>, new: &Value) -> Value {
    let (Value::Map(lm), Value::Map(nm)) = (live, new) else {
        return new.clone();
    };
    let mut out = nm.clone();
    for (k, lv) in lm {
        let before = last.and_then(|l| l.get(k));
        match out.iter_mut().find(|(nk, _)| nk == k) {
            Some((_, nv)) => *nv = keep_unowned(lv, before, nv),
            None if before.is_none() => out.push((k.clone(), lv.clone())),
            None => {}
        }
    }
    Value::Map(out)
}

/// Whether a live spec field the manifests leave out stays on apply. A Service's addresses are
/// kept by the update itself, and the fields of another type go when the type changes (the
/// server's `dropTypeDependentFields`); a Deployment's template is the manifest's, defaulted
/// again by the server.
fn carried(kind: &str, new: &Value, live: Option<&Value>, last: Option<&Value>, key: &str) -> bool {
    match kind {
        "Service" => {
            let ty = |v: Option<&Value>| {
                v.and_then(|s| s.get("type"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let type_ = ty(Some(new))
                .or_else(|| ty(last).is_none().then(|| ty(live)).flatten())
                .unwrap_or_else(|| "ClusterIP".into());
            let external = matches!(type_.as_str(), "NodePort" | "LoadBalancer");
            match key {
                "clusterIP" | "clusterIPs" | "ipFamilies" | "ipFamilyPolicy" => false,
                "externalTrafficPolicy" => external,
                "healthCheckNodePort" | "allocateLoadBalancerNodePorts" | "loadBalancerClass" => {
                    type_ == "LoadBalancer"
                }
                "externalName" => type_ == "ExternalName",
                _ => true,
            }
        }
        "Deployment" => key != "template",
        _ => true,
    }
}

/// The API server's request size limit.
pub const MAX_REQUEST_BYTES: usize = 3 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Create,
    Apply,
}

/// What kubectl knows of a document before it talks to the server.
#[derive(Clone, Debug)]
pub struct Target {
    pub info: &'static KindInfo,
    pub namespace: String,
    pub name: String,
}

/// kubectl's client-side checks of one document: `apiVersion` and `kind` set, the kind served.
pub fn classify(doc: &Value, source: &str, default_ns: &str) -> Result<Target, CmdError> {
    let Value::Map(_) = doc else {
        return Err(CmdError::Client(format!(
            "unable to decode \"{source}\": json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            doc.json_kind()
        )));
    };
    let mut missing = Vec::new();
    match doc.get("apiVersion") {
        None | Some(Value::Null) => missing.push("apiVersion not set"),
        Some(Value::Str(_)) => {}
        Some(_) => missing.push("apiVersion isn't string type"),
    }
    match doc.get("kind") {
        None | Some(Value::Null) => missing.push("kind not set"),
        Some(Value::Str(_)) => {}
        Some(_) => missing.push("kind isn't string type"),
    }
    if !missing.is_empty() {
        let agg = if missing.len() == 1 {
            missing[0].to_string()
        } else {
            format!("[{}]", missing.join(", "))
        };
        return Err(CmdError::Client(format!(
            "error validating \"{source}\": error validating data: {agg}; if you choose to ignore these errors, turn \
                validation off with --validate=false"
        )));
    }
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    let meta = doc.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ns_given = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some(info) = kinds::by_api_version(api_version, kind) else {
        return Err(CmdError::Client(format!(
            "resource mapping not found for name: \"{name}\" namespace: \"{ns_given}\" from \"{source}\": no matches \
                for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first"
        )));
    };
    let namespace = if !info.namespaced {
        String::new()
    } else if ns_given.is_empty() {
        default_ns.to_string()
    } else {
        ns_given.to_string()
    };
    Ok(Target { info, namespace, name })
}

fn context(verb: &str, source: &str) -> Option<String> {
    Some(format!("error when {verb} \"{source}\": "))
}

/// The configuration `kubectl apply` records: the document with its namespace and an
/// `annotations` map, as compact JSON with a final newline.
pub fn last_applied_json(doc: &Value, namespace: &str) -> String {
    let mut doc = doc.clone();
    if let Value::Map(entries) = &mut doc {
        let meta = match entries.iter_mut().find(|(k, _)| k == "metadata") {
            Some((_, m)) => m,
            None => {
                entries.push(("metadata".into(), Value::Map(Vec::new())));
                &mut entries.last_mut().expect("just pushed").1
            }
        };
        if let Value::Map(m) = meta {
            match m.iter_mut().find(|(k, _)| k == "annotations") {
                Some((_, Value::Map(a))) => a.retain(|(k, _)| k != LAST_APPLIED),
                Some((_, other)) => *other = Value::Map(Vec::new()),
                None => m.push(("annotations".into(), Value::Map(Vec::new()))),
            }
            if !namespace.is_empty() && !m.iter().any(|(k, _)| k == "namespace") {
                m.push(("namespace".into(), Value::Str(namespace.into())));
            }
        }
    }
    format!("{}\n", doc.to_json())
}

impl Cluster {
    /// Creates or applies one document. Returns the `kind/name` kubectl prints and the verb.
    pub fn submit(
        &mut self,
        doc: &Value,
        source: &str,
        mode: Mode,
        default_ns: &str,
    ) -> Result<(String, &'static str), CmdError> {
        self.submit_with_warning(doc, source, mode, default_ns)
            .map(|(p, v, _)| (p, v))
    }

    /// `submit`, with the warning kubectl prints when it applies to an object that was not
    /// created by apply (no last-applied annotation).
    pub fn submit_with_warning(
        &mut self,
        doc: &Value,
        source: &str,
        mode: Mode,
        default_ns: &str,
    ) -> Result<(String, &'static str, Option<String>), CmdError> {
        let mut target = classify(doc, source, default_ns)?;
        // `generateName`: the API server names the object (the prefix cut to 58 characters,
        // five random characters) before it validates it.
        let generated;
        let mut doc = doc;
        let prefix = doc
            .get("metadata")
            .and_then(|m| m.get("generateName"))
            .and_then(Value::as_str)
            .filter(|g| !g.is_empty());
        if let Some(prefix) = prefix.filter(|_| target.name.is_empty() && mode == Mode::Create) {
            let mut base = prefix.to_string();
            while base.len() > 58 {
                base.pop();
            }
            target.name = format!("{base}{}", self.random_suffix());
            let mut named = doc.clone();
            if let Value::Map(top) = &mut named {
                if let Some((_, Value::Map(m))) = top.iter_mut().find(|(k, _)| k == "metadata") {
                    m.retain(|(k, _)| k != "name");
                    m.push(("name".into(), Value::str(&target.name)));
                }
            }
            generated = named;
            doc = &generated;
        }
        let info = target.info;
        let printed = format!("{}/{}", info.qualified(), target.name);
        let exists = self.exists(info.kind, &target.namespace, &target.name);
        if target.name.is_empty() && mode == Mode::Apply {
            return Err(CmdError::Client(format!(
                "error when retrieving current configuration of:\nResource: \"{}\", GroupVersionKind: \"{}\"\nName: \
                    \"\", Namespace: \"{}\"\nfrom server for: \"{source}\": resource name may not be empty",
                gvr(info),
                gvk(info),
                target.namespace
            )));
        }
        let verb = if exists && mode == Mode::Apply {
            "patching"
        } else {
            "creating"
        };
        let ctx = context(verb, source);
        let applied = (mode == Mode::Apply).then(|| last_applied_json(doc, &target.namespace));
        let size = applied.as_ref().map_or_else(|| doc.to_json().len(), String::len);
        if size > MAX_REQUEST_BYTES {
            return Err(CmdError::Api {
                err: ApiError::Other {
                    reason: "RequestEntityTooLarge".into(),
                    message: format!("Request entity too large: limit is {MAX_REQUEST_BYTES}"),
                },
                context: ctx,
            });
        }
        if info.namespaced && !self.namespaces.contains_key(&target.namespace) {
            return Err(CmdError::Api {
                err: ApiError::NotFound {
                    resource: "namespaces".into(),
                    name: target.namespace.clone(),
                },
                context: ctx,
            });
        }
        if exists && mode == Mode::Create {
            return Err(CmdError::Api {
                err: ApiError::AlreadyExists {
                    resource: info.resource(),
                    name: target.name.clone(),
                },
                context: ctx,
            });
        }
        if exists {
            let applied = applied.unwrap_or_default();
            let live = self
                .object_value(info.kind, &target.namespace, &target.name)
                .unwrap_or_default();
            let live_applied = live
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(LAST_APPLIED))
                .and_then(Value::as_str)
                .unwrap_or("");
            let warning = live_applied.is_empty().then(|| {
                format!(
                    "Warning: resource {}/{} is missing the kubectl.kubernetes.io/last-applied-configuration \
                        annotation which is required by kubectl apply. kubectl apply should only be used on resources \
                        created declaratively by either kubectl create --save-config or kubectl apply. The missing \
                        annotation will be patched automatically.",
                    info.resource(),
                    target.name
                )
            });
            if live_applied == applied && doc.is_subset_of(&live) {
                return Ok((printed, "unchanged", warning));
            }
            // kubectl's three-way merge: what the live spec has that neither this manifest nor
            // the last one applied set (a patch's, an edit's, the server's defaults) stays.
            let last = super::yaml::parse_stream(live_applied)
                .0
                .into_iter()
                .next()
                .map(|d| d.value);
            let mut doc = doc.clone();
            if let (Some(Value::Map(live_spec)), Value::Map(m)) = (live.get("spec"), &mut doc) {
                let last_spec = last.as_ref().and_then(|l| l.get("spec"));
                if let Some((_, spec)) = m.iter_mut().find(|(k, _)| k == "spec") {
                    let mut live_spec = live_spec.clone();
                    live_spec.retain(|(k, _)| carried(info.kind, spec, live.get("spec"), last_spec, k));
                    *spec = keep_unowned(&Value::Map(live_spec), last_spec, spec);
                }
            }
            self.update(&target, &doc, Some(&applied))
                .map_err(|err| CmdError::Api { err, context: ctx })?;
            return Ok((printed, "configured", warning));
        }
        self.create(&target, doc, applied)
            .map_err(|err| CmdError::Api { err, context: ctx })?;
        Ok((printed, "created", None))
    }

    /// A stored object's labels; `None` when there is no such object.
    pub fn labels(&self, kind: &str, ns: &str, name: &str) -> Option<&Labels> {
        let k = key(ns, name);
        match kind {
            "Pod" => self.pods.get(&k).map(|o| &o.meta.labels),
            "Service" => self.services.get(&k).map(|o| &o.meta.labels),
            "Deployment" => self.deployments.get(&k).map(|o| &o.meta.labels),
            "ReplicaSet" => self.replicasets.get(&k).map(|o| &o.meta.labels),
            "Endpoints" => self.endpoints.get(&k).map(|o| &o.meta.labels),
            "EndpointSlice" => self.slices.get(&k).map(|o| &o.meta.labels),
            "Namespace" => self.namespaces.get(name).map(|o| &o.meta.labels),
            "Node" => self.node(name).map(|n| &n.labels),
            other => self
                .others
                .get(&(other.to_string(), ns.to_string(), name.to_string()))
                .map(|o| &o.meta.labels),
        }
    }

    /// The same labels, to change in place (`kubectl label`). Same arms as `labels`.
    pub fn labels_mut(&mut self, kind: &str, ns: &str, name: &str) -> Option<&mut Labels> {
        let k = key(ns, name);
        match kind {
            "Pod" => self.pods.get_mut(&k).map(|o| &mut o.meta.labels),
            "Service" => self.services.get_mut(&k).map(|o| &mut o.meta.labels),
            "Deployment" => self.deployments.get_mut(&k).map(|o| &mut o.meta.labels),
            "ReplicaSet" => self.replicasets.get_mut(&k).map(|o| &mut o.meta.labels),
            "Endpoints" => self.endpoints.get_mut(&k).map(|o| &mut o.meta.labels),
            "EndpointSlice" => self.slices.get_mut(&k).map(|o| &mut o.meta.labels),
            "Namespace" => self.namespaces.get_mut(name).map(|o| &mut o.meta.labels),
            "Node" => self.nodes.iter_mut().find(|n| n.name == name).map(|n| &mut n.labels),
            other => self
                .others
                .get_mut(&(other.to_string(), ns.to_string(), name.to_string()))
                .map(|o| &mut o.meta.labels),
        }
    }

    pub fn exists(&self, kind: &str, ns: &str, name: &str) -> bool {
        let k = key(ns, name);
        match kind {
            "Service" => self.services.contains_key(&k),
            "Pod" => self.pods.contains_key(&k),
            "Deployment" => self.deployments.contains_key(&k),
            "ReplicaSet" => self.replicasets.contains_key(&k),
            "Namespace" => self.namespaces.contains_key(name),
            "Node" => self.node(name).is_some(),
            "Endpoints" => self.endpoints.contains_key(&k),
            "EndpointSlice" => self.slices.contains_key(&k),
            other => self
                .others
                .contains_key(&(other.to_string(), ns.to_string(), name.to_string())),
        }
    }

    /// The stored object as a data tree (what `-o yaml` prints).
    pub fn object_value(&self, kind: &str, ns: &str, name: &str) -> Option<Value> {
        let k = key(ns, name);
        Some(match kind {
            "Service" => serialize::service(self, self.services.get(&k)?),
            "Pod" => serialize::pod(self, self.pods.get(&k)?),
            "Deployment" => serialize::deployment(self, self.deployments.get(&k)?),
            "ReplicaSet" => serialize::replica_set(self, self.replicasets.get(&k)?),
            "Endpoints" => serialize::endpoints(self, self.endpoints.get(&k)?),
            "EndpointSlice" => serialize::endpoint_slice(self, self.slices.get(&k)?),
            "Node" => serialize::node(self, self.node(name)?),
            "Namespace" => serialize::namespace(self, self.namespaces.get(name)?),
            other => serialize::other(
                self,
                self.others
                    .get(&(other.to_string(), ns.to_string(), name.to_string()))?,
            ),
        })
    }

    fn fill_meta(&mut self, kind: &str, meta: &mut Meta, ns: &str, applied: Option<String>) {
        meta.namespace = ns.to_string();
        meta.uid = self.new_uid();
        meta.creation = self.now;
        meta.generation = i64::from(kinds::has_generation(kind));
        if let Some(a) = applied {
            meta.annotations.insert(LAST_APPLIED.into(), a);
        }
    }

    fn create(&mut self, t: &Target, doc: &Value, applied: Option<String>) -> Result<(), ApiError> {
        let bad_request = |kind: &str, e: decode::DecodeError| {
            ApiError::BadRequest(format!(
                "{kind} in version \"v1\" cannot be handled as a {kind}: {}",
                e.message()
            ))
        };
        let ns = t.namespace.as_str();
        match t.info.kind {
            "Service" => {
                let mut svc = decode::service(doc).map_err(|e| bad_request("Service", e))?;
                svc.meta.namespace = ns.into();
                default_service(&mut svc);
                self.check(t.info, &svc.meta.name, v::validate_service(&svc))?;
                let mut undo = Allocation::default();
                if let Err(errs) = self.allocate_service(&mut svc, None, &mut undo) {
                    self.release(&undo);
                    return Err(invalid_err(t.info, &svc.meta.name, errs));
                }
                self.fill_meta("Service", &mut svc.meta, ns, applied);
                self.service_written();
                self.services.insert(key(ns, &svc.meta.name), svc);
            }
            "Pod" => {
                let mut pod = decode::pod(doc).map_err(|e| bad_request("Pod", e))?;
                pod.meta.namespace = ns.into();
                default_pod_spec(&mut pod.spec);
                self.check(t.info, &pod.meta.name, v::validate_pod(&pod))?;
                if pod.meta.name.is_empty() {
                    let base = pod.meta.generate_name.clone().unwrap_or_default();
                    pod.meta.name = format!("{base}{}", self.random_suffix());
                }
                self.fill_meta("Pod", &mut pod.meta, ns, applied);
                self.pods.insert(key(ns, &pod.meta.name), pod);
            }
            "Deployment" => {
                let mut d = decode::deployment(doc).map_err(|e| bad_request("Deployment", e))?;
                d.meta.namespace = ns.into();
                self.default_deployment(&mut d);
                self.check(t.info, &d.meta.name, v::validate_deployment(&d))?;
                self.fill_meta("Deployment", &mut d.meta, ns, applied);
                self.deployments.insert(key(ns, &d.meta.name), d);
            }
            "ReplicaSet" => {
                let mut rs = decode::replica_set(doc).map_err(|e| bad_request("ReplicaSet", e))?;
                rs.meta.namespace = ns.into();
                rs.replicas.get_or_insert(1);
                default_pod_spec(&mut rs.template.spec);
                self.check(t.info, &rs.meta.name, v::validate_replica_set(&rs))?;
                self.fill_meta("ReplicaSet", &mut rs.meta, ns, applied);
                self.replicasets.insert(key(ns, &rs.meta.name), rs);
            }
            "Namespace" => {
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("Namespace", e))?;
                let mut errs = Vec::new();
                for m in v::dns1123_label(&meta.name) {
                    errs.push(invalid("metadata.name", Bad::Str(meta.name.clone()), &m));
                }
                self.check(t.info, &meta.name, errs)?;
                self.fill_meta("Namespace", &mut meta, "", applied);
                self.namespaces.insert(meta.name.clone(), Namespace::new(meta));
            }
            "Endpoints" => {
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("Endpoints", e))?;
                meta.namespace = ns.into();
                let (addresses, mut errs) = super::selectorless::addresses(doc);
                errs.splice(0..0, v::validate_meta(&meta, v::NameRule::Dns1123Subdomain, true));
                self.check(t.info, &meta.name, errs)?;
                self.fill_meta("Endpoints", &mut meta, ns, applied);
                self.store_written_endpoints(meta, addresses);
            }
            "EndpointSlice" => {
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("EndpointSlice", e))?;
                meta.namespace = ns.into();
                let (mut slice, mut errs) = super::selectorless::slice_from(doc);
                errs.splice(0..0, v::validate_meta(&meta, v::NameRule::Dns1123Subdomain, true));
                self.check(t.info, &meta.name, errs)?;
                self.fill_meta("EndpointSlice", &mut meta, ns, applied);
                meta.generation = 1;
                slice.meta = meta;
                self.slices.insert(key(ns, &slice.meta.name.clone()), slice);
                self.service_written();
            }
            "Node" => return Err(lab_managed(t.info, &t.name)),
            _ => {
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request(t.info.kind, e))?;
                meta.namespace = ns.into();
                let errs = v::validate_meta(&meta, v::NameRule::Dns1123Subdomain, t.info.namespaced);
                self.check(t.info, &meta.name, errs)?;
                self.fill_meta(t.info.kind, &mut meta, ns, applied);
                let name = meta.name.clone();
                self.others.insert(
                    (t.info.kind.to_string(), ns.to_string(), name),
                    Other {
                        api_version: t.info.api_version(),
                        kind: t.info.kind.to_string(),
                        meta,
                        body: doc.clone(),
                    },
                );
            }
        }
        self.next_resource_version();
        Ok(())
    }

    fn check(&self, info: &KindInfo, name: &str, errs: Vec<FieldError>) -> Result<(), ApiError> {
        if errs.is_empty() {
            Ok(())
        } else {
            Err(invalid_err(info, name, errs))
        }
    }

    /// Writes a whole new version of a stored object (`kubectl patch` sends the patched
    /// object): the same checks and allocations as an apply, labels and annotations as given.
    pub fn replace_object(&mut self, doc: &Value, default_ns: &str) -> Result<(), CmdError> {
        let t = classify(doc, "", default_ns)?;
        self.update(&t, doc, None)
            .map_err(|err| CmdError::Api { err, context: None })
    }

    /// Updates a stored object; with `applied` (an apply) labels and annotations merge three
    /// ways and the configuration is recorded.
    fn update(&mut self, t: &Target, doc: &Value, applied: Option<&str>) -> Result<(), ApiError> {
        let bad_request = |kind: &str, e: decode::DecodeError| {
            ApiError::BadRequest(format!(
                "{kind} in version \"v1\" cannot be handled as a {kind}: {}",
                e.message()
            ))
        };
        let ns = t.namespace.as_str();
        let k = key(ns, &t.name);
        let keep_meta = |new: &mut Meta, old: &Meta| {
            let generation = if old.generation > 0 { old.generation + 1 } else { 0 };
            // A patch sends the whole object: its labels and annotations are the new ones.
            let Some(applied) = applied else {
                *new = Meta {
                    annotations: new.annotations.clone(),
                    labels: new.labels.clone(),
                    generation,
                    ..old.clone()
                };
                return;
            };
            // The configuration applied last time tells which keys the manifest owns.
            let before = old
                .annotations
                .get(LAST_APPLIED)
                .and_then(|text| super::yaml::parse_stream(text).0.into_iter().next())
                .map(|d| d.value)
                .unwrap_or(Value::Null);
            let mut labels = new.labels.clone();
            merge_applied(&mut labels, &old.labels, &before, "labels");
            let mut annotations = new.annotations.clone();
            merge_applied(&mut annotations, &old.annotations, &before, "annotations");
            annotations.insert(LAST_APPLIED.into(), applied.to_string());
            // Only kinds with a generation count updates.
            *new = Meta {
                annotations,
                labels,
                generation,
                ..old.clone()
            };
        };
        match t.info.kind {
            "Service" => {
                let old = self.services.get(&k).cloned().ok_or_else(|| ApiError::NotFound {
                    resource: "services".into(),
                    name: t.name.clone(),
                })?;
                let mut svc = decode::service(doc).map_err(|e| bad_request("Service", e))?;
                svc.meta.namespace = ns.into();
                default_service(&mut svc);
                // Apply patches the live object: allocated values the config leaves out stay.
                if svc.spec.cluster_ip.is_none() && svc.type_() != "ExternalName" {
                    svc.spec.cluster_ip = old.spec.cluster_ip.clone();
                    svc.spec.cluster_ips = old.spec.cluster_ips.clone();
                }
                if svc.spec.ip_families.is_empty() && svc.type_() != "ExternalName" {
                    svc.spec.ip_families = old.spec.ip_families.clone();
                }
                if svc.spec.ip_family_policy.is_none() && svc.type_() != "ExternalName" {
                    svc.spec.ip_family_policy = old.spec.ip_family_policy.clone();
                }
                // `validateUpgradeDowngradeClusterIPs` runs first: an address, `None` included,
                // may not change (to or from ExternalName aside).
                let mut errs = Vec::new();
                if let (Some(old_ip), Some(new_ip)) = (old.spec.cluster_ip.as_deref(), svc.spec.cluster_ip.as_deref()) {
                    if old_ip != new_ip && svc.type_() != "ExternalName" && old.type_() != "ExternalName" {
                        errs.push(invalid(
                            "spec.clusterIPs[0]",
                            Bad::string_list(&svc.spec.cluster_ips),
                            "may not change once set",
                        ));
                    }
                }
                errs.extend(v::validate_service(&svc));
                self.check(t.info, &t.name, errs)?;
                let mut undo = Allocation::default();
                if let Err(errs) = self.allocate_service(&mut svc, Some(&old), &mut undo) {
                    self.release(&undo);
                    return Err(invalid_err(t.info, &t.name, errs));
                }
                // Release what the old object held and the new one does not.
                let held = service_holdings(&svc);
                let mut gone = service_holdings(&old);
                gone.ports.retain(|p| !held.ports.contains(p));
                gone.ips.retain(|ip| !held.ips.contains(ip));
                self.release(&gone);
                keep_meta(&mut svc.meta, &old.meta);
                self.service_written();
                self.services.insert(k, svc);
            }
            "Pod" => {
                let old = self.pods.get(&k).cloned().ok_or_else(|| ApiError::NotFound {
                    resource: "pods".into(),
                    name: t.name.clone(),
                })?;
                let mut pod = decode::pod(doc).map_err(|e| bad_request("Pod", e))?;
                default_pod_spec(&mut pod.spec);
                pod.meta.namespace = ns.into();
                let mut errs = v::validate_pod(&pod);
                let mut new_spec = pod.spec.clone();
                new_spec.node_name = old.spec.node_name.clone();
                let images_only = {
                    let mut a = new_spec.clone();
                    let mut b = old.spec.clone();
                    for c in a.containers.iter_mut().chain(b.containers.iter_mut()) {
                        c.image.clear();
                    }
                    a.raw = Default::default();
                    b.raw = Default::default();
                    a == b || serialize::pod_spec(&a) == serialize::pod_spec(&b)
                };
                if errs.is_empty() && !images_only {
                    errs.push(FieldError::Forbidden(
                        "spec".into(),
                        "pod updates may not change fields other than \
                            `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                    ));
                }
                self.check(t.info, &t.name, errs)?;
                let mut live = old.clone();
                keep_meta(&mut pod.meta, &old.meta);
                live.meta = pod.meta;
                for (lc, nc) in live.spec.containers.iter_mut().zip(&new_spec.containers) {
                    lc.image = nc.image.clone();
                }
                live.spec.raw = new_spec.raw;
                self.pods.insert(k, live);
            }
            "Deployment" => {
                let old = self.deployments.get(&k).cloned().ok_or_else(|| ApiError::NotFound {
                    resource: "deployments.apps".into(),
                    name: t.name.clone(),
                })?;
                let mut d = decode::deployment(doc).map_err(|e| bad_request("Deployment", e))?;
                d.meta.namespace = ns.into();
                let config_has_replicas = d.replicas.is_some();
                let last_had_replicas = old
                    .meta
                    .annotations
                    .get(LAST_APPLIED)
                    .is_some_and(|a| a.contains("\"replicas\":"));
                self.default_deployment(&mut d);
                if !config_has_replicas && !last_had_replicas {
                    d.replicas = old.replicas;
                }
                let mut errs = v::validate_deployment(&d);
                if d.selector != old.selector {
                    if let Some(sel) = &d.selector {
                        errs.push(invalid("spec.selector", v::selector_bad(sel), "field is immutable"));
                    }
                }
                self.check(t.info, &t.name, errs)?;
                keep_meta(&mut d.meta, &old.meta);
                // A template that reads the same as the live one (a patched object sends the
                // defaults the server wrote) is the live one: no new ReplicaSet.
                if d.template != old.template && serialize::template(&d.template) == serialize::template(&old.template)
                {
                    d.template = old.template.clone();
                }
                if d.template == old.template && d.replicas == old.replicas {
                    d.meta.generation = old.meta.generation;
                }
                self.deployments.insert(k, d);
            }
            "ReplicaSet" => {
                let old = self.replicasets.get(&k).cloned().ok_or_else(|| ApiError::NotFound {
                    resource: "replicasets.apps".into(),
                    name: t.name.clone(),
                })?;
                let mut rs = decode::replica_set(doc).map_err(|e| bad_request("ReplicaSet", e))?;
                rs.meta.namespace = ns.into();
                rs.replicas.get_or_insert(1);
                default_pod_spec(&mut rs.template.spec);
                let mut errs = v::validate_replica_set(&rs);
                if rs.selector != old.selector {
                    if let Some(sel) = &rs.selector {
                        errs.push(invalid("spec.selector", v::selector_bad(sel), "field is immutable"));
                    }
                }
                self.check(t.info, &t.name, errs)?;
                keep_meta(&mut rs.meta, &old.meta);
                self.replicasets.insert(k, rs);
            }
            "Namespace" => {
                let old = self
                    .namespaces
                    .get(&t.name)
                    .cloned()
                    .ok_or_else(|| ApiError::NotFound {
                        resource: "namespaces".into(),
                        name: t.name.clone(),
                    })?;
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("Namespace", e))?;
                keep_meta(&mut meta, &old.meta);
                self.namespaces.insert(t.name.clone(), Namespace::new(meta));
            }
            "Endpoints" => {
                let old = self
                    .endpoints
                    .get(&k)
                    .map(|e| e.meta.clone())
                    .ok_or_else(|| ApiError::NotFound {
                        resource: "endpoints".into(),
                        name: t.name.clone(),
                    })?;
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("Endpoints", e))?;
                let (addresses, errs) = super::selectorless::addresses(doc);
                self.check(t.info, &t.name, errs)?;
                keep_meta(&mut meta, &old);
                self.store_written_endpoints(meta, addresses);
            }
            // A user's slice takes the new content; the controllers' own stay theirs.
            "EndpointSlice" => {
                let old = self.slices.get(&k).ok_or_else(|| ApiError::NotFound {
                    resource: t.info.resource(),
                    name: t.name.clone(),
                })?;
                if super::selectorless::controller_made(old) {
                    return Err(lab_managed(t.info, &t.name));
                }
                let old_meta = old.meta.clone();
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request("EndpointSlice", e))?;
                let (mut slice, errs) = super::selectorless::slice_from(doc);
                self.check(t.info, &t.name, errs)?;
                keep_meta(&mut meta, &old_meta);
                slice.meta = meta;
                self.slices.insert(k, slice);
                self.service_written();
            }
            "Node" => return Err(lab_managed(t.info, &t.name)),
            kind => {
                let ok = (kind.to_string(), ns.to_string(), t.name.clone());
                let old = self.others.get(&ok).cloned().ok_or_else(|| ApiError::NotFound {
                    resource: t.info.resource(),
                    name: t.name.clone(),
                })?;
                let mut meta = decode::other_meta(doc).map_err(|e| bad_request(kind, e))?;
                keep_meta(&mut meta, &old.meta);
                self.others.insert(
                    ok,
                    Other {
                        meta,
                        body: doc.clone(),
                        ..old
                    },
                );
            }
        }
        self.next_resource_version();
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Allocation

    /// Allocates what a Service needs (families, ClusterIP, nodePorts, health check port).
    /// `old` is the live object on update: its allocations are kept where the new spec allows.
    fn allocate_service(
        &mut self,
        svc: &mut Service,
        old: Option<&Service>,
        undo: &mut Allocation,
    ) -> Result<(), Vec<FieldError>> {
        let type_ = svc.type_().to_string();
        if type_ == "ExternalName" {
            svc.spec.cluster_ip = None;
            svc.spec.cluster_ips.clear();
            svc.spec.ip_families.clear();
            svc.spec.ip_family_policy = None;
            svc.spec.internal_traffic_policy = None;
            return Ok(());
        }
        let mut errs = Vec::new();
        // IP families on a single-stack IPv4 cluster.
        for (i, f) in svc.spec.ip_families.iter().enumerate() {
            if f == "IPv6" {
                errs.push(invalid(
                    format!("spec.ipFamilies[{i}]"),
                    Bad::Str("IPv6".into()),
                    "not configured on this cluster",
                ));
            }
        }
        if svc.spec.ip_family_policy.as_deref() == Some("RequireDualStack") && !svc.is_headless() {
            errs.push(invalid(
                "spec.ipFamilyPolicy",
                Bad::Str("RequireDualStack".into()),
                "this cluster is not configured for dual-stack services",
            ));
        }
        for (i, ip) in svc.spec.cluster_ips.iter().enumerate() {
            if ip != "None" && v::parse_ipv4(ip).is_none() {
                errs.push(invalid(
                    format!("spec.clusterIPs[{i}]"),
                    Bad::Str(ip.clone()),
                    "IPv6 is not configured on this cluster",
                ));
            }
        }
        if !errs.is_empty() {
            return Err(errs);
        }
        if svc.spec.ip_family_policy.is_none() {
            let headless_no_selector = svc.is_headless() && svc.spec.selector.as_ref().is_none_or(|s| s.is_empty());
            svc.spec.ip_family_policy = Some(
                if headless_no_selector {
                    "RequireDualStack"
                } else {
                    "SingleStack"
                }
                .into(),
            );
        }
        if svc.spec.ip_families.is_empty() {
            svc.spec.ip_families = vec!["IPv4".into()];
        }
        // ClusterIP.
        let old_ip = old.and_then(|o| o.spec.cluster_ip.clone());
        match svc.spec.cluster_ip.clone() {
            Some(ip) if ip == "None" => {
                svc.spec.cluster_ips = vec!["None".into()];
            }
            Some(ip) if Some(&ip) == old_ip.as_ref() => {}
            Some(ip) => {
                let v = ip_to_u32(&ip).unwrap_or(0);
                let (net, len) = parse_cidr(&self.lab.service_cidr).unwrap_or((0, 32));
                let size = 1u64 << (32 - len);
                let in_range = (v as u64) > net as u64 && (v as u64) < net as u64 + size - 1;
                if !in_range {
                    return Err(vec![invalid(
                        "spec.clusterIPs",
                        Bad::string_list(&svc.spec.cluster_ips),
                        &format!(
                            "failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The \
                            range of valid IPs is {}",
                            self.lab.service_cidr
                        ),
                    )]);
                }
                if self.cluster_ips.contains(&v) {
                    return Err(vec![invalid(
                        "spec.clusterIPs",
                        Bad::string_list(&svc.spec.cluster_ips),
                        &format!("failed to allocate IP {ip}: provided IP is already allocated"),
                    )]);
                }
                self.cluster_ips.insert(v);
                undo.ips.push(v);
            }
            None => {
                let ip = self.random_cluster_ip().ok_or_else(|| {
                    vec![FieldError::Invalid(
                        "spec.clusterIPs".into(),
                        Bad::Str(String::new()),
                        "failed to allocate a serviceIP: range is full".into(),
                    )]
                })?;
                undo.ips.push(ip);
                svc.spec.cluster_ip = Some(u32_to_ip(ip));
                svc.spec.cluster_ips = vec![u32_to_ip(ip)];
            }
        }
        // NodePorts.
        let wants_node_ports =
            type_ == "NodePort" || (type_ == "LoadBalancer" && svc.spec.allocate_lb_node_ports != Some(false));
        if !wants_node_ports {
            if type_ == "ClusterIP" {
                for p in &mut svc.spec.ports {
                    p.node_port = None;
                }
            }
        } else {
            let mut by_port: Vec<(i64, u16)> = Vec::new();
            let mut errs = Vec::new();
            for i in 0..svc.spec.ports.len() {
                let p = svc.spec.ports[i].clone();
                let old_np = old.and_then(|o| {
                    o.spec
                        .ports
                        .iter()
                        .find(|op| op.port == p.port && op.protocol() == p.protocol())
                        .and_then(|op| op.node_port)
                });
                // A number the Service held before is its own, on whichever of its ports.
                let held = |np: i64| old.is_some_and(|o| o.spec.ports.iter().any(|op| op.node_port == Some(np)));
                match p.node_port.filter(|n| *n != 0) {
                    Some(np) if held(np) => {}
                    Some(np) => {
                        let (lo, hi) = self.lab.node_port_range;
                        if np < lo as i64 || np > hi as i64 {
                            errs.push(invalid(
                                format!("spec.ports[{i}].nodePort"),
                                Bad::Int(np),
                                &format!(
                                    "provided port is not in the valid range. The range of valid ports is {lo}-{hi}"
                                ),
                            ));
                        } else if by_port.iter().any(|(_, n)| *n as i64 == np) {
                            // Same number on another protocol of this Service: shared.
                        } else if self.node_ports.contains(&(np as u16)) {
                            errs.push(invalid(
                                format!("spec.ports[{i}].nodePort"),
                                Bad::Int(np),
                                "provided port is already allocated",
                            ));
                        } else {
                            self.node_ports.insert(np as u16);
                            undo.ports.push(np as u16);
                            by_port.push((p.port, np as u16));
                        }
                    }
                    None => {
                        let np = match (old_np, by_port.iter().find(|(port, _)| *port == p.port)) {
                            (_, Some((_, n))) => Some(*n),
                            (Some(n), None) => Some(n as u16),
                            (None, None) => match self.random_node_port() {
                                Some(n) => {
                                    undo.ports.push(n);
                                    Some(n)
                                }
                                None => {
                                    errs.push(FieldError::Invalid(
                                        format!("spec.ports[{i}].nodePort"),
                                        Bad::Str(String::new()),
                                        "failed to allocate a nodePort: range is full".into(),
                                    ));
                                    None
                                }
                            },
                        };
                        if let Some(n) = np {
                            svc.spec.ports[i].node_port = Some(n as i64);
                            by_port.push((p.port, n));
                        }
                    }
                }
            }
            if !errs.is_empty() {
                return Err(errs);
            }
        }
        // Health check port for LoadBalancer + Local.
        if type_ == "LoadBalancer" && svc.etp_local() {
            let old_h = old.and_then(|o| o.spec.health_check_node_port);
            match svc.spec.health_check_node_port.or(old_h) {
                Some(h) if Some(h) == old_h => svc.spec.health_check_node_port = Some(h),
                Some(h) => {
                    if self.node_ports.contains(&(h as u16)) {
                        return Err(vec![invalid(
                            "spec.healthCheckNodePort",
                            Bad::Int(h),
                            "provided port is already allocated",
                        )]);
                    }
                    self.node_ports.insert(h as u16);
                    undo.ports.push(h as u16);
                }
                None => {
                    if let Some(n) = self.random_node_port() {
                        undo.ports.push(n);
                        svc.spec.health_check_node_port = Some(n as i64);
                    }
                }
            }
        } else {
            svc.spec.health_check_node_port = None;
        }
        Ok(())
    }

    /// A random free address, from the upper band first (KEP-3070).
    fn random_cluster_ip(&mut self) -> Option<u32> {
        let (net, len) = parse_cidr(&self.lab.service_cidr)?;
        let size = 1u64 << (32 - len);
        if size < 4 {
            return None;
        }
        let usable = size - 2;
        let offset = if usable <= 16 { 0 } else { (usable / 16).clamp(16, 256) };
        let first = net as u64 + 1;
        let bands = [(first + offset, first + usable), (first, first + offset)];
        let ip = pick_free(&mut self.rng, bands, |v| self.cluster_ips.contains(&(v as u32)))? as u32;
        self.cluster_ips.insert(ip);
        Some(ip)
    }

    /// A Service was written: kube-proxy's data plane and rules follow.
    fn service_written(&mut self) {
        self.services_changed = true;
        self.net_gen += 1;
    }

    /// A random free nodePort, from the upper band first (KEP-3668).
    fn random_node_port(&mut self) -> Option<u16> {
        let (lo, hi) = self.lab.node_port_range;
        let size = (hi - lo + 1) as u64;
        let offset = (size / 32).clamp(16, 128);
        let bands = [(lo as u64 + offset, hi as u64 + 1), (lo as u64, lo as u64 + offset)];
        let port = pick_free(&mut self.rng, bands, |v| self.node_ports.contains(&(v as u16)))? as u16;
        self.node_ports.insert(port);
        Some(port)
    }

    fn release(&mut self, a: &Allocation) {
        for ip in &a.ips {
            self.cluster_ips.remove(ip);
        }
        for p in &a.ports {
            self.node_ports.remove(p);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Deletion

    /// Deletes an object. Pods terminate gracefully (`grace` overrides their period); a
    /// Deployment or ReplicaSet goes at once and the garbage collector removes what it owned.
    pub fn delete(&mut self, kind: &str, ns: &str, name: &str, grace: Option<i64>) -> Result<(), ApiError> {
        let k = key(ns, name);
        let info = kinds::by_kind(kind).expect("kinds come from the registry");
        let not_found = || ApiError::NotFound {
            resource: info.resource(),
            name: name.to_string(),
        };
        match kind {
            "Service" => {
                let svc = self.services.remove(&k).ok_or_else(not_found)?;
                if ns == "default" && name == "kubernetes" {
                    self.kubernetes_service_gone = Some(self.now);
                }
                self.service_written();
                self.release(&service_holdings(&svc));
                // Its Endpoints and EndpointSlices go with it (the garbage collector follows
                // the slices' owner reference).
                for name in self.endpoints.remove(&k).map(|e| e.slices).unwrap_or_default() {
                    self.slices.remove(&key(ns, &name));
                }
                self.affinity.retain(|(_, sk, _, _), _| *sk != k);
            }
            "Pod" => {
                let now = self.now;
                // A pod no node runs is deleted at once: no kubelet has anything to stop.
                if self.pods.get(&k).ok_or_else(not_found)?.spec.node_name.is_none() {
                    let pod = self.pods.remove(&k).ok_or_else(not_found)?;
                    self.archive_events(ns, "Pod", name, &pod.meta.uid, pod.status.events);
                    self.next_resource_version();
                    return Ok(());
                }
                let pod = self.pods.get_mut(&k).ok_or_else(not_found)?;
                let period = grace.or(pod.spec.termination_grace_period).unwrap_or(30).max(0);
                if pod.meta.deletion.is_none() || period == 0 {
                    pod.meta.deletion = Some(now + period);
                    pod.meta.grace_seconds = Some(period);
                }
            }
            // Background propagation, kubectl's default: the object goes now, and the garbage
            // collector deletes what it owned on its next pass (`controllers::collect_garbage`).
            "Deployment" => {
                let d = self.deployments.remove(&k).ok_or_else(not_found)?;
                let events = self.object_events.remove(&d.meta.uid).unwrap_or_default();
                self.archive_events(ns, "Deployment", name, &d.meta.uid, events);
            }
            "ReplicaSet" => {
                let rs = self.replicasets.remove(&k).ok_or_else(not_found)?;
                let events = self.object_events.remove(&rs.meta.uid).unwrap_or_default();
                self.archive_events(ns, "ReplicaSet", name, &rs.meta.uid, events);
            }
            "Namespace" => {
                if ["default", "kube-system", "kube-public", "kube-node-lease"].contains(&name) {
                    return Err(ApiError::Other {
                        reason: "Forbidden".into(),
                        message: format!("namespaces \"{name}\" is forbidden: this namespace may not be deleted"),
                    });
                }
                self.namespaces.remove(name).ok_or_else(not_found)?;
                let doomed: Vec<(String, String)> = self
                    .services
                    .keys()
                    .chain(self.deployments.keys())
                    .chain(self.replicasets.keys())
                    .chain(self.pods.keys())
                    .filter(|(n, _)| n == name)
                    .cloned()
                    .collect();
                for (n, obj) in doomed {
                    for kind in ["Service", "Deployment", "ReplicaSet", "Pod"] {
                        if self.exists(kind, &n, &obj) {
                            let _ = self.delete(kind, &n, &obj, None);
                        }
                    }
                }
                self.others.retain(|(_, n, _), _| n != name);
            }
            // The controller makes a new slice for what the deleted one held (the API server
            // puts its own `kubernetes` slice back).
            "EndpointSlice" => {
                let slice = self.slices.remove(&k).ok_or_else(not_found)?;
                if let Some(owner) = slice.meta.owner {
                    self.endpoint_sigs.remove(&key(ns, &owner.name));
                }
            }
            // The controller writes a selector Service's Endpoints again; the mirrored slices of
            // a user's go with them.
            "Endpoints" => {
                let e = self.endpoints.remove(&k).ok_or_else(not_found)?;
                self.endpoint_sigs.remove(&k);
                if e.written {
                    for n in e.slices {
                        self.slices.remove(&key(ns, &n));
                    }
                }
                self.service_written();
            }
            "Node" => return Err(lab_managed(info, name)),
            other => {
                self.others
                    .remove(&(other.to_string(), ns.to_string(), name.to_string()))
                    .ok_or_else(not_found)?;
            }
        }
        self.next_resource_version();
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Defaulting that needs the cluster

    pub fn default_deployment(&mut self, d: &mut Deployment) {
        d.replicas.get_or_insert(1);
        d.revision_history_limit.get_or_insert(10);
        d.progress_deadline_seconds.get_or_insert(600);
        if d.strategy.type_.is_none() {
            d.strategy.type_ = Some("RollingUpdate".into());
        }
        if d.strategy.type_.as_deref() == Some("RollingUpdate") {
            d.strategy.max_surge.get_or_insert(IntOrStr::Str("25%".into()));
            d.strategy.max_unavailable.get_or_insert(IntOrStr::Str("25%".into()));
        }
        default_pod_spec(&mut d.template.spec);
    }
}

/// What a Service holds in the allocators.
#[derive(Clone, Debug, Default)]
struct Allocation {
    ips: Vec<u32>,
    ports: Vec<u16>,
}

fn service_holdings(svc: &Service) -> Allocation {
    let mut a = Allocation::default();
    if let Some(ip) = svc.spec.cluster_ip.as_deref().and_then(ip_to_u32) {
        a.ips.push(ip);
    }
    for p in &svc.spec.ports {
        if let Some(np) = p.node_port.filter(|n| *n > 0 && *n < 65536) {
            if !a.ports.contains(&(np as u16)) {
                a.ports.push(np as u16);
            }
        }
    }
    if let Some(h) = svc.spec.health_check_node_port {
        a.ports.push(h as u16);
    }
    a
}

fn invalid_err(info: &KindInfo, name: &str, causes: Vec<FieldError>) -> ApiError {
    ApiError::Invalid {
        kind: info.kind.to_string(),
        kind_group: info.kind_group(),
        name: name.to_string(),
        causes,
    }
}

fn gvr(info: &KindInfo) -> String {
    format!("{}/{}, Resource={}", info.group, info.versions[0], info.plural)
}

fn gvk(info: &KindInfo) -> String {
    format!("{}/{}, Kind={}", info.group, info.versions[0], info.kind)
}

/// The answer to a write of an object the lab's controllers own (Endpoints, EndpointSlices,
/// Nodes): the lab does not take them from learners.
fn lab_managed(info: &KindInfo, name: &str) -> ApiError {
    ApiError::Other {
        reason: "Forbidden".into(),
        message: format!(
            "{} \"{name}\" is forbidden: this lab manages {} itself",
            info.resource(),
            info.plural
        ),
    }
}

/// `SetDefaults_Service` and the registry's normalisation of clusterIP/clusterIPs.
pub fn default_service(svc: &mut Service) {
    let s = &mut svc.spec;
    if s.type_.as_deref().is_none_or(str::is_empty) {
        s.type_ = Some("ClusterIP".into());
    }
    for p in &mut s.ports {
        if p.protocol.as_deref().is_none_or(str::is_empty) {
            p.protocol = Some("TCP".into());
        }
        match &p.target_port {
            None | Some(IntOrStr::Int(0)) => p.target_port = Some(IntOrStr::Int(p.port)),
            Some(IntOrStr::Str(t)) if t.is_empty() => p.target_port = Some(IntOrStr::Int(p.port)),
            _ => {}
        }
        if p.node_port == Some(0) {
            p.node_port = None;
        }
    }
    if s.session_affinity.as_deref().is_none_or(str::is_empty) {
        s.session_affinity = Some("None".into());
    }
    // `SetDefaults_Service` clears the config of no affinity.
    if s.session_affinity.as_deref() == Some("None") {
        s.affinity_config = None;
    }
    if s.session_affinity.as_deref() == Some("ClientIP") {
        match &mut s.affinity_config {
            None | Some(None) => s.affinity_config = Some(Some(10800)),
            Some(Some(_)) => {}
        }
    }
    if s.cluster_ip.as_deref() == Some("") {
        s.cluster_ip = None;
    }
    if s.cluster_ips.is_empty() {
        if let Some(ip) = &s.cluster_ip {
            s.cluster_ips = vec![ip.clone()];
        }
    } else if s.cluster_ip.is_none() {
        s.cluster_ip = s.cluster_ips.first().cloned();
    }
    let ext = matches!(s.type_.as_deref(), Some("LoadBalancer" | "NodePort"))
        || (s.type_.as_deref() == Some("ClusterIP") && !s.external_ips.is_empty());
    if ext && s.external_traffic_policy.is_none() {
        s.external_traffic_policy = Some("Cluster".into());
    }
    if s.type_.as_deref() != Some("ExternalName") && s.internal_traffic_policy.is_none() {
        s.internal_traffic_policy = Some("Cluster".into());
    }
    if s.type_.as_deref() == Some("LoadBalancer") && s.allocate_lb_node_ports.is_none() {
        s.allocate_lb_node_ports = Some(true);
    }
}

/// `SetDefaults_Pod`, `SetDefaults_PodSpec`, `SetDefaults_Container`.
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.termination_grace_period.get_or_insert(30);
    for c in &mut spec.containers {
        if c.image_pull_policy.is_none() {
            let tag = image_tag(&c.image);
            c.image_pull_policy = Some(
                if tag.is_none_or(|t| t == "latest") {
                    "Always"
                } else {
                    "IfNotPresent"
                }
                .into(),
            );
        }
        for p in &mut c.ports {
            p.protocol.get_or_insert_with(|| "TCP".into());
        }
    }
}

/// The tag of an image reference, if it has one (`nginx:1.27` -> `1.27`; a digest counts).
pub fn image_tag(image: &str) -> Option<&str> {
    if let Some((_, digest)) = image.split_once('@') {
        return Some(digest);
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, t)| t)
}

/// A free value from the first band (half-open) that has one: the search starts at a random
/// point of the band and wraps round, as the apiserver's allocators do.
fn pick_free(rng: &mut Rng, bands: [(u64, u64); 2], taken: impl Fn(u64) -> bool) -> Option<u64> {
    for (lo, hi) in bands {
        if hi <= lo {
            continue;
        }
        let n = hi - lo;
        let start = rng.below(n);
        if let Some(v) = (0..n).map(|i| lo + (start + i) % n).find(|&v| !taken(v)) {
            return Some(v);
        }
    }
    None
}
