//! A real `nats-server -js` for tests: started on a free loopback port with a temporary store,
//! restarted on the same port and store, stopped on drop.
//!
//! The binary is `nats-server` on `PATH` (Debian's package: `apt-get install nats-server`), or
//! `$WATCHPOST_NATS_SERVER`. A test that needs it fails with a clear message when it is
//! missing; it never skips.

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running (or stopped) `nats-server` with JetStream.
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    port: u16,
    store: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// Starts a server on a free loopback port with a fresh temporary store, and waits until
    /// it answers. Errors say what is missing (the binary) or what failed.
    pub fn start() -> Result<Self, String> {
        let binary =
            std::env::var_os("WATCHPOST_NATS_SERVER").map(PathBuf::from).unwrap_or_else(|| "nats-server".into());
        Self::start_binary(binary)
    }

    /// As [`start`](Self::start), with the server binary at `binary`.
    pub fn start_binary(binary: impl Into<PathBuf>) -> Result<Self, String> {
        let binary = binary.into();
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        let store = tempfile::tempdir().map_err(|e| format!("no temporary directory: {e}"))?;
        let mut server = NatsServer { binary, port, store, child: None };
        server.spawn()?;
        Ok(server)
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as a crash would) and waits for it to exit; the store is kept.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server, then starts it again on the same port and store.
    pub fn restart(&mut self) -> Result<(), String> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> Result<(), String> {
        let mut child = Command::new(&self.binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &self.port.to_string(), "-sd"])
            .arg(self.store.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start {} ({e}): this test needs the real NATS server with JetStream; \
                     install it with `apt-get install nats-server` or set WATCHPOST_NATS_SERVER",
                    self.binary.display()
                )
            })?;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("nats-server exited at start: {status}"));
            }
            if answers(addr) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("nats-server did not answer on {addr} within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether the server sends its `INFO` greeting.
fn answers(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 4];
    stream.read_exact(&mut buf).is_ok() && &buf == b"INFO"
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}
