//! The drawing: the lab from `layout` (re-rendered only when the layout changes), the packets
//! over it (the route of the last request drawn whole and kept lit, the Service's fan-out to
//! its endpoints, the packet itself), the packet's header under the picture, and the controls.

use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{App, Msg};
use crate::i18n::{t, Lang};
use crate::layout::{Health, Layout, Rect};
use crate::packets::Flight;
use crate::sim::net::{Hop, Rule};

fn f(x: f64) -> String {
    format!("{x:.1}")
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn rect(r: &Rect, class: &'static str) -> Html {
    html! { <rect class={class} x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="6" /> }
}

/// The colour class of a Service type.
fn type_class(type_: &str) -> &'static str {
    match type_ {
        "NodePort" => "svc-nodeport",
        "LoadBalancer" => "svc-lb",
        "ExternalName" => "svc-external",
        _ => "svc-clusterip",
    }
}

/// A rule's kind, for colour and shape.
pub(super) fn rule_class(rule: &Rule) -> &'static str {
    match rule {
        Rule::Dnat { .. } | Rule::PortForward { .. } => "r-dnat",
        Rule::Snat { .. } => "r-snat",
        Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => "r-stop",
        Rule::Dns { .. } => "r-dns",
        _ => "r-pass",
    }
}

#[derive(Properties)]
pub struct TopologyProps {
    pub layout: Rc<Layout>,
    pub lang: Lang,
}

impl PartialEq for TopologyProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.layout, &other.layout) && self.lang == other.lang
    }
}

/// The lab drawn from its layout; re-rendered only when the layout changes.
#[function_component]
pub fn Topology(props: &TopologyProps) -> Html {
    let lang = props.lang;
    let l = &*props.layout;
    let (bus_y, bus_x0, bus_x1) = l.bus;
    let nodes = l.nodes.iter().map(|n| {
        let cx = crate::layout::gate_x(&n.rect);
        let drop = if l.stacked {
            // The bus runs down the right side, through each node's gate.
            html! {}
        } else {
            html! { <line class="wire" x1={f(cx)} y1={f(bus_y)} x2={f(cx)} y2={f(n.rect.y)} /> }
        };
        html! {
            <g class="node" aria-label={format!("node {} {}", n.name, n.ip)}>
                { drop }
                { rect(&n.rect, "node-box") }
                <g class="proxy" aria-label={format!("kube-proxy {}", n.name)}>{ rect(&n.proxy, "proxy-box") }</g>
                { for n.pods.iter().map(|p| {
                    let class = match p.health {
                        Health::Running => "pod running",
                        Health::Starting => "pod starting",
                        Health::Stopping => "pod stopping",
                        Health::Failing => "pod failing",
                    };
                    html! {
                        <g class={class} tabindex="0" aria-label={format!("pod {} {} {} ({})", p.name, p.ip, p.status, p.labels)}>
                            <title>{ format!("{}\n{}\n{}\n{}", p.name, p.ip, p.status, p.labels) }</title>
                            <rect x={f(p.rect.x)} y={f(p.rect.y)} width={f(p.rect.w)} height={f(p.rect.h)} rx="4" />
                        </g>
                    }
                }) }
            </g>
        }
    });
    let services = l.services.iter().map(|s| {
        let r = &s.rect;
        html! {
            <g class={classes!("service", type_class(&s.type_))}
                aria-label={format!("service {} {} ({} {})", s.name, s.type_, s.endpoints.len(), t(lang, "endpoints"))}>
                <rect class="svc-row" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="3" />
                <rect class="swatch" x={f(r.x + 4.0)} y={f(r.y + 4.0)} width="10" height={f(r.h - 8.0)} rx="2" />
            </g>
        }
    });
    html! {
        <svg role="img" aria-label={t(lang, "topology")} width={f(l.width)} height={f(l.height)}
            viewBox={format!("0 0 {} {}", f(l.width), f(l.height))}>
            if l.stacked {
                <line class="wire" x1={f(l.pc.x + l.pc.w)} y1={f(l.pc.center().1)} x2={f(l.nat.x)} y2={f(l.pc.center().1)} />
            } else {
                <line class="wire" x1={f(crate::layout::gate_x(&l.pc))} y1={f(l.pc.y + l.pc.h)} x2={f(crate::layout::gate_x(&l.nat))} y2={f(l.nat.y)} />
                <line class="wire" x1={f(crate::layout::gate_x(&l.nat))} y1={f(l.nat.y + l.nat.h)} x2={f(crate::layout::gate_x(&l.internet))} y2={f(l.internet.y)} />
            }
            if l.stacked {
                <line class="wire bus" x1={f(bus_x0)} y1={f(l.nat.y + l.nat.h)} x2={f(bus_x0)} y2={f(l.nodes.last().map_or(bus_y, |n| n.rect.y + 10.0))} />
            } else {
                <line class="wire bus" x1={f(bus_x0)} y1={f(bus_y)} x2={f(bus_x1)} y2={f(bus_y)} />
            }
            <g class="pc" aria-label="PC 127.0.0.1">{ rect(&l.pc, "pc-box") }</g>
            <g class="nat" aria-label="NAT 10.0.2.0/24">{ rect(&l.nat, "nat-box") }</g>
            <g class="internet" aria-label="internet">{ rect(&l.internet, "net-box") }</g>
            <g class="services" aria-label={t(lang, "services-panel")}>
                { rect(&l.services_box, "svc-panel") }
                { for services }
            </g>
            { for nodes }
            <g class="labels" aria-hidden="true">
                { for l.labels.iter().map(|x| html! {
                    <text x={f(x.x)} y={f(x.y)} class={x.style.class()}>{ x.text.clone() }</text>
                }) }
            </g>
        </svg>
    }
}

