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
