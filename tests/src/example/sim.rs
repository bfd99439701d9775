//! The example vendor's simulator, built from its generated [`Handlers`] trait: the generated
//! router decodes every request (and rejects what does not decode with [`Handlers::reject`]),
//! so the handlers below hold only state logic. A recording middleware keeps what arrived.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::json;
use watchpost_core::operation::Operation;
use watchpost_core::sim::{SimRejection, SimRequest, SimResponse, SimServer};

use super::generated as api;
use super::models::{Schedule, SortOrder, Widget};
use super::sim_generated::{router, Handlers};

/// The application key the simulated token endpoint accepts.
pub const APP_KEY: &str = "example-key";
/// The application secret the simulated token endpoint accepts.
pub const APP_SECRET: &str = "example-secret";

/// What the simulator saw of one request.
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

/// The simulated cloud: widgets, their schedules and firmware sizes.
#[derive(Debug)]
struct State {
    widgets: BTreeMap<u64, Widget>,
    schedules: BTreeMap<u64, Schedule>,
    firmware: BTreeMap<u64, usize>,
}

/// The example vendor's handlers over [`State`].
#[derive(Debug)]
struct Cloud {
    state: Mutex<State>,
}

impl Cloud {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The example vendor's error document.
fn error(status: u16, code: &str, message: &str) -> SimResponse {
    SimResponse::json(status, &json!({ "code": code, "message": message }))
}

impl Handlers for Cloud {
    async fn get_widget(&self, req: api::GetWidgetRequest, _ctx: SimRequest) -> SimResponse {
        match self.state().widgets.get(&req.widget_id) {
            Some(w) => SimResponse::json(200, w),
            None => error(404, "widget.not_found", "no such widget"),
        }
    }

    async fn list_widgets(&self, req: api::ListWidgetsRequest, _ctx: SimRequest) -> SimResponse {
        let state = self.state();
        let mut items: Vec<&Widget> = state.widgets.values().collect();
        if req.sort == Some(SortOrder::Desc) {
            items.reverse();
        }
        let total = u32::try_from(items.len()).unwrap_or(u32::MAX);
        SimResponse::json(200, &json!({ "items": items, "total": total }))
    }

    async fn rename_widget(&self, req: api::RenameWidgetRequest, _ctx: SimRequest) -> SimResponse {
        let mut state = self.state();
        let widget =
            state.widgets.entry(req.widget_id).or_insert_with(|| Widget { id: req.widget_id, name: String::new() });
        widget.name = req.name;
        SimResponse::empty(200)
    }

    async fn set_schedule(&self, req: api::SetScheduleRequest, _ctx: SimRequest) -> SimResponse {
        if req.channels.is_empty() {
            return error(400, "schedule.no_channel", "a schedule needs at least one channel");
        }
        self.state().schedules.insert(req.widget_id, req.schedule);
        SimResponse::json(200, &json!({ "applied": true }))
    }

    async fn create_widget(&self, req: api::CreateWidgetRequest, _ctx: SimRequest) -> SimResponse {
        let mut state = self.state();
        let id = state.widgets.keys().next_back().map_or(1, |last| last.saturating_add(1));
        let widget = Widget { id, name: req.widget.name };
        state.widgets.insert(id, widget.clone());
        SimResponse::json(200, &widget)
    }

    async fn get_token(&self, req: api::GetTokenRequest, _ctx: SimRequest) -> SimResponse {
        if req.app_key != APP_KEY || req.app_secret != APP_SECRET {
            return error(401, "token.refused", "unknown application");
        }
        SimResponse::json(200, &json!({ "accessToken": "at.example", "expireTime": 1 }))
    }

    async fn poll_events(&self, req: api::PollEventsRequest, _ctx: SimRequest) -> SimResponse {
        let events = match req.cursor.as_deref() {
            Some("e1") => json!([]),
            _ => json!([{ "id": "e1", "kind": "alarm" }]),
        };
        SimResponse::json(200, &events)
    }

    async fn upload_firmware(&self, req: api::UploadFirmwareRequest, _ctx: SimRequest) -> SimResponse {
        self.state().firmware.insert(req.widget_id, req.image.len());
        SimResponse::empty(200)
    }

    async fn reboot_all(&self, _req: api::RebootAllRequest, _ctx: SimRequest) -> SimResponse {
        SimResponse::empty(200)
    }

    async fn put_config(&self, _req: api::PutConfigRequest, _ctx: SimRequest) -> SimResponse {
        SimResponse::empty(200)
    }

    fn reject(&self, _op: &'static Operation, rejection: SimRejection) -> SimResponse {
        SimResponse::json(
            400,
            &json!({ "code": "bad_parameter", "param": rejection.param, "message": rejection.reason }),
        )
    }
}

/// A simulator of the example vendor, recording every request it receives.
pub struct ExampleSim {
    /// The server.
    pub server: SimServer,
    /// Requests in arrival order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl ExampleSim {
    /// Starts the simulator on loopback with one widget (42, "Gate").
    ///
    /// # Errors
    /// When the listener cannot bind.
    pub async fn start() -> std::io::Result<Self> {
        let mut widgets = BTreeMap::new();
        widgets.insert(42, Widget { id: 42, name: "Gate".into() });
        let cloud =
            Cloud { state: Mutex::new(State { widgets, schedules: BTreeMap::new(), firmware: BTreeMap::new() }) };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let router = router(Arc::new(cloud)).layer(move |req| {
            record.lock().unwrap_or_else(PoisonError::into_inner).push(Seen {
                route: req.route,
                path_and_query: req.path_and_query(),
                content_type: req.header("content-type").map(str::to_owned),
                tenant: req.header("x-tenant-id").map(str::to_owned),
                body: req.body.to_vec(),
            });
            None
        });
        Ok(ExampleSim { server: SimServer::start(router).await?, seen })
    }
}
