//! [`Router`]: named routes with path templates, a fallback, and middleware that runs before the
//! handler (auth, quota and other checks, with per-route exemptions through [`SimRequest::route`]).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use http::Method;

use super::decode::{FromSimRequest, SimRejection};
use super::faults::Faults;
use super::path::PathTemplate;
use super::request::SimRequest;
use super::response::SimResponse;
use crate::operation::Operation;

/// The route name given to requests that matched no route (and counted under it).
pub const FALLBACK_ROUTE: &str = "<fallback>";

/// A route handler: an async function of the request.
pub type Handler = Arc<dyn Fn(SimRequest) -> BoxFuture<'static, SimResponse> + Send + Sync>;

/// A rewrite of a request before it is routed (see [`Router::rewrite`]).
type Rewrite = Arc<dyn Fn(&mut SimRequest) + Send + Sync>;

/// A middleware: gets the request and the rest of the chain.
type Middleware = Arc<dyn Fn(SimRequest, Next) -> BoxFuture<'static, SimResponse> + Send + Sync>;

struct Route {
    method: Method,
    template: PathTemplate,
    name: &'static str,
    handler: Handler,
}

/// The routes of a simulator, its fallback, middleware and fault controls.
///
/// Routes are matched on method and path template; when several templates match a path, the
/// most specific wins (no catch-all, then more literal segments, then more query constraints),
/// and among equals the first added. A path that matches a route under another method gets
/// `405` with an `Allow` header, any other path `404` naming the method and path, unless a
/// [`fallback`](Self::fallback) is set, which then answers both.
///
/// Template syntax: `{name}` captures one path segment, a trailing `{*name}` captures the rest of
/// the path (possibly empty), and an optional query part (`?format=json&id={id}`) requires those
/// query pairs, capturing `{name}` values. Captures land in [`SimRequest::params`], decoded.
pub struct Router {
    routes: Vec<Route>,
    fallback: Option<Handler>,
    middleware: Vec<Middleware>,
    faults: Faults,
    rewrite: Option<Rewrite>,
}

impl Default for Router {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes: Vec<String> =
            self.routes.iter().map(|r| format!("{} {} ({})", r.method, r.template.source(), r.name)).collect();
        f.debug_struct("Router")
            .field("routes", &routes)
            .field("middleware", &self.middleware.len())
            .field("custom_fallback", &self.fallback.is_some())
            .finish()
    }
}

fn boxed<F, Fut>(handler: F) -> Handler
where
    F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = SimResponse> + Send + 'static,
{
    Arc::new(move |req| handler(req).boxed())
}

impl Router {
    /// An empty router with the default 404/405 fallback and its own [`Faults`].
    pub fn new() -> Self {
        Router { routes: Vec::new(), fallback: None, middleware: Vec::new(), faults: Faults::new(), rewrite: None }
    }

    /// Adds a route named `name` (the name is what [`SimServer::hits`](super::SimServer::hits)
    /// counts and what middleware sees in [`SimRequest::route`]).
    ///
    /// # Panics
    /// When `template` has a `{*rest}` catch-all that is not its last segment.
    #[must_use]
    #[track_caller]
    pub fn route<F, Fut>(mut self, method: Method, template: &str, name: &'static str, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        let template = PathTemplate::parse(template);
        self.routes.push(Route { method, template, name, handler: boxed(handler) });
        self
    }

