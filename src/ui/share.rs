//! The Share / Embed dialog: a link carrying the whole lab, the blog snippet, upload.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{App, Msg};
use crate::i18n::t;

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
}
