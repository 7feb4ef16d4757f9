//! The browser front end (wasm32 only): a thin view over `session::Session`.
//!
//! One component owns the session (Elm style: `Msg` in, `update` changes state, `view` draws).
//! It holds no simulation logic: the topology comes from `layout`, packets move along the
//! traces `sim` returns, text comes from `i18n`.

use gloo::events::EventListener;
use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::{Interval, Timeout};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlTextAreaElement, KeyboardEvent};

use yew::prelude::*;

use crate::i18n::{t, Lang};
use crate::layout::{layout, Health, Layout, HEIGHT, WIDTH};
use crate::session::{starter_files, Session};
use crate::sim::net::{Hop, Rule, Trace};

const STORAGE_PREFIX: &str = "svclab:";
/// Traces animated at once; older ones finish instantly.
const MAX_FLIGHTS: usize = 60;
/// Sessions whose files are larger than this are not saved in the browser.
const SAVE_LIMIT: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
enum Route {
    Playground,
    Lessons,
    Lesson(String),
}

/// A shared lab: the saved session and where it belongs.
struct Shared {
    json: String,
    lesson: Option<String>,
    lang: Option<Lang>,
}

/// Reads a share link (`#/share/DATA`) or an uploaded file. `None`: not a share; `Err`: damaged.
fn read_shared(json: &str) -> Result<Shared, ()> {
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

fn open_share(hash: &str) -> Option<Result<Shared, ()>> {
    let data = hash.trim_start_matches('#').strip_prefix("/share/")?;
    Some(crate::share::decode(data).ok_or(()).and_then(|json| read_shared(&json)))
}

fn shared_storage_key(s: &Shared) -> String {
    match &s.lesson {
        Some(id) => format!("{STORAGE_PREFIX}lesson:{id}"),
        None => format!("{STORAGE_PREFIX}playground"),
    }
}

/// Keeps a shared lab for its page (where storage allows) and turns the address into that
/// page's without a reload, keeping `embed=1`.
fn adopt_shared(s: &Shared) {
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

fn route_from_hash(hash: &str) -> Route {
    let h = hash.trim_start_matches('#');
    match h.strip_prefix("/lesson/") {
        Some(id) if !id.is_empty() => Route::Lesson(id.split('?').next().unwrap_or(id).to_string()),
        _ if h.starts_with("/lessons") => Route::Lessons,
        _ => Route::Playground,
    }
}

fn progress_key(id: &str) -> String {
    format!("{STORAGE_PREFIX}progress:{id}")
}

fn saved_progress(id: &str) -> usize {
    storage()
        .and_then(|s| s.get_item(&progress_key(id)).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn inlines(parts: &[crate::markdown::Inline]) -> Html {
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

fn md_inline(text: &str) -> Html {
    inlines(&crate::markdown::inline(text))
}

/// A same-origin file next to the page (`lessons/...`), as text.
async fn fetch_text(url: String) -> Option<String> {
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

/// Lesson prose: the Markdown subset, rendered as elements (never as HTML).
fn md(text: &str) -> Html {
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

/// One request's packet travelling along its hops and back.
struct Flight {
    points: Vec<(f64, f64)>,
    hops: Vec<Hop>,
    /// Progress in hops: 2.5 is half-way from the third point to the fourth.
    pos: f64,
    announced: usize,
    end: String,
}

pub enum Msg {
    Hash,
    Lang(Lang),
    SelectFile(usize),
    Edit(String),
    NewFile,
    Apply,
    Input(String),
    Key(KeyboardEvent),
    Tick,
    Frame(f64),
    TogglePlay,
    Step,
    Speed(f64),
    Replay,
    Url(String),
    Send(usize),
    Reset,
    Save,
    Hint(usize),
    Solution(usize),
    RunSolution(usize),
    LessonLoaded(Result<crate::lessons::Lesson, String>),
    Share,
    CloseShare,
    Upload(web_sys::Event),
    Uploaded(Option<String>),
    IndexLoaded(Vec<crate::lessons::Summary>),
    WarmUp,
}

pub struct App {
    session: Session,
    lesson: Option<Rc<crate::lessons::Lesson>>,
    /// Steps passed, in order.
    done: usize,
    /// The current step's goals, as last checked.
    goal_state: Vec<bool>,
    shown_hint: Option<usize>,
    shown_solution: Option<usize>,
    /// The lesson after this one, by id.
    next_lesson: Option<&'static str>,
    /// Why the lesson could not be opened.
    lesson_error: Option<String>,
    index: Vec<crate::lessons::Summary>,
    storage_key: String,
    route: Route,
    lang: Lang,
    layout: Rc<Layout>,
    term: Rc<Vec<crate::session::TermLine>>,
    input: String,
    history_pos: Option<usize>,
    flights: Vec<Flight>,
    last_trace: Option<Trace>,
    playing: bool,
    speed: f64,
    last_frame: Option<f64>,
    frame: Option<AnimationFrame>,
    reduced_motion: bool,
    live: Vec<String>,
    url: String,
    balance: Vec<(String, usize)>,
    error: Option<(String, usize, String)>,
    save_failed: bool,
    too_large: bool,
    save_timer: Option<Timeout>,
    _clock: Interval,
    _hash: EventListener,
    embed: bool,
    posted_height: i32,
    bad_share: bool,
    /// The share dialog: the link, or `Err(json)` when it is too long for a link.
    share: Option<Result<String, String>>,
    /// A shared lab for the lesson still being fetched.
    shared_json: Option<String>,
    _warm: Option<Timeout>,
}

fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// The session JSON to open: a shared lab wins over what this browser had saved.
fn saved_session(shared: Option<String>, storage_key: &str) -> Option<String> {
    shared.or_else(|| storage().and_then(|s| s.get_item(storage_key).ok().flatten()))
}

fn embedded() -> bool {
    gloo::utils::window()
        .location()
        .search()
        .unwrap_or_default()
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "embed=1")
}

/// The same page, outside the iframe: the URL without `embed=1`.
fn full_page_url() -> String {
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

fn initial_lang() -> Lang {
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

fn hop_line(i: usize, h: &Hop) -> String {
    format!("{}. {}", i + 1, h.line())
}

impl App {
    /// Recomputes the drawing; keeps the old one (and so skips the SVG's re-render) when
    /// nothing visible changed.
    fn relayout(&mut self) {
        let l = layout(&self.session.shell.cluster);
        if *self.layout != l {
            self.layout = Rc::new(l);
        }
        let t = &self.session.transcript;
        if t.len() != self.term.len() || t.last() != self.term.last() {
            let skip = t.len().saturating_sub(300);
            self.term = Rc::new(t[skip..].to_vec());
        }
    }

    fn schedule_save(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.save_timer = Some(Timeout::new(400, move || link.send_message(Msg::Save)));
    }

    fn launch(&mut self, ctx: &Context<Self>, traces: Vec<Trace>) {
        for trace in traces {
            let mut hops = trace.hops.clone();
            hops.extend(trace.reply());
            let points = hops.iter().map(|h| self.layout.point(h)).collect();
            let end = format!("=>  {}", trace.result());
            self.last_trace = Some(trace);
            self.flights.push(Flight {
                points,
                hops,
                pos: 0.0,
                announced: 0,
                end,
            });
        }
        while self.flights.len() > MAX_FLIGHTS {
            self.flights.remove(0);
        }
        if self.reduced_motion {
            for f in &mut self.flights {
                f.pos = f.points.len() as f64;
            }
            self.announce_all();
            self.flights.clear();
        } else {
            self.request_frame(ctx);
        }
    }

    fn announce_all(&mut self) {
        for f in &mut self.flights {
            while f.announced < f.hops.len() && (f.announced as f64) <= f.pos {
                self.live.push(hop_line(f.announced, &f.hops[f.announced]));
                f.announced += 1;
            }
            if f.announced >= f.hops.len() && f.pos >= f.hops.len() as f64 - 1.0 && !f.end.is_empty() {
                self.live.push(std::mem::take(&mut f.end));
            }
        }
        let n = self.live.len();
        if n > 12 {
            self.live.drain(..n - 12);
        }
    }

    fn request_frame(&mut self, ctx: &Context<Self>) {
        if self.frame.is_none() && self.playing && !self.flights.is_empty() {
            let link = ctx.link().clone();
            self.frame = Some(request_animation_frame(move |ts| link.send_message(Msg::Frame(ts))));
        }
    }

    fn run_line(&mut self, ctx: &Context<Self>, line: &str) {
        let traces = self.session.run(line);
        self.after_change(ctx, traces);
    }

    /// After a command or a send: redraw, fly the requests, save, and check the lesson.
    fn after_change(&mut self, ctx: &Context<Self>, traces: Vec<Trace>) {
        self.relayout();
        self.launch(ctx, traces);
        self.schedule_save(ctx);
        self.check_goals();
    }

    /// Ticks the lesson's steps that now hold, in order, and remembers the progress.
    fn check_goals(&mut self) {
        let Some(lesson) = self.lesson.clone() else { return };
        loop {
            let Some(step) = lesson.steps.get(self.done) else {
                self.goal_state.clear();
                return;
            };
            self.goal_state = step
                .goals
                .iter()
                .map(|g| crate::lessons::check(g, &self.session))
                .collect();
            if !self.goal_state.iter().all(|ok| *ok) {
                return;
            }
            self.done += 1;
            if let Some(s) = storage() {
                let _ = s.set_item(&progress_key(&lesson.id), &self.done.to_string());
            }
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn rendered(&mut self, _ctx: &Context<Self>, _first: bool) {
        // Inside an iframe, tell the embedding page how tall the content is.
        if !self.embed {
            return;
        }
        let Some(root) = gloo::utils::document().document_element() else {
            return;
        };
        let h = root.scroll_height();
        if h != self.posted_height {
            self.posted_height = h;
            if let Ok(Some(parent)) = gloo::utils::window().parent() {
                let msg = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&msg, &"type".into(), &"svclab:height".into());
                let _ = js_sys::Reflect::set(&msg, &"height".into(), &(h as f64).into());
                let _ = parent.post_message(&msg, "*");
            }
        }
    }

    fn create(ctx: &Context<Self>) -> Self {
        let window = gloo::utils::window();
        let fragment = window.location().hash().unwrap_or_default();
        let (shared, bad_share) = match open_share(&fragment) {
            Some(Ok(s)) => {
                adopt_shared(&s);
                (Some(s), false)
            }
            Some(Err(())) => (None, true),
            None => (None, false),
        };
        let route = route_from_hash(&fragment);
        let storage_key = match &route {
            Route::Playground | Route::Lessons => format!("{STORAGE_PREFIX}playground"),
            Route::Lesson(id) => format!("{STORAGE_PREFIX}lesson:{id}"),
        };
        // A lesson's files are fetched; until they arrive the page shows an empty lab.
        let mut next_lesson = None;
        let mut lesson_error = None;
        match &route {
            Route::Lesson(id) => match crate::lessons::locate(id) {
                Some((folder, files, next)) => {
                    next_lesson = next;
                    let link = ctx.link().clone();
                    yew::platform::spawn_local(async move {
                        let mut got = Vec::new();
                        for f in files {
                            match fetch_text(format!("lessons/{folder}/{f}")).await {
                                Some(t) => got.push((f.to_string(), t)),
                                None => {
                                    link.send_message(Msg::LessonLoaded(Err(format!("lessons/{folder}/{f}"))));
                                    return;
                                }
                            }
                        }
                        link.send_message(Msg::LessonLoaded(crate::lessons::Lesson::parse(folder, &got)));
                    });
                }
                None => lesson_error = Some(id.clone()),
            },
            Route::Lessons => {
                let link = ctx.link().clone();
                yew::platform::spawn_local(async move {
                    let mut out = Vec::new();
                    for (folder, _, _) in crate::lessons::LESSON_INDEX {
                        if let Some(t) = fetch_text(format!("lessons/{folder}/lesson.yaml")).await {
                            if let Ok(s) = crate::lessons::summary(folder, &t) {
                                out.push(s);
                            }
                        }
                    }
                    link.send_message(Msg::IndexLoaded(out));
                });
            }
            Route::Playground => {}
        }
        let lang = shared.as_ref().and_then(|s| s.lang).unwrap_or_else(initial_lang);
        set_page_lang(lang);
        let mut shared_json = shared.map(|s| s.json);
        let session = match &route {
            // The saved or shared session is read once the lesson (and its lab) has arrived.
            Route::Lesson(_) => Session::new(1, Vec::new()),
            _ => saved_session(shared_json.take(), &storage_key)
                .and_then(|text| Session::from_json(&text))
                .unwrap_or_else(|| Session::new(1, starter_files())),
        };
        let reduced_motion = window
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        let link = ctx.link().clone();
        let clock = Interval::new(1000, move || link.send_message(Msg::Tick));
        let link = ctx.link().clone();
        let hash = EventListener::new(&window, "hashchange", move |_| link.send_message(Msg::Hash));
        let layout = Rc::new(layout(&session.shell.cluster));
        let skip = session.transcript.len().saturating_sub(300);
        let term = Rc::new(session.transcript[skip..].to_vec());
        let mut app = App {
            session,
            lesson: None,
            done: 0,
            goal_state: Vec::new(),
            shown_hint: None,
            shown_solution: None,
            next_lesson,
            lesson_error,
            index: Vec::new(),
            storage_key,
            route,
            lang,
            layout,
            term,
            input: String::new(),
            history_pos: None,
            flights: Vec::new(),
            last_trace: None,
            playing: true,
            speed: 1.0,
            last_frame: None,
            frame: None,
            reduced_motion,
            live: Vec::new(),
            url: "http://127.0.0.1:31051".into(),
            balance: Vec::new(),
            error: None,
            save_failed: false,
            too_large: false,
            save_timer: None,
            _clock: clock,
            _hash: hash,
            embed: embedded(),
            posted_height: 0,
            bad_share,
            share: None,
            shared_json,
            _warm: None,
        };
        let link = ctx.link().clone();
        app._warm = Some(Timeout::new(250, move || link.send_message(Msg::WarmUp)));
        app.check_goals();
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Hash => {
                let route = route_from_hash(&gloo::utils::window().location().hash().unwrap_or_default());
                if route != self.route {
                    // Each page keeps its own saved session.
                    let _ = gloo::utils::window().location().reload();
                }
                false
            }
            Msg::Lang(l) => {
                self.lang = l;
                set_page_lang(l);
                true
            }
            Msg::SelectFile(i) => {
                self.session.active = i.min(self.session.files.len().saturating_sub(1));
                self.schedule_save(ctx);
                true
            }
            Msg::Edit(text) => {
                if let Some(f) = self.session.files.get_mut(self.session.active) {
                    f.1 = text;
                }
                self.schedule_save(ctx);
                true
            }
            Msg::NewFile => {
                let n = self.session.files.len() + 1;
                self.session.files.push((format!("manifest-{n}.yml"), String::new()));
                self.session.active = self.session.files.len() - 1;
                self.schedule_save(ctx);
                true
            }
            Msg::Apply => {
                let Some((name, _)) = self.session.files.get(self.session.active).cloned() else {
                    return false;
                };
                self.run_line(ctx, &format!("kubectl apply -f {name}"));
                let out = self
                    .session
                    .transcript
                    .last()
                    .map(|l| l.output.as_str())
                    .unwrap_or_default();
                // Only a failed apply needs the file read again to find the line at fault.
                let failed = out
                    .lines()
                    .any(|l| !l.ends_with(" created") && !l.ends_with(" configured") && !l.ends_with(" unchanged"));
                self.error = if failed {
                    self.session.error_line(&name, out).map(|(line, msg)| (name, line, msg))
                } else {
                    None
                };
                true
            }
            Msg::Input(v) => {
                self.input = v;
                true
            }
            Msg::Key(e) => {
                match e.key().as_str() {
                    "Enter" => {
                        let line = std::mem::take(&mut self.input);
                        self.history_pos = None;
                        self.run_line(ctx, &line);
                    }
                    "ArrowUp" => {
                        e.prevent_default();
                        let h = &self.session.history;
                        if h.is_empty() {
                            return false;
                        }
                        let pos = self.history_pos.map_or(h.len() - 1, |p| p.saturating_sub(1));
                        self.history_pos = Some(pos);
                        self.input = h[pos].clone();
                    }
                    "ArrowDown" => {
                        e.prevent_default();
                        let h = &self.session.history;
                        match self.history_pos {
                            Some(p) if p + 1 < h.len() => {
                                self.history_pos = Some(p + 1);
                                self.input = h[p + 1].clone();
                            }
                            _ => {
                                self.history_pos = None;
                                self.input.clear();
                            }
                        }
                    }
                    "l" if e.ctrl_key() => {
                        e.prevent_default();
                        self.session.transcript.clear();
                        self.relayout();
                    }
                    _ => return false,
                }
                true
            }
            Msg::Tick => {
                self.session.tick(1);
                self.relayout();
                self.check_goals();
                true
            }
            Msg::Frame(ts) => {
                self.frame = None;
                let dt = self.last_frame.map_or(0.0, |l| ((ts - l) / 1000.0).min(0.1));
                self.last_frame = Some(ts);
                for f in &mut self.flights {
                    f.pos += dt * 1.6 * self.speed;
                }
                self.announce_all();
                self.flights.retain(|f| f.pos < f.points.len() as f64 - 1.0 + 0.6);
                if self.flights.is_empty() {
                    self.last_frame = None;
                }
                self.request_frame(ctx);
                true
            }
            Msg::TogglePlay => {
                self.playing = !self.playing;
                self.last_frame = None;
                self.request_frame(ctx);
                true
            }
            Msg::Step => {
                self.playing = false;
                for f in &mut self.flights {
                    f.pos = (f.pos.floor() + 1.0).min(f.points.len() as f64 - 1.0);
                }
                self.announce_all();
                true
            }
            Msg::Speed(s) => {
                self.speed = s;
                true
            }
            Msg::Replay => {
                if let Some(t) = self.last_trace.clone() {
                    self.launch(ctx, vec![t]);
                }
                true
            }
            Msg::Url(u) => {
                self.url = u;
                false
            }
            Msg::Send(n) => {
                let url = self.url.clone();
                let traces = self.session.send(&url, n);
                let mut counts: Vec<(String, usize)> = Vec::new();
                for tr in &traces {
                    let who = tr
                        .hops
                        .iter()
                        .rev()
                        .find_map(|h| match &h.rule {
                            Rule::Respond { .. } => Some(h.place.label()),
                            Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => {
                                Some(format!("{} ({})", h.place.label(), h.rule.name()))
                            }
                            _ => None,
                        })
                        .unwrap_or_else(|| "-".into());
                    match counts.iter_mut().find(|(w, _)| *w == who) {
                        Some(c) => c.1 += 1,
                        None => counts.push((who, 1)),
                    }
                }
                crate::sim::order::sort(&mut counts);
                self.balance = counts;
                self.after_change(ctx, traces);
                true
            }
            Msg::LessonLoaded(Ok(l)) => {
                // A lesson whose lab changes fail its own test still opens, on the plain lab.
                let lab = l.lab().unwrap_or_default();
                let saved = saved_session(self.shared_json.take(), &self.storage_key);
                self.session = saved
                    .and_then(|text| Session::from_json_on(&text, lab.clone()))
                    .unwrap_or_else(|| Session::with_lab(l.seed, lab, l.files.clone()));
                self.done = saved_progress(&l.id).min(l.steps.len());
                self.lesson = Some(Rc::new(l));
                self.relayout();
                self.check_goals();
                true
            }
            Msg::LessonLoaded(Err(what)) => {
                self.lesson_error = Some(what);
                true
            }
            Msg::Share => {
                let mut extra = vec![("lang", crate::sim::value::Value::str(self.lang.code()))];
                if let Some(l) = &self.lesson {
                    extra.push(("lesson", crate::sim::value::Value::str(l.id.as_str())));
                }
                let json = self.session.to_json_with(extra);
                let loc = gloo::utils::window().location();
                let link = format!(
                    "{}{}#/share/{}",
                    loc.origin().unwrap_or_default(),
                    loc.pathname().unwrap_or_default(),
                    crate::share::encode(&json)
                );
                self.share = Some(if link.len() <= crate::share::MAX_LINK_CHARS {
                    Ok(link)
                } else {
                    Err(json)
                });
                true
            }
            Msg::CloseShare => {
                self.share = None;
                true
            }
            Msg::Upload(e) => {
                let input: HtmlInputElement = e.target_unchecked_into();
                let Some(file) = input.files().and_then(|f| f.get(0)) else {
                    return false;
                };
                let link = ctx.link().clone();
                yew::platform::spawn_local(async move {
                    let text = wasm_bindgen_futures::JsFuture::from(file.text())
                        .await
                        .ok()
                        .and_then(|t| t.as_string());
                    link.send_message(Msg::Uploaded(text));
                });
                false
            }
            Msg::Uploaded(text) => {
                match text.as_deref().map(read_shared) {
                    Some(Ok(s)) => {
                        adopt_shared(&s);
                        let _ = gloo::utils::window().location().reload();
                    }
                    _ => self.bad_share = true,
                }
                true
            }
            Msg::WarmUp => {
                // The browser compiles WebAssembly functions on first use: run the common paths
                // once in a throwaway session, so the learner's first apply is not the slow one.
                let mut scratch = Session::new(1, starter_files());
                scratch.run("kubectl apply -f deploy-test01.yml");
                scratch.run("kubectl apply -f service-test01.yml");
                scratch.tick(30);
                scratch.run("host curl -s http://127.0.0.1:31051");
                scratch.run("kubectl get all");
                let _ = layout(&scratch.shell.cluster);
                self._warm = None;
                false
            }
            Msg::IndexLoaded(list) => {
                self.index = list;
                true
            }
            Msg::Hint(i) => {
                self.shown_hint = (self.shown_hint != Some(i)).then_some(i);
                true
            }
            Msg::Solution(i) => {
                self.shown_solution = (self.shown_solution != Some(i)).then_some(i);
                true
            }
            Msg::RunSolution(i) => {
                let lines = self
                    .lesson
                    .as_ref()
                    .and_then(|l| l.steps.get(i))
                    .map(|s| s.solution.clone())
                    .unwrap_or_default();
                for line in lines {
                    self.run_line(ctx, &line);
                }
                true
            }
            Msg::Reset => {
                match self.lesson.clone() {
                    Some(l) => {
                        if let Ok(fresh) = l.start() {
                            self.session = fresh;
                        }
                        self.done = 0;
                        if let Some(st) = storage() {
                            let _ = st.remove_item(&progress_key(&l.id));
                        }
                    }
                    None => self.session.reset(),
                }
                self.flights.clear();
                self.balance.clear();
                self.error = None;
                self.relayout();
                self.check_goals();
                self.schedule_save(ctx);
                true
            }
            Msg::Save => {
                self.save_timer = None;
                // Huge pastes are not saved: serialising them on every pause in typing would
                // stall the page, and browsers cap local storage at about 5 MB anyway.
                let bytes: usize = self.session.files.iter().map(|(n, t)| n.len() + t.len()).sum();
                let was = (self.save_failed, self.too_large);
                self.too_large = bytes > SAVE_LIMIT;
                self.save_failed = !self.too_large && {
                    let json = self.session.to_json();
                    storage().is_none_or(|s| s.set_item(&self.storage_key, &json).is_err())
                };
                was != (self.save_failed, self.too_large)
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        html! {
            <div class={classes!("app", self.embed.then_some("embed"))} lang={lang.code()}>
                <header class="bar">
                    if self.embed {
                        <a class="out" href={full_page_url()} target="_blank" rel="noopener">{ t(lang, "open-full") }</a>
                    } else {
                        <h1>{ t(lang, "title") }</h1>
                    }
                    <nav aria-label={t(lang, "language")}>
                        <a href="#/playground">{ t(lang, "playground") }</a>
                        <a href="#/lessons">{ t(lang, "lessons") }</a>
                        <button class={classes!((lang == Lang::Ko).then_some("on"))} onclick={link.callback(|_| Msg::Lang(Lang::Ko))} aria-pressed={(lang == Lang::Ko).to_string()}>{ "한국어" }</button>
                        <button class={classes!((lang == Lang::En).then_some("on"))} onclick={link.callback(|_| Msg::Lang(Lang::En))} aria-pressed={(lang == Lang::En).to_string()}>{ "English" }</button>
                        <button onclick={link.callback(|_| Msg::Reset)} title={t(lang, "reset-confirm")}>{ t(lang, "reset") }</button>
                        <button onclick={link.callback(|_| Msg::Share)}>{ t(lang, "share") }</button>
                    </nav>
                </header>
                if self.bad_share {
                    <p class="warn" role="alert">{ t(lang, "bad-share") }</p>
                }
                if let Some(share) = &self.share {
                    { self.view_share(ctx, share) }
                }
                if let (Route::Lesson(id), Some(_)) = (&self.route, &self.lesson_error) {
                    <section class="lesson" aria-label={t(lang, "lesson")}>
                        <h2>{ format!("{}: {id}", t(lang, "lesson")) }</h2>
                        <p>{ t(lang, "no-lesson") }</p>
                    </section>
                }
                if self.route == Route::Lessons {
                    { self.view_index() }
                }
                if self.save_failed {
                    <p class="warn" role="status">{ t(lang, "not-saved") }</p>
                }
                if self.too_large {
                    <p class="warn" role="status">{ t(lang, "too-large") }</p>
                }
                if self.route != Route::Lessons {
                    <main class={classes!("grid", self.lesson.is_some().then_some("with-lesson"))}>
                        if self.lesson.is_some() { { self.view_lesson(ctx) } }
                        { self.view_topology(ctx) }
                        { self.view_editor(ctx) }
                        { self.view_terminal(ctx) }
                    </main>
                }
            </div>
        }
    }
}

impl App {
    fn view_share(&self, ctx: &Context<Self>, share: &Result<String, String>) -> Html {
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

    fn view_index(&self) -> Html {
        let lang = self.lang;
        html! {
            <main class="index">
                <h2>{ t(lang, "lessons") }</h2>
                <ol>
                    { for self.index.iter().map(|l| {
                        let done = saved_progress(&l.id).min(l.steps);
                        html! {
                            <li>
                                <a href={format!("#/lesson/{}", l.id)}>{ l.title.get(lang).to_string() }</a>
                                <span class={classes!("progress", (done == l.steps).then_some("complete"))}>{ format!(" {done}/{} {}", l.steps, t(lang, "progress")) }</span>
                            </li>
                        }
                    }) }
                </ol>
            </main>
        }
    }

    fn view_lesson(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let Some(l) = &self.lesson else { return html! {} };
        html! {
            <aside class="lesson-pane" aria-label={t(lang, "lesson")}>
                <h2>{ l.title.get(lang).to_string() }</h2>
                <div class="prose">{ md(l.intro.get(lang)) }</div>
                <h3>{ t(lang, "steps") }</h3>
                <ol class="steps">
                    { for l.steps.iter().enumerate().map(|(i, step)| {
                        let state = if i < self.done { "done" } else if i == self.done { "current" } else { "later" };
                        html! {
                            <li class={classes!("step", state)} aria-current={(i == self.done).then_some("step")}>
                                <span class="mark">{ if i < self.done { format!("✓ {}", t(lang, "done")) } else { t(lang, "todo").to_string() } }</span>
                                <div class="prose">{ md(step.text.get(lang)) }</div>
                                if i == self.done {
                                    <ul class="goals">
                                        { for step.goals.iter().enumerate().map(|(j, g)| {
                                            let ok = self.goal_state.get(j).copied().unwrap_or(false);
                                            html! { <li class={classes!(ok.then_some("ok"))}>{ if ok { "✓ " } else { "○ " } }{ md_inline(&crate::lessons::describe(g, lang)) }</li> }
                                        }) }
                                    </ul>
                                    <div class="step-buttons">
                                        <button onclick={link.callback(move |_| Msg::Hint(i))} aria-expanded={(self.shown_hint == Some(i)).to_string()}>{ t(lang, "hint") }</button>
                                        <button onclick={link.callback(move |_| Msg::Solution(i))} aria-expanded={(self.shown_solution == Some(i)).to_string()}>{ t(lang, "solution") }</button>
                                    </div>
                                    if self.shown_hint == Some(i) { <div class="hint prose">{ md(step.hint.get(lang)) }</div> }
                                    if self.shown_solution == Some(i) {
                                        <pre class="code-block">{ step.solution.join("\n") }</pre>
                                        <button onclick={link.callback(move |_| Msg::RunSolution(i))}>{ t(lang, "run-solution") }</button>
                                    }
                                }
                            </li>
                        }
                    }) }
                </ol>
                if self.done >= l.steps.len() {
                    <p class="complete" role="status">{ t(lang, "lesson-done") }</p>
                }
                <div class="step-buttons">
                    <button onclick={link.callback(|_| Msg::Reset)}>{ t(lang, "reset-lesson") }</button>
                    if let Some(n) = self.next_lesson { <a href={format!("#/lesson/{n}")}>{ format!("{} →", t(lang, "next-lesson")) }</a> }
                </div>
            </aside>
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
            <section class="editor" aria-label={t(lang, "editor")}>
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
                <button class="apply" onclick={link.callback(|_| Msg::Apply)}>{ format!("{}: kubectl apply -f {name}", t(lang, "apply")) }</button>
            </section>
        }
    }

    fn view_terminal(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        html! {
            <section class="terminal" aria-label={t(lang, "terminal")}>
                <TermScreen lines={self.term.clone()} {lang} />
                <label class="line">
                    <span class="prompt">{ self.session.shell.prompt() }</span>
                    <input
                        type="text"
                        aria-label={t(lang, "terminal")}
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        value={self.input.clone()}
                        oninput={link.callback(|e: InputEvent| Msg::Input(e.target_unchecked_into::<HtmlInputElement>().value()))}
                        onkeydown={link.callback(Msg::Key)}
                    />
                </label>
            </section>
        }
    }

    fn view_topology(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let f = |x: f64| format!("{x:.1}");
        let packets = self.flights.iter().filter_map(|fl| {
            let n = fl.points.len();
            if n == 0 {
                return None;
            }
            let i = (fl.pos.floor() as usize).min(n - 1);
            let frac = (fl.pos - i as f64).clamp(0.0, 1.0);
            let (x0, y0) = fl.points[i];
            let (x1, y1) = fl.points[(i + 1).min(n - 1)];
            let (x, y) = (x0 + (x1 - x0) * frac, y0 + (y1 - y0) * frac);
            let hop = &fl.hops[i.min(fl.hops.len() - 1)];
            let class = match hop.rule {
                Rule::Dnat { .. } | Rule::Snat { .. } | Rule::PortForward { .. } => "packet rewrite",
                Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => "packet stopped",
                _ => "packet",
            };
            Some(html! {
                <g class={class}>
                    <circle cx={f(x)} cy={f(y)} r="7" />
                    <text x={f(x + 10.0)} y={f(y - 8.0)} class="small mono">{ hop.after.to_string() }</text>
                </g>
            })
        });
        let steps = self.last_trace.as_ref().map(|tr| {
            tr.hops
                .iter()
                .map(|h| html! { <li>{ h.line() }</li> })
                .collect::<Html>()
        });
        html! {
            <section class="topology" aria-label={t(lang, "packets")}>
                <div class="stage">
                    <Topology layout={self.layout.clone()} {lang} />
                    <svg class="overlay" aria-hidden="true" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} preserveAspectRatio="xMidYMid meet">
                        { for packets }
                    </svg>
                </div>
                <div class="controls">
                    <button onclick={link.callback(|_| Msg::TogglePlay)}>{ if self.playing { t(lang, "pause") } else { t(lang, "play") } }</button>
                    <button onclick={link.callback(|_| Msg::Step)}>{ t(lang, "step") }</button>
                    <button onclick={link.callback(|_| Msg::Replay)}>{ t(lang, "replay") }</button>
                    <label>{ t(lang, "speed") }
                        <select onchange={link.callback(|e: Event| Msg::Speed(e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(1.0)))}>
                            { for [0.5, 1.0, 2.0, 4.0].iter().map(|s| html! { <option value={s.to_string()} selected={*s == self.speed}>{ format!("{s}×") }</option> }) }
                        </select>
                    </label>
                    <label>{ t(lang, "url") }
                        <input type="text" value={self.url.clone()} oninput={link.callback(|e: InputEvent| Msg::Url(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                    </label>
                    <button onclick={link.callback(|_| Msg::Send(1))}>{ t(lang, "send") }</button>
                    <button onclick={link.callback(|_| Msg::Send(20))}>{ t(lang, "send-many") }</button>
                </div>
                if !self.balance.is_empty() {
                    <div class="balance" aria-label={t(lang, "balance")}>
                        <h3>{ t(lang, "balance") }</h3>
                        <ul>{ for self.balance.iter().map(|(who, n)| html! { <li><progress max="20" value={n.to_string()}></progress>{ format!(" {n} × {who}") }</li> }) }</ul>
                    </div>
                }
                <div class="hops">
                    <h3>{ t(lang, "hops") }</h3>
                    if let Some(steps) = steps { <ol>{ steps }</ol> } else { <p>{ t(lang, "no-request") }</p> }
                </div>
                <div class="live" aria-live="polite">{ for self.live.iter().map(|l| html! { <p>{ l }</p> }) }</div>
            </section>
        }
    }
}

#[derive(Properties)]
struct TopologyProps {
    layout: Rc<Layout>,
    lang: Lang,
}

impl PartialEq for TopologyProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.layout, &other.layout) && self.lang == other.lang
    }
}

/// The lab drawn from its layout; re-rendered only when the layout changes.
#[function_component]
fn Topology(props: &TopologyProps) -> Html {
    let lang = props.lang;
    let l = &*props.layout;
    let f = |x: f64| format!("{x:.1}");
    let rect = |r: &crate::layout::Rect, class: &'static str| html! { <rect class={class} x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="6" /> };
    let (pcx, pcy) = l.pc.center();
    let (nx, ny) = l.nat.center();
    let (dx, dy) = l.dns.center();
    let (ix, iy) = l.internet.center();
    let nodes = l.nodes.iter().map(|n| {
        let role = if n.control_plane { t(lang, "control-plane") } else { t(lang, "worker") };
        html! {
            <g class="node" aria-label={format!("node {} {}", n.name, n.ip)}>
                { rect(&n.rect, "node-box") }
                <text x={f(n.rect.x + 8.0)} y={f(n.rect.y + 18.0)} class="node-name">{ format!("{} {}", n.name, n.ip) }</text>
                <text x={f(n.rect.x + 8.0)} y={f(n.rect.y + 34.0)} class="small">{ role }</text>
                { for n.pods.iter().map(|p| {
                    let class = match p.health { Health::Running => "pod running", Health::Starting => "pod starting", Health::Stopping => "pod stopping", Health::Failing => "pod failing" };
                    let small = p.rect.h < 20.0;
                    html! {
                        <g class={class} tabindex="0" aria-label={format!("pod {} {} {} ({})", p.name, p.ip, p.status, p.labels)}>
                            <title>{ format!("{}\n{}\n{}\n{}", p.name, p.ip, p.status, p.labels) }</title>
                            <rect x={f(p.rect.x)} y={f(p.rect.y)} width={f(p.rect.w)} height={f(p.rect.h)} rx="4" />
                            if !small {
                                <text x={f(p.rect.x + 4.0)} y={f(p.rect.y + 13.0)} class="small">{ p.name.clone() }</text>
                                <text x={f(p.rect.x + 4.0)} y={f(p.rect.y + 27.0)} class="small mono">{ format!("{} · {}", p.ip, p.status) }</text>
                            }
                        </g>
                    }
                }) }
            </g>
        }
    });
    let services = l.services.iter().map(|s| {
        let label = format!("{} {} {} {} ({} {})", s.name, s.type_, s.address, s.ports, s.endpoints, t(lang, "endpoints"));
        html! {
            <g class="service" aria-label={format!("service {label}")}>
                { rect(&s.rect, "svc-box") }
                <text x={f(s.rect.x + 6.0)} y={f(s.rect.y + if s.node_ports.is_empty() { s.rect.h * 0.7 } else { 13.0 })} class="small mono">{ label }</text>
                { for l.nodes.iter().flat_map(|n| s.node_ports.iter().enumerate().map(move |(i, np)| (n, i, *np))).map(|(n, i, np)| html! {
                    <g class="badge">
                        <rect x={f(n.rect.x + 6.0 + i as f64 * 56.0)} y={f(s.rect.y + s.rect.h / 2.0)} width="52" height={f(s.rect.h / 2.0 - 2.0)} rx="3" />
                        <text x={f(n.rect.x + 10.0 + i as f64 * 56.0)} y={f(s.rect.y + s.rect.h - 5.0)} class="small mono">{ format!(":{np}") }</text>
                    </g>
                }) }
            </g>
        }
    });
    html! {
        <svg role="img" aria-label={t(lang, "topology")} viewBox={format!("0 0 {WIDTH} {HEIGHT}")} preserveAspectRatio="xMidYMid meet">
            <line class="wire" x1={f(pcx)} y1={f(pcy)} x2={f(nx)} y2={f(ny)} />
            { for l.nodes.iter().map(|n| html! { <line class="wire" x1={f(l.nat.x + l.nat.w)} y1={f(ny)} x2={f(n.rect.center().0)} y2={f(n.rect.y)} /> }) }
            <line class="wire" x1={f(dx)} y1={f(dy)} x2={f(nx)} y2={f(l.nat.y)} />
            <line class="wire" x1={f(ix)} y1={f(iy)} x2={f(nx)} y2={f(l.nat.y + l.nat.h)} />
            <g class="pc" aria-label="PC 127.0.0.1">
                { rect(&l.pc, "pc-box") }
                <text x={f(l.pc.x + 8.0)} y={f(l.pc.y + 24.0)}>{ t(lang, "pc") }</text>
                <text x={f(l.pc.x + 8.0)} y={f(l.pc.y + 44.0)} class="small mono">{ "127.0.0.1" }</text>
            </g>
            <g class="nat" aria-label={format!("NAT 10.0.2.0/24 {}", l.port_forwards.join(", "))}>
                { rect(&l.nat, "nat-box") }
                <text x={f(l.nat.x + 8.0)} y={f(l.nat.y + 20.0)}>{ t(lang, "nat") }</text>
                <text x={f(l.nat.x + 8.0)} y={f(l.nat.y + 36.0)} class="small mono">{ "10.0.2.0/24" }</text>
                { for l.port_forwards.iter().enumerate().map(|(i, pf)| html! { <text x={f(l.nat.x + 8.0)} y={f(l.nat.y + 58.0 + i as f64 * 16.0)} class="small mono">{ pf.clone() }</text> }) }
            </g>
            <g class="dns" aria-label="DNS 10.96.0.10">
                { rect(&l.dns, "dns-box") }
                <text x={f(l.dns.x + 8.0)} y={f(l.dns.y + 24.0)}>{ t(lang, "dns") }</text>
                <text x={f(l.dns.x + 8.0)} y={f(l.dns.y + 44.0)} class="small mono">{ "10.96.0.10" }</text>
            </g>
            <g class="internet" aria-label="internet">
                { rect(&l.internet, "net-box") }
                <text x={f(l.internet.x + 8.0)} y={f(l.internet.y + 26.0)}>{ t(lang, "internet") }</text>
                <text x={f(l.internet.x + 8.0)} y={f(l.internet.y + 46.0)} class="small mono">{ "www.google.com" }</text>
            </g>
            { for nodes }
            { for services }
        </svg>
    }
}

#[derive(Properties)]
struct TermProps {
    lines: Rc<Vec<crate::session::TermLine>>,
    lang: Lang,
}

impl PartialEq for TermProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lines, &other.lines) && self.lang == other.lang
    }
}

/// The terminal's scrollback; re-rendered only when a command adds to it. The screen is a
/// reversed flex column, so the browser keeps it scrolled to the newest line by itself (no
/// script reads the layout to scroll it).
#[function_component]
fn TermScreen(props: &TermProps) -> Html {
    html! {
        <div class="screen">
            <div>
                <p class="hint">{ t(props.lang, "terminal-help") }</p>
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

/// `<html lang>`, for screen readers and the crash notice; set when the language is chosen,
/// not on every render.
fn set_page_lang(l: Lang) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = root.set_attribute("lang", l.code());
    }
}

/// Leaves a panic's message where the page's crash notice (`static/check.js`) shows it. Release
/// builds stop at the panic without running this hook (they are built with
/// `-Cpanic=immediate-abort`), and the notice appears without the detail.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if let Some(body) = gloo::utils::document().body() {
            let _ = body.set_attribute("data-panic", &info.to_string());
        }
    }));
}

pub fn start() {
    install_panic_hook();
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}
