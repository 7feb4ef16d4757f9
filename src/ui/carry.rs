//! Taking progress to another computer: a file of the learner's own saves (`progress`), and
//! its import, which sets aside whatever it replaces.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::browser::{blob_url, keep_aside, storage};
use crate::i18n::{t, Lang};

#[derive(Properties, PartialEq)]
pub struct CarryProps {
    pub lang: Lang,
    /// Called after an import wrote to storage.
    pub loaded: Callback<()>,
}

/// Every `svclab:` value this browser holds.
fn stored() -> Vec<(String, String)> {
    let Some(st) = storage() else { return Vec::new() };
    let n = st.length().unwrap_or(0);
    (0..n)
        .filter_map(|i| st.key(i).ok().flatten())
        .filter(|k| k.starts_with("svclab:"))
        .filter_map(|k| st.get_item(&k).ok().flatten().map(|v| (k, v)))
        .collect()
}

fn save_file() {
    let text = crate::progress::export(&stored());
    let doc = gloo::utils::document();
    let href = blob_url(&text);
    if let (false, Ok(a)) = (href.is_empty(), doc.create_element("a")) {
        let _ = a.set_attribute("href", &href);
        let _ = a.set_attribute("download", "svclab-progress.json");
        if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

/// Applies an import: each value it replaces is set aside first; if storage refuses that,
/// the value is not replaced. Returns the message to show.
fn load(text: &str, lang: Lang) -> String {
    let Some(st) = storage() else {
        return t(lang, "progress-blocked").to_string();
    };
    let plan = match crate::progress::import(text, |k| st.get_item(k).ok().flatten()) {
        Ok(p) => p,
        Err(key) => return t(lang, key).to_string(),
    };
    let mut kept = Vec::new();
    let mut failed = false;
    for (k, v) in &plan.writes {
        if let Some((_, old)) = plan.set_aside.iter().find(|(x, _)| x == k) {
            match keep_aside(k, old) {
                Some(key) => kept.push(key),
                None => {
                    failed = true;
                    continue;
                }
            }
        }
        failed |= st.set_item(k, v).is_err();
    }
    let mut msg = t(lang, "progress-loaded")
        .replace("{lessons}", &plan.lessons.to_string())
        .replace("{labs}", &plan.labs.to_string());
    if !kept.is_empty() {
        msg.push(' ');
        msg.push_str(&t(lang, "progress-kept").replace("{keys}", &kept.join(", ")));
    }
    if failed {
        msg.push(' ');
        msg.push_str(t(lang, "progress-blocked"));
    }
    msg
}

#[function_component(Carry)]
pub fn carry(p: &CarryProps) -> Html {
    let lang = p.lang;
    let said = use_state(|| None::<String>);
    let onchange = {
        let said = said.clone();
        let loaded = p.loaded.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let said = said.clone();
            let loaded = loaded.clone();
            yew::platform::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                said.set(Some(match text {
                    Some(text) => load(&text, lang),
                    None => t(lang, "progress-bad").to_string(),
                }));
                loaded.emit(());
            });
        })
    };
    html! {
        <section class="carry" aria-label={t(lang, "progress-title")}>
            <h3>{ t(lang, "progress-title") }</h3>
            <p>{ t(lang, "progress-about") }</p>
            <div class="carry-buttons">
                <button onclick={Callback::from(|_| save_file())}>{ t(lang, "progress-save") }</button>
                <label>{ t(lang, "progress-load") }{ " " }
                    <input type="file" accept=".json,application/json" {onchange} />
                </label>
            </div>
            if let Some(m) = &*said { <p class="carry-said" role="status">{ m.clone() }</p> }
        </section>
    }
}
