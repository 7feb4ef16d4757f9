//! Every lesson under `lessons/`: both languages present, every manifest valid, and each
//! step's goal failing before its solution and passing after it, in order.

use std::path::Path;

use svclab::i18n::Lang;
use svclab::lessons::{check, check_since, describe, load_dir, why_since, Goal, Lesson};
use svclab::session::Session;

fn lessons() -> Vec<Lesson> {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_lesson_passes_step_by_step_with_its_solutions() {
    let all = lessons();
    assert!(all.len() >= 4, "lessons found: {}", all.len());
    let mut ids: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "lesson ids are unique");
    for lesson in &all {
        // Every file the lesson gives the editor is a manifest the API server accepts.
        for (name, _) in &lesson.files {
            let mut s = lesson.start().unwrap();
            s.run(&format!("kubectl apply -f {name}"));
            let out = &s.transcript.last().unwrap().output;
            assert!(
                out.lines().all(|l| l.ends_with(" created") || l.starts_with("note:")),
                "{}: {name} does not apply cleanly:\n{out}",
                lesson.id
            );
        }
        let mut s = lesson.start().unwrap();
        for (i, step) in lesson.steps.iter().enumerate() {
            // The step opens: actions count from here.
            let mark = s.mark();
            let before: Vec<bool> = step.goals.iter().map(|g| check_since(g, &s, mark)).collect();
            assert!(
                before.iter().any(|ok| !ok),
                "{} step {}: the goal already holds before its solution: {:?}",
                lesson.id,
                i + 1,
                step.goals
            );
            // An unmet goal says why, in both languages.
            for (g, ok) in step.goals.iter().zip(&before) {
                for lang in [Lang::En, Lang::Ko] {
                    let why = why_since(g, &s, mark, lang);
                    assert_eq!(why.is_none(), *ok, "{} step {}: {g:?}: {why:?}", lesson.id, i + 1);
                    assert!(why.is_none_or(|w| !w.trim().is_empty()));
                }
            }
            for line in &step.solution {
                s.run(line);
            }
            for g in &step.goals {
                assert!(
                    check_since(g, &s, mark),
                    "{} step {}: goal {g:?} fails after the solution; terminal:\n{}",
                    lesson.id,
                    i + 1,
                    s.transcript
                        .iter()
                        .map(|t| format!("$ {}\n{}", t.command, t.output))
                        .collect::<String>()
                );
            }
        }
    }
}

fn files(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

const STEP: &str = "steps:\n  - text: {en: a, ko: 가}\n    goal:\n      - exists: {kind: Service, name: x}\n    hint: \
    {en: b, ko: 나}\n    solution: [kubectl apply -f x.yml]\n";

#[test]
fn a_missing_translation_or_file_is_an_error() {
    let ok = files(&[
        (
            "lesson.yaml",
            &format!("id: x\ntitle: {{en: T, ko: 제목}}\nfiles: [x.yml]\n{STEP}"),
        ),
        ("intro.en.md", "Hi"),
        ("intro.ko.md", "안녕"),
        (
            "x.yml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 80}]}\n",
        ),
    ]);
    assert!(Lesson::parse("x", &ok).is_ok());
    let no_ko_title = files(&[
        (
            "lesson.yaml",
            &format!("id: x\ntitle: {{en: T}}\nfiles: [x.yml]\n{STEP}"),
        ),
        ("intro.en.md", "Hi"),
        ("intro.ko.md", "안녕"),
        ("x.yml", ""),
    ]);
    assert_eq!(
        Lesson::parse("x", &no_ko_title).unwrap_err(),
        "x title: no Korean text (ko)"
    );
    let no_ko_intro = files(&[
        ("lesson.yaml", &format!("id: x\ntitle: {{en: T, ko: 제목}}\n{STEP}")),
        ("intro.en.md", "Hi"),
    ]);
    assert_eq!(Lesson::parse("x", &no_ko_intro).unwrap_err(), "x: no intro.ko.md");
    let missing_file = files(&[
        (
            "lesson.yaml",
            &format!("id: x\ntitle: {{en: T, ko: 제목}}\nfiles: [y.yml]\n{STEP}"),
        ),
        ("intro.en.md", "Hi"),
        ("intro.ko.md", "안녕"),
    ]);
    assert_eq!(
        Lesson::parse("x", &missing_file).unwrap_err(),
        "x: file y.yml is listed but missing"
    );
    let bad_rule = files(&[
        (
            "lesson.yaml",
            "id: x\ntitle: {en: T, ko: 제목}\nsteps:\n  - text: {en: a, ko: \
        가}\n    goal: [trace: DNATT]\n    hint: {en: b, ko: 나}\n    solution: [ls]\n",
        ),
        ("intro.en.md", "Hi"),
        ("intro.ko.md", "안녕"),
    ]);
    assert!(Lesson::parse("x", &bad_rule)
        .unwrap_err()
        .contains("unknown rule `DNATT`"));
}

#[test]
fn a_broken_manifest_fails_the_clean_apply_check() {
    let l = Lesson::parse(
        "x",
        &files(&[
            (
                "lesson.yaml",
                &format!("id: x\ntitle: {{en: T, ko: 제목}}\nfiles: [x.yml]\n{STEP}"),
            ),
            ("intro.en.md", "Hi"),
            ("intro.ko.md", "안녕"),
            (
                "x.yml",
                "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n\tports: []\n",
            ),
        ]),
    )
    .unwrap();
    let mut s = l.start().unwrap();
    s.run("kubectl apply -f x.yml");
    let out = &s.transcript.last().unwrap().output;
    assert!(!out.lines().all(|l| l.ends_with(" created")), "{out}");
}

#[test]
fn the_index_the_page_fetches_by_matches_the_folders() {
    let all = lessons();
    let index: Vec<&str> = svclab::lessons::LESSON_INDEX.iter().map(|(_, id, _)| *id).collect();
    let ordered: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(index, ordered, "folders are named in the lessons' order");
    for (folder, id, files) in svclab::lessons::LESSON_INDEX {
        let yaml = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("lessons")
                .join(folder)
                .join("lesson.yaml"),
        )
        .unwrap();
        let s = svclab::lessons::summary(folder, &yaml).unwrap();
        assert_eq!(s.id, *id);
        assert!(files.contains(&"lesson.yaml") && files.contains(&"intro.en.md") && files.contains(&"intro.ko.md"));
    }
}

