//! The engine's one sort. Every `sort` call on another element type or with another
//! comparison makes the compiler emit another copy of the standard library's sort, 2–4 KB of
//! wasm each; every ordering in the engine goes through this single instantiation instead:
//! indices, ordered by a comparison of the items they stand for.

use std::cmp::Ordering;

/// `0..n` in the order `cmp` gives; stable, so indices that compare equal stay ascending.
pub fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// `items`, ascending.
pub fn sorted<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    sorted_indices(items.len(), &|a, b| items[a].cmp(&items[b])).into_iter().map(|i| items[i]).collect()
}

/// The distinct values of `items`, ascending.
pub fn sorted_unique<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut out = sorted(items);
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_stably_and_dedups() {
        let keys = [3, 1, 2, 1, 3, 0];
        assert_eq!(sorted_indices(keys.len(), &|a, b| keys[a].cmp(&keys[b])), vec![5, 1, 3, 2, 0, 4]);
        assert_eq!(sorted(&keys), vec![0, 1, 1, 2, 3, 3]);
        assert_eq!(sorted_unique(&keys), vec![0, 1, 2, 3]);
        assert_eq!(sorted_unique(&['b', 'a', 'b']), vec!['a', 'b']);
        assert_eq!(sorted_unique::<(u32, u32)>(&[]), vec![]);
    }
}
