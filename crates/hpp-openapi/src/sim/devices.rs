//! Simulator state and handlers of the `devices` part of the API.

/// The simulator's `devices` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
