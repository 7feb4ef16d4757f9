//! The terminal, and the panel beside it: the hop table of the last request or the YAML editor.

use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use super::topology::{addr_change, rule_class};
use super::{App, Msg, Side};
use crate::i18n::{t, Lang};
use crate::session::Hold;

impl App {
    pub(super) fn view_terminal(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        // A watch or an edit holds the terminal until Ctrl-C: its input says so and waits, and
        // a Stop button is there for a screen without a Ctrl key.
        let held = self.session.held().map(|h| match h {
            Hold::Watch => t(lang, "watching"),
            Hold::Edit(_) => t(lang, "editing"),
        });
        let stoppable = held.is_some() || self.session.shell.pending.is_some();
        // A lesson's lab replaces this one when it comes: nothing typed before may be lost in it.
        let held = if self.lesson_loading() {
            Some(t(lang, "lesson-loading"))
        } else {
            held
        };
        html! {
            <section class="terminal" aria-label={t(lang, "terminal")}>
                { self.view_step_bar() }
                <TermScreen lines={self.term.clone()} dropped={self.term_dropped} {lang} />
                <div class="line">
                    <label>
                        <span class="prompt">{ if held.is_some() { String::new() } else { self.session.shell.prompt() } }</span>
                        <input
                            type="text"
                            aria-label={t(lang, "terminal")}
                            autocomplete="off"
                            autocapitalize="off"
                            spellcheck="false"
                            readonly={held.is_some()}
                            placeholder={held.unwrap_or_default()}
                            value={if held.is_some() { String::new() } else { self.input.clone() }}
                            oninput={link.callback(|e: InputEvent| Msg::Input(e.target_unchecked_into::<HtmlInputElement>().value()))}
                            onkeydown={link.callback(Msg::Key)}
                        />
                    </label>
                    if stoppable {
                        <button class="stop" onclick={link.callback(|_| Msg::Interrupt)}>{ t(lang, "interrupt") }</button>
                    }
                </div>
            </section>
        }
    }

    /// The lesson's current step over the terminal, where the lesson pane is far above it (a
    /// phone) or in another tab (the embed's Lab): its number and goals, each ticked when met.
    fn view_step_bar(&self) -> Html {
        let Some(l) = &self.lesson else { return html! {} };
        let Some(step) = l.steps.get(self.done) else {
            return html! {};
        };
        let lang = self.lang;
        html! {
            <div class="step-bar" aria-hidden="true">
                <strong>{ format!("{} {}/{}", t(lang, "step-n"), self.done + 1, l.steps.len()) }</strong>
                { for step.goals.iter().enumerate().map(|(j, g)| {
                    let ok = self.goal_state.get(j).copied().unwrap_or(false);
                    html! { <span class={classes!(ok.then_some("ok"))}>{ if ok { "✓ " } else { "○ " } }<super::prose::Prose inline=true text={crate::lessons::describe(g, lang)} /></span> }
                }) }
            </div>
        }
    }

