//! A fictional "example" vendor generated from `tests/spec/example.toml`: it proves the code
//! generator end to end. `generated.rs` is written by `cargo xtask codegen`; this module supplies
//! what a vendor crate hand-writes (the models and a pipeline-backed `Client`) and a recording
//! simulator that answers every operation of the table over loopback.

use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde_json::json;
use watchpost_core::operation::ToRequest;
use watchpost_core::pipeline::Pipeline;
use watchpost_core::sim::{Router, SimRequest, SimResponse, SimServer};
use watchpost_core::Result;

/// The code generated from `tests/spec/example.toml`.
pub mod generated;

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

/// What the recording simulator saw of one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    /// The route (operation id).
    pub route: &'static str,
    /// Path and query as sent.
    pub path_and_query: String,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The `x-tenant-id` header, if any.
    pub tenant: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// A simulator answering every operation of the example table and recording what it received.
pub struct ExampleSim {
    /// The server.
    pub server: SimServer,
    /// Requests in arrival order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl ExampleSim {
    /// Starts the simulator on loopback.
    ///
    /// # Errors
    /// When the listener cannot bind.
    pub async fn start() -> std::io::Result<Self> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut router = Router::new();
        for op in generated::OPERATIONS {
            let seen = seen.clone();
            router = router.operation(op, move |req: SimRequest| {
                let seen = seen.clone();
                async move {
                    let reply = canned_reply(req.route);
                    seen.lock().unwrap_or_else(|p| p.into_inner()).push(Seen {
                        route: req.route,
                        path_and_query: req.path_and_query(),
                        content_type: req.header("content-type").map(str::to_owned),
                        tenant: req.header("x-tenant-id").map(str::to_owned),
                        body: req.body.to_vec(),
                    });
                    reply
                }
            });
        }
        Ok(ExampleSim { server: SimServer::start(router).await?, seen })
    }
}

/// The answer of each operation, shaped like its response model.
fn canned_reply(route: &str) -> SimResponse {
    match route {
        "widget.get" | "widget.create" => SimResponse::json(200, &json!({"id": 42, "name": "Gate"})),
        "widget.list" => SimResponse::json(200, &json!({"items": [{"id": 1, "name": "a"}], "total": 1})),
        "schedule.set" => SimResponse::json(200, &json!({"applied": true})),
        "token.get" => SimResponse::json(200, &json!({"accessToken": "at.x", "expireTime": 1})),
        "events.poll" => SimResponse::json(200, &json!([{"id": "e1", "kind": "alarm"}])),
        _ => SimResponse::empty(200),
    }
}
