//! Sibling batching: the records of one page (or of one batch of child pages) are
//! created together and share a [`Batch`]. When a relation of one of them is
//! resolved, it is loaded for all of them in one statement and the others await
//! that result, so a page costs one statement per relation selected, whatever its
//! size.
//!
//! Unlike a timer-based DataLoader, nothing depends on timing: async-graphql polls
//! list items in chunks and yields between them, which splits a timed batch on a
//! busy or slow machine. Here the batch is the page itself.

use super::connection::{CountQuery, NodeObject};
use super::context::ReadContext;
use crate::error::{ApiResult, AppError};
use crate::read::children::{Relation, count_children, fetch_children};
use crate::read::page::{Positioned, by_ids, model_id};
use crate::read::visibility::visible;
use crate::read::{Columns, Ordering, Page, Readable, Window};
use sea_orm::EntityTrait;
use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;
use uuid::Uuid;

type Loaded = Arc<dyn Any + Send + Sync>;

/// What a batch load is for. Relations are keyed by the field of the query document
/// that asks (its address, stable for the request): every record of the batch
/// resolving that field asks with the same arguments and selection, so they share
/// one load, and the key costs nothing to make for each of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoadKey {
    /// The to-one relation `field`, for the query field at this address.
    ToOne(&'static str, usize),
    /// The child pages of a relation, for the query field at this address.
    Children(&'static str, usize),
    /// The child counts of a relation.
    Count(&'static str),
}

impl LoadKey {
    /// The address of the query document field `ctx` resolves.
    pub fn field_of(ctx: &async_graphql::Context<'_>) -> usize {
        std::ptr::from_ref(ctx.item) as usize
    }
}

/// Records created together, and what has been loaded for all of them.
pub struct Batch<E: EntityTrait> {
    models: Vec<E::Model>,
    loads: Mutex<HashMap<LoadKey, Arc<OnceCell<Loaded>>>>,
}

impl<E: Readable> Batch<E> {
    pub fn new(models: Vec<E::Model>) -> Arc<Self> {
        Arc::new(Self {
            models,
            loads: Mutex::new(HashMap::new()),
        })
    }

    /// The value `load` gives for every record of the batch, loaded once under
    /// `key` and shared.
    async fn once<V, F, Fut>(&self, key: LoadKey, load: F) -> ApiResult<Arc<V>>
    where
        V: Send + Sync + 'static,
        F: FnOnce(Vec<Uuid>) -> Fut,
        Fut: Future<Output = ApiResult<V>>,
    {
        let cell = {
            let mut loads = self
                .loads
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            loads.entry(key).or_default().clone()
        };
        let loaded = cell
            .get_or_try_init(|| async {
                let ids = self
                    .models
                    .iter()
                    .map(model_id::<E>)
                    .collect::<Result<Vec<_>, _>>()?;
                // Boxed: only the first record that asks runs the load, but every
                // record's future would otherwise hold (and copy) its whole state.
                let value = Box::pin(load(ids)).await?;
                Ok::<Loaded, AppError>(Arc::new(value))
            })
            .await?;
        loaded
            .clone()
            .downcast::<V>()
            .map_err(|_| AppError::internal_msg("a batch load returned another type"))
    }

    fn models(&self) -> &[E::Model] {
        &self.models
    }
}

/// Records of `E` by id, sharing one batch.
struct Related<E: EntityTrait> {
    by_id: HashMap<Uuid, E::Model>,
    batch: Arc<Batch<E>>,
}

/// The related `N` of a record whose foreign key is `id`, loaded (through `field`
/// of `parents`) for every record of the parent's batch at once.
pub async fn to_one<N: NodeObject, P: Readable>(
    read: &ReadContext,
    parents: &Batch<P>,
    key: LoadKey,
    foreign_key: fn(&P::Model) -> Option<Uuid>,
    id: Option<Uuid>,
    columns: impl FnOnce() -> Columns,
) -> ApiResult<Option<N>> {
    let Some(id) = id else { return Ok(None) };
    let related: Arc<Related<N::Entity>> = parents
        .once(key, |_| async move {
            let wanted: Vec<Uuid> = parents
                .models()
                .iter()
                .filter_map(foreign_key)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            let columns = columns();
            let table = <N::Entity as Readable>::READ_TABLE;
            let visibility = visible(table, table.name(), &read.viewer);
            let models = by_ids::<N::Entity>(&read.db, &wanted, visibility, columns).await?;
            let mut by_id = HashMap::with_capacity(models.len());
            for model in &models {
                by_id.insert(model_id::<N::Entity>(model)?, model.clone());
            }
            Ok(Related {
                by_id,
                batch: Batch::new(models),
            })
        })
        .await?;
    Ok(related
        .by_id
        .get(&id)
        .map(|model| N::new(model.clone(), related.batch.clone())))
}

/// One page of children per parent, all children sharing one batch.
pub struct ChildPages<E: EntityTrait> {
    pages: HashMap<Uuid, Page<Positioned<E::Model>>>,
    pub batch: Arc<Batch<E>>,
    /// The cursor signature of these pages.
    pub signature: Arc<str>,
}

impl<E: Readable> ChildPages<E> {
    pub fn page(&self, parent: Uuid) -> Option<&Page<Positioned<E::Model>>> {
        self.pages.get(&parent)
    }
}

/// How to read the child pages of one relation, worked out once per batch.
pub struct ChildQuery {
    pub ordering: Ordering,
    pub window: Window,
    pub columns: Columns,
    pub signature: Arc<str>,
}

/// The page of `relation`'s children of every record of `parents` (one statement),
/// read as `plan` says; `plan` runs only for the first record that asks.
pub async fn child_pages<C: Readable, P: Readable>(
    read: &ReadContext,
    parents: &Batch<P>,
    key: LoadKey,
    relation: &'static Relation,
    plan: impl FnOnce() -> ApiResult<ChildQuery>,
) -> ApiResult<Arc<ChildPages<C>>> {
    parents
        .once(key, |ids| async move {
            let plan = plan()?;
            let pages = fetch_children::<C>(
                &read.db,
                relation,
                &ids,
                &plan.ordering,
                &plan.window,
                &read.viewer,
                plan.columns,
            )
            .await?;
            let all = pages
                .values()
                .flat_map(|page| page.rows.iter().map(|row| row.model.clone()))
                .collect();
            Ok(ChildPages {
                pages,
                batch: Batch::new(all),
                signature: plan.signature,
            })
        })
        .await
}

/// The number of `relation`'s children of one parent, counted for the whole batch.
pub struct ChildCount<P: EntityTrait> {
    pub parents: Arc<Batch<P>>,
    pub relation: &'static Relation,
    pub parent: Uuid,
}

impl<P: Readable> CountQuery for ChildCount<P> {
    fn count<'a>(
        &'a self,
        read: &'a ReadContext,
    ) -> Pin<Box<dyn Future<Output = ApiResult<i64>> + Send + 'a>> {
        Box::pin(async move {
            let relation = self.relation;
            let counts: Arc<HashMap<Uuid, i64>> = self
                .parents
                .once(LoadKey::Count(relation.name), |ids| async move {
                    Ok(count_children(&read.db, relation, &ids, &read.viewer).await?)
                })
                .await?;
            Ok(counts.get(&self.parent).copied().unwrap_or(0))
        })
    }
}
