//! Text to data trees: the only module that knows the YAML crate.
//!
//! It splits a stream into documents the way kubectl's `YAMLReader` does (a line that starts
//! with `---` followed by nothing but blanks or a comment), parses each document on its own and
//! reports syntax errors in go-yaml's words, `yaml: line N: <problem>`, with N counted from the
//! start of the document as kubectl v1.32 counts it. The absolute line in the file is kept too,
//! so an editor can point at it.

use super::value::Value;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One YAML document of a stream.
#[derive(Clone, Debug)]
pub struct Document {
    pub value: Value,
    /// The 1-based line of the file where the document's text starts.
    pub first_line: usize,
    /// The document's text is larger than `OVERSIZED`: it was not parsed (`value` is null).
    pub oversized: bool,
}

/// Documents larger than this are not parsed: no API server accepts a request this big
/// (its limit is 3 MiB), and parsing them would only keep the page busy.
pub const OVERSIZED: usize = 3 * 1024 * 1024;

/// A syntax error, in the form kubectl prints after `error converting YAML to JSON: `.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    /// The 1-based line in the whole file, when one is known.
    pub file_line: Option<usize>,
}

/// A document chunk as kubectl splits it.
struct Chunk<'a> {
    text: &'a str,
    first_line: usize,
}

fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut offset = 0usize;
    let mut line_no = 1usize;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = body.strip_prefix("---") {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                chunks.push(Chunk {
                    text: &text[start..offset],
                    first_line: start_line,
                });
                start = offset + line.len();
                start_line = line_no + 1;
            }
        }
        offset += line.len();
        line_no += 1;
    }
    chunks.push(Chunk {
        text: &text[start..],
        first_line: start_line,
    });
    chunks
}

/// Parses a multi-document stream. Documents before the first error are returned with it;
/// kubectl stops reading a file at its first syntax error. Empty documents are skipped.
pub fn parse_stream(text: &str) -> (Vec<Document>, Option<SyntaxError>) {
    let mut docs = Vec::new();
    for chunk in split_documents(text) {
        if chunk.text.len() > OVERSIZED {
            docs.push(Document {
                value: Value::Null,
                first_line: chunk.first_line,
                oversized: true,
            });
            continue;
        }
        if chunk.text.trim().is_empty() || only_comments(chunk.text) {
            continue;
        }
        match parse_document(chunk.text) {
            Ok(Value::Null) => {}
            Ok(value) => docs.push(Document {
                value,
                first_line: chunk.first_line,
                oversized: false,
            }),
            Err((message, line)) => {
                let file_line = line.map(|l| l + chunk.first_line - 1);
                return (docs, Some(SyntaxError { message, file_line }));
            }
        }
    }
    (docs, None)
}

