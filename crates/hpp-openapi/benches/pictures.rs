//! Decryption throughput of alarm pictures (MB/s): a 1 MiB picture in platform and device
//! mode, a multi-picture file of four 256 KiB pictures, a platform file that only the last
//! fallback key reading decrypts (the cost of the fallbacks), and a plain picture (the JPEG
//! check alone).
//!
//! Run with `cargo bench -p hpp-openapi --bench pictures`.

use std::hint::black_box;

use criterion::{criterion_main, Criterion, Throughput};
use hpp_openapi::pictures::frame::MULTI_READINGS;
use hpp_openapi::pictures::seal::seal;
use hpp_openapi::pictures::{decrypt, DeviceCheck, Framing, KeyReading, KeySource};
use secrecy::SecretString;

const PIXEL: &[u8] = include_bytes!("../fixtures/pictures/pixel.jpg");

/// A JPEG of about `size` bytes: the pixel with comment segments after its start of image.
fn jpeg(size: usize) -> Vec<u8> {
    let mut out = PIXEL[..2].to_vec();
    let mut i = 0u8;
    while out.len() + PIXEL.len() < size {
        let n = (size - out.len() - PIXEL.len()).clamp(8, 65_000);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
        out.extend((0..n - 2).map(|j| i.wrapping_add(j as u8)));
        i = i.wrapping_add(1);
    }
    out.extend_from_slice(&PIXEL[2..]);
    out
}

fn platform() -> KeySource {
    KeySource::Platform { checksum: "107be007f872b61a720d4c1b075c96".into(), timestamp: "2022-01-07T08:58:43".into() }
}

fn device() -> KeySource {
    KeySource::Device(SecretString::from("ABCDEF"))
}

fn bench(c: &mut Criterion) {
    let big = jpeg(1 << 20);
    let quarter = jpeg(1 << 18);
    let device_reading = KeyReading::Device { check: DeviceCheck::RawInner };
    let cases: Vec<(&str, Vec<u8>, KeySource)> = vec![
        (
            "platform_1MiB",
            seal(std::slice::from_ref(&big), &platform(), KeyReading::PlatformHexLower, Framing::Single).unwrap(),
            platform(),
        ),
        (
            "device_1MiB",
            seal(std::slice::from_ref(&big), &device(), device_reading, Framing::Single).unwrap(),
            device(),
        ),
        (
            "platform_multi_4x256KiB",
            seal(&vec![quarter; 4], &platform(), KeyReading::PlatformHexLower, MULTI_READINGS[0]).unwrap(),
            platform(),
        ),
        (
            "platform_last_fallback_1MiB",
            seal(std::slice::from_ref(&big), &platform(), KeyReading::PlatformRawDigest, Framing::Single).unwrap(),
            platform(),
        ),
        ("plain_1MiB", big, KeySource::None),
    ];
    let mut g = c.benchmark_group("pictures_decrypt");
    for (name, file, key) in &cases {
        assert!(decrypt(file, key).is_ok(), "{name} must decrypt");
        g.throughput(Throughput::Bytes(file.len() as u64));
        g.bench_function(*name, |b| b.iter(|| decrypt(black_box(file), black_box(key)).map(|d| d.pictures.len())));
    }
    g.finish();
}

/// The benchmark group: 30 samples.
fn benches() {
    let mut c = Criterion::default().sample_size(30).configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
