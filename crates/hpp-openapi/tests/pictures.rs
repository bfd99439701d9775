//! Alarm pictures against the simulator over loopback: both URL kinds, both encryption modes,
//! single and multi-picture files, wrong keys, damaged files, error bodies; and proptests over
//! the decoders (no panic, no garbage returned as a picture).

use hpp_openapi::pictures::seal::seal;
use hpp_openapi::pictures::{
    decrypt, DecryptError, Encryption, Framing, KeyReading, KeySource, PictureRef, PictureUrlError,
};
use hpp_openapi::requests::AlarmPictureUrlRequest;
use hpp_openapi::sim::{SimEncryption, Simulator, PICTURE_DOWNLOAD_ROUTE};
use hpp_openapi::{Client, Error};
use proptest::prelude::*;
use secrecy::SecretString;
use watchpost_core::error::DecodeError;
use watchpost_core::ErrorKind;

const SERIAL: &str = "E44034229";
const DEVICE_KEY: &str = "ABCDEF";
const PIXEL: &[u8] = include_bytes!("../fixtures/pictures/pixel.jpg");

/// A second, different JPEG: the pixel with a comment segment after its start of image.
fn commented(text: &str) -> Vec<u8> {
    let mut jpeg = PIXEL[..2].to_vec();
    let len = u16::try_from(text.len() + 2).unwrap();
    jpeg.extend_from_slice(&[0xFF, 0xFE]);
    jpeg.extend_from_slice(&len.to_be_bytes());
    jpeg.extend_from_slice(text.as_bytes());
    jpeg.extend_from_slice(&PIXEL[2..]);
    jpeg
}

fn device_key() -> SecretString {
    SecretString::from(DEVICE_KEY)
}

fn device_mode() -> SimEncryption {
    SimEncryption::Device(device_key())
}

async fn start() -> (Simulator, Client) {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    (sim, client)
}

/// The decryption error inside a fetch error.
fn decrypt_error(e: &Error) -> &DecryptError {
    match e {
        Error::Decode { source: DecodeError::Content { source }, .. } => {
            source.downcast_ref::<DecryptError>().unwrap_or_else(|| panic!("not a decrypt error: {e:?}"))
        }
        other => panic!("not a content error: {other:?}"),
    }
}

/// No request to the storage host carried a credential.
fn storage_saw_no_credentials(sim: &Simulator) {
    let downloads = sim.journal().of(PICTURE_DOWNLOAD_ROUTE);
    assert!(!downloads.is_empty(), "nothing was downloaded");
    for entry in downloads {
        for name in entry.headers.keys() {
            assert!(
                !watchpost_core::sim::journal::is_credential_header(name.as_str()),
                "{name} sent to the storage host"
            );
        }
    }
}

#[tokio::test]
async fn a_platform_encrypted_isapi_files_picture_round_trips() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, PIXEL, &SimEncryption::Platform);
    let picture = PictureRef::parse(&path).unwrap();
    assert!(picture.needs_resolving());
    assert!(matches!(picture.encryption(), Encryption::Platform { .. }));

    let decrypted = client.fetch_alarm_picture_decrypted(&picture, None).await.unwrap();
    assert_eq!(decrypted.pictures, vec![PIXEL.to_vec()]);
    assert_eq!(decrypted.reading.key, KeyReading::PlatformHexLower);
    assert_eq!(decrypted.reading.framing, Framing::Single);
    assert_eq!(sim.hits("alarm.pictureurl"), 1);
    // The resolved URL lives on the storage host, not the area host, and got no token.
    let resolved = client.alarm_picture_url(&AlarmPictureUrlRequest::new(path.as_str())).await.unwrap();
    assert!(resolved.encrypt);
    assert!(!resolved.picture_url.starts_with(&sim.area_domain()), "{}", resolved.picture_url);
    storage_saw_no_credentials(&sim);
}

