//! The table of one kind of object, keyed by (namespace, name) and listed in key order.
//!
//! Objects live in a slab, each with its key; one ordered map from key to slot serves every
//! kind. A `BTreeMap` per
//! kind would compile the whole B-tree once for each object type (about 6 KB of WebAssembly
//! apiece); here the tree is compiled once, and large objects never move when the tree
//! rebalances.

use std::collections::BTreeMap;
use std::ops::Index;

use super::cluster::Key;

#[derive(Clone, Debug)]
pub struct Store<T> {
    index: BTreeMap<Key, usize>,
    slots: Vec<Option<(Key, T)>>,
    free: Vec<usize>,
    /// Per slot, the write that last put, lent out or took its object (`insert`, `get_mut`,
    /// `remove`): a controller can tell that an object is unchanged since it last looked.
    writes: Vec<u64>,
    write: u64,
    removed: u64,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Store {
            index: BTreeMap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            writes: Vec::new(),
            write: 0,
            removed: 0,
        }
    }
}

impl<T> Store<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains_key(&self, k: &Key) -> bool {
        self.index.contains_key(k)
    }

    pub fn get(&self, k: &Key) -> Option<&T> {
        self.slots.get(*self.index.get(k)?)?.as_ref().map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, k: &Key) -> Option<&mut T> {
        let i = *self.index.get(k)?;
        self.touch(i);
        self.slots.get_mut(i)?.as_mut().map(|(_, v)| v)
    }

    fn touch(&mut self, i: usize) {
        self.write += 1;
        self.writes[i] = self.write;
    }

    /// Stores `v` under `k`; returns the object it replaced.
    pub fn insert(&mut self, k: Key, v: T) -> Option<T> {
        if let Some(&i) = self.index.get(&k) {
            self.touch(i);
            return self.slots[i].replace((k, v)).map(|(_, v)| v);
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some((k.clone(), v));
                i
            }
            None => {
                self.slots.push(Some((k.clone(), v)));
                self.writes.push(0);
                self.slots.len() - 1
            }
        };
        self.touch(i);
        self.index.insert(k, i);
        None
    }

    /// A number that changes with every write to the table (insert, `get_mut`, remove).
    pub fn writes(&self) -> u64 {
        self.write
    }

    /// How many objects were removed so far.
    pub fn removals(&self) -> u64 {
        self.removed
    }

    pub fn remove(&mut self, k: &Key) -> Option<T> {
        let i = self.index.remove(k)?;
        self.touch(i);
        self.removed += 1;
        self.free.push(i);
        self.slots[i].take().map(|(_, v)| v)
    }

    /// (key, object) in key order: namespace, then name.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            index: self.index.iter(),
            slots: &self.slots,
        }
    }

    /// Puts back an object `remove` took out for a moment: a write, not a removal.
    pub fn put_back(&mut self, k: Key, v: T) {
        self.removed -= 1;
        self.insert(k, v);
    }

    /// The slots written after write number `w` (emptied ones too), with what they hold: what
    /// changed, found without walking the keys. Slot numbers stay with an object while it lives.
    pub fn slots_since(&self, w: u64) -> impl Iterator<Item = (usize, Option<(&Key, &T)>)> {
        self.writes
            .iter()
            .enumerate()
            .filter(move |&(_, &v)| v > w)
            .map(|(i, _)| (i, self.slots[i].as_ref().map(|(k, v)| (k, v))))
    }

    /// (key, object) in no particular order: a walk over the slab, for tallies.
    pub fn unordered(&self) -> impl Iterator<Item = (&Key, &T)> {
        self.slots.iter().filter_map(|s| s.as_ref().map(|(k, v)| (k, v)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.index.keys()
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.iter().map(|(_, v)| v)
    }
}

impl<T> Index<&Key> for Store<T> {
    type Output = T;

    fn index(&self, k: &Key) -> &T {
        self.get(k).expect("no object under this key")
    }
}

pub struct Iter<'a, T> {
    index: std::collections::btree_map::Iter<'a, Key, usize>,
    slots: &'a [Option<(Key, T)>],
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (&'a Key, &'a T);

    fn next(&mut self) -> Option<Self::Item> {
        let (k, &i) = self.index.next()?;
        Some((k, &self.slots.get(i)?.as_ref()?.1))
    }
}

impl<'a, T> IntoIterator for &'a Store<T> {
    type Item = (&'a Key, &'a T);
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cluster::key;

    #[test]
    fn keeps_key_order_and_reuses_slots() {
        let mut s: Store<u32> = Store::new();
        assert_eq!(s.insert(key("default", "b"), 2), None);
        assert_eq!(s.insert(key("default", "a"), 1), None);
        assert_eq!(s.insert(key("app", "z"), 0), None);
        assert_eq!(s.insert(key("default", "a"), 10), Some(1));
        let names: Vec<(&str, u32)> = s.iter().map(|(k, v)| (k.1.as_str(), *v)).collect();
        assert_eq!(names, [("z", 0), ("a", 10), ("b", 2)]);
        assert_eq!(s.remove(&key("default", "a")), Some(10));
        assert_eq!(s.remove(&key("default", "a")), None);
        assert!(!s.contains_key(&key("default", "a")));
        s.insert(key("default", "c"), 3);
        assert_eq!(s.slots.len(), 3, "the freed slot is used again");
        assert_eq!(s.len(), 3);
        assert_eq!(s[&key("default", "c")], 3);
        *s.get_mut(&key("default", "b")).unwrap() += 5;
        assert_eq!(s.values().copied().collect::<Vec<_>>(), [0, 7, 3]);
    }
}
