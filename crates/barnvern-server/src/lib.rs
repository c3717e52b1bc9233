//! `barnvern serve`: the HTTP case service on the case store (`barnvern-store`).
//!
//! - JSON routes under `/v1` (cases, events, history, deadlines, worklist, access log, the
//!   intake of Norway's digital reports of concern), `GET /v1/openapi.json` generated from the
//!   types, `/healthz` and `/readyz`, and the caseworker's page at `/`.
//! - Every request carries a signed bearer token (EdDSA or RS256; issuer, audience and expiry
//!   checked), see [`auth`]. Authorisation is the store's: a case of another municipality is
//!   404, an auditor reads the access log and nothing else. Every request, allowed or refused,
//!   is in the store's access log, a request without a valid token too.
//! - Errors are RFC 9457 `application/problem+json` with the findings' paths and codes
//!   ([`problem`]); no identity number appears in a path, an error body or a log line.
//!
//! ```no_run
//! use std::sync::Arc;
//! use barnvern_server::{ServerConfig, State, auth::Verifier, router};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let key = barnvern_store::StoreKey::new(b"a store key of at least thirty-two bytes")?;
//! let store = barnvern_store::open("sqlite:cases.db", Some(key), true)?;
//! let verifier = Verifier::from_pem(&std::fs::read_to_string("jwt-public.pem")?, "barnvern",
//!     "barnvern-case-service")?;
//! let state = State::new(Arc::from(store), verifier, ServerConfig::default());
//! let app = router(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! barnvern_server::serve(listener, app, ServerConfig::default(), std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod api;
pub mod auth;
pub mod intake;
pub mod openapi;
pub mod page;
pub mod problem;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use barnvern_store::CaseStore;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_http::timeout::TimeoutLayer;

use crate::auth::Verifier;

/// Limits and behaviour of the service.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Request bodies over this many bytes get 413 (default 1 MiB).
    pub body_limit: usize,
    /// A request (headers and body read, answer computed) that takes longer is answered 408
    /// (default 30 s).
    pub request_timeout: Duration,
    /// A client that has not sent its request headers within this time is disconnected
    /// (default 10 s).
    pub header_timeout: Duration,
    /// How long a shutdown waits for requests in flight (default 30 s).
    pub shutdown_grace: Duration,
    /// Whether the page's session cookie is marked `Secure` (default true; the demo on
    /// loopback turns it off).
    pub secure_cookies: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            body_limit: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
            secure_cookies: true,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct State {
    /// The case store.
    pub store: Arc<dyn CaseStore>,
    /// The token verifier.
    pub verifier: Arc<Verifier>,
    /// Limits.
    pub config: ServerConfig,
}

impl State {
    /// The shared state of a service.
    pub fn new(store: Arc<dyn CaseStore>, verifier: Verifier, config: ServerConfig) -> State {
        State {
            store,
            verifier: Arc::new(verifier),
            config,
        }
    }
}

/// The service's routes with their layers (timeout, request log).
pub fn router(state: State) -> Router {
    let timeout = state.config.request_timeout;
    api::routes()
        .merge(page::routes())
        .with_state(state)
        .layer(axum::middleware::from_fn(log_request))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
}

/// One JSON line per request: method, route template (never the URL, which holds a case id),
/// status and milliseconds.
async fn log_request(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "(no route)".to_owned());
    let res = next.run(req).await;
    tracing::info!(
        target: "barnvern_server::request",
        method = %method,
        route = %route,
        status = res.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    res
}

/// Sets up JSON-lines logging to standard error (level from `RUST_LOG`, default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(false)
        .try_init();
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets requests
/// in flight finish (up to the configured grace) and returns. HTTP/1.1 with a header read
/// timeout, so a slow client cannot hold a connection without sending a request.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder
                    .timer(TokioTimer::new())
                    .header_read_timeout(config.header_timeout)
                    .keep_alive(true);
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: waiting for requests in flight");
    if tokio::time::timeout(config.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the grace period");
    }
    // The store goes with the last reference to the app; the PostgreSQL client's connections
    // block when dropped, which a runtime worker may not.
    let _ = tokio::task::spawn_blocking(move || drop(app)).await;
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