#[tokio::test]
async fn a_file_only_a_fallback_reading_decrypts_is_fetched_and_the_reading_reported() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, PIXEL, &SimEncryption::Platform);
    let picture = PictureRef::parse(&path).unwrap();
    let Encryption::Platform { checksum, timestamp } = picture.encryption().clone() else { panic!("{picture:?}") };
    let key = KeySource::Platform { checksum, timestamp };
    let (one, two) = (commented("one"), commented("two"));
    let little_counted = Framing::Multi { order: hpp_openapi::pictures::ByteOrder::Little, prefix_counted: true };
    let file = seal(&[one.clone(), two.clone()], &key, KeyReading::PlatformRawDigest, little_counted).unwrap();
    assert!(sim.set_picture_file(&path, file));
    let decrypted = client.fetch_alarm_picture_decrypted(&picture, None).await.unwrap();
    assert_eq!(decrypted.pictures, vec![one, two]);
    assert_eq!(decrypted.reading.key, KeyReading::PlatformRawDigest);
    assert_eq!(decrypted.reading.framing, little_counted);
    assert!(!decrypted.reading.is_primary());
    assert_eq!(
        decrypted.reading.to_string(),
        "platform key: raw SHA-256, first 16 bytes, multi-picture, little-endian length counting its own 4 bytes"
    );
}

#[tokio::test]
async fn a_device_encrypted_isapi_files_picture_round_trips_with_the_device_key() {
    let (sim, client) = start().await;
    let jpeg = commented("device");
    let path = sim.encrypted_picture(SERIAL, &jpeg, &device_mode());
    let picture = PictureRef::parse(&path).unwrap();
    assert_eq!(picture.encryption(), &Encryption::Device);
    let pictures = client.fetch_alarm_picture(&picture, Some(&device_key())).await.unwrap();
    assert_eq!(pictures, vec![jpeg]);
    storage_saw_no_credentials(&sim);
}

#[tokio::test]
async fn a_platform_encrypted_multi_picture_direct_url_round_trips_with_the_event_key() {
    let (sim, client) = start().await;
    let (one, two, three) = (commented("one"), commented("two"), commented("three"));
    let issued = sim.direct_picture(SERIAL, &[&one, &two, &three], &SimEncryption::Platform).unwrap();
    let picture = PictureRef::parse(&issued.url).unwrap();
    assert!(picture.is_multi() && !picture.needs_resolving());
    assert_eq!(picture.encryption(), &Encryption::PlatformFromEvent);

    // Without the event's key material nothing is sent.
    let e = client.fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(sim.journal().of(PICTURE_DOWNLOAD_ROUTE).is_empty());

    let picture = picture.with_platform_key(&issued.checksum, &issued.alarm_time);
    let decrypted = client.fetch_alarm_picture_decrypted(&picture, None).await.unwrap();
    assert_eq!(decrypted.pictures, vec![one, two, three]);
    assert!(matches!(decrypted.reading.framing, Framing::Multi { .. }));
    assert!(decrypted.reading.is_primary());
    assert_eq!(sim.hits("alarm.pictureurl"), 0, "a direct URL needs no resolving");
    storage_saw_no_credentials(&sim);
}

#[tokio::test]
async fn a_device_encrypted_multi_picture_direct_url_round_trips() {
    let (sim, client) = start().await;
    let (one, two) = (commented("left camera"), commented("right camera"));
    let issued = sim.direct_picture(SERIAL, &[&one, &two], &device_mode()).unwrap();
    let picture = PictureRef::parse(&issued.url).unwrap();
    assert_eq!((picture.encryption(), picture.is_multi()), (&Encryption::Device, true));
    let pictures = client.fetch_alarm_picture(&picture, Some(&device_key())).await.unwrap();
    assert_eq!(pictures, vec![one, two]);
}

#[tokio::test]
async fn plain_pictures_need_no_key() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, PIXEL, &SimEncryption::Plain);
    let pictures = client.fetch_alarm_picture(&PictureRef::parse(&path).unwrap(), None).await.unwrap();
    assert_eq!(pictures, vec![PIXEL.to_vec()]);
    let issued = sim.direct_picture(SERIAL, &[PIXEL, PIXEL], &SimEncryption::Plain).unwrap();
    let pictures = client.fetch_alarm_picture(&PictureRef::parse(&issued.url).unwrap(), None).await.unwrap();
    assert_eq!(pictures.len(), 2);
}

