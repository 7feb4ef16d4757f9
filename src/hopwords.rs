//! A hop in words, in the page's language. The core's hops carry facts (places, addresses, the
//! Service and endpoint chosen) and, for a few rules, a reason in English for the terminal's
//! `trace`; this module words each of them for the page, Korean or English, from those facts.
//! Pure and tested on the host: no Korean sentence may carry an English phrase.

use crate::i18n::{josa, Lang};
use crate::sim::net::{Hop, Outcome, Place, Rule, Trace};

fn pick(lang: Lang, en: String, ko: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// Where the hop happens: "kube-proxy on myserver02", "파드 nginx01".
pub fn place(hop: &Hop, lang: Lang) -> String {
    match &hop.place {
        Place::Pc => pick(lang, "your PC".into(), "내 PC".into()),
        Place::Nat => pick(lang, "NAT network".into(), "NAT 네트워크".into()),
        Place::Node(n) => match hop.rule {
            Rule::Dnat { .. } | Rule::Snat { .. } | Rule::Reject { .. } | Rule::Drop { service: Some(_), .. } => {
                pick(lang, format!("kube-proxy on {n}"), format!("{n}의 kube-proxy"))
            }
            _ => pick(lang, format!("node {n}"), format!("노드 {n}")),
        },
        Place::Pod { namespace, name, .. } => {
            let who = if namespace == "default" {
                name.clone()
            } else {
                format!("{namespace}/{name}")
            };
            pick(lang, format!("pod {who}"), format!("파드 {who}"))
        }
        Place::Dns => pick(lang, "cluster DNS (kube-dns)".into(), "클러스터 DNS (kube-dns)".into()),
        Place::Internet(h) => pick(lang, format!("internet ({h})"), format!("인터넷 ({h})")),
    }
}

/// The rule's short name for the table: DNAT, SNAT, ... (the same in both languages).
pub fn rule_name(hop: &Hop) -> &'static str {
    hop.rule.name()
}

/// `a -> b` inside a reason, as `a → b`.
fn arrow_pair(text: &str, after: &str) -> Option<(String, String)> {
    let rest = text.split_once(after)?.1;
    let (a, b) = rest.split_once(" -> ")?;
    Some((a.trim().to_string(), b.trim().to_string()))
}

