//! HSDS lists come in `Page`s: `total_items`, `total_pages`, `page_number`, `size`,
//! `first_page`, `last_page`, `empty` and `contents`. Pages are numbered from 1; a
//! page size is bounded, so no request asks for an unbounded page.

use super::ApiError;
use serde_json::{Value, json};

/// Records per page when the caller does not say.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The most records a page may hold.
pub const MAX_PER_PAGE: u64 = 1000;
/// The highest page number accepted: far beyond any directory, and small enough
/// that `page × per_page` never overflows.
const MAX_PAGE: u64 = 1_000_000_000;

/// Which page a caller asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub number: u64,
    pub size: u64,
}

impl PageRequest {
    /// From the query's `page` and `per_page`, each named when it is wrong.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ApiError> {
        let number = match page {
            None => 1,
            Some(text) => whole(text)
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad("page", format!("{text:?} is not a page number (1 or more)"))
                })?,
        };
        let size = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(text) => whole(text)
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| {
                    ApiError::bad(
                        "per_page",
                        format!("{text:?} is not a page size from 1 to {MAX_PER_PAGE}"),
                    )
                })?,
        };
        Ok(Self { number, size })
    }

    /// Rows before this page.
    pub fn offset(self) -> u64 {
        (self.number - 1) * self.size
    }
}

fn whole(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok()
}

/// The `Page` of `contents`, page `request` of `total` items.
pub fn page(request: PageRequest, total: u64, contents: Vec<Value>) -> Value {
    let total_pages = total.div_ceil(request.size);
    json!({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": request.number,
        "size": contents.len(),
        "first_page": request.number == 1,
        "last_page": request.number >= total_pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_numbered_from_one_and_bounded() {
        assert_eq!(
            PageRequest::parse(None, None).ok(),
            Some(PageRequest {
                number: 1,
                size: DEFAULT_PER_PAGE
            })
        );
        for (page, per_page, named) in [
            (Some("0"), None, "page"),
            (Some("-1"), None, "page"),
            (Some("two"), None, "page"),
            (None, Some("0"), "per_page"),
            (None, Some("100000"), "per_page"),
        ] {
            let error = PageRequest::parse(page, per_page)
                .err()
                .map(|e| e.to_string());
            assert!(
                error.as_deref().is_some_and(|e| e.starts_with(named)),
                "{page:?} {per_page:?}: {error:?}"
            );
        }
    }

    #[test]
    fn the_envelope_says_where_a_page_stands() {
        let request = PageRequest { number: 2, size: 2 };
        let body = page(request, 5, vec![json!(1), json!(2)]);
        assert_eq!(body["total_pages"], 3);
        assert_eq!(body["first_page"], false);
        assert_eq!(body["last_page"], false);
        let past = page(PageRequest { number: 9, size: 2 }, 5, Vec::new());
        assert_eq!(past["empty"], true);
        assert_eq!(past["last_page"], true);
    }
}
