//! The batch pipeline of `gouji check`: every report read, checked and rendered on worker
//! threads, and the results handed on in input order, with at most a window of them in
//! memory whatever the size of the batch.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

/// Results in flight at most: enough to keep every core busy behind a slow report, few
/// enough that memory does not grow with the batch.
const WINDOW: usize = 256;

/// Runs `work(i)` for `i` in `0..count` on `jobs` threads (each with a stack of `stack`
/// bytes) and calls `deliver` with the results in the order of `i`, on the calling thread.
/// A worker does not start item `i` before the result of item `i - WINDOW` was delivered, so
/// at most [`WINDOW`] results are held.
///
/// Errors only if no worker thread could be started.
pub(super) fn in_order<T: Send>(
    count: usize,
    jobs: usize,
    stack: usize,
    work: impl Fn(usize) -> T + Sync,
    mut deliver: impl FnMut(T),
) -> std::io::Result<()> {
    let next_item = AtomicUsize::new(0);
    // How many results have been delivered; workers wait on it to stay within the window.
    let delivered = Mutex::new(0usize);
    let advanced = Condvar::new();
    let (sender, receiver) = mpsc::sync_channel::<(usize, T)>(WINDOW);
    std::thread::scope(|scope| {
        let mut started = 0;
        let mut failure = None;
        for _ in 0..jobs.max(1).min(count.max(1)) {
            let sender = sender.clone();
            let (next_item, delivered, advanced, work) = (&next_item, &delivered, &advanced, &work);
            let worker = move || {
                loop {
                    let i = next_item.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    {
                        let mut done = delivered
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        while i >= *done + WINDOW {
                            done = advanced
                                .wait(done)
                                .unwrap_or_else(std::sync::PoisonError::into_inner);
                        }
                    }
                    if sender.send((i, work(i))).is_err() {
                        break;
                    }
                }
            };
            match std::thread::Builder::new()
                .stack_size(stack)
                .spawn_scoped(scope, worker)
            {
                Ok(_) => started += 1,
                Err(e) => failure = Some(e),
            }
        }
        drop(sender);
        if started == 0 {
            return Err(failure.unwrap_or_else(|| std::io::Error::other("no worker")));
        }
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        let mut next = 0;
        for (i, result) in receiver {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&next) {
                deliver(result);
                next += 1;
                *delivered
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
                advanced.notify_all();
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_within_the_window() {
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        in_order(
            3 * WINDOW + 7,
            4,
            1 << 20,
            |i| {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later items finish first, so that the reorder buffer is used.
                std::thread::sleep(std::time::Duration::from_micros(
                    ((i * 7919) % 13) as u64 * 50,
                ));
                i
            },
            |i| {
                in_flight.fetch_sub(1, Ordering::SeqCst);
                seen.push(i);
            },
        )
        .unwrap();
        assert_eq!(seen, (0..3 * WINDOW + 7).collect::<Vec<_>>());
        assert!(most.load(Ordering::SeqCst) <= WINDOW);
    }

    #[test]
    fn an_empty_batch_delivers_nothing() {
        let mut delivered = 0;
        in_order(0, 2, 1 << 20, |i| i, |_| delivered += 1).unwrap();
        assert_eq!(delivered, 0);
    }
}
