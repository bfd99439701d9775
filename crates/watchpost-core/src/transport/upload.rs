//! Streamed request bodies: a firmware image or an import file sent from a re-openable source
//! (a file path, or a factory of [`AsyncRead`]s) chunk by chunk, never held in memory.
//!
//! A [`StreamedBody`] is a list of segments, in-memory bytes (a multipart head and tail) and
//! sources of a length known up front, so the request carries a `Content-Length`. Every send
//! opens the sources anew: a retry or a Digest re-send after a challenge reads the file again.
//! A source that yields more or fewer bytes than declared fails the send (a transport error),
//! never a short body reported as sent.
//!
//! Progress: [`StreamedBody::progress`] is called with the bytes handed to the connection so
//! far, after each chunk ([`CHUNK`] bytes at most), and starts from 0 again on a re-send.
//!
//! Digest `qop=auth-int` signs `H(body)`: for a streamed body the pipeline computes it with one
//! extra read pass of the sources before the send ([`StreamedBody::hash`]; memory stays one
//! chunk, time is one more read of the file), once per call and algorithm (the value is cached
//! in the body and shared by its clones).

use std::fmt;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use http_body::Frame;
use http_body_util::{BodyExt as _, StreamBody};
use tokio::io::{AsyncRead, AsyncReadExt as _};

use super::service::RequestBody;
use crate::error::BoxError;

/// The most bytes read from a source at a time (and so between two progress calls).
pub const CHUNK: usize = 64 * 1024;

/// A reader a [`BodySource`] opens.
pub type BoxReader = Box<dyn AsyncRead + Send + Unpin>;

/// The future of [`BodySource::open`].
pub type OpenFuture = Pin<Box<dyn Future<Output = io::Result<BoxReader>> + Send>>;

/// Where the bytes of a streamed body come from: opened anew for every pass (each send, and
/// the `auth-int` hash). Every open must yield the same bytes.
pub trait BodySource: Send + Sync + 'static {
    /// Opens the source from its start.
    fn open(&self) -> OpenFuture;
}

/// A file, opened by path for every pass.
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
}

impl FileSource {
    /// The file at `path` and its length now.
    ///
    /// # Errors
    /// When the file's metadata cannot be read or it is not a regular file.
    pub async fn open_len(path: impl AsRef<Path>) -> io::Result<(FileSource, u64)> {
        let path = path.as_ref().to_path_buf();
        let meta = tokio::fs::metadata(&path).await?;
        if !meta.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file", path.display())));
        }
        Ok((FileSource { path }, meta.len()))
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl BodySource for FileSource {
    fn open(&self) -> OpenFuture {
        let path = self.path.clone();
        Box::pin(async move { Ok(Box::new(tokio::fs::File::open(path).await?) as BoxReader) })
    }
}

/// A source made by a factory closure ([`from_fn`]).
pub struct FnSource<F>(F);

impl<F> fmt::Debug for FnSource<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnSource")
    }
}

/// A source that calls `open` for every pass: `from_fn(|| async { Ok(my_reader()) })`.
pub fn from_fn<F, Fut, R>(open: F) -> FnSource<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<R>> + Send + 'static,
    R: AsyncRead + Send + Unpin + 'static,
{
    FnSource(open)
}

impl<F, Fut, R> BodySource for FnSource<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = io::Result<R>> + Send + 'static,
    R: AsyncRead + Send + Unpin + 'static,
{
    fn open(&self) -> OpenFuture {
        let opening = (self.0)();
        Box::pin(async move { Ok(Box::new(opening.await?) as BoxReader) })
    }
}

/// A hash `auth-int` may ask of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyHash {
    /// MD5.
    Md5,
    /// SHA-256.
    Sha256,
    /// SHA-512/256.
    Sha512_256,
}

/// A running hash of one of the [`BodyHash`] kinds.
enum Hasher {
    Md5(md5::Md5),
    Sha256(sha2::Sha256),
    Sha512_256(sha2::Sha512_256),
}

impl Hasher {
    fn new(kind: BodyHash) -> Self {
        use sha2::Digest as _;
        match kind {
            BodyHash::Md5 => Hasher::Md5(md5::Md5::new()),
            BodyHash::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            BodyHash::Sha512_256 => Hasher::Sha512_256(sha2::Sha512_256::new()),
        }
    }

    fn update(&mut self, data: &[u8]) {
        use sha2::Digest as _;
        match self {
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512_256(h) => h.update(data),
        }
    }

    fn hex(self) -> String {
        use sha2::Digest as _;
        match self {
            Hasher::Md5(h) => hex::encode(h.finalize()),
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512_256(h) => hex::encode(h.finalize()),
        }
    }
}

/// One part of a streamed body.
#[derive(Clone)]
enum Segment {
    Bytes(Bytes),
    Source { source: Arc<dyn BodySource>, len: u64 },
}

