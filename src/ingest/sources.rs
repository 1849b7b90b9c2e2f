//! The configured sources as the admin console shows them: what loads their
//! files and where the files come from, in a line each, and their newest run.
//!
//! The descriptions are made here, from the config, rather than by serialising
//! it: a source's `headers` are credentials and a URL may carry some too
//! (`user:password@`, `?key=`), so only what is safe to show is put into words.

use super::config::{Listing, Loader};
use entities::ingest_runs::{Column, Entity, Model};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// What loads a source's files, in a few words (`hsds csv`, `dataset acme/prices`).
pub fn describe_loader(loader: &Loader) -> String {
    match loader {
        Loader::Directory { replace: false } => "hsds csv".into(),
        Loader::Directory { replace: true } => "hsds csv, replacing".into(),
        Loader::Postcodes => "postcodes (ONSPD)".into(),
        Loader::Hsds => "hsds json".into(),
        Loader::Dataset {
            organisation,
            dataset,
        } => format!("dataset {organisation}/{dataset}"),
    }
}

/// Where a source's files come from, in one line, with no credentials.
pub fn describe_listing(listing: &Listing) -> String {
    match listing {
        Listing::Index { url, link_regex } => {
            format!("{} (links matching {link_regex})", shown_url(url))
        }
        Listing::Manifest { url } => format!("{} (JSON manifest)", shown_url(url)),
        Listing::HsdsApi { url, .. } => format!("{} (HSDS API)", shown_url(url)),
        Listing::Urls { urls } => match urls.as_slice() {
            [] => "no URLs".into(),
            [one] => shown_url(one),
            [first, rest @ ..] => format!("{} and {} more URLs", shown_url(first), rest.len()),
        },
    }
}

/// `url` without what may be a credential: its user and password, and the
/// values of its query (`?key=…`); a text that is not a URL is not shown.
fn shown_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(not a URL)".into();
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    if parsed.query().is_some() {
        let names: Vec<String> = parsed.query_pairs().map(|(name, _)| name.into()).collect();
        parsed.set_query(None);
        let hidden: Vec<String> = names.iter().map(|name| format!("{name}=…")).collect();
        return format!("{parsed}?{}", hidden.join("&"));
    }
    parsed.to_string()
}

/// The newest run of `source`, if it has run.
pub async fn last_run(db: &impl ConnectionTrait, source: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Source.eq(source))
        .order_by_desc(Column::StartedAt)
        .order_by_desc(Column::Id)
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials() {
        assert_eq!(
            shown_url("https://user:secret@example.org/files/?key=abc&format=csv"),
            "https://example.org/files/?key=…&format=…"
        );
        assert_eq!(
            shown_url("http://example.org/index.html"),
            "http://example.org/index.html"
        );
        assert_eq!(shown_url("not a url"), "(not a URL)");
    }

    #[test]
    fn listings_and_loaders_read_as_one_line() {
        let listing = Listing::Urls {
            urls: vec![
                "https://a.example/1.csv".into(),
                "https://a.example/2.csv".into(),
            ],
        };
        assert_eq!(
            describe_listing(&listing),
            "https://a.example/1.csv and 1 more URLs"
        );
        let loader = Loader::Dataset {
            organisation: "acme".into(),
            dataset: "prices".into(),
        };
        assert_eq!(describe_loader(&loader), "dataset acme/prices");
    }
}
