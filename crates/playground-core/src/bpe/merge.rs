//! The BPE merge loop on one piece, as tiktoken and GPT-2's encoder.py run it: repeatedly
//! merge the adjacent pair of lowest rank, the leftmost one when a rank occurs twice (as in
//! "aaa": `[aa][a]`), until no adjacent pair has a rank.
//!
//! A heap of candidate pairs keyed (rank, position) over a linked list of symbols makes this
//! O(n log n) in the piece's length n, so one hostile 1 MB "word" does not take minutes the
//! way the O(n²) rescan would. Entries are never removed from the heap: an entry whose two
//! symbols have changed since it was pushed is skipped when it comes out.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Marks a symbol merged into its left neighbour. No vocabulary reaches 2³² tokens.
const GONE: u32 = u32::MAX;

/// Scratch buffers, reused from piece to piece so that encoding allocates once.
#[derive(Default)]
pub(crate) struct Merger {
    next: Vec<usize>,                     // index of the next live symbol; ids.len() past the end
    prev: Vec<usize>,                     // index of the previous live symbol; usize::MAX before the start
    heap: BinaryHeap<Reverse<Candidate>>, // the smallest (rank, left) comes out first
}

/// A pair that could merge, as it was when pushed. Ordered by rank, then position.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    rank: u32,
    left: usize, // position of the left symbol in the piece
    left_id: u32,
    right_id: u32,
    merged: u32,
}

impl Merger {
    /// Merges `ids` (a piece's byte tokens) in place. `rank(a, b)` gives the rank of the
    /// pair and the id it merges into, or `None` if `a b` is not a merge.
    pub(crate) fn merge(&mut self, ids: &mut Vec<u32>, rank: impl Fn(u32, u32) -> Option<(u32, u32)>) {
        let n = ids.len();
        if n < 2 {
            return;
        }
        self.next.clear();
        self.next.extend(1..=n);
        self.prev.clear();
        self.prev.extend((0..n).map(|i| i.wrapping_sub(1)));
        self.heap.clear();
        for left in 0..n - 1 {
            self.push(ids, left, left + 1, &rank);
        }

        while let Some(Reverse(Candidate { left, left_id, right_id, merged, .. })) = self.heap.pop() {
            let right = self.next[left];
            // stale: the left symbol was merged away or changed, or so was its neighbour
            if ids[left] != left_id || right >= n || ids[right] != right_id {
                continue;
            }
            ids[left] = merged;
            ids[right] = GONE;
            let after = self.next[right];
            self.next[left] = after;
            if after < n {
                self.prev[after] = left;
                self.push(ids, left, after, &rank);
            }
            let before = self.prev[left];
            if before < n {
                self.push(ids, before, left, &rank);
            }
        }
        ids.retain(|&id| id != GONE);
    }

    fn push(&mut self, ids: &[u32], left: usize, right: usize, rank: &impl Fn(u32, u32) -> Option<(u32, u32)>) {
        let (a, b) = (ids[left], ids[right]);
        if let Some((rank, merged)) = rank(a, b) {
            self.heap.push(Reverse(Candidate { rank, left, left_id: a, right_id: b, merged }));
        }
    }
}
