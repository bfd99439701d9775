//! Response models (the `data` of each operation's envelope) and typed request values, one
//! module per chapter of the Developer Guide.

pub mod arc;
pub mod common;
pub mod devices;
pub mod hotspare;
pub mod isapi;
pub mod mq;
pub mod otap;
pub mod people;
pub mod sites;
pub mod token;
