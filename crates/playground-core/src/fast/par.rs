//! How the fast engine splits an op into tasks for rayon's pool: native threads, Web Workers in
//! the threaded wasm, or the calling thread alone (the single-threaded wasm, where rayon runs
//! every task in place).

/// Fewest units of work (multiply-adds, or elements for a pass) worth a task of their own:
/// below it, handing the task to another thread costs more than running it.
const MIN_WORK: usize = 1 << 15;

/// Tasks per thread, so that threads slowed by other work still finish together.
const TASKS_PER_THREAD: usize = 4;

/// Threads the engine's ops run on.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Rows per task when `rows` rows of `work_per_row` units each are split over the threads:
/// at least `MIN_WORK` units a task, at most `TASKS_PER_THREAD` tasks a thread, at least one row.
pub fn rows_per_task(rows: usize, work_per_row: usize) -> usize {
    let by_work = MIN_WORK.div_ceil(work_per_row.max(1));
    let by_threads = rows.div_ceil(threads() * TASKS_PER_THREAD);
    by_work.max(by_threads).clamp(1, rows.max(1))
}