/// What happened at the hop, in a sentence without the addresses (the table shows them).
/// `reply`: the hop of the answer travelling back, where conntrack undoes each rewrite.
pub fn what(hop: &Hop, lang: Lang, reply: bool) -> String {
    if reply {
        return match &hop.rule {
            Rule::Dnat { .. } => pick(
                lang,
                "reply: conntrack undoes the DNAT (the source becomes the Service's address again)".into(),
                "응답: conntrack이 DNAT을 되돌립니다 (출발지가 다시 서비스 주소로)".into(),
            ),
            Rule::Snat { .. } => pick(
                lang,
                "reply: conntrack undoes the masquerade".into(),
                "응답: conntrack이 마스커레이드를 되돌립니다".into(),
            ),
            Rule::PortForward { .. } => pick(
                lang,
                "reply: the NAT network maps it back to your PC's port".into(),
                "응답: NAT 네트워크가 내 PC의 포트로 되돌려 보냅니다".into(),
            ),
            _ => pick(lang, "reply passes".into(), "응답이 지나갑니다".into()),
        };
    }
    match &hop.rule {
        Rule::Send => pick(lang, "opens the connection".into(), "연결을 엽니다".into()),
        Rule::PortForward { rule } => match arrow_pair(rule, "host ") {
            Some((h, g)) => pick(
                lang,
                format!("port forwarding: host port {h} to {g}"),
                format!("포트 포워딩: 호스트 포트 {} {}", josa(&h, "을/를"), josa(&g, "으로/로")),
            ),
            None => pick(lang, "port forwarding".into(), "포트 포워딩".into()),
        },
        Rule::Dns { query, answer } => pick(
            lang,
            format!("looks up {query}: {answer}"),
            format!("{query} 조회 결과: {answer}"),
        ),
        Rule::Dnat {
            service,
            chosen,
            of,
            pod,
            sticky,
            local,
            ..
        } => {
            // The rule names the pod as `NAME on NODE`.
            let (name, node) = pod.split_once(" on ").unwrap_or((pod.as_str(), ""));
            let ko_pod = if node.is_empty() {
                name.to_string()
            } else {
                format!("{node}의 {name}")
            };
            let (en_how, ko_how) = match (sticky, local) {
                (true, _) => (
                    "the same client keeps its pod (sessionAffinity: ClientIP)",
                    "같은 클라이언트는 같은 파드로 (sessionAffinity: ClientIP)",
                ),
                (false, true) => (
                    "at random among this node's endpoints (traffic policy Local)",
                    "이 노드의 엔드포인트 가운데 무작위로 (트래픽 정책 Local)",
                ),
                (false, false) => ("at random", "무작위로"),
            };
            pick(
                lang,
                format!("DNAT by {service}'s rules: endpoint {chosen} of {of}, {pod}, {en_how}"),
                format!("{service} 규칙의 DNAT: 엔드포인트 {of}개 중 {chosen}번째인 {ko_pod}, {ko_how}"),
            )
        }
        Rule::Snat { reason } => {
            let (en, ko) = if reason.contains("external destinations") {
                (
                    "masquerade: the source becomes this node's address (externalTrafficPolicy: Cluster)",
                    "마스커레이드: 출발지를 이 노드의 주소로 바꿉니다 (externalTrafficPolicy: Cluster)",
                )
            } else if reason.contains("outside the pod network") {
                (
                    "masquerade: the source is outside the pod network",
                    "마스커레이드: 출발지가 파드 네트워크 밖이라 노드 주소로 바꿉니다",
                )
            } else if reason.contains("LOCAL") {
                (
                    "masquerade: the node itself sent it",
                    "마스커레이드: 노드 자신이 보낸 트래픽이라 노드 주소로 바꿉니다",
                )
            } else if reason.contains("natOutgoing") {
                (
                    "Calico natOutgoing: pod traffic leaving the pod network takes the node's address",
                    "Calico natOutgoing: 파드 네트워크를 떠나는 트래픽은 노드 주소를 씁니다",
                )
            } else if reason.contains("hairpin") {
                (
                    "hairpin masquerade: the pod reached itself through its Service",
                    "헤어핀 마스커레이드: 파드가 자기 서비스를 거쳐 자신에게 왔습니다",
                )
            } else {
                ("the source address is rewritten", "출발지 주소를 바꿉니다")
            };
            pick(lang, en.into(), ko.into())
        }
        Rule::Route { via } => {
            if let Some((a, b)) = arrow_pair(via, "tunnel ") {
                pick(
                    lang,
                    format!("Calico's IP-in-IP tunnel from {a} to {b}"),
                    format!("Calico IP-in-IP 터널: {a}에서 {}", josa(&b, "으로/로")),
                )
            } else if let Some((a, b)) = arrow_pair(via, "NAT network ") {
                pick(
                    lang,
                    format!("across the NAT network from {a} to {b}"),
                    format!("NAT 네트워크를 지나 {a}에서 {}", josa(&b, "으로/로")),
                )
            } else if via.contains("internet") {
                pick(lang, "out to the internet".into(), "인터넷으로 나갑니다".into())
            } else {
                pick(lang, "forwarded".into(), "그대로 전달합니다".into())
            }
        }
        Rule::Deliver => pick(lang, "the connection is accepted".into(), "연결을 받아들입니다".into()),
        Rule::Respond { status } => pick(
            lang,
            format!("answers {status}"),
            format!("{} 응답합니다", josa(status, "으로/로")),
        ),
        Rule::Reject { service, .. } => pick(
            lang,
            format!("REJECT: {service} has no endpoints (ICMP port unreachable: connection refused)"),
            format!("REJECT: {service}에 엔드포인트가 없어 거부합니다 (ICMP port unreachable: 연결 거부)"),
        ),
        Rule::Drop { service: Some(s), .. } => pick(
            lang,
            format!("DROP: {s} has no ready endpoint on this node (traffic policy Local)"),
            format!("DROP: 이 노드에는 {s}의 준비된 엔드포인트가 없습니다 (트래픽 정책 Local)"),
        ),
        Rule::Drop { reason, .. } => {
            let (en, ko) = if reason.contains("no route into the NAT network") {
                (
                    "dropped: your PC has no route into the NAT network; only port forwarding leads in",
                    "버려짐: 내 PC에는 NAT 네트워크로 가는 경로가 없고, 포트 포워딩으로만 들어갈 수 있습니다",
                )
            } else if reason.contains("has no port") {
                (
                    "dropped: the Service has no such port, so no rule matches",
                    "버려짐: 서비스에 그 포트가 없어 맞는 규칙이 없습니다",
                )
            } else {
                (
                    "dropped: nothing answers, the client waits",
                    "버려짐: 아무도 답하지 않아 클라이언트가 기다립니다",
                )
            };
            pick(lang, en.into(), ko.into())
        }
        Rule::Reset { reason } => {
            let (en, ko) = if reason.contains("no port-forwarding rule") {
                (
                    "reset: no port-forwarding rule for this port, and nothing on your PC listens",
                    "재설정(RST): 이 포트의 포트 포워딩 규칙이 없고, 내 PC에서 기다리는 프로그램도 없습니다",
                )
            } else if reason.contains("not running") {
                (
                    "reset: the container is not running",
                    "재설정(RST): 컨테이너가 실행 중이 아닙니다",
                )
            } else if reason.contains("in the pod") {
                (
                    "reset: nothing listens on this port in the pod",
                    "재설정(RST): 파드 안에서 이 포트를 여는 프로세스가 없습니다",
                )
            } else {
                (
                    "reset: nothing listens on this port",
                    "재설정(RST): 이 포트를 여는 프로세스가 없습니다",
                )
            };
            pick(lang, en.into(), ko.into())
        }
    }
}