#[tokio::test]
async fn a_wrong_device_key_is_a_typed_error_and_a_missing_one_sends_nothing() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, PIXEL, &device_mode());
    let picture = PictureRef::parse(&path).unwrap();

    let e = client.fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.hits("alarm.pictureurl"), 0, "nothing sent without the key");

    let wrong = SecretString::from("ABCDEG");
    let e = client.fetch_alarm_picture(&picture, Some(&wrong)).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::WrongKey);
    assert!(!format!("{e:?} {e}").contains("ABCDEG"), "the key stays out of the error");

    // The multi-picture file too.
    let issued = sim.direct_picture(SERIAL, &[PIXEL, PIXEL], &device_mode()).unwrap();
    let e = client.fetch_alarm_picture(&PictureRef::parse(&issued.url).unwrap(), Some(&wrong)).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::WrongKey);
}

#[tokio::test]
async fn a_wrong_checksum_is_a_typed_error() {
    let (sim, client) = start().await;
    let issued = sim.direct_picture(SERIAL, &[PIXEL], &SimEncryption::Platform).unwrap();
    let mut checksum = issued.checksum.clone();
    checksum.replace_range(..1, if checksum.starts_with('0') { "1" } else { "0" });
    let picture = PictureRef::parse(&issued.url).unwrap().with_platform_key(checksum, &issued.alarm_time);
    let e = client.fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::WrongKey);
    // A wrong alarm time as well.
    let picture = PictureRef::parse(&issued.url).unwrap().with_platform_key(&issued.checksum, "2024-05-08T00:00:00");
    let e = client.fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::WrongKey);
}

#[tokio::test]
async fn damaged_files_are_typed_errors() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, &commented("damaged"), &SimEncryption::Platform);
    let picture = PictureRef::parse(&path).unwrap();
    let file = sim.picture_file(&path).unwrap();
    let fetch_with = |bytes: Vec<u8>| {
        assert!(sim.set_picture_file(&path, bytes));
        client.fetch_alarm_picture(&picture, None)
    };

    let mut flipped = file.clone();
    flipped[60] ^= 0x10; // the first ciphertext block: no JPEG start
    assert_eq!(decrypt_error(&fetch_with(flipped).await.unwrap_err()), &DecryptError::WrongKey);

    let mut flipped = file.clone();
    let last = flipped.len() - 1; // the padding
    flipped[last] ^= 0x10;
    assert!(matches!(decrypt_error(&fetch_with(flipped).await.unwrap_err()), DecryptError::Corrupt { .. }));

    let truncated = file[..file.len() - 7].to_vec();
    assert_eq!(decrypt_error(&fetch_with(truncated).await.unwrap_err()), &DecryptError::Truncated);

    let headless = file[16..].to_vec();
    assert_eq!(decrypt_error(&fetch_with(headless).await.unwrap_err()), &DecryptError::NotAPicture);

    let mut renamed = file.clone();
    renamed[..16].copy_from_slice(b"hikencodepictura");
    assert_eq!(decrypt_error(&fetch_with(renamed).await.unwrap_err()), &DecryptError::NotAPicture);

    assert_eq!(decrypt_error(&fetch_with(Vec::new()).await.unwrap_err()), &DecryptError::NotAPicture);

    // A device-encrypted file damaged in its check bytes reads as the wrong key; in its first
    // block (the key matched) as damage.
    let path = sim.encrypted_picture(SERIAL, PIXEL, &device_mode());
    let picture = PictureRef::parse(&path).unwrap();
    let file = sim.picture_file(&path).unwrap();
    let mut check = file.clone();
    check[17] ^= 0x01;
    sim.set_picture_file(&path, check);
    let e = client.fetch_alarm_picture(&picture, Some(&device_key())).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::WrongKey);
    let mut block = file.clone();
    block[49] ^= 0x01;
    sim.set_picture_file(&path, block);
    let e = client.fetch_alarm_picture(&picture, Some(&device_key())).await.unwrap_err();
    assert!(matches!(decrypt_error(&e), DecryptError::Corrupt { .. }), "{e:?}");
}

