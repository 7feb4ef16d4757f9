//! Grading a lesson's goals against a learner's session: whether a goal holds (`check`),
//! the goal in words (`describe`), and why it does not hold yet, from the cluster's state and
//! the learner's own commands and requests (`why`). Goals on actions (`ran`, `sent`, `trace`)
//! look at what the learner did, optionally only after a mark (`Session::mark`); goals on state
//! look at the cluster now. Both languages are written from templates here, Korean particles
//! chosen by `i18n::particle`.

use crate::command;
use crate::i18n::{particle, Lang};
use crate::lessons::Goal;
use crate::session::{Sent, Session};
use crate::sim::cluster::{key, Cluster};
use crate::sim::net::{Client, Outcome, Place, Request, Rule, Trace};
use crate::sim::objects::{labels_match, render_labels, Labels};
use crate::sim::value::Value;

fn field_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (k, idx) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(k)?;
        if let Some(i) = idx {
            match cur {
                Value::Seq(items) => cur = items.get(i)?,
                _ => return None,
            }
        }
    }
    Some(cur)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        other => other.to_json(),
    }
}

fn kind_of(name: &str) -> &str {
    crate::sim::kinds::by_name(name).map_or(name, |k| k.kind)
}

/// A kind as Korean documentation names it (kubernetes.io/ko); other kinds as code.
fn kind_ko(kind: &str) -> String {
    match kind_of(kind) {
        "Service" => "서비스".into(),
        "Pod" => "파드".into(),
        "Deployment" => "디플로이먼트".into(),
        "ReplicaSet" => "레플리카셋".into(),
        "Endpoints" => "엔드포인트".into(),
        "EndpointSlice" => "엔드포인트슬라이스".into(),
        "Node" => "노드".into(),
        "Namespace" => "네임스페이스".into(),
        "ConfigMap" => "컨피그맵".into(),
        "Secret" => "시크릿".into(),
        other => format!("`{other}`"),
    }
}

fn kind_en(kind: &str) -> String {
    let k = kind_of(kind);
    if crate::sim::kinds::by_name(kind).is_some() {
        k.to_string()
    } else {
        format!("`{k}`")
    }
}

/// `word` (already formatted) and its particle.
fn j(word: &str, pair: &'static str) -> String {
    format!("{word}{}", particle(word, pair))
}

/// What a request came to: an HTTP status, `refused`, `timeout`, `reset`, `unresolved`,
/// `not-http`.
pub fn outcome_word(o: &Outcome) -> String {
    match o {
        Outcome::Response(r) => r.status.to_string(),
        Outcome::NotHttp => "not-http".into(),
        Outcome::Refused => "refused".into(),
        Outcome::Timeout | Outcome::EmptyReply => "timeout".into(),
        Outcome::Reset => "reset".into(),
        Outcome::Unresolved(_) | Outcome::DnsTimeout(_) => "unresolved".into(),
    }
}

/// An outcome as a noun: "HTTP 200", "connection refused".
fn outcome_noun(o: &str, lang: Lang) -> String {
    match (o, lang) {
        ("refused", Lang::En) => "connection refused".into(),
        ("refused", Lang::Ko) => "연결 거부".into(),
        ("timeout", Lang::En) => "a timeout".into(),
        ("timeout", Lang::Ko) => "시간 초과".into(),
        ("reset", Lang::En) => "connection reset by peer".into(),
        ("reset", Lang::Ko) => "연결 리셋".into(),
        ("unresolved", Lang::En) => "a name that did not resolve".into(),
        ("unresolved", Lang::Ko) => "이름 조회 실패".into(),
        ("not-http", Lang::En) => "a reply that is not HTTP".into(),
        ("not-http", Lang::Ko) => "HTTP가 아닌 응답".into(),
        (status, Lang::En) => format!("HTTP {status}"),
        (status, Lang::Ko) => format!("{status} 응답"),
    }
}

/// Where a request comes from, in words.
fn from_words(from: &str, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match from.split_once('/') {
        Some(("node", n)) => format!("{} `{n}`", if ko { "노드" } else { "node" }),
        Some(("pod", p)) => format!("{} `{p}`", if ko { "파드" } else { "pod" }),
        _ => match (from, ko) {
            ("pc", false) => "your PC".into(),
            ("pc", true) => "내 PC".into(),
            ("node", false) => "a node".into(),
            ("node", true) => "노드".into(),
            ("pod", false) => "a pod".into(),
            ("pod", true) => "파드".into(),
            (_, false) => "anywhere".into(),
            (_, true) => "어디".into(),
        },
    }
}

fn client_of(from: &str) -> Option<Client> {
    match from.split_once('/') {
        None if from == "pc" => Some(Client::Pc),
        Some(("node", n)) => Some(Client::Node(n.to_string())),
        Some(("pod", p)) => Some(Client::Pod(key("default", p))),
        _ => None,
    }
}

