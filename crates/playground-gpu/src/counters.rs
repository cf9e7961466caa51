//! How many GPU buffers a `GpuContext` has created and how many are still alive, for the soak
//! test: training allocates once per model, so over a long run `live` must stay flat (a leak
//! shows as growth). Every buffer the crate creates carries a [`Tracked`] token; the last clone
//! of a tensor drops it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The counts of one context, shared by every token it hands out.
#[derive(Debug, Default)]
pub struct BufferCounter {
    created: AtomicU64,
    live: AtomicU64,
    live_bytes: AtomicU64,
}

/// A snapshot of a [`BufferCounter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferStats {
    /// Buffers created since the context was.
    pub created: u64,
    /// Buffers alive now (created, not yet dropped).
    pub live: u64,
    /// Their sizes, summed.
    pub live_bytes: u64,
}

/// Held by a buffer's owner; counts the buffer as alive until dropped.
#[derive(Debug)]
pub struct Tracked {
    counter: Arc<BufferCounter>,
    bytes: u64,
}

impl BufferCounter {
    /// Counts a new buffer of `bytes`; it stays alive until the token is dropped.
    pub fn track(self: &Arc<Self>, bytes: u64) -> Tracked {
        self.created.fetch_add(1, Ordering::Relaxed);
        self.live.fetch_add(1, Ordering::Relaxed);
        self.live_bytes.fetch_add(bytes, Ordering::Relaxed);
        Tracked { counter: self.clone(), bytes }
    }

    pub fn stats(&self) -> BufferStats {
        BufferStats {
            created: self.created.load(Ordering::Relaxed),
            live: self.live.load(Ordering::Relaxed),
            live_bytes: self.live_bytes.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.counter.live.fetch_sub(1, Ordering::Relaxed);
        self.counter.live_bytes.fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_count_buffers_alive_until_dropped() {
        let counter = Arc::new(BufferCounter::default());
        let a = counter.track(256);
        let b = counter.track(1024);
        assert_eq!(counter.stats(), BufferStats { created: 2, live: 2, live_bytes: 1280 });
        drop(a);
        assert_eq!(counter.stats(), BufferStats { created: 2, live: 1, live_bytes: 1024 });
        drop(b);
        assert_eq!(counter.stats(), BufferStats { created: 2, live: 0, live_bytes: 0 });
    }
}
