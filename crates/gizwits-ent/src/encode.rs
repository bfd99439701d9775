//! Puts a control call's data point values (`attrs`) in the seed's wire encoding when the
//! product's data points are known: a `binary` value shorter than its declared length is padded
//! on the right to that length (L762-763), whether the call came from a typed method or from
//! `dispatch`. Values that cannot be encoded are left as given, for the checks of
//! [`validate`](crate::validate) to report.

use serde_json::Value;
use watchpost_core::operation::{Body, Request};
use watchpost_core::Result;

use crate::generated::ops;
use crate::models::{BinaryCoding, ProductDatapoints};

/// Rewrites the body of a `devices.control` request to the wire encoding of `datapoints`; other
/// requests are left alone.
///
/// # Errors
/// [`watchpost_core::Error::InvalidInput`] when the rewritten body cannot be serialized.
pub(crate) fn encode_control(request: &mut Request, datapoints: &ProductDatapoints) -> Result<()> {
    if request.op.id != ops::CONTROL_DEVICE.id {
        return Ok(());
    }
    let Body::Json(bytes) = &request.body else { return Ok(()) };
    let Ok(mut body) = serde_json::from_slice::<Value>(bytes) else { return Ok(()) };
    let coding = match body.get("binary_coding") {
        Some(Value::String(s)) => Some(BinaryCoding::parse(s)),
        _ => None,
    };
    let Some(Value::Object(attrs)) = body.get_mut("attrs") else { return Ok(()) };
    let encoded = datapoints.encode_attrs(attrs, coding.as_ref());
    if encoded == *attrs {
        return Ok(());
    }
    *attrs = encoded;
    request.body = Body::json(request.op.id, &body)?;
    Ok(())
}
