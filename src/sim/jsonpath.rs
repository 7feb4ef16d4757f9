//! kubectl's template printers over an object's JSON: JSONPath (`-o jsonpath=`,
//! `jsonpath-as-json=`, `custom-columns=`, `--sort-by`) as client-go's `util/jsonpath` reads
//! it (fields, `[n]`, `[a:b]`, `[*]`, `..name`, filters `[?(@.a=="x")]`, `range`/`end`,
//! quoted text), and the Go-template subset the docs use (`{{.a.b}}`, `{{range}}`, `{{index}}`,
//! `{{"\n"}}`). Missing keys print nothing, as kubectl's printers allow.

use super::value::Value;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Recursive(String),
    All,
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(Vec<Step>, String, Option<Value>),
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

/// A parsed JSONPath template.
pub struct JsonPath(Vec<Node>);

fn unquote(s: &str) -> String {
    let mut out = String::new();
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(x) => out.push(x),
            None => {}
        }
    }
    out
}

fn literal(s: &str) -> Option<Value> {
    let s = s.trim();
    if let Some(q) = s
        .strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
    {
        return Some(Value::Str(q.to_string()));
    }
    match s {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "nil" | "null" => Some(Value::Null),
        _ => s
            .parse::<i64>()
            .map(Value::Int)
            .ok()
            .or_else(|| s.parse::<f64>().ok().map(Value::Float)),
    }
}

fn parse_path(src: &str) -> Result<Vec<Step>, String> {
    let s: Vec<char> = src.trim().chars().collect();
    let mut i = 0;
    let mut steps = Vec::new();
    if s.first() == Some(&'$') || s.first() == Some(&'@') {
        i = 1;
    }
    let name = |i: &mut usize| -> String {
        let mut n = String::new();
        while *i < s.len() && !matches!(s[*i], '.' | '[' | ' ') {
            if s[*i] == '\\' && *i + 1 < s.len() {
                *i += 1;
            }
            n.push(s[*i]);
            *i += 1;
        }
        n
    };
    while i < s.len() {
        match s[i] {
            '.' if s.get(i + 1) == Some(&'.') => {
                i += 2;
                steps.push(Step::Recursive(name(&mut i)));
            }
            '.' => {
                i += 1;
                let n = name(&mut i);
                match n.as_str() {
                    "" if i >= s.len() || s[i] == '[' => {}
                    "*" => steps.push(Step::All),
                    _ => steps.push(Step::Field(n)),
                }
            }
            '[' => {
                let mut depth = 0;
                let start = i + 1;
                let mut j = i;
                let mut quote: Option<char> = None;
                while j < s.len() {
                    match (s[j], quote) {
                        ('"' | '\'', None) => quote = Some(s[j]),
                        (c, Some(q)) if c == q => quote = None,
                        ('[', None) => depth += 1,
                        (']', None) => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= s.len() {
                    return Err("unterminated array".into());
                }
                let inner: String = s[start..j].iter().collect();
                i = j + 1;
                let t = inner.trim();
                if t == "*" {
                    steps.push(Step::All);
                } else if let Some(f) = t.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                    let op = ["==", "!=", "<=", ">=", "<", ">"].into_iter().find(|o| f.contains(o));
                    let (lhs, op, rhs) = match op {
                        Some(o) => {
                            let (a, b) = f.split_once(o).unwrap_or((f, ""));
                            (a, o.to_string(), literal(b))
                        }
                        None => (f, String::new(), None),
                    };
                    let lhs = lhs.trim();
                    if !lhs.starts_with('@') {
                        return Err(format!("unrecognized filter {t}"));
                    }
                    if !op.is_empty() && rhs.is_none() {
                        return Err(format!("unrecognized filter {t}"));
                    }
                    steps.push(Step::Filter(parse_path(lhs)?, op, rhs));
                } else if let Some(Value::Str(k)) = literal(t).filter(|_| t.starts_with(['\'', '"'])) {
                    steps.push(Step::Field(k));
                } else if let Some((a, b)) = t.split_once(':') {
                    let num = |x: &str| -> Result<Option<i64>, String> {
                        let x = x.trim();
                        if x.is_empty() {
                            Ok(None)
                        } else {
                            x.parse().map(Some).map_err(|_| format!("invalid array index {x}"))
                        }
                    };
                    let b = b.split(':').next().unwrap_or("");
                    steps.push(Step::Slice(num(a)?, num(b)?));
                } else {
                    steps.push(Step::Index(t.parse().map_err(|_| format!("invalid array index {t}"))?));
                }
            }
            ' ' => i += 1,
            c => return Err(format!("unrecognized character in action: U+{:04X} '{c}'", c as u32)),
        }
    }
    Ok(steps)
}

fn eval<'a>(steps: &[Step], roots: Vec<&'a Value>) -> Result<Vec<&'a Value>, String> {
    let mut cur = roots;
    for st in steps {
        let mut next = Vec::new();
        for v in cur {
            match (st, v) {
                (Step::Field(f), Value::Map(_)) => next.extend(v.get(f)),
                (Step::Field(_), _) => {}
                (Step::Recursive(f), _) => descend(v, f, &mut next),
                (Step::All, Value::Seq(items)) => next.extend(items.iter()),
                (Step::All, Value::Map(e)) => {
                    let mut e: Vec<&(String, Value)> = e.iter().collect();
                    super::order::sort_by(&mut e, |a, b| a.0.cmp(&b.0));
                    next.extend(e.into_iter().map(|(_, v)| v));
                }
                (Step::Index(n), Value::Seq(items)) => {
                    let len = items.len() as i64;
                    let k = if *n < 0 { n + len } else { *n };
                    if k < 0 || k >= len {
                        return Err(format!("array index out of bounds: index {n}, length {len}"));
                    }
                    next.push(&items[k as usize]);
                }
                (Step::Slice(a, b), Value::Seq(items)) => {
                    let len = items.len() as i64;
                    let fix = |x: i64| if x < 0 { (x + len).max(0) } else { x.min(len) };
                    let (a, b) = (fix(a.unwrap_or(0)), fix(b.unwrap_or(len)));
                    if a < b {
                        next.extend(items[a as usize..b as usize].iter());
                    }
                }
                (Step::Filter(lhs, op, rhs), Value::Seq(items)) => {
                    for it in items {
                        let got = eval(lhs, vec![it])?;
                        let pass = match (op.as_str(), rhs, got.first()) {
                            ("", _, Some(g)) => !g.is_null(),
                            (_, Some(r), Some(g)) => compare(g, op, r),
                            _ => false,
                        };
                        if pass {
                            next.push(it);
                        }
                    }
                }
                _ => {}
            }
        }
        cur = next;
    }
    Ok(cur)
}

