//! The topology as coordinates: a pure function from cluster state and the drawing's size in CSS
//! pixels to boxes, wires and every label, which the browser draws one to one (no scaling, so a
//! 12 px label is 12 px on screen). No web dependency; tested on the host, including that no two
//! labels overlap and none leaves the picture.
//!
//! Two arrangements: side by side from 640 px wide (the PC and the NAT network on the left, the
//! Services above the nodes, the nodes in columns), and stacked below that (a phone: the nodes
//! one under another, the picture as tall as it needs).

use crate::i18n::{t, Lang};
use crate::sim::cluster::Cluster;
use crate::sim::net::{Hop, Place, Rule};
use crate::sim::objects::ContainerState;
use crate::sim::printers::{pod_status, service_ports};

/// Below this width the nodes are stacked.
pub const STACK_BELOW: f64 = 640.0;
/// The smallest text drawn, in CSS pixels.
pub const MIN_TEXT: f64 = 12.0;
const PAD: f64 = 8.0;
const ROW_H: f64 = 20.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn new(x: f64, y: f64, w: f64, h: f64) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
    pub fn inside(&self, o: &Rect) -> bool {
        self.x >= o.x - 0.01
            && self.y >= o.y - 0.01
            && self.x + self.w <= o.x + o.w + 0.01
            && self.y + self.h <= o.y + o.h + 0.01
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Health {
    Running,
    Starting,
    Stopping,
    Failing,
}

/// What kind of text a label is; the stylesheet sizes and colours it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A box's name: 14 px, bold.
    Title,
    /// Ordinary text: 12 px.
    Text,
    /// Addresses and ports: 12 px monospace.
    Mono,
}

impl Style {
    pub fn size(self) -> f64 {
        match self {
            Style::Title => 14.0,
            Style::Text | Style::Mono => MIN_TEXT,
        }
    }
    pub fn class(self) -> &'static str {
        match self {
            Style::Title => "t-title",
            Style::Text => "t-text",
            Style::Mono => "t-mono",
        }
    }
}

/// One line of text at its baseline's left end.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub style: Style,
    pub text: String,
}

/// How wide a text is drawn, estimated on the generous side: monospace 0.61 em a character,
/// proportional Latin 0.6 em, Hangul and other wide characters a full em.
pub fn text_width(text: &str, style: Style) -> f64 {
    let size = style.size();
    text.chars()
        .map(|c| match (c as u32, style) {
            (0x1100.., _) => size,
            (_, Style::Mono) => 0.61 * size,
            (_, Style::Title) => 0.62 * size,
            _ => 0.6 * size,
        })
        .sum()
}

/// The text cut to `max` pixels with an ellipsis, or `None` when not even one character fits.
pub fn fit(text: &str, style: Style, max: f64) -> Option<String> {
    if text_width(text, style) <= max {
        return Some(text.to_string());
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&out, style) + text_width("…", style) > max {
            out.pop();
            break;
        }
    }
    (!out.is_empty()).then(|| format!("{out}…"))
}

