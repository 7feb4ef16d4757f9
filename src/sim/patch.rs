//! `kubectl patch`: a strategic merge patch (the default; lists merge by the key the API types
//! declare, as `spec.ports` by `port` and `containers` by `name`), a JSON merge patch
//! (`--type merge`) or a JSON patch (`--type json`), from `-p` (JSON or YAML) or
//! `--patch-file`, applied to the live object, which is then written back through the API
//! server's update checks.

use super::apierror::render_errors;
use super::kubectl::parse;
use super::shell::{Output, Shell};
use super::value::Value;

/// The key a strategic merge patch merges a list by, from the field names above it; `None`
/// replaces the list.
fn merge_key(path: &[String]) -> Option<&'static str> {
    let last = path.last()?.as_str();
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
    Some(match (parent, last) {
        (Some("containers" | "initContainers" | "ephemeralContainers"), "ports") => "containerPort",
        (Some("spec"), "ports") if path.len() == 2 => "port",
        (_, "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets") => "name",
        (_, "volumeMounts" | "volumeDevices") => "mountPath",
        (_, "hostAliases") => "ip",
        (_, "ownerReferences") => "uid",
        (_, "finalizers") => "",
        _ => return None,
    })
}

fn set(map: &mut Vec<(String, Value)>, k: &str, v: Value) {
    match map.iter_mut().find(|(x, _)| x == k) {
        Some(e) => e.1 = v,
        None => map.push((k.to_string(), v)),
    }
}

/// RFC 7386 (`strategic == false`) or the strategic merge of `patch` into `live`.
pub(super) fn merge(live: &mut Value, patch: &Value, strategic: bool, path: &mut Vec<String>) {
    let Value::Map(p) = patch else {
        *live = patch.clone();
        return;
    };
    if strategic && p.iter().any(|(k, v)| k == "$patch" && v.as_str() == Some("replace")) {
        *live = Value::Map(p.iter().filter(|(k, _)| k != "$patch").cloned().collect());
        return;
    }
    if !matches!(live, Value::Map(_)) {
        *live = Value::Map(Vec::new());
    }
    let Value::Map(l) = live else { return };
    for (k, v) in p {
        if k.starts_with('$') && strategic {
            continue;
        }
        if v.is_null() {
            l.retain(|(x, _)| x != k);
            continue;
        }
        path.push(k.clone());
        match (l.iter_mut().find(|(x, _)| x == k), v) {
            (Some((_, lv)), Value::Map(_)) => merge(lv, v, strategic, path),
            (Some((_, Value::Seq(items))), Value::Seq(new)) if strategic => {
                if let Some(key) = merge_key(path) {
                    merge_list(items, new, key, path);
                } else {
                    *items = new.clone();
                }
            }
            (Some((_, lv)), _) => *lv = strip(v),
            (None, _) => {
                let mut fresh = Value::Null;
                merge(&mut fresh, v, strategic, path);
                l.push((k.clone(), fresh));
            }
        }
        path.pop();
    }
}

/// A patch value written as new: directives dropped, nulls in maps removed.
fn strip(v: &Value) -> Value {
    match v {
        Value::Map(m) => Value::Map(
            m.iter()
                .filter(|(k, x)| !k.starts_with('$') && !x.is_null())
                .map(|(k, x)| (k.clone(), strip(x)))
                .collect(),
        ),
        Value::Seq(s) => Value::Seq(s.iter().map(strip).collect()),
        other => other.clone(),
    }
}

/// Whether the lab changes objects of this kind when asked to (patch, edit).
pub(super) fn patchable(info: &super::kinds::KindInfo) -> bool {
    info.simulated || matches!(info.kind, "Namespace" | "Service" | "Pod" | "Deployment")
}

fn merge_list(items: &mut Vec<Value>, new: &[Value], key: &str, path: &mut Vec<String>) {
    if key.is_empty() {
        for n in new {
            if !items.contains(n) {
                items.push(n.clone());
            }
        }
        return;
    }
    for n in new {
        let id = n.get(key).cloned();
        let pos = id
            .as_ref()
            .and_then(|id| items.iter().position(|i| i.get(key) == Some(id)));
        let delete = n.get("$patch").and_then(Value::as_str) == Some("delete");
        match pos {
            Some(i) if delete => {
                items.remove(i);
            }
            Some(i) => merge(&mut items[i], n, true, path),
            None if delete => {}
            None => items.push(strip(n)),
        }
    }
}

