//! Moving an assembled multipart upload from its temporary key into place, and
//! cleaning up after uploads that did not get there.
//!
//! `CopyObject` takes at most 5 GiB; a larger object is copied by a multipart
//! upload of `UploadPartCopy` ranges onto the real key, which carries the SHA-256
//! from its creation, so the object appears whole, with its hash, or not at all.

use crate::{S3Bucket, S3Error, SHA256_METADATA, TEMP_PREFIX, encode_key, service};
use aws_sdk_s3::types::{CompletedPart, MetadataDirective};
use chrono::{TimeDelta, Utc};

/// The largest object one `CopyObject` may copy.
pub const MAX_SINGLE_COPY: u64 = 5 * 1024 * 1024 * 1024;
/// Bytes per `UploadPartCopy` range (S3 allows 5 MiB to 5 GiB).
const COPY_PART: u64 = 1024 * 1024 * 1024;
/// Temporary uploads older than this belong to a process that died mid-put.
const ABANDONED_AFTER: TimeDelta = TimeDelta::hours(1);

impl S3Bucket {
    /// Copies the `size` bytes at `temp` to `key`, with `sha256` as metadata.
    pub(crate) async fn copy_into_place(
        &self,
        temp: &str,
        key: &str,
        size: u64,
        sha256: &str,
    ) -> Result<(), S3Error> {
        let source = format!("{}/{}", self.bucket, encode_key(temp));
        if size <= self.max_single_copy {
            self.client
                .copy_object()
                .bucket(&self.bucket)
                .key(key)
                .copy_source(source)
                .metadata(SHA256_METADATA, sha256)
                .metadata_directive(MetadataDirective::Replace)
                .send()
                .await
                .map_err(|error| service("CopyObject", error))?;
            return Ok(());
        }
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .metadata(SHA256_METADATA, sha256)
            .send()
            .await
            .map_err(|error| service("CreateMultipartUpload", error))?;
        let Some(upload_id) = upload.upload_id() else {
            return Err(S3Error::Service {
                operation: "CreateMultipartUpload",
                message: "no upload id in the answer".into(),
            });
        };
        let guard = AbortOnDrop::new(self, key, upload_id);
        let part_size = self.copy_part.clamp(5 * 1024 * 1024, COPY_PART);
        let mut parts = Vec::new();
        let mut start = 0u64;
        while start < size {
            let end = (start + part_size).min(size) - 1;
            let number = i32::try_from(parts.len() + 1).unwrap_or(i32::MAX);
            let copied = self
                .client
                .upload_part_copy()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(upload_id)
                .part_number(number)
                .copy_source(&source)
                .copy_source_range(format!("bytes={start}-{end}"))
                .send()
                .await
                .map_err(|error| service("UploadPartCopy", error))?;
            let e_tag = copied
                .copy_part_result()
                .and_then(|result| result.e_tag())
                .map(str::to_owned);
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(e_tag)
                    .build(),
            );
            start = end + 1;
        }
        self.complete_upload(key, upload_id, parts).await?;
        guard.disarm();
        Ok(())
    }

    /// Aborts multipart uploads and deletes temporary objects that a process
    /// which died mid-put left behind (uploads in progress are younger).
    pub async fn sweep_leftovers(&self) -> Result<(), S3Error> {
        let stale = (Utc::now() - ABANDONED_AFTER).timestamp();
        let (uploads, temps) = self.leftovers().await?;
        for (key, upload_id, _) in uploads.iter().filter(|(_, _, started)| *started < stale) {
            self.abort_upload(key, upload_id).await;
        }
        for (key, _) in temps.iter().filter(|(_, written)| *written < stale) {
            let _ = self.delete(key).await;
        }
        Ok(())
    }

    /// Multipart uploads in progress and temporary objects, of any age (tests,
    /// diagnostics).
    pub async fn unfinished_uploads(&self) -> Result<usize, S3Error> {
        let (uploads, temps) = self.leftovers().await?;
        Ok(uploads.len() + temps.len())
    }

    /// Under [`TEMP_PREFIX`]: the multipart uploads (key, id, when started) and
    /// the temporary objects (key, when written), times in Unix seconds.
    #[allow(clippy::type_complexity)]
    async fn leftovers(&self) -> Result<(Vec<(String, String, i64)>, Vec<(String, i64)>), S3Error> {
        let seconds = |time: Option<&aws_sdk_s3::primitives::DateTime>| {
            time.map_or(i64::MAX, |time| time.secs())
        };
        let uploads = self
            .client
            .list_multipart_uploads()
            .bucket(&self.bucket)
            .prefix(TEMP_PREFIX)
            .send()
            .await
            .map_err(|error| service("ListMultipartUploads", error))?;
        let temps = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(TEMP_PREFIX)
            .send()
            .await
            .map_err(|error| service("ListObjectsV2", error))?;
        let uploads = uploads
            .uploads()
            .iter()
            .filter_map(|upload| {
                Some((
                    upload.key()?.to_owned(),
                    upload.upload_id()?.to_owned(),
                    seconds(upload.initiated()),
                ))
            })
            .collect();
        let temps = temps
            .contents()
            .iter()
            .filter_map(|object| Some((object.key()?.to_owned(), seconds(object.last_modified()))))
            .collect();
        Ok((uploads, temps))
    }

    /// Aborts a multipart upload, best effort: what fails is swept later.
    pub(crate) async fn abort_upload(&self, key: &str, upload_id: &str) {
        let _ = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await;
    }
}

/// Aborts a multipart upload (and deletes its temporary object) if dropped armed:
/// a failed or cancelled put leaves no parts behind to be kept and billed.
pub(crate) struct AbortOnDrop {
    bucket: S3Bucket,
    key: String,
    upload_id: String,
    /// Also delete the temporary object (once the upload completed to it).
    temp_object: bool,
    armed: bool,
}

impl AbortOnDrop {
    pub(crate) fn new(bucket: &S3Bucket, key: &str, upload_id: &str) -> Self {
        Self {
            bucket: bucket.clone(),
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            temp_object: false,
            armed: true,
        }
    }

    /// The upload is complete: from now on the temporary object is what to remove.
    pub(crate) fn completed(&mut self) {
        self.temp_object = true;
    }

    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (bucket, key, upload_id, temp_object) = (
            self.bucket.clone(),
            self.key.clone(),
            self.upload_id.clone(),
            self.temp_object,
        );
        runtime.spawn(async move {
            if temp_object {
                let _ = bucket.delete(&key).await;
            } else {
                bucket.abort_upload(&key, &upload_id).await;
            }
        });
    }
}