fn compare(a: &Value, op: &str, b: &Value) -> bool {
    use std::cmp::Ordering::*;
    let ord = match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
            let f = |v: &Value| match v {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => 0.0,
            };
            f(a).partial_cmp(&f(b)).unwrap_or(Equal)
        }
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        _ => return op == "!=" && a != b || op == "==" && a == b,
    };
    match op {
        "==" => ord == Equal,
        "!=" => ord != Equal,
        "<" => ord == Less,
        ">" => ord == Greater,
        "<=" => ord != Greater,
        _ => ord != Less,
    }
}

fn descend<'a>(v: &'a Value, f: &str, out: &mut Vec<&'a Value>) {
    match v {
        Value::Map(e) => {
            if let Some(x) = v.get(f) {
                out.push(x);
            }
            for (_, x) in e {
                descend(x, f, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|x| descend(x, f, out)),
        _ => {}
    }
}

/// A value as jsonpath prints it: text for scalars, compact JSON for maps and lists.
fn text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Map(_) | Value::Seq(_) => v.to_json(),
        Value::Null => "<nil>".into(),
        other => other.to_json(),
    }
}

/// A value as Go's `%v` prints it (`map[ip:10.0.0.1]`, `[a b]`).
pub fn go_value(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Seq(items) => format!("[{}]", items.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Map(e) => {
            let mut e: Vec<&(String, Value)> = e.iter().collect();
            super::order::sort_by(&mut e, |a, b| a.0.cmp(&b.0));
            let parts: Vec<String> = e.iter().map(|(k, v)| format!("{k}:{}", go_value(v))).collect();
            format!("map[{}]", parts.join(" "))
        }
        other => other.to_json(),
    }
}

