//! Simulator state and handlers of the `otap` part of the API.

/// The simulator's `otap` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
