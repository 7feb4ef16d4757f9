//! `Map` and `Set`: ordered maps and sets kept as sorted vectors.
//!
//! They behave like `BTreeMap`/`BTreeSet` for what the simulation asks of them (lookups by a
//! borrowed key, iteration in key order), with a fraction of the code: each `BTreeMap<K, V>`
//! compiles its own B-tree (3-8 KB of WebAssembly per key/value pair of types), a sorted vector
//! is a binary search and a `Vec` insert. Lookups are O(log n); an insert or remove in the middle
//! moves the entries after it, which is cheap for the maps here (labels, per-node and per-owner
//! tables). Tables with thousands of entries are built in one go with `collect()`, which sorts
//! once; the object tables themselves live in `store::Store`.

use std::borrow::Borrow;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Map<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map { entries: Vec::new() }
    }
}

pub type Iter<'a, K, V> = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

impl<K: Ord, V> Map<K, V> {
    pub const fn new() -> Self {
        Map { entries: Vec::new() }
    }

    fn find<Q: Ord + ?Sized>(&self, q: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(q))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn get<Q: Ord + ?Sized>(&self, q: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(q).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(q).ok().map(|i| &mut self.entries[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, q: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(q).is_ok()
    }

    /// Stores `v` under `k`; returns the value it replaced.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        match self.find(&k) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, v)),
            Err(i) => {
                self.entries.insert(i, (k, v));
                None
            }
        }
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, q: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(q).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// The place of `k`, for `or_default()` and `or_insert_with()`.
    pub fn entry(&mut self, k: K) -> Entry<'_, K, V> {
        Entry { map: self, key: k }
    }

    /// The value under `k`, inserted first as `make()` when missing.
    fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&k) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (k, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// (key, value) in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Ord, T> Map<K, Vec<T>> {
    /// Groups `pairs` by key, keeping each group's values in their order: one sort, so tables
    /// of thousands of keys are built without moving entries on every insert.
    pub fn grouped(mut pairs: Vec<(K, T)>) -> Self {
        super::order::sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
        let mut entries: Vec<(K, Vec<T>)> = Vec::new();
        for (k, t) in pairs {
            match entries.last_mut() {
                Some(last) if last.0 == k => last.1.push(t),
                _ => entries.push((k, vec![t])),
            }
        }
        Map { entries }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for Map<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

pub struct Entry<'a, K, V> {
    map: &'a mut Map<K, V>,
    key: K,
}

impl<'a, K: Ord, V> Entry<'a, K, V> {
    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.map.get_or_insert_with(self.key, V::default)
    }

    pub fn or_insert_with(self, make: impl FnOnce() -> V) -> &'a mut V {
        self.map.get_or_insert_with(self.key, make)
    }
}

/// Collects pairs in any order: one sort, and the last value of a repeated key wins (as
/// collecting into a `BTreeMap` does).
impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut entries: Vec<(K, V)> = iter.into_iter().collect();
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            super::order::sort_by(&mut entries, |a, b| a.0.cmp(&b.0));
            // Keep the last of each run of equal keys.
            let mut out: Vec<(K, V)> = Vec::with_capacity(entries.len());
            for e in entries {
                match out.last_mut() {
                    Some(last) if last.0.cmp(&e.0) == Ordering::Equal => *last = e,
                    _ => out.push(e),
                }
            }
            entries = out;
        }
        Map { entries }
    }
}

impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    /// Appends and sorts once (a later value replaces an earlier one under the same key), so
    /// adding thousands of entries does not move the table at each one.
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.extend(iter);
        *self = entries.into_iter().collect();
    }
}

impl<'a, K: Ord, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// A set in order: a `Map` to nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set<T> {
    map: Map<T, ()>,
}

impl<T: Ord> Set<T> {
    pub const fn new() -> Self {
        Set { map: Map::new() }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Adds `v`; false when it was already there.
    pub fn insert(&mut self, v: T) -> bool {
        self.map.insert(v, ()).is_none()
    }

    pub fn contains<Q: Ord + ?Sized>(&self, q: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.contains_key(q)
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, q: &Q) -> bool
    where
        T: Borrow<Q>,
    {
        self.map.remove(q).is_some()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.map.keys()
    }
}

impl<T: Ord> Extend<T> for Set<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.map.extend(iter.into_iter().map(|v| (v, ())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The same random operations on a `Map` and a `BTreeMap` give the same contents.
    #[test]
    fn behaves_like_a_btreemap() {
        let mut rng = crate::sim::rng::Rng::new(11);
        let mut ours: Map<String, u64> = Map::new();
        let mut theirs: BTreeMap<String, u64> = BTreeMap::new();
        for step in 0..5000u64 {
            let k = format!("k{}", rng.below(60));
            match rng.below(5) {
                0 | 1 => assert_eq!(ours.insert(k.clone(), step), theirs.insert(k, step)),
                2 => assert_eq!(ours.remove(k.as_str()), theirs.remove(k.as_str())),
                3 => {
                    *ours.entry(k.clone()).or_default() += 1;
                    *theirs.entry(k).or_default() += 1;
                }
                _ => assert_eq!(ours.get(k.as_str()), theirs.get(k.as_str())),
            }
            assert!(ours.iter().eq(theirs.iter()), "step {step}");
        }
        let pairs = vec![("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)];
        let collected: Map<&str, i32> = pairs.iter().copied().collect();
        let reference: BTreeMap<&str, i32> = pairs.iter().copied().collect();
        assert!(collected.iter().eq(reference.iter()));
        let groups = Map::grouped(pairs.clone());
        let listed: Vec<(&str, Vec<i32>)> = groups.iter().map(|(k, v)| (*k, v.clone())).collect();
        assert_eq!(listed, [("a", vec![2, 5]), ("b", vec![1, 3]), ("c", vec![4])]);
    }

    #[test]
    fn sets_keep_order_and_report_membership() {
        let mut s: Set<u32> = Set::new();
        assert!(s.insert(30));
        assert!(s.insert(10));
        assert!(!s.insert(30));
        assert!(s.contains(&10));
        assert!(s.remove(&10));
        assert!(!s.remove(&10));
        s.extend([20, 5]);
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [5, 20, 30]);
    }
}