impl Label {
    /// The box the text covers: from the ascender to the descender.
    pub fn bbox(&self) -> Rect {
        let s = self.style.size();
        Rect::new(self.x, self.y - s * 0.86, text_width(&self.text, self.style), s * 1.12)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PodBox {
    pub namespace: String,
    pub name: String,
    pub ip: String,
    pub status: String,
    pub health: Health,
    pub labels: String,
    pub rect: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub name: String,
    pub ip: String,
    pub control_plane: bool,
    pub rect: Rect,
    /// kube-proxy's rules on this node: where a Service's DNAT, REJECT or DROP happens.
    pub proxy: Rect,
    pub pods: Vec<PodBox>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRow {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub rect: Rect,
    /// The pods behind it (ready endpoints), as `(namespace, name)`.
    pub endpoints: Vec<(String, String)>,
    pub node_ports: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub stacked: bool,
    pub pc: Rect,
    pub nat: Rect,
    pub internet: Rect,
    /// The panel listing the Services (their rules live in every node's kube-proxy).
    pub services_box: Rect,
    pub services: Vec<ServiceRow>,
    /// Services not listed for want of room.
    pub more_services: usize,
    pub nodes: Vec<NodeBox>,
    /// The NAT network 10.0.2.0/24 as a bus: its y, and where it starts and ends.
    pub bus: (f64, f64, f64),
    pub labels: Vec<Label>,
}

fn health(c: &ContainerState, terminating: bool) -> Health {
    if terminating {
        return Health::Stopping;
    }
    match c {
        ContainerState::Running { .. } => Health::Running,
        ContainerState::Waiting(r) if r == "ContainerCreating" => Health::Starting,
        _ => Health::Failing,
    }
}

struct Labels(Vec<Label>);

impl Labels {
    /// Adds a line that fits in `max` pixels (cut with an ellipsis), or nothing.
    fn add(&mut self, x: f64, y: f64, style: Style, text: &str, max: f64) {
        if let Some(text) = fit(text, style, max) {
            self.0.push(Label { x, y, style, text });
        }
    }
}

/// The service rows to show: the learner's Services and the cluster DNS, kube-dns.
fn service_rows(c: &Cluster, lang: Lang) -> Vec<(ServiceRow, String)> {
    let mut rows: Vec<(ServiceRow, String)> = c
        .services
        .iter()
        .filter(|(k, _)| k.0 != "kube-system" || k.1 == "kube-dns")
        .map(|(k, s)| {
            let address = match s.type_() {
                "ExternalName" => s.spec.external_name.clone().unwrap_or_default(),
                _ if s.is_headless() => "None".into(),
                _ => s.spec.cluster_ip.clone().unwrap_or_default(),
            };
            let endpoints: Vec<(String, String)> = c
                .endpoints
                .get(k)
                .map(|e| {
                    e.addresses
                        .iter()
                        .filter(|a| a.ready)
                        .filter_map(|a| a.pod.clone().map(|p| (k.0.clone(), p)))
                        .collect()
                })
                .unwrap_or_default();
            // Every ready address counts, pods or not (the API server behind `kubernetes`, the
            // addresses of a Service without a selector).
            let ready = c.service_addresses(k).iter().filter(|a| a.ready).count();
            let text = format!(
                "{}  {}  {}  {}  ({ready} {})",
                k.1,
                s.type_(),
                address,
                service_ports(s),
                t(lang, if ready == 1 { "endpoint" } else { "endpoints" })
            );
            let row = ServiceRow {
                namespace: k.0.clone(),
                name: k.1.clone(),
                type_: s.type_().to_string(),
                rect: Rect::new(0.0, 0.0, 0.0, 0.0),
                endpoints,
                node_ports: s.spec.ports.iter().filter_map(|p| p.node_port).collect(),
            };
            (row, text)
        })
        .collect();
    // The learner's Services first: when rows run short, the cluster's own go unlisted.
    let own = |r: &ServiceRow| r.namespace == "kube-system" || (r.namespace == "default" && r.name == "kubernetes");
    crate::sim::order::sort_by(&mut rows, |a, b| own(&a.0).cmp(&own(&b.0)));
    rows
}

/// Places a node's pods in `area`: two text lines a tile when they fit, small plain tiles when
/// there are too many (their names stay in the tooltip and the accessible label).
fn place_pods(c: &Cluster, node: &str, area: &Rect, labels: &mut Labels) -> Vec<PodBox> {
    let mut pods: Vec<_> = c.pods.iter().filter(|(_, p)| p.node() == Some(node)).collect();
    crate::sim::order::sort_by(&mut pods, |a, b| {
        (a.0 .0 != "default", &a.0 .0, &a.0 .1).cmp(&(b.0 .0 != "default", &b.0 .0, &b.0 .1))
    });
    let count = pods.len().max(1) as f64;
    let gap = 4.0;
    // The most columns that still fit a readable tile (≥ 110 px wide, 38 px tall); else tiles
    // without text, as large as the area allows.
    // Two lines (name, address) where there is room; else one line, the name; else bare tiles.
    let fits = |tile_h: f64, gap: f64| {
        let mut cols = 1.0f64;
        loop {
            let tile_w = (area.w - (cols - 1.0) * gap) / cols;
            if tile_w < 110.0 {
                return None;
            }
            if (count / cols).ceil() * (tile_h + gap) <= area.h + gap {
                return Some(cols);
            }
            cols += 1.0;
        }
    };
    let (mut cols, mut tile_h, mut gap, one_line, readable) = match (fits(38.0, gap), fits(17.0, 2.0)) {
        (Some(cols), _) => (cols, 38.0, gap, false, true),
        (None, Some(cols)) => (cols, 17.0, 2.0, true, true),
        (None, None) => (1.0, 38.0, gap, false, false),
    };
    if !readable {
        // Square tiles, the largest that hold them all.
        let mut side = 38.0f64;
        loop {
            gap = (side / 3.0).min(4.0);
            cols = ((area.w + gap) / (side + gap)).floor().max(1.0);
            let rows = ((area.h + gap) / (side + gap)).floor().max(1.0);
            if cols * rows >= count || side <= 1.0 {
                break;
            }
            side -= 0.5;
        }
        tile_h = side;
    }
    let tile_w = if readable {
        (area.w - (cols - 1.0) * gap) / cols
    } else {
        tile_h
    };
    pods.into_iter()
        .enumerate()
        .map(|(j, (k, p))| {
            let (r, ci) = ((j as f64 / cols).floor(), j as f64 % cols);
            let rect = Rect::new(
                area.x + ci * (tile_w + gap),
                area.y + r * (tile_h + gap),
                tile_w,
                tile_h,
            );
            let h = health(&p.status.state, p.is_terminating());
            let ip = p.status.pod_ip.clone().unwrap_or_else(|| "<none>".into());
            let status = pod_status(p);
            if readable {
                let name = if k.0 == "default" {
                    k.1.clone()
                } else {
                    format!("{}/{}", k.0, k.1)
                };
                let baseline = if one_line { 13.0 } else { 15.0 };
                labels.add(rect.x + 5.0, rect.y + baseline, Style::Text, &name, rect.w - 10.0);
            }
            if readable && !one_line {
                // A pod that is not running shows why instead of its address: words, not only
                // its colour.
                let second = if h == Health::Running {
                    ip.clone()
                } else {
                    status.clone()
                };
                labels.add(rect.x + 5.0, rect.y + 31.0, Style::Mono, &second, rect.w - 10.0);
            }
            PodBox {
                namespace: k.0.clone(),
                name: k.1.clone(),
                ip,
                status,
                health: h,
                labels: crate::sim::objects::render_labels(&p.meta.labels),
                rect,
            }
        })
        .collect()
}

/// Lays the lab out for a drawing `width` x `height` CSS pixels (the stacked arrangement takes
/// the height it needs).
pub fn layout(c: &Cluster, width: f64, height: f64, lang: Lang) -> Layout {
    let width = width.max(300.0);
    let height = height.max(240.0);
    let stacked = width < STACK_BELOW;
    let mut labels = Labels(Vec::new());
    let forwards: Vec<String> = c
        .lab
        .port_forwards
        .iter()
        .map(|p| format!("{} → {}:{}", p.host_port, p.guest_ip, p.guest_port))
        .collect();
    let nat_h = 44.0 + 18.0 * forwards.len() as f64;
    let (pc, nat, left_w) = if stacked {
        let pc = Rect::new(PAD, PAD, 110.0, nat_h);
        let nat = Rect::new(PAD + 118.0, PAD, width - 2.0 * PAD - 118.0, nat_h);
        (pc, nat, 0.0)
    } else {
        let lw = (width * 0.2).clamp(180.0, 220.0);
        (Rect::new(PAD, PAD, lw, 50.0), Rect::new(PAD, PAD + 62.0, lw, nat_h), lw)
    };
    labels.add(pc.x + 8.0, pc.y + 20.0, Style::Title, t(lang, "pc"), pc.w - 12.0);
    labels.add(pc.x + 8.0, pc.y + 38.0, Style::Mono, &c.lab.pc_address, pc.w - 12.0);
    labels.add(nat.x + 8.0, nat.y + 20.0, Style::Title, t(lang, "nat"), nat.w - 12.0);
    labels.add(nat.x + 8.0, nat.y + 37.0, Style::Mono, &c.lab.nat_network, nat.w - 12.0);
    for (i, f) in forwards.iter().enumerate() {
        labels.add(
            nat.x + 8.0,
            nat.y + 56.0 + 18.0 * i as f64,
            Style::Mono,
            f,
            nat.w - 12.0,
        );
    }

    // The Services panel.
    let area_x = if stacked { PAD } else { PAD + left_w + 18.0 };
    let area_w = width - PAD - area_x;
    let rows = service_rows(c, lang);
    let svc_top = if stacked { nat.y + nat.h + 10.0 } else { PAD };
    let max_rows = if stacked {
        rows.len().max(1)
    } else {
        (((height * 0.3) - 28.0) / ROW_H).floor().max(1.0) as usize
    };
    let shown = if rows.len() > max_rows {
        max_rows - 1
    } else {
        rows.len()
    };
    let more_services = rows.len() - shown;
    let list_rows = shown + usize::from(more_services > 0);
    let services_box = Rect::new(area_x, svc_top, area_w, 26.0 + ROW_H * list_rows.max(1) as f64 + 4.0);
    labels.add(
        services_box.x + 8.0,
        services_box.y + 18.0,
        Style::Title,
        t(lang, "services-panel"),
        services_box.w - 16.0,
    );
    let mut services = Vec::new();
    for (i, (mut row, text)) in rows.into_iter().take(shown).enumerate() {
        row.rect = Rect::new(
            services_box.x + 4.0,
            services_box.y + 26.0 + ROW_H * i as f64,
            services_box.w - 8.0,
            ROW_H - 2.0,
        );
        // A swatch of the type's colour (drawn by the page), then the text.
        labels.add(
            row.rect.x + 18.0,
            row.rect.y + 14.0,
            Style::Mono,
            &text,
            row.rect.w - 22.0,
        );
        services.push(row);
    }
    if more_services > 0 {
        let y = services_box.y + 26.0 + ROW_H * shown as f64 + 14.0;
        let more = format!("+{more_services} {}", t(lang, "more-services"));
        labels.add(services_box.x + 22.0, y, Style::Text, &more, services_box.w - 30.0);
    }
    if services.is_empty() && more_services == 0 {
        let y = services_box.y + 26.0 + 14.0;
        labels.add(
            services_box.x + 22.0,
            y,
            Style::Text,
            t(lang, "no-services"),
            services_box.w - 30.0,
        );
    }

    // The NAT network's bus, then the nodes.
    let bus_y = services_box.y + services_box.h + 14.0;
    let nodes_top = bus_y + 14.0;
    let n = c.nodes.len().max(1) as f64;
    let gap = 10.0;
    let mut nodes = Vec::new();
    let mut y = nodes_top;
    for (i, node) in c.nodes.iter().enumerate() {
        let pods_count = c
            .pods
            .iter()
            .filter(|(_, p)| p.node() == Some(node.name.as_str()))
            .count();
        let rect = if stacked {
            // Two tile columns, 42 px a row; the node is as tall as its pods need (up to 24
            // rows, then the tiles shrink).
            let rows = (pods_count.max(1) as f64 / 2.0).ceil().min(24.0);
            let h = 82.0 + rows * 42.0;
            let r = Rect::new(area_x, y, area_w, h);
            y += h + gap;
            r
        } else {
            let col_w = (area_w - gap * (n - 1.0)) / n;
            Rect::new(
                area_x + i as f64 * (col_w + gap),
                nodes_top,
                col_w,
                height - PAD - nodes_top,
            )
        };
        let head = format!("{} {}", node.name, node.ip);
        labels.add(rect.x + 8.0, rect.y + 19.0, Style::Title, &head, rect.w - 14.0);
        let role = if node.taints.is_empty() {
            t(lang, "worker")
        } else {
            t(lang, "control-plane")
        };
        labels.add(rect.x + 8.0, rect.y + 36.0, Style::Text, role, rect.w - 14.0);
        let proxy = Rect::new(rect.x + 6.0, rect.y + 44.0, rect.w - 12.0, 24.0);
        labels.add(proxy.x + 6.0, proxy.y + 16.0, Style::Text, "kube-proxy", proxy.w - 10.0);
        let ports: Vec<String> = services
            .iter()
            .flat_map(|s| s.node_ports.iter().map(|p| format!(":{p}")))
            .collect();
        if !ports.is_empty() {
            let x = proxy.x + 6.0 + text_width("kube-proxy", Style::Text) + 10.0;
            labels.add(
                x,
                proxy.y + 16.0,
                Style::Mono,
                &ports.join(" "),
                proxy.x + proxy.w - 4.0 - x,
            );
        }
        let area = Rect::new(
            rect.x + 6.0,
            proxy.y + proxy.h + 8.0,
            rect.w - 12.0,
            rect.y + rect.h - 6.0 - (proxy.y + proxy.h + 8.0),
        );
        let pods = place_pods(c, &node.name, &area, &mut labels);
        nodes.push(NodeBox {
            name: node.name.clone(),
            ip: node.ip.clone(),
            control_plane: !node.taints.is_empty(),
            rect,
            proxy,
            pods,
        });
    }
    let internet = if stacked {
        let r = Rect::new(PAD, y, width - 2.0 * PAD, 46.0);
        y += 46.0 + PAD;
        r
    } else {
        Rect::new(PAD, height - PAD - 52.0, left_w, 52.0)
    };
    labels.add(
        internet.x + 8.0,
        internet.y + 20.0,
        Style::Title,
        t(lang, "internet"),
        internet.w - 12.0,
    );
    labels.add(
        internet.x + 8.0,
        internet.y + 38.0,
        Style::Mono,
        "www.google.com",
        internet.w - 12.0,
    );
    let bus_end = nodes.last().map_or(width - PAD, |n| gate_x(&n.rect));
    let bus_start = if stacked { gate_x(&nat) } else { nat.x + nat.w };
    Layout {
        width,
        height: if stacked { y } else { height },
        stacked,
        pc,
        nat,
        internet,
        services_box,
        services,
        more_services,
        nodes,
        bus: (bus_y, bus_start, bus_end),
        labels: labels.0,
    }
}

/// Where packets and wires meet a box: near its right edge, clear of the left-aligned text.
pub fn gate_x(r: &Rect) -> f64 {
    r.x + r.w - 10.0_f64.min(r.w / 2.0)
}

fn edge(r: &Rect) -> (f64, f64) {
    (gate_x(r), r.center().1)
}

impl Layout {
    fn node(&self, name: &str) -> Option<&NodeBox> {
        self.nodes.iter().find(|n| n.name == name)
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&PodBox> {
        self.nodes
            .iter()
            .flat_map(|n| &n.pods)
            .find(|p| p.namespace == namespace && p.name == name)
    }

    pub fn service(&self, ns_name: &str) -> Option<&ServiceRow> {
        self.services
            .iter()
            .find(|s| ns_name.split_once('/') == Some((s.namespace.as_str(), s.name.as_str())))
    }

    /// Where a hop happens on the drawing. Every rule of kube-proxy (DNAT, REJECT, a Service's
    /// DROP, masquerade) acts in the node's kube-proxy box; routing at the node's header; DNS
    /// at the kube-dns row.
    pub fn point(&self, hop: &Hop) -> (f64, f64) {
        match &hop.place {
            // Stacked, the PC and the NAT sit side by side: their way runs along the bottom
            // border, under their text.
            Place::Pc if self.stacked => (gate_x(&self.pc), self.pc.y + self.pc.h),
            Place::Nat if self.stacked => (gate_x(&self.nat), self.nat.y + self.nat.h),
            Place::Pc => edge(&self.pc),
            Place::Nat => edge(&self.nat),
            Place::Dns => self
                .service("kube-system/kube-dns")
                .map_or(self.services_box.center(), |r| (r.rect.x + 9.0, r.rect.center().1)),
            Place::Internet(_) => edge(&self.internet),
            Place::Pod { namespace, name, node } => match self.pod(namespace, name) {
                Some(p) => edge(&p.rect),
                None => self.node(node).map_or(self.services_box.center(), |n| n.rect.center()),
            },
            Place::Node(node) => {
                let Some(n) = self.node(node) else {
                    return self.services_box.center();
                };
                match &hop.rule {
                    Rule::Dnat { .. } | Rule::Reject { .. } | Rule::Drop { .. } | Rule::Snat { .. } => edge(&n.proxy),
                    _ => (gate_x(&n.rect), n.rect.y + 10.0),
                }
            }
        }
    }

    /// The way between two hop points: along the NAT network's bus when the packet crosses
    /// between the NAT and a node or between nodes, so no wire runs through a node's box.
    pub fn way(&self, from: &Hop, to: &Hop) -> Vec<(f64, f64)> {
        let (a, b) = (self.point(from), self.point(to));
        let node_of = |h: &Hop| match &h.place {
            Place::Node(n) => Some(n.clone()),
            Place::Pod { node, .. } => Some(node.clone()),
            _ => None,
        };
        let outside = |h: &Hop| matches!(h.place, Place::Nat | Place::Pc);
        let (bus_y, _, _) = self.bus;
        let gate = |n: &str| {
            self.node(n).map(|nb| {
                if self.stacked {
                    (gate_x(&nb.rect), nb.rect.y + 10.0)
                } else {
                    (gate_x(&nb.rect), bus_y)
                }
            })
        };
        let mut pts = vec![a];
        match (node_of(from), node_of(to)) {
            (Some(x), Some(y)) if x != y => {
                pts.extend(gate(&x));
                pts.extend(gate(&y));
            }
            (None, Some(y)) if outside(from) => {
                let start = if self.stacked {
                    (gate_x(&self.nat), self.nat.y + self.nat.h)
                } else {
                    (self.nat.x + self.nat.w, bus_y)
                };
                pts.push(start);
                pts.extend(gate(&y));
            }
            (Some(x), None) if outside(to) => {
                let end = if self.stacked {
                    (gate_x(&self.nat), self.nat.y + self.nat.h)
                } else {
                    (self.nat.x + self.nat.w, bus_y)
                };
                pts.extend(gate(&x));
                pts.push(end);
            }
            _ => {}
        }
        pts.push(b);
        pts.dedup();
        pts
    }

    /// The drawing's frame.
    pub fn frame(&self) -> Rect {
        Rect::new(0.0, 0.0, self.width, self.height)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sim::lab::Lab;
    use crate::sim::shell::{MemFiles, Shell};

    fn lab_with(files: Vec<(String, String)>, cmds: &[&str]) -> Shell {
        let mut sh = Shell::new(Cluster::new(Lab::default(), 1), Box::new(MemFiles(files)));
        for c in cmds {
            sh.run(c);
        }
        sh
    }

    /// The seed's NodePort lab, settled: also the packets tests' fixture.
    pub(crate) fn seed_nodeport() -> Shell {
        let files = crate::session::starter_files();
        lab_with(
            files,
            &[
                "kubectl apply -f deploy-test01.yml",
                "kubectl apply -f service-test01.yml",
                "sleep 30",
            ],
        )
    }

    fn many(deployments: usize, replicas: usize, services: usize) -> Shell {
        let mut m = String::new();
        for i in 0..deployments {
            m.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  replicas: \
                {replicas}\n  selector: {{matchLabels: {{app: d{i}}}}}\n  template:\n    metadata: {{labels: {{app: \
                d{i}}}}}\n    spec: {{containers: [{{name: c, image: nginx}}]}}\n"
            ));
        }
        for i in 0..services {
            m.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: service-number-{i}}}\nspec:\n  type: \
                NodePort\n  selector: {{app: d0}}\n  ports: [{{port: 80}}]\n"
            ));
        }
        lab_with(vec![("m.yml".into(), m)], &["kubectl apply -f m.yml", "sleep 30"])
    }

    /// What a person would see: every label at least 12 px, inside the picture, overlapping
    /// no other label, and every pod inside its node.
    fn assert_legible(l: &Layout, what: &str) {
        let frame = l.frame();
        for (i, a) in l.labels.iter().enumerate() {
            assert!(a.style.size() >= MIN_TEXT, "{what}: {a:?} is smaller than 12 px");
            assert!(a.bbox().inside(&frame), "{what}: {a:?} leaves the picture {frame:?}");
            for b in &l.labels[i + 1..] {
                assert!(
                    !a.bbox().overlaps(&b.bbox()),
                    "{what}: {:?} overlaps {:?}",
                    a.text,
                    b.text
                );
            }
        }
        for n in &l.nodes {
            assert!(n.rect.inside(&frame), "{what}: node {} leaves the picture", n.name);
            for p in &n.pods {
                assert!(p.rect.inside(&n.rect), "{what}: {} outside {}", p.name, n.name);
            }
        }
    }

    #[test]
    fn labels_are_legible_at_laptop_phone_and_embed_sizes() {
        for (sh, what) in [
            (seed_nodeport(), "seed"),
            (many(3, 10, 12), "busy"),
            (many(3, 100, 2), "crowded"),
        ] {
            for (w, h) in [
                (900.0, 420.0),
                (1100.0, 560.0),
                (700.0, 380.0),
                (374.0, 600.0),
                (640.0, 330.0),
            ] {
                for lang in [Lang::En, Lang::Ko] {
                    let l = layout(&sh.cluster, w, h, lang);
                    assert_eq!(l.stacked, w < STACK_BELOW);
                    assert_legible(&l, &format!("{what} at {w}x{h} {lang:?}"));
                }
            }
        }
    }

    #[test]
    fn every_pod_gets_a_box_and_the_seed_lab_names_each_pod() {
        // Two workers run 220 pods at most (110 each).
        let sh = many(2, 110, 0);
        let l = layout(&sh.cluster, 900.0, 420.0, Lang::En);
        let total: usize = l.nodes.iter().map(|n| n.pods.len()).sum();
        assert_eq!(total, 222, "220 pods and CoreDNS's two");
        let sh = seed_nodeport();
        let l = layout(&sh.cluster, 900.0, 420.0, Lang::En);
        for p in l.nodes.iter().flat_map(|n| &n.pods) {
            let short: String = p.name.chars().take(8).collect();
            assert!(
                l.labels.iter().any(|x| x.text.contains(&short)),
                "pod {} has no label",
                p.name
            );
        }
        assert!(l
            .labels
            .iter()
            .any(|x| x.text.starts_with("web-service-nodeport  NodePort")));
        // Endpoints that are not pods count too: the API server behind `kubernetes`.
        assert!(
            l.labels
                .iter()
                .any(|x| x.text.starts_with("kubernetes  ClusterIP") && x.text.contains("(1 endpoint)")),
            "{:?}",
            l.labels.iter().map(|x| &x.text).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_service_rule_acts_in_the_kube_proxy_box_of_the_node_and_ways_avoid_other_nodes() {
        let mut sh = seed_nodeport();
        let traces = {
            let t = sh.run("trace curl -s http://10.0.2.5:31001");
            let _ = t;
            let req = crate::sim::net::Request {
                host: "127.0.0.1".into(),
                port: 31051,
                method: "GET".into(),
                path: "/".into(),
                host_header: "127.0.0.1:31051".into(),
                user_agent: "curl".into(),
            };
            sh.cluster.request(&crate::sim::net::Client::Pc, &req)
        };
        let l = layout(&sh.cluster, 900.0, 420.0, Lang::En);
        let dnat = traces
            .hops
            .iter()
            .find(|h| matches!(h.rule, Rule::Dnat { .. }))
            .expect("a DNAT hop");
        let Place::Node(node) = &dnat.place else {
            panic!("DNAT at {:?}", dnat.place)
        };
        let nb = l.nodes.iter().find(|n| &n.name == node).unwrap();
        assert_eq!(l.point(dnat), (gate_x(&nb.proxy), nb.proxy.center().1));
        // From the NAT to the node, the way runs along the bus above the nodes.
        let nat_hop = traces.hops.iter().position(|h| h.place == Place::Nat).unwrap();
        let way = l.way(&traces.hops[nat_hop], &traces.hops[nat_hop + 1]);
        assert!(way.iter().any(|p| p.1 == l.bus.0), "{way:?}");
        for p in &way[1..way.len() - 1] {
            for other in l.nodes.iter().filter(|n| &n.name != node) {
                assert!(
                    !(p.0 > other.rect.x && p.0 < other.rect.x + other.rect.w && p.1 > other.rect.y),
                    "{p:?} inside {}",
                    other.name
                );
            }
        }
    }

    #[test]
    fn fit_cuts_with_an_ellipsis_and_counts_hangul_wide() {
        assert_eq!(fit("abc", Style::Mono, 100.0).as_deref(), Some("abc"));
        let cut = fit("abcdefghijklmnopqrstuvwxyz", Style::Mono, 60.0).unwrap();
        assert!(cut.ends_with('…') && text_width(&cut, Style::Mono) <= 60.0, "{cut}");
        assert!(text_width("노드", Style::Text) > text_width("no", Style::Text) * 1.5);
        assert_eq!(fit("abc", Style::Mono, 3.0), None);
    }
}
