//! `kubectl run -i -t [--rm]` and `kubectl attach`: kubectl waits for the pod to run, the
//! terminal enters its shell, and leaving the shell ends the container's process (the pod
//! completes, restarts, or with `--rm` is deleted).

use super::apierror::render_errors;
use super::apiserver::Mode;
use super::cluster::{key, Key};
use super::images;
use super::objects::ContainerState;
use super::shell::{Output, Session, Shell};
use super::value::Value;

/// A pod shell the terminal is attached to through kubectl.
#[derive(Clone, Debug, PartialEq)]
pub struct Attached {
    /// The session depth of the pod's shell.
    pub depth: usize,
    pub pod: Key,
    pub container: String,
    /// `--rm`: delete the pod when the session ends.
    pub remove: bool,
}

/// How long kubectl waits for the pod (`--pod-running-timeout`).
const POD_RUNNING_TIMEOUT: i64 = 60;

const PROMPT_HINT: &str = "If you don't see a command prompt, try pressing enter.\n";

impl Shell {
    /// The shell a container's main process is: the image's shell when it runs nothing else.
    fn main_shell(&self, pod: &Key, container: &str) -> Option<String> {
        let p = self.cluster.pods.get(pod)?;
        let c = p.spec.containers.iter().find(|c| c.name == container)?;
        let words: Vec<&String> = c.command.iter().chain(&c.args).collect();
        if let [w] = words.as_slice() {
            return images::has_shell(c, w).then(|| w.to_string());
        }
        if !words.is_empty() {
            return None;
        }
        let img = images::of(c)?;
        (img.app == images::App::Nothing).then(|| {
            if img.shells.contains(&"/bin/bash")
                && !img.shells.contains(&"ash")
                && img.repo != "busybox"
                && img.repo != "alpine"
            {
                "bash".to_string()
            } else {
                "sh".to_string()
            }
        })
    }

    /// `kubectl run NAME -i [-t] [--rm] --image=...`: creates the pod, waits for it and enters
    /// its shell.
    pub(super) fn run_attached(&mut self, doc: Value, ns: &str, tty: bool, remove: bool) -> Output {
        let name = doc
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Err(e) = self.cluster.submit(&doc, "STDIN", Mode::Create, ns) {
            return Output::err(render_errors(&[e]), 1);
        }
        self.cluster.reconcile();
        let k = key(ns, &name);
        let mut waited = 0;
        loop {
            let Some(p) = self.cluster.pods.get(&k) else {
                return Output::err(format!("Error from server (NotFound): pods \"{name}\" not found\n"), 1);
            };
            if p.status.phase == "Running" && p.status.ready {
                break;
            }
            if p.status.phase == "Succeeded" || p.status.phase == "Failed" {
                return Output::ok(String::new());
            }
            if waited >= POD_RUNNING_TIMEOUT {
                return Output::err("error: timed out waiting for the condition\n", 1);
            }
            self.cluster.advance(1);
            waited += 1;
        }
        let Some(shell) = self.main_shell(&k, &name) else {
            let mut text = format!(
                "error: this lab attaches to a container's shell only; pod/{name} runs its image's own \
                 process (kubectl logs {name} shows what it prints)\n"
            );
            if remove {
                let o = self.kubectl(&["delete".into(), "pod".into(), name.clone(), "-n".into(), ns.to_string()]);
                text.push_str(&o.text);
            }
            return Output::err(text, 1);
        };
        self.sessions.push(Session::Pod {
            pod: k.clone(),
            container: name.clone(),
            shell,
        });
        self.attached.push(Attached {
            depth: self.sessions.len(),
            pod: k,
            container: name,
            remove,
        });
        Output::ok(if tty { PROMPT_HINT } else { "" })
    }

    /// `kubectl attach POD -i -t`: enters the shell of a running pod started with stdin.
    pub(super) fn k_attach(&mut self, ns: &str, name: &str, container: Option<&str>, interactive: bool) -> Output {
        let k = key(ns, name);
        let Some(p) = self.cluster.pods.get(&k) else {
            return Output::err(format!("Error from server (NotFound): pods \"{name}\" not found\n"), 1);
        };
        let c = container.map_or_else(
            || p.spec.containers.first().map(|c| c.name.clone()).unwrap_or_default(),
            str::to_string,
        );
        if p.status.phase == "Succeeded" || p.status.phase == "Failed" {
            return Output::err(
                format!(
                    "error: cannot attach a container in a completed pod; current phase is {}\n",
                    p.status.phase
                ),
                1,
            );
        }
        if !matches!(p.status.state, ContainerState::Running { .. }) {
            return Output::err(format!("error: pod {name} is not running\n"), 1);
        }
        let stdin = p.spec.containers.iter().any(|x| x.name == c && x.stdin);
        match self.main_shell(&k, &c) {
            Some(shell) if stdin && interactive => {
                self.sessions.push(Session::Pod {
                    pod: k.clone(),
                    container: c.clone(),
                    shell,
                });
                self.attached.push(Attached {
                    depth: self.sessions.len(),
                    pod: k,
                    container: c,
                    remove: false,
                });
                Output::ok(PROMPT_HINT)
            }
            _ => Output::err(
                format!(
                    "error: this lab attaches to a shell started with -i -t (kubectl run NAME -it --image=busybox); \
                     kubectl logs {name} shows what pod/{name} prints\n"
                ),
                1,
            ),
        }
    }

    /// The shell of an attached session exited: its container's process ends.
    pub(super) fn end_attach(&mut self, depth: usize) -> String {
        let Some(i) = self.attached.iter().position(|a| a.depth == depth) else {
            return String::new();
        };
        let a = self.attached.remove(i);
        let now = self.cluster.now;
        let mut out = String::new();
        let mut always = false;
        if let Some(p) = self.cluster.pods.get_mut(&a.pod) {
            let policy = p.spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
            always = policy == "Always";
            super::controllers::exited(p, &policy, now);
        }
        if always && !a.remove {
            out.push_str(&format!(
                "Session ended, resume using 'kubectl attach {} -c {} -i -t' command when the pod is running\n",
                a.pod.1, a.container
            ));
        }
        if a.remove {
            let o = self.kubectl(&[
                "delete".into(),
                "pod".into(),
                a.pod.1.clone(),
                "-n".into(),
                a.pod.0.clone(),
            ]);
            out.push_str(&o.text);
        }
        out
    }
}
