//! Sorting with one shared engine.
//!
//! Every `sort*` call on a new element type adds a full copy of the standard library's sort to
//! the WebAssembly module (2–5 KB each). These helpers sort a list of indices with one
//! comparison callback instead, so every element type shares a single copy of the sort and
//! pays only for a small permutation step. The sort is stable: equal elements keep their order.

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal elements in their original order.
pub fn sort_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let perm = order(v.len(), &mut |a, b| cmp(&v[a], &v[b]));
    permute(v, &perm);
}

/// Sorts `v` by the key `key` returns, keeping equal elements in their original order. The key
/// is computed at every comparison: make costly keys once beforehand (see `event_list`).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` in ascending order.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, |a, b| a.cmp(b));
}

/// The positions of `0..n` in sorted order: the one place the standard sort is instantiated.
fn order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
    idx
}

/// Rearranges `v` so that its i-th element is the old element at `perm[i]`.
fn permute<T>(v: &mut Vec<T>, perm: &[usize]) {
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return;
    }
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(perm.iter().filter_map(|&i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut rng = crate::sim::rng::Rng::new(7);
        for len in [0usize, 1, 2, 3, 10, 100, 1000] {
            let v: Vec<(u64, usize)> = (0..len).map(|i| (rng.next_u64() % 7, i)).collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |x| x.0);
            let mut std_sorted = v.clone();
            std_sorted.sort_by_key(|x| x.0);
            assert_eq!(ours, std_sorted, "length {len}");
        }
        let mut words = vec!["pear", "apple", "fig", "apple"];
        sort(&mut words);
        assert_eq!(words, ["apple", "apple", "fig", "pear"]);
    }
}
