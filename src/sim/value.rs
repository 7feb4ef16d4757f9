//! A plain data tree (the JSON data model) that manifests are decoded from and objects are
//! printed to. It keeps map entries in their written order; output sorts keys the way the Go
//! tools do (`encoding/json` and `sigs.k8s.io/yaml` marshal maps with sorted keys).

use std::fmt::Write;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The JSON type name Go's `encoding/json` uses in "cannot unmarshal X into ..." errors.
    pub fn json_kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }

    /// Builds a map from `(key, value)` pairs, skipping `Null` values.
    pub fn map(entries: Vec<(&str, Value)>) -> Value {
        Value::Map(
            entries
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn opt_str(s: &Option<String>) -> Value {
        s.as_ref().map_or(Value::Null, |s| Value::Str(s.clone()))
    }

    /// Compact JSON with sorted keys, as Go marshals a `map[string]interface{}`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => write_float(out, *f),
            Value::Str(s) => json_quote(out, s),
            Value::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in sorted(entries).into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_quote(out, k);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// YAML as `kubectl get -o yaml` prints it: sorted keys, two-space indent, sequences of a
    /// map's key at the key's own indent.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Value::Map(entries) if !entries.is_empty() => write_yaml_map(&mut out, entries, 0),
            Value::Seq(items) if !items.is_empty() => write_yaml_seq(&mut out, items, 0),
            other => {
                write_yaml_scalar(&mut out, other, 0);
                out.push('\n');
            }
        }
        out
    }

    /// True when every entry of `self` (a manifest) is present with the same value in `live`.
    /// Sequences must have the same length and match element by element.
    pub fn is_subset_of(&self, live: &Value) -> bool {
        match (self, live) {
            (Value::Map(a), Value::Map(_)) => a.iter().all(|(k, v)| match live.get(k) {
                Some(lv) => v.is_subset_of(lv),
                None => v.is_null() || matches!(v, Value::Map(m) if m.is_empty()),
            }),
            (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.is_subset_of(y)),
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            (a, b) => a == b,
        }
    }
}

fn sorted(entries: &[(String, Value)]) -> Vec<(&String, &Value)> {
    let mut v: Vec<(&String, &Value)> = entries.iter().map(|(k, v)| (k, v)).collect();
    super::order::sort_by(&mut v, |a, b| a.0.cmp(b.0));
    v
}

fn write_float(out: &mut String, f: f64) {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else if f.is_finite() {
        let _ = write!(out, "{f}");
    } else {
        out.push_str("null");
    }
}

pub fn json_quote(out: &mut String, s: &str) {
    quote_into(out, s, true);
}

/// Writes `s` as a double-quoted string: JSON as Go's `encoding/json` writes it (`<`, `>`, `&`
/// and control characters as `\u00XX`), or Go's `strconv.Quote` (control characters as `\xXX`).
pub fn quote_into(out: &mut String, s: &str, json: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' if json => out.push_str("\\u003c"),
            '>' if json => out.push_str("\\u003e"),
            '&' if json => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 && json => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if !json && ((c as u32) < 0x20 || c as u32 == 0x7f) => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_yaml_map(out: &mut String, entries: &[(String, Value)], ind: usize) {
    for (k, v) in sorted(entries) {
        indent(out, ind);
        write_yaml_key(out, k);
        out.push(':');
        write_yaml_child(out, v, ind, false);
    }
}

fn write_yaml_seq(out: &mut String, items: &[Value], ind: usize) {
    for item in items {
        indent(out, ind);
        out.push('-');
        match item {
            Value::Map(entries) if !entries.is_empty() => {
                // The first entry goes on the dash line; the rest align under it.
                let s = sorted(entries);
                for (i, (k, v)) in s.into_iter().enumerate() {
                    if i == 0 {
                        out.push(' ');
                    } else {
                        indent(out, ind + 2);
                    }
                    write_yaml_key(out, k);
                    out.push(':');
                    write_yaml_child(out, v, ind + 2, false);
                }
            }
            other => write_yaml_child(out, other, ind, true),
        }
    }
}

/// Writes what follows `key:` (or `-`): an inline scalar, or a nested block.
fn write_yaml_child(out: &mut String, v: &Value, ind: usize, in_seq: bool) {
    match v {
        Value::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_yaml_map(out, entries, ind + 2);
        }
        Value::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_yaml_seq(out, items, if in_seq { ind + 2 } else { ind });
        }
        Value::Str(s) if s.contains('\n') && literal_ok(s) => {
            out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
            for line in s.trim_end_matches('\n').split('\n') {
                if !line.is_empty() {
                    indent(out, ind + 2);
                    out.push_str(line);
                }
                out.push('\n');
            }
        }
        other => {
            out.push(' ');
            write_yaml_scalar(out, other, ind);
            out.push('\n');
        }
    }
}