/// Called with the bytes sent so far and the body's length.
type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A request body streamed from in-memory segments and re-openable sources; see the
/// [module docs](self). Cheap to clone (the segments are shared).
#[derive(Clone)]
pub struct StreamedBody {
    content_type: String,
    segments: Vec<Segment>,
    len: u64,
    progress: Option<ProgressFn>,
    hashes: Arc<Mutex<Vec<(BodyHash, String)>>>,
}

impl fmt::Debug for StreamedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamedBody")
            .field("content_type", &self.content_type)
            .field("segments", &self.segments.len())
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl StreamedBody {
    /// An empty body sent with `content_type`; add segments with [`bytes`](Self::bytes) and
    /// [`source`](Self::source).
    pub fn new(content_type: impl Into<String>) -> Self {
        StreamedBody {
            content_type: content_type.into(),
            segments: Vec::new(),
            len: 0,
            progress: None,
            hashes: Arc::default(),
        }
    }

    /// Appends in-memory bytes.
    #[must_use]
    pub fn bytes(mut self, bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        self.len = self.len.saturating_add(bytes.len() as u64);
        self.segments.push(Segment::Bytes(bytes));
        self
    }

    /// Appends `len` bytes read from `source` (opened anew for every pass).
    #[must_use]
    pub fn source(self, source: impl BodySource, len: u64) -> Self {
        self.shared_source(Arc::new(source), len)
    }

    /// Appends `len` bytes read from a shared `source`.
    #[must_use]
    pub fn shared_source(mut self, source: Arc<dyn BodySource>, len: u64) -> Self {
        self.len = self.len.saturating_add(len);
        self.segments.push(Segment::Source { source, len });
        self
    }

    /// Calls `progress(sent, total)` after each chunk handed to the connection.
    #[must_use]
    pub fn progress(mut self, progress: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// The length of the body (its `Content-Length`).
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `Content-Type` it is sent with.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// Reads every segment once, calling `each` with every chunk.
    ///
    /// # Errors
    /// A read error, or a source longer or shorter than declared.
    pub async fn for_each_chunk(&self, mut each: impl FnMut(&[u8])) -> io::Result<()> {
        for segment in &self.segments {
            match segment {
                Segment::Bytes(b) => each(b),
                Segment::Source { source, len } => read_source(&**source, *len, &mut each).await?,
            }
        }
        Ok(())
    }

    /// The hex hash of the body, by one read pass (cached: later calls, and clones, reuse it).
    ///
    /// # Errors
    /// As [`for_each_chunk`](Self::for_each_chunk).
    pub async fn hash(&self, kind: BodyHash) -> io::Result<String> {
        if let Some((_, hex)) =
            self.hashes.lock().unwrap_or_else(PoisonError::into_inner).iter().find(|(k, _)| *k == kind)
        {
            return Ok(hex.clone());
        }
        let mut hasher = Hasher::new(kind);
        self.for_each_chunk(|chunk| hasher.update(chunk)).await?;
        let hex = hasher.hex();
        self.hashes.lock().unwrap_or_else(PoisonError::into_inner).push((kind, hex.clone()));
        Ok(hex)
    }

    /// A fresh HTTP body: opens the sources as it goes and reports progress.
    pub fn http_body(&self) -> RequestBody {
        let total = self.len;
        let progress = self.progress.clone();
        let segments = self.segments.clone();
        let state = Reading { segments, next: 0, current: None };
        let stream = futures_util::stream::unfold(state, |mut st| async move {
            match st.next_chunk().await {
                Ok(Some(chunk)) => Some((Ok::<_, BoxError>(chunk), st)),
                Ok(None) => None,
                Err(e) => {
                    // Stop after the error: the send fails with it.
                    st.next = st.segments.len();
                    st.current = None;
                    Some((Err(Box::new(e) as BoxError), st))
                }
            }
        })
        .map({
            let mut sent = 0u64;
            move |item| {
                item.map(|chunk| {
                    sent += chunk.len() as u64;
                    if let Some(p) = &progress {
                        p(sent, total);
                    }
                    Frame::data(chunk)
                })
            }
        });
        RequestBody::streamed(StreamBody::new(stream).boxed_unsync(), total)
    }
}

/// Reads `len` bytes of `source` in chunks, calling `each`.
///
/// # Errors
/// A read error, or a source that ends before `len` bytes or has more.
pub async fn read_source(source: &dyn BodySource, len: u64, mut each: impl FnMut(&[u8])) -> io::Result<()> {
    let mut reader = source.open().await?;
    let mut left = len;
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        if n as u64 > left {
            return Err(length_changed(len, "more"));
        }
        left -= n as u64;
        each(chunk);
    }
    if left > 0 {
        return Err(length_changed(len, "fewer"));
    }
    Ok(())
}

fn length_changed(len: u64, how: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the body source yielded {how} bytes than the {len} declared"))
}