impl JsonPath {
    pub fn parse(template: &str) -> Result<JsonPath, String> {
        let mut stack: Vec<(Vec<Step>, Vec<Node>)> = vec![(Vec::new(), Vec::new())];
        let mut rest = template;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                if let Some(s) = stack.last_mut() {
                    s.1.push(Node::Text(rest.to_string()));
                }
                break;
            };
            if open > 0 {
                if let Some(s) = stack.last_mut() {
                    s.1.push(Node::Text(rest[..open].to_string()));
                }
            }
            let after = &rest[open + 1..];
            // The action ends at the first `}` outside quotes.
            let mut q: Option<char> = None;
            let close = after.char_indices().find(|&(_, c)| {
                match (c, q) {
                    ('"' | '\'', None) => q = Some(c),
                    (c, Some(x)) if c == x => q = None,
                    ('}', None) => return true,
                    _ => {}
                }
                false
            });
            let Some((close, _)) = close else {
                return Err("unclosed action".into());
            };
            let action = after[..close].trim();
            rest = &after[close + 1..];
            if let Some(r) = action.strip_prefix("range") {
                stack.push((parse_path(r)?, Vec::new()));
            } else if action == "end" {
                if stack.len() < 2 {
                    return Err("not in range, nothing to end".into());
                }
                let (steps, body) = stack.pop().unwrap_or_default();
                if let Some(s) = stack.last_mut() {
                    s.1.push(Node::Range(steps, body));
                }
            } else if action.starts_with('"') || action.starts_with('\'') {
                let q = &action[1..action.len().saturating_sub(1).max(1)];
                if let Some(s) = stack.last_mut() {
                    s.1.push(Node::Text(unquote(q)));
                }
            } else if action.is_empty() {
                continue;
            } else {
                let p = parse_path(action)?;
                if let Some(s) = stack.last_mut() {
                    s.1.push(Node::Path(p));
                }
            }
        }
        if stack.len() > 1 {
            return Err("unexpected EOF".into());
        }
        Ok(JsonPath(stack.pop().map(|s| s.1).unwrap_or_default()))
    }

    /// The template's output over `data`.
    pub fn execute(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        run(&self.0, data, &mut out, None)?;
        Ok(out)
    }

    /// The values of every expression, for `jsonpath-as-json`.
    pub fn values<'a>(&self, data: &'a Value) -> Result<Vec<&'a Value>, String> {
        let mut out = String::new();
        let mut vals = Vec::new();
        run(&self.0, data, &mut out, Some(&mut vals))?;
        Ok(vals)
    }
}

fn run<'a>(
    nodes: &[Node],
    data: &'a Value,
    out: &mut String,
    mut vals: Option<&mut Vec<&'a Value>>,
) -> Result<(), String> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Path(p) => {
                let got = eval(p, vec![data])?;
                let parts: Vec<String> = got.iter().map(|v| text(v)).collect();
                out.push_str(&parts.join(" "));
                if let Some(v) = vals.as_deref_mut() {
                    v.extend(got);
                }
            }
            Node::Range(p, body) => {
                for item in eval(p, vec![data])? {
                    run(body, item, out, vals.as_deref_mut())?;
                }
            }
        }
    }
    Ok(())
}

/// kubectl's relaxed form for custom columns and `--sort-by`: `.a.b` or `{.a.b}`.
pub fn relaxed(expr: &str) -> Result<JsonPath, String> {
    let e = expr.trim();
    let e = e.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(e);
    let e = if e.starts_with('.') || e.starts_with('$') || e.starts_with('[') {
        e.to_string()
    } else {
        format!(".{e}")
    };
    JsonPath::parse(&format!("{{{e}}}"))
}

/// The first value a relaxed expression finds, for sorting.
pub fn first<'a>(p: &JsonPath, data: &'a Value) -> Option<&'a Value> {
    p.values(data).ok()?.into_iter().next()
}

/// `custom-columns=NAME:EXPR,...`: the header row and one row per object.
pub fn custom_columns(spec: &str, objects: &[&Value]) -> Result<Vec<Vec<String>>, String> {
    let mut cols = Vec::new();
    for c in spec.split(',') {
        let Some((name, expr)) = c.split_once(':') else {
            return Err(format!(
                "unexpected custom-columns spec: {c}, expected <header>:<json-path-expr>"
            ));
        };
        cols.push((name.to_string(), relaxed(expr)?));
    }
    let mut rows = vec![cols.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()];
    for o in objects {
        let mut row = Vec::new();
        for (_, p) in &cols {
            let vals = p.values(o)?;
            row.push(if vals.is_empty() {
                "<none>".to_string()
            } else {
                vals.iter().map(|v| go_value(v)).collect::<Vec<_>>().join(",")
            });
        }
        rows.push(row);
    }
    Ok(rows)
}

// ---- Go templates -------------------------------------------------------------------------

