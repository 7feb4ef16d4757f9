//! The text tools learners pipe kubectl and curl into: echo, cat, grep, head, tail, wc, sort,
//! uniq, cut, awk (`{print ...}` programs), tr and seq, and the shell's `test`. Each reads its
//! standard input or files through the caller and returns what it wrote; work is bounded by the
//! size of its input and, for `seq`, by `LIMIT` bytes of output.

pub struct Ran {
    pub out: String,
    pub err: String,
    pub code: i32,
}

/// The tools this module runs, with `printenv` and `env` (the shell answers those).
pub const TOOLS: &[&str] = &[
    "echo", "cat", "grep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "seq", "awk", "printenv", "env",
];

/// Output a generating tool (`seq`) may write before it stops.
const LIMIT: usize = 256 * 1024;

fn ok(out: String) -> Ran {
    Ran {
        out,
        err: String::new(),
        code: 0,
    }
}

fn fail(err: String, code: i32) -> Ran {
    Ran {
        out: String::new(),
        err,
        code,
    }
}

/// What a tool's messages start with.
pub fn prefix(name: &str) -> String {
    format!("{name}: ")
}

/// Whether the tool reads its standard input (it has no file operand).
pub fn reads_stdin(name: &str, args: &[String]) -> bool {
    let ops = operands(name, args).1;
    match name {
        "grep" => ops.len() <= 1 || ops.iter().skip(1).any(|o| o == "-"),
        "xargs" => true,
        "cat" | "head" | "tail" | "wc" | "sort" | "uniq" | "cut" | "tr" => {
            ops.is_empty() || ops.iter().any(|o| o == "-") || name == "tr"
        }
        "awk" => ops.len() <= 1,
        _ => false,
    }
}

/// Splits a tool's arguments into options (with their values) and operands.
fn operands(name: &str, args: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let valued: &[char] = match name {
        "grep" => &['A', 'B', 'C', 'e', 'm'],
        "head" | "tail" => &['n', 'c'],
        "sort" => &['k', 't'],
        "cut" => &['d', 'f', 'c', 'b'],
        "awk" => &['F', 'v'],
        "seq" => &['s'],
        _ => &[],
    };
    let mut opts = Vec::new();
    let mut ops = Vec::new();
    let mut i = 0;
    let mut only_ops = false;
    while i < args.len() {
        let a = &args[i];
        if only_ops || a == "-" || !a.starts_with('-') || name == "echo" || (name == "seq" && a.parse::<f64>().is_ok())
        {
            ops.push(a.clone());
        } else if a == "--" {
            only_ops = true;
        } else if let Some(long) = a.strip_prefix("--") {
            let (n, v) = long.split_once('=').unwrap_or((long, ""));
            opts.push((n.to_string(), v.to_string()));
        } else {
            let cs: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < cs.len() {
                let c = cs[j];
                if c.is_ascii_digit() && matches!(name, "head" | "tail") && j == 0 {
                    opts.push(("n".into(), a[1..].to_string()));
                    break;
                }
                if valued.contains(&c) {
                    let rest: String = cs[j + 1..].iter().collect();
                    let v = if rest.is_empty() {
                        i += 1;
                        args.get(i).cloned().unwrap_or_default()
                    } else {
                        rest
                    };
                    opts.push((c.to_string(), v));
                    break;
                }
                opts.push((c.to_string(), String::new()));
                j += 1;
            }
        }
        i += 1;
    }
    (opts, ops)
}

type Reader<'a> = &'a mut dyn FnMut(&str) -> Result<String, String>;

/// The inputs of a tool: its files (or standard input), as (name, text); a missing file is a
/// message.
fn inputs(files: &[String], stdin: &str, read: Reader) -> (Vec<(String, String)>, String) {
    if files.is_empty() {
        return (vec![("(standard input)".into(), stdin.to_string())], String::new());
    }
    let mut got = Vec::new();
    let mut err = String::new();
    for f in files {
        if f == "-" {
            got.push(("(standard input)".into(), stdin.to_string()));
            continue;
        }
        match read(f) {
            Ok(t) => got.push((f.clone(), t)),
            Err(_) => err.push_str(&format!("{f}: No such file or directory\n")),
        }
    }
    (got, err)
}

