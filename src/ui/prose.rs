//! Lesson prose: the Markdown subset of `markdown`, rendered as elements (never as HTML).

use yew::prelude::*;

pub fn inlines(parts: &[crate::markdown::Inline]) -> Html {
    use crate::markdown::Inline;
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => html! { { t.clone() } },
            Inline::Code(t) => html! { <code>{ t.clone() }</code> },
            Inline::Bold(t) => html! { <strong>{ t.clone() }</strong> },
        })
        .collect()
}

pub fn md_inline(text: &str) -> Html {
    inlines(&crate::markdown::inline(text))
}

/// Lesson prose: the Markdown subset, rendered as elements (never as HTML).
pub fn md(text: &str) -> Html {
    use crate::markdown::{parse, Block};
    let inl = inlines;
    parse(text)
        .iter()
        .map(|b| match b {
            Block::Heading(1, p) => html! { <h2>{ inl(p) }</h2> },
            Block::Heading(_, p) => html! { <h3>{ inl(p) }</h3> },
            Block::Paragraph(p) => html! { <p>{ inl(p) }</p> },
            Block::List(items) => html! { <ul>{ for items.iter().map(|i| html! { <li>{ inl(i) }</li> }) }</ul> },
            Block::Code(c) => html! { <pre class="code-block">{ c.clone() }</pre> },
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct ProseProps {
    pub text: AttrValue,
    /// One line of inline Markdown instead of blocks.
    #[prop_or_default]
    pub inline: bool,
}

/// Prose as a component of its own: yew skips it while its text is unchanged, so the animation's
/// frames (which re-render the page around it) never parse the lesson's Markdown again.
#[function_component(Prose)]
pub fn prose(p: &ProseProps) -> Html {
    if p.inline {
        md_inline(&p.text)
    } else {
        md(&p.text)
    }
}