    /// The hop table and the editor share the panel beside the terminal: a request shows its
    /// hops, a click brings the editor back.
    pub(super) fn view_side(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let tab = |which: Side, label: &'static str| {
            let on = self.side == which;
            html! {
                <button role="tab" aria-selected={on.to_string()} class={classes!(on.then_some("on"))}
                    onclick={link.callback(move |_| Msg::Side(which))}>{ t(lang, label) }</button>
            }
        };
        html! {
            <section class="side" aria-label={t(lang, "side-panel")}>
                <div class="side-tabs" role="tablist">
                    { tab(Side::Yaml, "editor") }
                    { tab(Side::Hops, "hops") }
                </div>
                if self.side == Side::Yaml { { self.view_editor(ctx) } } else { { self.view_hops() } }
            </section>
        }
    }

    /// Every hop of the last request and its reply: where, which rule, the addresses with the
    /// changed one marked, and what happened, in the page's language; the current hop lit.
    fn view_hops(&self) -> Html {
        let lang = self.lang;
        let Some((fl, now, done)) = self.current() else {
            return html! { <p class="empty">{ super::prose::md_inline(t(lang, "no-request")) }</p> };
        };
        html! {
            <div class="hops">
                if !self.balance.is_empty() { { self.view_tally() } }
                <table>
                    <caption>{ t(lang, "hops") }</caption>
                    <thead><tr>
                        <th scope="col">{ "#" }</th>
                        <th scope="col">{ t(lang, "col-where") }</th>
                        <th scope="col">{ t(lang, "col-addrs") }</th>
                        <th scope="col">{ t(lang, "col-what") }</th>
                    </tr></thead>
                    <tbody>
                        { for fl.stops.iter().enumerate().map(|(i, s)| {
                            let current = i == now && !done;
                            let h = &s.hop;
                            html! {
                                <tr class={classes!(s.reply.then_some("reply"), current.then_some("current"), (i > now && !done).then_some("later"))}
                                    aria-current={current.then_some("step")}>
                                    <td data-label="#">{ if s.reply { format!("↩{}", i + 1) } else { (i + 1).to_string() } }</td>
                                    // Where, and under it the rule as the packet header shows it.
                                    <td class="where" data-label={t(lang, "col-where")}>{ self.words(i).0.to_string() }
                                        <span class={classes!("rule", rule_class(&h.rule))}>{ h.rule.name() }</span>
                                    </td>
                                    // Source over destination: one column leaves the words room.
                                    <td class="mono addrs" data-label={t(lang, "col-addrs")}>
                                        <div><span class="k">{ "src " }</span>{ addr_change(&h.before.src.to_string(), &h.after.src.to_string()) }</div>
                                        <div><span class="k">{ "dst " }</span>{ addr_change(&h.before.dst.to_string(), &h.after.dst.to_string()) }</div>
                                    </td>
                                    <td class="what" data-label={t(lang, "col-what")}>{ self.words(i).1.to_string() }
                                        // kube-proxy's rules the packet walked, by chain and rule number.
                                        // On the way back, the node's conntrack entry that undoes the rewrite.
                                        if let Some(walk) = &h.iptables {
                                            <details class="walk">
                                                <summary>{ t(lang, if s.reply { "ct-entry" } else { "rule-walk" }) }</summary>
                                                <code>{ walk_lines(walk) }</code>
                                            </details>
                                        }
                                    </td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        }
    }

    fn view_editor(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let (name, text) = self.session.files.get(self.session.active).cloned().unwrap_or_default();
        let lines = text.lines().count().max(1) + usize::from(text.ends_with('\n'));
        let err_line = self.error.as_ref().filter(|(f, _, _)| *f == name).map(|(_, l, _)| *l);
        // One text node for the numbers, however long the file; the error line is marked apart.
        let numbers: String = (1..=lines).map(|n| format!("{n}\n")).collect();
        let before: String = (1..err_line.unwrap_or(lines + 1).min(lines + 1))
            .map(|n| format!("{n}\n"))
            .collect();
        let gutter = match err_line.filter(|l| *l <= lines) {
            Some(e) => {
                html! { <>{ before }<span class="err">{ format!("{e}\n") }</span>{ ((e + 1)..=lines).map(|n| format!("{n}\n")).collect::<String>() }</> }
            }
            None => html! { { numbers } },
        };
        let onkeydown = link.batch_callback(|e: KeyboardEvent| {
            if e.key() != "Tab" || e.shift_key() {
                return None;
            }
            e.prevent_default();
            let ta: HtmlTextAreaElement = e.target_unchecked_into();
            let v = ta.value();
            let start = ta.selection_start().ok().flatten().unwrap_or(0) as usize;
            let end = ta.selection_end().ok().flatten().unwrap_or(0) as usize;
            // Selection offsets count UTF-16 units.
            let to_byte = |u: usize| {
                v.char_indices()
                    .scan(0usize, |acc, (i, c)| {
                        let at = *acc;
                        *acc += c.len_utf16();
                        Some((at, i))
                    })
                    .find(|(at, _)| *at >= u)
                    .map_or(v.len(), |(_, i)| i)
            };
            let (bs, be) = (to_byte(start), to_byte(end));
            let new = format!("{}  {}", &v[..bs], &v[be..]);
            ta.set_value(&new);
            let caret = (start + 2) as u32;
            let _ = ta.set_selection_range(caret, caret);
            Some(Msg::Edit(new))
        });
        html! {
            <div class="editor">
                <div class="tabs" role="tablist">
                    { for self.session.files.iter().enumerate().map(|(i, (n, _))| {
                        let on = i == self.session.active;
                        html! { <button role="tab" aria-selected={on.to_string()} class={classes!(on.then_some("on"))} onclick={link.callback(move |_| Msg::SelectFile(i))}>{ n }</button> }
                    }) }
                    <button class="add" onclick={link.callback(|_| Msg::NewFile)}>{ "+ " }{ t(lang, "new-file") }</button>
                </div>
                <div class="code">
                    <pre class="gutter" aria-hidden="true">{ gutter }</pre>
                    <textarea
                        aria-label={format!("{} {name}", t(lang, "editor-label"))}
                        spellcheck="false"
                        value={text}
                        oninput={link.callback(|e: InputEvent| Msg::Edit(e.target_unchecked_into::<HtmlTextAreaElement>().value()))}
                        {onkeydown}
                    />
                </div>
                if let Some((f, line, msg)) = self.error.as_ref().filter(|(f, _, _)| *f == name) {
                    <p class="error" role="alert">{ format!("{} {line} ({f}): {msg}", t(lang, "error-at")) }</p>
                }
                // The file of a `kubectl edit` is saved to kubectl, not applied.
                if self.session.held() == Some(Hold::Edit(name.clone())) {
                    <div class="edit-actions">
                        <button class="apply" onclick={link.callback(|_| Msg::EndEdit(true))}>{ t(lang, "save-edit") }</button>
                        <button class="cancel" onclick={link.callback(|_| Msg::EndEdit(false))}>{ t(lang, "cancel-edit") }</button>
                    </div>
                } else {
                    <button class="apply" onclick={link.callback(|_| Msg::Apply)}>{ format!("{}: kubectl apply -f {name}", t(lang, "apply")) }</button>
                }
            </div>
        }
    }
}

#[derive(Properties)]
pub struct TermProps {
    lines: Rc<Vec<crate::session::TermLine>>,
    /// Lines no longer kept before the first shown.
    dropped: usize,
    lang: Lang,
}

impl PartialEq for TermProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lines, &other.lines) && self.lang == other.lang && self.dropped == other.dropped
    }
}