fn only_comments(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// How deep the parser's tree may nest: the deserializer refuses deeper documents (as go-yaml
/// refuses those past 10,000 levels, with the message below).
const MAX_DEPTH: usize = 128;

/// The line where the text nests deeper than the parser accepts, found in one pass before the
/// parser (whose work at each token grows with the depth) sees it. Flow brackets count where a
/// node can start, outside quotes, comments and block scalars; block levels by the `- ` entries
/// that open a line. Both only undercount, so the parser still judges what this lets through.
fn too_deep(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    if b.iter().filter(|c| matches!(c, b'[' | b'{' | b'-')).count() <= MAX_DEPTH {
        return None;
    }
    let (mut flow, mut dashes, mut line, mut i, mut line_start) = (0usize, 0usize, 1usize, 0usize, 0usize);
    // `node`: a node may start here (line start, after `- `, `: `, `? `, `[`, `{` or `,`);
    // `lead`: only blanks and `- ` entries since the line began.
    let (mut node, mut lead) = (true, true);
    let blank = |j: usize| b.get(j).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
    let indent = |from: usize| b[from..].iter().take_while(|c| **c == b' ').count();
    let line_end = |from: usize| b[from..].iter().position(|c| *c == b'\n').map_or(b.len(), |p| from + p);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => (line, node, lead, dashes, line_start) = (line + 1, true, true, 0, i + 1),
            b' ' | b'\t' | b'\r' => {}
            b'#' if i == 0 || blank(i - 1) => i = line_end(i) - 1,
            b'"' | b'\'' if node => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' if c == b'"' => i += 1,
                        b'\'' if c == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 1,
                        q if q == c => break,
                        b'\n' => line += 1,
                        _ => {}
                    }
                    i += 1;
                }
                (node, lead) = (false, false);
            }
            // A block scalar: the lines indented past its parent's are text.
            b'|' | b'>' if node && flow == 0 => {
                let parent = indent(line_start);
                i = line_end(i);
                while i < b.len() {
                    let next = i + 1;
                    let end = line_end(next);
                    if next < b.len()
                        && (b[next..end].iter().all(|c| *c == b' ' || *c == b'\r') || indent(next) > parent)
                    {
                        line += 1;
                        i = end;
                    } else {
                        break;
                    }
                }
                i = i.saturating_sub(1);
                (node, lead) = (false, false);
            }
            b'[' | b'{' if node || flow > 0 => {
                flow += 1;
                if flow > MAX_DEPTH {
                    return Some(line);
                }
                (node, lead) = (true, false);
            }
            b']' | b'}' if flow > 0 => (flow, node, lead) = (flow - 1, false, false),
            b',' if flow > 0 => node = true,
            b'-' if lead && blank(i + 1) => {
                (dashes, node) = (dashes + 1, true);
                if dashes > MAX_DEPTH {
                    return Some(line);
                }
            }
            b'-' | b':' | b'?' if blank(i + 1) => (node, lead) = (true, false),
            _ => (node, lead) = (false, false),
        }
        i += 1;
    }
    None
}

/// Parses one document. The error carries go-yaml's message and the document-relative line.
fn parse_document(text: &str) -> Result<Value, (String, Option<usize>)> {
    if let Some(line) = too_deep(text) {
        // go-yaml names the line only past the first.
        let at = if line > 1 {
            format!("line {line}: ")
        } else {
            String::new()
        };
        return Err((format!("yaml: {at}exceeded max depth of 10000"), Some(line)));
    }
    match serde_yaml::from_str::<Tree>(text) {
        Ok(Tree(v)) => Ok(v),
        Err(err) => Err(go_yaml_error(&err, text)),
    }
}

/// Renders an error of the YAML crate (a port of libyaml, like go-yaml) the way go-yaml does:
/// a scanner error counts lines from 1, a parser error reports the 0-based mark line (a quirk of
/// go-yaml that kubectl users see).
fn go_yaml_error(err: &serde_yaml::Error, text: &str) -> (String, Option<usize>) {
    let display = err.to_string();
    if display.starts_with("repetition limit exceeded") {
        return ("yaml: document contains excessive aliasing".to_string(), None);
    }
    if display.starts_with("recursion limit exceeded") {
        let line = err.location().map(|l| l.line());
        return ("yaml: exceeded max depth of 10000".to_string(), line);
    }
    if display.starts_with("unknown anchor") {
        let line = err.location().map(|l| l.line());
        let name = err
            .location()
            .and_then(|l| text.get(l.index()..))
            .map(|rest| {
                rest.trim_start_matches('*')
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !",]}".contains(*c))
                    .collect::<String>()
            })
            .unwrap_or_default();
        return (
            format!("yaml: line {}: unknown anchor '{}' referenced", line.unwrap_or(1), name),
            line,
        );
    }
    let problem = display.split(" at line ").next().unwrap_or(&display);
    let problem = problem.split(" at position ").next().unwrap_or(problem);
    let problem = problem.split(", while ").next().unwrap_or(problem);
    // go-yaml v2 predates libyaml's dedicated tab messages.
    let problem = match problem {
        "found a tab character that violates indentation"
        | "found a tab character where an indentation space is expected" => {
            "found character that cannot start any token"
        }
        p => p,
    }
    .to_string();
    let Some(loc) = err.location() else {
        return (format!("yaml: {problem}"), None);
    };
    let mark_line0 = loc.line().saturating_sub(1);
    let scanner = is_scanner_error(&display);
    let line = if scanner { mark_line0 + 1 } else { mark_line0 };
    if line == 0 {
        (format!("yaml: {problem}"), Some(1))
    } else {
        (
            format!("yaml: line {line}: {problem}"),
            Some(if scanner { line } else { line + 1 }),
        )
    }
}

