//! The shell language of the terminal (a node's bash, a pod's sh or bash, `sh -c` in `kubectl
//! exec`): POSIX quoting, `$X` and `${X}`, `$(...)` and backquotes, pipes, `;`, `&&`, `||`,
//! `!`, redirections to `/dev/null` and between 1 and 2, `for`, `while`, `until`, `if`, `{ }`
//! and `( )`. A line that is not finished (an open quote, a `for` without `done`, a trailing
//! `|`) is [`ParseError::Incomplete`]: the terminal asks for the next line. Running is bounded:
//! a line stops after [`MAX_STEPS`] commands or [`MAX_BYTES`] of output.

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Lit(String),
    Var(String),
    /// `${X:-word}` (`true`: also when X is empty) and `${X-word}`.
    Default(String, bool, Word),
    /// `${X#p}` (1), `${X##p}` (2), `${X%p}` (3), `${X%%p}` (4): a glob pattern removed.
    Trim(String, u8, Word),
    /// `${#X}`.
    Len(String),
    Sub(List),
    Tilde,
}

/// A word before expansion: its parts, each marked quoted or not.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Word(pub Vec<(Part, bool)>);

#[derive(Clone, Debug, PartialEq)]
pub enum RedirOp {
    Out,
    Append,
    In,
    /// `N>&M`.
    Dup,
    /// `<<WORD`: the target is the document's text (expanded unless WORD was quoted).
    Here,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redir {
    pub fd: u8,
    pub op: RedirOp,
    pub target: Word,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cmd {
    Simple {
        assigns: Vec<(String, Word)>,
        words: Vec<Word>,
    },
    For {
        var: String,
        items: Vec<Word>,
        body: List,
    },
    While {
        until: bool,
        cond: List,
        body: List,
    },
    If {
        arms: Vec<(List, List)>,
        other: Option<List>,
    },
    /// `{ ...; }`, or `( ... )` (`true`: a subshell, whose variables do not last).
    Group(List, bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub cmd: Cmd,
    pub redirs: Vec<Redir>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub bang: bool,
    pub cmds: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AndOr {
    pub first: Pipeline,
    /// `true` for `&&`, `false` for `||`.
    pub rest: Vec<(bool, Pipeline)>,
    /// Ended by `&`.
    pub background: bool,
}

pub type List = Vec<AndOr>;

#[derive(Clone, Debug, PartialEq)]
pub enum ParseError {
    /// More input is needed (an open quote, `for` without `done`, a trailing `|` or `\`).
    Incomplete,
    /// The token the shell did not expect (`newline` for the end of the line).
    Syntax(String),
    /// Shell syntax this lab does not run, in the lab's words.
    Unsupported(String),
}

/// Commands one line may run (every simple command counts, loops included).
pub const MAX_STEPS: usize = 1000;
/// Aliases live among the variables under this prefix (no variable name can start so).
const ALIAS: &str = "alias ";

/// Request traces one line hands back for the drawing (the last ones).
pub const MAX_TRACES: usize = 50;
/// Output and pipe data one line may produce.
pub const MAX_BYTES: usize = 1 << 20;
const MAX_DEPTH: usize = 48;

const RESERVED: &[&str] = &[
    "for", "in", "do", "done", "while", "until", "if", "then", "elif", "else", "fi", "{", "}", "!",
];

fn is_delim(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>')
}

pub fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

struct P {
    s: Vec<char>,
    i: usize,
    depth: usize,
    /// Here-documents already read: (the newline they follow, where the next line starts).
    skips: Vec<(usize, usize)>,
}

type R<T> = Result<T, ParseError>;

/// Parses a whole program (one or more lines).
pub fn parse(src: &str) -> R<List> {
    parse_at(src, 0)
}

fn parse_at(src: &str, depth: usize) -> R<List> {
    let mut p = P {
        s: src.chars().collect(),
        i: 0,
        depth,
        skips: Vec::new(),
    };
    let list = p.list(&[], false)?;
    match p.peek() {
        None => Ok(list),
        Some(_) => Err(ParseError::Syntax(p.token())),
    }
}

impl P {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn at(&self, k: usize) -> Option<char> {
        self.s.get(self.i + k).copied()
    }
    fn blanks(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) || (self.peek() == Some('\\') && self.at(1) == Some('\n')) {
            self.i += if self.peek() == Some('\\') { 2 } else { 1 };
        }
        if self.peek() == Some('#') {
            while self.peek().is_some_and(|c| c != '\n') {
                self.i += 1;
            }
        }
    }
    fn newlines(&mut self) {
        loop {
            self.blanks();
            if self.peek() == Some('\n') {
                self.eat_newline();
            } else {
                break;
            }
        }
    }
    /// Steps over a newline, and over the here-documents that follow it.
    fn eat_newline(&mut self) {
        let at = self.i;
        self.i += 1;
        if let Some(&(_, to)) = self.skips.iter().find(|(a, _)| *a == at) {
            self.i = to;
        }
    }
    /// Reads a here-document's body from the line after the current one (or after the
    /// documents already read for it) up to a line that is `delim`.
    fn here_body(&mut self, delim: &str, strip_tabs: bool) -> R<String> {
        let nl = (self.i..self.s.len())
            .find(|&j| self.s[j] == '\n')
            .ok_or(ParseError::Incomplete)?;
        let mut pos = self.skips.iter().find(|(a, _)| *a == nl).map_or(nl + 1, |s| s.1);
        let mut body = String::new();
        loop {
            if pos >= self.s.len() {
                return Err(ParseError::Incomplete);
            }
            let end = (pos..self.s.len()).find(|&j| self.s[j] == '\n');
            let line: String = self.s[pos..end.unwrap_or(self.s.len())].iter().collect();
            let line = if strip_tabs {
                line.trim_start_matches('\t').to_string()
            } else {
                line
            };
            pos = end.map_or(self.s.len(), |e| e + 1);
            if line == delim {
                break;
            }
            if end.is_none() {
                return Err(ParseError::Incomplete);
            }
            body.push_str(&line);
            body.push('\n');
        }
        match self.skips.iter_mut().find(|(a, _)| *a == nl) {
            Some(s) => s.1 = pos,
            None => self.skips.push((nl, pos)),
        }
        Ok(body)
    }
    /// The next token, for a syntax error.
    fn token(&self) -> String {
        let rest: String = self.s[self.i.min(self.s.len())..].iter().take(2).collect();
        for op in [";;", "&&", "||", ">>", "<<"] {
            if rest.starts_with(op) {
                return op.into();
            }
        }
        match self.peek() {
            None | Some('\n') => "newline".into(),
            Some(c) if is_delim(c) => c.to_string(),
            _ => self.s[self.i..].iter().take_while(|c| !is_delim(**c)).collect(),
        }
    }
    fn syntax<T>(&self) -> R<T> {
        if self.peek().is_none() {
            Err(ParseError::Incomplete)
        } else {
            Err(ParseError::Syntax(self.token()))
        }
    }
    /// The reserved word at the cursor (after blanks), if one stands there alone.
    fn reserved(&mut self) -> Option<&'static str> {
        self.blanks();
        RESERVED.iter().copied().find(|w| {
            let n = w.chars().count();
            self.s.len() >= self.i + n
                && self.s[self.i..self.i + n].iter().copied().eq(w.chars())
                && self.at(n).is_none_or(is_delim)
        })
    }
    fn expect(&mut self, word: &str) -> R<()> {
        self.newlines();
        match self.reserved() {
            Some(w) if w == word => {
                self.i += w.len();
                Ok(())
            }
            _ => self.syntax(),
        }
    }

    fn list(&mut self, stops: &[&str], close: bool) -> R<List> {
        let mut list = Vec::new();
        loop {
            self.newlines();
            match self.peek() {
                None => break,
                Some(')') if close => break,
                _ => {}
            }
            if self.reserved().is_some_and(|w| stops.contains(&w)) {
                break;
            }
            let mut ao = self.and_or()?;
            self.blanks();
            match self.peek() {
                Some(';') if self.at(1) == Some(';') => return self.syntax(),
                Some(';') => self.i += 1,
                Some('\n') => self.eat_newline(),
                Some('&') => {
                    self.i += 1;
                    ao.background = true;
                }
                None => {}
                Some(')') if close => {}
                Some(_) => return self.syntax(),
            }
            list.push(ao);
        }
        Ok(list)
    }

    fn and_or(&mut self) -> R<AndOr> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.blanks();
            let and = match (self.peek(), self.at(1)) {
                (Some('&'), Some('&')) => true,
                (Some('|'), Some('|')) => false,
                _ => break,
            };
            self.i += 2;
            self.newlines();
            rest.push((and, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> R<Pipeline> {
        let bang = self.reserved() == Some("!");
        if bang {
            self.i += 1;
        }
        let mut cmds = vec![self.command()?];
        loop {
            self.blanks();
            if self.peek() == Some('|') && self.at(1) != Some('|') {
                self.i += 1;
                self.newlines();
                cmds.push(self.command()?);
            } else {
                break;
            }
        }
        Ok(Pipeline { bang, cmds })
    }

    fn command(&mut self) -> R<Command> {
        self.blanks();
        if self.depth > MAX_DEPTH {
            return Err(ParseError::Unsupported("commands nested this deep".into()));
        }
        self.depth += 1;
        let cmd = match self.reserved() {
            Some("for") => {
                self.i += 3;
                self.blanks();
                let var: String = self.s[self.i..].iter().take_while(|c| !is_delim(**c)).collect();
                if !is_name(&var) {
                    return self.syntax();
                }
                self.i += var.len();
                self.newlines();
                let mut items = Vec::new();
                if self.reserved() == Some("in") {
                    self.i += 2;
                    loop {
                        self.blanks();
                        match self.peek() {
                            Some(';') => {
                                self.i += 1;
                                break;
                            }
                            Some('\n') => {
                                self.eat_newline();
                                break;
                            }
                            None => return Err(ParseError::Incomplete),
                            Some(c) if is_delim(c) => return self.syntax(),
                            _ => items.push(self.word()?),
                        }
                    }
                } else if self.peek() == Some(';') {
                    self.i += 1;
                }
                let body = self.body("do", "done")?;
                Cmd::For { var, items, body }
            }
            Some(w @ ("while" | "until")) => {
                self.i += w.len();
                let cond = self.part(&["do"])?;
                let body = self.body("do", "done")?;
                Cmd::While {
                    until: w == "until",
                    cond,
                    body,
                }
            }
            Some("if") => {
                self.i += 2;
                let mut arms = Vec::new();
                let mut other = None;
                loop {
                    let cond = self.part(&["then"])?;
                    self.expect("then")?;
                    let body = self.part(&["elif", "else", "fi"])?;
                    arms.push((cond, body));
                    self.newlines();
                    match self.reserved() {
                        Some("elif") => self.i += 4,
                        Some("else") => {
                            self.i += 4;
                            other = Some(self.part(&["fi"])?);
                            self.expect("fi")?;
                            break;
                        }
                        _ => {
                            self.expect("fi")?;
                            break;
                        }
                    }
                }
                Cmd::If { arms, other }
            }
            Some("{") => {
                self.i += 1;
                let l = self.part(&["}"])?;
                self.expect("}")?;
                Cmd::Group(l, false)
            }
            Some(_) => return self.syntax(),
            None if self.peek() == Some('(') => {
                self.i += 1;
                let l = self.list(&[], true)?;
                if l.is_empty() || self.peek() != Some(')') {
                    return self.syntax();
                }
                self.i += 1;
                Cmd::Group(l, true)
            }
            None => return self.simple(),
        };
        self.depth -= 1;
        let mut redirs = Vec::new();
        loop {
            self.blanks();
            match self.redir()? {
                Some(r) => redirs.push(r),
                None => break,
            }
        }
        Ok(Command { cmd, redirs })
    }

    /// A list that must not be empty, ended by one of `stops`.
    fn part(&mut self, stops: &[&str]) -> R<List> {
        let l = self.list(stops, false)?;
        self.newlines();
        if l.is_empty() {
            return self.syntax();
        }
        Ok(l)
    }

    fn body(&mut self, open: &str, close: &str) -> R<List> {
        self.expect(open)?;
        let l = self.part(&[close])?;
        self.expect(close)?;
        Ok(l)
    }

    fn simple(&mut self) -> R<Command> {
        let mut assigns = Vec::new();
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        loop {
            self.blanks();
            match self.peek() {
                None | Some(';' | '&' | '|' | ')' | '\n') => break,
                Some('(') => return self.syntax(),
                _ => {}
            }
            if let Some(r) = self.redir()? {
                redirs.push(r);
                continue;
            }
            let w = self.word()?;
            if words.is_empty() {
                if let Some((Part::Lit(s), false)) = w.0.first() {
                    if let Some((name, v)) = s.split_once('=') {
                        if is_name(name) {
                            let mut val = Word(vec![(Part::Lit(v.to_string()), false)]);
                            val.0.extend(w.0[1..].iter().cloned());
                            assigns.push((name.to_string(), val));
                            continue;
                        }
                    }
                }
            }
            words.push(w);
        }
        self.depth -= 1;
        if words.is_empty() && assigns.is_empty() && redirs.is_empty() {
            return self.syntax();
        }
        Ok(Command {
            cmd: Cmd::Simple { assigns, words },
            redirs,
        })
    }

    fn redir(&mut self) -> R<Option<Redir>> {
        let start = self.i;
        let mut fd = None;
        if let (Some(d @ '0'..='9'), Some('<' | '>')) = (self.peek(), self.at(1)) {
            fd = Some(d as u8 - b'0');
            self.i += 1;
        }
        let mut op = match self.peek() {
            Some('>') if self.at(1) == Some('>') => {
                self.i += 2;
                RedirOp::Append
            }
            Some('>') => {
                self.i += 1;
                RedirOp::Out
            }
            Some('<') if self.at(1) == Some('<') => {
                self.i += 2;
                let strip = self.peek() == Some('-');
                if strip {
                    self.i += 1;
                }
                self.blanks();
                if self.peek().is_none_or(is_delim) {
                    return Err(ParseError::Syntax(self.token()));
                }
                let w = self.word()?;
                let quoted = w.0.iter().any(|(_, q)| *q);
                let delim: String =
                    w.0.iter()
                        .map(|(p, _)| match p {
                            Part::Lit(l) => l.clone(),
                            _ => String::new(),
                        })
                        .collect();
                let body = self.here_body(&delim, strip)?;
                let target = if quoted {
                    Word(vec![(Part::Lit(body), true)])
                } else {
                    let mut sub = P {
                        s: body.chars().collect(),
                        i: 0,
                        depth: self.depth + 1,
                        skips: Vec::new(),
                    };
                    sub.document()?
                };
                return Ok(Some(Redir {
                    fd: fd.unwrap_or(0),
                    op: RedirOp::Here,
                    target,
                }));
            }
            Some('<') => {
                self.i += 1;
                RedirOp::In
            }
            _ => {
                self.i = start;
                return Ok(None);
            }
        };
        if self.peek() == Some('&') && op != RedirOp::Append {
            self.i += 1;
            op = RedirOp::Dup;
        }
        self.blanks();
        if self.peek().is_none_or(is_delim) {
            return Err(ParseError::Syntax(self.token()));
        }
        let target = self.word()?;
        let fd = fd.unwrap_or(if op == RedirOp::In { 0 } else { 1 });
        Ok(Some(Redir { fd, op, target }))
    }

    fn word(&mut self) -> R<Word> {
        let mut parts: Vec<(Part, bool)> = Vec::new();
        let mut lit = String::new();
        let start = self.i;
        fn flush(parts: &mut Vec<(Part, bool)>, lit: &mut String) {
            if !lit.is_empty() {
                parts.push((Part::Lit(std::mem::take(lit)), false));
            }
        }
        while let Some(c) = self.peek() {
            match c {
                c if is_delim(c) => break,
                '\'' => {
                    flush(&mut parts, &mut lit);
                    self.i += 1;
                    let mut q = String::new();
                    loop {
                        match self.peek() {
                            Some('\'') => break,
                            Some(x) => q.push(x),
                            None => return Err(ParseError::Incomplete),
                        }
                        self.i += 1;
                    }
                    self.i += 1;
                    parts.push((Part::Lit(q), true));
                }
                '"' => {
                    flush(&mut parts, &mut lit);
                    self.i += 1;
                    self.dquote(&mut parts)?;
                }
                '\\' => {
                    self.i += 1;
                    match self.peek() {
                        None => return Err(ParseError::Incomplete),
                        Some('\n') => self.i += 1,
                        Some(x) => {
                            flush(&mut parts, &mut lit);
                            parts.push((Part::Lit(x.to_string()), true));
                            self.i += 1;
                        }
                    }
                }
                '$' => {
                    flush(&mut parts, &mut lit);
                    self.dollar(&mut parts, false)?;
                }
                '`' => {
                    flush(&mut parts, &mut lit);
                    self.backquote(&mut parts, false)?;
                }
                '~' if self.i == start && self.at(1).is_none_or(|n| n == '/' || is_delim(n)) => {
                    self.i += 1;
                    parts.push((Part::Tilde, false));
                }
                c => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        flush(&mut parts, &mut lit);
        Ok(Word(parts))
    }

    fn dquote(&mut self, parts: &mut Vec<(Part, bool)>) -> R<()> {
        let mut lit = String::new();
        let mut any = false;
        loop {
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some('"') => {
                    self.i += 1;
                    break;
                }
                Some('\\') => {
                    match self.at(1) {
                        Some('\n') => {}
                        Some(x @ ('"' | '\\' | '$' | '`')) => lit.push(x),
                        Some(x) => {
                            lit.push('\\');
                            lit.push(x);
                        }
                        None => return Err(ParseError::Incomplete),
                    }
                    self.i += 2;
                }
                Some(c @ ('$' | '`')) => {
                    if !lit.is_empty() {
                        parts.push((Part::Lit(std::mem::take(&mut lit)), true));
                    }
                    any = true;
                    if c == '$' {
                        self.dollar(parts, true)?;
                    } else {
                        self.backquote(parts, true)?;
                    }
                }
                Some(c) => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        if !lit.is_empty() || !any {
            parts.push((Part::Lit(lit), true));
        }
        Ok(())
    }

    /// A here-document's text as a word: `$` expansions and backquotes, `\\` escapes of `$`,
    /// `` ` `` and `\\`; everything else as written, quoted (no field splitting).
    fn document(&mut self) -> R<Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        while let Some(c) = self.peek() {
            match c {
                '\\' if matches!(self.at(1), Some('$' | '`' | '\\')) => {
                    lit.push(self.at(1).unwrap_or('\\'));
                    self.i += 2;
                }
                '$' | '`' => {
                    if !lit.is_empty() {
                        parts.push((Part::Lit(std::mem::take(&mut lit)), true));
                    }
                    if c == '$' {
                        self.dollar(&mut parts, true)?;
                    } else {
                        self.backquote(&mut parts, true)?;
                    }
                }
                c => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        parts.push((Part::Lit(lit), true));
        Ok(Word(parts))
    }

    fn dollar(&mut self, parts: &mut Vec<(Part, bool)>, q: bool) -> R<()> {
        self.i += 1;
        match self.peek() {
            Some('{') => {
                self.i += 1;
                if self.peek() == Some('#') && self.at(1).is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
                    self.i += 1;
                    let name: String = self.s[self.i..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                        .collect();
                    self.i += name.len();
                    if self.peek() != Some('}') {
                        return Err(ParseError::Unsupported(self.bad_sub()));
                    }
                    self.i += 1;
                    parts.push((Part::Len(name), q));
                    return Ok(());
                }
                let name: String = self.s[self.i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                self.i += name.len();
                let name = if name.is_empty() {
                    match self.peek() {
                        Some(c @ ('?' | '$' | '#' | '@' | '*' | '!')) => {
                            self.i += 1;
                            c.to_string()
                        }
                        None => return Err(ParseError::Incomplete),
                        _ => return Err(ParseError::Unsupported(self.bad_sub())),
                    }
                } else {
                    name
                };
                match self.peek() {
                    Some('}') => {
                        self.i += 1;
                        parts.push((Part::Var(name), q));
                    }
                    Some(':') if self.at(1) == Some('-') => {
                        self.i += 2;
                        let w = self.brace_word()?;
                        parts.push((Part::Default(name, true, w), q));
                    }
                    Some('-') => {
                        self.i += 1;
                        let w = self.brace_word()?;
                        parts.push((Part::Default(name, false, w), q));
                    }
                    Some(c @ ('#' | '%')) => {
                        let double = self.at(1) == Some(c);
                        self.i += 1 + usize::from(double);
                        let op = if c == '#' { 1 } else { 3 } + u8::from(double);
                        let w = self.brace_word()?;
                        parts.push((Part::Trim(name, op, w), q));
                    }
                    None => return Err(ParseError::Incomplete),
                    _ => return Err(ParseError::Unsupported(self.bad_sub())),
                }
            }
            Some('(') if self.at(1) == Some('(') => {
                return Err(ParseError::Unsupported("arithmetic $((...)); seq counts".into()))
            }
            Some('(') => {
                self.i += 1;
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(ParseError::Unsupported("commands nested this deep".into()));
                }
                let l = self.list(&[], true)?;
                self.depth -= 1;
                match self.peek() {
                    Some(')') => self.i += 1,
                    _ => return self.syntax(),
                }
                parts.push((Part::Sub(l), q));
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let name: String = self.s[self.i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                self.i += name.len();
                parts.push((Part::Var(name), q));
            }
            Some(c @ ('0'..='9' | '?' | '$' | '#' | '@' | '*' | '!')) => {
                self.i += 1;
                parts.push((Part::Var(c.to_string()), q));
            }
            _ => parts.push((Part::Lit("$".into()), q)),
        }
        Ok(())
    }

    fn bad_sub(&self) -> String {
        let from = self.s[..self.i].iter().rposition(|c| *c == '{').unwrap_or(0);
        let text: String = self.s[from..].iter().take_while(|c| **c != '}').collect();
        format!("${text}}}; it runs ${{X}}, ${{#X}}, ${{X:-w}}, ${{X-w}}, ${{X#p}}, ${{X##p}}, ${{X%p}} and ${{X%%p}}")
    }

    /// The word after `:-` in `${X:-word}`, up to the closing brace.
    fn brace_word(&mut self) -> R<Word> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some('}') => {
                    self.i += 1;
                    break;
                }
                Some('$') => {
                    if !lit.is_empty() {
                        parts.push((Part::Lit(std::mem::take(&mut lit)), false));
                    }
                    self.dollar(&mut parts, false)?;
                }
                Some('"') => {
                    self.i += 1;
                    self.dquote(&mut parts)?;
                }
                Some(c) => {
                    lit.push(c);
                    self.i += 1;
                }
            }
        }
        if !lit.is_empty() {
            parts.push((Part::Lit(lit), false));
        }
        Ok(Word(parts))
    }

    fn backquote(&mut self, parts: &mut Vec<(Part, bool)>, q: bool) -> R<()> {
        self.i += 1;
        let mut inner = String::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::Incomplete),
                Some('`') => break,
                Some('\\') if matches!(self.at(1), Some('`' | '\\' | '$')) => {
                    inner.push(self.at(1).unwrap_or('\\'));
                    self.i += 1;
                }
                Some(c) => inner.push(c),
            }
            self.i += 1;
        }
        self.i += 1;
        let l = match parse_at(&inner, self.depth + 1) {
            Ok(l) => l,
            Err(ParseError::Incomplete) => return Err(ParseError::Syntax("`".into())),
            Err(e) => return Err(e),
        };
        parts.push((Part::Sub(l), q));
        Ok(())
    }
}

/// The simple commands of a parsed line that run a program (their words), outermost first,
/// each followed by the commands of its substitutions (an assignment's too): the order of
/// [`simple_commands`], which [`Ctx::watch`] numbers the same way.
fn simples<'a>(l: &'a List, out: &mut Vec<&'a [Word]>) {
    fn subs<'a>(ws: &'a [Word], out: &mut Vec<&'a [Word]>) {
        for w in ws {
            for (p, _) in &w.0 {
                if let Part::Sub(l) = p {
                    simples(l, out);
                }
            }
        }
    }
    for ao in l {
        for p in std::iter::once(&ao.first).chain(ao.rest.iter().map(|(_, p)| p)) {
            for c in &p.cmds {
                match &c.cmd {
                    Cmd::Simple { assigns, words } => {
                        if !words.is_empty() {
                            out.push(words);
                        }
                        for (_, w) in assigns {
                            subs(std::slice::from_ref(w), out);
                        }
                        subs(words, out);
                    }
                    Cmd::For { items, body, .. } => {
                        subs(items, out);
                        simples(body, out);
                    }
                    Cmd::While { cond, body, .. } => {
                        simples(cond, out);
                        simples(body, out);
                    }
                    Cmd::If { arms, other } => {
                        for (c, b) in arms {
                            simples(c, out);
                            simples(b, out);
                        }
                        if let Some(o) = other {
                            simples(o, out);
                        }
                    }
                    Cmd::Group(l, _) => simples(l, out),
                }
            }
        }
    }
}

/// The words of each simple command of a line as written (variables and substitutions left as
/// `$X` and `$(...)`, quotes removed), outermost first, with the commands inside substitutions
/// (an assignment's included). `None` when the line does not parse.
pub fn simple_commands(line: &str) -> Option<Vec<Vec<String>>> {
    let l = parse(line).ok()?;
    let mut cmds = Vec::new();
    simples(&l, &mut cmds);
    let word = |w: &Word| {
        let mut s = String::new();
        for (p, _) in &w.0 {
            match p {
                Part::Lit(l) => s.push_str(l),
                Part::Var(v) | Part::Default(v, _, _) | Part::Trim(v, _, _) | Part::Len(v) => {
                    s.push('$');
                    s.push_str(v);
                }
                Part::Sub(_) => s.push_str("$(...)"),
                Part::Tilde => s.push('~'),
            }
        }
        s
    };
    Some(cmds.iter().map(|ws| ws.iter().map(word).collect()).collect())
}

// ---- Running ----------------------------------------------------------------------------

use super::net::Trace;
use super::shell::{Output, Session, Shell};
use super::textutil;

/// What a command wrote, in order, by file descriptor (1 or 2).
#[derive(Clone, Debug, Default)]
pub struct Stream(pub Vec<(u8, String)>);

impl Stream {
    pub fn put(&mut self, fd: u8, s: &str) {
        if s.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some((f, t)) if *f == fd => t.push_str(s),
            _ => self.0.push((fd, s.to_string())),
        }
    }
    fn fd(&self, fd: u8) -> String {
        self.0
            .iter()
            .filter(|(f, _)| *f == fd)
            .map(|(_, t)| t.as_str())
            .collect()
    }
    fn len(&self) -> usize {
        self.0.iter().map(|(_, t)| t.len()).sum()
    }
}

