//! The browser front end (wasm32 only): a thin view over `session::Session`.
//!
//! `App` owns the session and the page's state (Elm style: `Msg` in, `update` changes state,
//! `view` draws). The views live by concern: `topology` (the drawing and its packets), `panels`
//! (terminal, YAML editor, hop table), `lesson` (lesson pane, index, home), `share` (the share
//! dialog), `prose` (lesson Markdown), `browser` (storage, address, embed glue). None holds
//! simulation logic: the drawing comes from `layout`, the packets' timing from `packets`, the
//! hops' words from `hopwords`, all pure and tested on the host.

mod browser;
mod carry;
mod lesson;
mod panels;
mod prose;
mod share;
mod topology;
mod tour;

use gloo::events::EventListener;
use gloo::render::{request_animation_frame, AnimationFrame};
use gloo::timers::callback::{Interval, Timeout};
use std::rc::Rc;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::i18n::{t, Lang};
use crate::layout::{layout, Layout};
use crate::packets::Flight;
use crate::session::{starter_files, LoadError, Replay, Session};
use crate::sim::lab::Lab;
use crate::sim::net::{Outcome, Rule, Trace};
use crate::sim::value::Value;
use browser::*;

/// Saves larger than this (or whose files alone are) are not kept in the browser.
const SAVE_LIMIT: usize = 2 * 1024 * 1024;
/// Packets drawn at once for a batch ("Send 20").
const MAX_FLIGHTS: usize = 40;

/// The panel beside the terminal.
#[derive(Clone, Copy, PartialEq)]
pub enum Side {
    Hops,
    Yaml,
}

/// What an embedded lesson shows (the embed is one column).
#[derive(Clone, Copy, PartialEq)]
pub enum EmbedTab {
    Lesson,
    Lab,
    Files,
}

/// The packets of the last command or send, and the clock that moves them.
pub struct Anim {
    pub flights: Vec<Flight>,
    /// Each flight's start, in animation seconds.
    pub starts: Vec<f64>,
    /// Animation seconds elapsed (1x).
    pub t: f64,
    /// A batch runs faster than one request.
    pub rate: f64,
    pub end: f64,
    pub result: String,
    /// The stop of the first flight last announced.
    pub announced: Option<usize>,
    /// Each stop of the first flight in words (where, what happened), in the page's language:
    /// worded once, not on every frame.
    pub words: Vec<(String, String)>,
}

impl Anim {
    fn new(flights: Vec<Flight>, result: String, lang: Lang) -> Anim {
        let batch = flights.len() > 1;
        let starts: Vec<f64> = (0..flights.len()).map(|i| i as f64 * 0.35).collect();
        let end = flights
            .iter()
            .zip(&starts)
            .map(|(f, s)| s + f.duration)
            .fold(0.0, f64::max);
        let words = Anim::word(flights.first(), lang);
        Anim {
            flights,
            starts,
            t: 0.0,
            rate: if batch { 3.0 } else { 1.0 },
            end,
            result,
            announced: None,
            words,
        }
    }

    fn word(flight: Option<&Flight>, lang: Lang) -> Vec<(String, String)> {
        let stops = flight.map_or(&[][..], |f| &f.stops[..]);
        stops
            .iter()
            .map(|s| {
                (
                    crate::hopwords::place(&s.hop, lang),
                    crate::hopwords::what(&s.hop, lang, s.reply),
                )
            })
            .collect()
    }

    pub fn done(&self) -> bool {
        self.t >= self.end
    }

    /// The first flight's local time.
    pub fn local(&self) -> f64 {
        self.t - self.starts.first().copied().unwrap_or(0.0)
    }
}

pub enum Msg {
    Hash,
    Lang(Lang),
    SelectFile(usize),
    Edit(String),
    NewFile,
    Apply,
    /// Ctrl-C in the terminal, or its Stop button.
    Interrupt,
    /// The file of a `kubectl edit`: saved (`true`) or closed unsaved.
    EndEdit(bool),
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
    /// The few seconds to confirm a lesson's reset have passed.
    Disarm,
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
    /// Storage changed under the page (progress loaded from a file): draw again.
    Refresh,
    WarmUp,
    Resize(f64, f64),
    Side(Side),
    EmbedTab(EmbedTab),
    Toast(Option<String>),
    ReplaySlice,
    StopReplay,
    /// Replay the save whose last replay never ended (`true`), or set it aside.
    Unfinished(bool),
}

/// Why a save was set aside.
pub enum Why {
    Damaged,
    Version(String),
    /// Replayed steps, of all.
    Stopped(usize, usize),
    /// The shared lab the learner had changed, replaced by a newly opened one.
    Replaced,
    /// A save whose last replay in this tab never ended, set aside at the learner's word.
    Unfinished,
}

