//! A learner's progress as a file, to carry between machines (a classroom's and home's): the
//! page's saved values, and an import that never loses work. Pure: the page hands it what its
//! storage holds and writes what it returns.

use crate::sim::value::Value;
use crate::sim::yaml;

const KIND: &str = "svclab-progress";
pub const FORMAT: i64 = 1;
/// The largest file read (what the YAML reader parses in one document).
pub const MAX_BYTES: usize = yaml::OVERSIZED;

/// Whether a stored key travels: the learner's own labs, lesson progress and marks, and the
/// tour; not a lab someone shared, nor the saves already set aside.
fn carried(key: &str) -> bool {
    key.strip_prefix("svclab:")
        .is_some_and(|k| !k.starts_with("kept:") && k != "shared" && !k.is_empty())
}

/// The file: `{"kind": "svclab-progress", "v": 1, "items": {KEY: VALUE, ...}}`.
pub fn export(items: &[(String, String)]) -> String {
    let items: Vec<(&str, Value)> = items
        .iter()
        .filter(|(k, _)| carried(k))
        .map(|(k, v)| (k.as_str(), Value::str(v.as_str())))
        .collect();
    Value::map(vec![
        ("kind", Value::str(KIND)),
        ("v", Value::Int(FORMAT)),
        ("items", Value::map(items)),
    ])
    .to_json()
}

/// What an import does: the values to write, the learner's values to set aside first (each
/// under `svclab:kept:`), and how many lessons and labs it brings.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    pub writes: Vec<(String, String)>,
    pub set_aside: Vec<(String, String)>,
    pub lessons: usize,
    pub labs: usize,
}