/// What a command reads: the rest of a pipe or a file.
#[derive(Clone, Debug, Default)]
pub struct Input {
    text: String,
    pos: usize,
}

impl Input {
    fn new(text: String) -> Input {
        Input { text, pos: 0 }
    }
    /// All that is left (the command reads it to the end).
    fn take(&mut self) -> String {
        let s = self.text[self.pos..].to_string();
        self.pos = self.text.len();
        s
    }
    fn line(&mut self) -> Option<String> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.pos..];
        let n = rest.find('\n').map_or(rest.len(), |i| i + 1);
        self.pos += n;
        Some(rest[..n].trim_end_matches('\n').to_string())
    }
}

/// One run of the shell language: where, its variables and what is left of its budget.
pub struct Ctx {
    pub at: Session,
    pub vars: Vec<(String, String)>,
    pub status: i32,
    steps: usize,
    bytes: usize,
    /// Set when the line must stop (the budget ran out, or `exit`).
    stop: Option<String>,
    pub traces: Vec<Trace>,
    /// Command substitutions run so far.
    subs: usize,
    /// The terminal's own shell, where `exit` leaves a pod's shell.
    top: bool,
    /// Standard output is the terminal.
    tty: bool,
    /// The watched line's simple commands (where their words live, in [`simple_commands`]'
    /// order, the first [`WATCHED`]) and each one's own exit status: 0 once any run of it
    /// succeeded, else its last run's; `None` while it has not run.
    watched: Vec<usize>,
    pub codes: Vec<Option<u8>>,
    /// For a watched `sh -c TEXT` (by its number), the own statuses of TEXT's commands.
    pub inner: Vec<(u8, Vec<Option<u8>>)>,
}