/// Runs a text tool, or `None` when `name` is not one (or is `cat` of files, which the lab's
/// `cat` prints).
pub fn run(name: &str, args: &[String], stdin: &str, read: Reader) -> Option<Ran> {
    let (opts, ops) = operands(name, args);
    let has = |c: &str| opts.iter().any(|(n, _)| n == c);
    let val = |c: &str| opts.iter().rev().find(|(n, _)| n == c).map(|(_, v)| v.clone());
    let r = match name {
        "echo" => {
            let mut words = args;
            let (mut newline, mut esc) = (true, false);
            while let Some(w) = words
                .first()
                .filter(|w| matches!(w.as_str(), "-n" | "-e" | "-ne" | "-en" | "-E"))
            {
                newline &= !w.contains('n');
                esc |= w.contains('e');
                words = &words[1..];
            }
            let mut s = words.join(" ");
            if esc {
                s = unescape(&s);
            }
            if newline {
                s.push('\n');
            }
            ok(s)
        }
        "cat" if ops.iter().all(|o| o == "-") => ok(stdin.to_string()),
        "grep" => grep(&opts, &ops, stdin, read),
        "head" | "tail" => {
            let (ins, err) = inputs(&ops, stdin, read);
            let n = val("n").unwrap_or_else(|| "10".into());
            let from_start = n.starts_with('+');
            let Ok(k) = n.trim_start_matches('+').parse::<i64>() else {
                return Some(fail(format!("invalid number of lines: '{n}'\n"), 1));
            };
            let mut out = String::new();
            let many = ins.len() > 1;
            for (idx, (f, t)) in ins.iter().enumerate() {
                if many {
                    out.push_str(&format!("{}==> {f} <==\n", if idx > 0 { "\n" } else { "" }));
                }
                let lines: Vec<&str> = t.split_inclusive('\n').collect();
                let len = lines.len() as i64;
                let (a, b) = match (name, from_start, k < 0) {
                    ("head", _, false) => (0, k.min(len)),
                    ("head", _, true) => (0, (len + k).max(0)),
                    (_, true, _) => ((k - 1).clamp(0, len), len),
                    _ => ((len - k.abs()).max(0), len),
                };
                out.extend(lines[a as usize..b as usize].iter().copied());
            }
            Ran {
                out,
                code: i32::from(!err.is_empty()),
                err,
            }
        }
        "wc" => {
            let (ins, err) = inputs(&ops, stdin, read);
            let (l, w, c) = (has("l"), has("w"), has("c") || has("m"));
            let all = !(l || w || c);
            let mut rows = Vec::new();
            let mut tot = [0usize; 3];
            for (f, t) in &ins {
                let v = [t.matches('\n').count(), t.split_whitespace().count(), t.len()];
                for i in 0..3 {
                    tot[i] += v[i];
                }
                rows.push((v, if ops.is_empty() { String::new() } else { f.clone() }));
            }
            if ins.len() > 1 {
                rows.push((tot, "total".into()));
            }
            let shown: Vec<usize> = (0..3).filter(|&i| all || [l, w, c][i]).collect();
            let width = if shown.len() == 1 && ops.is_empty() {
                1
            } else if ops.is_empty() {
                7
            } else {
                tot.iter().map(|n| n.to_string().len()).max().unwrap_or(1)
            };
            let mut out = String::new();
            for (v, f) in rows {
                let cols: Vec<String> = shown.iter().map(|&i| format!("{:>width$}", v[i])).collect();
                out.push_str(&cols.join(" "));
                if !f.is_empty() {
                    out.push(' ');
                    out.push_str(&f);
                }
                out.push('\n');
            }
            Ran {
                out,
                code: i32::from(!err.is_empty()),
                err,
            }
        }
        "sort" => {
            let (ins, err) = inputs(&ops, stdin, read);
            let mut lines: Vec<String> = ins.iter().flat_map(|(_, t)| t.lines().map(str::to_string)).collect();
            let sep = val("t").and_then(|s| s.chars().next());
            let key = val("k").and_then(|k| {
                k.split(',')
                    .next()
                    .and_then(|f| f.trim_end_matches(|c: char| c.is_alphabetic()).parse::<usize>().ok())
            });
            let numeric = has("n") || has("h") || val("k").is_some_and(|k| k.contains('n'));
            let field = |l: &str| -> String {
                match key {
                    None => l.to_string(),
                    Some(k) => {
                        let fs = fields(l, sep);
                        fs.get(k.saturating_sub(1)..).map(|f| f.join(" ")).unwrap_or_default()
                    }
                }
            };
            super::order::sort_by(&mut lines, |a, b| {
                let (x, y) = (field(a), field(b));
                let o = if numeric {
                    num(&x).partial_cmp(&num(&y)).unwrap_or(std::cmp::Ordering::Equal)
                } else {
                    x.cmp(&y)
                };
                o.then_with(|| {
                    if key.is_some() || numeric {
                        a.cmp(b)
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
            });
            if has("r") {
                lines.reverse();
            }
            if has("u") {
                lines.dedup_by(|a, b| field(a) == field(b));
            }
            Ran {
                out: lines.iter().map(|l| format!("{l}\n")).collect(),
                code: i32::from(!err.is_empty()),
                err,
            }
        }
        "uniq" => {
            let (ins, err) = inputs(&ops[..ops.len().min(1)], stdin, read);
            let mut out = String::new();
            let mut groups: Vec<(usize, &str)> = Vec::new();
            for l in ins.iter().flat_map(|(_, t)| t.lines()) {
                match groups.last_mut() {
                    Some((n, prev)) if *prev == l || (has("i") && prev.eq_ignore_ascii_case(l)) => *n += 1,
                    _ => groups.push((1, l)),
                }
            }
            for (n, l) in groups {
                if (has("d") && n < 2) || (has("u") && n > 1) {
                    continue;
                }
                if has("c") {
                    out.push_str(&format!("{n:>7} {l}\n"));
                } else {
                    out.push_str(&format!("{l}\n"));
                }
            }
            Ran {
                out,
                code: i32::from(!err.is_empty()),
                err,
            }
        }
        "cut" => {
            let (ins, err) = inputs(&ops, stdin, read);
            let by_char = val("c").or(val("b"));
            let Some(list) = val("f").or(by_char.clone()) else {
                return Some(fail(
                    "you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n"
                        .into(),
                    1,
                ));
            };
            let Some(ranges) = ranges(&list) else {
                return Some(fail(format!("invalid field value '{list}'\n"), 1));
            };
            let d = val("d").unwrap_or_else(|| "\t".into());
            let Some(dc) = d.chars().next().filter(|_| d.chars().count() == 1) else {
                return Some(fail("the delimiter must be a single character\n".into(), 1));
            };
            let pick = |i: usize| ranges.iter().any(|&(a, b)| i >= a && i <= b);
            let mut out = String::new();
            for l in ins.iter().flat_map(|(_, t)| t.lines()) {
                if by_char.is_some() {
                    out.extend(l.chars().enumerate().filter(|(i, _)| pick(i + 1)).map(|(_, c)| c));
                } else if !l.contains(dc) {
                    if has("s") {
                        continue;
                    }
                    out.push_str(l);
                } else {
                    let fs: Vec<&str> = l
                        .split(dc)
                        .enumerate()
                        .filter(|(i, _)| pick(i + 1))
                        .map(|(_, f)| f)
                        .collect();
                    out.push_str(&fs.join(&dc.to_string()));
                }
                out.push('\n');
            }
            Ran {
                out,
                code: i32::from(!err.is_empty()),
                err,
            }
        }
        "tr" => {
            let del = has("d");
            let squeeze = has("s");
            let (Some(a), b) = (ops.first(), ops.get(1)) else {
                return Some(fail(
                    "missing operand\nTry 'tr --help' for more information.\n".into(),
                    1,
                ));
            };
            let set1 = tr_set(a);
            let set2 = b.map(|b| tr_set(b)).unwrap_or_default();
            if !del && !squeeze && set2.is_empty() {
                return Some(fail(
                    format!("missing operand after '{a}'\nTwo strings must be given when translating.\n"),
                    1,
                ));
            }
            let mut out = String::new();
            let mut last: Option<char> = None;
            for c in stdin.chars() {
                let c = match set1.iter().position(|&x| x == c) {
                    Some(_) if del => continue,
                    Some(i) if !set2.is_empty() => set2[i.min(set2.len() - 1)],
                    _ => c,
                };
                let sq_set = if set2.is_empty() || del { &set1 } else { &set2 };
                if squeeze && last == Some(c) && sq_set.contains(&c) {
                    continue;
                }
                last = Some(c);
                out.push(c);
            }
            ok(out)
        }
        "seq" => {
            let nums: Vec<Option<i64>> = ops.iter().map(|o| o.parse::<i64>().ok()).collect();
            if let Some(bad) = ops.iter().zip(&nums).find(|(_, n)| n.is_none()) {
                return Some(fail(
                    format!(
                        "invalid floating point argument: '{}'\nTry 'seq --help' for more information.\n",
                        bad.0
                    ),
                    1,
                ));
            }
            let n: Vec<i64> = nums.into_iter().flatten().collect();
            let (first, step, last) = match n.as_slice() {
                [l] => (1, 1, *l),
                [f, l] => (*f, 1, *l),
                [f, s, l] if *s != 0 => (*f, *s, *l),
                [_, _, _] => return Some(fail("invalid Zero increment value: '0'\n".into(), 1)),
                [] => {
                    return Some(fail(
                        "missing operand\nTry 'seq --help' for more information.\n".into(),
                        1,
                    ))
                }
                _ => return Some(fail(format!("extra operand '{}'\n", ops[3]), 1)),
            };
            let sep = val("s").unwrap_or_else(|| "\n".into());
            let width = if has("w") {
                first.to_string().len().max(last.to_string().len())
            } else {
                0
            };
            let mut out = String::new();
            let mut x = first;
            while (step > 0 && x <= last) || (step < 0 && x >= last) {
                if !out.is_empty() {
                    out.push_str(&sep);
                }
                out.push_str(&format!("{x:0width$}"));
                if out.len() > LIMIT {
                    return Some(Ran {
                        out,
                        err: format!(
                            "stopped after {} KiB: this lab bounds what one command prints\n",
                            LIMIT / 1024
                        ),
                        code: 141,
                    });
                }
                match x.checked_add(step) {
                    Some(y) => x = y,
                    None => break,
                }
            }
            if !out.is_empty() {
                out.push('\n');
            }
            ok(out)
        }
        "awk" => awk(&opts, &ops, stdin, read),
        _ => return None,
    };
    Some(r)
}

/// `1-3,5,7-` as inclusive ranges (1-based).
fn ranges(list: &str) -> Option<Vec<(usize, usize)>> {
    list.split(',')
        .map(|r| {
            let (a, b) = match r.split_once('-') {
                Some((a, b)) => (a, b),
                None => (r, r),
            };
            let a = if a.is_empty() {
                1
            } else {
                a.parse().ok().filter(|&n| n > 0)?
            };
            let b = if b.is_empty() { usize::MAX } else { b.parse().ok()? };
            Some((a, b))
        })
        .collect()
}

fn unescape(s: &str) -> String {
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
            Some('\\') => out.push('\\'),
            Some(x) => {
                out.push('\\');
                out.push(x);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn tr_set(s: &str) -> Vec<char> {
    let s = s
        .replace("[:upper:]", "A-Z")
        .replace("[:lower:]", "a-z")
        .replace("[:digit:]", "0-9")
        .replace("[:space:]", " \t\n\r")
        .replace("[:blank:]", " \t");
    let cs: Vec<char> = unescape(&s).chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        if i + 2 < cs.len() && cs[i + 1] == '-' && cs[i] <= cs[i + 2] {
            out.extend(cs[i]..=cs[i + 2]);
            i += 3;
        } else {
            out.push(cs[i]);
            i += 1;
        }
    }
    out
}

fn num(s: &str) -> f64 {
    let t = s.trim_start();
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(t.len(), |(i, _)| i);
    t[..end].parse().unwrap_or(0.0)
}

/// Fields split at runs of blanks, or at each `sep`.
fn fields(l: &str, sep: Option<char>) -> Vec<&str> {
    match sep {
        Some(c) if c != ' ' => l.split(c).collect(),
        _ => l.split_whitespace().collect(),
    }
}

fn grep(opts: &[(String, String)], ops: &[String], stdin: &str, read: Reader) -> Ran {
    let has = |c: &str| opts.iter().any(|(n, _)| n == c);
    let num_opt = |c: &str| {
        opts.iter()
            .rev()
            .find(|(n, _)| n == c)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let mut patterns: Vec<String> = opts.iter().filter(|(n, _)| n == "e").map(|(_, v)| v.clone()).collect();
    let mut files = ops.to_vec();
    if patterns.is_empty() {
        if files.is_empty() {
            return fail(
                "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n".into(),
                2,
            );
        }
        patterns.push(files.remove(0));
    }
    for (n, _) in opts {
        if !matches!(
            n.as_str(),
            "i" | "v"
                | "c"
                | "E"
                | "F"
                | "G"
                | "o"
                | "w"
                | "x"
                | "n"
                | "q"
                | "s"
                | "l"
                | "h"
                | "H"
                | "A"
                | "B"
                | "C"
                | "e"
                | "m"
                | "color"
                | "colour"
                | "ignore-case"
                | "invert-match"
                | "count"
                | "quiet"
        ) {
            return fail(
                format!("invalid option -- '{n}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\n"),
                2,
            );
        }
    }
    let icase = has("i") || has("ignore-case");
    let invert = has("v") || has("invert-match");
    let mut res = Vec::new();
    for p in patterns.iter().flat_map(|p| p.split('\n')) {
        let r = if has("F") {
            Ok(Regex::literal(p, icase))
        } else {
            Regex::new(p, has("E"), icase)
        };
        match r {
            Ok(r) => res.push(r),
            Err(e) => return fail(format!("{e}\n"), 2),
        }
    }
    let (word, whole) = (has("w"), has("x"));
    let find = |l: &[char], from: usize| -> Option<(usize, usize)> {
        res.iter()
            .filter_map(|r| r.find_from(l, from, word, whole))
            .min_by_key(|&(a, b)| (a, usize::MAX - b))
    };
    let (ins, mut err) = inputs(&files, stdin, read);
    let named = (ins.len() > 1 || has("H")) && !has("h");
    let after = num_opt("A").or(num_opt("C")).unwrap_or(0);
    let before = num_opt("B").or(num_opt("C")).unwrap_or(0);
    let max = num_opt("m").unwrap_or(usize::MAX);
    let mut out = String::new();
    let mut any = false;
    for (f, t) in &ins {
        let lines: Vec<&str> = t.lines().collect();
        let mut hits = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if hits.len() >= max {
                break;
            }
            let cs: Vec<char> = l.chars().collect();
            if find(&cs, 0).is_some() != invert {
                hits.push(i);
            }
        }
        any |= !hits.is_empty();
        let pre = |sep: char| if named { format!("{f}{sep}") } else { String::new() };
        if has("q") {
            continue;
        }
        if has("l") {
            if !hits.is_empty() {
                out.push_str(&format!("{f}\n"));
            }
            continue;
        }
        if has("c") || has("count") {
            out.push_str(&format!("{}{}\n", pre(':'), hits.len()));
            continue;
        }
        if has("o") {
            for &i in &hits {
                let cs: Vec<char> = lines[i].chars().collect();
                let mut from = 0;
                while let Some((a, b)) = find(&cs, from) {
                    if b > a {
                        let n = if has("n") { format!("{}:", i + 1) } else { String::new() };
                        out.push_str(&format!("{}{n}{}\n", pre(':'), cs[a..b].iter().collect::<String>()));
                    }
                    from = if b > a { b } else { a + 1 };
                    if from > cs.len() || invert {
                        break;
                    }
                }
            }
            continue;
        }
        let mut last: Option<usize> = None;
        for (k, &i) in hits.iter().enumerate() {
            let lo = i.saturating_sub(before).max(last.map_or(0, |l| l + 1));
            let hi = (i + after).min(lines.len().saturating_sub(1));
            let hi = match hits.get(k + 1) {
                Some(&n) if n <= hi => n - 1,
                _ => hi,
            };
            if (before > 0 || after > 0) && last.is_some_and(|l| lo > l + 1) {
                out.push_str("--\n");
            }
            for (j, line) in lines.iter().enumerate().take(hi.max(i) + 1).skip(lo) {
                let sep = if j == i { ':' } else { '-' };
                let n = if has("n") {
                    format!("{}{sep}", j + 1)
                } else {
                    String::new()
                };
                out.push_str(&format!("{}{n}{line}\n", pre(sep)));
            }
            last = Some(hi.max(i));
        }
    }
    let missing = !err.is_empty();
    if has("s") {
        err.clear();
    }
    Ran {
        out,
        err,
        code: if missing && !(any && has("q")) {
            2
        } else {
            i32::from(!any)
        },
    }
}

/// awk for the programs people pipe into: an optional pattern (`NR>1`, `/re/`, `$1=="x"`) and
/// `{print ...}` of fields, `NR`, `NF` and strings.
fn awk(opts: &[(String, String)], ops: &[String], stdin: &str, read: Reader) -> Ran {
    let Some(prog) = ops.first() else {
        return fail(
            "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]\n".into(),
            2,
        );
    };
    let sep = opts.iter().rev().find(|(n, _)| n == "F").map(|(_, v)| unescape(v));
    let unsupported = || {
        fail(
            format!(
                "this lab's awk runs one rule: [PATTERN] {{print EXPR, ...}} (fields $N, $NF, NR, NF, \"text\"), \
                 not '{prog}'\n"
            ),
            2,
        )
    };
    let prog = prog.trim();
    let (pat, action) = match prog.find('{') {
        Some(i) if prog.ends_with('}') => (prog[..i].trim(), prog[i + 1..prog.len() - 1].trim()),
        None => (prog, "print"),
        _ => return unsupported(),
    };
    let action = action.trim_end_matches(';').trim();
    let exprs: Vec<String> = if action == "print" || action == "print $0" {
        vec!["$0".into()]
    } else if let Some(rest) = action.strip_prefix("print") {
        match split_args(rest.trim()) {
            Some(v) => v,
            None => return unsupported(),
        }
    } else {
        return unsupported();
    };
    let re = match pat.strip_prefix('/').and_then(|p| p.strip_suffix('/')) {
        Some(p) => match Regex::new(p, true, false) {
            Ok(r) => Some(r),
            Err(e) => return fail(format!("{e}\n"), 2),
        },
        None => None,
    };
    let cond = if re.is_some() || pat.is_empty() {
        None
    } else {
        let op = ["==", "!=", ">=", "<=", ">", "<"].into_iter().find(|o| pat.contains(o));
        match op {
            Some(o) => {
                let (a, b) = pat.split_once(o).unwrap_or(("", ""));
                Some((a.trim().to_string(), o, b.trim().to_string()))
            }
            None => return unsupported(),
        }
    };
    let (ins, err) = inputs(&ops[1..], stdin, read);
    let mut out = String::new();
    let mut nr = 0;
    for l in ins.iter().flat_map(|(_, t)| t.lines()) {
        nr += 1;
        let fs: Vec<&str> = match &sep {
            Some(s) if s != " " && s.chars().count() == 1 => l.split(s.chars().next().unwrap_or(' ')).collect(),
            Some(s) if s != " " => l.split(s.as_str()).collect(),
            _ => l.split_whitespace().collect(),
        };
        let value = |e: &str| -> String {
            let e = e.trim();
            if let Some(s) = e.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                return unescape(s);
            }
            match e {
                "NR" => return nr.to_string(),
                "NF" => return fs.len().to_string(),
                "$NF" => return fs.last().copied().unwrap_or("").to_string(),
                "$0" => return l.to_string(),
                _ => {}
            }
            if let Some(n) = e.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                return fs.get(n.wrapping_sub(1)).copied().unwrap_or("").to_string();
            }
            e.to_string()
        };
        if let Some(r) = &re {
            let cs: Vec<char> = l.chars().collect();
            if r.find_from(&cs, 0, false, false).is_none() {
                continue;
            }
        }
        if let Some((a, o, b)) = &cond {
            let (x, y) = (value(a), value(b));
            let numeric = x.parse::<f64>().is_ok() && y.parse::<f64>().is_ok();
            let ord = if numeric {
                num(&x).partial_cmp(&num(&y)).unwrap_or(std::cmp::Ordering::Equal)
            } else {
                x.cmp(&y)
            };
            use std::cmp::Ordering::*;
            let pass = match *o {
                "==" => ord == Equal,
                "!=" => ord != Equal,
                ">=" => ord != Less,
                "<=" => ord != Greater,
                ">" => ord == Greater,
                _ => ord == Less,
            };
            if !pass {
                continue;
            }
        }
        let parts: Vec<String> = exprs.iter().map(|e| value(e)).collect();
        out.push_str(&parts.join(" "));
        out.push('\n');
    }
    Ran {
        out,
        code: i32::from(!err.is_empty()),
        err,
    }
}

/// `$1, $2 "x"` as print's arguments (commas separate with a space; juxtaposition joins).
fn split_args(s: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_q = !in_q;
                cur.push(c);
            }
            ',' if !in_q => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    let ok = out.iter().all(|e| {
        let e = e.trim();
        (e.starts_with('"') && e.ends_with('"') && e.len() >= 2)
            || matches!(e, "NR" | "NF" | "$NF" | "$0")
            || e.strip_prefix('$').is_some_and(|n| n.parse::<usize>().is_ok())
    });
    ok.then_some(out)
}

/// `test` / `[`: strings, integers, `!`; file tests are false (the lab has no file system).
pub fn test(a: &[&str]) -> Result<bool, String> {
    let int = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("{s}: integer expression expected"))
    };
    Ok(match a {
        [] => false,
        ["!", rest @ ..] => !test(rest)?,
        [s] => !s.is_empty(),
        ["-z", s] => s.is_empty(),
        ["-n", s] => !s.is_empty(),
        ["-e" | "-f" | "-d" | "-r" | "-s" | "-x", _] => false,
        [x, "=" | "==", y] => x == y,
        [x, "!=", y] => x != y,
        [x, op @ ("-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"), y] => {
            let (x, y) = (int(x)?, int(y)?);
            match *op {
                "-eq" => x == y,
                "-ne" => x != y,
                "-lt" => x < y,
                "-le" => x <= y,
                "-gt" => x > y,
                _ => x >= y,
            }
        }
        [x, "-a", y] => !x.is_empty() && !y.is_empty(),
        [x, "-o", y] => !x.is_empty() || !y.is_empty(),
        [_, op, _] => return Err(format!("{op}: binary operator expected")),
        _ => return Err("too many arguments".into()),
    })
}

