//! A zip of CSV files, one per record type (an HSDS tabular package, or a
//! Signpost export): each member is stored beside the zip as its own object and
//! imported in dependency order (taxonomies before terms, providers before
//! services, …) within one transaction.
//!
//! Members are checked before anything is extracted: a name that climbs out
//! (`../x`), an absolute path, two files for one type, or a member that would
//! expand past the file limit or by more than [`MAX_RATIO`] to one (a zip bomb)
//! is refused. Those checks read sizes the archive declares, which a hostile
//! zip can fake, so extraction counts the bytes it actually inflates and stops a
//! member the moment it passes its declared size: every member stays within the
//! limit and the ratio checked. The unpacked members are working copies, deleted
//! when the import ends (the zip itself is kept for the history); a refused zip
//! leaves none.

use super::Problem;
use super::run::ImportLimits;
use super::spec::record_type_of_file;
use crate::repo::RecordType;
use crate::store::{Key, Store};
use bytes::Bytes;
use futures_util::StreamExt;
use std::io::Read;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use uuid::Uuid;

/// Expansion beyond this factor is taken for a zip bomb.
const MAX_RATIO: u64 = 200;

/// One CSV member, stored as its own object.
#[derive(Clone, Debug)]
pub struct Part {
    pub name: String,
    pub kind: RecordType,
    pub key: Key,
}

/// Whether a file is a zip: by name, or by its first bytes.
pub fn is_zip(file_name: &str) -> bool {
    file_name.to_ascii_lowercase().ends_with(".zip")
}

/// Unpacks the zip stored at `key` into one object per CSV member, in dependency
/// order; unknown members are warnings (errors when `strict`).
pub async fn unpack(
    store: &Store,
    key: &Key,
    import_id: Uuid,
    limits: &ImportLimits,
    strict: bool,
) -> Result<(Vec<Part>, Vec<Problem>), Vec<Problem>> {
    let fail = |message: String| vec![Problem::file(message)];
    // The zip format needs seeking: spool it to a temporary file.
    let spool = tempfile::tempfile().map_err(|e| fail(format!("spooling the zip: {e}")))?;
    let mut spool = tokio::fs::File::from_std(spool);
    let (_, mut body) = store
        .get(key)
        .await
        .map_err(|e| fail(format!("reading the stored zip: {e}")))?;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| fail(format!("reading the stored zip: {e}")))?;
        tokio::io::AsyncWriteExt::write_all(&mut spool, &chunk)
            .await
            .map_err(|e| fail(format!("spooling the zip: {e}")))?;
    }
    let spool = spool.into_std().await;
    let (store, limits, runtime) = (
        store.clone(),
        limits.clone(),
        tokio::runtime::Handle::current(),
    );
    tokio::task::spawn_blocking(move || {
        extract(spool, &store, import_id, &limits, strict, &runtime)
    })
    .await
    .map_err(|e| fail(format!("unpacking the zip: {e}")))?
}

