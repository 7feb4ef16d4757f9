//! Browser glue: local storage, the address (routes, share links, `embed=1`, `lang=`), fetching
//! the lesson files beside the page, the page's language attribute and the panic hook.

use crate::i18n::Lang;
use crate::session::Session;

pub const STORAGE_PREFIX: &str = "svclab:";

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Home,
    Playground,
    Lessons,
    Lesson(String),
}

/// A shared lab: the saved session and where it belongs.
pub struct Shared {
    pub json: String,
    pub lesson: Option<String>,
    pub lang: Option<Lang>,
}

/// Reads a share link (`#/share/DATA`) or an uploaded file. `None`: not a share; `Err`: damaged.
pub fn read_shared(json: &str) -> Result<Shared, ()> {
    if Session::from_json(json).is_none() {
        return Err(());
    }
    let v = crate::sim::yaml::parse_stream(json)
        .0
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or(())?;
    Ok(Shared {
        json: json.to_string(),
        lesson: v.get("lesson").and_then(|l| l.as_str()).map(String::from),
        lang: v.get("lang").and_then(|l| l.as_str()).and_then(Lang::parse),
    })
}

pub fn open_share(hash: &str) -> Option<Result<Shared, ()>> {
    let data = hash.trim_start_matches('#').strip_prefix("/share/")?;
    Some(crate::share::decode(data).ok_or(()).and_then(|json| read_shared(&json)))
}

pub fn shared_storage_key(s: &Shared) -> String {
    match &s.lesson {
        Some(id) => format!("{STORAGE_PREFIX}lesson:{id}"),
        None => format!("{STORAGE_PREFIX}playground"),
    }
}

/// Keeps a shared lab for its page (where storage allows) and turns the address into that
/// page's without a reload, keeping `embed=1`.
pub fn adopt_shared(s: &Shared) {
    if let Some(st) = storage() {
        let _ = st.set_item(&shared_storage_key(s), &s.json);
    }
    let hash = match &s.lesson {
        Some(id) => format!("#/lesson/{id}"),
        None => "#/playground".into(),
    };
    let mut query: Vec<String> = Vec::new();
    if embedded() {
        query.push("embed=1".into());
    }
    if let Some(l) = s.lang {
        query.push(format!("lang={}", l.code()));
    }
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    let url = format!(
        "{}{q}{hash}",
        gloo::utils::window().location().pathname().unwrap_or_default()
    );
    if let Ok(h) = gloo::utils::window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

pub fn route_from_hash(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    match h.strip_prefix("/lesson/") {
        Some(id) if !id.is_empty() => Route::Lesson(id.split('?').next().unwrap_or(id).to_string()),
        _ if h.starts_with("/lessons") => Route::Lessons,
        // The home page is the full page's front door; an embed without a lesson is a playground.
        _ if matches!(h, "" | "/" | "/home") && !embedded() => Route::Home,
        _ => Route::Playground,
    }
}

pub fn progress_key(id: &str) -> String {
    format!("{STORAGE_PREFIX}progress:{id}")
}

pub fn mark_key(id: &str) -> String {
    format!("{STORAGE_PREFIX}mark:{id}")
}

/// Where the current step of a lesson began in the learner's actions (`Session::mark`).
pub fn saved_mark(id: &str) -> u64 {
    storage()
        .and_then(|s| s.get_item(&mark_key(id)).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

pub fn saved_progress(id: &str) -> usize {
    storage()
        .and_then(|s| s.get_item(&progress_key(id)).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A same-origin file next to the page (`lessons/...`), as text.
pub async fn fetch_text(url: String) -> Option<String> {
    use wasm_bindgen::JsCast;
    let resp = wasm_bindgen_futures::JsFuture::from(gloo::utils::window().fetch_with_str(&url))
        .await
        .ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    wasm_bindgen_futures::JsFuture::from(resp.text().ok()?)
        .await
        .ok()?
        .as_string()
}

pub fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// The session JSON to open: a shared lab wins over what this browser had saved.
pub fn saved_session(shared: Option<String>, storage_key: &str) -> Option<String> {
    shared.or_else(|| storage().and_then(|s| s.get_item(storage_key).ok().flatten()))
}

pub fn embedded() -> bool {
    gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "embed=1")
}

/// The same page, outside the iframe: the URL without `embed=1`.
pub fn full_page_url() -> String {
    let loc = gloo::utils::window().location();
    let search: Vec<String> = loc
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty() && *kv != "embed=1")
        .map(String::from)
        .collect();
    let q = if search.is_empty() {
        String::new()
    } else {
        format!("?{}", search.join("&"))
    };
    format!(
        "{}{}{q}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.hash().unwrap_or_default()
    )
}

pub fn initial_lang() -> Lang {
    let search = gloo::utils::window().location().search().unwrap_or_default();
    if let Some(l) = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .and_then(Lang::parse)
    {
        return l;
    }
    let nav = gloo::utils::window().navigator().language().unwrap_or_default();
    if nav.to_ascii_lowercase().starts_with("ko") {
        Lang::Ko
    } else {
        Lang::En
    }
}

/// `<html lang>`, for screen readers and the crash notice; set when the language is chosen,
/// not on every render.
pub fn set_page_lang(l: Lang) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute("lang", l.code());
    }
}

/// Leaves a panic's message where the page's crash notice (`static/check.js`) shows it. Release
/// builds stop at the panic without running this hook (they are built with
/// `-Cpanic=immediate-abort`), and the notice appears without the detail.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if let Some(body) = gloo::utils::document().body() {
            let _ = body.set_attribute("data-panic", &info.to_string());
        }
    }));
}
