//! Browser glue: local storage, the address (routes, share links, `embed=1`, `lang=`), fetching
//! the lesson files beside the page, the page's language attribute and the panic hook.

use crate::i18n::Lang;
use crate::session::{LoadError, Replay};

pub const STORAGE_PREFIX: &str = "svclab:";

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Home,
    Playground,
    Lessons,
    Lesson(String),
    /// A lab opened from a share link or file, in its own slot (`SHARED_KEY`): the learner's own
    /// playground and lessons stay as they were.
    Shared,
}

/// Where the last shared lab opened is kept.
pub const SHARED_KEY: &str = "svclab:shared";

/// A shared lab: the saved session and what it carries besides (its lesson, the step reached
/// and where that step began, the language).
pub struct Shared {
    pub json: String,
    pub lesson: Option<String>,
    pub lang: Option<Lang>,
    pub done: usize,
    pub mark: u64,
}

/// Reads a shared lab's text (a link's or an uploaded file's) without replaying it: the format,
/// the version and every log entry are checked.
pub fn read_shared(json: &str) -> Result<Shared, LoadError> {
    Replay::new(json, crate::sim::lab::Lab::default())?;
    let v = crate::sim::yaml::parse_stream(json)
        .0
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or(LoadError::Damaged)?;
    let num = |k: &str| match v.get(k) {
        Some(crate::sim::value::Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    Ok(Shared {
        json: json.to_string(),
        lesson: v.get("lesson").and_then(|l| l.as_str()).map(String::from),
        lang: v.get("lang").and_then(|l| l.as_str()).and_then(Lang::parse),
        done: num("done") as usize,
        mark: num("mark"),
    })
}

/// `None`: the address is not a share link.
pub fn open_share(hash: &str) -> Option<Result<Shared, LoadError>> {
    let data = hash.trim_start_matches('#').strip_prefix("/share/")?;
    Some(crate::share::decode(data).and_then(|json| read_shared(&json)))
}

/// A digest of the shared lab as it was opened, to tell whether the learner changed it since.
const SHARED_OPENED: &str = "svclab:shared:opened";

fn digest(text: &str) -> String {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("{h:016x}")
}

/// Keeps a shared lab in its own slot and turns the address into `#/shared` without a reload.
/// A shared lab the learner changed since it was opened is first kept aside (`keep_aside`) and
/// returned. `None` when storage refused: the address then stays the link's, so a reload opens
/// the link again, and nothing was replaced.
pub fn adopt_shared(s: &Shared) -> Option<Option<String>> {
    let st = storage()?;
    let old = st
        .get_item(SHARED_KEY)
        .ok()
        .flatten()
        .filter(|old| *old != s.json && st.get_item(SHARED_OPENED).ok().flatten() != Some(digest(old)));
    if let Some(old) = &old {
        keep_aside(SHARED_KEY, old)?;
    }
    st.set_item(SHARED_KEY, &s.json).ok()?;
    let _ = st.set_item(SHARED_OPENED, &digest(&s.json));
    let mut query: Vec<String> = Vec::new();
    if embedded() {
        query.push("embed=1".into());
    }
    // The link's language, else the one the address asked for.
    let search = gloo::utils::window().location().search().unwrap_or_default();
    let asked = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="));
    if let Some(l) = s.lang.map(Lang::code).or(asked.and_then(Lang::parse).map(Lang::code)) {
        query.push(format!("lang={l}"));
    }
    let q = if query.is_empty() {
        String::new()
    } else {
        format!("?{}", query.join("&"))
    };
    let url = format!(
        "{}{q}#/shared",
        gloo::utils::window().location().pathname().unwrap_or_default()
    );
    if let Ok(h) = gloo::utils::window().history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
    Some(old)
}

/// An address for `text` as a file the page can offer for download (`""` if the browser refuses).
pub fn blob_url(text: &str) -> String {
    web_sys::Blob::new_with_str_sequence(&js_sys::Array::of1(&text.into()))
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b))
        .unwrap_or_default()
}

/// Copies a save that cannot be opened (or whose replay was stopped) aside, under
/// `svclab:kept:<slot>` (or `...:2` to `...:9` when that holds another one), before anything
/// writes the slot again. `None` when storage refused: the slot must then not be saved over.
pub fn keep_aside(storage_key: &str, text: &str) -> Option<String> {
    let st = storage()?;
    let base = format!(
        "{STORAGE_PREFIX}kept:{}",
        storage_key.trim_start_matches(STORAGE_PREFIX)
    );
    (1..10)
        .map(|i| if i == 1 { base.clone() } else { format!("{base}:{i}") })
        .find(|k| st.get_item(k).ok().flatten().is_none_or(|old| old == text))
        .filter(|k| st.set_item(k, text).is_ok())
}

/// The slot whose save this tab is replaying (in session storage, so it outlives a crash and
/// a reload of the tab, not the tab).
pub fn replaying() -> Option<String> {
    let ss = gloo::utils::window().session_storage().ok().flatten()?;
    ss.get_item(REPLAYING).ok().flatten()
}

pub fn set_replaying(key: Option<&str>) {
    if let Some(ss) = gloo::utils::window().session_storage().ok().flatten() {
        let _ = match key {
            Some(k) => ss.set_item(REPLAYING, k),
            None => ss.remove_item(REPLAYING),
        };
    }
}

const REPLAYING: &str = "svclab:replaying";

/// Why a save did not happen: the lab is over the limit, or storage refused (full, or blocked).
pub fn store(key: &str, text: &str) -> Result<(), &'static str> {
    let st = storage().ok_or("storage-blocked")?;
    st.set_item(key, text).map_err(|e| {
        let name = js_sys::Reflect::get(&e, &"name".into())
            .ok()
            .and_then(|n| n.as_string());
        match name.as_deref() {
            Some("QuotaExceededError") => "storage-full",
            _ => "storage-blocked",
        }
    })
}

pub fn route_from_hash(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    match h.strip_prefix("/lesson/") {
        Some(id) if !id.is_empty() => Route::Lesson(id.split('?').next().unwrap_or(id).to_string()),
        _ if h.starts_with("/lessons") => Route::Lessons,
        _ if h == "/shared" => Route::Shared,
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
