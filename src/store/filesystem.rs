//! Objects as files under a base directory: `<base>/<key>`, with each key segment
//! percent-encoded where it holds characters a file name should not (and a leading
//! `.`, so no key can name the store's own `.meta` and `.tmp` folders or climb out).
//!
//! A put streams into `.tmp/`, syncs, and renames into place, so readers see the old
//! or the new file, never a partial one. The SHA-256 and write time live in a sidecar
//! under `.meta/`, stamped with the data file's size and modification time: if they
//! disagree (a crash or a concurrent overwrite between the two renames), `head`
//! recomputes the hash from the file rather than report a wrong one.
//!
//! A key cannot also be a folder of another key (`a` and `a/b`), as with any
//! filesystem; such a put is refused with a clear error.

use super::{Body, Digest, Key, ListPage, ObjectMeta, ObjectStore, StoreError, page_of};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Characters kept as they are in file names; everything else is `%XX`.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b',')
    .remove(b'=')
    .remove(b'+')
    .remove(b'@')
    .remove(b' ');

const META_DIR: &str = ".meta";
const TMP_DIR: &str = ".tmp";

#[derive(Debug)]
pub struct FilesystemStore {
    base: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Sidecar {
    sha256: String,
    size: u64,
    created: DateTime<Utc>,
    /// The data file's modification time (ns since the epoch) when written.
    modified_ns: i128,
}

fn encode_segment(segment: &str) -> String {
    let encoded = utf8_percent_encode(segment, ENCODED).to_string();
    match encoded.strip_prefix('.') {
        Some(rest) => format!("%2E{rest}"),
        None => encoded,
    }
}

fn modified_ns(metadata: &std::fs::Metadata) -> i128 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos() as i128)
}

/// A file under `.tmp/` that is deleted when dropped unless it was moved into
/// place: a put that fails, or whose request is cancelled mid-upload, leaves
/// nothing behind.
struct TempFile {
    path: PathBuf,
    moved: bool,
}

impl TempFile {
    fn new(path: PathBuf) -> Self {
        Self { path, moved: false }
    }