/// The contexts libyaml's parser (not its scanner) gives its errors. The scanner's contexts all
/// differ from these ("while scanning ...", "while parsing a tag", "while parsing a quoted
/// scalar", ...).
const PARSER_CONTEXTS: [&str; 7] = [
    "while parsing a block collection",
    "while parsing a block mapping",
    "while parsing a block node",
    "while parsing a flow mapping",
    "while parsing a flow node",
    "while parsing a flow sequence",
    "while parsing a node",
];

/// The scanner errors libyaml raises without a context.
const SCANNER_PROBLEMS: [&str; 3] = [
    "block sequence entries are not allowed in this context",
    "mapping keys are not allowed in this context",
    "mapping values are not allowed in this context",
];

/// Whether the YAML crate's error came from libyaml's scanner, told from its message (the
/// problem, then `, while <context>` when there is one). The error's kind is only in its
/// `Debug` form, which the release build compiles out.
fn is_scanner_error(display: &str) -> bool {
    match display.split_once(", while ") {
        Some((_, rest)) => {
            let context = rest.split(" at line ").next().unwrap_or(rest);
            !PARSER_CONTEXTS
                .iter()
                .any(|c| c.strip_prefix("while ") == Some(context))
        }
        None => {
            let problem = display.split(" at line ").next().unwrap_or(display);
            SCANNER_PROBLEMS.contains(&problem)
        }
    }
}

/// A `Value` built straight from YAML events: map keys become strings (as `sigs.k8s.io/yaml`
/// does), a repeated key keeps its last value, and `<<` merge keys are expanded.
struct Tree(Value);

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor).map(Tree)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Tree(v)) = seq.next_element::<Tree>()? {
            items.push(v);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        let mut merged: Vec<(String, Value)> = Vec::new();
        while let Some(Tree(k)) = map.next_key::<Tree>()? {
            let Tree(v) = map.next_value::<Tree>()?;
            let key = match k {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => "null".to_string(),
                _ => return Err(de::Error::custom("invalid map key")),
            };
            if key == "<<" {
                let sources = match v {
                    Value::Seq(items) => items,
                    other => vec![other],
                };
                for src in sources {
                    if let Value::Map(e) = src {
                        merged.extend(e);
                    }
                }
                continue;
            }
            entries.push((key, v));
        }
        // A repeated key keeps its first place and its last value; a merged key counts only
        // where the mapping does not set it, and the first source that has it wins.
        let mut entries = dedup(entries, true);
        if !merged.is_empty() {
            entries.extend(dedup(merged, false));
            entries = dedup(entries, false);
        }
        Ok(Value::Map(entries))
    }
}

