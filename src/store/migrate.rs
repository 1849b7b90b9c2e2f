//! Copying what one store lacks from another, and checking how far a move has
//! got. Resumable by construction: each run copies only keys missing in `to` (or
//! there with another size or hash), so an interrupted run is simply run again.
//! It also repairs the one way the two sides of a `migrating` store can drift
//! while serving: two writers racing on one key may each win on a different side.
//!
//! Both stores list keys in byte order, so the two listings are walked side by
//! side a page at a time, like a merge join: memory stays flat however many keys
//! there are, and the copy starts with the first page instead of after a full
//! listing of both sides.

use super::{Key, ObjectMeta, ObjectStore, StoreError};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use std::cmp::Ordering;
use std::collections::VecDeque;

/// Keys listed per request.
const PAGE: usize = 1000;
/// Objects copied at the same time.
const COPIES_AT_ONCE: usize = 8;
/// Keys of each kind a check keeps to show.
pub const SAMPLE: usize = 20;

/// How the two sides compare.
#[derive(Debug, Default)]
pub struct MigrationCheck {
    pub in_from: u64,
    /// Keys in both with the same size (and hash, where both sides know it).
    pub migrated: u64,
    pub only_in_from: Sample,
    pub only_in_to: Sample,
    /// Keys in both whose sizes (or hashes) differ.
    pub differing: Sample,
}

/// How many keys are of one kind, and the first [`SAMPLE`] of them.
#[derive(Debug, Default)]
pub struct Sample {
    pub count: u64,
    pub first: Vec<Key>,
}

impl Sample {
    fn add(&mut self, key: &Key) {
        self.count += 1;
        if self.first.len() < SAMPLE {
            self.first.push(key.clone());
        }
    }
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

fn same(a: &ObjectMeta, b: &ObjectMeta) -> bool {
    a.size == b.size
        && match (&a.sha256, &b.sha256) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        }
}

/// One store's keys in order, fetched a page at a time.
struct Walk<'a> {
    store: &'a dyn ObjectStore,
    page: VecDeque<ObjectMeta>,
    after: Option<Key>,
    finished: bool,
}

impl<'a> Walk<'a> {
    fn new(store: &'a dyn ObjectStore) -> Self {
        Self {
            store,
            page: VecDeque::new(),
            after: None,
            finished: false,
        }
    }

    async fn peek(&mut self) -> Result<Option<&ObjectMeta>, StoreError> {
        if self.page.is_empty() && !self.finished {
            let page = self.store.list("", self.after.as_ref(), PAGE).await?;
            self.finished = page.next.is_none();
            self.after = page.next;
            self.page = page.objects.into();
        }
        Ok(self.page.front())
    }

    fn pop(&mut self) -> Option<ObjectMeta> {
        self.page.pop_front()
    }
}

/// Where a key stands.
enum Step {
    /// In `from` only, or in both but different: to copy.
    Copy(ObjectMeta, bool),
    Same,
    OnlyInTo(Key),
}

/// Walks both stores and calls `visit` for each key, in order.
async fn walk<F>(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    mut visit: F,
) -> Result<(), StoreError>
where
    F: AsyncFnMut(Step) -> Result<(), StoreError>,
{
    let (mut source, mut target) = (Walk::new(from), Walk::new(to));
    loop {
        let order = match (source.peek().await?, target.peek().await?) {
            (None, None) => return Ok(()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => a.key.cmp(&b.key),
        };
        let step = match order {
            Ordering::Less => source.pop().map(|meta| Step::Copy(meta, false)),
            Ordering::Greater => target.pop().map(|meta| Step::OnlyInTo(meta.key)),
            Ordering::Equal => match (source.pop(), target.pop()) {
                (Some(a), Some(b)) if same(&a, &b) => Some(Step::Same),
                (Some(a), _) => Some(Step::Copy(a, true)),
                _ => None,
            },
        };
        if let Some(step) = step {
            visit(step).await?;
        }
    }
}

/// Compares every key of `from` and `to`.
pub async fn check(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
) -> Result<MigrationCheck, StoreError> {
    let mut report = MigrationCheck::default();
    walk(from, to, async |step| {
        match step {
            Step::Same => {
                report.in_from += 1;
                report.migrated += 1;
            }
            Step::Copy(meta, true) => {
                report.in_from += 1;
                report.differing.add(&meta.key);
            }
            Step::Copy(meta, false) => {
                report.in_from += 1;
                report.only_in_from.add(&meta.key);
            }
            Step::OnlyInTo(key) => report.only_in_to.add(&key),
        }
        Ok(())
    })
    .await?;
    Ok(report)
}

/// What a copy did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Copied {
    /// Keys of `from` looked at.
    pub seen: u64,
    pub copied: u64,
    pub bytes: u64,
}

/// Copies one object; its size, or `None` when it was deleted since the listing.
async fn copy_one(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    key: Key,
) -> Result<Option<u64>, StoreError> {
    match from.get(&key).await {
        Ok((_, body)) => Ok(Some(to.put(&key, body).await?.size)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Copies each object of `from` that `to` lacks or holds differently, up to
/// [`COPIES_AT_ONCE`] at a time (small objects cost round trips, not bytes),
/// calling `progress` as keys of `from` are looked at and copied.
pub async fn copy_missing(
    from: &dyn ObjectStore,
    to: &dyn ObjectStore,
    mut progress: impl FnMut(&Copied),
) -> Result<Copied, StoreError> {
    let mut done = Copied::default();
    let mut in_flight = FuturesUnordered::new();
    let finished = |done: &mut Copied, copied: Option<u64>| {
        if let Some(size) = copied {
            done.copied += 1;
            done.bytes += size;
        }
    };
    walk(from, to, async |step| {
        match step {
            Step::Copy(meta, _) => {
                done.seen += 1;
                in_flight.push(copy_one(from, to, meta.key));
                while in_flight.len() >= COPIES_AT_ONCE {
                    if let Some(copied) = in_flight.next().await {
                        finished(&mut done, copied?);
                    }
                }
                progress(&done);
            }
            Step::Same => {
                done.seen += 1;
                progress(&done);
            }
            Step::OnlyInTo(_) => {}
        }
        Ok(())
    })
    .await?;
    while let Some(copied) = in_flight.next().await {
        finished(&mut done, copied?);
    }
    progress(&done);
    Ok(done)
}
