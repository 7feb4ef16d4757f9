//! The first visit's tour of the playground: four short cards, each lighting the part of the
//! page it speaks of (the stylesheet outlines it with `:has()`, so no inline style is needed).
//! Dismissed once, it stays dismissed in this browser.

use yew::prelude::*;

use super::browser::storage;
use super::prose::Prose;
use crate::i18n::{t, Lang};

const KEY: &str = "svclab:toured";
const STEPS: usize = 4;

#[derive(Properties, PartialEq)]
pub struct TourProps {
    pub lang: Lang,
}

#[function_component(Tour)]
pub fn tour(p: &TourProps) -> Html {
    let seen = || storage().and_then(|s| s.get_item(KEY).ok().flatten()).is_some();
    // None: dismissed (or seen before); Some(i): card i is shown.
    let step = use_state(|| (!seen()).then_some(0usize));
    let Some(i) = *step else { return html! {} };
    let lang = p.lang;
    let close = {
        let step = step.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = storage() {
                let _ = s.set_item(KEY, "1");
            }
            step.set(None);
        })
    };
    let next = {
        let step = step.clone();
        Callback::from(move |_: MouseEvent| step.set(Some(i + 1)))
    };
    let key = |k: &str| t(lang, &format!("tour-{}{k}", i + 1));
    html! {
        <div class="tour" role="dialog" aria-label={t(lang, "tour")} data-step={(i + 1).to_string()}>
            <p class="count">{ format!("{}/{STEPS}", i + 1) }</p>
            <h2>{ key("-title") }</h2>
            <div class="prose"><Prose text={key("")} /></div>
            <div class="tour-buttons">
                if i + 1 < STEPS {
                    <button onclick={close.clone()}>{ t(lang, "tour-skip") }</button>
                    <button class="primary" onclick={next}>{ t(lang, "tour-next") }</button>
                } else {
                    <button class="primary" onclick={close}>{ t(lang, "tour-done") }</button>
                }
            </div>
        </div>
    }
}