/// A save set aside (`keep_aside`): where it is kept (`None`: storage refused, so the slot is
/// not saved over) and a download of it.
pub struct Kept {
    key: Option<String>,
    href: String,
    why: Why,
}

pub struct App {
    session: Session,
    lesson: Option<Rc<crate::lessons::Lesson>>,
    /// Steps passed, in order.
    done: usize,
    /// The session's action number when the current step opened: its goals on actions count
    /// only what the learner did since.
    step_mark: u64,
    /// The current step's goals, as last checked, and why each unmet one is unmet.
    goal_state: Vec<bool>,
    goal_why: Vec<Option<String>>,
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
    stage: NodeRef,
    stage_size: (f64, f64),
    term: Rc<Vec<crate::session::TermLine>>,
    term_dropped: usize,
    input: String,
    history_pos: Option<usize>,
    anim: Option<Anim>,
    last_traces: Vec<Trace>,
    playing: bool,
    speed: f64,
    last_frame: Option<f64>,
    frame: Option<AnimationFrame>,
    reduced_motion: bool,
    live: Vec<String>,
    url: String,
    balance: Vec<(String, usize)>,
    /// A beginner's note under the drawing (why nothing answered).
    note: Option<&'static str>,
    error: Option<(String, usize, String)>,
    /// Why the last save did not happen (an i18n key).
    save_problem: Option<&'static str>,
    /// The save being replayed, in slices between frames (`Msg::ReplaySlice`), and its text.
    replay: Option<Replay>,
    replay_text: String,
    replay_timer: Option<Timeout>,
    kept: Option<Kept>,
    /// A save whose last replay in this tab never ended, waiting for the learner's choice.
    unfinished: Option<(String, Lab)>,
    /// A save that could not be set aside is not written over on this page.
    hold: bool,
    /// A shared lab that storage refused; an upload refused.
    share_not_kept: bool,
    upload_not_kept: bool,
    /// What a shared lab carries: its step and that step's mark.
    shared_progress: (usize, u64),
    save_timer: Option<Timeout>,
    _clock: Interval,
    _hash: EventListener,
    _resize: EventListener,
    embed: bool,
    embed_tab: EmbedTab,
    side: Side,
    posted_height: i32,
    bad_share: Option<LoadError>,
    /// The share dialog: the link, or `Err(json)` when it is too long for a link.
    share: Option<Result<String, String>>,
    /// The save to replay once the lesson (and its lab) has arrived.
    pending: Option<String>,
    toast: Option<String>,
    toast_timer: Option<Timeout>,
    /// A lesson's reset asked once: the next press starts it over (its files and step marks
    /// go), for a few seconds.
    reset_armed: Option<Timeout>,
    _warm: Option<Timeout>,
}

impl App {
    /// Recomputes the drawing; keeps the old one (and so skips the SVG's re-render) when
    /// nothing visible changed.
    fn relayout(&mut self) {
        let (w, h) = self.stage_size;
        let l = layout(&self.session.shell.cluster, w, h, self.lang);
        if *self.layout != l {
            self.layout = Rc::new(l);
            // The packets' ways follow the boxes.
            if let Some(a) = &mut self.anim {
                let traces = &self.last_traces;
                if a.flights.len() == traces.len() {
                    a.flights = traces.iter().map(|tr| Flight::new(tr, &self.layout)).collect();
                }
            }
        }
        let t = &self.session.transcript;
        if t.len() != self.term.len() || t.last() != self.term.last() || self.session.dropped_lines != self.term_dropped
        {
            self.term = Rc::new(t.clone());
            self.term_dropped = self.session.dropped_lines;
        }
    }

    /// Opens the page's lab: `fresh` when there is nothing to replay, else the save replayed in
    /// slices (`slice`); a save that cannot be read is set aside and `fresh` opens instead.
    fn begin(&mut self, ctx: &Context<Self>, text: Option<String>, lab: Lab, fresh: Session) {
        self.session = fresh;
        if let Some(text) = text {
            // This tab's last replay of this save never ended: it may be what stopped the page.
            // Ask before replaying it again, and save nothing over it meanwhile.
            if replaying() == Some(self.storage_key.clone()) {
                set_replaying(None);
                self.hold = true;
                self.unfinished = Some((text, lab));
                return self.loaded(ctx);
            }
            match Replay::new(&text, lab) {
                Ok(mut r) => {
                    r.set_lang(self.lang);
                    self.replay = Some(r);
                    self.replay_text = text;
                    set_replaying(Some(&self.storage_key));
                    return self.slice(ctx);
                }
                Err(LoadError::Damaged) => self.set_aside(text, Why::Damaged),
                Err(LoadError::Version(v)) => self.set_aside(text, Why::Version(v)),
            }
        }
        self.loaded(ctx);
    }