#[tokio::test]
async fn a_json_error_body_where_a_picture_was_expected_is_the_vendor_error() {
    let (sim, client) = start().await;
    let path = sim.encrypted_picture(SERIAL, PIXEL, &SimEncryption::Platform);
    sim.set_picture_file(&path, &br#"{"errorCode":"LAP035004","message":"Invalid format of the URL"}"#[..]);
    let e = client.fetch_alarm_picture(&PictureRef::parse(&path).unwrap(), None).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Api, "{e:?}");
    assert_eq!(e.vendor_code(), Some("LAP035004"));

    // A JSON body saying success is no picture either.
    sim.set_picture_file(&path, &br#"{"errorCode":"0","data":{}}"#[..]);
    let e = client.fetch_alarm_picture(&PictureRef::parse(&path).unwrap(), None).await.unwrap_err();
    assert_eq!(decrypt_error(&e), &DecryptError::NotAPicture);
}

#[tokio::test]
async fn a_picture_the_storage_does_not_have_is_an_http_error() {
    let (sim, client) = start().await;
    let issued = sim.direct_picture(SERIAL, &[PIXEL], &SimEncryption::Plain).unwrap();
    let missing = issued.url.replace("fileId=", "fileId=gone");
    let e = client.fetch_alarm_picture(&PictureRef::parse(&missing).unwrap(), None).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Api, Some(404)));
}

/// A storage host that answers every connection with `answer`, exactly.
async fn hostile_storage(answer: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

/// A client that needs no simulator: direct URLs only.
fn direct_client(max_body: usize) -> Client {
    Client::builder()
        .app_key("k")
        .secret_key("s")
        .token_host("http://127.0.0.1:9")
        .max_body_size(max_body)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_storage_redirect_is_not_followed() {
    let host = hostile_storage(
        b"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.example/pic.jpg\r\nContent-Length: 0\r\n\r\n".to_vec(),
    )
    .await;
    let picture = PictureRef::parse(&format!("{host}/v3/alarms/pic/get?fileId=x&isEncrypted=0")).unwrap();
    let e = direct_client(1 << 20).fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::Redirect, Some(302)), "{e:?}");
}

#[tokio::test]
async fn an_oversized_picture_is_refused_at_the_body_limit() {
    let mut answer = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 70000\r\n\r\n".to_vec();
    answer.extend_from_slice(PIXEL);
    answer.resize(answer.len() + 70_000 - PIXEL.len(), 0);
    let host = hostile_storage(answer).await;
    let picture = PictureRef::parse(&format!("{host}/p?isEncrypted=0")).unwrap();
    let e = direct_client(64 * 1024).fetch_alarm_picture(&picture, None).await.unwrap_err();
    assert!(matches!(&e, Error::Decode { source: DecodeError::TooLarge { limit: 65536 }, .. }), "{e:?}");
}