/// Simple commands of a line whose own exit status is kept for grading.
pub const WATCHED: usize = 64;

impl Ctx {
    pub fn new(at: Session, vars: Vec<(String, String)>, top: bool) -> Ctx {
        Ctx {
            at,
            vars,
            status: 0,
            steps: 0,
            bytes: 0,
            stop: None,
            traces: Vec::new(),
            subs: 0,
            top,
            tty: true,
            watched: Vec::new(),
            codes: Vec::new(),
            inner: Vec::new(),
        }
    }
    /// Keeps the own exit status of each simple command of `l` (the line about to run), for
    /// grading: in a pipe, a list or a loop each program has its own.
    pub fn watch(&mut self, l: &List) {
        let mut cmds = Vec::new();
        simples(l, &mut cmds);
        self.watched = cmds.iter().take(WATCHED).map(|ws| ws.as_ptr() as usize).collect();
        self.codes = vec![None; self.watched.len()];
    }
    fn set(&mut self, name: &str, value: String) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some(v) => v.1 = value,
            None => self.vars.push((name.to_string(), value)),
        }
    }
}

/// The shell's name in its messages: `-bash` on a node, `bash` or `/bin/sh` in a pod.
pub fn shell_name(at: &Session) -> &str {
    match at {
        Session::Node(_) => "-bash",
        Session::Pod { shell, .. } if shell.ends_with("bash") => "bash",
        Session::Pod { .. } => "/bin/sh",
    }
}