    /// Adds the route of the spec operation `op` at `template` when `serves(op)`: each request
    /// decodes into `T` ([`FromSimRequest`]) and is answered by `call(handlers, decoded,
    /// request)`, or by `reject(handlers, op, rejection)` when it does not decode. The generated
    /// `router_for` of every vendor simulator calls it once per operation.
    pub fn decoded<H, T, F, Fut>(
        self,
        serves: &impl Fn(&'static Operation) -> bool,
        handlers: &Arc<H>,
        op: &'static Operation,
        template: &str,
        call: F,
        reject: fn(&H, &'static Operation, SimRejection) -> SimResponse,
    ) -> Self
    where
        H: Send + Sync + 'static,
        T: FromSimRequest,
        F: Fn(Arc<H>, T, SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        if !serves(op) {
            return self;
        }
        let handlers = handlers.clone();
        self.route(op.method.clone(), template, op.id, move |req: SimRequest| {
            let handlers = handlers.clone();
            let call = T::from_sim_request(&req).map(|decoded| call(handlers.clone(), decoded, req));
            async move {
                match call {
                    Ok(answer) => answer.await,
                    Err(rejection) => reject(&handlers, op, rejection),
                }
            }
        })
    }

    /// Adds a route for a spec [`Operation`]: its method, path template and id as the name.
    ///
    /// # Panics
    /// As [`route`](Self::route).
    #[must_use]
    #[track_caller]
    pub fn operation<F, Fut>(self, op: &Operation, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.route(op.method.clone(), op.path, op.id, handler)
    }

    /// Adds a `GET` route (see [`route`](Self::route)).
    #[must_use]
    #[track_caller]
    pub fn get<F, Fut>(self, template: &str, name: &'static str, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.route(Method::GET, template, name, handler)
    }

    /// Adds a `POST` route (see [`route`](Self::route)).
    #[must_use]
    #[track_caller]
    pub fn post<F, Fut>(self, template: &str, name: &'static str, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.route(Method::POST, template, name, handler)
    }

    /// Adds a `PUT` route (see [`route`](Self::route)).
    #[must_use]
    #[track_caller]
    pub fn put<F, Fut>(self, template: &str, name: &'static str, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.route(Method::PUT, template, name, handler)
    }

    /// Adds a `DELETE` route (see [`route`](Self::route)).
    #[must_use]
    #[track_caller]
    pub fn delete<F, Fut>(self, template: &str, name: &'static str, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.route(Method::DELETE, template, name, handler)
    }

    /// Replaces the default 404/405 answer for requests that match no route (their
    /// [`SimRequest::route`] is [`FALLBACK_ROUTE`]). Middleware runs before it as for any route.
    #[must_use]
    pub fn fallback<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(SimRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.fallback = Some(boxed(handler));
        self
    }

    /// Adds a synchronous check that runs before the handler: return `Some(response)` to answer
    /// in its place (a 401 challenge, a quota error), or `None` to go on. It may annotate the
    /// request (`req.extensions`) for later middleware and the handler. Exempt routes by name:
    /// `if req.route == "token.get" { return None; }`.
    #[must_use]
    pub fn layer<F>(mut self, check: F) -> Self
    where
        F: Fn(&mut SimRequest) -> Option<SimResponse> + Send + Sync + 'static,
    {
        self.middleware.push(Arc::new(move |mut req: SimRequest, next: Next| match check(&mut req) {
            Some(resp) => futures_util::future::ready(resp).boxed(),
            None => next.run(req).boxed(),
        }));
        self
    }

    /// Adds an async middleware around the rest of the chain: it may answer itself, or call
    /// `next.run(req).await` and change the response (for example add `X-RateLimit-*` headers).
    /// Middleware runs in the order it was added, the first added outermost.
    #[must_use]
    pub fn wrap<F, Fut>(mut self, middleware: F) -> Self
    where
        F: Fn(SimRequest, Next) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = SimResponse> + Send + 'static,
    {
        self.middleware.push(Arc::new(move |req, next| middleware(req, next).boxed()));
        self
    }

    /// Sets a rewrite that runs on every request before it is routed: a vendor whose devices
    /// accept one function in several request forms (Akuvox: a `GET` with a query, a `POST` of
    /// a `{target, action, data}` envelope to the function's path or to `/api/`) turns each form
    /// into the one its spec declares, so one route and one decoder serve them all. The
    /// journal records the request as it was sent, not as rewritten.
    #[must_use]
    pub fn rewrite<F>(mut self, rewrite: F) -> Self
    where
        F: Fn(&mut SimRequest) + Send + Sync + 'static,
    {
        self.rewrite = Some(Arc::new(rewrite));
        self
    }

    /// Applies the [`rewrite`](Self::rewrite), if any.
    pub(crate) fn apply_rewrite(&self, req: &mut SimRequest) {
        if let Some(rewrite) = &self.rewrite {
            rewrite(req);
        }
    }

    /// The fault controls the server will apply (a handle: clone it into the simulator).
    pub fn faults(&self) -> Faults {
        self.faults.clone()
    }

    /// Uses `faults` instead of the router's own (several servers of one simulator share them).
    pub(crate) fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// The route names, in the order they were added (for coverage checks).
    pub fn route_names(&self) -> Vec<&'static str> {
        self.routes.iter().map(|r| r.name).collect()
    }

    /// Finds the route for a request: its name, captured parameters and what answers it.
    pub(crate) fn resolve(&self, method: &Method, path: &str, query: &[(String, String)]) -> Resolved {
        let mut best: Option<(&Route, HashMap<String, String>)> = None;
        let mut allowed: Vec<Method> = Vec::new();
        for route in &self.routes {
            let Some(params) = route.template.matches(path, query) else { continue };
            if route.method != *method {
                if !allowed.contains(&route.method) {
                    allowed.push(route.method.clone());
                }
                continue;
            }
            let better = best.as_ref().is_none_or(|(b, _)| route.template.specificity() > b.template.specificity());
            if better {
                best = Some((route, params));
            }
        }
        match best {
            Some((route, params)) => {
                Resolved { route: route.name, params, endpoint: Endpoint::Handler(route.handler.clone()) }
            }
            None => {
                let endpoint = match &self.fallback {
                    Some(handler) => Endpoint::Handler(handler.clone()),
                    None => Endpoint::NotFound { allowed },
                };
                Resolved { route: FALLBACK_ROUTE, params: HashMap::new(), endpoint }
            }
        }
    }

    /// Runs the middleware chain and the endpoint; also tells whether the endpoint was reached
    /// (`false` when a middleware answered).
    pub(crate) async fn dispatch(self: Arc<Self>, req: SimRequest, endpoint: Endpoint) -> (SimResponse, bool) {
        let reached = Arc::new(AtomicBool::new(false));
        let next = Next { router: self, index: 0, endpoint, reached: reached.clone() };
        let resp = next.run(req).await;
        (resp, reached.load(Ordering::Relaxed))
    }
}

/// What answers a resolved request.
#[derive(Clone)]
pub(crate) enum Endpoint {
    /// A route's handler or the custom fallback.
    Handler(Handler),
    /// The default fallback: 405 when other methods match the path, else 404.
    NotFound { allowed: Vec<Method> },
}

/// The outcome of route resolution.
pub(crate) struct Resolved {
    pub(crate) route: &'static str,
    pub(crate) params: HashMap<String, String>,
    pub(crate) endpoint: Endpoint,
}

/// The rest of the middleware chain, ending in the handler.
pub struct Next {
    router: Arc<Router>,
    index: usize,
    endpoint: Endpoint,
    reached: Arc<AtomicBool>,
}

impl fmt::Debug for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field("remaining_middleware", &self.router.middleware.len().saturating_sub(self.index))
            .finish()
    }
}

