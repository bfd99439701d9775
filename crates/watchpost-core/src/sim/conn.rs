//! One accepted connection: serves HTTP/1.1 on it until the client leaves or the server shuts down,
//! and resets it (TCP RST) when a response asks for that.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::server::Shared;

/// The socket of a connection, which aborts it with an RST instead of a FIN when `reset` is set
/// by the time hyper drops it.
struct ResettableIo {
    stream: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableIo {
    fn drop(&mut self) {
        if self.reset.load(Ordering::Acquire) {
            // Best effort: without it the client sees a plain close, still an error mid-request.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// The error a service returns to make hyper drop the connection without answering.
#[derive(Debug)]
pub(crate) struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset by the simulator")
    }
}

impl std::error::Error for ResetConnection {}

/// Serves one connection until it ends; on shutdown, finishes the request in flight and closes.
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(ResettableIo { stream, reset: reset.clone() });
    let service = service_fn(move |req| {
        let shared = shared.clone();
        let reset = reset.clone();
        async move {
            let response = shared.handle(req, peer).await;
            if response.is_none() {
                reset.store(true, Ordering::Release);
            }
            response.ok_or(ResetConnection)
        }
    });
    let conn = http1::Builder::new().keep_alive(true).serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "simulator connection ended with an error");
            }
        }
        () = super::shutting_down(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