fn literal_ok(s: &str) -> bool {
    !s.starts_with(' ') && !s.contains('\t') && !s.ends_with("\n\n")
}

fn write_yaml_key(out: &mut String, k: &str) {
    if needs_quotes(k) {
        yaml_single_quote(out, k);
    } else {
        out.push_str(k);
    }
}

fn write_yaml_scalar(out: &mut String, v: &Value, _ind: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => write_float(out, *f),
        Value::Str(s) => {
            if s.contains('\n') || s.chars().any(|c| (c as u32) < 0x20 && c != '\t') {
                json_quote(out, s);
            } else if needs_quotes(s) {
                if looks_like_timestamp(s) || looks_typed(s) {
                    out.push('"');
                    out.push_str(s);
                    out.push('"');
                } else {
                    yaml_single_quote(out, s);
                }
            } else {
                out.push_str(s);
            }
        }
        Value::Seq(_) => out.push_str("[]"),
        Value::Map(_) => out.push_str("{}"),
    }
}

fn yaml_single_quote(out: &mut String, s: &str) {
    out.push('\'');
    out.push_str(&s.replace('\'', "''"));
    out.push('\'');
}

fn looks_typed(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~" | ""
    ) || s.parse::<f64>().is_ok()
        || (s.starts_with("0x") && s.len() > 2)
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && b[..4].iter().all(u8::is_ascii_digit)
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || looks_typed(s) || looks_like_timestamp(s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == '-' && s.len() > 1 && !s[1..].starts_with(' ')) {
        return true;
    }
    if first == '-' && s.len() == 1 {
        return true;
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.contains('\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_sorts_keys_and_escapes_like_go() {
        let v = Value::map(vec![
            ("b", Value::Int(1)),
            ("a", Value::str("<x>")),
            ("c", Value::Seq(vec![Value::Bool(true)])),
        ]);
        assert_eq!(v.to_json(), r#"{"a":"\u003cx\u003e","b":1,"c":[true]}"#);
    }

    #[test]
    fn yaml_matches_kubectl_layout() {
        let v = Value::map(vec![
            (
                "spec",
                Value::map(vec![(
                    "ports",
                    Value::Seq(vec![Value::map(vec![
                        ("port", Value::Int(80)),
                        ("protocol", Value::str("TCP")),
                    ])]),
                )]),
            ),
            (
                "metadata",
                Value::map(vec![("creationTimestamp", Value::str("2025-12-20T10:00:00Z"))]),
            ),
        ]);
        assert_eq!(
            v.to_yaml(),
            "metadata:\n  creationTimestamp: \"2025-12-20T10:00:00Z\"\nspec:\n  ports:\n  - port: 80\n    protocol: \
                TCP\n"
        );
    }

    #[test]
    fn subset_ignores_live_extras_but_not_changes() {
        let live = Value::map(vec![("a", Value::Int(1)), ("b", Value::Int(2))]);
        assert!(Value::map(vec![("a", Value::Int(1))]).is_subset_of(&live));
        assert!(!Value::map(vec![("a", Value::Int(3))]).is_subset_of(&live));
        assert!(!Value::map(vec![("z", Value::Int(3))]).is_subset_of(&live));
    }
}