impl Next {
    /// Runs the rest of the chain on `req`.
    pub async fn run(self, req: SimRequest) -> SimResponse {
        match self.router.middleware.get(self.index).cloned() {
            Some(middleware) => {
                let next =
                    Next { router: self.router, index: self.index + 1, endpoint: self.endpoint, reached: self.reached };
                middleware(req, next).await
            }
            None => {
                self.reached.store(true, Ordering::Relaxed);
                match self.endpoint {
                    Endpoint::Handler(handler) => handler(req).await,
                    Endpoint::NotFound { allowed } => not_found(&req, &allowed),
                }
            }
        }
    }
}

fn not_found(req: &SimRequest, allowed: &[Method]) -> SimResponse {
    if allowed.is_empty() {
        return SimResponse::text(404, format!("simulator: no route for {} {}", req.method, req.path));
    }
    let allow = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    SimResponse::text(405, format!("simulator: {} is not allowed on {} (allowed: {allow})", req.method, req.path))
        .header(http::header::ALLOW, allow.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn call(router: &Arc<Router>, method: Method, uri: &str) -> (SimResponse, &'static str) {
        let mut req = SimRequest::new(method, uri);
        let resolved = router.resolve(&req.method, &req.path, &req.query);
        req.route = resolved.route;
        req.params = resolved.params;
        (router.clone().dispatch(req, resolved.endpoint).await.0, resolved.route)
    }

    fn echo(name: &'static str) -> impl Fn(SimRequest) -> futures_util::future::Ready<SimResponse> {
        move |req| {
            let mut params: Vec<_> = req.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            params.sort();
            futures_util::future::ready(SimResponse::text(200, format!("{name} {}", params.join(","))))
        }
    }

    fn body(resp: &SimResponse) -> String {
        String::from_utf8_lossy(resp.body().unwrap()).into_owned()
    }

    #[tokio::test]
    async fn most_specific_route_wins_and_fallback_names_the_request() {
        let router = Arc::new(
            Router::new()
                .get("/devices/{id}", "device.get", echo("get"))
                .get("/devices/search", "device.search", echo("search"))
                .get("/files/{*rest}", "files", echo("files"))
                .delete("/devices/{id}", "device.delete", echo("delete")),
        );
        assert_eq!(router.route_names(), ["device.get", "device.search", "files", "device.delete"]);
        let (r, name) = call(&router, Method::GET, "/devices/search").await;
        assert_eq!((body(&r).as_str(), name), ("search ", "device.search"));
        let (r, _) = call(&router, Method::GET, "/devices/A%2F1").await;
        assert_eq!(body(&r), "get id=A/1");
        let (r, _) = call(&router, Method::GET, "/files/a/b").await;
        assert_eq!(body(&r), "files rest=a/b");
        let (r, name) = call(&router, Method::PUT, "/devices/1").await;
        assert_eq!((r.status().as_u16(), name), (405, FALLBACK_ROUTE));
        assert_eq!(r.headers_map()["allow"], "GET, DELETE");
        let (r, _) = call(&router, Method::GET, "/nothing?x=1").await;
        assert_eq!(r.status().as_u16(), 404);
        assert_eq!(body(&r), "simulator: no route for GET /nothing");
    }

    #[tokio::test]
    async fn middleware_runs_in_order_and_can_answer_or_decorate() {
        let router = Arc::new(
            Router::new()
                .get("/open", "open", echo("open"))
                .get("/closed", "closed", echo("closed"))
                .wrap(|req, next| async move { next.run(req).await.header("x-outer", "1") })
                .layer(|req| (req.route == "closed").then(|| SimResponse::text(401, "no")))
                .fallback(|req| async move { SimResponse::text(418, req.route) }),
        );
        let (r, _) = call(&router, Method::GET, "/open").await;
        assert_eq!((r.status().as_u16(), r.headers_map()["x-outer"].to_str().unwrap()), (200, "1"));
        let (r, _) = call(&router, Method::GET, "/closed").await;
        assert_eq!((r.status().as_u16(), r.headers_map()["x-outer"].to_str().unwrap()), (401, "1"));
        let (r, _) = call(&router, Method::POST, "/open").await;
        assert_eq!((r.status().as_u16(), body(&r)), (418, FALLBACK_ROUTE.to_owned()));
    }
}
