//! The delivery-stream mode: each message handed over with an acknowledgement; a batch is
//! committed once all of its deliveries were acknowledged.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use watchpost_core::alarm::{AckGroup, Delivery};
use watchpost_core::error::DecodeError;
use watchpost_core::Error;

use super::engine::{Engine, Step};
use super::{ConsumerHandle, MessageDelivery};

/// How many items wait in the stream before the engine waits for the reader.
const BUFFER: usize = 256;

/// The stream of [`Consumer::deliveries`](super::Consumer::deliveries): deliveries to
/// acknowledge, and the consumer's errors as items. Ends once the consumer was shut down (or
/// failed before its first poll, after yielding that error). Dropping it stops the consumer;
/// the batch in hand is then not committed.
pub struct Deliveries {
    rx: mpsc::Receiver<Result<MessageDelivery, Error>>,
    handle: ConsumerHandle,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Deliveries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliveries").field("handle", &self.handle).finish_non_exhaustive()
    }
}

impl Deliveries {
    /// Controls of the consumer behind the stream.
    pub fn handle(&self) -> ConsumerHandle {
        self.handle.clone()
    }
}

impl Stream for Deliveries {
    type Item = Result<MessageDelivery, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for Deliveries {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn spawn(engine: Engine, handle: ConsumerHandle) -> Deliveries {
    let (tx, rx) = mpsc::channel(BUFFER);
    let task = tokio::spawn(drive(engine, tx));
    Deliveries { rx, handle, task }
}

/// The engine's loop for the stream.
async fn drive(mut engine: Engine, tx: mpsc::Sender<Result<MessageDelivery, Error>>) {
    loop {
        match engine.next().await {
            Step::Stop(None) => break,
            Step::Stop(Some(e)) => {
                let _ = tx.send(Err(e)).await;
                break;
            }
            Step::Idle => {}
            Step::Error(e) => {
                if tx.send(Err(e)).await.is_err() {
                    break;
                }
            }
            Step::Batch(batch, ticket) => {
                for bad in &batch.malformed {
                    let body = bad.raw.to_string();
                    let message = format!("an alarm message did not decode: {}", bad.error);
                    let e = Error::decode("mq.messages", Some(200), body.as_bytes(), DecodeError::Envelope { message });
                    if tx.send(Err(e)).await.is_err() {
                        engine.abandoned(&ticket);
                        return engine.close();
                    }
                }
                let (group, acks) = AckGroup::new(batch.messages.len());
                for (message, ack) in batch.messages.into_iter().zip(acks) {
                    if tx.send(Ok(Delivery::new(message, ack))).await.is_err() {
                        engine.abandoned(&ticket);
                        return engine.close();
                    }
                }
                match engine.finish_or_abandon(group.settled()).await {
                    Some(outcome) if outcome.all_acked() => engine.handled(ticket).await,
                    Some(_) => engine.failed(&ticket),
                    None => engine.abandoned(&ticket),
                }
            }
        }
    }
    engine.close();
}