fn from_matches(from: &str, label: &str) -> bool {
    match from {
        "any" => true,
        "node" | "pod" => label.starts_with(&format!("{from}/")),
        f => f == label,
    }
}

/// Whether the learner's request went where `url` says: the same port and the same host,
/// a Service's name short or full, or its ClusterIP; the path when the goal gives one.
fn target_matches(c: &Cluster, url: &str, req: &Request) -> bool {
    let Ok((_, host, port, path)) = crate::sim::tools::parse_url(url) else {
        return false;
    };
    if port != req.port || (path != "/" && path != req.path) {
        return false;
    }
    let want = command::host_key(&host);
    if want == command::host_key(&req.host) {
        return true;
    }
    // A Service by name, reached by its ClusterIP.
    want.strip_suffix(".svc.cluster.local")
        .and_then(|s| s.split_once('.'))
        .and_then(|(name, ns)| c.services.get(&key(ns, name)))
        .and_then(|svc| svc.spec.cluster_ip.as_deref())
        .is_some_and(|ip| ip == req.host)
}

fn host_matches(want: &Option<String>, req: &Request) -> bool {
    want.as_ref().is_none_or(|h| {
        let got = req.host_header.trim();
        let got = got
            .rsplit_once(':')
            .filter(|(_, p)| p.parse::<u16>().is_ok())
            .map_or(got, |(h, _)| h);
        got.eq_ignore_ascii_case(h.trim())
    })
}

/// The learner's requests since `since` that a `sent` goal's place and target describe.
fn sent_to<'a>(s: &'a Session, since: u64, from: &'a str, url: &'a str) -> impl Iterator<Item = &'a Sent> {
    let c = &s.shell.cluster;
    s.sent
        .iter()
        .filter(move |x| x.seq >= since)
        .filter(move |x| from_matches(from, &x.trace.client.label()))
        .filter(move |x| target_matches(c, url, &x.request))
}

fn ran_matches(s: &Session, since: u64, command: &str) -> bool {
    let pattern = command::pattern(command);
    // A program counts when it exited 0 itself, whatever the rest of its line did.
    s.ran.iter().filter(|r| r.seq >= since).any(|r| match &pattern {
        Some(p) => command::parse_indexed(&r.line, &r.at)
            .iter()
            .any(|(k, i)| r.code_of(*k, i.part) == Some(0) && command::matches(p, i)),
        None => r.code == 0 && r.line.contains(command),
    })
}

/// The outcome of a request sent now on a copy of the cluster, or `None` when the client does
/// not exist or the URL does not parse.
fn probe(c: &Cluster, from: &str, url: &str) -> Option<Trace> {
    let client = client_of(from)?;
    if let Client::Pod(k) = &client {
        if !c.pods.contains_key(k) {
            return None;
        }
    }
    let (_, host, port, path) = crate::sim::tools::parse_url(url).ok()?;
    let host_header = if port == 80 {
        host.clone()
    } else {
        format!("{host}:{port}")
    };
    let req = Request {
        host,
        port,
        method: "GET".into(),
        path,
        host_header,
        user_agent: "curl/8.14.1".into(),
    };
    Some(c.clone().request(&client, &req))
}

fn ready_endpoints(c: &Cluster, service: &str) -> usize {
    c.endpoints
        .get(&key("default", service))
        .map_or(0, |e| e.addresses.iter().filter(|a| a.ready).count())
}

/// Whether a goal holds for the session now, counting all the learner's actions.
pub fn check(goal: &Goal, s: &Session) -> bool {
    check_since(goal, s, 0)
}

/// Whether a goal holds, counting only the commands and requests made from the mark `since`
/// on (`Session::mark()` when the step opened). State goals ignore the mark.
pub fn check_since(goal: &Goal, s: &Session, since: u64) -> bool {
    // A mark from before a reset is past the session's numbering: count everything.
    let since = if since > s.mark() { 0 } else { since };
    let c = &s.shell.cluster;
    match goal {
        Goal::Exists { kind, name } => c.exists(kind_of(kind), "default", name),
        Goal::Absent { kind, name } => !c.exists(kind_of(kind), "default", name),
        Goal::Field {
            kind,
            name,
            path,
            equals,
        } => c
            .object_value(kind_of(kind), "default", name)
            .and_then(|v| field_at(&v, path).map(scalar))
            .is_some_and(|v| v == *equals),
        Goal::Endpoints { service, count } => ready_endpoints(c, service) == *count,
        Goal::Ready { deployment, count } => c
            .deployments
            .get(&key("default", deployment))
            .is_some_and(|d| c.deployment_status(d).ready == *count),
        Goal::Ran { command, also } => std::iter::once(command).chain(also).any(|c| ran_matches(s, since, c)),
        Goal::Trace { rule } => s
            .sent
            .iter()
            .filter(|x| x.seq >= since)
            .any(|x| x.trace.hops.iter().any(|h| h.rule.name() == rule)),
        Goal::Sent {
            from,
            url,
            host,
            outcome,
            count,
        } => {
            sent_to(s, since, from, url)
                .filter(|x| {
                    host_matches(host, &x.request)
                        && outcome.as_ref().is_none_or(|o| *o == outcome_word(&x.trace.outcome))
                })
                .count()
                >= *count
        }
        Goal::Request { from, url, outcome } => {
            probe(c, from, url).is_some_and(|t| outcome_word(&t.outcome) == *outcome)
        }
    }
}

