//! Simulator state and handlers of the `arc` part of the API.

/// The simulator's `arc` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