fn lesson(id: &str) -> Lesson {
    lessons()
        .into_iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

/// A session with the lesson's first `n` steps solved.
fn after_steps(l: &Lesson, n: usize) -> Session {
    let mut s = l.start().unwrap();
    for step in &l.steps[..n] {
        for line in &step.solution {
            s.run(line);
        }
    }
    s
}

fn step_done(l: &Lesson, i: usize, s: &Session, mark: u64) -> bool {
    l.steps[i].goals.iter().all(|g| check_since(g, s, mark))
}

#[test]
fn a_failed_command_does_not_pass_a_ran_step() {
    let l = lesson("why-services");
    let mut s = after_steps(&l, 1);
    let mark = s.mark();
    s.run("kubectl delete pod no-such-pod");
    assert!(s.ran.last().is_some_and(|r| r.code != 0));
    let ran = &l.steps[1].goals[0];
    assert!(matches!(ran, Goal::Ran { .. }));
    assert!(!check_since(ran, &s, mark));
    let why = why_since(ran, &s, mark, Lang::En).unwrap();
    assert!(why.contains("failed") && why.contains("no-such-pod"), "{why}");
    let why_ko = why_since(ran, &s, mark, Lang::Ko).unwrap();
    assert!(why_ko.contains("실패했습니다"), "{why_ko}");
    s.run("kubectl delete po -l app.kubernetes.io/name=web-deploy");
    assert!(check_since(ran, &s, mark));

    // Typing the header as a command is "command not found", not a request with that header.
    let l = lesson("externalname");
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("Host: www.google.com");
    s.run("kubectl exec nginx01 -- curl -s web-service-externalname");
    assert!(!step_done(&l, 2, &s, mark));
    let why = why_since(&l.steps[2].goals[0], &s, mark, Lang::En).unwrap();
    assert!(why.contains("`Host: www.google.com`"), "{why}");
}

#[test]
fn a_command_in_a_pipe_or_list_is_judged_by_its_own_exit_status() {
    let l = lesson("loadbalancer");
    let ran = &l.steps[0].goals[2];
    assert!(matches!(ran, Goal::Ran { .. }));
    let mut s = l.start().unwrap();
    s.run("kubectl apply -f deploy-test01.yml -f service-lb-pending.yml");
    // kubectl failed, or never ran: what the rest of the line did does not count for it.
    for line in [
        "kubectl get svc nope | grep x",
        "kubectl get svc nope | cat",
        "kubectl get svc nope; true",
        "true || kubectl get svc",
        "false && kubectl get svc",
        "sh -c 'kubectl get svc nope | cat'",
    ] {
        let mark = s.mark();
        s.run(line);
        assert!(!check_since(ran, &s, mark), "{line}");
    }
    let mark = s.mark();
    s.run("kubectl get svc nope | cat");
    assert_eq!(s.ran.last().map(|r| r.code), Some(0), "the pipe's status is cat's");
    let why = why_since(ran, &s, mark, Lang::En).unwrap();
    assert!(why.contains("failed (exit status 1)"), "{why}");
    // kubectl succeeded: grep finding nothing (status 1) or a later failure does not undo it.
    for line in [
        "kubectl get svc | grep no-such-service",
        "kubectl get svc; false",
        "! kubectl get svc",
        "for i in 1 2; do kubectl get svc; done | grep -c nothing",
        "SVCS=$(kubectl get svc -o name); false",
        "sh -c 'kubectl get svc | grep no-such-service'",
    ] {
        let mark = s.mark();
        s.run(line);
        assert_ne!(s.ran.last().map(|r| r.code), Some(0), "{line}");
        assert!(check_since(ran, &s, mark), "{line}");
    }
}

#[test]
fn short_names_aliases_and_reordered_flags_pass() {
    let l = lesson("why-services");
    for line in [
        "kubectl get po -owide",
        "k get --output=wide pod",
        "kubectl get pods -n default -o=wide",
    ] {
        let mut s = l.start().unwrap();
        s.run("kubectl apply -f deploy-test01.yml");
        s.run("sleep 20");
        let mark = s.mark();
        assert!(!step_done(&l, 0, &s, mark));
        s.run(line);
        assert!(step_done(&l, 0, &s, mark), "{line}");
    }
    let l = lesson("clusterip");
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("kubectl get ep web-service");
    s.run("kubectl delete -f nginx-test01.yml -f service-test01.yml -f deploy-test01.yml");
    assert!(step_done(&l, 2, &s, mark));

    let l = lesson("imperative");
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("kubectl get endpointslice -l kubernetes.io/service-name=web");
    s.run("kubectl apply -f client.yml");
    s.run("sleep 20");
    s.run("kubectl exec -it client -- sh -c 'wget -qO- http://web.default.svc.cluster.local'");
    assert!(step_done(&l, 2, &s, mark));

    // Header names are case-insensitive; a shell in the pod counts as the pod.
    let l = lesson("externalname");
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("kubectl exec -it nginx01 -- /bin/bash");
    s.run("curl -s -o /dev/null -H 'host: www.google.com' web-service-externalname");
    assert!(step_done(&l, 2, &s, mark));
}

#[test]
fn a_request_goal_is_unmet_until_the_learner_sends_it() {
    let l = lesson("nodeport");
    let mut s = after_steps(&l, 1);
    let mark = s.mark();
    // The lab would answer 200 on both ports; the learner has sent nothing yet.
    let state = svclab::lessons::Goal::Request {
        from: "pc".into(),
        url: "http://127.0.0.1:31051".into(),
        outcome: "200".into(),
    };
    assert!(check(&state, &s));
    for g in &l.steps[1].goals {
        assert!(!check_since(g, &s, mark), "{g:?}");
    }
    // One of the two ports is not both.
    s.run("host curl -s http://127.0.0.1:31051");
    let held: Vec<bool> = l.steps[1].goals.iter().map(|g| check_since(g, &s, mark)).collect();
    assert_eq!(held, [true, false, true]);
    s.run("host curl -s http://localhost:31061/");
    assert!(step_done(&l, 1, &s, mark));

    // A request from the wrong place does not count, and the reason says so.
    let l = lesson("clusterip");
    let mut s = after_steps(&l, 1);
    let mark = s.mark();
    s.run("kubectl apply -f nginx-test01.yml");
    s.run("sleep 15");
    s.run("curl -s web-service");
    assert!(!check_since(&l.steps[1].goals[0], &s, mark));
    s.run("kubectl exec nginx01 -- curl -s http://web-service.default.svc.cluster.local/");
    assert!(step_done(&l, 1, &s, mark));
}

#[test]
fn balancing_sends_from_the_pc_reach_all_three_pods() {
    let l = lesson("balancing");
    let mut s = after_steps(&l, 1);
    let mark = s.mark();
    let traces = s.send("http://127.0.0.1:31051", 20);
    assert_eq!(traces.len(), 20);
    let mut pods: Vec<String> = traces
        .iter()
        .filter_map(|t| match &t.outcome {
            svclab::sim::net::Outcome::Response(r) if r.status == 200 => r.body.lines().last().map(String::from),
            _ => None,
        })
        .collect();
    assert_eq!(pods.len(), 20, "every request from the PC gets an answer");
    pods.sort();
    pods.dedup();
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(check_since(&l.steps[1].goals[1], &s, mark));
    assert!(!check_since(&l.steps[1].goals[0], &s, mark));
}

#[test]
fn a_typo_or_a_skipped_step_does_not_pass() {
    // Made without --port: the step stays open and says why.
    let l = lesson("imperative");
    let mut s = l.start().unwrap();
    let mark = s.mark();
    s.run("kubectl create deployment web --image=nginx:1.27 --replicas=3");
    s.run("sleep 30");
    assert!(!step_done(&l, 0, &s, mark));
    let why = why_since(&l.steps[0].goals[0], &s, mark, Lang::En).unwrap();
    assert!(why.contains("containerPort"), "{why}");
    // A misspelt image: the pods never get ready, and the reason names the image.
    let mut s = l.start().unwrap();
    let mark = s.mark();
    s.run("kubectl create deployment web --image=ngnix:1.27 --replicas=3 --port=80");
    s.run("sleep 30");
    assert!(!step_done(&l, 0, &s, mark));
    let why = why_since(&l.steps[0].goals[1], &s, mark, Lang::Ko).unwrap();
    assert!(why.contains("이미지 `ngnix:1.27`을 받을 수 없습니다"), "{why}");

    // A selector with a typo: no endpoints, and the reason names both labels.
    let l = lesson("no-endpoints");
    let mut s = after_steps(&l, 1);
    let mark = s.mark();
    s.run("kubectl apply -f service.yml");
    assert!(!step_done(&l, 1, &s, mark));
    let why = why_since(&l.steps[1].goals[0], &s, mark, Lang::En).unwrap();
    assert!(why.contains("app=wbe") && why.contains("app=web"), "{why}");
    let why = why_since(&l.steps[1].goals[0], &s, mark, Lang::Ko).unwrap();
    assert!(why.contains("셀렉터 `app=wbe`에 맞는 파드가 없습니다"), "{why}");

    // The wrong targetPort: the PC's request is reset, and the reason says where.
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("host curl -s http://127.0.0.1:31051");
    let why = why_since(&l.steps[2].goals[1], &s, mark, Lang::En).unwrap();
    assert!(why.contains("connection reset") && why.contains("port 8080"), "{why}");

    // Skipping the first step: the second cannot pass.
    let l = lesson("why-services");
    let mut s = l.start().unwrap();
    let mark = s.mark();
    for line in &l.steps[1].solution {
        s.run(line);
    }
    assert!(!step_done(&l, 1, &s, mark));

    // A goal on an action counts only actions made after the step opened.
    let l = lesson("local-traffic");
    let s = after_steps(&l, 1);
    let mark = s.mark();
    assert!(check(&l.steps[1].goals[0], &s), "step 1 already dropped a request");
    assert!(!check_since(&l.steps[1].goals[0], &s, mark));
}

/// Code spans removed: what a Korean line says in its own words.
fn prose(line: &str) -> String {
    line.split('`').step_by(2).collect()
}

#[test]
fn korean_goal_lines_are_korean_with_the_right_particles() {
    let mut goals: Vec<Goal> = lessons()
        .iter()
        .flat_map(|l| l.steps.iter().flat_map(|s| s.goals.clone()))
        .collect();
    goals.extend([
        Goal::Request {
            from: "node/myserver02".into(),
            url: "http://10.96.0.10:53".into(),
            outcome: "not-http".into(),
        },
        Goal::Request {
            from: "pod/client".into(),
            url: "http://web".into(),
            outcome: "unresolved".into(),
        },
        Goal::Sent {
            from: "any".into(),
            url: "http://web".into(),
            host: None,
            outcome: None,
            count: 1,
        },
        Goal::Exists {
            kind: "rs".into(),
            name: "web-1".into(),
        },
    ]);
    for g in &goals {
        let ko = describe(g, Lang::Ko);
        let words = prose(&ko).replace("PC", "").replace("HTTP", "");
        assert!(
            !words.chars().any(|c| c.is_ascii_alphabetic()),
            "English left in a Korean goal line: {ko}"
        );
        assert!(
            !ko.contains("(가)") && !ko.contains("(를)") && !ko.contains("(으)"),
            "{ko}"
        );
    }
    let exists = |kind: &str, name: &str| Goal::Exists {
        kind: kind.into(),
        name: name.into(),
    };
    assert_eq!(describe(&exists("svc", "web"), Lang::Ko), "서비스 `web`이 있다");
    assert_eq!(
        describe(&exists("Service", "web-service"), Lang::Ko),
        "서비스 `web-service`가 있다"
    );
    assert_eq!(
        describe(
            &Goal::Absent {
                kind: "po".into(),
                name: "nginx01".into()
            },
            Lang::Ko
        ),
        "파드 `nginx01`이 없다"
    );
    assert_eq!(
        describe(
            &Goal::Ran {
                command: "kubectl get endpoints".into(),
                also: vec![]
            },
            Lang::Ko
        ),
        "`kubectl get endpoints`를 실행해 성공했다"
    );
    let sent = Goal::Sent {
        from: "pc".into(),
        url: "http://127.0.0.1:31051".into(),
        host: None,
        outcome: Some("200".into()),
        count: 1,
    };
    assert_eq!(
        describe(&sent, Lang::Ko),
        "내 PC에서 `http://127.0.0.1:31051`로 요청을 보내 200 응답을 받았다"
    );
    let field = Goal::Field {
        kind: "Service".into(),
        name: "web".into(),
        path: "spec.type".into(),
        equals: "NodePort".into(),
    };
    assert_eq!(describe(&field, Lang::Ko), "서비스 `web`의 `spec.type`이 `NodePort`다");
}

#[test]
fn old_goal_texts_still_load_and_match_as_text() {
    let l = Lesson::parse(
        "x",
        &files(&[
            (
                "lesson.yaml",
                "id: x\ntitle: {en: T, ko: 제목}\nsteps:\n  - text: {en: a, ko: 가}\n    goal:\n      - ran: \
                \"31061\"\n      - request: {from: pc, url: \"http://127.0.0.1:31051\", outcome: reset}\n    hint: \
                {en: b, ko: 나}\n    solution: [ls]\n",
            ),
            ("intro.en.md", "Hi"),
            ("intro.ko.md", "안녕"),
        ]),
    )
    .unwrap();
    let mut s = l.start().unwrap();
    let ran = &l.steps[0].goals[0];
    s.run("echo 31061x");
    assert!(check(ran, &s));
    let mut s = l.start().unwrap();
    s.run("31061");
    assert!(!check(ran, &s), "a command that failed");
    let bad = Lesson::parse(
        "x",
        &files(&[
            (
                "lesson.yaml",
                "id: x\ntitle: {en: T, ko: 제목}\nsteps:\n  - text: {en: a, ko: 가}\n    goal:\n      - sent: {from: \
                pc, url: \"http://x\", outcome: refsued}\n    hint: {en: b, ko: 나}\n    solution: [ls]\n",
            ),
            ("intro.en.md", "Hi"),
            ("intro.ko.md", "안녕"),
        ]),
    );
    assert!(bad.unwrap_err().contains("unknown outcome `refsued`"));
}

#[test]
fn every_ran_goal_of_the_lessons_names_a_command() {
    for l in lessons() {
        for step in &l.steps {
            for g in &step.goals {
                if let Goal::Ran { command, also } = g {
                    for c in std::iter::once(command).chain(also) {
                        assert!(
                            svclab::command::pattern(c).is_some(),
                            "{}: `{c}` is matched as text",
                            l.id
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn ready_or_not_explains_the_failing_probe_and_passes_only_after_the_fix() {
    let l = lesson("ready-or-not");
    let s = after_steps(&l, 2);
    let mark = s.mark();
    // Before the fix: the pods run, but the probe keeps them out of the Service.
    assert!(!step_done(&l, 2, &s, mark));
    let endpoints = l.steps[2]
        .goals
        .iter()
        .find(|g| matches!(g, Goal::Endpoints { .. }))
        .unwrap();
    let why = why_since(endpoints, &s, mark, Lang::En).unwrap();
    assert!(
        why.contains("readiness probe fails") && why.contains("HTTP probe failed with statuscode: 404"),
        "{why}"
    );
    let why = why_since(endpoints, &s, mark, Lang::Ko).unwrap();
    assert!(why.contains("레디니스 프로브가 실패합니다"), "{why}");
    // Pointing the probe at another missing page does not pass either.
    let mut s = after_steps(&l, 2);
    let mark = s.mark();
    s.run("kubectl apply -f deploy.yml");
    s.run("sleep 20");
    s.run("host curl -s http://127.0.0.1:31051");
    assert!(!step_done(&l, 2, &s, mark));
}