/// A JSON pointer's tokens (`/spec/ports/0` -> spec, ports, 0).
fn pointer(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(format!("JSON pointer must be empty or start with a \"/\": {p:?}"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn walk<'a>(v: &'a mut Value, toks: &[String], p: &str) -> Result<&'a mut Value, String> {
    let mut cur = v;
    for t in toks {
        cur = match cur {
            Value::Map(m) => match m.iter_mut().find(|(k, _)| k == t) {
                Some((_, x)) => x,
                None => return Err(format!("doc is missing path: \"{p}\": missing value")),
            },
            Value::Seq(s) => {
                let len = s.len();
                match t.parse::<usize>().ok().and_then(|i| s.get_mut(i)) {
                    Some(x) => x,
                    None => return Err(format!("Unable to access invalid index: {t} (length {len})")),
                }
            }
            _ => return Err(format!("doc is missing path: \"{p}\": missing value")),
        };
    }
    Ok(cur)
}

fn json_patch(doc: &mut Value, ops: &Value) -> Result<(), String> {
    let Value::Seq(ops) = ops else {
        return Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch".into());
    };
    for op in ops {
        let kind = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let toks = pointer(path)?;
        let (parent, last) = match toks.split_last() {
            Some((l, p)) => (p.to_vec(), l.clone()),
            None => return Err(format!("unable to apply \"{kind}\" to the whole document")),
        };
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("missing value for \"{kind}\""))
        };
        let take = |doc: &mut Value, from: &str| -> Result<Value, String> {
            let t = pointer(from)?;
            let (l, p) = t.split_last().ok_or("unable to move the whole document")?;
            match walk(doc, p, from)? {
                Value::Map(m) => match m.iter().position(|(k, _)| k == l) {
                    Some(i) => Ok(m.remove(i).1),
                    None => Err(format!("doc is missing path: \"{from}\": missing value")),
                },
                Value::Seq(s) => match l.parse::<usize>().ok().filter(|&i| i < s.len()) {
                    Some(i) => Ok(s.remove(i)),
                    None => Err(format!("Unable to access invalid index: {l}")),
                },
                _ => Err(format!("doc is missing path: \"{from}\": missing value")),
            }
        };
        let add = |doc: &mut Value, v: Value| -> Result<(), String> {
            match walk(doc, &parent, path)? {
                Value::Map(m) => set(m, &last, v),
                Value::Seq(s) if last == "-" => s.push(v),
                Value::Seq(s) => match last.parse::<usize>().ok().filter(|&i| i <= s.len()) {
                    Some(i) => s.insert(i, v),
                    None => return Err(format!("Unable to access invalid index: {last}")),
                },
                _ => return Err(format!("doc is missing path: \"{path}\": missing value")),
            }
            Ok(())
        };
        match kind {
            "add" => add(doc, value()?)?,
            "remove" => {
                take(doc, path)?;
            }
            "replace" => {
                let v = value()?;
                *walk(doc, &toks, path)? = v;
            }
            "test" => {
                if *walk(doc, &toks, path)? != value()? {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let v = if kind == "move" {
                    take(doc, from)?
                } else {
                    walk(doc, &pointer(from)?, from)?.clone()
                };
                add(doc, v)?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

impl Shell {
    pub(super) fn k_patch(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "patch",
            args,
            &[
                ("p", "patch", true),
                ("", "patch-file", true),
                ("", "type", true),
                ("f", "filename", true),
                ("", "dry-run", true),
                ("o", "output", true),
                ("", "local", false),
                ("", "subresource", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let kind = p.get("type").unwrap_or("strategic");
        if !["json", "merge", "strategic"].contains(&kind) {
            return Output::err(
                format!("error: --type must be one of [json merge strategic], not \"{kind}\"\n"),
                1,
            );
        }
        let text = match (p.get("patch"), p.get("patch-file")) {
            (Some(t), None) => t.to_string(),
            (None, Some(f)) => match self.files.read(f) {
                Some(t) => t,
                None => {
                    return Output::err(
                        format!("error: unable to read patch file: open {f}: no such file or directory\n"),
                        1,
                    )
                }
            },
            (Some(_), Some(_)) => {
                return Output::err("error: --patch and --patch-file are mutually exclusive\n", 1);
            }
            (None, None) => {
                return Output::err(
                    "error: must specify --patch or --patch-file containing the contents of the patch\n",
                    1,
                )
            }
        };
        if p.get("filename").is_some() {
            return Output::err(
                "error: this lab patches objects named on the command line (TYPE NAME)\n",
                1,
            );
        }
        if p.get("subresource").is_some() {
            return Output::err("error: this lab patches objects, not their subresources\n", 1);
        }
        let (docs, err) = super::yaml::parse_stream(&text);
        let patch = match (docs.into_iter().next(), err) {
            (_, Some(e)) => return Output::err(format!("error: unable to parse \"{text}\": {}\n", e.message), 1),
            (Some(d), None) => d.value,
            (None, None) => Value::Map(Vec::new()),
        };
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let Some((info, Some(name))) = targets.first().cloned() else {
            return Output::err("error: resource(s) were provided, but no name was specified\n", 1);
        };
        let (ns, live) = match self.live(info, &p, &name) {
            Ok(x) => x,
            Err(e) => return e,
        };
        let mut new = live.clone();
        match kind {
            "json" => {
                if let Err(e) = json_patch(&mut new, &patch) {
                    return Output::err(format!("error: {e}\n"), 1);
                }
            }
            _ => {
                if !matches!(patch, Value::Map(_)) {
                    return Output::err(
                        format!(
                            "error: unable to parse \"{text}\": json: cannot unmarshal {} into Go value of type map[string]interface {{}}\n",
                            patch.json_kind()
                        ),
                        1,
                    );
                }
                merge(&mut new, &patch, kind == "strategic", &mut Vec::new());
            }
        }
        let printed = format!("{}/{name}", info.qualified());
        let dry = p.get("dry-run").filter(|d| *d != "none");
        if new == live {
            return Output::ok(format!("{printed} patched (no change)\n"));
        }
        if !patchable(info) {
            return Output::err(
                format!("error: this lab stores {} objects but does not patch them\n", info.kind),
                1,
            );
        }
        if let Some(d) = dry {
            let how = if d == "server" {
                " (server dry run)"
            } else {
                " (dry run)"
            };
            return Output::ok(format!("{printed} patched{how}\n"));
        }
        match self.cluster.replace_object(&new, &ns) {
            Ok(()) => {
                self.cluster.reconcile();
                Output::ok(format!("{printed} patched\n"))
            }
            Err(e) => Output::err(render_errors(&[e]), 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(s: &str) -> Value {
        super::super::yaml::parse_stream(s).0.remove(0).value
    }

    #[test]
    fn strategic_merge_by_key() {
        let mut svc = j(r#"{"spec":{"ports":[{"port":80,"nodePort":31000},{"port":443}],"selector":{"a":"b"}}}"#);
        let patch =
            j(r#"{"spec":{"ports":[{"port":80,"nodePort":31001},{"port":8080}],"selector":{"a":null,"c":"d"}}}"#);
        let mut merged = svc.clone();
        merge(&mut merged, &patch, true, &mut Vec::new());
        assert_eq!(
            merged.to_json(),
            r#"{"spec":{"ports":[{"nodePort":31001,"port":80},{"port":443},{"port":8080}],"selector":{"c":"d"}}}"#
        );
        // A JSON merge patch replaces the list.
        merge(&mut svc, &patch, false, &mut Vec::new());
        assert_eq!(
            svc.to_json(),
            r#"{"spec":{"ports":[{"nodePort":31001,"port":80},{"port":8080}],"selector":{"c":"d"}}}"#
        );
        let mut pod = j("spec: {containers: [{name: a, image: x}, {name: b, image: y}]}");
        merge(
            &mut pod,
            &j("spec: {containers: [{name: b, image: z}, {name: a, $patch: delete}]}"),
            true,
            &mut Vec::new(),
        );
        assert_eq!(pod.to_json(), r#"{"spec":{"containers":[{"image":"z","name":"b"}]}}"#);
    }

    #[test]
    fn json_patch_operations() {
        let mut d = j(r#"{"spec":{"ports":[{"port":80}],"type":"ClusterIP"}}"#);
        json_patch(
            &mut d,
            &j(r#"[{"op":"replace","path":"/spec/type","value":"NodePort"},{"op":"add","path":"/spec/ports/-","value":{"port":81}},{"op":"add","path":"/spec/ports/0/name","value":"a~b"},{"op":"copy","from":"/spec/type","path":"/spec/x"},{"op":"remove","path":"/spec/x"}]"#),
        )
        .unwrap();
        assert_eq!(
            d.to_json(),
            r#"{"spec":{"ports":[{"name":"a~b","port":80},{"port":81}],"type":"NodePort"}}"#
        );
        assert!(json_patch(&mut d, &j(r#"[{"op":"remove","path":"/spec/nope"}]"#)).is_err());
        assert!(json_patch(&mut d, &j(r#"[{"op":"test","path":"/spec/type","value":"X"}]"#)).is_err());
        assert!(json_patch(&mut d, &j(r#"[{"op":"replace","path":"/spec/ports/9","value":1}]"#)).is_err());
    }
}
