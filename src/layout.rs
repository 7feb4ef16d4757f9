//! The topology as coordinates: a pure function from cluster state to boxes and points that the
//! browser draws as SVG and animates packets between. No web dependency; tested on the host.

use crate::sim::cluster::Cluster;
use crate::sim::net::{Hop, Place, Rule};
use crate::sim::objects::ContainerState;
use crate::sim::printers::{pod_status, service_ports};

pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 640.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Health {
    Running,
    Starting,
    Stopping,
    Failing,
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
    pub pods: Vec<PodBox>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ServiceBand {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    /// `10.100.25.6:80`, `None` for headless, the external name for ExternalName.
    pub address: String,
    pub ports: String,
    pub endpoints: usize,
    pub rect: Rect,
    /// nodePorts, drawn as a badge on every node.
    pub node_ports: Vec<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub pc: Rect,
    pub nat: Rect,
    pub dns: Rect,
    pub internet: Rect,
    pub port_forwards: Vec<String>,
    pub nodes: Vec<NodeBox>,
    pub services: Vec<ServiceBand>,
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

/// Lays the lab out: PC and NAT on the left, the nodes in columns with the Services as bands
/// across them and each node's pods below, DNS and the internet beside the NAT.
pub fn layout(c: &Cluster) -> Layout {
    let node_x0 = 330.0;
    let gap = 10.0;
    let n = c.nodes.len().max(1) as f64;
    let col_w = (WIDTH - node_x0 - 10.0 - gap * (n - 1.0)) / n;
    let services: Vec<_> = c.services.iter().filter(|(k, _)| k.0 != "kube-system").collect();
    let has_node_ports = |s: &crate::sim::objects::Service| s.spec.ports.iter().any(|p| p.node_port.is_some());
    let band_h = if services.len() > 8 { 16.0 } else { 20.0 };
    let bands_top = 64.0;
    let mut bands = Vec::new();
    let mut y = bands_top;
    for (k, s) in services.iter() {
        // A band with nodePorts is taller: its badges sit under the label, one set per node.
        let h = if has_node_ports(s) { band_h * 2.0 } else { band_h };
        let address = match s.type_() {
            "ExternalName" => s.spec.external_name.clone().unwrap_or_default(),
            _ if s.is_headless() => "None (headless)".into(),
            _ => s.spec.cluster_ip.clone().unwrap_or_default(),
        };
        bands.push(ServiceBand {
            namespace: k.0.clone(),
            name: k.1.clone(),
            type_: s.type_().to_string(),
            address,
            ports: service_ports(s),
            endpoints: c
                .endpoints
                .get(k)
                .map_or(0, |e| e.addresses.iter().filter(|a| a.ready).count()),
            rect: Rect {
                x: node_x0,
                y,
                w: WIDTH - node_x0 - 10.0,
                h,
            },
            node_ports: s.spec.ports.iter().filter_map(|p| p.node_port).collect(),
        });
        y += h + 4.0;
    }
    let pods_top = y + 10.0;
    let mut nodes = Vec::new();
    for (i, node) in c.nodes.iter().enumerate() {
        let x = node_x0 + i as f64 * (col_w + gap);
        let rect = Rect {
            x,
            y: 10.0,
            w: col_w,
            h: HEIGHT - 20.0,
        };
        let mut pods: Vec<_> = c
            .pods
            .iter()
            .filter(|(_, p)| p.node() == Some(node.name.as_str()))
            .collect();
        crate::sim::order::sort_by(&mut pods, |a, b| {
            (a.0 .0 != "default", &a.0 .0, &a.0 .1).cmp(&(b.0 .0 != "default", &b.0 .0, &b.0 .1))
        });
        // Pods fill a grid; many pods get smaller tiles.
        let avail_h = HEIGHT - 20.0 - pods_top - 10.0;
        let count = pods.len().max(1) as f64;
        let mut cols = 1.0f64;
        let mut tile_h = 34.0f64;
        while (count / cols).ceil() * (tile_h + 4.0) > avail_h && cols < 12.0 {
            cols += 1.0;
            tile_h = (34.0 / cols.sqrt()).max(8.0);
        }
        let tile_w = (col_w - 12.0 - (cols - 1.0) * 4.0) / cols;
        let boxes = pods
            .into_iter()
            .enumerate()
            .map(|(j, (k, p))| {
                let (r, cidx) = ((j as f64 / cols).floor(), j as f64 % cols);
                PodBox {
                    namespace: k.0.clone(),
                    name: k.1.clone(),
                    ip: p.status.pod_ip.clone().unwrap_or_else(|| "<none>".into()),
                    status: pod_status(p),
                    health: health(&p.status.state, p.is_terminating()),
                    labels: crate::sim::objects::render_labels(&p.meta.labels),
                    rect: Rect {
                        x: x + 6.0 + cidx * (tile_w + 4.0),
                        y: pods_top + r * (tile_h + 4.0),
                        w: tile_w,
                        h: tile_h,
                    },
                }
            })
            .collect();
        nodes.push(NodeBox {
            name: node.name.clone(),
            ip: node.ip.clone(),
            control_plane: !node.taints.is_empty(),
            rect,
            pods: boxes,
        });
    }
    Layout {
        pc: Rect {
            x: 10.0,
            y: 270.0,
            w: 120.0,
            h: 70.0,
        },
        nat: Rect {
            x: 160.0,
            y: 230.0,
            w: 150.0,
            h: 150.0,
        },
        dns: Rect {
            x: 160.0,
            y: 40.0,
            w: 150.0,
            h: 60.0,
        },
        internet: Rect {
            x: 160.0,
            y: 520.0,
            w: 150.0,
            h: 70.0,
        },
        port_forwards: c
            .lab
            .port_forwards
            .iter()
            .map(|p| format!("{} → {}:{}", p.host_port, p.guest_ip, p.guest_port))
            .collect(),
        nodes,
        services: bands,
    }
}

impl Layout {
    /// Where a hop happens on the drawing.
    pub fn point(&self, hop: &Hop) -> (f64, f64) {
        match &hop.place {
            Place::Pc => self.pc.center(),
            Place::Nat => self.nat.center(),
            Place::Dns => self.dns.center(),
            Place::Internet(_) => self.internet.center(),
            Place::Pod { namespace, name, .. } => self
                .nodes
                .iter()
                .flat_map(|n| &n.pods)
                .find(|p| &p.namespace == namespace && &p.name == name)
                .map(|p| p.rect.center())
                .unwrap_or((WIDTH - 40.0, HEIGHT / 2.0)),
            Place::Node(node) => {
                let Some(n) = self.nodes.iter().find(|n| &n.name == node) else {
                    return (WIDTH / 2.0, 30.0);
                };
                let x = n.rect.center().0;
                // A Service rule acts on the Service's band, in this node's column.
                let service = match &hop.rule {
                    Rule::Dnat { service, .. }
                    | Rule::Reject { service, .. }
                    | Rule::Drop {
                        service: Some(service), ..
                    } => Some(service),
                    _ => None,
                };
                match service.and_then(|s| {
                    self.services
                        .iter()
                        .find(|b| s.split_once('/') == Some((b.namespace.as_str(), b.name.as_str())))
                }) {
                    Some(b) => (x, b.rect.center().1),
                    None => (x, 36.0),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::lab::Lab;
    use crate::sim::shell::{MemFiles, Shell};

    #[test]
    fn every_pod_gets_a_box_inside_its_node_even_when_there_are_hundreds() {
        let mut m = String::new();
        for i in 0..3 {
            m.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: \
                d{i}}}\nspec:\n  replicas: 100\n  selector: {{matchLabels: {{app: \
                d{i}}}}}\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n    spec: {{containers: [{{name: c, \
                image: nginx}}]}}\n"
            ));
        }
        let mut sh = Shell::new(
            Cluster::new(Lab::default(), 1),
            Box::new(MemFiles(vec![("m.yml".into(), m)])),
        );
        sh.run("kubectl apply -f m.yml");
        sh.run("sleep 30");
        let l = layout(&sh.cluster);
        let total: usize = l.nodes.iter().map(|n| n.pods.len()).sum();
        assert_eq!(total, 302, "300 pods and CoreDNS's two");
        for n in &l.nodes {
            for p in &n.pods {
                assert!(
                    p.rect.x >= n.rect.x && p.rect.x + p.rect.w <= n.rect.x + n.rect.w + 0.01,
                    "{} outside {}",
                    p.name,
                    n.name
                );
                assert!(
                    p.rect.y + p.rect.h <= n.rect.y + n.rect.h + 0.01,
                    "{} below {}",
                    p.name,
                    n.name
                );
            }
        }
    }

    #[test]
    fn a_service_rule_that_stops_a_packet_is_drawn_on_that_service() {
        use crate::sim::net::{Client, Request};
        let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  selector: {app: none}\n  ports: \
            [{port: 80}]\n";
        let mut sh = Shell::new(
            Cluster::new(Lab::default(), 1),
            Box::new(MemFiles(vec![("s.yml".into(), svc.into())])),
        );
        sh.run("kubectl apply -f s.yml");
        let ip = sh.cluster.services[&("default".to_string(), "empty".to_string())]
            .spec
            .cluster_ip
            .clone()
            .unwrap();
        let req = Request {
            host: ip.clone(),
            port: 80,
            method: "GET".into(),
            path: "/".into(),
            host_header: ip,
            user_agent: "curl".into(),
        };
        let trace = sh.cluster.request(&Client::Node("myserver02".into()), &req);
        let l = layout(&sh.cluster);
        let reject = trace
            .hops
            .iter()
            .find(|h| matches!(h.rule, Rule::Reject { .. }))
            .expect("a REJECT hop");
        let band = l.services.iter().find(|b| b.name == "empty").unwrap();
        let column = l.nodes.iter().find(|n| n.name == "myserver02").unwrap();
        assert_eq!(l.point(reject), (column.rect.center().0, band.rect.center().1));
    }
}