/// Old address struck through, new one bold: a rewrite readable without colour.
pub fn addr_change(old: &str, new: &str) -> Html {
    if old == new {
        html! { <span class="addr">{ new.to_string() }</span> }
    } else {
        html! { <span class="addr changed"><s>{ old.to_string() }</s>{ " " }<strong>{ new.to_string() }</strong></span> }
    }
}

/// `src → dst` of a hop, with what it changed marked.
pub fn flow(hop: &Hop) -> Html {
    html! {
        <>
            <span class="k">{ "src " }</span>{ addr_change(&hop.before.src.to_string(), &hop.after.src.to_string()) }
            <span class="arrow">{ " → " }</span>
            <span class="k">{ "dst " }</span>{ addr_change(&hop.before.dst.to_string(), &hop.after.dst.to_string()) }
        </>
    }
}

impl App {
    /// The first packet's flight, its current stop, and whether it is finished.
    pub(super) fn current(&self) -> Option<(&Flight, usize, bool)> {
        let a = self.anim.as_ref()?;
        let fl = a.flights.first()?;
        let m = fl.at(a.local());
        Some((
            fl,
            if a.done() {
                fl.stops.len().saturating_sub(1)
            } else {
                m.stop
            },
            a.done(),
        ))
    }

    /// The words of the first flight's stop `i`: where, and what happened.
    pub(super) fn words(&self, i: usize) -> (&str, &str) {
        self.anim
            .as_ref()
            .and_then(|a| a.words.get(i))
            .map_or(("", ""), |(p, w)| (p.as_str(), w.as_str()))
    }