/// The terminal's scrollback; re-rendered only when a command adds to it. The screen is a
/// reversed flex column, so the browser keeps it scrolled to the newest line by itself (no
/// script reads the layout to scroll it).
#[function_component]
pub fn TermScreen(props: &TermProps) -> Html {
    html! {
        <div class="screen">
            <div>
                <p class="hint">{ t(props.lang, "terminal-help") }</p>
                if props.dropped > 0 {
                    <p class="hint dropped">{ t(props.lang, "lines-dropped").replace("{n}", &props.dropped.to_string()) }</p>
                }
                { for props.lines.iter().map(|l| html! {
                    <div class="entry">
                        <pre class="cmd"><span class="prompt">{ &l.prompt }</span>{ &l.command }</pre>
                        if !l.output.is_empty() { <pre class="out">{ &l.output }</pre> }
                    </div>
                }) }
            </div>
        </div>
    }
}

/// A rule walk one chain a line; a conntrack entry (`conntrack: ORIGINAL REPLY`) one tuple a line.
fn walk_lines(walk: &str) -> String {
    match walk.strip_prefix("conntrack: ") {
        Some(entry) => {
            let words: Vec<&str> = entry.split(' ').collect();
            let (orig, reply) = words.split_at(words.len().min(4));
            format!("conntrack\n  {}\n  {}", orig.join(" "), reply.join(" "))
        }
        None => walk.replace(" -> ", "\n→ "),
    }
}
