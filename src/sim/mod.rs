//! The simulation core: pure, deterministic, no web dependency.

pub mod apierror;
pub mod apiserver;
pub mod apps;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod decode;
pub mod images;
pub mod kinds;
pub mod kubectl;
pub mod lab;
pub mod map;
pub mod net;
pub mod objects;
pub mod order;
pub mod printers;
pub mod rng;
pub mod serialize;
pub mod shell;
pub mod store;
pub mod tabwriter;
pub mod tools;
pub mod validation;
pub mod value;
pub mod version;
pub mod yaml;
