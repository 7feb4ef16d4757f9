//! `--overrides` and `--override-type` of `kubectl run` and `kubectl expose`: the generated
//! object changed by a JSON merge patch (RFC 7396, the default) or a JSON patch (RFC 6902:
//! `add`, `remove`, `replace`, `test`). A strategic merge needs the object's schema and is
//! refused with a plain message.

use super::value::Value;

/// The generated object with the overrides applied, or kubectl's error line.
pub fn apply(doc: &Value, overrides: &str, kind: &str) -> Result<Value, String> {
    let patch = super::yaml::parse_stream(overrides)
        .0
        .into_iter()
        .next()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .ok_or_else(|| "error: Invalid JSON Patch".to_string())?;
    match kind {
        "merge" => Ok(merge(doc, &patch)),
        "json" => json_patch(doc, &patch),
        "strategic" => Err("error: --override-type=strategic is not part of this lab; use merge or json".into()),
        other => Err(format!("error: invalid override type: {other}")),
    }
}

/// RFC 7396: maps merge key by key, `null` removes, anything else replaces.
fn merge(target: &Value, patch: &Value) -> Value {
    let Value::Map(p) = patch else { return patch.clone() };
    let mut out = match target {
        Value::Map(t) => t.clone(),
        _ => Vec::new(),
    };
    for (k, v) in p {
        let pos = out.iter().position(|(key, _)| key == k);
        match (v, pos) {
            (Value::Null, Some(i)) => {
                out.remove(i);
            }
            (Value::Null, None) => {}
            (v, Some(i)) => out[i].1 = merge(&out[i].1, v),
            (v, None) => out.push((k.clone(), merge(&Value::Null, v))),
        }
    }
    Value::Map(out)
}

/// The tokens of a JSON pointer (`/spec/ports/0`), unescaped.
fn pointer(p: &str) -> Option<Vec<String>> {
    if p.is_empty() {
        return Some(Vec::new());
    }
    p.strip_prefix('/').map(|rest| {
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect()
    })
}

fn child<'a>(v: &'a mut Value, token: &str) -> Option<&'a mut Value> {
    match v {
        Value::Map(m) => m.iter_mut().find(|(k, _)| k == token).map(|(_, x)| x),
        Value::Seq(s) => token.parse::<usize>().ok().and_then(|i| s.get_mut(i)),
        _ => None,
    }
}

fn json_patch(doc: &Value, patch: &Value) -> Result<Value, String> {
    let Value::Seq(ops) = patch else {
        return Err("error: Invalid JSON Patch".into());
    };
    let mut out = doc.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let missing =
            || format!("error: the JSON patch does not apply: {name} \"{path}\": no such place in the object");
        let Some(mut tokens) = pointer(path) else {
            return Err(missing());
        };
        let Some(last) = tokens.pop() else {
            return Err(missing());
        };
        let mut parent = &mut out;
        for t in &tokens {
            parent = child(parent, t).ok_or_else(missing)?;
        }
        let value = op.get("value").cloned();
        match (name, parent) {
            ("add", Value::Map(m)) => {
                let v = value.ok_or_else(missing)?;
                match m.iter_mut().find(|(k, _)| *k == last) {
                    Some((_, x)) => *x = v,
                    None => m.push((last, v)),
                }
            }
            ("add", Value::Seq(s)) => {
                let v = value.ok_or_else(missing)?;
                let i = if last == "-" {
                    s.len()
                } else {
                    last.parse().map_err(|_| missing())?
                };
                if i > s.len() {
                    return Err(missing());
                }
                s.insert(i, v);
            }
            ("remove", Value::Map(m)) => {
                let i = m.iter().position(|(k, _)| *k == last).ok_or_else(missing)?;
                m.remove(i);
            }
            ("remove", Value::Seq(s)) => {
                let i: usize = last.parse().map_err(|_| missing())?;
                if i >= s.len() {
                    return Err(missing());
                }
                s.remove(i);
            }
            ("replace", p) => {
                let v = value.ok_or_else(missing)?;
                *child(p, &last).ok_or_else(missing)? = v;
            }
            ("test", p) => {
                if child(p, &last).map(|x| &*x) != value.as_ref() {
                    return Err(format!("error: testing value {path} failed: test failed"));
                }
            }
            _ => return Err(format!("error: Unexpected kind: {name}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::yaml::parse_stream;

    fn v(text: &str) -> Value {
        parse_stream(text).0.remove(0).value
    }

    #[test]
    fn merge_and_json_patches_change_the_generated_object() {
        let doc = v("{\"spec\": {\"type\": \"ClusterIP\", \"ports\": [{\"port\": 80}]}}");
        let merged = apply(&doc, "{\"spec\": {\"type\": \"NodePort\"}}", "merge").unwrap();
        assert_eq!(
            merged.get("spec").unwrap().get("type").unwrap().as_str(),
            Some("NodePort")
        );
        let ops = "[{\"op\": \"add\", \"path\": \"/spec/ports/-\", \"value\": {\"port\": 443}}, \
                   {\"op\": \"remove\", \"path\": \"/spec/type\"}]";
        let patched = apply(&doc, ops, "json").unwrap();
        assert!(patched.get("spec").unwrap().get("type").is_none());
        assert!(matches!(patched.get("spec").unwrap().get("ports"), Some(Value::Seq(p)) if p.len() == 2));
        assert!(apply(
            &doc,
            "[{\"op\": \"replace\", \"path\": \"/nope/x\", \"value\": 1}]",
            "json"
        )
        .is_err());
        assert_eq!(
            apply(&doc, "{}", "other").unwrap_err(),
            "error: invalid override type: other"
        );
    }
}