    fn view_overlay(&self) -> Html {
        let l = &*self.layout;
        let Some(a) = &self.anim else { return html! {} };
        let Some(first) = a.flights.first() else {
            return html! {};
        };
        let (_, stop, _) = self.current().unwrap_or((first, 0, true));
        // The Service hop fans out to the candidate endpoints, the chosen one lit.
        let fan = first.stops.iter().take(first.forward).find_map(|s| match &s.hop.rule {
            Rule::Dnat { service, pod, .. } => {
                let row = l.service(service)?;
                let from = s.at;
                Some(
                    row.endpoints
                        .iter()
                        .filter_map(|(ns, name)| {
                            // The rule names the pod as `NAME on NODE`.
                            let chosen = pod.split(' ').next() == Some(name.as_str());
                            // To the near side of the pod's tile, not its middle: the line
                            // stops at the tile's edge instead of crossing the pod's name.
                            let r = &l.pod(ns, name)?.rect;
                            let x = if r.center().0 > from.0 { r.x } else { r.x + r.w };
                            Some(((x, r.center().1), chosen))
                        })
                        .map(|((x, y), chosen)| {
                            html! { <line class={classes!("fan", chosen.then_some("chosen"))} x1={f(from.0)} y1={f(from.1)} x2={f(x)} y2={f(y)} /> }
                        })
                        .collect::<Html>(),
                )
            }
            _ => None,
        });
        let stops = first.stops.iter().enumerate().filter(|(_, s)| !s.reply).map(|(i, s)| {
            let (x, y) = s.at;
            let class = classes!("stop", rule_class(&s.hop.rule), (i == stop).then_some("now"));
            match s.hop.rule {
                // A stopped packet: a cross where it happened.
                Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => html! {
                    <g class={class}>
                        <line x1={f(x - 9.0)} y1={f(y - 9.0)} x2={f(x + 9.0)} y2={f(y + 9.0)} />
                        <line x1={f(x - 9.0)} y1={f(y + 9.0)} x2={f(x + 9.0)} y2={f(y - 9.0)} />
                    </g>
                },
                _ if s.hop.before != s.hop.after => html! {
                    <rect class={class} x={f(x - 7.0)} y={f(y - 7.0)} width="14" height="14" transform={format!("rotate(45 {} {})", f(x), f(y))} />
                },
                _ => html! { <circle class={class} cx={f(x)} cy={f(y)} r="5" /> },
            }
        });
        let packets = a.flights.iter().zip(&a.starts).filter_map(|(fl, start)| {
            let local = a.t - start;
            if local < 0.0 || (a.done() && a.flights.len() > 1) {
                return None;
            }
            let m = fl.at(local);
            let hop = &fl.stops.get(m.stop)?.hop;
            let (x, y) = m.pos;
            Some(html! { <circle class={classes!("packet", rule_class(&hop.rule))} cx={f(x)} cy={f(y)} r="8" /> })
        });
        html! {
            <svg class="overlay" aria-hidden="true" width={f(l.width)} height={f(l.height)} viewBox={format!("0 0 {} {}", f(l.width), f(l.height))}>
                <polyline class="route there" points={points(&first.route(false))} />
                <polyline class="route back" points={points(&first.route(true))} />
                if let Some(fan) = fan { <g class="fans">{ fan }</g> }
                { for stops }
                { for packets }
            </svg>
        }
    }

    /// The packet's header: where it is, what acted, and its addresses with the change marked.
    fn view_packet_header(&self) -> Html {
        let lang = self.lang;
        if let Some(key) = self.note {
            return html! { <div class="packet-header note"><p>{ super::prose::md_inline(t(lang, key)) }</p></div> };
        }
        let Some((fl, stop, done)) = self.current() else {
            return html! { <div class="packet-header empty"><p>{ super::prose::md_inline(t(lang, "no-request")) }</p></div> };
        };
        let Some(s) = fl.stops.get(stop) else { return html! {} };
        let n = fl.stops.len();
        html! {
            <div class={classes!("packet-header", rule_class(&s.hop.rule))}>
                <div class="where">
                    <span class="no">{ format!("{}/{n}", stop + 1) }</span>
                    <strong>{ self.words(stop).0.to_string() }</strong>
                    <span class={classes!("rule", rule_class(&s.hop.rule))}>{ s.hop.rule.name() }</span>
                    if s.reply { <span class="reply">{ t(lang, "reply") }</span> }
                    <span class="what">{ self.words(stop).1.to_string() }</span>
                </div>
                <div class="flow mono">{ flow(&s.hop) }
                    if done { <span class="result">{ format!("  ⇒ {}", self.anim.as_ref().map(|a| a.result.clone()).unwrap_or_default()) }</span> }
                </div>
            </div>
        }
    }