/// Where an HTTP body stands in its segments.
struct Reading {
    segments: Vec<Segment>,
    next: usize,
    current: Option<(BoxReader, u64, u64)>,
}

impl Reading {
    /// The next chunk, `None` at the end.
    async fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            if let Some((reader, declared, left)) = &mut self.current {
                let want = usize::try_from((*left).min(CHUNK as u64)).unwrap_or(CHUNK).max(1);
                let mut buf = BytesMut::with_capacity(want);
                let n = reader.read_buf(&mut buf).await?;
                if n == 0 {
                    if *left > 0 {
                        return Err(length_changed(*declared, "fewer"));
                    }
                    self.current = None;
                    continue;
                }
                if n as u64 > *left {
                    return Err(length_changed(*declared, "more"));
                }
                *left -= n as u64;
                return Ok(Some(buf.freeze()));
            }
            let Some(segment) = self.segments.get(self.next).cloned() else { return Ok(None) };
            self.next += 1;
            match segment {
                Segment::Bytes(b) if b.is_empty() => {}
                Segment::Bytes(b) => return Ok(Some(b)),
                Segment::Source { source, len } => {
                    let reader = source.open().await?;
                    self.current = Some((reader, len, len));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body as _;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn source(bytes: &'static [u8], opens: Arc<AtomicUsize>) -> impl BodySource {
        from_fn(move || {
            opens.fetch_add(1, Ordering::SeqCst);
            async move { Ok(std::io::Cursor::new(bytes)) }
        })
    }

    #[tokio::test]
    async fn segments_stream_with_progress_and_reopen_for_each_body() {
        let opens = Arc::new(AtomicUsize::new(0));
        let data: &'static [u8] = Box::leak(vec![7u8; CHUNK * 2 + 10].into_boxed_slice());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let body = StreamedBody::new("multipart/form-data; boundary=b")
            .bytes("head")
            .source(source(data, opens.clone()), data.len() as u64)
            .bytes("tail")
            .progress(move |sent, total| log.lock().unwrap().push((sent, total)));
        let total = 4 + data.len() as u64 + 4;
        assert_eq!((body.len(), body.content_type()), (total, "multipart/form-data; boundary=b"));
        for round in 1..=2 {
            let http = body.http_body();
            assert_eq!(http.size_hint().exact(), Some(total));
            let bytes = http.collect().await.unwrap().to_bytes();
            assert_eq!(bytes.len() as u64, total);
            assert!(bytes.starts_with(b"head") && bytes.ends_with(b"tail"));
            assert_eq!(opens.load(Ordering::SeqCst), round, "each body opens the source anew");
        }
        let seen = seen.lock().unwrap().clone();
        assert!(seen.len() >= 5, "per chunk: {seen:?}");
        assert_eq!(seen.last(), Some(&(total, total)));
    }

    #[tokio::test]
    async fn a_source_of_another_length_fails_the_body() {
        let opens = Arc::new(AtomicUsize::new(0));
        let short = StreamedBody::new("x").source(source(b"abc", opens.clone()), 5);
        let e = short.http_body().collect().await.unwrap_err();
        assert!(e.to_string().contains("fewer"), "{e}");
        let long = StreamedBody::new("x").source(source(b"abcdef", opens.clone()), 5);
        assert!(long.http_body().collect().await.unwrap_err().to_string().contains("more"));
        assert!(long.for_each_chunk(|_| {}).await.is_err());
    }

    #[tokio::test]
    async fn the_hash_is_one_pass_and_cached() {
        let opens = Arc::new(AtomicUsize::new(0));
        let body = StreamedBody::new("x").bytes("a").source(source(b"bc", opens.clone()), 2);
        let md5 = body.hash(BodyHash::Md5).await.unwrap();
        assert_eq!(md5, "900150983cd24fb0d6963f7d28e17f72", "MD5 of abc");
        assert_eq!(body.clone().hash(BodyHash::Md5).await.unwrap(), md5);
        assert_eq!(opens.load(Ordering::SeqCst), 1, "cached, clones included");
        let sha = body.hash(BodyHash::Sha256).await.unwrap();
        assert_eq!(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(opens.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_file_source_reads_the_file() {
        let path = std::env::temp_dir().join(format!("watchpost-upload-{}", std::process::id()));
        tokio::fs::write(&path, b"firmware").await.unwrap();
        let (file, len) = FileSource::open_len(&path).await.unwrap();
        assert_eq!((len, file.path()), (8, path.as_path()));
        let mut got = Vec::new();
        read_source(&file, len, |c| got.extend_from_slice(c)).await.unwrap();
        assert_eq!(got, b"firmware");
        tokio::fs::remove_file(&path).await.unwrap();
        assert!(FileSource::open_len(std::env::temp_dir()).await.is_err(), "a directory is not a file");
    }
}
