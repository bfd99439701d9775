//! The seed's date-time text formats, shared with every ISAPI crate (`watchpost_isapi::time`).

pub use watchpost_isapi::time::*;
