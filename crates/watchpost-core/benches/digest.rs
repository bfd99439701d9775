//! Digest `Authorization` header computation in steady state (cached challenge, nc+1 per call).
#![allow(missing_docs)] // criterion_group! generates undocumented items
use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue, Method};
use watchpost_core::auth::{Credentials, HttpAuth};

fn bench(c: &mut Criterion) {
    let uri: http::Uri = "http://192.168.1.64/ISAPI/System/deviceInfo?format=json".parse().unwrap();
    for (name, challenge) in [
        (
            "md5_auth",
            r#"Digest realm="DS-GWAS0101(6419)", qop="auth", nonce="4e546c6c4e5459774e7a4e6a4e5759313a57593d""#,
        ),
        (
            "sha256_auth",
            r#"Digest realm="r", qop="auth", algorithm=SHA-256, nonce="4e546c6c4e5459774e7a4e6a4e5759313a57593d""#,
        ),
    ] {
        let auth = HttpAuth::new(Credentials::new("admin", "Abc12345"));
        let mut h = HeaderMap::new();
        h.insert(http::header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        // The exchange answering the challenge: each header is the next nc of that nonce.
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let mut ex = rt.block_on(auth.begin("bench", &uri)).unwrap();
        ex.on_response("bench", http::StatusCode::UNAUTHORIZED, &h).unwrap();
        c.bench_function(&format!("digest_header/{name}"), |b| {
            b.iter(|| ex.authorization("bench", &Method::GET, &uri, b"").unwrap());
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