    /// Replays the save for about 40 ms, then lets the page draw and answer before the next
    /// slice: a long log shows its progress and can be stopped, and never blocks the page.
    fn slice(&mut self, ctx: &Context<Self>) {
        let Some(r) = &mut self.replay else { return };
        let start = js_sys::Date::now();
        while r.step() {
            if js_sys::Date::now() - start > 40.0 {
                let link = ctx.link().clone();
                self.replay_timer = Some(Timeout::new(0, move || link.send_message(Msg::ReplaySlice)));
                return;
            }
        }
        if let Some(r) = self.replay.take() {
            self.session = r.finish();
        }
        set_replaying(None);
        self.replay_text = String::new();
        self.loaded(ctx);
    }

    fn set_aside(&mut self, text: String, why: Why) {
        let key = keep_aside(&self.storage_key, &text);
        self.hold = key.is_none();
        let href = blob_url(&text);
        self.kept = Some(Kept { key, href, why });
    }

    /// The lab is ready: draw it and grade the lesson's step (progress restored on opening is no
    /// new moment).
    fn loaded(&mut self, ctx: &Context<Self>) {
        self.relayout();
        let done = self.done;
        self.check_goals(ctx);
        if self.done == done {
            self.toast = None;
        }
    }

    /// What a share (and a shared lab's save) carries besides the session.
    fn extras(&self) -> Vec<(&'static str, Value)> {
        let mut extra = vec![("lang", Value::str(self.lang.code()))];
        if let Some(l) = &self.lesson {
            extra.push(("lesson", Value::str(l.id.as_str())));
            extra.push(("done", Value::Int(self.done as i64)));
            extra.push(("mark", Value::Int(self.step_mark as i64)));
        }
        extra
    }

    fn schedule_save(&mut self, ctx: &Context<Self>) {
        let link = ctx.link().clone();
        self.save_timer = Some(Timeout::new(400, move || link.send_message(Msg::Save)));
    }

    /// Plays the requests of a command: one at a time, a new command replacing the last.
    fn launch(&mut self, ctx: &Context<Self>, traces: Vec<Trace>) {
        // A name that did not resolve leaves a trace without hops: nothing to draw.
        let traces: Vec<Trace> = traces.into_iter().filter(|tr| !tr.hops.is_empty()).collect();
        if traces.is_empty() {
            return;
        }
        let shown: Vec<Trace> = traces.iter().take(MAX_FLIGHTS).cloned().collect();
        let flights = shown.iter().map(|tr| Flight::new(tr, &self.layout)).collect();
        let result = traces
            .last()
            .map(|tr| crate::hopwords::result(tr, self.lang))
            .unwrap_or_default();
        self.last_traces = shown;
        let mut anim = Anim::new(flights, result, self.lang);
        self.side = Side::Hops;
        if self.reduced_motion {
            // The same path and table, without movement.
            anim.t = anim.end;
        }
        self.anim = Some(anim);
        self.last_frame = None;
        self.announce();
        self.request_frame(ctx);
    }

    /// Says each hop of the first packet as it reaches it, in the page's language.
    fn announce(&mut self) {
        let Some(a) = &mut self.anim else { return };
        let Some(f) = a.flights.first().filter(|f| !f.stops.is_empty()) else {
            return;
        };
        let now = if a.done() {
            f.stops.len().saturating_sub(1)
        } else {
            f.at(a.local()).stop
        };
        let from = a.announced.map_or(0, |s| s + 1);
        for i in from..=now.min(f.stops.len().saturating_sub(1)) {
            let s = &f.stops[i];
            let (place, what) = &a.words[i];
            self.live.push(format!(
                "{}. {place}: {} {what}: {} => {}",
                i + 1,
                s.hop.rule.name(),
                s.hop.before,
                s.hop.after
            ));
        }
        if a.announced.is_none_or(|s| s < now) {
            a.announced = Some(now);
            if a.done() && now + 1 == f.stops.len() {
                self.live.push(format!("=> {}", a.result));
            }
        }
        let n = self.live.len();
        if n > 12 {
            self.live.drain(..n - 12);
        }
    }

    fn request_frame(&mut self, ctx: &Context<Self>) {
        let running = self.anim.as_ref().is_some_and(|a| !a.done());
        if self.frame.is_none() && self.playing && running {
            let link = ctx.link().clone();
            self.frame = Some(request_animation_frame(move |ts| link.send_message(Msg::Frame(ts))));
        }
    }

    fn run_line(&mut self, ctx: &Context<Self>, line: &str) {
        // `help` on a node is the page's own guide, in the page's language; it changes nothing in
        // the lab and is not part of the saved log.
        if line.trim() == "help" && self.session.shell.sessions.len() == 1 && self.session.shell.pending.is_none() {
            self.session.transcript.push(crate::session::TermLine {
                prompt: self.session.shell.prompt(),
                command: "help".into(),
                output: format!("{}\n", t(self.lang, "help-text")),
            });
            self.relayout();
            return;
        }
        self.session.set_lang(self.lang);
        let traces = self.session.run(line);
        // `kubectl edit` opened its file: show the editor (the embed's Files tab).
        if matches!(self.session.held(), Some(crate::session::Hold::Edit(_))) {
            self.side = Side::Yaml;
            if self.embed {
                self.embed_tab = EmbedTab::Files;
                show(".embed-tabs");
            } else {
                show(".side .editor");
            }
        }
        self.note = None;
        self.after_change(ctx, traces);
    }

