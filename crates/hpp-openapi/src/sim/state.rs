//! The whole simulator state: one part per chapter, each owned by its module.

use super::{arc, devices, hotspare, isapi, mq, otap, people, pictures, sites};

/// Everything the simulator remembers, one field per part of the API.
#[derive(Debug, Default)]
#[allow(dead_code)] // filled in part by part
pub(crate) struct State {
    pub(crate) sites: sites::State,
    pub(crate) arc: arc::State,
    pub(crate) devices: devices::State,
    pub(crate) isapi: isapi::State,
    pub(crate) otap: otap::State,
    pub(crate) people: people::State,
    pub(crate) hotspare: hotspare::State,
    pub(crate) mq: mq::State,
    pub(crate) pictures: pictures::State,
}
