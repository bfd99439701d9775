//! ISAPI XML documents: the core XML codec with ISAPI's root attributes (`version="2.0"` and the
//! ISAPI 2.0 namespace), shared with every ISAPI crate (`watchpost_isapi::xml`).

pub use watchpost_isapi::xml::*;
