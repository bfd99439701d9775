//! Simulator state and handlers of the `hotspare` part of the API.

/// The simulator's `hotspare` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
