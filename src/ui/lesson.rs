//! The lesson pane beside the lab, the lesson index as cards, and the home page.

use yew::prelude::*;

use super::browser::saved_progress;
use super::prose::Prose;
use super::{App, Msg};
use crate::i18n::t;
use crate::lessons::Lesson;

/// About how long a lesson takes: a few minutes a step.
fn minutes(steps: usize) -> usize {
    2 + steps * 3
}

impl App {
    pub(super) fn view_lesson(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let Some(l) = &self.lesson else { return html! {} };
        html! {
            <aside class="lesson-pane" aria-label={t(lang, "lesson")}>
                <h2>{ l.title.get(lang).to_string() }</h2>
                if self.done >= l.steps.len() {
                    { self.view_finished(l) }
                }
                <details class="intro" open={self.done == 0}>
                    <summary>{ t(lang, "about-lesson") }</summary>
                    <div class="prose"><Prose text={l.intro.get(lang).to_string()} /></div>
                </details>
                <h3>{ t(lang, "steps") }</h3>
                <ol class="steps">
                    { for l.steps.iter().enumerate().map(|(i, step)| {
                        let state = if i < self.done { "done" } else if i == self.done { "current" } else { "later" };
                        html! {
                            <li class={classes!("step", state)} aria-current={(i == self.done).then_some("step")}>
                                <span class="mark">{ if i < self.done { format!("✓ {}", t(lang, "done")) } else { t(lang, "todo").to_string() } }</span>
                                <div class="prose"><Prose text={step.text.get(lang).to_string()} /></div>
                                if i == self.done {
                                    <ul class="goals">
                                        { for step.goals.iter().enumerate().map(|(j, g)| {
                                            let ok = self.goal_state.get(j).copied().unwrap_or(false);
                                            {
                                                // An unmet goal says why, from the cluster's state.
                                                let why = self.goal_why.get(j).cloned().flatten();
                                                html! {
                                                    <li class={classes!(ok.then_some("ok"))}>{ if ok { "✓ " } else { "○ " } }<Prose inline=true text={crate::lessons::describe(g, lang)} />
                                                        if let Some(w) = why { <div class="why"><Prose inline=true text={w} /></div> }
                                                    </li>
                                                }
                                            }
                                        }) }
                                    </ul>
                                    <div class="step-buttons">
                                        <button onclick={link.callback(move |_| Msg::Hint(i))} aria-expanded={(self.shown_hint == Some(i)).to_string()}>{ t(lang, "hint") }</button>
                                        <button onclick={link.callback(move |_| Msg::Solution(i))} aria-expanded={(self.shown_solution == Some(i)).to_string()}>{ t(lang, "solution") }</button>
                                    </div>
                                    if self.shown_hint == Some(i) { <div class="hint prose"><Prose text={step.hint.get(lang).to_string()} /></div> }
                                    if self.shown_solution == Some(i) {
                                        <pre class="code-block">{ step.solution.join("\n") }</pre>
                                        <button onclick={link.callback(move |_| Msg::RunSolution(i))}>{ t(lang, "run-solution") }</button>
                                    }
                                }
                            </li>
                        }
                    }) }
                </ol>
                <div class="step-buttons">
                    <button onclick={link.callback(|_| Msg::Reset)}>{ t(lang, if self.reset_armed.is_some() { "reset-again" } else { "reset-lesson" }) }</button>
                    if let Some(n) = self.next_lesson { <a href={format!("#/lesson/{n}")}>{ format!("{} →", t(lang, "next-lesson")) }</a> }
                </div>
            </aside>
        }
    }

