//! How the fast engine splits an op into tasks: on rayon's pool natively and in the threaded
//! wasm (Web Workers), and in order on the calling thread in the single-threaded wasm, which
//! links no rayon. `prelude` gives both the same names (`par_chunks`, `par_chunks_mut`,
//! `into_par_iter`, `par_iter_mut`), so each op is written once.

/// Fewest units of work (multiply-adds, or elements for a pass) worth a task of their own:
/// below it, handing the task to another thread costs more than running it.
const MIN_WORK: usize = 1 << 15;

/// Tasks per thread, so that threads slowed by other work still finish together.
const TASKS_PER_THREAD: usize = 4;

/// rayon's parallel iterators, each made with the least length a task may have: 1 (rayon
/// splits as it likes) on the pool, everything inside `on_this_thread`, where the iterator
/// then runs in order on the calling thread and hands no task to the pool.
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub mod prelude {
    use rayon::iter::MinLen;
    pub use rayon::iter::{IndexedParallelIterator, ParallelIterator};
    use rayon::prelude as r;

    fn min_len() -> usize {
        if super::ON_THIS_THREAD.get() {
            usize::MAX
        } else {
            1
        }
    }

    pub trait ParallelSlice<T: Sync> {
        fn par_chunks(&self, size: usize) -> MinLen<rayon::slice::Chunks<'_, T>>;
    }

    impl<T: Sync> ParallelSlice<T> for [T] {
        fn par_chunks(&self, size: usize) -> MinLen<rayon::slice::Chunks<'_, T>> {
            r::ParallelSlice::par_chunks(self, size).with_min_len(min_len())
        }
    }

    pub trait ParallelSliceMut<T: Send> {
        fn par_chunks_mut(&mut self, size: usize) -> MinLen<rayon::slice::ChunksMut<'_, T>>;
        fn par_iter_mut(&mut self) -> MinLen<rayon::slice::IterMut<'_, T>>;
    }

    impl<T: Send> ParallelSliceMut<T> for [T] {
        fn par_chunks_mut(&mut self, size: usize) -> MinLen<rayon::slice::ChunksMut<'_, T>> {
            r::ParallelSliceMut::par_chunks_mut(self, size).with_min_len(min_len())
        }

        fn par_iter_mut(&mut self) -> MinLen<rayon::slice::IterMut<'_, T>> {
            r::IntoParallelRefMutIterator::par_iter_mut(self).with_min_len(min_len())
        }
    }

    pub trait IntoParallelIterator {
        fn into_par_iter(self) -> MinLen<rayon::range::Iter<usize>>;
    }

    impl IntoParallelIterator for std::ops::Range<usize> {
        fn into_par_iter(self) -> MinLen<rayon::range::Iter<usize>> {
            r::IntoParallelIterator::into_par_iter(self).with_min_len(min_len())
        }
    }
}

/// rayon's names for the iterators the ops use, as the standard library's sequential ones.
#[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
pub mod prelude {
    use std::slice::{Chunks, ChunksMut, IterMut};

    pub trait ParallelSlice<T> {
        fn par_chunks(&self, size: usize) -> Chunks<'_, T>;
    }

    impl<T> ParallelSlice<T> for [T] {
        fn par_chunks(&self, size: usize) -> Chunks<'_, T> {
            self.chunks(size)
        }
    }

    pub trait ParallelSliceMut<T> {
        fn par_chunks_mut(&mut self, size: usize) -> ChunksMut<'_, T>;
        fn par_iter_mut(&mut self) -> IterMut<'_, T>;
    }

    impl<T> ParallelSliceMut<T> for [T] {
        fn par_chunks_mut(&mut self, size: usize) -> ChunksMut<'_, T> {
            self.chunks_mut(size)
        }

        fn par_iter_mut(&mut self) -> IterMut<'_, T> {
            self.iter_mut()
        }
    }

    pub trait IntoParallelIterator: IntoIterator + Sized {
        fn into_par_iter(self) -> Self::IntoIter {
            self.into_iter()
        }
    }

    impl IntoParallelIterator for std::ops::Range<usize> {}
}

#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
thread_local! {
    /// Set while this thread runs `on_this_thread`'s closure.
    static ON_THIS_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Threads the engine's ops run on: rayon's pool, or one inside `on_this_thread`.
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub fn threads() -> usize {
    if ON_THIS_THREAD.get() {
        1
    } else {
        rayon::current_num_threads()
    }
}

/// Runs `f` with the ops it calls planned for one thread (`threads()` is 1 inside): for work
/// that is already one of several running side by side on the pool (a training step's batch
/// shards), where splitting each op again would only add hand-offs. The plan depends on
/// nothing but this, so the results do not depend on which thread runs what.
#[cfg(any(feature = "threads", not(target_arch = "wasm32")))]
pub fn on_this_thread<R>(f: impl FnOnce() -> R) -> R {
    // restored afterwards: rayon may run one shard inside another's wait on the same thread
    let outer = ON_THIS_THREAD.replace(true);
    let r = f();
    ON_THIS_THREAD.set(outer);
    r
}

/// Threads the engine's ops run on: the calling one.
#[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
pub fn threads() -> usize {
    1
}

/// Runs `f`: without threads every op already runs on the calling thread.
#[cfg(all(target_arch = "wasm32", not(feature = "threads")))]
pub fn on_this_thread<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Rows per task when `rows` rows of `work_per_row` units each are split over the threads:
/// at least `MIN_WORK` units a task, at most `TASKS_PER_THREAD` tasks a thread, at least one row.
pub fn rows_per_task(rows: usize, work_per_row: usize) -> usize {
    let by_work = MIN_WORK.div_ceil(work_per_row.max(1));
    let by_threads = rows.div_ceil(threads() * TASKS_PER_THREAD);
    by_work.max(by_threads).clamp(1, rows.max(1))
}
