//! `kubectl edit`: the live object as YAML in a file of the page's editor, and what saving it
//! does, as kubectl's edit loop does: unchanged or empty cancels, a syntax error or an invalid
//! object reopens the file with the failures at its top, a second save without a change gives
//! up and keeps the file. A script has no editor, and says so.

use super::apierror::{ApiError, CmdError};
use super::kinds::KindInfo;
use super::kubectl::parse;
use super::shell::{Output, Shell};
use super::value::Value;

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n\
# and an empty file will abort the edit. If an error occurs while saving this file will be\n\
# reopened with the relevant failures.\n\
#\n";

/// An edit in progress: the file the page's editor shows, and the object it came from.
pub struct Edit {
    /// The temporary file's name (`/tmp/kubectl-edit-NNN.yaml`), as kubectl names it.
    pub file: String,
    /// What the file holds as kubectl (re)opens it: the page's editor shows this.
    pub text: String,
    info: &'static KindInfo,
    ns: String,
    name: String,
    /// The object as first opened.
    original: Value,
    /// The text saved last, when saving it failed (kubectl then reopens the file).
    failed: Option<String>,
}

/// The edited text as kubectl compares it: the first document's value, or, when it does not
/// parse, its lines without comments.
fn norm(text: &str) -> Result<Value, String> {
    match super::yaml::parse_stream(text) {
        (docs, None) => Ok(docs.into_iter().next().map_or(Value::Null, |d| d.value)),
        _ => Err(strip(text)),
    }
}

/// The lines that are not comments.
fn strip(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| [l, "\n"])
        .collect()
}

/// A JSON merge patch that turns `a` into `b`; `None` when they are the same.
fn diff(a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Map(am), Value::Map(bm)) => {
            let mut out = Vec::new();
            for (k, bv) in bm {
                match am.iter().find(|(ak, _)| ak == k) {
                    Some((_, av)) => out.extend(diff(av, bv).map(|d| (k.clone(), d))),
                    None => out.push((k.clone(), bv.clone())),
                }
            }
            for (k, _) in am.iter().filter(|(k, _)| !bm.iter().any(|(bk, _)| bk == k)) {
                out.push((k.clone(), Value::Null));
            }
            (!out.is_empty()).then_some(Value::Map(out))
        }
        _ => (a != b).then(|| b.clone()),
    }
}

impl Shell {
    pub(super) fn k_edit(&mut self, args: &[String]) -> Output {
        let p = match parse(
            "edit",
            args,
            &[
                ("o", "output", true),
                ("f", "filename", true),
                ("", "output-patch", false),
                ("", "save-config", false),
                ("", "validate", true),
                ("", "show-managed-fields", false),
                ("", "windows-line-endings", false),
                ("", "field-manager", true),
                ("", "subresource", true),
            ],
        ) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if !self.live || !self.stdout_tty || self.background {
            return Output::err(
                "svclab: kubectl edit opens the object in an editor, which the page has and a script does not: \
                 in a script, change it with kubectl patch, or edit its manifest and kubectl apply -f it\n",
                1,
            );
        }
        if p.get("filename").is_some() || p.get("output").is_some_and(|o| o != "yaml") {
            return Output::err(
                "svclab: this lab edits objects by name, as YAML: kubectl edit TYPE NAME\n",
                1,
            );
        }
        let targets = match self.targets(&p.pos) {
            Ok(t) => t,
            Err(e) => return e,
        };
        let (info, name) = match targets.as_slice() {
            [(info, Some(name))] => (*info, name.clone()),
            [] => {
                return Output::err(
                    "error: You must provide one or more resources by argument or filename.\n\
                     Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   \
                     '<resource> <name>'\n   '<resource>'\n",
                    1,
                )
            }
            _ => {
                return Output::err(
                    "svclab: this lab edits one object at a time: kubectl edit TYPE NAME\n",
                    1,
                )
            }
        };
        let (ns, original) = match self.live(info, &p, &name) {
            Ok(x) => x,
            Err(e) => return e,
        };
        if !super::patch::patchable(info) {
            return Output::err(
                format!("svclab: this lab stores {} objects but does not edit them\n", info.kind),
                1,
            );
        }
        // os.CreateTemp's random part, drawn from the object and the time so nothing else moves.
        let mut h: u32 = 2_166_136_261;
        for b in format!("{}/{ns}/{name}/{}", info.kind, self.cluster.now).bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
        self.editing = Some(Box::new(Edit {
            file: format!("/tmp/kubectl-edit-{h}.yaml"),
            text: format!("{HEADER}{}", original.to_yaml()),
            info,
            ns,
            name,
            original,
            failed: None,
        }));
        Output::ok("")
    }