    /// The moment a lesson is finished: what was done, and the way on.
    fn view_finished(&self, l: &Lesson) -> Html {
        let lang = self.lang;
        html! {
            <div class="finished" role="status">
                <p class="big">{ "✓ " }{ t(lang, "lesson-done") }</p>
                <p>{ t(lang, "recap") }</p>
                <ol class="recap">
                    { for l.steps.iter().map(|s| {
                        let text = s.text.get(lang);
                        // The first sentence: up to a full stop that ends one (`deploy.yml` has a
                        // dot that does not).
                        let end = text.find(". ").or_else(|| text.find(".\n")).map_or(text.len(), |i| i + 1);
                        let first = &text[..end];
                        html! { <li><Prose inline=true text={first.to_string()} /></li> }
                    }) }
                </ol>
                if let Some(n) = self.next_lesson {
                    <a class="button primary" href={format!("#/lesson/{n}")}>{ format!("{} →", t(lang, "next-lesson")) }</a>
                } else {
                    <a class="button" href="#/lessons">{ t(lang, "lessons") }</a>
                }
            </div>
        }
    }

    pub(super) fn view_index(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        html! {
            <main class="index">
                <h2>{ t(lang, "lessons") }</h2>
                <p class="lede">{ t(lang, "index-lede") }</p>
                <ol class="cards">
                    { for self.index.iter().enumerate().map(|(i, l)| {
                        let done = saved_progress(&l.id).min(l.steps);
                        let state = if done == l.steps { "complete" } else if done > 0 { "started" } else { "new" };
                        html! {
                            <li class={classes!("card", state)}>
                                <a href={format!("#/lesson/{}", l.id)}>
                                    <span class="num">{ format!("{:02}", i + 1) }</span>
                                    <span class="title">{ l.title.get(lang).to_string() }</span>
                                </a>
                                <span class="meta">{ format!("{} {} · ~{} {}", l.steps, t(lang, "steps-count"), minutes(l.steps), t(lang, "minutes")) }</span>
                                <meter class="progress" min="0" max={l.steps.to_string()} value={done.to_string()}
                                    aria-label={format!("{done}/{} {}", l.steps, t(lang, "progress"))}></meter>
                                <span class={classes!("progress-text", (done == l.steps).then_some("complete"))}>{ format!("{done}/{} {}", l.steps, t(lang, "progress")) }</span>
                            </li>
                        }
                    }) }
                </ol>
                <super::carry::Carry {lang} loaded={ctx.link().callback(|_| Msg::Refresh)} />
            </main>
        }
    }

    /// The front door: what svclab is in ten seconds, and the two ways in.
    pub(super) fn view_home(&self) -> Html {
        let lang = self.lang;
        let first = crate::lessons::LESSON_INDEX.first().map(|(_, id, _)| *id).unwrap_or("");
        let types = [
            ("ClusterIP", "home-clusterip", "svc-clusterip"),
            ("NodePort", "home-nodeport", "svc-nodeport"),
            ("LoadBalancer", "home-lb", "svc-lb"),
            ("ExternalName", "home-external", "svc-external"),
        ];
        html! {
            <main class="home">
                <section class="hero">
                    <h2>{ t(lang, "home-title") }</h2>
                    <p class="lede">{ t(lang, "home-lede") }</p>
                    <svg class="demo" viewBox="0 0 560 120" role="img" aria-label={t(lang, "home-demo")}>
                        <path id="demo-path" class="route there" d="M40 60 H150 V30 H300 V60 H470" fill="none" />
                        { for [(40.0, "PC"), (150.0, "NAT"), (300.0, "kube-proxy"), (470.0, "pod")].iter().map(|(x, name)| html! {
                            <g>
                                <rect class="demo-box" x={format!("{}", x - 45.0)} y="70" width="90" height="36" rx="6" />
                                <text x={format!("{x}")} y="93" text-anchor="middle" class="t-text">{ *name }</text>
                            </g>
                        }) }
                        <circle class="packet demo-packet" r="8" cx="40" cy="60" />
                    </svg>
                    <div class="cta">
                        <a class="button primary" href={format!("#/lesson/{first}")}>{ t(lang, "start-lesson-1") }</a>
                        <a class="button" href="#/playground">{ t(lang, "open-playground") }</a>
                    </div>
                </section>
                <ul class="types">
                    { for types.iter().map(|(name, key, class)| html! {
                        <li class={classes!("type-card", *class)}><strong>{ *name }</strong><p>{ t(lang, key) }</p></li>
                    }) }
                </ul>
            </main>
        }
    }
}
