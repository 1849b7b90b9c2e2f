//! `viewer` and `ingestSources`: what an admin console asks before anything
//! else — who the caller is, and which ingest sources the server has.

use crate::error::ApiResult;
use crate::graphql::context::{ReadContext, WriteContext};
use crate::graphql::types::ingest::IngestSource;
use crate::graphql::types::viewer::Viewer;
use crate::read::Role;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Who the caller is and what they may do (anyone; an anonymous caller is
    /// `ANONYMOUS` with no subject).
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let read = ctx.data::<ReadContext>()?;
        // The response cache keys answers by role, not by subject: an answer
        // naming its caller must not serve another caller of the same role.
        crate::cache::reads::depends_on_caller();
        Ok(Viewer::from(&read.viewer))
    }

    /// The sources configured under `[[ingest.sources]]`, in the config's
    /// order (admins only).
    async fn ingest_sources(&self, ctx: &Context<'_>) -> ApiResult<Vec<IngestSource>> {
        let read = ctx.data::<ReadContext>()?;
        read.require(Role::Admin, "only an admin may see ingest sources")?;
        let write = ctx.data::<WriteContext>()?;
        Ok(write
            .ingest
            .sources
            .iter()
            .cloned()
            .map(IngestSource)
            .collect())
    }
}
