//! The Hik-Partner Pro simulator: a token host and an area host over loopback HTTP, stateful and
//! strict, with fault injection (built on the watchpost-core simulator kit).

mod arc;
mod devices;
mod hotspare;
mod isapi;
mod mq;
mod otap;
mod people;
mod sites;
mod state;
