//! Batched loading for nested fields (async-graphql's DataLoader): every to-one
//! relation, every nested connection page and every nested `totalCount` of a page
//! of parents is one statement, however many parents the page holds.
//!
//! One [`DirectoryLoader`] per request, carrying the caller's [`Viewer`], so the
//! visibility rule applies to everything loaded through it and nothing is cached
//! across requests or callers.

use super::connection::PageLimits;
use crate::read::children::{Relation, count_children, fetch_children};
use crate::read::page::{Positioned, by_ids, model_id};
use crate::read::visibility::visible;
use crate::read::{Ordering, Page, Readable, Viewer, Window};
use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{DatabaseConnection, EntityTrait};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;
use uuid::Uuid;

/// What one request reads with: the database, the caller, the limits and the
/// request's loader. Attached to each request as data.
pub struct ReadContext {
    pub db: DatabaseConnection,
    pub viewer: Viewer,
    pub limits: PageLimits,
    pub max_radius_km: f64,
    pub loader: DataLoader<DirectoryLoader>,
}

impl ReadContext {
    pub fn new(
        db: DatabaseConnection,
        viewer: Viewer,
        limits: PageLimits,
        max_radius_km: f64,
    ) -> Self {
        let loader = DataLoader::new(
            DirectoryLoader {
                db: db.clone(),
                viewer: viewer.clone(),
            },
            tokio::spawn,
        );
        Self {
            db,
            viewer,
            limits,
            max_radius_km,
            loader,
        }
    }

    /// The visible record of `E` with this id.
    pub async fn record<E: Readable>(&self, id: Uuid) -> async_graphql::Result<Option<E::Model>>
    where
        E::Model: Send + Sync,
    {
        self.loader.load_one(RecordKey::<E>::new(id)).await
    }
}

/// Loads for one request; errors are shared between the fields that waited on them.
pub struct DirectoryLoader {
    db: DatabaseConnection,
    viewer: Viewer,
}

type LoadError = async_graphql::Error;

/// A record of `E` by id.
pub struct RecordKey<E>(pub Uuid, PhantomData<fn() -> E>);

impl<E> RecordKey<E> {
    pub fn new(id: Uuid) -> Self {
        Self(id, PhantomData)
    }
}

impl<E> Clone for RecordKey<E> {
    fn clone(&self) -> Self {
        Self::new(self.0)
    }
}
impl<E> PartialEq for RecordKey<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for RecordKey<E> {}
impl<E> Hash for RecordKey<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl<E: Readable> Loader<RecordKey<E>> for DirectoryLoader
where
    E::Model: Send + Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RecordKey<E>],
    ) -> Result<HashMap<RecordKey<E>, E::Model>, LoadError> {
        let ids: Vec<Uuid> = keys.iter().map(|key| key.0).collect();
        let visibility = visible(E::READ_TABLE, E::TABLE, &self.viewer);
        let models = by_ids::<E>(&self.db, &ids, visibility)
            .await
            .map_err(super::error::db)?;
        let mut found = HashMap::with_capacity(models.len());
        for model in models {
            let id = model_id::<E>(&model).map_err(super::error::db)?;
            found.insert(RecordKey::new(id), model);
        }
        Ok(found)
    }
}

/// One parent's page of a relation's children, in an ordering and window shared by
/// every parent of the same field.
pub struct ChildPageKey<E> {
    pub relation: &'static Relation,
    pub parent: Uuid,
    /// The ordering's name and the window's bounds, which group keys into statements.
    shape: Arc<str>,
    ordering: Arc<Ordering>,
    window: Arc<Window>,
    _entity: PhantomData<fn() -> E>,
}

impl<E> ChildPageKey<E> {
    pub fn new(
        relation: &'static Relation,
        parent: Uuid,
        ordering: Ordering,
        window: Window,
    ) -> Self {
        let shape = format!("{}|{}|{window:?}", relation.name, ordering.name);
        Self {
            relation,
            parent,
            shape: shape.into(),
            ordering: Arc::new(ordering),
            window: Arc::new(window),
            _entity: PhantomData,
        }
    }
}

impl<E> Clone for ChildPageKey<E> {
    fn clone(&self) -> Self {
        Self {
            relation: self.relation,
            parent: self.parent,
            shape: self.shape.clone(),
            ordering: self.ordering.clone(),
            window: self.window.clone(),
            _entity: PhantomData,
        }
    }
}
impl<E> PartialEq for ChildPageKey<E> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.shape == other.shape
    }
}
impl<E> Eq for ChildPageKey<E> {}
impl<E> Hash for ChildPageKey<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.shape.hash(state);
    }
}

type ChildPage<E> = Arc<Page<Positioned<<E as EntityTrait>::Model>>>;

impl<E: Readable> Loader<ChildPageKey<E>> for DirectoryLoader
where
    E::Model: Send + Sync,
{
    type Value = ChildPage<E>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ChildPageKey<E>],
    ) -> Result<HashMap<ChildPageKey<E>, ChildPage<E>>, LoadError> {
        let mut groups: HashMap<Arc<str>, Vec<&ChildPageKey<E>>> = HashMap::new();
        for key in keys {
            groups.entry(key.shape.clone()).or_default().push(key);
        }
        let mut loaded = HashMap::with_capacity(keys.len());
        for group in groups.values() {
            let Some(first) = group.first() else { continue };
            let parents: Vec<Uuid> = group.iter().map(|key| key.parent).collect();
            let mut pages = fetch_children::<E>(
                &self.db,
                first.relation,
                &parents,
                &first.ordering,
                &first.window,
                &self.viewer,
            )
            .await
            .map_err(super::error::db)?;
            for key in group {
                let page = pages.remove(&key.parent).unwrap_or_default();
                loaded.insert((*key).clone(), Arc::new(page));
            }
        }
        Ok(loaded)
    }
}

/// How many visible children one parent has in a relation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ChildCountKey {
    pub relation: Relation,
    pub parent: Uuid,
}

impl Loader<ChildCountKey> for DirectoryLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[ChildCountKey]) -> Result<HashMap<ChildCountKey, i64>, LoadError> {
        let mut groups: HashMap<Relation, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry(key.relation).or_default().push(key.parent);
        }
        let mut loaded = HashMap::with_capacity(keys.len());
        for (relation, parents) in groups {
            let counts = count_children(&self.db, &relation, &parents, &self.viewer)
                .await
                .map_err(super::error::db)?;
            for (parent, total) in counts {
                loaded.insert(ChildCountKey { relation, parent }, total);
            }
        }
        Ok(loaded)
    }
}