#[tokio::test]
async fn a_picture_cut_short_by_the_storage_host_is_an_error() {
    let key = KeySource::Device(device_key());
    let file = hpp_openapi::pictures::seal::seal_one(
        PIXEL,
        &key,
        KeyReading::Device { check: hpp_openapi::pictures::DeviceCheck::RawInner },
    )
    .unwrap();
    let mut answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", file.len()).into_bytes();
    answer.extend_from_slice(&file[..file.len() - 20]);
    let host = hostile_storage(answer).await;
    let picture = PictureRef::parse(&format!("{host}/p?isEncrypted=1")).unwrap();
    let e = direct_client(1 << 20).fetch_alarm_picture(&picture, Some(&device_key())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decrypt_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512), pick in 0u8..3) {
        let key = match pick {
            0 => KeySource::None,
            1 => KeySource::Device(SecretString::from(DEVICE_KEY)),
            _ => KeySource::Platform { checksum: "c".into(), timestamp: "t".into() },
        };
        if let Ok(d) = decrypt(&bytes, &key) {
            // Whatever is accepted is JPEG pictures taken from the bytes, never garbage.
            prop_assert!(d.pictures.iter().all(|p| p.starts_with(&[0xFF, 0xD8, 0xFF])));
            prop_assert_eq!(d.reading.key, KeyReading::Plain, "random bytes never decrypt");
        }
    }

    #[test]
    fn a_header_prefixed_or_framed_random_file_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        len in any::<u32>(),
        little in any::<bool>(),
    ) {
        let key = KeySource::Platform { checksum: "c".into(), timestamp: "t".into() };
        let mut single = b"hikencodepicture".to_vec();
        single.extend_from_slice(&body);
        prop_assert!(decrypt(&single, &key).is_err());
        let mut framed = if little { len.to_le_bytes() } else { len.to_be_bytes() }.to_vec();
        framed.extend_from_slice(&single);
        prop_assert!(decrypt(&framed, &key).is_err());
    }

    #[test]
    fn mutated_multi_picture_files_never_panic_nor_yield_garbage(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in 0usize..64,
        device in any::<bool>(),
    ) {
        let key = if device {
            KeySource::Device(device_key())
        } else {
            KeySource::Platform { checksum: "c".into(), timestamp: "t".into() }
        };
        let reading = if device {
            KeyReading::Device { check: hpp_openapi::pictures::DeviceCheck::RawInner }
        } else {
            KeyReading::PlatformHexLower
        };
        let framing = hpp_openapi::pictures::frame::MULTI_READINGS[0];
        let mut file = seal(&[PIXEL.to_vec(), commented("second")], &key, reading, framing).unwrap();
        for (at, value) in &edits {
            let i = at.index(file.len());
            file[i] = *value;
        }
        file.truncate(file.len().saturating_sub(cut));
        if let Ok(d) = decrypt(&file, &key) {
            prop_assert!(!d.pictures.is_empty() && d.pictures.len() <= 2);
            prop_assert!(d.pictures.iter().all(|p| p.starts_with(&[0xFF, 0xD8, 0xFF])));
        }
    }

    #[test]
    fn picture_urls_never_panic(url in ".{0,200}", tail in "[a-zA-Z0-9=&$,_./:?%-]{0,120}") {
        let _ = PictureRef::parse(&url);
        let _ = PictureRef::parse(&format!("ISAPI_FILES/{tail}"));
        let _ = PictureRef::parse(&format!("https://h.example/p?{tail}"));
        if let Ok(p) = PictureRef::parse(&format!("ISAPI_FILES/{tail}$encrypt=2,{tail},{tail}")) {
            prop_assert!(p.needs_resolving());
        }
    }

    #[test]
    fn generated_isapi_paths_parse_to_their_parts(
        serial in "[A-Z][0-9]{8}",
        ch in 1u32..64,
        ts in "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]",
        checksum in "[0-9a-f]{30,32}",
    ) {
        let p = PictureRef::parse(&format!("ISAPI_FILES/{serial}_{ch}/20220107064543310-{serial}-{ch}-10000-5$encrypt=2,{ts},{checksum}")).unwrap();
        prop_assert_eq!(p.device_serial(), Some(serial.as_str()));
        prop_assert_eq!(p.channel(), Some(ch));
        prop_assert_eq!(p.encryption(), &Encryption::Platform { checksum, timestamp: ts });
    }
}

/// Every single-bit flip in the regions decryption checks (the header, the first ciphertext
/// block with the JPEG start, the last block with the padding), and every cut, is refused: an
/// exhaustive loop, not a sample, so the outcome cannot depend on a random seed.
#[test]
fn damage_to_the_checked_regions_is_always_refused() {
    let key = KeySource::Platform { checksum: "fd9b7f16".into(), timestamp: "2021-08-09T12:54:25".into() };
    for jpeg in [PIXEL.to_vec(), commented("a longer picture, three blocks more than the pixel")] {
        let file = hpp_openapi::pictures::seal::seal_one(&jpeg, &key, KeyReading::PlatformHexLower).unwrap();
        assert_eq!(decrypt(&file, &key).unwrap().pictures, vec![jpeg.clone()]);
        let regions = (0..16).chain(48..64).chain(file.len() - 16..file.len());
        for at in regions {
            for bit in 0..8 {
                let mut damaged = file.clone();
                damaged[at] ^= 1 << bit;
                assert!(decrypt(&damaged, &key).is_err(), "byte {at} bit {bit}");
            }
        }
        for cut in 1..file.len() {
            assert!(decrypt(&file[..file.len() - cut], &key).is_err(), "cut {cut}");
        }
    }
}

#[test]
fn unknown_url_forms_are_typed_errors() {
    assert_eq!(PictureRef::parse("data:image/jpeg;base64,AAAA"), Err(PictureUrlError::UnknownForm));
    assert_eq!(PictureRef::parse("ISAPI_FILES/x_1/y$encrypt=9"), Err(PictureUrlError::BadEncryptFlag("9".into())));
}