/// A goal in words, for the checklist beside the lesson. Korean lines are whole Korean
/// sentences; names, commands and values stand in code spans.
pub fn describe(goal: &Goal, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    match goal {
        Goal::Exists { kind, name } => {
            if ko {
                format!("{} {} 있다", kind_ko(kind), j(&format!("`{name}`"), "이/가"))
            } else {
                format!("{} `{name}` exists", kind_en(kind))
            }
        }
        Goal::Absent { kind, name } => {
            if ko {
                format!("{} {} 없다", kind_ko(kind), j(&format!("`{name}`"), "이/가"))
            } else {
                format!("{} `{name}` is gone", kind_en(kind))
            }
        }
        Goal::Field {
            kind,
            name,
            path,
            equals,
        } => {
            if ko {
                format!(
                    "{} `{name}`의 {} {}",
                    kind_ko(kind),
                    j(&format!("`{path}`"), "이/가"),
                    j(&format!("`{equals}`"), "이다/다")
                )
            } else {
                format!("{} `{name}` has `{path}` = `{equals}`", kind_en(kind))
            }
        }
        Goal::Endpoints { service, count } => match (ko, count) {
            (true, 0) => format!("서비스 `{service}`에 준비된 엔드포인트가 없다"),
            (true, n) => format!("서비스 `{service}`에 준비된 엔드포인트가 {n}개 있다"),
            (false, 0) => format!("Service `{service}` has no ready endpoints"),
            (false, 1) => format!("Service `{service}` has 1 ready endpoint"),
            (false, n) => format!("Service `{service}` has {n} ready endpoints"),
        },
        Goal::Ready { deployment, count } => match (ko, count) {
            (true, 0) => format!("디플로이먼트 `{deployment}`에 준비된 파드가 없다"),
            (true, n) => format!("디플로이먼트 `{deployment}`의 파드 {n}개가 준비되었다"),
            (false, 0) => format!("Deployment `{deployment}` has no ready pods"),
            (false, 1) => format!("Deployment `{deployment}` has 1 ready pod"),
            (false, n) => format!("Deployment `{deployment}` has {n} ready pods"),
        },
        Goal::Ran { command, also } => {
            let all: Vec<String> = std::iter::once(command).chain(also).map(|c| format!("`{c}`")).collect();
            if ko {
                format!("{} 실행해 성공했다", j(&all.join(" 또는 "), "을/를"))
            } else {
                format!("you ran {} and it succeeded", all.join(" or "))
            }
        }
        Goal::Sent {
            from,
            url,
            host,
            outcome,
            count,
        } => {
            if ko {
                let with = host
                    .as_ref()
                    .map_or(String::new(), |h| format!("`Host: {h}` 헤더를 붙여 "));
                let times = if *count > 1 {
                    format!("{count}번 ")
                } else {
                    String::new()
                };
                let ended = match outcome.as_deref() {
                    None => format!("{times}보냈다"),
                    Some("refused") => format!("{times}보냈고 연결이 거부되었다"),
                    Some("timeout") => format!("{times}보냈고 시간이 초과되었다"),
                    Some("reset") => format!("{times}보냈고 연결이 리셋되었다"),
                    Some("unresolved") => format!("{times}보냈고 이름을 찾지 못했다"),
                    Some("not-http") => format!("{times}보냈고 HTTP가 아닌 응답을 받았다"),
                    Some(status) => format!("{times}보내 {status} 응답을 받았다"),
                };
                let place = if from == "any" {
                    String::new()
                } else {
                    format!("{}에서 ", from_words(from, lang))
                };
                format!("{place}{with}{} 요청을 {ended}", j(&format!("`{url}`"), "으로/로"))
            } else {
                let with = host.as_ref().map_or(String::new(), |h| format!(" with `Host: {h}`"));
                let ended = match outcome.as_deref() {
                    None => String::new(),
                    Some("refused") => ": connection refused".into(),
                    Some("timeout") => ": it timed out".into(),
                    Some("reset") => ": connection reset".into(),
                    Some("unresolved") => ": the name did not resolve".into(),
                    Some("not-http") => ": a reply that is not HTTP".into(),
                    Some(status) => format!(" and got {status}"),
                };
                let place = if from == "any" {
                    String::new()
                } else {
                    format!(" from {}", from_words(from, lang))
                };
                let what = if *count > 1 {
                    format!("{count} requests")
                } else {
                    "a request".to_string()
                };
                format!("you sent {what}{place} to `{url}`{with}{ended}")
            }
        }
        Goal::Request { from, url, outcome } => {
            if ko {
                let ends = match outcome.as_str() {
                    "refused" => "연결이 거부된다".to_string(),
                    "timeout" => "시간이 초과된다".into(),
                    "reset" => "연결이 리셋된다".into(),
                    "unresolved" => "이름을 찾지 못한다".into(),
                    "not-http" => "HTTP가 아닌 응답이 온다".into(),
                    status => format!("{status} 응답이 온다"),
                };
                format!(
                    "{}에서 {} 요청하면 {ends}",
                    from_words(from, lang),
                    j(&format!("`{url}`"), "으로/로")
                )
            } else {
                format!(
                    "a request from {} to `{url}` gets {}",
                    from_words(from, lang),
                    outcome_noun(outcome, lang)
                )
            }
        }
        Goal::Trace { rule } => {
            if ko {
                format!("보낸 요청 하나가 `{rule}` 단계를 거쳤다")
            } else {
                format!("one of your requests passed a `{rule}` hop")
            }
        }
    }
}

