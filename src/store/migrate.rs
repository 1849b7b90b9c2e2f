//! Copying what a `migrating` store's `to` side lacks, and checking how far a move
//! has got. Resumable by construction: each run copies only keys missing in `to`
//! (or there with another size or hash), so an interrupted run is simply run again.
//! It also repairs the one way the two sides can drift while serving: two writers
//! racing on one key may each win on a different side.

use super::{Key, ObjectMeta, ObjectStore, StoreError, list_all};
use std::collections::BTreeMap;

/// How the two sides compare.
#[derive(Debug, Default)]
pub struct MigrationCheck {
    pub in_from: usize,
    /// Keys in both with the same size.
    pub migrated: usize,
    pub only_in_from: Vec<Key>,
    pub only_in_to: Vec<Key>,
    /// Keys in both whose sizes (or hashes, where both sides list them) differ.
    pub differing: Vec<Key>,
}

impl MigrationCheck {
    /// Share of `from`'s objects already in `to` (1 when `from` is empty).
    pub fn share_migrated(&self) -> f64 {
        if self.in_from == 0 {
            1.0
        } else {
            self.migrated as f64 / self.in_from as f64
        }
    }
}

fn by_key(objects: Vec<ObjectMeta>) -> BTreeMap<Key, ObjectMeta> {
    objects
        .into_iter()
        .map(|meta| (meta.key.clone(), meta))
        .collect()
}

fn same(a: &ObjectMeta, b: &ObjectMeta) -> bool {
    a.size == b.size
        && match (&a.sha256, &b.sha256) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// Compares every key of `from` and `to`.
pub async fn check(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
) -> Result<MigrationCheck, StoreError> {
    let source = by_key(list_all(from, "").await?);
    let target = by_key(list_all(to, "").await?);
    let mut report = MigrationCheck {
        in_from: source.len(),
        ..MigrationCheck::default()
    };
    for (key, meta) in &source {
        match target.get(key) {
            Some(copy) if same(copy, meta) => report.migrated += 1,
            Some(_) => report.differing.push(key.clone()),
            None => report.only_in_from.push(key.clone()),
        }
    }
    report.only_in_to = target
        .keys()
        .filter(|key| !source.contains_key(*key))
        .cloned()
        .collect();
    Ok(report)
}

/// Copies each object of `from` that `to` lacks or holds differently,
/// calling `progress(done, total, bytes)` after each key. Returns (copied, bytes).
pub async fn copy_missing(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    mut progress: impl FnMut(usize, usize, u64),
) -> Result<(usize, u64), StoreError> {
    let report = check(from, to).await?;
    let todo: Vec<Key> = report
        .only_in_from
        .into_iter()
        .chain(report.differing)
        .collect();
    let total = todo.len();
    let (mut copied, mut bytes) = (0, 0u64);
    for (done, key) in todo.into_iter().enumerate() {
        match from.get(&key).await {
            Ok((_, body)) => {
                let written = to.put(&key, body).await?;
                copied += 1;
                bytes += written.size;
            }
            // Deleted since the listing: nothing to copy.
            Err(StoreError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
        progress(done + 1, total, bytes);
    }
    Ok((copied, bytes))
}