/// How a shell reports a line it cannot parse.
pub fn parse_error(at: &Session, e: &ParseError) -> String {
    let name = shell_name(at);
    let ash = name == "/bin/sh";
    match e {
        ParseError::Incomplete if ash => format!("{name}: syntax error: unexpected end of file\n"),
        ParseError::Incomplete => format!("{name}: syntax error: unexpected end of file\n"),
        ParseError::Syntax(t) if ash => format!("{name}: syntax error: unexpected \"{t}\"\n"),
        ParseError::Syntax(t) => format!("{name}: syntax error near unexpected token `{t}'\n"),
        ParseError::Unsupported(what) => format!("{name}: this lab's shell does not run {what}\n"),
    }
}

/// Whether a shell pattern (`*`, `?`, other characters as themselves) matches all of `s`.
fn glob(p: &[char], s: &[char]) -> bool {
    // Iterative with one backtrack point: linear in practice, never exponential.
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = si;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[derive(Clone, Copy, PartialEq)]
enum Dest {
    Fd(u8),
    Null,
}

impl Shell {
    /// Parses and runs a program at `at` with its own variables (`sh -c`): the output as the
    /// terminal shows it.
    pub fn run_text(&mut self, at: Session, text: &str) -> Output {
        match parse(text) {
            Ok(l) => {
                let mut ctx = Ctx::new(at, Vec::new(), false);
                ctx.watch(&l);
                let out = self.run_list(&mut ctx, &l);
                self.sub_codes = ctx.codes;
                out
            }
            Err(e) => Output::err(parse_error(&at, &e), 2),
        }
    }

    /// Runs a parsed line; what both streams wrote, in order.
    pub fn run_list(&mut self, ctx: &mut Ctx, l: &List) -> Output {
        let mut s = Stream::default();
        self.exec_list(ctx, l, &mut Input::default(), &mut s);
        let mut text: String = s.0.iter().map(|(_, t)| t.as_str()).collect();
        if let Some(why) = ctx.stop.take().filter(|w| !w.is_empty()) {
            text.push_str(&why);
        }
        Output {
            text,
            code: ctx.status,
            traces: std::mem::take(&mut ctx.traces),
        }
    }

    fn exec_list(&mut self, ctx: &mut Ctx, l: &List, input: &mut Input, out: &mut Stream) {
        for ao in l {
            if ctx.stop.is_some() {
                return;
            }
            self.background = ao.background;
            self.exec_pipeline(ctx, &ao.first, input, out);
            for (and, p) in &ao.rest {
                if ctx.stop.is_some() {
                    return;
                }
                if *and == (ctx.status == 0) {
                    self.exec_pipeline(ctx, p, input, out);
                }
            }
        }
    }

    fn exec_pipeline(&mut self, ctx: &mut Ctx, p: &Pipeline, input: &mut Input, out: &mut Stream) {
        let n = p.cmds.len();
        let mut piped = Input::default();
        let tty = ctx.tty;
        for (k, c) in p.cmds.iter().enumerate() {
            let mut s = Stream::default();
            ctx.tty = tty && k + 1 == n;
            if k == 0 {
                self.exec_command(ctx, c, input, &mut s);
            } else {
                self.exec_command(ctx, c, &mut piped, &mut s);
            }
            ctx.tty = tty;
            if k + 1 < n {
                piped = Input::new(s.fd(1));
                for (f, t) in s.0.iter().filter(|(f, _)| *f != 1) {
                    out.put(*f, t);
                }
            } else {
                for (f, t) in &s.0 {
                    out.put(*f, t);
                }
            }
        }
        if p.bang {
            ctx.status = i32::from(ctx.status == 0);
        }
    }

    fn exec_command(&mut self, ctx: &mut Ctx, c: &Command, input: &mut Input, out: &mut Stream) {
        let mut map = [Dest::Fd(0), Dest::Fd(1), Dest::Fd(2)];
        let mut own: Option<Input> = None;
        for r in &c.redirs {
            let target = self.expand_str(ctx, &r.target, out);
            let fd = usize::from(r.fd);
            let fail = |out: &mut Stream, ctx: &mut Ctx, msg: String| {
                out.put(2, &format!("{}: {msg}\n", shell_name(&ctx.at)));
                ctx.status = 1;
            };
            match r.op {
                RedirOp::Dup => match target.as_str() {
                    "0" | "1" | "2" if fd < 3 => map[fd] = map[usize::from(target.as_bytes()[0] - b'0')],
                    "-" if fd < 3 => map[fd] = Dest::Null,
                    _ if fd < 3 => return fail(out, ctx, format!("{target}: ambiguous redirect")),
                    _ => {}
                },
                RedirOp::Out | RedirOp::Append => {
                    let d = match target.as_str() {
                        "/dev/null" => Dest::Null,
                        "/dev/stdout" | "/dev/tty" => map[1],
                        "/dev/stderr" => map[2],
                        _ => {
                            return fail(
                                out,
                                ctx,
                                format!(
                                    "{target}: this lab's shell writes no files (the editor holds them): \
                                     redirect to /dev/null or pipe instead"
                                ),
                            )
                        }
                    };
                    if fd < 3 {
                        map[fd] = d;
                    }
                }
                RedirOp::Here => own = Some(Input::new(target)),
                RedirOp::In => match self.read_path(&ctx.at.clone(), &target) {
                    Ok(t) => own = Some(Input::new(t)),
                    Err(_) => return fail(out, ctx, format!("{target}: No such file or directory")),
                },
            }
        }
        let mut s = Stream::default();
        let input = own.as_mut().unwrap_or(input);
        let tty = ctx.tty;
        ctx.tty = tty && map[1] == Dest::Fd(1);
        self.run_body(ctx, c, input, &mut s);
        ctx.tty = tty;
        for (f, t) in &s.0 {
            if let Dest::Fd(k) = map[usize::from(*f).min(2)] {
                out.put(k, t);
            }
        }
    }

    fn run_body(&mut self, ctx: &mut Ctx, c: &Command, input: &mut Input, s: &mut Stream) {
        match &c.cmd {
            Cmd::Simple { assigns, words } => self.exec_simple(ctx, assigns, words, input, s),
            Cmd::Group(l, sub) => {
                let saved = sub.then(|| ctx.vars.clone());
                self.exec_list(ctx, l, input, s);
                if let Some(v) = saved {
                    ctx.vars = v;
                    if ctx.stop.as_deref() == Some("") {
                        ctx.stop = None;
                    }
                }
            }
            Cmd::For { var, items, body } => {
                let values = self.expand_words(ctx, items, s);
                ctx.status = 0;
                for v in values {
                    if ctx.stop.is_some() {
                        break;
                    }
                    ctx.set(var, v);
                    self.exec_list(ctx, body, input, s);
                }
            }
            Cmd::While { until, cond, body } => {
                let mut last = 0;
                loop {
                    self.exec_list(ctx, cond, input, s);
                    if ctx.stop.is_some() || (ctx.status == 0) == *until {
                        break;
                    }
                    self.exec_list(ctx, body, input, s);
                    last = ctx.status;
                    if ctx.stop.is_some() {
                        break;
                    }
                }
                if ctx.stop.is_none() {
                    ctx.status = last;
                }
            }
            Cmd::If { arms, other } => {
                let mut done = false;
                for (cond, body) in arms {
                    self.exec_list(ctx, cond, input, s);
                    if ctx.stop.is_some() {
                        return;
                    }
                    if ctx.status == 0 {
                        self.exec_list(ctx, body, input, s);
                        done = true;
                        break;
                    }
                }
                if !done {
                    match other {
                        Some(o) => self.exec_list(ctx, o, input, s),
                        None => ctx.status = 0,
                    }
                }
            }
        }
    }

    fn exec_simple(
        &mut self,
        ctx: &mut Ctx,
        assigns: &[(String, Word)],
        words: &[Word],
        input: &mut Input,
        out: &mut Stream,
    ) {
        let id = words.as_ptr() as usize;
        ctx.steps += 1;
        if ctx.steps > MAX_STEPS {
            ctx.status = 130;
            ctx.stop = Some(format!(
                "svclab: stopped after {MAX_STEPS} commands on one line; a real shell would go on until Ctrl-C\n"
            ));
            return;
        }
        let subs = ctx.subs;
        let words = self.expand_words(ctx, words, out);
        if words.is_empty() {
            for (n, w) in assigns {
                let v = self.expand_str(ctx, w, out);
                ctx.set(n, v);
            }
            // An assignment's status is its last command substitution's, else 0.
            if ctx.subs == subs {
                ctx.status = 0;
            }
            return;
        }
        ctx.status = 0;
        // An alias replaces the first word (`alias k=kubectl` is already how `k` works).
        let words = match ctx
            .vars
            .iter()
            .find(|(n, _)| n.strip_prefix(ALIAS) == Some(words[0].as_str()))
        {
            Some((_, v)) => v
                .split_whitespace()
                .map(str::to_string)
                .chain(words[1..].iter().cloned())
                .collect(),
            None => words,
        };
        if words.is_empty() {
            return;
        }
        let mut s = Stream::default();
        self.sub_codes.clear();
        self.program(ctx, &words, input, &mut s);
        if let Some(k) = ctx.watched.iter().position(|&w| w == id) {
            if ctx.codes[k] != Some(0) {
                ctx.codes[k] = Some(ctx.status.clamp(0, 255) as u8);
            }
            // An `sh -c` text it ran: each of its commands keeps its own status as well.
            let sub = std::mem::take(&mut self.sub_codes);
            match ctx.inner.iter_mut().find(|(i, _)| usize::from(*i) == k) {
                Some((_, v)) => {
                    for (a, b) in v.iter_mut().zip(sub) {
                        if *a != Some(0) && b.is_some() {
                            *a = b;
                        }
                    }
                }
                None if !sub.is_empty() => ctx.inner.push((k as u8, sub)),
                None => {}
            }
        }
        // What a background job printed meanwhile reaches the terminal first.
        let jobs = std::mem::take(&mut self.job_output);
        out.put(2, &jobs);
        ctx.bytes += s.len();
        if ctx.bytes > MAX_BYTES {
            ctx.status = 130;
            ctx.stop = Some(format!(
                "\nsvclab: stopped after {} KiB of output on one line; a real shell would go on until Ctrl-C\n",
                MAX_BYTES / 1024
            ));
        }
        for (f, t) in s.0 {
            out.put(f, &t);
        }
    }

    /// Runs one command with its words expanded: builtins, text tools, then the lab's programs.
    fn program(&mut self, ctx: &mut Ctx, words: &[String], input: &mut Input, out: &mut Stream) {
        let name = words[0].as_str();
        let args = &words[1..];
        match name {
            "export" | "readonly" | "local" => {
                for a in args {
                    if let Some((n, v)) = a.split_once('=') {
                        if !is_name(n) {
                            out.put(
                                2,
                                &format!("{}: {name}: `{a}': not a valid identifier\n", shell_name(&ctx.at)),
                            );
                            ctx.status = 1;
                            continue;
                        }
                        ctx.set(n, v.to_string());
                    }
                }
                return;
            }
            "unset" => {
                ctx.vars.retain(|(n, _)| !args.contains(n));
                return;
            }
            "read" => {
                let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                let Some(line) = input.line() else {
                    ctx.status = 1;
                    return;
                };
                let mut fields: Vec<&str> = line.split_whitespace().collect();
                for (i, n) in names.iter().enumerate() {
                    let v = if i + 1 == names.len() {
                        fields.join(" ")
                    } else if fields.is_empty() {
                        String::new()
                    } else {
                        fields.remove(0).to_string()
                    };
                    ctx.set(n, v);
                }
                if names.is_empty() {
                    ctx.set("REPLY", line);
                }
                return;
            }
            "alias" => {
                if args.is_empty() {
                    for (n, v) in ctx.vars.iter().filter(|(n, _)| n.starts_with(ALIAS)) {
                        out.put(1, &format!("alias {}='{v}'\n", &n[ALIAS.len()..]));
                    }
                }
                for a in args {
                    match a.split_once('=') {
                        Some((n, v)) => ctx.set(&format!("{ALIAS}{n}"), v.to_string()),
                        None => match ctx.vars.iter().find(|(n, _)| n.strip_prefix(ALIAS) == Some(a.as_str())) {
                            Some((_, v)) => out.put(1, &format!("alias {a}='{v}'\n")),
                            None => {
                                out.put(2, &format!("{}: alias: {a}: not found\n", shell_name(&ctx.at)));
                                ctx.status = 1;
                            }
                        },
                    }
                }
                return;
            }
            "unalias" => {
                ctx.vars
                    .retain(|(n, _)| !n.strip_prefix(ALIAS).is_some_and(|x| args.iter().any(|a| a == x)));
                return;
            }
            "whoami" => {
                let who = if matches!(ctx.at, Session::Node(_)) {
                    self.cluster.lab.user.clone()
                } else {
                    "root".into()
                };
                out.put(1, &format!("{who}\n"));
                return;
            }
            "date" if args.is_empty() => {
                let t = super::clock::ctime(self.cluster.lab.start_unix + self.cluster.now);
                // ctime's "Sat Dec 20 10:00:00 2025" with the zone before the year.
                let (head, year) = t.rsplit_once(' ').unwrap_or((&t, ""));
                out.put(1, &format!("{head} UTC {year}\n"));
                return;
            }
            "uname" => {
                let host = match &ctx.at {
                    Session::Node(n) => n.clone(),
                    Session::Pod { pod, .. } => pod.1.clone(),
                };
                let mut parts = Vec::new();
                for a in args.iter().flat_map(|a| a.trim_start_matches('-').chars()) {
                    parts.push(match a {
                        's' => "Linux".to_string(),
                        'n' => host.clone(),
                        'r' => "6.8.0-60-generic".into(),
                        'm' | 'p' | 'i' => "x86_64".into(),
                        'o' => "GNU/Linux".into(),
                        _ => {
                            out.put(2, "this lab's uname prints -s, -n, -r, -m and -o\n");
                            ctx.status = 1;
                            return;
                        }
                    });
                }
                if parts.is_empty() {
                    parts.push("Linux".into());
                }
                let text = format!("{}\n", parts.join(" "));
                out.put(1, &text);
                return;
            }
            ":" | "true" => return,
            "false" => {
                ctx.status = 1;
                return;
            }
            "exit" => {
                let code = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(ctx.status);
                if ctx.top {
                    let o = self.dispatch_at(&ctx.at.clone(), words);
                    out.put(1, &o.text);
                    ctx.stop = Some(String::new());
                } else {
                    ctx.stop = Some(String::new());
                }
                ctx.status = code;
                return;
            }
            "test" | "[" => {
                let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
                if name == "[" {
                    if a.last() != Some(&"]") {
                        out.put(2, &format!("{}: [: missing `]'\n", shell_name(&ctx.at)));
                        ctx.status = 2;
                        return;
                    }
                    a.pop();
                }
                ctx.status = match textutil::test(&a) {
                    Ok(t) => i32::from(!t),
                    Err(e) => {
                        out.put(2, &format!("{}: {name}: {e}\n", shell_name(&ctx.at)));
                        2
                    }
                };
                return;
            }
            "sh" | "bash" if matches!(ctx.at, Session::Node(_)) && args.first().is_some_and(|a| a == "-c") => {
                let o = self.run_text(ctx.at.clone(), args.get(1).map_or("", String::as_str));
                return self.take(ctx, o, out);
            }
            "xargs" => return self.xargs(ctx, args, input, out),
            "jobs" | "kill" | "fg" | "bg" | "wait" if matches!(ctx.at, Session::Node(_)) => {
                let Session::Node(node) = ctx.at.clone() else { return };
                match name {
                    "jobs" => out.put(1, &self.jobs(&node)),
                    "kill" => {
                        for a in args.iter().filter(|a| !a.starts_with('-') || a.starts_with("-%")) {
                            match self.kill_job(&node, a) {
                                Ok(t) => out.put(1, &t),
                                Err(e) => {
                                    out.put(2, &format!("-bash: {e}\n"));
                                    ctx.status = 1;
                                }
                            }
                        }
                        if args.is_empty() {
                            out.put(2, "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]\n");
                            ctx.status = 2;
                        }
                    }
                    _ if self.jobs(&node).is_empty() => {
                        out.put(2, &format!("-bash: {name}: current: no such job\n"));
                        ctx.status = 1;
                    }
                    _ => out.put(
                        2,
                        &format!(
                            "svclab: {name} would hold the terminal until Ctrl-C; the lab keeps jobs in the background \
                             (jobs lists them, kill %N stops one)\n"
                        ),
                    ),
                }
                return;
            }
            _ => {}
        }
        let at = ctx.at.clone();
        if let Some(r) = self.text_tool(&at, words, input) {
            out.put(1, &r.out);
            out.put(2, &r.err);
            ctx.status = r.code;
            return;
        }
        // `kubectl ... -f -` reads its standard input.
        let dash = words
            .windows(2)
            .any(|w| matches!(w[0].as_str(), "-f" | "--filename") && w[1] == "-")
            || words
                .iter()
                .any(|w| matches!(w.as_str(), "-f-" | "-f=-" | "--filename=-"));
        if matches!(name, "kubectl" | "k") && dash {
            self.stdin_doc = Some(input.take());
        }
        self.stdout_tty = ctx.tty;
        self.stdout_part = None;
        let o = self.dispatch_at(&ctx.at.clone(), words);
        // A watch or an edit now holds the terminal: the rest of the line waits, as it would
        // behind a program in the foreground, and goes with Ctrl-C.
        if self.watch.is_some() || self.editing.is_some() {
            ctx.stop.get_or_insert_with(String::new);
        }
        self.stdin_doc = None;
        self.stdout_tty = true;
        self.take(ctx, o, out);
    }

    /// Runs a text tool (`grep`, `printenv` ...) where it exists, or `None`.
    pub fn text_tool(&mut self, at: &Session, words: &[String], input: &mut Input) -> Option<textutil::Ran> {
        let (name, args) = (words[0].rsplit('/').next().unwrap_or(""), &words[1..]);
        if !textutil::TOOLS.contains(&name) || !self.has_text_tools(at) {
            return None;
        }
        if matches!(name, "printenv" | "env") {
            let env = self.env_of(at);
            let mut r = textutil::Ran {
                out: String::new(),
                err: String::new(),
                code: 0,
            };
            if name == "printenv" && !args.is_empty() {
                for a in args {
                    match env.iter().find(|(n, _)| n == a) {
                        Some((_, v)) => r.out.push_str(&format!("{v}\n")),
                        None => r.code = 1,
                    }
                }
            } else {
                r.out = env.iter().map(|(n, v)| format!("{n}={v}\n")).collect();
            }
            return Some(r);
        }
        let data = if textutil::reads_stdin(name, args) {
            input.take()
        } else {
            String::new()
        };
        let mut read = |p: &str| self.read_path(at, p);
        let mut r = textutil::run(name, args, &data, &mut read)?;
        r.err = r
            .err
            .lines()
            .map(|l| {
                let plain = ["Try '", "Usage:", "Two strings"].iter().any(|p| l.starts_with(p));
                format!("{}{l}\n", if plain { String::new() } else { textutil::prefix(name) })
            })
            .collect();
        Some(r)
    }

    /// Takes a program's output: to stdout when it succeeded, to stderr when it failed (the
    /// lab's programs print one or the other) or when it is kubectl's "No resources found".
    fn take(&mut self, ctx: &mut Ctx, o: Output, out: &mut Stream) {
        if let Some((a, b)) = self.stdout_part.take().filter(|&(a, b)| a <= b && b <= o.text.len()) {
            // curl: its meter, verbose lines and errors on stderr around the body.
            out.put(2, &o.text[..a]);
            out.put(1, &o.text[a..b]);
            out.put(2, &o.text[b..]);
        } else {
            let fd = if o.code == 0 && !o.text.starts_with("No resources found") {
                1
            } else {
                2
            };
            out.put(fd, &o.text);
        }
        ctx.status = o.code;
        ctx.traces.extend(o.traces);
        // A loop of requests keeps its last ones for the drawing (all of them are in `sent`).
        let n = ctx.traces.len();
        if n > MAX_TRACES {
            ctx.traces.drain(..n - MAX_TRACES);
        }
    }

    fn xargs(&mut self, ctx: &mut Ctx, args: &[String], input: &mut Input, out: &mut Stream) {
        let mut per = usize::MAX;
        let mut replace: Option<String> = None;
        let mut i = 0;
        while i < args.len() && args[i].starts_with('-') {
            match args[i].as_str() {
                "-n" | "-L" => {
                    per = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1).max(1);
                    i += 1;
                }
                "-I" => {
                    replace = args.get(i + 1).cloned();
                    i += 1;
                }
                "-r" | "--no-run-if-empty" | "-t" => {}
                a if a.starts_with("-n") => per = a[2..].parse().unwrap_or(1).max(1),
                a if a.starts_with("-I") => replace = Some(a[2..].to_string()),
                a => {
                    out.put(
                        2,
                        &format!("xargs: invalid option -- '{}'\n", a.trim_start_matches('-')),
                    );
                    ctx.status = 1;
                    return;
                }
            }
            i += 1;
        }
        let mut cmd: Vec<String> = args[i..].to_vec();
        if cmd.is_empty() {
            cmd.push("echo".into());
        }
        let data = input.take();
        let items: Vec<String> = if replace.is_some() {
            data.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.trim().to_string())
                .collect()
        } else {
            data.split_whitespace().map(str::to_string).collect()
        };
        let mut worst = 0;
        let groups: Vec<&[String]> = if items.is_empty() {
            if replace.is_some() {
                Vec::new()
            } else {
                vec![&[]]
            }
        } else if replace.is_some() {
            items.chunks(1).collect()
        } else {
            items.chunks(per.min(items.len())).collect()
        };
        for g in groups {
            if ctx.stop.is_some() {
                break;
            }
            let words: Vec<String> = match &replace {
                Some(r) => cmd.iter().map(|w| w.replace(r.as_str(), &g[0])).collect(),
                None => cmd.iter().chain(g.iter()).cloned().collect(),
            };
            ctx.steps += 1;
            if ctx.steps > MAX_STEPS {
                ctx.stop = Some(format!("svclab: stopped after {MAX_STEPS} commands on one line\n"));
                break;
            }
            self.program(ctx, &words, &mut Input::default(), out);
            if ctx.status != 0 {
                worst = 123;
            }
        }
        ctx.status = worst;
    }

    /// Whether the text tools (grep, sort, awk ...) are there: on a node, and in a container
    /// whose image has the basic tools.
    fn has_text_tools(&self, at: &Session) -> bool {
        match at {
            Session::Node(_) => true,
            Session::Pod { pod, container, .. } => self.cluster.pods.get(pod).is_some_and(|p| {
                p.spec
                    .containers
                    .iter()
                    .find(|c| &c.name == container)
                    .is_some_and(|c| super::images::has_tool(c, "cat"))
            }),
        }
    }

    /// A file's text as `cat` prints it there.
    fn read_path(&mut self, at: &Session, path: &str) -> Result<String, String> {
        let o = self.dispatch_at(at, &["cat".to_string(), path.to_string()]);
        if o.code == 0 {
            Ok(o.text)
        } else {
            Err(o.text)
        }
    }

    /// The environment a shell starts with there.
    pub fn env_of(&self, at: &Session) -> Vec<(String, String)> {
        const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        match at {
            Session::Node(n) => {
                let u = &self.cluster.lab.user;
                vec![
                    kv("SHELL", "/bin/bash"),
                    kv("PWD", &format!("/home/{u}")),
                    kv("LOGNAME", u),
                    kv("HOME", &format!("/home/{u}")),
                    kv("LANG", "C.UTF-8"),
                    kv("USER", u),
                    kv("HOSTNAME", n),
                    kv("SHLVL", "1"),
                    kv("PATH", &format!("{PATH}:/usr/games:/usr/local/games:/snap/bin")),
                ]
            }
            Session::Pod { pod, .. } => {
                let host = self
                    .cluster
                    .pods
                    .get(pod)
                    .and_then(|p| p.spec.hostname.clone())
                    .unwrap_or_else(|| pod.1.clone());
                let mut env = vec![kv("PATH", PATH), kv("HOSTNAME", &host)];
                env.extend(self.service_env(pod));
                env.push(kv("HOME", "/root"));
                env
            }
        }
    }

    /// The variables the kubelet gives a container for each Service of its namespace that
    /// existed when the pod was created, and for the API server's `kubernetes` Service.
    fn service_env(&self, pod: &super::cluster::Key) -> Vec<(String, String)> {
        let Some(p) = self.cluster.pods.get(pod) else {
            return Vec::new();
        };
        let mut env = Vec::new();
        for s in self.cluster.services.values() {
            let m = &s.meta;
            let master = m.namespace == "default" && m.name == "kubernetes";
            if !(master || m.namespace == p.meta.namespace && m.creation <= p.meta.creation) {
                continue;
            }
            let ip = s.spec.cluster_ip.as_deref().unwrap_or("");
            if ip.is_empty() || ip == "None" || s.spec.ports.is_empty() {
                continue;
            }
            let name = m.name.to_ascii_uppercase().replace('-', "_");
            let first = &s.spec.ports[0];
            env.push((format!("{name}_SERVICE_HOST"), ip.to_string()));
            env.push((format!("{name}_SERVICE_PORT"), first.port.to_string()));
            for sp in &s.spec.ports {
                if let Some(pn) = &sp.name {
                    env.push((
                        format!("{name}_SERVICE_PORT_{}", pn.to_ascii_uppercase().replace('-', "_")),
                        sp.port.to_string(),
                    ));
                }
            }
            let proto = first.protocol().to_ascii_lowercase();
            env.push((format!("{name}_PORT"), format!("{proto}://{ip}:{}", first.port)));
            for sp in &s.spec.ports {
                let pr = sp.protocol();
                let base = format!("{name}_PORT_{}_{pr}", sp.port);
                env.push((base.clone(), format!("{}://{ip}:{}", pr.to_ascii_lowercase(), sp.port)));
                env.push((format!("{base}_PROTO"), pr.to_ascii_lowercase()));
                env.push((format!("{base}_PORT"), sp.port.to_string()));
                env.push((format!("{base}_ADDR"), ip.to_string()));
            }
        }
        env
    }

    fn var(&self, ctx: &Ctx, name: &str) -> Option<String> {
        match name {
            "?" => return Some(ctx.status.to_string()),
            "$" => {
                return Some(
                    if matches!(ctx.at, Session::Node(_)) {
                        "2417"
                    } else {
                        "7"
                    }
                    .into(),
                )
            }
            "#" => return Some("0".into()),
            "@" | "*" | "!" => return Some(String::new()),
            "0" => return Some(shell_name(&ctx.at).trim_start_matches('-').to_string()),
            _ => {}
        }
        if let Some((_, v)) = ctx.vars.iter().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        self.env_of(&ctx.at)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn part_value(&mut self, ctx: &mut Ctx, p: &Part, err: &mut Stream) -> String {
        match p {
            Part::Lit(s) => s.clone(),
            Part::Tilde => self.var(ctx, "HOME").unwrap_or_default(),
            Part::Var(n) => self.var(ctx, n).unwrap_or_default(),
            Part::Default(n, colon, w) => match self.var(ctx, n) {
                Some(v) if !(*colon && v.is_empty()) => v,
                _ => self.expand_str(ctx, w, err),
            },
            Part::Len(n) => self.var(ctx, n).unwrap_or_default().chars().count().to_string(),
            Part::Trim(n, op, w) => {
                let v = self.var(ctx, n).unwrap_or_default();
                let pat: Vec<char> = self.expand_str(ctx, w, err).chars().collect();
                let cs: Vec<char> = v.chars().collect();
                let n = cs.len();
                // Prefix lengths to try, shortest or longest first; suffixes likewise.
                let cut = match op {
                    1 => (0..=n)
                        .find(|&k| glob(&pat, &cs[..k]))
                        .map(|k| cs[k..].iter().collect()),
                    2 => (0..=n)
                        .rev()
                        .find(|&k| glob(&pat, &cs[..k]))
                        .map(|k| cs[k..].iter().collect()),
                    3 => (0..=n)
                        .rev()
                        .find(|&k| glob(&pat, &cs[k..]))
                        .map(|k| cs[..k].iter().collect()),
                    _ => (0..=n)
                        .find(|&k| glob(&pat, &cs[k..]))
                        .map(|k| cs[..k].iter().collect()),
                };
                cut.unwrap_or(v)
            }
            Part::Sub(l) => {
                let saved = ctx.vars.clone();
                let top = std::mem::replace(&mut ctx.top, false);
                let tty = std::mem::replace(&mut ctx.tty, false);
                let mut s = Stream::default();
                self.exec_list(ctx, l, &mut Input::default(), &mut s);
                ctx.tty = tty;
                ctx.vars = saved;
                ctx.top = top;
                ctx.subs += 1;
                if ctx.stop.as_deref() == Some("") {
                    ctx.stop = None;
                }
                for (f, t) in s.0.iter().filter(|(f, _)| *f != 1) {
                    err.put(*f, t);
                }
                s.fd(1).trim_end_matches('\n').to_string()
            }
        }
    }

    /// A word's fields: unquoted expansions split at blanks, quoted parts kept whole.
    fn expand_words(&mut self, ctx: &mut Ctx, words: &[Word], err: &mut Stream) -> Vec<String> {
        let mut fields = Vec::new();
        for w in words {
            let mut cur: Option<String> = None;
            for (p, quoted) in &w.0 {
                let v = self.part_value(ctx, p, err);
                if *quoted || matches!(p, Part::Lit(_) | Part::Tilde) {
                    cur.get_or_insert_with(String::new).push_str(&v);
                    continue;
                }
                for c in v.chars() {
                    if matches!(c, ' ' | '\t' | '\n') {
                        if let Some(f) = cur.take() {
                            fields.push(f);
                        }
                    } else {
                        cur.get_or_insert_with(String::new).push(c);
                    }
                }
            }
            if let Some(f) = cur {
                fields.push(f);
            }
        }
        fields
    }

    /// A word as one string (assignments, redirection targets).
    fn expand_str(&mut self, ctx: &mut Ctx, w: &Word, err: &mut Stream) -> String {
        w.0.iter().map(|(p, _)| self.part_value(ctx, p, err)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cluster::Cluster;
    use crate::sim::lab::Lab;
    use crate::sim::shell::MemFiles;

    fn shell() -> Shell {
        Shell::new(Cluster::new(Lab::default(), 1), Box::new(MemFiles::default()))
    }

    fn out(sh: &mut Shell, line: &str) -> String {
        sh.run(line).text
    }

    fn words(line: &str) -> Vec<Vec<String>> {
        simple_commands(line).expect("parses")
    }

    #[test]
    fn quoting() {
        let mut sh = shell();
        assert_eq!(out(&mut sh, r#"echo 'a  b' "c  d" e\ \ f"#), "a  b c  d e  f\n");
        assert_eq!(
            out(&mut sh, r#"echo "a\"b" 'it'\''s' "\$x" "\q""#),
            "a\"b it's $x \\q\n"
        );
        assert_eq!(out(&mut sh, r#"echo "" '' x"#), "  x\n", "quoted empty words are words");
        assert_eq!(out(&mut sh, "echo a#b # comment"), "a#b\n");
        assert_eq!(
            out(&mut sh, r#"echo '{"spec":{"type":"NodePort"}}'"#),
            "{\"spec\":{\"type\":\"NodePort\"}}\n"
        );
        assert_eq!(
            out(&mut sh, "echo {.items[*].metadata.name}"),
            "{.items[*].metadata.name}\n"
        );
        assert_eq!(
            words("kubectl get -o jsonpath=\"{.spec.ports[0].nodePort}\" svc x"),
            [["kubectl", "get", "-o", "jsonpath={.spec.ports[0].nodePort}", "svc", "x"]]
        );
    }

    #[test]
    fn variables_and_substitution() {
        let mut sh = shell();
        assert_eq!(out(&mut sh, "X='a  b'; echo $X; echo \"$X\""), "a b\na  b\n");
        assert_eq!(
            out(&mut sh, "echo ${X}c \"${X}\"c"),
            "a bc a  bc\n",
            "the variable stays set"
        );
        assert_eq!(
            out(&mut sh, "N=$(echo 1 2 3); for x in $N; do echo -$x; done"),
            "-1\n-2\n-3\n"
        );
        assert_eq!(
            out(&mut sh, "echo \"$(echo \"in  side\")\""),
            "in  side\n",
            "quotes nest inside $()"
        );
        assert_eq!(out(&mut sh, "echo `echo \\`echo deep\\``"), "deep\n");
        assert_eq!(out(&mut sh, "echo $(printf_is_missing 2>/dev/null)x"), "x\n");
        assert_eq!(
            out(&mut sh, "Y=$(echo a; echo b); echo \"$Y\""),
            "a\nb\n",
            "inner newlines stay, the last goes"
        );
        assert_eq!(out(&mut sh, "(Z=1); echo z=$Z; echo $(W=2) w=$W"), "z=\nw=\n");
        assert_eq!(out(&mut sh, "false; echo $?; true; echo $?"), "1\n0\n");
        assert_eq!(
            out(&mut sh, "V=$(false); echo $?"),
            "1\n",
            "an assignment returns its substitution's status"
        );
        assert_eq!(out(&mut sh, "echo ${NOPE:-d} ${NOPE-e} ${HOME}"), "d e /home/user\n");
        assert_eq!(out(&mut sh, "echo ~ ~/x a~"), "/home/user /home/user/x a~\n");
        assert_eq!(out(&mut sh, "echo $ a$ \"$\""), "$ a$ $\n");
        sh.run("P=pod/web-6c9f-2zssq");
        assert_eq!(
            out(&mut sh, "echo ${P#pod/} ${P#*-} ${P##*-} ${P%-*} ${P%%-*} ${#P}"),
            "web-6c9f-2zssq 6c9f-2zssq 2zssq pod/web-6c9f pod/web 18\n"
        );
    }

    #[test]
    fn lists_pipes_and_redirections() {
        let mut sh = shell();
        assert_eq!(
            out(&mut sh, "echo a && echo b || echo c; false || echo d && echo e"),
            "a\nb\nd\ne\n"
        );
        assert_eq!(out(&mut sh, "! true || echo negated"), "negated\n");
        assert_eq!(out(&mut sh, "printf_x; echo $?"), "printf_x: command not found\n127\n");
        assert_eq!(out(&mut sh, "printf_x 2>/dev/null; echo after"), "after\n");
        assert_eq!(
            out(&mut sh, "printf_x 2>&1 | tr a-z A-Z"),
            "PRINTF_X: COMMAND NOT FOUND\n"
        );
        assert_eq!(
            out(&mut sh, "printf_x 2>&1 >/dev/null | wc -l"),
            "1\n",
            "2>&1 points at the pipe, then 1 moves"
        );
        assert_eq!(out(&mut sh, "printf_x >/dev/null 2>&1 | wc -l"), "0\n");
        assert_eq!(out(&mut sh, "{ echo b; echo a; } | sort"), "a\nb\n");
        assert_eq!(out(&mut sh, "for i in 1 2; do echo $i; done | tail -1"), "2\n");
        assert_eq!(out(&mut sh, "echo a |\ncat"), "a\n");
    }

    #[test]
    fn unfinished_lines_wait_for_more() {
        let mut sh = shell();
        for (line, prompt) in [
            ("for n in 1 2", "> "),
            ("do", "> "),
            ("echo \"n=$n", "> "),
            ("\"", "> "),
        ] {
            assert_eq!(sh.run(line).text, "");
            assert_eq!(sh.prompt(), prompt);
        }
        assert_eq!(sh.run("done").text, "n=1\n\nn=2\n\n");
        assert_eq!(sh.prompt(), "user@myserver01:~$ ");
        assert_eq!(sh.run("echo a \\").text, "");
        assert_eq!(sh.run("b").text, "a b\n");
        assert_eq!(sh.run("echo 'x").text, "");
        assert!(sh.interrupt());
        assert_eq!(sh.prompt(), "user@myserver01:~$ ");
        assert_eq!(parse("echo a &&"), Err(ParseError::Incomplete));
        assert_eq!(parse("echo $(echo"), Err(ParseError::Incomplete));
        assert_eq!(parse("if true; then echo"), Err(ParseError::Incomplete));
    }

    #[test]
    fn syntax_errors_name_the_token() {
        let e = |l: &str| parse(l).err();
        assert_eq!(e("echo a; ; b"), Some(ParseError::Syntax(";".into())));
        assert_eq!(e("| grep x"), Some(ParseError::Syntax("|".into())));
        assert_eq!(e("for x in a; do done"), Some(ParseError::Syntax("done".into())));
        assert_eq!(e("done"), Some(ParseError::Syntax("done".into())));
        assert_eq!(e("echo )"), Some(ParseError::Syntax(")".into())));
        assert_eq!(e("echo a >"), Some(ParseError::Syntax("newline".into())));
        assert_eq!(e("echo `echo (`"), Some(ParseError::Syntax("(".into())));
        assert_eq!(e("cat <<EOF"), Some(ParseError::Incomplete));
        assert_eq!(e("cat <<EOF\nbody"), Some(ParseError::Incomplete));
        assert_eq!(e("cat <<"), Some(ParseError::Syntax("newline".into())));
        assert!(matches!(e("echo $((1+1))"), Some(ParseError::Unsupported(_))));
        let deep = format!("{}{}", "$(echo ".repeat(200), ")".repeat(200));
        assert!(matches!(e(&deep), Some(ParseError::Unsupported(_))));
        let mut sh = shell();
        assert_eq!(
            out(&mut sh, "echo a; ; b"),
            "-bash: syntax error near unexpected token `;'\n"
        );
    }

    #[test]
    fn here_documents() {
        let mut sh = shell();
        sh.run("N=web");
        assert_eq!(
            out(&mut sh, "cat <<EOF\nname: $N\n  port: `echo 80`\nEOF"),
            "name: web\n  port: 80\n"
        );
        assert_eq!(out(&mut sh, "cat <<'EOF'\nname: $N\nEOF"), "name: $N\n");
        assert_eq!(
            out(&mut sh, "cat <<-EOF | tr a-z A-Z\n\tx\n\tEOF\necho after"),
            "X\nafter\n"
        );
        assert_eq!(out(&mut sh, "cat <<A; cat <<B\n1\nA\n2\nB"), "1\n2\n");
        // Typed line by line: the document waits for its last line.
        assert_eq!(sh.run("cat <<EOF").text, "");
        assert_eq!(sh.prompt(), "> ");
        assert_eq!(sh.run("x").text, "");
        assert_eq!(sh.run("EOF").text, "x\n");
    }

    #[test]
    fn generated_lines_never_panic_and_stay_bounded() {
        const BITS: &[&str] = &[
            "echo",
            " ",
            "a",
            "$X",
            "${X",
            "}",
            "$(",
            ")",
            "`",
            "'",
            "\"",
            "\\",
            "|",
            "||",
            "&&",
            ";",
            "&",
            "\n",
            "for",
            "in",
            "do",
            "done",
            "while",
            "true",
            "if",
            "then",
            "fi",
            "{",
            "(",
            "<<E",
            "E",
            ">",
            "2>&1",
            "/dev/null",
            "#",
            "=",
            "X=",
            "seq 3",
            "grep -c",
            "*",
            "~",
            "!",
            "é",
            "cut -c1-2",
            "awk {print\\ $2}",
            "tr a-z A-Z",
            "sort -rn",
            "head -2",
            "tail -n +2",
            "xargs",
            "read v",
            "${#X}",
            "${X%%a*}",
            "<<-\x27E\x27",
        ];
        let mut rng = crate::sim::rng::Rng::new(11);
        let mut sh = shell();
        for _ in 0..1500 {
            let n = 1 + rng.next_u64() % 14;
            let line: String = (0..n)
                .map(|_| BITS[(rng.next_u64() % BITS.len() as u64) as usize])
                .collect();
            let _ = parse(&line);
            let o = sh.run(&line);
            assert!(o.text.len() <= MAX_BYTES + 4096, "{line:?}");
            sh.interrupt();
        }
    }

    #[test]
    fn work_is_bounded() {
        let mut sh = shell();
        let o = sh.run("while true; do echo y; done");
        assert!(
            o.text.ends_with("a real shell would go on until Ctrl-C\n"),
            "{}",
            &o.text[o.text.len() - 80..]
        );
        assert_eq!(o.text.matches("y\n").count(), MAX_STEPS / 2);
        let o = sh.run("for i in $(seq 100000); do :; done");
        assert!(o.text.contains("stopped after 1000 commands"));
        let o = sh.run("for i in $(seq 80); do curl -s 10.0.2.5:22; done");
        assert_eq!(o.traces.len(), MAX_TRACES, "a loop hands back its last requests");
        let o = sh.run("seq 1000000000 | grep -c 9");
        assert!(o.text.contains("stopped after"), "{}", o.text);
    }

    #[test]
    fn read_and_loops_over_lines() {
        let mut sh = shell();
        assert_eq!(
            out(&mut sh, "printf_x 2>&1 | while read a b; do echo \"[$b] [$a]\"; done"),
            "[command not found] [printf_x:]\n"
        );
        assert_eq!(
            out(
                &mut sh,
                "n=0; until [ $n = 3 ]; do n=$(echo $n | tr 012 123); echo $n; done"
            ),
            "1\n2\n3\n"
        );
        assert_eq!(
            out(
                &mut sh,
                "if false; then echo a; elif true; then echo b; else echo c; fi"
            ),
            "b\n"
        );
        assert_eq!(out(&mut sh, "echo a b c | xargs -n 2 echo x"), "x a b\nx c\n");
        assert_eq!(
            out(
                &mut sh,
                "alias kg='kubectl get'; kg ns default --no-headers | wc -l; alias kg"
            ),
            "1\nalias kg='kubectl get'\n"
        );
        assert_eq!(out(&mut sh, "unalias kg; kg"), "kg: command not found\n");
        assert_eq!(out(&mut sh, "whoami; uname -r"), "user\n6.8.0-60-generic\n");
    }

    #[test]
    fn the_commands_of_a_line_for_grading() {
        assert_eq!(
            words("for n in $(kubectl get nodes -o name); do curl -s $n:$P | grep -i x; done"),
            vec![
                vec!["kubectl", "get", "nodes", "-o", "name"],
                vec!["curl", "-s", "$n:$P"],
                vec!["grep", "-i", "x"],
            ]
        );
        assert_eq!(simple_commands("echo 'open"), None);
        assert_eq!(
            words("P=$(kubectl get svc -o name) kubectl get $P"),
            vec![
                vec!["kubectl", "get", "$P"],
                vec!["kubectl", "get", "svc", "-o", "name"]
            ],
            "an assignment's substitution runs a command too"
        );
    }

    #[test]
    fn a_pipes_status_is_its_last_commands_and_each_command_keeps_its_own() {
        let mut sh = shell();
        assert_eq!(out(&mut sh, "false | true; echo $?"), "0\n", "no pipefail");
        assert_eq!(out(&mut sh, "true | false; echo $?"), "1\n");
        assert_eq!(out(&mut sh, "! true | false; echo $?"), "0\n");
        assert_eq!(out(&mut sh, "! false | true; echo $?"), "1\n");
        assert_eq!(out(&mut sh, "false | true && echo and"), "and\n");
        assert_eq!(out(&mut sh, "true | false || echo or"), "or\n");
        assert_eq!(out(&mut sh, "echo a | grep b | wc -l; echo $?"), "0\n0\n");
        // Each simple command's own status, in `simple_commands` order; `None`: it did not run.
        let codes = |sh: &mut Shell, line: &str| {
            sh.run(line);
            sh.codes.clone()
        };
        assert_eq!(
            codes(&mut sh, "kubectl get svc | grep no-such-thing"),
            vec![Some(0), Some(1)]
        );
        assert_eq!(sh.status, 1);
        assert_eq!(codes(&mut sh, "kubectl get svc nope | cat"), vec![Some(1), Some(0)]);
        assert_eq!(sh.status, 0);
        assert_eq!(codes(&mut sh, "true || kubectl get svc"), vec![Some(0), None]);
        assert_eq!(
            codes(&mut sh, "for s in kubernetes nope; do kubectl get svc $s; done"),
            vec![Some(0)],
            "one run that succeeded is enough"
        );
        assert_eq!(
            codes(&mut sh, "echo $(kubectl get svc nope) | grep -q x"),
            vec![Some(0), Some(1), Some(1)]
        );
        assert_eq!(
            codes(&mut sh, "sh -c 'false | true'"),
            vec![Some(0)],
            "sh -c is one command"
        );
        assert_eq!(
            sh.inner,
            vec![(0, vec![Some(1), Some(0)])],
            "and its text's commands have theirs"
        );
        assert_eq!(
            codes(&mut sh, "echo; sh -c 'kubectl get svc nope || kubectl get svc'"),
            vec![Some(0), Some(0)]
        );
        assert_eq!(sh.inner, vec![(1, vec![Some(1), Some(0)])]);
        assert_eq!(codes(&mut sh, "echo 'open"), Vec::<Option<u8>>::new());
    }
}