// ---- Regular expressions ------------------------------------------------------------------

/// A POSIX basic or extended regular expression (with GNU's `\+ \? \|` in basic ones, `\w`,
/// `\s`, `\b`, `\<`, `\>`), run as a Thompson automaton: time linear in the text per start.
pub struct Regex {
    prog: Vec<Inst>,
    icase: bool,
}

#[derive(Clone, Debug)]
enum Re {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Bol,
    Eol,
    WordB(bool),
    Cat(Vec<Re>),
    Alt(Vec<Re>),
    Rep(Box<Re>, u32, Option<u32>),
}

#[derive(Clone, Debug)]
enum Inst {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
    Split(usize, usize),
    Jmp(usize),
    Bol,
    Eol,
    /// A word boundary (`true`), or not one.
    WordB(bool),
    Match,
}

struct ReParser {
    s: Vec<char>,
    i: usize,
    ere: bool,
}

const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];

impl ReParser {
    fn is(&self, c: char) -> bool {
        // An operator: bare in ERE, after a backslash in BRE.
        if self.ere {
            self.s.get(self.i) == Some(&c)
        } else {
            self.s.get(self.i) == Some(&'\\') && self.s.get(self.i + 1) == Some(&c)
        }
    }
    fn eat(&mut self, c: char) -> bool {
        let y = self.is(c);
        if y {
            self.i += if self.ere { 1 } else { 2 };
        }
        y
    }
    fn alt(&mut self, depth: usize) -> Result<Re, String> {
        if depth > 32 {
            return Err("regular expression too big".into());
        }
        let mut arms = vec![self.cat(depth)?];
        while self.eat('|') {
            arms.push(self.cat(depth)?);
        }
        Ok(if arms.len() == 1 { arms.remove(0) } else { Re::Alt(arms) })
    }
    fn cat(&mut self, depth: usize) -> Result<Re, String> {
        let mut items = Vec::new();
        while self.i < self.s.len() && !self.is('|') && !self.is(')') {
            let mut atom = self.atom(depth, items.is_empty())?;
            loop {
                let (min, max) = if self.s.get(self.i) == Some(&'*') && !(items.is_empty() && is_start(&atom)) {
                    self.i += 1;
                    (0, None)
                } else if self.eat('+') {
                    (1, None)
                } else if self.eat('?') {
                    (0, Some(1))
                } else if self.is('{') {
                    self.eat('{');
                    let body: String = self.s[self.i..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit() || **c == ',')
                        .collect();
                    self.i += body.len();
                    if !self.eat('}') {
                        return Err("Unmatched \\{".into());
                    }
                    let (a, b) = body.split_once(',').unwrap_or((&body, &body));
                    let a: u32 = a.parse().unwrap_or(0);
                    let b: Option<u32> = if b.is_empty() { None } else { b.parse().ok() };
                    if a > 255 || b.is_some_and(|b| b > 255 || b < a) {
                        return Err("Invalid content of \\{\\}".into());
                    }
                    (a, b)
                } else {
                    break;
                };
                atom = Re::Rep(Box::new(atom), min, max);
            }
            items.push(atom);
        }
        Ok(Re::Cat(items))
    }
    fn atom(&mut self, depth: usize, first: bool) -> Result<Re, String> {
        if self.eat('(') {
            let r = self.alt(depth + 1)?;
            if !self.eat(')') {
                return Err("Unmatched ( or \\(".into());
            }
            return Ok(r);
        }
        let c = self.s[self.i];
        self.i += 1;
        Ok(match c {
            '.' => Re::Any,
            '^' if first || self.ere => Re::Bol,
            '$' if self.ere || self.i == self.s.len() || self.is(')') || self.is('|') => Re::Eol,
            '[' => self.class()?,
            '*' if first => Re::Char('*'),
            '\\' => {
                let Some(&e) = self.s.get(self.i) else {
                    return Err("Trailing backslash".into());
                };
                self.i += 1;
                match e {
                    'w' => Re::Class(WORD.to_vec(), false),
                    'W' => Re::Class(WORD.to_vec(), true),
                    's' => Re::Class(vec![(' ', ' '), ('\t', '\r')], false),
                    'S' => Re::Class(vec![(' ', ' '), ('\t', '\r')], true),
                    'b' => Re::WordB(true),
                    'B' => Re::WordB(false),
                    '<' | '>' => Re::WordB(true),
                    c => Re::Char(c),
                }
            }
            ')' if self.ere => return Err("Unmatched ) or \\)".into()),
            c => Re::Char(c),
        })
    }
    fn class(&mut self) -> Result<Re, String> {
        let neg = self.s.get(self.i) == Some(&'^');
        if neg {
            self.i += 1;
        }
        let mut set = Vec::new();
        let mut first = true;
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err("Unmatched [, [^, [:, [., or [=".into());
            };
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.s.get(self.i) == Some(&':') {
                let name: String = self.s[self.i + 1..].iter().take_while(|c| **c != ':').collect();
                self.i += name.len() + 3;
                set.extend(match name.as_str() {
                    "alpha" => vec![('a', 'z'), ('A', 'Z')],
                    "digit" => vec![('0', '9')],
                    "alnum" => vec![('a', 'z'), ('A', 'Z'), ('0', '9')],
                    "upper" => vec![('A', 'Z')],
                    "lower" => vec![('a', 'z')],
                    "space" => vec![(' ', ' '), ('\t', '\r')],
                    "blank" => vec![(' ', ' '), ('\t', '\t')],
                    "xdigit" => vec![('0', '9'), ('a', 'f'), ('A', 'F')],
                    "punct" => vec![('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
                    _ => return Err("Invalid character class name".into()),
                });
                continue;
            }
            if self.s.get(self.i) == Some(&'-') && self.s.get(self.i + 1).is_some_and(|n| *n != ']') {
                let hi = self.s[self.i + 1];
                self.i += 2;
                if hi < c {
                    return Err("Invalid range end".into());
                }
                set.push((c, hi));
            } else {
                set.push((c, c));
            }
        }
        Ok(Re::Class(set, neg))
    }
}

