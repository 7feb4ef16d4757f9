//! The simulation core: pure, deterministic, no web dependency.

pub mod rng;
pub mod value;
pub mod yaml;