    /// On a lesson's page, before its lab has come (its file is being fetched).
    fn lesson_loading(&self) -> bool {
        matches!(self.route, Route::Lesson(_)) && self.lesson.is_none() && self.lesson_error.is_none()
    }

    /// After a command or a send: redraw, fly the requests, save, and check the lesson.
    fn after_change(&mut self, ctx: &Context<Self>, traces: Vec<Trace>) {
        self.relayout();
        self.launch(ctx, traces);
        self.schedule_save(ctx);
        self.check_goals(ctx);
    }

    /// Ticks the lesson's steps that now hold, in order, and remembers the progress.
    fn check_goals(&mut self, ctx: &Context<Self>) {
        let Some(lesson) = self.lesson.clone() else { return };
        let before = self.done;
        loop {
            let Some(step) = lesson.steps.get(self.done) else {
                self.goal_state.clear();
                self.goal_why.clear();
                break;
            };
            self.goal_state = step
                .goals
                .iter()
                .map(|g| crate::lessons::check_since(g, &self.session, self.step_mark))
                .collect();
            if !self.goal_state.iter().all(|ok| *ok) {
                let (s, mark, lang) = (&self.session, self.step_mark, self.lang);
                self.goal_why = step
                    .goals
                    .iter()
                    .zip(&self.goal_state)
                    .map(|(g, ok)| (!ok).then(|| crate::lessons::why_since(g, s, mark, lang)).flatten())
                    .collect();
                break;
            }
            self.done += 1;
            self.step_mark = self.session.mark();
            if let Some(s) = storage().filter(|_| self.route != Route::Shared) {
                let _ = s.set_item(&progress_key(&lesson.id), &self.done.to_string());
                let _ = s.set_item(&mark_key(&lesson.id), &self.step_mark.to_string());
            }
        }
        if self.done > before {
            let text = if self.done >= lesson.steps.len() {
                t(self.lang, "lesson-done").to_string()
            } else {
                format!("✓ {} {}", t(self.lang, "step-passed"), self.done)
            };
            self.show_toast(ctx, text);
        }
    }

    fn show_toast(&mut self, ctx: &Context<Self>, text: String) {
        self.toast = Some(text);
        let link = ctx.link().clone();
        self.toast_timer = Some(Timeout::new(3500, move || link.send_message(Msg::Toast(None))));
    }

