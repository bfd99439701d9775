//! A fictional "example" vendor generated from `tests/spec/example.toml`: it proves the code
//! generator end to end. `generated.rs` (client side) and `sim_generated.rs` (server side:
//! request decoders, the `Handlers` trait, the router) are written by `cargo xtask codegen`; this
//! module supplies what a vendor crate hand-writes: the models, a pipeline-backed `Client`, and a
//! simulator whose handlers hold only state logic (see `docs/new-vendor.md`).

use serde::de::DeserializeOwned;
use watchpost_core::operation::ToRequest;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::Result;

/// The code generated from `tests/spec/example.toml`.
pub mod generated;
mod sim;
/// The server side generated from `tests/spec/example.toml` (`sim_output`).
pub mod sim_generated;

pub use sim::{ExampleSim, Seen, APP_KEY, APP_SECRET};

pub mod models {
    //! Models named by tests/spec/example.toml.

    use serde::{Deserialize, Serialize};
    use watchpost_core::codec::param::ToParam;

    /// A widget.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Widget {
        /// Id.
        pub id: u64,
        /// Name.
        pub name: String,
    }

    /// One page of widgets.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct WidgetPage {
        /// The widgets.
        pub items: Vec<Widget>,
        /// Total count.
        pub total: u32,
    }

    /// Sort order (query parameter).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum SortOrder {
        /// Ascending.
        Asc,
        /// Descending.
        Desc,
    }

    impl ToParam for SortOrder {
        fn to_param(&self) -> String {
            match self {
                SortOrder::Asc => "asc",
                SortOrder::Desc => "desc",
            }
            .to_owned()
        }
    }

    /// A weekly schedule.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Schedule {
        /// Days, 0 = Sunday.
        pub days: Vec<u8>,
        /// Start time.
        pub start: String,
    }

    /// Arming mode (JSON member).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Mode {
        /// Away.
        Away,
        /// Stay.
        Stay,
    }

    impl ToParam for Mode {
        fn to_param(&self) -> String {
            match self {
                Mode::Away => "away",
                Mode::Stay => "stay",
            }
            .to_owned()
        }
    }

    /// A widget to create.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct NewWidget {
        /// Name.
        pub name: String,
        /// Site.
        #[serde(rename = "siteId")]
        pub site_id: String,
    }

    /// An access token.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Token {
        /// The token.
        #[serde(rename = "accessToken")]
        pub access_token: String,
        /// Expiry, epoch ms.
        #[serde(rename = "expireTime")]
        pub expire_time: i64,
    }

    /// An event.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Event {
        /// Id.
        pub id: String,
        /// Kind.
        pub kind: String,
    }
}

/// The example vendor's client: a [`Pipeline`] plus the envelope-free decoding the spec implies.
#[derive(Debug, Clone)]
pub struct Client {
    pipeline: Pipeline,
}

impl Client {
    /// A client for the service at `base_url`.
    ///
    /// # Errors
    /// As [`Pipeline::builder`]'s `build`.
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(Client { pipeline: Pipeline::builder("example", base_url).build()? })
    }

    /// Sends one generated request and decodes the JSON answer (an empty body reads as `null`).
    pub(crate) async fn call<R: ToRequest + ?Sized, T: DeserializeOwned>(&self, req: &R) -> Result<T> {
        let resp = self.pipeline.execute(req.to_request()?).await?;
        if resp.body.is_empty() {
            return serde_json::from_value(serde_json::Value::Null)
                .map_err(|e| resp.decode_error(watchpost_core::error::DecodeError::json(e)));
        }
        resp.json()
    }
}