    /// Closes the editor of the edit in progress: `saved` is the file's text when the learner
    /// saved it, `None` when they left without saving. The edit either ends (`editing` is then
    /// `None`) or reopens with the failures at the top of `editing.text`.
    pub fn finish_edit(&mut self, saved: Option<&str>) -> Output {
        let Some(e) = self.editing.take() else {
            return Output::ok("");
        };
        let text = saved.unwrap_or(&e.text).to_string();
        let edited = norm(&text);
        if e.failed.as_deref().is_some_and(|f| norm(f) == edited) {
            return Output::err(
                format!(
                    "A copy of your changes has been stored to \"{}\"\nerror: Edit cancelled, no valid changes were saved.\n",
                    e.file
                ),
                1,
            );
        }
        if edited == Ok(e.original.clone()) {
            return Output::ok("Edit cancelled, no changes made.\n");
        }
        if strip(&text).trim().is_empty() {
            return Output::ok("Edit cancelled, saved file was empty.\n");
        }
        let printed = format!("{}/{}", e.info.qualified(), e.name);
        let value = match edited {
            Ok(v) => v,
            Err(_) => {
                let why = super::yaml::parse_stream(&text)
                    .1
                    .map(|s| s.message)
                    .unwrap_or_default();
                let reason = format!("The edited file had a syntax error: error converting YAML to JSON: {why}");
                return self.reopen(e, text, reason, String::new());
            }
        };
        let same = |k: &str| value.get(k) == e.original.get(k);
        let name_of = |v: &Value| v.get("metadata").and_then(|m| m.get("name")).cloned();
        if !same("apiVersion") || !same("kind") || name_of(&value) != name_of(&e.original) {
            return Output::err("error: At least one of apiVersion, kind and name was changed\n", 1);
        }
        let Some(mut patch) = diff(&e.original, &value) else {
            return Output::ok(format!("{printed} skipped\n"));
        };
        // The object's status is its own subresource: the server ignores it here.
        if let Value::Map(m) = &mut patch {
            m.retain(|(k, _)| k != "status");
        }
        let (resource, name) = (e.info.resource(), e.name.clone());
        let Some(mut new) = self.cluster.object_value(e.info.kind, &e.ns, &name) else {
            return Output::err(
                format!(
                    "error: {resource} \"{name}\" could not be found on the server\nThe edits you made on deleted \
                     resources have been saved to \"{}\"\n",
                    e.file
                ),
                1,
            );
        };
        super::patch::merge(&mut new, &patch, false, &mut Vec::new());
        match self.cluster.replace_object(&new, &e.ns) {
            Ok(()) => {
                self.cluster.reconcile();
                Output::ok(format!("{printed} edited\n"))
            }
            Err(CmdError::Api {
                err: ApiError::Invalid { causes, .. },
                ..
            }) => {
                let mut reason = format!("{resource} \"{name}\" was not valid:");
                for c in &causes {
                    reason.push_str(&format!("\n# * {}", c.message()));
                }
                self.reopen(e, text, reason, format!("error: {resource} \"{name}\" is invalid\n"))
            }
            Err(CmdError::Api { err, .. }) => Output::err(
                format!(
                    "error: {resource} \"{name}\" could not be patched: {}\nYou can run `kubectl replace -f {}` \
                     to try this update again.\n",
                    err.message(),
                    e.file
                ),
                1,
            ),
            Err(CmdError::Client(m)) => Output::err(format!("{m}\n"), 1),
        }
    }

    /// Opens the file again with why saving failed at its top and the learner's text below.
    fn reopen(&mut self, mut e: Box<Edit>, text: String, reason: String, told: String) -> Output {
        e.text = format!("{HEADER}# {reason}\n#\n{}", strip(&text));
        e.failed = Some(text);
        self.editing = Some(e);
        Output::err(told, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        super::super::yaml::parse_stream(s).0.remove(0).value
    }

    #[test]
    fn merge_patch_diff() {
        let a = v("a: 1\nb: {c: 2, d: 3}\nl: [1, 2]\n");
        let b = v("a: 1\nb: {c: 5}\nl: [1]\ne: x\n");
        assert_eq!(diff(&a, &b), Some(v("b: {c: 5, d: null}\nl: [1]\ne: x\n")));
        assert_eq!(diff(&a, &a), None);
    }

    #[test]
    fn comments_and_formatting_are_not_changes() {
        assert_eq!(norm("# x\na:   1\n"), norm("a: 1\n"));
        assert_eq!(norm("a: [\n# x\n"), Err("a: [\n".into()));
    }
}