    pub(super) fn view_topology(&self, ctx: &Context<Self>) -> Html {
        let lang = self.lang;
        let link = ctx.link();
        let stacked = self.layout.stacked;
        html! {
            <section class="topology" aria-label={t(lang, "packets")}>
                <div class="controls">
                    <label class="url">{ t(lang, "url") }
                        <input type="text" value={self.url.clone()} oninput={link.callback(|e: InputEvent| Msg::Url(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                    </label>
                    <button class="primary" onclick={link.callback(|_| Msg::Send(1))}>{ t(lang, "send") }</button>
                    <button onclick={link.callback(|_| Msg::Send(20))}>{ t(lang, "send-many") }</button>
                    <span class="sep"></span>
                    <button onclick={link.callback(|_| Msg::TogglePlay)} aria-label={if self.playing { t(lang, "pause") } else { t(lang, "play") }}>{ if self.playing { "❚❚" } else { "▶" } }</button>
                    <button onclick={link.callback(|_| Msg::Step)}>{ t(lang, "step") }</button>
                    <button onclick={link.callback(|_| Msg::Replay)}>{ t(lang, "replay") }</button>
                    <label>{ t(lang, "speed") }
                        <select onchange={link.callback(|e: Event| Msg::Speed(e.target_unchecked_into::<HtmlInputElement>().value().parse().unwrap_or(1.0)))}>
                            { for [0.5, 1.0, 2.0].iter().map(|s| html! { <option value={s.to_string()} selected={*s == self.speed}>{ format!("{s}×") }</option> }) }
                        </select>
                    </label>
                </div>
                <div class={classes!("stage", stacked.then_some("stacked"))} ref={self.stage.clone()}>
                    <Topology layout={self.layout.clone()} {lang} />
                    { self.view_overlay() }
                </div>
                { self.view_packet_header() }
                { self.view_legend() }
                <div class="live" aria-live="polite">{ for self.live.iter().map(|l| html! { <p>{ l }</p> }) }</div>
            </section>
        }
    }

    /// "Send 20": how many requests each pod answered, as bars.
    pub(super) fn view_tally(&self) -> Html {
        let lang = self.lang;
        let total: usize = self.balance.iter().map(|(_, n)| n).sum();
        html! {
            <div class="tally" aria-label={t(lang, "balance")}>
                <strong>{ t(lang, "balance") }</strong>
                <ul>
                    { for self.balance.iter().map(|(who, n)| html! {
                        <li>
                            // A Deployment's pods differ at the end of their names: keep the
                            // start and that end (`hello-…-b4wc4`), the whole name on hover.
                            <span class="who" title={who.clone()}>{ short_pod_name(who) }</span>
                            <meter min="0" max={total.to_string()} value={n.to_string()}></meter>
                            <span class="n">{ format!("{n}/{total}") }</span>
                        </li>
                    }) }
                </ul>
            </div>
        }
    }

    fn view_legend(&self) -> Html {
        let lang = self.lang;
        html! {
            <ul class="legend" aria-label={t(lang, "legend")}>
                <li><svg width="14" height="14" aria-hidden="true"><circle class="stop r-pass" cx="7" cy="7" r="5" /></svg>{ t(lang, "legend-pass") }</li>
                <li><svg width="16" height="16" aria-hidden="true"><rect class="stop r-dnat" x="3" y="3" width="10" height="10" transform="rotate(45 8 8)" /></svg>{ t(lang, "legend-rewrite") }</li>
                <li><svg width="14" height="14" aria-hidden="true"><g class="stop r-stop"><line x1="2" y1="2" x2="12" y2="12" /><line x1="2" y1="12" x2="12" y2="2" /></g></svg>{ t(lang, "legend-stop") }</li>
                <li><svg width="22" height="10" aria-hidden="true"><line class="legend-route" x1="0" y1="5" x2="22" y2="5" /></svg>{ t(lang, "legend-route") }</li>
                <li><span class="chip svc-nodeport"></span>{ "NodePort" }<span class="chip svc-clusterip"></span>{ "ClusterIP" }<span class="chip svc-lb"></span>{ "LoadBalancer" }</li>
            </ul>
        }
    }
}

/// A ReplicaSet's pod `NAME-HASH-XXXXX` as `NAME-…-XXXXX`: the end tells its pods apart.
fn short_pod_name(name: &str) -> String {
    let mut parts = name.rsplitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(end), Some(hash), Some(head)) if hash.len() >= 8 => format!("{head}-…-{end}"),
        _ => name.to_string(),
    }
}