/// Why a goal does not hold yet, in the learner's language, from the cluster's state and the
/// learner's own commands and requests; `None` when it holds.
pub fn why(goal: &Goal, s: &Session, lang: Lang) -> Option<String> {
    why_since(goal, s, 0, lang)
}

/// `why`, counting only the actions from the mark `since` on, as `check_since` does.
pub fn why_since(goal: &Goal, s: &Session, since: u64, lang: Lang) -> Option<String> {
    if check_since(goal, s, since) {
        return None;
    }
    let since = if since > s.mark() { 0 } else { since };
    let ko = lang == Lang::Ko;
    let c = &s.shell.cluster;
    Some(match goal {
        Goal::Exists { kind, name } => missing(c, kind, name, lang),
        Goal::Absent { kind, name } => {
            let terminating = kind_of(kind) == "Pod"
                && c.pods
                    .get(&key("default", name))
                    .is_some_and(|p| p.meta.deletion.is_some());
            match (ko, terminating) {
                (false, false) => format!("{} `{name}` still exists: delete it.", kind_en(kind)),
                (true, false) => format!(
                    "{} {} 아직 있습니다. 지워 보세요.",
                    kind_ko(kind),
                    j(&format!("`{name}`"), "이/가")
                ),
                (false, true) => format!("Pod `{name}` is terminating; give it a few seconds (`sleep 5`)."),
                (true, true) => format!("파드 `{name}`는 종료 중입니다. 몇 초 기다리세요(`sleep 5`)."),
            }
        }
        Goal::Field {
            kind,
            name,
            path,
            equals,
        } => match c.object_value(kind_of(kind), "default", name) {
            None => missing(c, kind, name, lang),
            Some(v) => match field_at(&v, path).map(scalar) {
                None if ko => format!(
                    "{} `{name}`에 {} 없습니다. {} 합니다.",
                    kind_ko(kind),
                    j(&format!("`{path}`"), "이/가"),
                    j(&format!("`{equals}`"), "이어야/여야")
                ),
                None => format!("{} `{name}` has no `{path}`; it should be `{equals}`.", kind_en(kind)),
                Some(got) if ko => format!(
                    "{} `{name}`의 {} 지금 `{got}`입니다. {} 합니다.",
                    kind_ko(kind),
                    j(&format!("`{path}`"), "은/는"),
                    j(&format!("`{equals}`"), "이어야/여야")
                ),
                Some(got) => format!(
                    "{} `{name}` has `{path}` = `{got}`; it should be `{equals}`.",
                    kind_en(kind)
                ),
            },
        },
        Goal::Endpoints { service, count } => endpoints_why(c, service, *count, lang),
        Goal::Ready { deployment, count } => ready_why(c, deployment, *count, lang),
        Goal::Ran { command, .. } => ran_why(s, since, command, lang),
        Goal::Trace { rule } => {
            if ko {
                format!("보낸 요청 가운데 `{rule}` 단계를 거친 것이 아직 없습니다.")
            } else {
                format!("None of your requests has passed a `{rule}` hop yet.")
            }
        }
        Goal::Sent {
            from,
            url,
            host,
            outcome,
            count,
        } => {
            let to_target: Vec<&Sent> = sent_to(s, since, from, url).collect();
            let last = to_target.iter().rev().find(|x| host_matches(host, &x.request));
            let done = to_target
                .iter()
                .filter(|x| {
                    host_matches(host, &x.request)
                        && outcome.as_ref().is_none_or(|o| *o == outcome_word(&x.trace.outcome))
                })
                .count();
            if done > 0 {
                return Some(if ko {
                    format!("맞는 요청을 {done}번 보냈습니다. {count}번 보내야 합니다.")
                } else {
                    format!("You sent {done} such requests; {count} are needed.")
                });
            }
            match (last, to_target.last()) {
                (Some(x), _) => {
                    let got = outcome_word(&x.trace.outcome);
                    let want = outcome.clone().unwrap_or_default();
                    // Reached only when an outcome was asked for: any outcome would have done.
                    let mut t = if ko {
                        format!(
                            "{}에서 `{url}`에 보낸 마지막 요청의 결과는 {}{}. {}{} 필요합니다.",
                            from_words(&x.trace.client.label(), lang),
                            outcome_noun(&got, lang),
                            particle(&outcome_noun(&got, lang), "이었습니다/였습니다"),
                            outcome_noun(&want, lang),
                            particle(&outcome_noun(&want, lang), "이/가")
                        )
                    } else {
                        format!(
                            "Your last request from {} to `{url}` ended with {}, not {}.",
                            from_words(&x.trace.client.label(), lang),
                            outcome_noun(&got, lang),
                            outcome_noun(&want, lang)
                        )
                    };
                    push(&mut t, &cause(c, &x.trace, lang));
                    push(&mut t, &service_why(c, &x.trace, url, lang));
                    push(
                        &mut t,
                        if ko {
                            "원인을 고쳤다면 요청을 다시 보내 보세요."
                        } else {
                            "Once the cause is fixed, send it again."
                        },
                    );
                    t
                }
                (None, Some(x)) => {
                    let h = host.clone().unwrap_or_default();
                    if ko {
                        format!(
                            "`{url}`에 보낸 요청의 `Host` 헤더가 `{}`였습니다. `Host: {h}`{} 보내 보세요(`curl -H \"Host: {h}\" ...`).",
                            x.request.host_header,
                            particle(&format!("`Host: {h}`"), "을/를")
                        )
                    } else {
                        format!(
                            "Your request to `{url}` said `Host: {}`; send `Host: {h}` (`curl -H \"Host: {h}\" ...`).",
                            x.request.host_header
                        )
                    }
                }
                (None, None) => {
                    let elsewhere = s
                        .sent
                        .iter()
                        .rev()
                        .filter(|x| x.seq >= since)
                        .find(|x| target_matches(c, url, &x.request))
                        .map(|x| x.trace.client.label());
                    let mut t = if ko {
                        format!(
                            "아직 {}에서 {} 보낸 요청이 없습니다.",
                            from_words(from, lang),
                            j(&format!("`{url}`"), "으로/로")
                        )
                    } else {
                        format!(
                            "You have not sent a request from {} to `{url}` yet.",
                            from_words(from, lang)
                        )
                    };
                    if let Some(e) = elsewhere {
                        push(
                            &mut t,
                            &if ko {
                                format!(
                                    "{}에서 보낸 요청은 있지만, 이 단계는 {}에서 보낸 요청을 봅니다.",
                                    from_words(&e, lang),
                                    from_words(from, lang)
                                )
                            } else {
                                format!(
                                    "You sent one from {}; this step asks for one from {}.",
                                    from_words(&e, lang),
                                    from_words(from, lang)
                                )
                            },
                        );
                    }
                    t
                }
            }
        }
        Goal::Request { from, url, outcome } => match probe(c, from, url) {
            None if ko => format!("{}{} 아직 없습니다.", from_words(from, lang), particle(from, "이/가")),
            None => format!("There is no {} yet.", from_words(from, lang)),
            Some(t) => {
                let got = outcome_word(&t.outcome);
                let mut text = if ko {
                    format!(
                        "지금 {}에서 {} 요청하면 {}{} 나옵니다. {}{} 나와야 합니다.",
                        from_words(from, lang),
                        j(&format!("`{url}`"), "으로/로"),
                        outcome_noun(&got, lang),
                        particle(&outcome_noun(&got, lang), "이/가"),
                        outcome_noun(outcome, lang),
                        particle(&outcome_noun(outcome, lang), "이/가")
                    )
                } else {
                    format!(
                        "A request from {} to `{url}` now ends with {}, not {}.",
                        from_words(from, lang),
                        outcome_noun(&got, lang),
                        outcome_noun(outcome, lang)
                    )
                };
                push(&mut text, &cause(c, &t, lang));
                push(&mut text, &service_why(c, &t, url, lang));
                text
            }
        },
    })
}

