//! # watchpost-isapi
//!
//! The Hikvision ISAPI resources that more than one watchpost vendor crate speaks: the Device
//! Gateway (`hik-gateway`) sends them to a device directly, Hik-Partner Pro (`hpp-openapi`)
//! through its cloud pass-through. One set of models, so both crates read and write the same
//! XML and JSON.

pub mod models;