fn is_start(r: &Re) -> bool {
    matches!(r, Re::Bol)
}

fn compile(r: &Re, prog: &mut Vec<Inst>) -> Result<(), String> {
    if prog.len() > 20_000 {
        return Err("regular expression too big".into());
    }
    match r {
        Re::Char(c) => prog.push(Inst::Char(*c)),
        Re::Any => prog.push(Inst::Any),
        Re::Class(s, n) => prog.push(Inst::Class(s.clone(), *n)),
        Re::Bol => prog.push(Inst::Bol),
        Re::Eol => prog.push(Inst::Eol),
        Re::WordB(b) => prog.push(Inst::WordB(*b)),
        Re::Cat(items) => {
            for x in items {
                compile(x, prog)?;
            }
        }
        Re::Alt(arms) => {
            let mut jumps = Vec::new();
            for (k, a) in arms.iter().enumerate() {
                if k + 1 < arms.len() {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(a, prog)?;
                    jumps.push(prog.len());
                    prog.push(Inst::Jmp(0));
                    let next = prog.len();
                    prog[split] = Inst::Split(split + 1, next);
                } else {
                    compile(a, prog)?;
                }
            }
            let end = prog.len();
            for j in jumps {
                prog[j] = Inst::Jmp(end);
            }
        }
        Re::Rep(x, min, max) => {
            for _ in 0..*min {
                compile(x, prog)?;
            }
            match max {
                None => {
                    let split = prog.len();
                    prog.push(Inst::Split(split + 1, 0));
                    compile(x, prog)?;
                    prog.push(Inst::Jmp(split));
                    let end = prog.len();
                    prog[split] = Inst::Split(split + 1, end);
                }
                Some(m) => {
                    let mut splits = Vec::new();
                    for _ in *min..*m {
                        splits.push(prog.len());
                        prog.push(Inst::Split(prog.len() + 1, 0));
                        compile(x, prog)?;
                    }
                    let end = prog.len();
                    for s in splits {
                        prog[s] = Inst::Split(s + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

impl Regex {
    pub fn new(p: &str, ere: bool, icase: bool) -> Result<Regex, String> {
        let mut rp = ReParser {
            s: p.chars().collect(),
            i: 0,
            ere,
        };
        let r = rp.alt(0)?;
        if rp.i < rp.s.len() {
            return Err("Unmatched ) or \\)".into());
        }
        let mut prog = Vec::new();
        compile(&r, &mut prog)?;
        prog.push(Inst::Match);
        Ok(Regex { prog, icase })
    }

    pub fn literal(p: &str, icase: bool) -> Regex {
        let mut prog: Vec<Inst> = p.chars().map(Inst::Char).collect();
        prog.push(Inst::Match);
        Regex { prog, icase }
    }

    fn eq(&self, a: char, b: char) -> bool {
        a == b || (self.icase && a.to_lowercase().eq(b.to_lowercase()))
    }

    fn in_class(&self, c: char, set: &[(char, char)], neg: bool) -> bool {
        let hit = |c: char| set.iter().any(|&(a, b)| c >= a && c <= b);
        let h = hit(c) || (self.icase && (hit(c.to_ascii_lowercase()) || hit(c.to_ascii_uppercase())));
        h != neg
    }

    fn add(&self, list: &mut Vec<usize>, seen: &mut [usize], gen: usize, pc: usize, s: &[char], i: usize) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if seen[pc] == gen {
                continue;
            }
            seen[pc] = gen;
            match &self.prog[pc] {
                Inst::Jmp(x) => stack.push(*x),
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Bol => {
                    if i == 0 {
                        stack.push(pc + 1)
                    }
                }
                Inst::Eol => {
                    if i == s.len() {
                        stack.push(pc + 1)
                    }
                }
                Inst::WordB(want) => {
                    let b = is_word(i.checked_sub(1).and_then(|j| s.get(j))) != is_word(s.get(i));
                    if b == *want {
                        stack.push(pc + 1)
                    }
                }
                _ => list.push(pc),
            }
        }
    }

    /// The longest match starting at `start` whose end passes `ok`.
    fn match_at(&self, s: &[char], start: usize, ok: &dyn Fn(usize) -> bool) -> Option<usize> {
        let mut seen = vec![usize::MAX; self.prog.len()];
        let mut gen = 0;
        let mut cur = Vec::new();
        self.add(&mut cur, &mut seen, gen, 0, s, start);
        let mut best = None;
        let mut i = start;
        loop {
            if cur.iter().any(|&pc| matches!(self.prog[pc], Inst::Match)) && ok(i) {
                best = Some(i);
            }
            if i >= s.len() || cur.is_empty() {
                break;
            }
            gen += 1;
            let mut next = Vec::new();
            for &pc in &cur {
                let step = match &self.prog[pc] {
                    Inst::Char(c) => self.eq(s[i], *c),
                    Inst::Any => true,
                    Inst::Class(set, neg) => self.in_class(s[i], set, *neg),
                    _ => false,
                };
                if step {
                    self.add(&mut next, &mut seen, gen, pc + 1, s, i + 1);
                }
            }
            cur = next;
            i += 1;
        }
        best
    }

    /// The leftmost-longest match at or after `from`: with `word`, one that stands alone as
    /// a word (grep -w); with `whole`, the whole line (grep -x).
    pub fn find_from(&self, s: &[char], from: usize, word: bool, whole: bool) -> Option<(usize, usize)> {
        for a in from..=s.len() {
            if whole && a > 0 {
                return None;
            }
            if word && a > 0 && is_word(s.get(a - 1)) {
                continue;
            }
            let ok = |e: usize| (!word || !is_word(s.get(e))) && (!whole || e == s.len());
            if let Some(e) = self.match_at(s, a, &ok) {
                return Some((a, e));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(cmd: &[&str], input: &str) -> (String, i32) {
        let args: Vec<String> = cmd[1..].iter().map(|s| s.to_string()).collect();
        let r = run(cmd[0], &args, input, &mut |_| Err(String::new())).expect("a text tool");
        (format!("{}{}", r.out, r.err), r.code)
    }

    #[test]
    fn regular_expressions_match_as_grep_does() {
        let m = |p: &str, ere: bool, s: &str| {
            let cs: Vec<char> = s.chars().collect();
            Regex::new(p, ere, false).unwrap().find_from(&cs, 0, false, false)
        };
        assert_eq!(m("b+", true, "abbbc"), Some((1, 4)));
        assert_eq!(
            m("b+", false, "ab+c"),
            Some((1, 3)),
            "+ is literal in a basic expression"
        );
        assert_eq!(m("b\\+", false, "abbc"), Some((1, 3)));
        assert_eq!(m("^a|c$", true, "abc"), Some((0, 1)));
        assert_eq!(m("x(ab)*y", true, "xababy"), Some((0, 6)));
        assert_eq!(m("[0-9]{2,3}", true, "a12345"), Some((1, 4)));
        assert_eq!(m("[^a-c]", true, "abcd"), Some((3, 4)));
        assert_eq!(m("a.c$", false, "abcabc"), Some((3, 6)));
        assert_eq!(m("*a", false, "*a"), Some((0, 2)), "a leading * is literal");
        assert!(Regex::new("(a", true, false).is_err());
        assert!(Regex::new("[a", true, false).is_err());
        // Nested repetition stays linear.
        let long = "a".repeat(2000);
        assert_eq!(m("(a*)*b", true, &long), None);
    }

    #[test]
    fn grep_options() {
        let text = "client_address=10.0.0.1\ncommand=GET\nClient_Address=x\nreal path=/\n";
        assert_eq!(
            run_on(&["grep", "-i", "client_address"], text).0,
            "client_address=10.0.0.1\nClient_Address=x\n"
        );
        assert_eq!(run_on(&["grep", "-c", "=", "-v"], text), ("0\n".into(), 1));
        assert_eq!(run_on(&["grep", "-oE", "[0-9]+"], text).0, "10\n0\n0\n1\n");
        assert_eq!(run_on(&["grep", "-w", "path"], text).0, "real path=/\n");
        assert_eq!(run_on(&["grep", "-w", "pat"], text).1, 1);
        assert_eq!(
            run_on(&["grep", "GET", "-n", "-A", "1"], text).0,
            "2:command=GET\n3-Client_Address=x\n"
        );
        let many = "a\nb\nc\nd\ne\nf\ng\n";
        assert_eq!(
            run_on(&["grep", "-C", "1", "-E", "b|f"], many).0,
            "a\nb\nc\n--\ne\nf\ng\n"
        );
        assert_eq!(run_on(&["grep"], "").1, 2);
    }

    #[test]
    fn the_other_tools() {
        let t = "NAME READY\nweb-1 1/1\nweb-2 0/1\ndb-1 1/1\n";
        assert_eq!(run_on(&["awk", "{print $1}"], t).0, "NAME\nweb-1\nweb-2\ndb-1\n");
        assert_eq!(
            run_on(&["awk", "NR>1 {print $NF, $1}"], t).0,
            "1/1 web-1\n0/1 web-2\n1/1 db-1\n"
        );
        assert_eq!(run_on(&["awk", "-F/", "/web/ {print $2}"], t).0, "1\n1\n");
        assert_eq!(run_on(&["awk", "{x=1}"], t).1, 2);
        assert_eq!(run_on(&["tail", "-n", "+2"], t).0, "web-1 1/1\nweb-2 0/1\ndb-1 1/1\n");
        assert_eq!(run_on(&["head", "-2"], t).0, "NAME READY\nweb-1 1/1\n");
        assert_eq!(run_on(&["tail", "-1"], t).0, "db-1 1/1\n");
        assert_eq!(run_on(&["wc", "-l"], t).0, "4\n");
        assert_eq!(run_on(&["wc"], "a b\nc\n").0, "      2       3       6\n");
        assert_eq!(
            run_on(&["cut", "-d", "-", "-f", "1"], t).0,
            "NAME READY\nweb\nweb\ndb\n"
        );
        assert_eq!(run_on(&["cut", "-c", "1-3"], "abcdef\n").0, "abc\n");
        assert_eq!(run_on(&["sort", "-r"], "b\na\nc\n").0, "c\nb\na\n");
        assert_eq!(run_on(&["sort", "-n"], "10\n9\n100\n").0, "9\n10\n100\n");
        assert_eq!(run_on(&["sort", "-k", "2"], "x b\ny a\n").0, "y a\nx b\n");
        assert_eq!(run_on(&["uniq", "-c"], "a\na\nb\n").0, "      2 a\n      1 b\n");
        assert_eq!(run_on(&["tr", "a-z", "A-Z"], "web\n").0, "WEB\n");
        assert_eq!(run_on(&["tr", "-d", "\\n"], "a\nb\n").0, "ab");
        assert_eq!(run_on(&["tr", "-s", " "], "a   b\n").0, "a b\n");
        assert_eq!(run_on(&["seq", "3"], "").0, "1\n2\n3\n");
        assert_eq!(run_on(&["seq", "-s", " ", "2", "2", "6"], "").0, "2 4 6\n");
        assert_eq!(run_on(&["seq", "5", "-1", "4"], "").0, "5\n4\n");
        let (out, code) = run_on(&["seq", "100000000"], "");
        assert!(code != 0 && out.len() < 2 * LIMIT && out.contains("stopped"));
        assert_eq!(run_on(&["echo", "-n", "a"], "").0, "a");
        assert_eq!(run_on(&["echo", "-e", "a\\tb"], "").0, "a\tb\n");
        assert_eq!(test(&["a", "=", "a"]), Ok(true));
        assert_eq!(test(&["!", "-z", ""]), Ok(false));
        assert_eq!(test(&["3", "-gt", "2"]), Ok(true));
        assert!(test(&["x", "-gt", "2"]).is_err());
    }
}