/// Whether the hop rewrote the destination or the source.
pub fn changed(hop: &Hop) -> (bool, bool) {
    (hop.before.src != hop.after.src, hop.before.dst != hop.after.dst)
}

/// The terminal's `trace` of a request in Korean: the same columns, each hop's note and the
/// last line in Korean.
pub fn trace_ko(tr: &Trace) -> String {
    tr.render_with(|h| what(h, Lang::Ko, false), &result(tr, Lang::Ko))
}

/// How a request ended, in the page's language.
pub fn result(tr: &Trace, lang: Lang) -> String {
    if lang == Lang::En {
        return tr.result();
    }
    match &tr.outcome {
        Outcome::Response(r) => format!(
            "{} {} {}, {}바이트, 같은 길로 돌아옵니다",
            r.version,
            r.status,
            r.reason,
            r.body.len()
        ),
        Outcome::NotHttp => "서버가 응답했지만 HTTP가 아닙니다".into(),
        Outcome::Refused => "연결이 거부되었습니다".into(),
        Outcome::Timeout => "응답이 없어 시간 초과로 끝났습니다".into(),
        Outcome::Reset => "연결이 재설정되었습니다".into(),
        Outcome::EmptyReply => "응답 없이 연결이 닫혔습니다".into(),
        Outcome::Unresolved(n) => format!("{}의 주소를 찾지 못했습니다", n),
        Outcome::DnsTimeout(n) => format!("{}의 DNS 응답이 없습니다", n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::net::Trace;
    use crate::sim::shell::{MemFiles, Shell};

    /// Traces of every kind the seed lab makes: NodePort from the PC, ClusterIP from a pod, no
    /// endpoints, a Local policy's drop, DNS, the internet, a refused port.
    fn traces() -> Vec<Trace> {
        let mut files = crate::session::starter_files();
        files.push((
            "empty.yml".into(),
            "apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  selector: {app: none}\n  ports: \
             [{port: 80}]\n"
                .into(),
        ));
        files.push((
            "local.yml".into(),
            "apiVersion: v1\nkind: Service\nmetadata: {name: local}\nspec:\n  type: NodePort\n  \
             externalTrafficPolicy: Local\n  selector: {app.kubernetes.io/name: web-deploy}\n  ports: [{port: 80, \
             nodePort: 31002}]\n"
                .into(),
        ));
        let mut sh = Shell::new(
            crate::sim::cluster::Cluster::new(crate::sim::lab::Lab::default(), 1),
            Box::new(MemFiles(files)),
        );
        let mut out = Vec::new();
        for c in [
            "kubectl apply -f deploy-test01.yml",
            "kubectl apply -f service-test01.yml",
            "kubectl apply -f empty.yml",
            "kubectl apply -f local.yml",
            "sleep 30",
        ] {
            sh.run(c);
        }
        let pod = sh
            .cluster
            .pods
            .iter()
            .find(|(k, _)| k.0 == "default")
            .map(|(k, _)| k.1.clone())
            .unwrap();
        for c in [
            "host curl -s http://127.0.0.1:31051".to_string(),
            "host curl -s http://127.0.0.1:31999".into(),
            format!("kubectl exec {pod} -- curl -s http://empty"),
            "host curl -s --max-time 2 http://10.0.2.5:31001".into(),
            "curl -s http://www.google.com".into(),
            "curl -s http://10.0.2.6:31001".into(),
            "curl -s http://10.0.2.5:9999".into(),
            "curl -s --max-time 2 http://10.0.2.4:31002".into(),
            format!("kubectl exec {pod} -- curl -s http://web-service-nodeport"),
        ] {
            out.extend(sh.run(&c).traces);
        }
        out
    }

    #[test]
    fn korean_hop_words_carry_no_english_phrase() {
        // Technical names a Korean engineer writes in Latin letters.
        const TERMS: &[&str] = &[
            "DNAT",
            "SNAT",
            "REJECT",
            "DROP",
            "RST",
            "ICMP",
            "port",
            "unreachable",
            "conntrack",
            "kube-proxy",
            "kube-dns",
            "Calico",
            "IP-in-IP",
            "NAT",
            "DNS",
            "PC",
            "natOutgoing",
            "externalTrafficPolicy",
            "Cluster",
            "Local",
            "sessionAffinity",
            "ClientIP",
            "OK",
            "IP",
            "Not",
            "Found",
            "HTTP",
        ];
        let all = traces();
        assert!(all.len() >= 6, "traces: {}", all.len());
        let mut seen = 0;
        for tr in &all {
            let reply = tr.reply();
            for (h, back) in tr
                .hops
                .iter()
                .map(|h| (h, false))
                .chain(reply.iter().map(|h| (h, true)))
            {
                for text in [place(h, Lang::Ko), what(h, Lang::Ko, back)] {
                    seen += 1;
                    // Names and addresses of the lab may appear; English words may not.
                    let english: Vec<&str> = text
                        .split(|c: char| !(c.is_ascii_alphabetic() || c == '-'))
                        .filter(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
                        .filter(|w| !TERMS.contains(w))
                        .filter(|w| !tr_names(h).iter().any(|n| n.contains(w)))
                        .collect();
                    assert!(english.is_empty(), "English in {text:?}: {english:?}");
                    // Particles are chosen for the word before them, never written as `을(를)`.
                    assert!(!text.contains("(를)") && !text.contains("(으)"), "{text}");
                }
            }
        }
        assert!(seen > 40);
        // How each request ended, too.
        for tr in &all {
            let ko = result(tr, Lang::Ko);
            assert!(
                !ko.contains("bytes") && !ko.contains("back along") && !ko.contains("timed out"),
                "{ko}"
            );
            assert_eq!(result(tr, Lang::En), tr.result());
        }
        let kinds: Vec<&str> = all.iter().flat_map(|t| t.hops.iter().map(|h| h.rule.name())).collect();
        for k in [
            "PORT-FORWARD",
            "DNAT",
            "SNAT",
            "REJECT",
            "DROP",
            "RST",
            "DNS",
            "ROUTE",
            "RESPOND",
        ] {
            assert!(kinds.contains(&k), "no {k} hop among {kinds:?}");
        }
    }

    #[test]
    fn the_korean_trace_keeps_the_columns_and_words_each_hop_in_korean() {
        let hangul = |s: &str| s.chars().any(|c| ('가'..='힣').contains(&c));
        for tr in traces() {
            let (en, ko) = (tr.render(), trace_ko(&tr));
            assert_eq!(en.lines().count(), ko.lines().count(), "{ko}");
            for (e, k) in en.lines().zip(ko.lines()) {
                // Place, rule and addresses as in English; the note after them in Korean.
                let cut = |l: &str| l.split("  [").next().unwrap_or("").to_string();
                if !e.starts_with("  =>") {
                    assert_eq!(cut(e), cut(k));
                }
                if k.contains("  [") || k.starts_with("  =>") {
                    assert!(hangul(k), "{k}");
                }
            }
        }
    }

    /// The names a hop may mention: Services, pods, nodes, hosts.
    fn tr_names(h: &Hop) -> Vec<String> {
        let mut v = vec![h.place.label()];
        match &h.rule {
            // The pod's name, not the English `NAME on NODE` the rule carries.
            Rule::Dnat { service, pod, .. } => v.extend([service.clone(), pod.split(' ').next().unwrap_or("").into()]),
            Rule::Reject { service, .. }
            | Rule::Drop {
                service: Some(service), ..
            } => v.push(service.clone()),
            Rule::Dns { query, answer } => v.extend([query.clone(), answer.clone()]),
            Rule::Respond { status } => v.push(status.clone()),
            _ => {}
        }
        v
    }

    #[test]
    fn both_languages_word_every_hop_and_the_reply_names_conntrack() {
        for tr in traces() {
            for h in &tr.hops {
                assert!(!what(h, Lang::En, false).is_empty());
                assert_ne!(what(h, Lang::En, false), what(h, Lang::Ko, false));
            }
            for h in tr.reply().iter().filter(|h| matches!(h.rule, Rule::Dnat { .. })) {
                assert!(what(h, Lang::Ko, true).contains("conntrack"));
            }
        }
    }
}
