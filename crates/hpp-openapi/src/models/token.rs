//! The access token (section 3.1).