    /// The stage's size in CSS pixels, as the stylesheet laid it out.
    fn measure(&self) -> Option<(f64, f64)> {
        let el = self.stage.cast::<web_sys::Element>()?;
        let (w, h) = (el.client_width() as f64, el.client_height() as f64);
        (w > 0.0).then_some((w, h))
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn rendered(&mut self, ctx: &Context<Self>, _first: bool) {
        if let Some((w, h)) = self.measure() {
            let (ow, oh) = self.stage_size;
            // Stacked drawings set their own height: only the width counts there.
            let stacked = w < crate::layout::STACK_BELOW;
            if (w - ow).abs() > 1.0 || (!stacked && (h - oh).abs() > 1.0) {
                ctx.link().send_message(Msg::Resize(w, h));
            }
        }
        // Inside an iframe, tell the embedding page how tall the content is.
        if !self.embed {
            return;
        }
        // The app's own height: the document's scroll height would never shrink below the
        // iframe's, and could only grow.
        let Some(root) = gloo::utils::document().query_selector(".app").ok().flatten() else {
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
        // A share link opens in its own slot, never over the learner's own labs.
        let mut share_not_kept = false;
        let mut replaced = None;
        let (shared, bad_share) = match open_share(&fragment) {
            // An embed's lab comes from its snippet on every load: it is not kept.
            Some(Ok(s)) if embedded() => (Some(s), None),
            Some(Ok(s)) => {
                match adopt_shared(&s) {
                    Some(old) => replaced = old,
                    None => share_not_kept = true,
                }
                (Some(s), None)
            }
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let route = match shared {
            Some(_) => Route::Shared,
            None => route_from_hash(&fragment),
        };
        let storage_key = match &route {
            Route::Lesson(id) => format!("{STORAGE_PREFIX}lesson:{id}"),
            Route::Shared => SHARED_KEY.to_string(),
            _ => format!("{STORAGE_PREFIX}playground"),
        };
        let stored = || storage().and_then(|s| s.get_item(&storage_key).ok().flatten());
        // The save this page rebuilds its lab from; the home page and the index show no lab.
        let pending = match &route {
            Route::Home | Route::Lessons => None,
            Route::Shared => shared.as_ref().map(|s| s.json.clone()).or_else(stored),
            _ => stored(),
        };
        let meta = match (&route, &shared) {
            (_, Some(s)) => Some((s.lesson.clone(), s.done, s.mark)),
            (Route::Shared, None) => pending
                .as_deref()
                .and_then(|t| read_shared(t).ok())
                .map(|s| (s.lesson, s.done, s.mark)),
            _ => None,
        };
        let shared_progress = meta.as_ref().map_or((0, 0), |m| (m.1, m.2));
        let lesson_id = match &route {
            Route::Lesson(id) => Some(id.clone()),
            _ => meta.and_then(|m| m.0),
        };
        // A lesson's files are fetched; until they arrive the page shows an empty lab.
        let mut next_lesson = None;
        let mut lesson_error = None;
        let mut fetching = false;
        match lesson_id.as_deref().map(|id| (id, crate::lessons::locate(id))) {
            Some((_, Some((folder, files, next)))) => {
                fetching = true;
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
            Some((id, None)) => lesson_error = Some(id.to_string()),
            None => {}
        }
        if matches!(route, Route::Lessons | Route::Home) {
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
        let lang = shared.as_ref().and_then(|s| s.lang).unwrap_or_else(initial_lang);
        set_page_lang(lang);
        let session = Session::new(1, Vec::new());
        let reduced_motion = window
            .match_media("(prefers-reduced-motion: reduce)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        let link = ctx.link().clone();
        let clock = Interval::new(1000, move || link.send_message(Msg::Tick));
        let link = ctx.link().clone();
        let hash = EventListener::new(&window, "hashchange", move |_| link.send_message(Msg::Hash));
        let link = ctx.link().clone();
        let resize = EventListener::new(&window, "resize", move |_| link.send_message(Msg::Resize(0.0, 0.0)));
        let stage_size = (900.0, 420.0);
        let layout = Rc::new(layout(&session.shell.cluster, stage_size.0, stage_size.1, lang));
        let term = Rc::new(Vec::new());
        let embed = embedded();
        let mut app = App {
            session,
            lesson: None,
            done: 0,
            step_mark: 0,
            goal_state: Vec::new(),
            goal_why: Vec::new(),
            shown_hint: None,
            shown_solution: None,
            next_lesson,
            lesson_error,
            index: Vec::new(),
            storage_key,
            route,
            lang,
            layout,
            stage: NodeRef::default(),
            stage_size,
            term,
            term_dropped: 0,
            input: String::new(),
            history_pos: None,
            anim: None,
            last_traces: Vec::new(),
            playing: true,
            speed: 1.0,
            last_frame: None,
            frame: None,
            reduced_motion,
            live: Vec::new(),
            url: "http://127.0.0.1:31051".into(),
            balance: Vec::new(),
            note: None,
            error: None,
            save_problem: None,
            replay: None,
            replay_text: String::new(),
            replay_timer: None,
            kept: None,
            unfinished: None,
            hold: false,
            share_not_kept,
            upload_not_kept: false,
            shared_progress,
            save_timer: None,
            _clock: clock,
            _hash: hash,
            _resize: resize,
            embed,
            embed_tab: EmbedTab::Lab,
            side: Side::Yaml,
            posted_height: 0,
            bad_share,
            share: None,
            pending: None,
            toast: None,
            toast_timer: None,
            reset_armed: None,
            _warm: None,
        };
        if embed && matches!(app.route, Route::Lesson(_)) {
            app.embed_tab = EmbedTab::Lesson;
        }
        let link = ctx.link().clone();
        app._warm = Some(Timeout::new(250, move || link.send_message(Msg::WarmUp)));
        if let Some(old) = replaced {
            app.set_aside(old, Why::Replaced);
        }
        if fetching {
            app.pending = pending;
        } else if matches!(app.route, Route::Playground | Route::Shared | Route::Lesson(_)) {
            app.begin(ctx, pending, Lab::default(), Session::new(1, starter_files()));
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Hash => {
                let hash = gloo::utils::window().location().hash().unwrap_or_default();
                // A share link pasted into this tab opens as it would in a new one.
                if hash.starts_with("#/share/") || route_from_hash(&hash) != self.route {
                    // Leaving a replay on purpose is no sign that it stopped the page.
                    if self.replay.is_some() {
                        set_replaying(None);
                    }
                    // Each page keeps its own saved session.
                    let _ = gloo::utils::window().location().reload();
                }
                false
            }
            Msg::Lang(l) => {
                self.lang = l;
                set_page_lang(l);
                if let Some(a) = &mut self.anim {
                    a.words = Anim::word(a.flights.first(), l);
                    if let Some(tr) = self.last_traces.last() {
                        a.result = crate::hopwords::result(tr, l);
                    }
                }
                self.relayout();
                self.check_goals(ctx);
                true
            }
            Msg::Resize(w, h) => {
                let (w, h) = if w > 0.0 {
                    (w, h)
                } else {
                    self.measure().unwrap_or(self.stage_size)
                };
                self.stage_size = (w, h);
                self.relayout();
                true
            }
            Msg::Side(s) => {
                self.side = s;
                true
            }
            Msg::EmbedTab(tab) => {
                self.embed_tab = tab;
                if tab == EmbedTab::Files {
                    self.side = Side::Yaml;
                }
                true
            }
            Msg::Toast(t) => {
                self.toast = t;
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
            Msg::Interrupt => {
                if !self.session.interrupt() {
                    // Nothing runs: the typed line is dropped, as bash does.
                    self.session.transcript.push(crate::session::TermLine {
                        prompt: self.session.shell.prompt(),
                        command: format!("{}^C", self.input),
                        output: String::new(),
                    });
                }
                self.input.clear();
                self.history_pos = None;
                self.after_change(ctx, Vec::new());
                true
            }
            Msg::EndEdit(save) => {
                match (save, self.session.files.get(self.session.active)) {
                    (true, Some((_, text))) => {
                        let text = text.clone();
                        self.session.save_edit(&text);
                    }
                    _ => {
                        self.session.interrupt();
                    }
                }
                if self.session.held().is_some() {
                    // Reopened: the failures are at the file's top, so show its top.
                    Timeout::new(0, || {
                        if let Some(code) = gloo::utils::document().query_selector(".side .code").ok().flatten() {
                            code.set_scroll_top(0);
                        }
                    })
                    .forget();
                } else {
                    // Closed: back to the terminal, where kubectl said what it did.
                    self.embed_tab = if self.embed { EmbedTab::Lab } else { self.embed_tab };
                    show(".terminal");
                }
                self.after_change(ctx, Vec::new());
                true
            }
            Msg::Input(v) => {
                self.input = v;
                true
            }
            Msg::Key(e) => {
                match e.key().as_str() {
                    // Ctrl-C copies a selection; without one it interrupts, as in a terminal.
                    "c" if e.ctrl_key() && !has_selection(&e) => {
                        e.prevent_default();
                        ctx.link().send_message(Msg::Interrupt);
                        return false;
                    }
                    // The terminal is held (a watch, an edit): keys wait, as they would.
                    "Enter" if self.session.held().is_some() || self.lesson_loading() => return false,
                    "Enter" => {
                        let line = std::mem::take(&mut self.input);
                        self.history_pos = None;
                        self.run_line(ctx, &line);
                        if !matches!(self.session.held(), Some(crate::session::Hold::Edit(_))) {
                            show(".terminal");
                        }
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
                        self.session.dropped_lines = 0;
                        self.relayout();
                    }
                    _ => return false,
                }
                true
            }
            Msg::Tick => {
                if matches!(self.route, Route::Home | Route::Lessons) || self.replay.is_some() {
                    return false;
                }
                self.session.tick(1);
                self.relayout();
                self.check_goals(ctx);
                true
            }
            Msg::Frame(ts) => {
                self.frame = None;
                let dt = self.last_frame.map_or(0.0, |l| ((ts - l) / 1000.0).min(0.1));
                self.last_frame = Some(ts);
                if let Some(a) = &mut self.anim {
                    a.t = (a.t + dt * self.speed * a.rate).min(a.end);
                }
                self.announce();
                if self.anim.as_ref().is_none_or(|a| a.done()) {
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
                if let Some(a) = &mut self.anim {
                    if let Some(f) = a.flights.first() {
                        let start = a.starts[0];
                        a.t = (start + f.next_stop_time(a.local())).min(a.end);
                    }
                }
                self.announce();
                true
            }
            Msg::Speed(s) => {
                self.speed = s;
                true
            }
            Msg::Replay => {
                let traces = self.last_traces.clone();
                self.launch(ctx, traces);
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
                            Rule::Respond { .. } => Some(crate::hopwords::place(h, self.lang)),
                            Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => {
                                Some(format!("{} ({})", crate::hopwords::place(h, self.lang), h.rule.name()))
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
                self.balance = if n > 1 { counts } else { Vec::new() };
                // A first request into an empty lab: say in plain words why nothing answers.
                let nobody = traces.iter().all(|tr| !matches!(tr.outcome, Outcome::Response(_)));
                let no_service = self
                    .session
                    .shell
                    .cluster
                    .services
                    .iter()
                    .all(|(k, _)| k.0 == "kube-system" || k.1 == "kubernetes");
                self.note = (nobody && no_service).then_some("empty-lab");
                self.after_change(ctx, traces);
                true
            }
            Msg::LessonLoaded(Ok(l)) => {
                // A lesson whose lab changes fail its own test still opens, on the plain lab.
                let lab = l.lab().unwrap_or_default();
                (self.done, self.step_mark) = match self.route {
                    Route::Shared => self.shared_progress,
                    _ => (saved_progress(&l.id), saved_mark(&l.id)),
                };
                self.done = self.done.min(l.steps.len());
                let fresh = Session::with_lab(l.seed, lab.clone(), l.files.clone());
                self.lesson = Some(Rc::new(l));
                let text = self.pending.take();
                self.begin(ctx, text, lab, fresh);
                true
            }
            Msg::LessonLoaded(Err(what)) => {
                self.lesson_error = Some(what);
                // A shared lab whose lesson cannot be fetched still opens, on the plain lab.
                if self.route == Route::Shared {
                    let text = self.pending.take();
                    self.begin(ctx, text, Lab::default(), Session::new(1, starter_files()));
                }
                true
            }
            Msg::Share => {
                let json = self.session.to_json_with(self.extras());
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
                    Some(Ok(s)) if adopt_shared(&s).is_some() => {
                        let _ = gloo::utils::window().location().reload();
                    }
                    Some(Ok(_)) => self.upload_not_kept = true,
                    Some(Err(e)) => self.bad_share = Some(e),
                    None => self.bad_share = Some(LoadError::Damaged),
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
                let traces = scratch.run("host curl -s http://127.0.0.1:31051");
                scratch.run("kubectl get all");
                let l = layout(&scratch.shell.cluster, self.stage_size.0, self.stage_size.1, self.lang);
                for tr in &traces {
                    let _ = Flight::new(tr, &l);
                }
                self._warm = None;
                false
            }
            Msg::Refresh => true,
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
            Msg::ReplaySlice => {
                self.replay_timer = None;
                self.slice(ctx);
                true
            }
            Msg::Unfinished(again) => {
                if let Some((text, lab)) = self.unfinished.take() {
                    self.hold = false;
                    match again {
                        true => self.begin(ctx, Some(text), lab, Session::new(1, Vec::new())),
                        false => self.set_aside(text, Why::Unfinished),
                    }
                }
                true
            }
            Msg::StopReplay => {
                if let Some(r) = self.replay.take() {
                    set_replaying(None);
                    let (n, m) = r.progress();
                    self.replay_timer = None;
                    self.session = r.finish();
                    let text = std::mem::take(&mut self.replay_text);
                    self.set_aside(text, Why::Stopped(n, m));
                    self.loaded(ctx);
                }
                true
            }
            Msg::Disarm => {
                self.reset_armed = None;
                true
            }
            Msg::Reset => {
                // A lesson's reset loses its files' edits and step marks: it takes a second press.
                if self.lesson.is_some() && self.reset_armed.is_none() {
                    let link = ctx.link().clone();
                    self.reset_armed = Some(Timeout::new(4000, move || link.send_message(Msg::Disarm)));
                    return true;
                }
                self.reset_armed = None;
                match self.lesson.clone() {
                    Some(l) => {
                        if let Ok(fresh) = l.start() {
                            self.session = fresh;
                        }
                        self.done = 0;
                        self.step_mark = 0;
                        if let Some(st) = storage() {
                            let _ = st.remove_item(&mark_key(&l.id));
                            let _ = st.remove_item(&progress_key(&l.id));
                        }
                    }
                    None => self.session.reset(),
                }
                self.anim = None;
                self.last_traces.clear();
                self.balance.clear();
                self.error = None;
                self.note = None;
                self.relayout();
                self.check_goals(ctx);
                self.schedule_save(ctx);
                true
            }
            Msg::Save => {
                self.save_timer = None;
                let embed_share = self.embed && self.route == Route::Shared;
                if matches!(self.route, Route::Home | Route::Lessons)
                    || self.replay.is_some()
                    || self.hold
                    || embed_share
                {
                    return false;
                }
                // Huge saves are not kept: serialising them on every pause in typing would
                // stall the page, and browsers cap local storage at about 5 MB anyway. Files
                // that alone are too large are not even serialised.
                let bytes: usize = self.session.files.iter().map(|(n, t)| n.len() + t.len()).sum();
                let was = self.save_problem;
                self.save_problem = if bytes > SAVE_LIMIT {
                    Some("too-large")
                } else {
                    let json = match self.route {
                        Route::Shared => self.session.to_json_with(self.extras()),
                        _ => self.session.to_json(),
                    };
                    if json.len() > SAVE_LIMIT {
                        Some("too-large")
                    } else {
                        store(&self.storage_key, &json).err()
                    }
                };
                was != self.save_problem
            }
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let lang_button = |l: Lang, name: &'static str| {
            html! {
                <button class={classes!((lang == l).then_some("on"))} onclick={link.callback(move |_| Msg::Lang(l))}
                    aria-pressed={(lang == l).to_string()}>{ name }</button>
            }
        };
        let in_lab = matches!(self.route, Route::Playground | Route::Lesson(_) | Route::Shared);
        let ready = in_lab && self.replay.is_none();
        html! {
            <div class={classes!("app", self.embed.then_some("embed"), in_lab.then_some("in-lab"))} lang={lang.code()}>
                <header class="bar">
                    if self.embed {
                        <a class="out" href={full_page_url()} target="_blank" rel="noopener">{ t(lang, "open-full") }</a>
                    } else {
                        <a class="brand" href="#/">{ t(lang, "title") }</a>
                    }
                    <nav aria-label={t(lang, "language")}>
                        <a href="#/playground" aria-current={(self.route == Route::Playground).then_some("page")}>{ t(lang, "playground") }</a>
                        <a href="#/lessons" aria-current={(self.route == Route::Lessons).then_some("page")}>{ t(lang, "lessons") }</a>
                        { lang_button(Lang::Ko, "한국어") }
                        { lang_button(Lang::En, "English") }
                        if ready {
                            <button onclick={link.callback(|_| Msg::Reset)} title={t(lang, if self.lesson.is_some() { "reset-lesson-about" } else { "reset-confirm" })}>
                                { t(lang, if self.reset_armed.is_some() { "reset-again" } else { "reset" }) }</button>
                            <button onclick={link.callback(|_| Msg::Share)}>{ t(lang, "share") }</button>
                        }
                    </nav>
                </header>
                { self.view_notices(ctx) }
                if let Some(share) = &self.share {
                    { self.view_share(ctx, share) }
                }
                if let (Route::Lesson(id), Some(_)) = (&self.route, &self.lesson_error) {
                    <section class="lesson" aria-label={t(lang, "lesson")}>
                        <h2>{ format!("{}: {id}", t(lang, "lesson")) }</h2>
                        <p>{ t(lang, "no-lesson") }</p>
                    </section>
                }
                if let Some(why) = self.save_problem {
                    <p class="warn" role="status">{ t(lang, why) }</p>
                }
                if let Some(text) = &self.toast {
                    <div class="toast" role="status">{ text.clone() }</div>
                }
                { match self.route {
                    Route::Home => self.view_home(),
                    Route::Lessons => self.view_index(ctx),
                    _ => self.view_lab(ctx),
                } }
            </div>
        }
    }
}

impl App {
    fn view_lab(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        if let Some(r) = &self.replay {
            return self.view_replay(ctx, r.progress());
        }
        let with_lesson = self.lesson.is_some();
        let tab_class = match (self.embed, self.embed_tab) {
            (false, _) => None,
            (true, EmbedTab::Lesson) => Some("show-lesson"),
            (true, EmbedTab::Lab) => Some("show-lab"),
            (true, EmbedTab::Files) => Some("show-files"),
        };
        let tab = |which: EmbedTab, key: &'static str| {
            let on = self.embed_tab == which;
            html! {
                <button role="tab" aria-selected={on.to_string()} class={classes!(on.then_some("on"))}
                    onclick={link.callback(move |_| Msg::EmbedTab(which))}>{ t(lang, key) }</button>
            }
        };
        html! {
            <main class={classes!("work", with_lesson.then_some("with-lesson"), tab_class)}>
                if self.embed {
                    <div class="embed-tabs" role="tablist">
                        if with_lesson { { tab(EmbedTab::Lesson, "lesson") } }
                        { tab(EmbedTab::Lab, "lab") }
                        { tab(EmbedTab::Files, "files") }
                    </div>
                }
                if with_lesson { { self.view_lesson(ctx) } }
                if !self.embed && self.route == Route::Playground { <tour::Tour {lang} /> }
                { self.view_topology(ctx) }
                { self.view_terminal(ctx) }
                { self.view_side(ctx) }
            </main>
        }
    }
}

pub fn start() {
    install_panic_hook();
    if let Some(boot) = gloo::utils::document().get_element_by_id("boot") {
        boot.remove();
    }
    yew::Renderer::<App>::new().render();
}

/// Whether the terminal's input has text selected (Ctrl-C then copies it).
fn has_selection(e: &KeyboardEvent) -> bool {
    let input: HtmlInputElement = e.target_unchecked_into();
    input.selection_start().ok().flatten() != input.selection_end().ok().flatten()
}

/// Once the page is drawn, scrolls the first element `selector` finds into view if it is not
/// (on a phone the page, not the panel, scrolls): the terminal's input line after a command,
/// the editor when `kubectl edit` opens a file.
fn show(selector: &'static str) {
    Timeout::new(0, move || {
        if let Some(el) = gloo::utils::document().query_selector(selector).ok().flatten() {
            let o = web_sys::ScrollIntoViewOptions::new();
            o.set_block(web_sys::ScrollLogicalPosition::Nearest);
            el.scroll_into_view_with_scroll_into_view_options(&o);
        }
    })
    .forget();
}
