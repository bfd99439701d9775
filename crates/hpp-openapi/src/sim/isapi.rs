//! Simulator state and handlers of the `isapi` part of the API.

/// The simulator's `isapi` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