fn push(t: &mut String, more: &str) {
    if !more.is_empty() {
        t.push(' ');
        t.push_str(more);
    }
}

/// The names of the objects of a kind in `default`.
fn names_of(c: &Cluster, kind: &str) -> Vec<String> {
    let ns = |k: &(String, String)| (k.0 == "default").then(|| k.1.clone());
    match kind_of(kind) {
        "Service" => c.services.keys().filter_map(ns).collect(),
        "Pod" => c.pods.keys().filter_map(ns).collect(),
        "Deployment" => c.deployments.keys().filter_map(ns).collect(),
        "ReplicaSet" => c.replicasets.keys().filter_map(ns).collect(),
        _ => Vec::new(),
    }
}

fn missing(c: &Cluster, kind: &str, name: &str, lang: Lang) -> String {
    let near = names_of(c, kind)
        .into_iter()
        .find(|n| n != name && crate::sim::images::edit_distance(n, name) <= 2);
    let mut t = if lang == Lang::Ko {
        format!(
            "`default` 네임스페이스에 {} {} 아직 없습니다.",
            kind_ko(kind),
            j(&format!("`{name}`"), "이/가")
        )
    } else {
        format!("There is no {} `{name}` in namespace `default` yet.", kind_en(kind))
    };
    if let Some(n) = near {
        push(
            &mut t,
            &if lang == Lang::Ko {
                format!(
                    "이름이 비슷한 {} 있습니다. 오타가 아닌지 보세요.",
                    j(&format!("`{n}`"), "이/가")
                )
            } else {
                format!("`{n}` exists: a typo?")
            },
        );
    }
    t
}

