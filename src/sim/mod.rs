//! The simulation core: pure, deterministic, no web dependency.

pub mod rng;
pub mod order;
pub mod value;
pub mod yaml;
pub mod decode;
pub mod kinds;
pub mod objects;
pub mod apierror;
pub mod version;
pub mod validation;
pub mod apiserver;
pub mod clock;
pub mod cluster;
pub mod store;
pub mod map;
pub mod controllers;
pub mod images;
pub mod lab;
pub mod serialize;
pub mod apps;
pub mod net;
pub mod tabwriter;
pub mod printers;
pub mod kubectl;
pub mod shell;
pub mod tools;
