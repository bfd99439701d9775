//! Ctrl-C: the first one asks the running command to stop cleanly (a stream unsubscribes, with
//! a short deadline); the second one exits at once with [`EXIT_INTERRUPTED`].

use tokio::sync::watch;

use crate::error::EXIT_INTERRUPTED;

/// How many Ctrl-C the process has received, for commands that stop cleanly on the first.
#[derive(Clone, Debug)]
pub struct Interrupt {
    count: watch::Receiver<u32>,
}

impl Interrupt {
    /// Starts listening for Ctrl-C (SIGINT) on the current runtime. From now on the first Ctrl-C
    /// only wakes [`Interrupt::requested`]; the second ends the process with exit code 130
    /// without waiting for anything.
    pub fn listen() -> Interrupt {
        let (tx, count) = watch::channel(0u32);
        tokio::spawn(async move {
            let mut n = 0u32;
            loop {
                if let Err(e) = tokio::signal::ctrl_c().await {
                    tracing::warn!(error = %e, "cannot listen for Ctrl-C");
                    return;
                }
                n += 1;
                if n >= 2 {
                    tell!("interrupted again: exiting now");
                    std::process::exit(i32::from(EXIT_INTERRUPTED));
                }
                let _ = tx.send(n);
            }
        });
        Interrupt { count }
    }

    /// Resolves once the first Ctrl-C has arrived (at once if it already has).
    pub async fn requested(&mut self) {
        if self.count.wait_for(|n| *n > 0).await.is_err() {
            // The listener could not start: never resolve, as without a handler.
            std::future::pending::<()>().await;
        }
    }
}
