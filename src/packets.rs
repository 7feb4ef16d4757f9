//! A request's packet on the drawing, as a pure function of time: where it is, which hop it is
//! at, and how long it rests there. The page only asks `at(t)` each frame; the timing and the
//! way are tested here on the host.
//!
//! At 1x a packet moves at 420 px/s (each leg between 0.3 and 0.9 s) and rests at every hop:
//! 0.45 s where nothing changes, 1.8 s where an address is rewritten (long enough to read the
//! header's old and new address), 2.2 s where the packet is stopped (REJECT, DROP, RST).

use crate::layout::Layout;
use crate::sim::net::{Hop, Rule, Trace};

const SPEED: f64 = 420.0;
pub const REST: f64 = 0.45;
pub const REST_REWRITE: f64 = 1.8;
pub const REST_STOP: f64 = 2.2;

/// One hop of the journey: the forward hops, then the reply's.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub hop: Hop,
    pub reply: bool,
    pub at: (f64, f64),
    /// When the packet arrives and when it leaves, in seconds from the start at 1x.
    pub arrive: f64,
    pub leave: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    pub stops: Vec<Stop>,
    /// The drawn way from each stop to the next (`ways[i]` from stop i to stop i + 1).
    pub ways: Vec<Vec<(f64, f64)>>,
    /// How many stops are the request's (the rest are the reply's).
    pub forward: usize,
    pub duration: f64,
}

/// Where the packet is at a moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    pub pos: (f64, f64),
    /// The stop the packet is at or has last left.
    pub stop: usize,
    /// Resting at that stop (not moving).
    pub resting: bool,
    pub done: bool,
}

fn rest(hop: &Hop, reply: bool) -> f64 {
    match hop.rule {
        Rule::Reject { .. } | Rule::Drop { .. } | Rule::Reset { .. } => REST_STOP,
        _ if hop.before != hop.after => REST_REWRITE,
        _ if reply
            && matches!(
                hop.rule,
                Rule::Dnat { .. } | Rule::Snat { .. } | Rule::PortForward { .. }
            ) =>
        {
            REST_REWRITE
        }
        _ => REST,
    }
}

fn length(pts: &[(f64, f64)]) -> f64 {
    pts.windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum()
}

/// The point `d` pixels along a polyline.
fn along(pts: &[(f64, f64)], mut d: f64) -> (f64, f64) {
    for w in pts.windows(2) {
        let l = ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt();
        if d <= l && l > 0.0 {
            let f = d / l;
            return (w[0].0 + (w[1].0 - w[0].0) * f, w[0].1 + (w[1].1 - w[0].1) * f);
        }
        d -= l;
    }
    *pts.last().unwrap_or(&(0.0, 0.0))
}

impl Flight {
    pub fn new(trace: &Trace, layout: &Layout) -> Flight {
        let mut hops: Vec<(Hop, bool)> = trace.hops.iter().map(|h| (h.clone(), false)).collect();
        let forward = hops.len();
        hops.extend(trace.reply().into_iter().map(|h| (h, true)));
        let mut stops = Vec::new();
        let mut ways = Vec::new();
        let mut t = 0.0;
        for (i, (hop, reply)) in hops.iter().enumerate() {
            if i > 0 {
                let way = layout.way(&hops[i - 1].0, hop);
                t += (length(&way) / SPEED).clamp(0.3, 0.9);
                ways.push(way);
            }
            let arrive = t;
            t += rest(hop, *reply);
            stops.push(Stop {
                hop: hop.clone(),
                reply: *reply,
                at: layout.point(hop),
                arrive,
                leave: t,
            });
        }
        Flight {
            stops,
            ways,
            forward,
            duration: t,
        }
    }

    pub fn at(&self, t: f64) -> Moment {
        let Some(last) = self.stops.last() else {
            return Moment {
                pos: (0.0, 0.0),
                stop: 0,
                resting: false,
                done: true,
            };
        };
        if t >= self.duration {
            return Moment {
                pos: last.at,
                stop: self.stops.len() - 1,
                resting: true,
                done: true,
            };
        }
        let i = self.stops.iter().rposition(|s| s.arrive <= t).unwrap_or(0);
        let s = &self.stops[i];
        if t < s.leave || i + 1 == self.stops.len() {
            return Moment {
                pos: s.at,
                stop: i,
                resting: true,
                done: false,
            };
        }
        let next = &self.stops[i + 1];
        let f = ((t - s.leave) / (next.arrive - s.leave)).clamp(0.0, 1.0);
        let way = &self.ways[i];
        Moment {
            pos: along(way, f * length(way)),
            stop: i,
            resting: false,
            done: false,
        }
    }

    /// The time at which the packet rests at the stop after the one it is at (for Step).
    pub fn next_stop_time(&self, t: f64) -> f64 {
        self.stops
            .iter()
            .map(|s| s.arrive)
            .find(|a| *a > t + 1e-6)
            .unwrap_or(self.duration)
    }

