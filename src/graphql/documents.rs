//! Parsed documents, kept by their text.
//!
//! A directory front end sends the same few documents over and over with other
//! variables; parsing one and expanding its fragments for the limits costs more
//! than many of the statements it runs. A document that parsed and passed the
//! limits once is kept and handed to the next request with the same text, so
//! only the variables differ between them. Bounded by the bytes of the texts.

use async_graphql::parser::types::ExecutableDocument;
use std::sync::Arc;

/// Bytes of document text held.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

pub struct DocumentCache {
    documents: moka::sync::Cache<String, Arc<ExecutableDocument>>,
}

impl Default for DocumentCache {
    fn default() -> Self {
        Self::new()
    }
}

impl DocumentCache {
    pub fn new() -> Self {
        Self {
            documents: moka::sync::Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|text: &String, _| u32::try_from(text.len()).unwrap_or(u32::MAX))
                .build(),
        }
    }

    /// The document parsed from `text` before, if it is still held.
    pub fn get(&self, text: &str) -> Option<ExecutableDocument> {
        self.documents
            .get(text)
            .map(|document| ExecutableDocument::clone(&document))
    }

    /// Keeps a document that parsed and passed the limits.
    pub fn keep(&self, text: String, document: &ExecutableDocument) {
        self.documents.insert(text, Arc::new(document.clone()));
    }
}
