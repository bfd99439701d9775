//! Text encoding of scalar request parameters (path, query, form, header values).
