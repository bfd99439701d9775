//! The vendor-neutral alarm ([`watchpost_core::alarm`]) and a merged stream over several
//! sources ([`AlarmMerge`]).
//!
//! Every vendor crate maps its own events to [`Alarm`] and hands them out as
//! [`Delivery<Alarm>`]; [`AlarmMerge`] takes any number of such sources, each with its
//! connection state, and yields their alarms tagged with the source's name, in order per source
//! (so per device), with each source's state changes, resync boundaries, errors and end. One
//! consumer loop acknowledges every alarm the same way: a no-op for a pushed source (a Device
//! Gateway), a step towards the batch's offset commit for a queue (Hik-Partner Pro).
//!
//! ```
//! # #[cfg(all(feature = "hikgw", feature = "sim"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use futures_util::StreamExt;
//! use watchpost::alarm::{AlarmMerge, Category, Merged, ResyncNotice};
//! use watchpost::hikgw::models::SubscribeDeviceMgmtMsg;
//! use watchpost::hikgw::sim::Simulator;
//! use watchpost::hikgw::CidCode;
//!
//! let sim = Simulator::start().await?;
//! let client = sim.client_builder().build()?;
//! let alarms = client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
//!
//! let mut merge = AlarmMerge::new();
//! merge.add_source("north", alarms.state(), alarms)?;
//! // merge.add_source("hpp", consumer_state, consumer_alarms)?; // one more source, same loop
//!
//! let panel = sim.device_ids().into_iter().next().ok_or("no panel")?;
//! while let Some(item) = merge.next().await {
//!     match item {
//!         // The subscription is open and the panels' standing state read: raise an alarm.
//!         Merged::Resync { notice: ResyncNotice::Done { .. }, .. } => {
//!             sim.raise_cid(&panel, CidCode::BurglaryAlarm, 1);
//!         }
//!         Merged::Alarm { source, delivery } => {
//!             // Store or forward the alarm, then acknowledge it.
//!             let alarm = delivery.ack();
//!             assert_eq!(&*source, "north");
//!             assert_eq!((alarm.category, alarm.code.as_str()), (Category::Intrusion, "1130"));
//!             break;
//!         }
//!         Merged::State { source, state } => println!("{source}: {state:?}"),
//!         Merged::Error { source, error } => eprintln!("{source}: {}", error.report()),
//!         _ => {}
//!     }
//! }
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "hikgw", feature = "sim")))]
//! # fn main() {}
//! ```

mod merge;

pub use merge::{AlarmMerge, Merged, ResyncNotice, SourceItem, SourceName};
pub use watchpost_core::alarm::*;