fn extract(
    mut spool: std::fs::File,
    store: &Store,
    import_id: Uuid,
    limits: &ImportLimits,
    strict: bool,
    runtime: &tokio::runtime::Handle,
) -> Result<(Vec<Part>, Vec<Problem>), Vec<Problem>> {
    let _ = std::io::Seek::rewind(&mut spool);
    let mut archive = zip::ZipArchive::new(spool).map_err(|e| {
        vec![Problem::file(format!(
            "the file is not a readable zip: {e}"
        ))]
    })?;
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut members: Vec<(usize, String, RecordType, u64)> = Vec::new();
    let mut total: u64 = 0;
    // Members to place once `datapackage.json` (wherever it sits) has been read.
    let mut candidates = Vec::new();
    let mut package: Vec<(String, RecordType)> = Vec::new();
    let mut datapackage = None;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            errors.push(Problem::file(format!("zip member {index} cannot be read")));
            continue;
        };
        let name = entry.name().to_owned();
        if entry.is_dir() || name.starts_with("__MACOSX/") {
            continue;
        }
        let Some(path) = entry.enclosed_name() else {
            errors.push(Problem::file(format!(
                "zip member {name:?} points outside the archive: refused"
            )));
            continue;
        };
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > limits.max_file_bytes || total + size > limits.max_file_bytes {
            errors.push(Problem::file(format!(
                "zip member {name:?} expands to {size} bytes, over the limit of {} for an import",
                limits.max_file_bytes
            )));
            continue;
        }
        if size / packed > MAX_RATIO && size > 1024 * 1024 {
            errors.push(Problem::file(format!(
                "zip member {name:?} expands {}-fold: refused as a likely zip bomb",
                size / packed
            )));
            continue;
        }
        total += size;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file_name.eq_ignore_ascii_case("datapackage.json") {
            datapackage = Some((index, name, size));
            continue;
        }
        candidates.push((index, name, file_name, size));
    }
    if let Some((index, name, size)) = datapackage {
        match read_datapackage(&mut archive, index, size) {
            Ok(names) => package = names,
            Err(message) => warnings.push(Problem::file(format!(
                "zip member {name:?} is not read: {message} (files are known by their names)"
            ))),
        }
    }
    for (index, name, file_name, size) in candidates {
        let kind = record_type_of_file(&file_name).or_else(|| {
            package
                .iter()
                .find(|(path, _)| path.eq_ignore_ascii_case(&file_name))
                .map(|(_, kind)| *kind)
        });
        match kind {
            Some(kind) => {
                if let Some((_, other, _, _)) = members.iter().find(|(_, _, k, _)| *k == kind) {
                    errors.push(Problem::file(format!(
                        "zip members {other:?} and {name:?} are both {kind}"
                    )));
                } else {
                    members.push((index, name, kind, size));
                }
            }
            None => {
                let message = format!("zip member {name:?} is not a file Signpost imports");
                if strict {
                    errors.push(Problem::file(format!("{message} (refused in strict mode)")));
                } else {
                    warnings.push(Problem::file(format!("{message} (skipped)")));
                }
            }
        }
    }
    if members.is_empty() && errors.is_empty() {
        errors.push(Problem::file("the zip holds no CSV file Signpost imports"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    members.sort_by_key(|(_, _, kind, _)| RecordType::ALL.iter().position(|k| k == kind));
    let mut parts = Vec::new();
    for (index, name, kind, declared) in members {
        let copied = Key::parse(&format!("imports/{import_id}-files/{}.csv", kind.name()))
            .map_err(|e| vec![Problem::file(e.to_string())])
            .and_then(|key| {
                let entry = archive
                    .by_index(index)
                    .map_err(|e| vec![Problem::file(format!("zip member {name:?}: {e}"))])?;
                copy_member(entry, &name, store, &key, declared, runtime)?;
                Ok(key)
            });
        match copied {
            Ok(key) => parts.push(Part { name, kind, key }),
            Err(problems) => {
                runtime.block_on(discard(store, &parts));
                return Err(problems);
            }
        }
    }
    Ok((parts, warnings))
}

/// The largest `datapackage.json` read.
const MAX_DATAPACKAGE_BYTES: u64 = 1024 * 1024;

/// A Frictionless `datapackage.json`: each resource's file name and the record
/// type its `name` says it holds. (Column types are Signpost's own, checked per
/// column; the package's are not needed to read the files.)
fn read_datapackage(
    archive: &mut zip::ZipArchive<std::fs::File>,
    index: usize,
    size: u64,
) -> Result<Vec<(String, RecordType)>, String> {
    if size > MAX_DATAPACKAGE_BYTES {
        return Err(format!("it is over {MAX_DATAPACKAGE_BYTES} bytes"));
    }
    let entry = archive.by_index(index).map_err(|e| e.to_string())?;
    let mut text = String::new();
    entry
        .take(MAX_DATAPACKAGE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    let package: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let resources = package
        .get("resources")
        .and_then(serde_json::Value::as_array)
        .ok_or("it has no resources list")?;
    Ok(resources
        .iter()
        .filter_map(|resource| {
            let name = resource.get("name")?.as_str()?;
            let path = resource.get("path")?.as_str()?;
            let file = path.rsplit('/').next().unwrap_or(path).to_owned();
            Some((file, crate::hsds::package::kind_of(name)?))
        })
        .collect())
}

/// Deletes unpacked members (best effort: a leftover is only a working copy).
pub async fn discard(store: &Store, parts: &[Part]) {
    for part in parts {
        if let Err(error) = store.delete(&part.key).await {
            tracing::warn!(%error, key = %part.key, "deleting an unpacked zip member");
        }
    }
}

/// Streams one member into the store, stopping the moment it inflates past the
/// `declared` size its headers gave (which the limits were checked against).
fn copy_member(
    entry: impl Read,
    name: &str,
    store: &Store,
    key: &Key,
    declared: u64,
    runtime: &tokio::runtime::Handle,
) -> Result<(), Vec<Problem>> {
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(8);
    let put = runtime.spawn({
        let (store, key) = (store.clone(), key.clone());
        async move { store.put(&key, Box::pin(ReceiverStream::new(rx))).await }
    });
    let mut reader = entry.take(declared.saturating_add(1));
    let mut buffer = vec![0u8; 256 * 1024];
    let mut copied = 0u64;
    let mut failure = None;
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => {
                copied += read as u64;
                if copied > declared {
                    failure = Some(format!(
                        "zip member {name:?} inflates past the {declared} bytes its header declares: refused as a forged archive"
                    ));
                    break;
                }
                if tx
                    .blocking_send(Ok(Bytes::copy_from_slice(&buffer[..read])))
                    .is_err()
                {
                    break;
                }
            }
            Err(error) => {
                failure = Some(format!("zip member {name:?} cannot be unpacked: {error}"));
                break;
            }
        }
    }
    if let Some(message) = &failure {
        let _ = tx.blocking_send(Err(std::io::Error::other(message.clone())));
    }
    drop(tx);
    let stored = runtime.block_on(put);
    if let Some(message) = failure {
        // A store refuses a body that fails; make sure nothing of it stays.
        let _ = runtime.block_on(store.delete(key));
        return Err(vec![Problem::file(message)]);
    }
    match stored {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(vec![Problem::file(format!(
            "storing zip member {name:?}: {error}"
        ))]),
        Err(error) => Err(vec![Problem::file(format!(
            "storing zip member {name:?}: {error}"
        ))]),
    }
}