    /// Every point of the way, for drawing the whole route at once.
    pub fn route(&self, reply: bool) -> Vec<(f64, f64)> {
        let mut pts = Vec::new();
        for (i, w) in self.ways.iter().enumerate() {
            let is_reply = i + 1 >= self.forward && self.stops[i + 1].reply;
            if is_reply == reply {
                pts.extend(w.iter().copied());
            }
        }
        pts.dedup();
        pts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;
    use crate::sim::net::{Client, Request};

    /// The seed's NodePort lab after one request from the PC through its port forward.
    fn nodeport_request() -> (crate::sim::shell::Shell, Trace) {
        let mut sh = crate::layout::tests::seed_nodeport();
        let req = Request {
            host: "127.0.0.1".into(),
            port: 31051,
            method: "GET".into(),
            path: "/".into(),
            host_header: "127.0.0.1:31051".into(),
            user_agent: "curl".into(),
        };
        let tr = sh.cluster.request(&Client::Pc, &req);
        (sh, tr)
    }

    fn nodeport_trace() -> (Trace, Layout) {
        let (sh, tr) = nodeport_request();
        (tr, crate::layout::layout(&sh.cluster, 900.0, 420.0, Lang::En))
    }

    #[test]
    fn the_reply_is_rewritten_back_by_the_conntrack_entry_each_node_kept() {
        let (sh, tr) = nodeport_request();
        // The node that rewrote the request cites its entry on the way back: the original tuple
        // as the packet came in, the reply tuple as the pod answers the masqueraded source.
        let dnat = tr
            .hops
            .iter()
            .find(|h| matches!(h.rule, crate::sim::net::Rule::Dnat { .. }))
            .unwrap();
        let node = match &dnat.place {
            crate::sim::net::Place::Node(n) => n.clone(),
            p => panic!("DNAT at {p:?}"),
        };
        let snat = tr
            .hops
            .iter()
            .find(|h| matches!(h.rule, crate::sim::net::Rule::Snat { .. }))
            .unwrap();
        let cited: Vec<String> = tr.reply().iter().filter_map(|h| h.iptables.clone()).collect();
        let want = format!(
            "conntrack: src={} dst={} sport={} dport={} src={} dst={} sport={} dport={}",
            dnat.before.src.ip,
            dnat.before.dst.ip,
            dnat.before.src.port,
            dnat.before.dst.port,
            dnat.after.dst.ip,
            snat.after.src.ip,
            dnat.after.dst.port,
            snat.after.src.port
        );
        assert!(cited.contains(&want), "{cited:?}\nwant {want}");
        // The same entry is in the node's table, in TIME_WAIT; the pod's node keeps its own.
        let entries: Vec<_> = sh.cluster.conntrack.iter().filter(|e| e.node == node).collect();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].orig.1, dnat.before.dst.ip);
        assert_eq!(entries[0].reply.0, dnat.after.dst.ip);
        let pod_node = tr.hops.iter().rev().find_map(|h| match &h.place {
            crate::sim::net::Place::Pod { node, .. } => Some(node.clone()),
            _ => None,
        });
        let nodes: Vec<&str> = sh.cluster.conntrack.iter().map(|e| e.node.as_str()).collect();
        assert!(nodes.contains(&pod_node.unwrap().as_str()), "{nodes:?}");
    }

    #[test]
    fn the_packet_rests_long_enough_to_read_each_rewrite_and_goes_back_the_same_way() {
        let (tr, l) = nodeport_trace();
        let f = Flight::new(&tr, &l);
        assert_eq!(f.forward, tr.hops.len());
        assert_eq!(f.stops.len(), tr.hops.len() + tr.reply().len());
        for s in &f.stops {
            if s.hop.before != s.hop.after {
                assert!(
                    s.leave - s.arrive >= 1.5,
                    "{:?} rests {}",
                    s.hop.rule,
                    s.leave - s.arrive
                );
                // Mid-rest the packet is still at that hop.
                let m = f.at((s.arrive + s.leave) / 2.0);
                assert!(m.resting && m.pos == s.at);
            }
        }
        // The reply's route runs through the same points as the request's, reversed.
        let mut there = f.route(false);
        there.reverse();
        let back = f.route(true);
        assert_eq!(there.first(), back.first());
        assert_eq!(there.last(), back.last());
        assert!(f.at(f.duration + 1.0).done);
        // Step: from each rest to the next stop.
        let t1 = f.next_stop_time(0.0);
        assert_eq!(f.at(t1).stop, 1);
    }

    #[test]
    fn time_only_moves_the_packet_forward_along_its_way() {
        let (tr, l) = nodeport_trace();
        let f = Flight::new(&tr, &l);
        let mut last = 0;
        let mut t = 0.0;
        while t < f.duration {
            let m = f.at(t);
            assert!(m.stop >= last);
            assert!(
                m.pos.0 >= 0.0 && m.pos.0 <= l.width && m.pos.1 >= 0.0 && m.pos.1 <= l.height,
                "{m:?}"
            );
            last = m.stop;
            t += 0.05;
        }
        assert_eq!(last, f.stops.len() - 1);
    }
}