/// Removes repeated keys in one sort (a mapping can have tens of thousands of keys): each key
/// stays where it first appears, with its last value when `last` is set, else its first.
fn dedup(mut entries: Vec<(String, Value)>, last: bool) -> Vec<(String, Value)> {
    if entries.len() < 2 {
        return entries;
    }
    let mut by_key: Vec<usize> = (0..entries.len()).collect();
    super::order::sort_by(&mut by_key, |&a, &b| entries[a].0.cmp(&entries[b].0));
    // For each position: `None` drops it, `Some(j)` keeps it with the value found at `j`.
    let mut take: Vec<Option<usize>> = vec![None; entries.len()];
    let mut i = 0;
    while i < by_key.len() {
        let mut j = i;
        while j + 1 < by_key.len() && entries[by_key[j + 1]].0 == entries[by_key[i]].0 {
            j += 1;
        }
        // The sort is stable: by_key[i] is the first place, by_key[j] the last.
        take[by_key[i]] = Some(if last { by_key[j] } else { by_key[i] });
        i = j + 1;
    }
    if take.iter().enumerate().all(|(i, t)| *t == Some(i)) {
        return entries;
    }
    let mut values: Vec<Option<Value>> = entries.iter_mut().map(|e| Some(std::mem::take(&mut e.1))).collect();
    entries
        .into_iter()
        .zip(take)
        .filter_map(|((k, _), t)| Some((k, values[t?].take().unwrap_or_default())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_keeps_their_lines() {
        let text = "a: 1\n---\n# only a comment\n--- # trailing\nb: 2\r\nc: [1, 2,]\n";
        let (docs, err) = parse_stream(text);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].first_line, 5);
        assert_eq!(docs[1].value.get("b"), Some(&Value::Int(2)));
    }

    #[test]
    fn scanner_error_line_counts_from_one_within_the_document() {
        let text = "a: 1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n\tfoo: 1\n";
        let (docs, err) = parse_stream(text);
        assert_eq!(docs.len(), 1);
        let err = err.unwrap();
        assert_eq!(err.message, "yaml: line 5: found character that cannot start any token");
        assert_eq!(err.file_line, Some(7));
    }

    #[test]
    fn mapping_values_error_matches_go_yaml() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   labels: a: b\n";
        let (_, err) = parse_stream(text);
        assert_eq!(
            err.unwrap().message,
            "yaml: line 5: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_merges_expand() {
        let (docs, err) = parse_stream("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\nk: 1\nk: 2\n");
        assert!(err.is_none(), "{err:?}");
        let v = &docs[0].value;
        assert_eq!(v.get("k"), Some(&Value::Int(2)));
        assert_eq!(v.get("m").and_then(|m| m.get("x")), Some(&Value::Int(1)));
    }

    #[test]
    fn scanner_errors_are_told_from_the_message_as_from_the_error_kind() {
        // Broken variants of a manifest: every syntax error the crate gives is classified from
        // its message exactly as its Debug form (which names the kind) classifies it.
        let base = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"svc\"\n  labels: {app: web, tier: \
            'x'}\nspec:\n  ports:\n  - port: 80\n    targetPort: 8080\n  selector:\n    app: web\ndata: \
            |\n  line\n%x: !tag &a *b\n";
        let pieces = [
            ":",
            "- ",
            "? ",
            "[",
            "]",
            "{",
            "}",
            "\"",
            "'",
            "\t",
            "&",
            "*",
            "!",
            "%",
            "|",
            ">",
            "#",
            "@",
            "`",
            ",",
            "\n",
            "  ",
            "!!str ",
            "&a ",
            "*a",
            "---",
            "...",
            "\u{1}",
            "%YAML 1.1\n",
            "%TAG ! !x\n",
            "!<",
            "\\",
        ];
        let mut rng = crate::sim::rng::Rng::new(7);
        let (mut scanner, mut parser) = (0, 0);
        for _ in 0..4000 {
            let mut text = base.to_string();
            for _ in 0..1 + rng.below(3) as usize {
                let mut at = rng.below(text.len() as u64 + 1) as usize;
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                text.insert_str(at, pieces[rng.below(pieces.len() as u64) as usize]);
            }
            let Err(err) = serde_yaml::from_str::<Tree>(&text) else {
                continue;
            };
            let by_kind = format!("{err:?}").contains("kind: SCANNER");
            assert_eq!(is_scanner_error(&err.to_string()), by_kind, "{err:?}\n{text}");
            if by_kind {
                scanner += 1;
            } else {
                parser += 1;
            }
        }
        assert!(
            scanner > 100 && parser > 100,
            "{scanner} scanner and {parser} parser errors"
        );
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing_and_text_is_not_nesting() {
        let flow = format!("a: {}", "[".repeat(80_000));
        let (_, err) = parse_stream(&flow);
        assert_eq!(err.unwrap().message, "yaml: exceeded max depth of 10000");
        let later = format!("a:\n  b: {}1", "{x: ".repeat(100_000));
        let err = parse_stream(&later).1.unwrap();
        assert_eq!(
            (err.message.as_str(), err.file_line),
            ("yaml: line 2: exceeded max depth of 10000", Some(2))
        );
        let dashes = format!("{}x\n", "- ".repeat(100_000));
        assert!(parse_stream(&dashes).1.is_some());
        // Brackets in quotes, comments, block scalars and mid-scalar are text.
        let text = format!(
            "a: \"{0}\"\nb: '{0}'\n# {0}\nc: |\n  {0}\n\n  {0}\nd: x{0}\ne: [[1]]\n",
            "[".repeat(300)
        );
        let (docs, err) = parse_stream(&text);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(docs[0].value.get("c").and_then(Value::as_str).map(str::len), Some(603));
        let fine = format!("a: {}1{}", "[".repeat(100), "]".repeat(100));
        assert!(parse_stream(&fine).1.is_none());
    }

    #[test]
    fn many_keys_and_duplicates_are_found_in_one_sort() {
        let mut text = String::from("data:\n");
        for i in 0..50_000 {
            text.push_str(&format!("  k{i}: v{i}\n"));
        }
        text.push_str("  k7: last\n");
        let start = std::time::Instant::now();
        let (docs, err) = parse_stream(&text);
        assert!(err.is_none());
        let Some(Value::Map(data)) = docs[0].value.get("data") else {
            panic!("no data")
        };
        assert_eq!(data.len(), 50_000);
        assert_eq!((data[7].0.as_str(), data[7].1.as_str()), ("k7", Some("last")));
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (_, err) = parse_stream(&text);
        assert_eq!(err.unwrap().message, "yaml: document contains excessive aliasing");
    }
}

/// The 1-based line of the file where a field path (`spec.ports[0].nodePort`) is written,
/// searching the block-style document that starts at `first_line`. A best effort for pointing
/// an editor at an API error; `None` when the layout is not block style.
pub fn locate(text: &str, first_line: usize, path: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let meaningful = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    let mut cur = first_line.saturating_sub(1);
    let mut parent: isize = -1;
    let mut found = None;
    for seg in path.split('.') {
        let mut pieces = seg.split('[');
        let key = pieces.next().unwrap_or("");
        let mut i = cur;
        let mut hit = None;
        while i < lines.len() {
            let l = lines[i];
            if l.trim_start().starts_with("---") && indent(l) == 0 && i > first_line.saturating_sub(1) {
                break;
            }
            if meaningful(l) {
                let ind = indent(l) as isize;
                let t = l.trim_start();
                let (t, ind) = match t.strip_prefix("- ") {
                    Some(rest) => (rest, ind + 2),
                    None => (t, ind),
                };
                if ind <= parent && i > cur {
                    break;
                }
                if ind > parent && (t.starts_with(&format!("{key}:")) || t.starts_with(&format!("\"{key}\":"))) {
                    hit = Some((i, ind));
                    break;
                }
            }
            i += 1;
        }
        let (line, ind) = hit?;
        found = Some(line);
        parent = ind;
        cur = line + 1;
        for idx in pieces {
            let n: usize = idx.trim_end_matches(']').parse().ok()?;
            // The n-th "- " item below the key.
            let mut count = 0;
            let mut item_indent = None;
            let mut j = cur;
            let mut item = None;
            while j < lines.len() {
                let l = lines[j];
                if meaningful(l) {
                    let ind = indent(l) as isize;
                    if ind < parent || (ind == parent && !l.trim_start().starts_with("- ")) {
                        break;
                    }
                    if l.trim_start().starts_with("- ") && item_indent.is_none_or(|ii| ii == ind) {
                        item_indent = Some(ind);
                        if count == n {
                            item = Some((j, ind));
                            break;
                        }
                        count += 1;
                    }
                }
                j += 1;
            }
            let (line, ind) = item?;
            found = Some(line);
            // Keys of the item sit two columns right of its dash, the first on the dash line.
            parent = ind + 1;
            cur = line;
        }
    }
    found.map(|l| l + 1)
}

#[cfg(test)]
mod locate_tests {
    use super::locate;

    #[test]
    fn finds_nested_fields_and_list_items() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n    - \
            port: 80\n      nodePort: 80\n    - name: b\n      port: 81\n  selector:\n    app: web\n";
        assert_eq!(locate(text, 1, "spec.ports[0].nodePort"), Some(9));
        assert_eq!(locate(text, 1, "spec.ports[1].port"), Some(11));
        assert_eq!(locate(text, 1, "spec.ports[0].port"), Some(8));
        assert_eq!(locate(text, 1, "metadata.name"), Some(4));
        assert_eq!(locate(text, 1, "spec.selector"), Some(12));
        assert_eq!(locate(text, 1, "spec.nothing"), None);
    }
}
