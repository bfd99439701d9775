//! Simulator state and handlers of the `sites` part of the API.

/// The simulator's `sites` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
