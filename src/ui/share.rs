//! The Share / Embed dialog: a link carrying the whole lab, the blog snippet, upload; what the
//! page says about shared labs and saves (damaged, set aside, not kept), and a replay's progress.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{App, Msg, Route, Why};
use crate::i18n::t;
use crate::session::LoadError;

impl App {
    pub(super) fn view_share(&self, ctx: &Context<Self>, share: &Result<String, String>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let loc = gloo::utils::window().location();
        let base = format!(
            "{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default()
        );
        let embed_src = format!("{}embed.js", base.trim_end_matches("index.html"));
        let snippet = match (&self.lesson, share) {
            (Some(l), _) => format!(
                "<script src=\"{embed_src}\" data-lesson=\"{}\" data-lang=\"{}\"></script>",
                l.id,
                lang.code()
            ),
            // The playground as it is now: the share link's data.
            (None, Ok(url)) => format!(
                "<script src=\"{embed_src}\" data-share=\"{}\"></script>",
                url.rsplit("#/share/").next().unwrap_or("")
            ),
            (None, Err(_)) => format!("<script src=\"{embed_src}\" data-lang=\"{}\"></script>", lang.code()),
        };
        html! {
            <section class="share" role="dialog" aria-label={t(lang, "share")}>
                { match share {
                    Ok(url) => html! {
                        <label>{ t(lang, "share-link") }
                            <input type="text" readonly=true class="share-link" value={url.clone()} onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                        </label>
                    },
                    Err(json) => html! {
                        <p>{ t(lang, "share-too-long") }
                            { " " }<a download="svclab-lab.json" href={format!("data:application/json;charset=utf-8,{}", String::from(js_sys::encode_uri_component(json)))}>{ t(lang, "download") }</a>
                        </p>
                    },
                } }
                <label>{ t(lang, "upload") }
                    <input type="file" accept=".json,application/json" onchange={link.callback(Msg::Upload)} />
                </label>
                <label>{ t(lang, "embed-snippet") }
                    <input type="text" readonly=true class="embed-snippet" value={snippet} onfocus={Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select())} />
                </label>
                <button onclick={link.callback(|_| Msg::CloseShare)}>{ t(lang, "close") }</button>
            </section>
        }
    }

    /// Links and saves: a refused link, a shared lab's place, a save set aside.
    pub(super) fn view_notices(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let kept = self.kept.as_ref().map(|k| {
            let why = match &k.why {
                Why::Damaged => t(lang, "kept-damaged").to_string(),
                Why::Version(v) => t(lang, "kept-version").replace("{v}", v),
                Why::Stopped(n, m) => t(lang, "kept-stopped")
                    .replace("{n}", &n.to_string())
                    .replace("{m}", &m.to_string()),
                Why::Replaced => t(lang, "kept-replaced").to_string(),
                Why::Unfinished => t(lang, "kept-unfinished").to_string(),
            };
            let (kept, file) = match &k.key {
                Some(key) => (t(lang, "kept-as").replace("{key}", key), key.replace(':', "-")),
                None => (t(lang, "kept-held").to_string(), "svclab-save".into()),
            };
            html! {
                <p class="warn kept" role="alert">{ format!("{why} {kept} ") }
                    <a download={format!("{file}.json")} href={k.href.clone()}>{ t(lang, "download") }</a>
                </p>
            }
        });
        let lesson = self.lesson.as_ref().map(|l| l.id.clone());
        html! {
            <>
                if let Some(e) = &self.bad_share {
                    <p class="warn" role="alert">{ match e {
                        LoadError::Damaged => t(lang, "bad-share").to_string(),
                        LoadError::Version(v) => t(lang, "share-version").replace("{v}", v),
                    } }</p>
                }
                if self.share_not_kept {
                    <p class="warn" role="alert">{ t(lang, "share-not-kept") }</p>
                }
                if self.upload_not_kept {
                    <p class="warn" role="alert">{ t(lang, "upload-not-kept") }</p>
                }
                { for kept }
                if self.unfinished.is_some() {
                    <p class="warn" role="alert">{ t(lang, "unfinished") }{ " " }
                        <button onclick={ctx.link().callback(|_| Msg::Unfinished(true))}>{ t(lang, "rebuild") }</button>{ " " }
                        <button onclick={ctx.link().callback(|_| Msg::Unfinished(false))}>{ t(lang, "start-new") }</button>
                    </p>
                }
                if self.route == Route::Shared && !self.embed {
                    <p class="shared-note" role="note">{ t(lang, "shared-here") }{ " " }
                        <a href="#/playground">{ t(lang, "back-mine") }</a>
                        if let Some(id) = lesson {
                            { " · " }<a href={format!("#/lesson/{id}")}>{ t(lang, "lesson-mine") }</a>
                        }
                    </p>
                }
            </>
        }
    }

    /// A long replay in progress: how far, and a way to stop it.
    pub(super) fn view_replay(&self, ctx: &Context<Self>, (n, m): (usize, usize)) -> Html {
        let lang = self.lang;
        let text = t(lang, "replaying")
            .replace("{n}", &n.to_string())
            .replace("{m}", &m.to_string());
        html! {
            <main class="work replaying">
                <section class="replay" role="status" aria-label={text.clone()}>
                    <p>{ text }</p>
                    <progress max={m.to_string()} value={n.to_string()}></progress>
                    <button onclick={ctx.link().callback(|_| Msg::StopReplay)}>{ t(lang, "stop") }</button>
                </section>
            </main>
        }
    }
}