/// Plans the import of `text` over what storage holds (`current`). A lesson comes from the file
/// only when the file is further along in it (its progress, step mark and lab go together);
/// any other value the learner has and the file changes is set aside before it is written.
/// `Err` is the message key: `progress-big`, `progress-version`, `progress-bad`.
pub fn import(text: &str, current: impl Fn(&str) -> Option<String>) -> Result<Plan, &'static str> {
    if text.len() > MAX_BYTES {
        return Err("progress-big");
    }
    let (docs, err) = yaml::parse_stream(text);
    let file = match (docs.first(), err) {
        (Some(d), None) if docs.len() == 1 => &d.value,
        _ => return Err("progress-bad"),
    };
    if file.get("kind").and_then(Value::as_str) != Some(KIND) {
        return Err("progress-bad");
    }
    match file.get("v") {
        Some(Value::Int(FORMAT)) => {}
        Some(Value::Int(v)) if *v > FORMAT => return Err("progress-version"),
        _ => return Err("progress-bad"),
    }
    let Some(Value::Map(items)) = file.get("items") else {
        return Err("progress-bad");
    };
    let mut got: Vec<(&str, &str)> = Vec::new();
    for (k, v) in items {
        match v.as_str() {
            Some(v) if carried(k) => got.push((k, v)),
            Some(_) => {}
            None => return Err("progress-bad"),
        }
    }
    let value = |k: &str| got.iter().find(|(x, _)| *x == k).map(|(_, v)| *v);
    let steps = |v: Option<&str>| v.and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
    let mut plan = Plan::default();
    let take = |plan: &mut Plan, k: &str, v: &str| match current(k) {
        Some(old) if old == v => {}
        Some(old) => {
            plan.set_aside.push((k.to_string(), old));
            plan.writes.push((k.to_string(), v.to_string()));
        }
        None => plan.writes.push((k.to_string(), v.to_string())),
    };
    for (k, v) in &got {
        if let Some(id) = k.strip_prefix("svclab:progress:") {
            if steps(Some(v)) <= steps(current(k).as_deref()) {
                continue;
            }
            plan.lessons += 1;
            // The lesson's lab and the mark of its step go with its progress.
            for key in [
                k.to_string(),
                format!("svclab:mark:{id}"),
                format!("svclab:lesson:{id}"),
            ] {
                if let Some(v) = value(&key) {
                    take(&mut plan, &key, v);
                }
            }
        } else if k.starts_with("svclab:mark:") || k.starts_with("svclab:lesson:") {
            // With their lesson's progress above; a lab without progress comes if it is new.
            let id = k.split(':').nth(2).unwrap_or("");
            if value(&format!("svclab:progress:{id}")).is_none() && current(k).is_none() {
                plan.writes.push((k.to_string(), v.to_string()));
            }
        } else {
            if *k == "svclab:playground" && current(k).as_deref() != Some(*v) {
                plan.labs += 1;
            }
            take(&mut plan, k, v);
        }
    }
    plan.labs += plan
        .writes
        .iter()
        .filter(|(k, _)| k.starts_with("svclab:lesson:"))
        .count();
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(kv: &[(&str, &str)]) -> Vec<(String, String)> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_file_carries_the_learners_own_work_and_comes_back_whole() {
        let mine = items(&[
            ("svclab:playground", "{\"v\":2,\"seed\":1}"),
            ("svclab:progress:nodeport", "2"),
            ("svclab:mark:nodeport", "7"),
            ("svclab:lesson:nodeport", "{\"v\":2,\"files\":[\"a\\nb\"]}"),
            ("svclab:shared", "someone else's"),
            ("svclab:kept:playground", "set aside"),
            ("other:key", "x"),
        ]);
        let file = export(&mine);
        assert!(!file.contains("someone else's") && !file.contains("set aside") && !file.contains("other:key"));
        // Into an empty browser: everything the learner owns, as it was.
        let plan = import(&file, |_| None).unwrap();
        let mut want = mine[..4].to_vec();
        want.sort();
        let mut got = plan.writes.clone();
        got.sort();
        assert_eq!(got, want);
        assert_eq!((plan.lessons, plan.labs), (1, 2));
        assert!(plan.set_aside.is_empty());
    }

    #[test]
    fn the_further_lesson_wins_and_nothing_the_learner_has_is_lost() {
        let file = export(&items(&[
            ("svclab:progress:nodeport", "3"),
            ("svclab:mark:nodeport", "9"),
            ("svclab:lesson:nodeport", "home lab"),
            ("svclab:progress:clusterip", "1"),
            ("svclab:lesson:clusterip", "home clusterip"),
            ("svclab:playground", "home playground"),
        ]));
        let here = items(&[
            ("svclab:progress:nodeport", "1"),
            ("svclab:lesson:nodeport", "class lab"),
            ("svclab:progress:clusterip", "2"),
            ("svclab:lesson:clusterip", "class clusterip"),
            ("svclab:playground", "class playground"),
        ]);
        let current = |k: &str| here.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
        let plan = import(&file, current).unwrap();
        let wrote = |k: &str| plan.writes.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        // nodeport: the file is further along, so its lab and mark come too.
        assert_eq!(wrote("svclab:progress:nodeport"), Some("3"));
        assert_eq!(wrote("svclab:lesson:nodeport"), Some("home lab"));
        assert_eq!(wrote("svclab:mark:nodeport"), Some("9"));
        // clusterip: this browser is further along: untouched.
        assert_eq!(wrote("svclab:progress:clusterip"), None);
        assert_eq!(wrote("svclab:lesson:clusterip"), None);
        // What is replaced is set aside first.
        let aside: Vec<&str> = plan.set_aside.iter().map(|(_, v)| v.as_str()).collect();
        assert!(
            aside.contains(&"class lab") && aside.contains(&"class playground"),
            "{aside:?}"
        );
        assert!(!aside.contains(&"class clusterip"));
        assert_eq!((plan.lessons, plan.labs), (1, 2));
    }

    #[test]
    fn damaged_foreign_huge_and_newer_files_change_nothing() {
        let ok = export(&items(&[("svclab:progress:nodeport", "1")]));
        assert_eq!(
            import(&ok.replace("\"v\":1", "\"v\":2"), |_| None),
            Err("progress-version")
        );
        assert_eq!(import(&ok[..ok.len() / 2], |_| None), Err("progress-bad"));
        assert_eq!(
            import("{\"kind\":\"svclab-lab\",\"v\":1,\"items\":{}}", |_| None),
            Err("progress-bad")
        );
        assert_eq!(import("not json at all: [", |_| None), Err("progress-bad"));
        assert_eq!(import(&ok.replace("\"1\"", "1"), |_| None), Err("progress-bad"));
        assert_eq!(import(&" ".repeat(MAX_BYTES + 1), |_| None), Err("progress-big"));
        // Keys that are not the page's own are ignored, not written.
        let plan = import(
            "{\"kind\":\"svclab-progress\",\"v\":1,\"items\":{\"evil\":\"x\",\"svclab:kept:a\":\"y\"}}",
            |_| None,
        );
        assert_eq!(plan.map(|p| p.writes), Ok(Vec::new()));
    }
}