    fn moved(&mut self) {
        self.moved = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.moved {
            // Blocking, but one unlink: cheaper than handing it to another task.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl FilesystemStore {
    /// A store under `base`, which must exist and be writable; with `create`, it is
    /// created first.
    pub async fn open(base: &Path, create: bool) -> Result<Self, StoreError> {
        if create {
            tokio::fs::create_dir_all(base)
                .await
                .map_err(|error| StoreError::io(format!("creating {}", base.display()), error))?;
        }
        let metadata = tokio::fs::metadata(base).await.map_err(|error| {
            StoreError::io(
                format!("base_location {} does not exist", base.display()),
                error,
            )
        })?;
        if !metadata.is_dir() {
            return Err(StoreError::Backend(format!(
                "base_location {} is not a directory",
                base.display()
            )));
        }
        let store = Self {
            base: base.to_path_buf(),
        };
        store.check().await?;
        store.sweep_temp().await;
        Ok(store)
    }

    fn relative(key: &Key) -> PathBuf {
        key.as_str().split('/').map(encode_segment).collect()
    }

    fn data_path(&self, key: &Key) -> PathBuf {
        self.base.join(Self::relative(key))
    }

    fn meta_path(&self, key: &Key) -> PathBuf {
        self.base.join(META_DIR).join(Self::relative(key))
    }

    fn temp_path(&self) -> PathBuf {
        self.base
            .join(TMP_DIR)
            .join(crate::stamp::new_id().to_string())
    }

    /// Renames `from` to `to`, creating `to`'s folder (again, if a delete just
    /// removed it as empty).
    async fn move_into_place(&self, from: &Path, to: &Path, key: &Key) -> Result<(), StoreError> {
        for attempt in 0..3 {
            if let Some(parent) = to.parent()
                && let Err(error) = tokio::fs::create_dir_all(parent).await
            {
                return Err(self.conflict_or(key, error));
            }
            match tokio::fs::rename(from, to).await {
                Ok(()) => return Ok(()),
                Err(error) if error.kind() == io::ErrorKind::NotFound && attempt < 2 => continue,
                Err(error) => return Err(self.conflict_or(key, error)),
            }
        }
        Err(StoreError::Backend(format!("could not place {key}")))
    }

    fn conflict_or(&self, key: &Key, error: io::Error) -> StoreError {
        match error.kind() {
            io::ErrorKind::NotADirectory
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::AlreadyExists => StoreError::Backend(format!(
                "key {key:?} clashes with another key that is its folder or lies in it (a filesystem store cannot hold both `a` and `a/b`)"
            )),
            _ => StoreError::io(format!("writing {key}"), error),
        }
    }

    async fn write_temp(&self, body: &mut Body) -> Result<(TempFile, Digest), StoreError> {
        let temp = TempFile::new(self.temp_path());
        let mut file = tokio::fs::File::create(&temp.path)
            .await
            .map_err(|error| StoreError::io("creating a temporary file", error))?;
        let mut digest = Digest::default();
        let written: Result<(), StoreError> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|error| StoreError::io("reading the content", error))?;
                digest.update(&chunk);
                file.write_all(&chunk)
                    .await
                    .map_err(|error| StoreError::io("writing a temporary file", error))?;
            }
            file.sync_all()
                .await
                .map_err(|error| StoreError::io("syncing a temporary file", error))
        }
        .await;
        written?;
        Ok((temp, digest))
    }

    /// Deletes temporary files a process that died mid-put left behind (an
    /// upload in progress touches its file at every write, so an hour-old one
    /// is not in progress).
    async fn sweep_temp(&self) {
        let Ok(mut entries) = tokio::fs::read_dir(self.base.join(TMP_DIR)).await else {
            return;
        };
        let stale = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        while let Ok(Some(entry)) = entries.next_entry().await {
            let old = entry
                .metadata()
                .await
                .ok()
                .and_then(|metadata| metadata.modified().ok())
                .is_some_and(|modified| modified < stale);
            if old {
                let _ = tokio::fs::remove_file(entry.path()).await;
            }
        }
    }

    async fn meta_of(&self, key: &Key, path: &Path) -> Result<ObjectMeta, StoreError> {
        let metadata = match tokio::fs::metadata(path).await {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return Err(StoreError::NotFound(key.to_string())),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound(key.to_string()));
            }
            Err(error) if error.kind() == io::ErrorKind::NotADirectory => {
                return Err(StoreError::NotFound(key.to_string()));
            }
            Err(error) => return Err(StoreError::io(format!("reading {key}"), error)),
        };
        let sidecar = tokio::fs::read(self.meta_path(key))
            .await
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Sidecar>(&bytes).ok());
        match sidecar {
            Some(sidecar)
                if sidecar.size == metadata.len()
                    && sidecar.modified_ns == modified_ns(&metadata) =>
            {
                Ok(ObjectMeta {
                    key: key.clone(),
                    size: sidecar.size,
                    sha256: Some(sidecar.sha256),
                    created: sidecar.created,
                })
            }
            _ => {
                let mut file = tokio::fs::File::open(path)
                    .await
                    .map_err(|error| StoreError::io(format!("reading {key}"), error))?;
                let mut digest = Digest::default();
                let mut buffer = vec![0u8; 256 * 1024];
                loop {
                    let read = tokio::io::AsyncReadExt::read(&mut file, &mut buffer)
                        .await
                        .map_err(|error| StoreError::io(format!("reading {key}"), error))?;
                    if read == 0 {
                        break;
                    }
                    digest.update(&buffer[..read]);
                }
                let (size, sha256) = digest.finish();
                Ok(ObjectMeta {
                    key: key.clone(),
                    size,
                    sha256: Some(sha256),
                    created: metadata
                        .modified()
                        .map(DateTime::<Utc>::from)
                        .unwrap_or_default(),
                })
            }
        }
    }

    /// Every key under `dir` (a folder of data files), decoded.
    async fn walk(&self, dir: PathBuf, prefix_path: Vec<String>) -> Result<Vec<Key>, StoreError> {
        let mut keys = Vec::new();
        let mut pending = vec![(dir, prefix_path)];
        while let Some((dir, segments)) = pending.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(StoreError::io(format!("listing {}", dir.display()), error));
                }
            };
            while let Some(entry) = entries
                .next_entry()
                .await
                .map_err(|error| StoreError::io(format!("listing {}", dir.display()), error))?
            {
                let name = entry.file_name();
                let Some(name) = name.to_str() else { continue };
                if segments.is_empty() && (name == META_DIR || name == TMP_DIR) {
                    continue;
                }
                let Ok(decoded) = percent_decode_str(name).decode_utf8() else {
                    continue;
                };
                let mut path = segments.clone();
                path.push(decoded.into_owned());
                let kind = entry
                    .file_type()
                    .await
                    .map_err(|error| StoreError::io("listing", error))?;
                if kind.is_dir() {
                    pending.push((entry.path(), path));
                } else if kind.is_file()
                    && let Ok(key) = Key::parse(&path.join("/"))
                {
                    keys.push(key);
                }
            }
        }
        Ok(keys)
    }
}

