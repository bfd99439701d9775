//! Simulator state and handlers of the `people` part of the API.

/// The simulator's `people` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
