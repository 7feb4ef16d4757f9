//! svclab: a deterministic simulation of a kubeadm lab cluster and its Services.
//!
//! `sim` is the whole simulation: manifests, the API server, controllers, kube-proxy's data
//! plane, cluster DNS, kubectl and the shells a learner types into. It has no web dependency;
//! the browser front end (compiled for wasm32 only) renders what `sim` computes.

pub mod command;
pub mod grading;
pub mod hopwords;
pub mod i18n;
pub mod layout;
pub mod lessons;
pub mod markdown;
pub mod packets;
pub mod progress;
pub mod session;
pub mod share;
pub mod sim;

#[cfg(target_arch = "wasm32")]
pub mod ui;

pub mod script;