#[derive(Debug)]
enum GoNode {
    Text(String),
    Expr(String),
    Range(String, Vec<GoNode>),
}

/// A Go template (`-o go-template=`): fields, `range`/`end`, `index`, `len`, quoted text.
pub fn go_template(template: &str, data: &Value) -> Result<String, String> {
    let mut stack: Vec<(String, Vec<GoNode>)> = vec![(String::new(), Vec::new())];
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        if let Some(s) = stack.last_mut() {
            s.1.push(GoNode::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("template: output:1: unclosed action".into());
        };
        let action = after[..close]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        rest = &after[close + 2..];
        if let Some(r) = action.strip_prefix("range ") {
            stack.push((r.trim().to_string(), Vec::new()));
        } else if action == "end" {
            if stack.len() < 2 {
                return Err("template: output:1: unexpected {{end}}".into());
            }
            let (e, body) = stack.pop().unwrap_or_default();
            if let Some(s) = stack.last_mut() {
                s.1.push(GoNode::Range(e, body));
            }
        } else {
            if let Some(s) = stack.last_mut() {
                s.1.push(GoNode::Expr(action.to_string()));
            }
        }
    }
    if let Some(s) = stack.last_mut() {
        s.1.push(GoNode::Text(rest.to_string()));
    }
    if stack.len() > 1 {
        return Err("template: output:1: unexpected EOF".into());
    }
    let nodes = stack.pop().map(|s| s.1).unwrap_or_default();
    let mut out = String::new();
    go_run(&nodes, data, &mut out)?;
    Ok(out)
}

fn go_run(nodes: &[GoNode], dot: &Value, out: &mut String) -> Result<(), String> {
    for n in nodes {
        match n {
            GoNode::Text(t) => out.push_str(t),
            GoNode::Expr(e) => match go_eval(e, dot)? {
                Some(v) => out.push_str(&go_value(&v)),
                None => out.push_str("<no value>"),
            },
            GoNode::Range(e, body) => match go_eval(e, dot)? {
                Some(Value::Seq(items)) => {
                    for it in &items {
                        go_run(body, it, out)?;
                    }
                }
                Some(Value::Map(e)) => {
                    let mut e: Vec<&(String, Value)> = e.iter().collect();
                    super::order::sort_by(&mut e, |a, b| a.0.cmp(&b.0));
                    for (_, it) in e {
                        go_run(body, it, out)?;
                    }
                }
                Some(Value::Null) | None => {}
                Some(v) => return Err(format!("template: output:1: range can't iterate over {}", go_value(&v))),
            },
        }
    }
    Ok(())
}