/// Pods in `default` that a Service's selector picks, not terminating.
fn selected<'a>(c: &'a Cluster, sel: &'a Labels) -> impl Iterator<Item = &'a crate::sim::objects::Pod> {
    c.pods
        .values()
        .filter(move |p| p.meta.namespace == "default" && !p.is_terminating() && labels_match(sel, &p.meta.labels))
}

fn pod_states(pods: &[&crate::sim::objects::Pod]) -> String {
    pods.iter()
        .take(3)
        .map(|p| format!("`{}` ({})", p.meta.name, crate::sim::printers::pod_status(p)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What to do about pods that are not ready: a bad image, a crashing container, or just time.
fn pod_advice(pods: &[&crate::sim::objects::Pod], lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let status = |p: &&crate::sim::objects::Pod| crate::sim::printers::pod_status(p);
    if let Some(p) = pods.iter().find(|p| {
        matches!(
            status(p).as_str(),
            "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName"
        )
    }) {
        let image = p.image();
        return if ko {
            format!(
                "{} 받을 수 없습니다. 이미지 이름과 태그를 확인하세요.",
                j(&format!("이미지 `{image}`"), "을/를")
            )
        } else {
            format!("Image `{image}` cannot be pulled: check its name and tag.")
        };
    }
    if pods.iter().any(|p| status(p) == "CrashLoopBackOff") {
        return if ko {
            "컨테이너가 계속 종료됩니다. `kubectl logs`와 `kubectl describe pod`로 원인을 보세요.".into()
        } else {
            "A container keeps exiting: see why with `kubectl logs` and `kubectl describe pod`.".into()
        };
    }
    // A running container that its readiness probe keeps out: the kubelet's event says why.
    let failing = pods.iter().filter(|p| status(p) == "Running").find_map(|p| {
        let e = p.status.events.iter().rev().find(|e| e.reason == "Unhealthy")?;
        e.message
            .starts_with("Readiness probe")
            .then_some((p, e.message.as_str()))
    });
    if let Some((p, message)) = failing {
        let name = &p.meta.name;
        return if ko {
            format!(
                "{} 실행 중이지만 레디니스 프로브가 실패합니다: `{message}`. `kubectl describe pod {name}`의 이벤트를 보세요.",
                j(&format!("파드 `{name}`"), "은/는")
            )
        } else {
            format!(
                "Pod `{name}` is running but its readiness probe fails: `{message}`. See the events of `kubectl describe pod {name}`."
            )
        };
    }
    if ko {
        "이미지를 받고 컨테이너가 뜰 때까지 기다려 보세요(`sleep 20`).".into()
    } else {
        "Give the images time to download and the containers to start (`sleep 20`).".into()
    }
}

fn endpoints_why(c: &Cluster, service: &str, count: usize, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let Some(svc) = c.services.get(&key("default", service)) else {
        return missing(c, "Service", service, lang);
    };
    let ready = ready_endpoints(c, service);
    let sel = match &svc.spec.selector {
        Some(sel) if !sel.is_empty() => sel,
        _ => {
            return if ko {
                format!("서비스 `{service}`에는 셀렉터가 없어서 엔드포인트 컨트롤러가 엔드포인트를 채우지 않습니다.")
            } else {
                format!("Service `{service}` has no selector, so the endpoints controller gives it no endpoints.")
            }
        }
    };
    let sel_text = render_labels(sel);
    let pods: Vec<_> = selected(c, sel).collect();
    if ready > count {
        return if ko {
            format!(
                "서비스 `{service}`의 준비된 엔드포인트가 {ready}개입니다. {count}개여야 합니다. 셀렉터 `{sel_text}`에 맞는 파드가 {}개 있습니다.",
                pods.len()
            )
        } else {
            format!(
                "Service `{service}` has {ready} ready endpoints, not {count}: its selector `{sel_text}` matches {} pods.",
                pods.len()
            )
        };
    }
    if pods.is_empty() {
        // Labels the pods do have under the selector's keys: the likely typo.
        let near: Option<String> = c.pods.values().filter(|p| p.meta.namespace == "default").find_map(|p| {
            let shared: Labels = sel
                .iter()
                .filter_map(|(k, _)| p.meta.labels.get(k).map(|v| (k.clone(), v.clone())))
                .collect();
            (!shared.is_empty()).then(|| render_labels(&shared))
        });
        let mut t = if ko {
            format!("서비스 `{service}`의 엔드포인트가 0개입니다. 셀렉터 `{sel_text}`에 맞는 파드가 없습니다.")
        } else {
            format!("Service `{service}` has 0 endpoints: its selector `{sel_text}` matches no pod.")
        };
        if let Some(n) = near {
            push(
                &mut t,
                &if ko {
                    format!("파드에는 `{n}` 레이블이 있습니다.")
                } else {
                    format!("The pods are labelled `{n}`.")
                },
            );
        }
        return t;
    }
    let not_ready: Vec<_> = pods.iter().copied().filter(|p| !p.is_ready()).collect();
    if pods.len() < count {
        return if ko {
            format!(
                "서비스 `{service}`의 셀렉터 `{sel_text}`에 맞는 파드가 {}개뿐입니다. {count}개가 필요합니다.",
                pods.len()
            )
        } else {
            format!(
                "Service `{service}`'s selector `{sel_text}` matches only {} pods; {count} are needed.",
                pods.len()
            )
        };
    }
    let mut t = if ko {
        format!(
            "서비스 `{service}`의 파드 {}개 가운데 {ready}개가 준비되었습니다. 아직 준비되지 않은 파드: {}.",
            pods.len(),
            pod_states(&not_ready)
        )
    } else {
        format!(
            "{ready} of the {} pods behind Service `{service}` are ready. Not ready yet: {}.",
            pods.len(),
            pod_states(&not_ready)
        )
    };
    push(&mut t, &pod_advice(&not_ready, lang));
    t
}

fn ready_why(c: &Cluster, deployment: &str, count: i64, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let Some(d) = c.deployments.get(&key("default", deployment)) else {
        return missing(c, "Deployment", deployment, lang);
    };
    let ready = c.deployment_status(d).ready;
    let want = d.replicas.unwrap_or(1);
    if want != count {
        return if ko {
            format!(
                "디플로이먼트 `{deployment}`의 `replicas`는 {want}입니다. 이 단계는 준비된 파드 {count}개를 기다립니다."
            )
        } else {
            format!("Deployment `{deployment}` asks for {want} replicas; this step waits for {count} ready pods.")
        };
    }
    let pods: Vec<_> = c
        .pods
        .values()
        .filter(|p| {
            p.meta.namespace == "default"
                && !p.is_ready()
                && d.selector.as_ref().is_some_and(|s| s.matches(&p.meta.labels))
        })
        .collect();
    let mut t = if ko {
        format!("디플로이먼트 `{deployment}`의 파드 가운데 {ready}개가 준비되었습니다.")
    } else {
        format!("{ready} of Deployment `{deployment}`'s pods are ready.")
    };
    if !pods.is_empty() {
        push(
            &mut t,
            &if ko {
                format!("아직 준비되지 않은 파드: {}.", pod_states(&pods))
            } else {
                format!("Not ready yet: {}.", pod_states(&pods))
            },
        );
    }
    push(&mut t, &pod_advice(&pods, lang));
    t
}

fn ran_why(s: &Session, since: u64, command: &str, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let pattern = command::pattern(command);
    // The learner's latest try at the same program (and kubectl verb) that ran, with its own
    // exit status.
    let attempt = s
        .ran
        .iter()
        .rev()
        .filter(|r| r.seq >= since)
        .find_map(|r| match &pattern {
            Some(p) => command::parse_indexed(&r.line, &r.at)
                .iter()
                .filter(|(_, i)| i.program == p.program && (p.verb.is_none() || i.verb == p.verb))
                .find_map(|(k, i)| r.code_of(*k, i.part))
                .map(|c| (r, c)),
            None => r.line.contains(command).then_some((r, r.code)),
        });
    match attempt {
        Some((r, code)) if code != 0 => {
            if ko {
                format!(
                    "{} 실패했습니다(종료 코드 {}). 성공한 명령만 인정됩니다.",
                    j(&format!("`{}`", r.line), "은/는"),
                    code
                )
            } else {
                format!(
                    "`{}` failed (exit status {}); only commands that succeed count.",
                    r.line, code
                )
            }
        }
        Some((r, _)) => {
            if ko {
                format!(
                    "{} 이 단계가 바라는 명령과 다릅니다. {} 실행해 보세요.",
                    j(&format!("`{}`", r.line), "은/는"),
                    j(&format!("`{command}`"), "을/를")
                )
            } else {
                format!("`{}` is not quite it: this step asks for `{command}`.", r.line)
            }
        }
        None => {
            if ko {
                format!("아직 {} 실행하지 않았습니다.", j(&format!("`{command}`"), "을/를"))
            } else {
                format!("You have not run `{command}` yet.")
            }
        }
    }
}

/// What stopped a request, from its trace: the rule that refused, dropped or reset it.
fn cause(c: &Cluster, t: &Trace, lang: Lang) -> String {
    let ko = lang == Lang::Ko;
    let place = |p: &Place| match p {
        Place::Node(n) => from_words(&format!("node/{n}"), lang),
        Place::Pod { name, .. } => from_words(&format!("pod/{name}"), lang),
        other => format!("`{}`", other.label()),
    };
    for h in &t.hops {
        match &h.rule {
            Rule::Reject { service, .. } => {
                let name = service.rsplit('/').next().unwrap_or(service);
                return if ko {
                    format!(
                        "{}의 kube-proxy가 거부했습니다. 서비스 `{name}`에 엔드포인트가 없기 때문입니다.",
                        place(&h.place)
                    )
                } else {
                    format!(
                        "kube-proxy on {} rejected it: Service `{name}` has no endpoints.",
                        place(&h.place)
                    )
                };
            }
            Rule::Drop { service: Some(svc), .. } => {
                let name = svc.rsplit('/').next().unwrap_or(svc);
                let local = c
                    .services
                    .get(&key("default", name))
                    .is_some_and(|s| s.spec.external_traffic_policy.as_deref() == Some("Local"));
                return match (ko, local) {
                    (true, true) => format!(
                        "{}의 kube-proxy가 버렸습니다. 서비스 `{name}`{} `externalTrafficPolicy: Local`이라 이 노드에 있는 엔드포인트로만 보내는데, 이 노드에는 엔드포인트가 없습니다.",
                        place(&h.place),
                        particle(name, "은/는")
                    ),
                    (true, false) => format!("{}의 kube-proxy가 서비스 `{name}`의 규칙으로 버렸습니다.", place(&h.place)),
                    (false, true) => format!(
                        "kube-proxy on {} dropped it: Service `{name}` has `externalTrafficPolicy: Local` and no endpoint on that node.",
                        place(&h.place)
                    ),
                    (false, false) => format!("kube-proxy on {} dropped it (Service `{name}`).", place(&h.place)),
                };
            }
            Rule::Drop { .. } => {
                return if ko {
                    format!("{}에서 패킷이 버려졌습니다.", place(&h.place))
                } else {
                    format!("The packet was dropped at {}.", place(&h.place))
                };
            }
            Rule::Reset { .. } => {
                let port = h.before.dst.port;
                return if ko {
                    format!(
                        "{}에서 {port}번 포트로 연결을 기다리는 프로그램이 없습니다.",
                        place(&h.place)
                    )
                } else {
                    format!("Nothing listens on port {port} at {}.", place(&h.place))
                };
            }
            _ => {}
        }
    }
    String::new()
}

/// What is wrong with the Service a request was meant for, when it has no endpoints or sends
/// to a port its pods do not listen on.
fn service_why(c: &Cluster, t: &Trace, url: &str, lang: Lang) -> String {
    // The Service: named by the URL, or the one whose rule acted.
    let by_rule = t.hops.iter().find_map(|h| match &h.rule {
        Rule::Dnat { service, .. } | Rule::Reject { service, .. } => Some(service.clone()),
        Rule::Drop { service: Some(s), .. } => Some(s.clone()),
        _ => None,
    });
    let by_url = crate::sim::tools::parse_url(url).ok().and_then(|(_, h, _, _)| {
        command::host_key(&h)
            .strip_suffix(".default.svc.cluster.local")
            .map(str::to_string)
    });
    let Some(name) = by_rule
        .map(|s| {
            s.rsplit('/')
                .next()
                .unwrap_or(&s)
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .or(by_url)
    else {
        return String::new();
    };
    if !c.services.contains_key(&key("default", &name)) {
        return if c.pods.is_empty() && name.is_empty() {
            String::new()
        } else {
            missing(c, "Service", &name, lang)
        };
    }
    if ready_endpoints(c, &name) == 0 {
        return endpoints_why(c, &name, 1, lang);
    }
    String::new()
}
