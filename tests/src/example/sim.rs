//! The example vendor's simulator, built from its generated [`Handlers`] trait: the generated
//! router decodes every request (and rejects what does not decode with [`Handlers::reject`]),
//! so the handlers below hold only state logic. A recording middleware keeps what arrived.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

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
pub struct State {
    widgets: BTreeMap<u64, Widget>,
    schedules: BTreeMap<u64, Schedule>,
    firmware: BTreeMap<u64, usize>,
}

/// The example vendor's handlers over [`State`].
#[derive(Debug)]
struct Cloud {
    state: Mutex<State>,
}

/// A refused request: the HTTP status, code and message of the example vendor's error document.
#[derive(Debug)]
pub struct Refusal(u16, &'static str, &'static str);

/// A handler's answer (`[vendor] sim_error` and `sim_state` in the spec).
type Answer = Result<SimResponse, Refusal>;

impl Handlers for Cloud {
    fn state(&self) -> &Mutex<State> {
        &self.state
    }

    fn fail(&self, _ctx: &SimRequest, Refusal(status, code, message): Refusal) -> SimResponse {
        SimResponse::json(status, &json!({ "code": code, "message": message }))
    }

    fn get_widget(&self, st: &mut State, req: api::GetWidgetRequest, _: &SimRequest) -> Answer {
        let widget = st.widgets.get(&req.widget_id).ok_or(Refusal(404, "widget.not_found", "no such widget"))?;
        SimResponse::json_ok(widget)
    }

    fn list_widgets(&self, st: &mut State, req: api::ListWidgetsRequest, _: &SimRequest) -> Answer {
        let mut items: Vec<&Widget> = st.widgets.values().collect();
        if req.sort == Some(SortOrder::Desc) {
            items.reverse();
        }
        let total = u32::try_from(items.len()).unwrap_or(u32::MAX);
        SimResponse::json_ok(&json!({ "items": items, "total": total }))
    }

    fn rename_widget(&self, st: &mut State, req: api::RenameWidgetRequest, _: &SimRequest) -> Answer {
        let widget =
            st.widgets.entry(req.widget_id).or_insert_with(|| Widget { id: req.widget_id, name: String::new() });
        widget.name = req.name;
        Ok(SimResponse::empty(200))
    }

    fn set_schedule(&self, st: &mut State, req: api::SetScheduleRequest, _: &SimRequest) -> Answer {
        if req.channels.is_empty() {
            return Err(Refusal(400, "schedule.no_channel", "a schedule needs at least one channel"));
        }
        st.schedules.insert(req.widget_id, req.schedule);
        SimResponse::json_ok(&json!({ "applied": true }))
    }

    fn create_widget(&self, st: &mut State, req: api::CreateWidgetRequest, _: &SimRequest) -> Answer {
        let id = st.widgets.keys().next_back().map_or(1, |last| last.saturating_add(1));
        let widget = Widget { id, name: req.widget.name };
        st.widgets.insert(id, widget.clone());
        SimResponse::json_ok(&widget)
    }

    fn get_token(&self, _: &mut State, req: api::GetTokenRequest, _: &SimRequest) -> Answer {
        if req.app_key != APP_KEY || req.app_secret != APP_SECRET {
            return Err(Refusal(401, "token.refused", "unknown application"));
        }
        SimResponse::json_ok(&json!({ "accessToken": "at.example", "expireTime": 1 }))
    }

    fn poll_events(&self, _: &mut State, req: api::PollEventsRequest, _: &SimRequest) -> Answer {
        let events = match req.cursor.as_deref() {
            Some("e1") => json!([]),
            _ => json!([{ "id": "e1", "kind": "alarm" }]),
        };
        SimResponse::json_ok(&events)
    }

    fn upload_firmware(&self, st: &mut State, req: api::UploadFirmwareRequest, _: &SimRequest) -> Answer {
        st.firmware.insert(req.widget_id, req.image.len());
        Ok(SimResponse::empty(200))
    }

    fn reboot_all(&self, _: &mut State, _: api::RebootAllRequest, _: &SimRequest) -> Answer {
        Ok(SimResponse::empty(200))
    }

    fn put_config(&self, _: &mut State, _: api::PutConfigRequest, _: &SimRequest) -> Answer {
        Ok(SimResponse::empty(200))
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