#[async_trait]
impl ObjectStore for FilesystemStore {
    fn kind(&self) -> String {
        "filesystem".into()
    }

    async fn put(&self, key: &Key, mut body: Body) -> Result<ObjectMeta, StoreError> {
        let (mut temp, digest) = self.write_temp(&mut body).await?;
        let target = self.data_path(key);
        self.move_into_place(&temp.path, &target, key).await?;
        temp.moved();
        let metadata = tokio::fs::metadata(&target)
            .await
            .map_err(|error| StoreError::io(format!("reading {key}"), error))?;
        let (size, sha256) = digest.finish();
        let created = crate::stamp::now();
        let sidecar = Sidecar {
            sha256: sha256.clone(),
            size,
            created,
            modified_ns: modified_ns(&metadata),
        };
        let json = serde_json::to_vec(&sidecar)
            .map_err(|error| StoreError::Backend(format!("encoding metadata: {error}")))?;
        let mut meta_temp = TempFile::new(self.temp_path());
        tokio::fs::write(&meta_temp.path, json)
            .await
            .map_err(|error| StoreError::io("writing metadata", error))?;
        // A failed sidecar only costs a rehash on the next head.
        if self
            .move_into_place(&meta_temp.path, &self.meta_path(key), key)
            .await
            .is_ok()
        {
            meta_temp.moved();
        }
        Ok(ObjectMeta {
            key: key.clone(),
            size,
            sha256: Some(sha256),
            created,
        })
    }

    async fn get(&self, key: &Key) -> Result<(ObjectMeta, Body), StoreError> {
        let path = self.data_path(key);
        // Open first: the open file stays this content even if it is replaced.
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::NotADirectory
                        | io::ErrorKind::IsADirectory
                ) =>
            {
                return Err(StoreError::NotFound(key.to_string()));
            }
            Err(error) => return Err(StoreError::io(format!("reading {key}"), error)),
        };
        let meta = self.meta_of(key, &path).await?;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
        Ok((meta, Box::pin(stream)))
    }

    async fn head(&self, key: &Key) -> Result<ObjectMeta, StoreError> {
        self.meta_of(key, &self.data_path(key)).await
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<&Key>,
        limit: usize,
    ) -> Result<ListPage, StoreError> {
        // Start from the deepest folder the prefix names whole.
        let folders: Vec<String> = match prefix.rsplit_once('/') {
            Some((folders, _)) => folders.split('/').map(str::to_owned).collect(),
            None => Vec::new(),
        };
        if folders
            .iter()
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Ok(ListPage::default());
        }
        let dir: PathBuf = folders.iter().map(|s| encode_segment(s)).collect();
        let mut keys = self.walk(self.base.join(dir), folders).await?;
        keys.retain(|key| key.as_str().starts_with(prefix) && after.is_none_or(|a| key > a));
        keys.sort();
        let mut metas = Vec::new();
        for key in keys.into_iter().take(limit.max(1) + 1) {
            match self.head(&key).await {
                Ok(meta) => metas.push(meta),
                Err(StoreError::NotFound(_)) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(page_of(metas.iter(), prefix, after, limit))
    }

    async fn delete(&self, key: &Key) -> Result<(), StoreError> {
        for path in [self.data_path(key), self.meta_path(key)] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::NotFound
                            | io::ErrorKind::NotADirectory
                            | io::ErrorKind::IsADirectory
                    ) => {}
                Err(error) => return Err(StoreError::io(format!("deleting {key}"), error)),
            }
            // Empty folders left behind go too (best effort: a concurrent put may
            // be filling one again, and its rename retries).
            let mut dir = path.parent().map(Path::to_path_buf);
            while let Some(folder) = dir {
                if folder == self.base || folder == self.base.join(META_DIR) {
                    break;
                }
                if tokio::fs::remove_dir(&folder).await.is_err() {
                    break;
                }
                dir = folder.parent().map(Path::to_path_buf);
            }
        }
        Ok(())
    }

    async fn check(&self) -> Result<(), StoreError> {
        let tmp = self.base.join(TMP_DIR);
        tokio::fs::create_dir_all(&tmp).await.map_err(|error| {
            StoreError::io(format!("{} is not writable", self.base.display()), error)
        })?;
        let probe = self.temp_path();
        tokio::fs::write(&probe, b"probe").await.map_err(|error| {
            StoreError::io(format!("{} is not writable", self.base.display()), error)
        })?;
        tokio::fs::remove_file(&probe).await.map_err(|error| {
            StoreError::io(format!("{} is not writable", self.base.display()), error)
        })?;
        Ok(())
    }
}
