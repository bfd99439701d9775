//! Peak memory of a streamed firmware upload: writes an image of `UPLOAD_MB` MiB (default 200)
//! to a temporary file, uploads it with `Client::firmware_upload_from` to a loopback sink that
//! discards the body (the simulator would keep its own copy in this process), and prints the
//! process's peak resident set (`VmHWM`, Linux) before and after, then after reading the image
//! into memory for comparison.
//!
//! ```sh
//! cargo run --release -p akuvox-ac --example upload_peak
//! ```

use std::io::Write as _;
use std::time::Instant;

use akuvox_ac::{Client, Upload};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

/// `VmHWM` of this process in KiB (0 where `/proc` has none).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// Answers every request with an Akuvox OK after reading and dropping its body.
async fn sink(listener: tokio::net::TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut conn = BufReader::new(stream);
            loop {
                let mut length = 0u64;
                let mut line = String::new();
                loop {
                    line.clear();
                    if conn.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        if k.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = (&mut conn).take(length);
                if tokio::io::copy(&mut body, &mut tokio::io::sink()).await.is_err() {
                    return;
                }
                let reply = r#"{"retcode":0,"action":"upload","message":"OK"}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
                    reply.len()
                );
                if conn.get_mut().write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = std::env::var("UPLOAD_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let mut file = tempfile::NamedTempFile::new()?;
    let block = vec![0x5a_u8; 1024 * 1024];
    for _ in 0..mib {
        file.write_all(&block)?;
    }
    file.flush()?;
    drop(block);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(sink(listener));
    let client = Client::builder().base_url(base).build()?;

    let before = peak_kib();
    let upload = Upload::file(file.path()).await?;
    let began = Instant::now();
    client.firmware_upload_from(&upload, true, |_, _| {}).await?;
    let took = began.elapsed();
    let after = peak_kib();
    println!(
        "streamed upload of {mib} MiB: {:.2} s, peak RSS {} KiB before, {} KiB after (+{} KiB)",
        took.as_secs_f64(),
        before,
        after,
        after.saturating_sub(before)
    );

    let image = tokio::fs::read(file.path()).await?;
    println!("for comparison, the image read into memory: peak RSS {} KiB ({} bytes held)", peak_kib(), image.len());
    Ok(())
}