/// Splits an action into its terms, keeping quoted strings and parentheses whole.
fn go_terms(e: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut q) = (0, false);
    for c in e.chars() {
        match c {
            '"' => {
                q = !q;
                cur.push(c);
            }
            '(' if !q => {
                depth += 1;
                cur.push(c);
            }
            ')' if !q => {
                depth -= 1;
                cur.push(c);
            }
            ' ' | '\t' if !q && depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn go_eval(e: &str, dot: &Value) -> Result<Option<Value>, String> {
    let terms = go_terms(e);
    let Some(first) = terms.first() else {
        return Err("template: output:1: missing value for command".into());
    };
    let term = |t: &str| -> Result<Option<Value>, String> {
        if t.starts_with('(') {
            // `(pipeline)` with an optional `.field.path` after it.
            let mut depth = 0;
            let close = t.char_indices().find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            });
            let Some((close, _)) = close else {
                return Err("template: output:1: unclosed left paren".into());
            };
            let mut v = go_eval(&t[1..close], dot)?;
            for f in t[close + 1..].split('.').filter(|f| !f.is_empty()) {
                v = v.and_then(|x| x.get(f).cloned());
            }
            return Ok(v);
        }
        if t.starts_with('"') {
            return Ok(Some(Value::Str(unquote(&t[1..t.len().saturating_sub(1).max(1)]))));
        }
        if t == "." {
            return Ok(Some(dot.clone()));
        }
        if let Some(path) = t.strip_prefix('.') {
            let mut v = dot;
            for f in path.split('.') {
                match v.get(f) {
                    Some(x) => v = x,
                    None => return Ok(None),
                }
            }
            return Ok(Some(v.clone()));
        }
        literal(t)
            .map(Some)
            .ok_or_else(|| format!("template: output:1: function \"{t}\" not defined"))
    };
    match first.as_str() {
        "index" => {
            let Some(mut v) = terms.get(1).map(|t| term(t)).transpose()?.flatten() else {
                return Ok(None);
            };
            for k in &terms[2..] {
                let k = term(k)?.unwrap_or_default();
                v = match (&v, &k) {
                    (Value::Seq(items), Value::Int(i)) => match items.get(*i as usize) {
                        Some(x) => x.clone(),
                        None => {
                            return Err(format!(
                                "template: output:1: error calling index: index out of range: {i}"
                            ))
                        }
                    },
                    (Value::Map(_), Value::Str(s)) => match v.get(s) {
                        Some(x) => x.clone(),
                        None => return Ok(None),
                    },
                    _ => return Ok(None),
                };
            }
            Ok(Some(v))
        }
        "len" => Ok(Some(Value::Int(
            match terms.get(1).map(|t| term(t)).transpose()?.flatten() {
                Some(Value::Seq(i)) => i.len() as i64,
                Some(Value::Map(m)) => m.len() as i64,
                Some(Value::Str(s)) => s.len() as i64,
                _ => 0,
            },
        ))),
        _ if terms.len() == 1 => term(first),
        f => Err(format!("template: output:1: function \"{f}\" not defined")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Value {
        let node = |name: &str, ip: &str| {
            Value::map(vec![
                ("metadata", Value::map(vec![("name", Value::str(name))])),
                (
                    "status",
                    Value::map(vec![(
                        "addresses",
                        Value::Seq(vec![
                            Value::map(vec![("address", Value::str(ip)), ("type", Value::str("InternalIP"))]),
                            Value::map(vec![("address", Value::str(name)), ("type", Value::str("Hostname"))]),
                        ]),
                    )]),
                ),
            ])
        };
        Value::map(vec![(
            "items",
            Value::Seq(vec![node("a", "10.0.2.4"), node("b", "10.0.2.5")]),
        )])
    }

    fn jp(t: &str) -> String {
        JsonPath::parse(t)
            .and_then(|p| p.execute(&data()))
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn jsonpath_as_the_docs_use_it() {
        assert_eq!(jp("{.items[*].metadata.name}"), "a b");
        assert_eq!(
            jp("{ $.items[*].status.addresses[?(@.type==\"InternalIP\")].address }"),
            "10.0.2.4 10.0.2.5"
        );
        assert_eq!(jp("{.items[?(@.type==\"ExternalIP\")].address}"), "");
        assert_eq!(
            jp("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.addresses[0].address}{\"\\n\"}{end}"),
            "a\t10.0.2.4\nb\t10.0.2.5\n"
        );
        assert_eq!(jp("{.items[0].metadata}"), "{\"name\":\"a\"}");
        assert_eq!(jp("{.items[-1].metadata.name}"), "b");
        assert_eq!(jp("{.items[0:1].metadata.name}"), "a");
        assert_eq!(jp("{..address}"), "10.0.2.4 a 10.0.2.5 b");
        assert_eq!(jp("{.items[5]}"), "ERR array index out of bounds: index 5, length 2");
        assert_eq!(jp("names: {.items[*].metadata.name}!"), "names: a b!");
        assert_eq!(jp("{.nothing.here}"), "");
        assert!(JsonPath::parse("{range .items[*]}").is_err());
        assert!(JsonPath::parse("{.items").is_err());
    }

    #[test]
    fn columns_and_go_templates() {
        let d = data();
        let items: Vec<&Value> = match d.get("items") {
            Some(Value::Seq(i)) => i.iter().collect(),
            _ => Vec::new(),
        };
        let rows = custom_columns("NAME:.metadata.name,IPS:.status.addresses[0],X:.x", &items).unwrap();
        assert_eq!(rows[0], ["NAME", "IPS", "X"]);
        assert_eq!(rows[1], ["a", "map[address:10.0.2.4 type:InternalIP]", "<none>"]);
        assert!(custom_columns("NAME", &items).is_err());
        assert_eq!(
            go_template(
                "{{range .items}}{{.metadata.name}} {{(index .status.addresses 0).address}}{{\"\\n\"}}{{end}}",
                &d
            ),
            Ok("a 10.0.2.4\nb 10.0.2.5\n".into())
        );
        assert_eq!(go_template("{{.nope}} {{len .items}}", &d), Ok("<no value> 2".into()));
        assert!(go_template("{{range .items}}", &d).is_err());
        assert!(go_template("{{printf \"%s\" .x}}", &d).is_err());
    }
}
