//! The Markdown that lesson prose uses: headings, paragraphs, lists, fenced code, `code`,
//! **bold**. Parsed into a small tree the page renders; anything else stays plain text, and no
//! text is ever interpreted as HTML.

#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    Text(String),
    Code(String),
    Bold(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(usize, Vec<Inline>),
    Paragraph(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    Code(String),
}

pub fn inline(text: &str) -> Vec<Inline> {
    let marks: [(&str, fn(String) -> Inline); 2] = [("`", Inline::Code), ("**", Inline::Bold)];
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        // The first mark that opens; an unclosed one leaves the rest as plain text.
        let opened = marks
            .iter()
            .filter_map(|&(mark, make)| Some((rest.find(mark)?, mark, make)))
            .min_by_key(|m| m.0);
        let Some((at, mark, make)) = opened else { break };
        let body = at + mark.len();
        let Some(len) = rest[body..].find(mark) else { break };
        if at > 0 {
            out.push(Inline::Text(rest[..at].to_string()));
        }
        out.push(make(rest[body..body + len].to_string()));
        rest = &rest[body + len + mark.len()..];
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
    out
}

pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut code: Option<String> = None;
    let flush = |para: &mut Vec<String>, list: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inline(&para.join(" "))));
            para.clear();
        }
        if !list.is_empty() {
            blocks.push(Block::List(list.iter().map(|i| inline(i)).collect()));
            list.clear();
        }
    };
    for line in text.lines() {
        if let Some(c) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(Block::Code(std::mem::take(c)));
                code = None;
            } else {
                c.push_str(line);
                c.push('\n');
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            flush(&mut para, &mut list, &mut blocks);
            code = Some(String::new());
        } else if t.is_empty() {
            flush(&mut para, &mut list, &mut blocks);
        } else if let Some(h) = t.strip_prefix('#') {
            flush(&mut para, &mut list, &mut blocks);
            let level = 1 + h.chars().take_while(|c| *c == '#').count();
            blocks.push(Block::Heading(level.min(4), inline(h.trim_start_matches('#').trim())));
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            if !para.is_empty() {
                blocks.push(Block::Paragraph(inline(&para.join(" "))));
                para.clear();
            }
            list.push(item.to_string());
        } else if !list.is_empty() && line.starts_with("  ") {
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(t);
            }
        } else {
            if !list.is_empty() {
                blocks.push(Block::List(list.iter().map(|i| inline(i)).collect()));
                list.clear();
            }
            para.push(t.to_string());
        }
    }
    if let Some(c) = code {
        blocks.push(Block::Code(c));
    }
    flush(&mut para, &mut list, &mut blocks);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_lessons_use() {
        let b = parse(
            "# Title\n\nA **bold** and `code` line\ncontinues.\n\n- one\n- two `x`\n\n```\nkubectl get \
            pods\n```\n<b>not html</b>\n",
        );
        assert_eq!(b[0], Block::Heading(1, vec![Inline::Text("Title".into())]));
        assert_eq!(
            b[1],
            Block::Paragraph(vec![
                Inline::Text("A ".into()),
                Inline::Bold("bold".into()),
                Inline::Text(" and ".into()),
                Inline::Code("code".into()),
                Inline::Text(" line continues.".into())
            ])
        );
        assert_eq!(
            b[2],
            Block::List(vec![
                vec![Inline::Text("one".into())],
                vec![Inline::Text("two ".into()), Inline::Code("x".into())]
            ])
        );
        assert_eq!(b[3], Block::Code("kubectl get pods\n".into()));
        assert_eq!(b[4], Block::Paragraph(vec![Inline::Text("<b>not html</b>".into())]));
        assert_eq!(inline("unclosed `tick"), vec![Inline::Text("unclosed `tick".into())]);
    }
}
