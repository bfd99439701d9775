//! Simulator state and handlers of the `mq` part of the API.

/// The simulator's `mq` state.
#[derive(Debug, Default)]
pub(crate) struct State {}
