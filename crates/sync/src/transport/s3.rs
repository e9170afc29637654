//! The S3-compatible backend: Aliyun OSS, Tencent COS, MinIO, Cloudflare R2, AWS. Every
//! request is signed with AWS Signature V4 in the query string (`rusty-s3` signs; reqwest
//! sends). Objects appear whole when their single `PUT` completes, so a write needs no
//! temporary name; listings are `ListObjectsV2` with `/` as the delimiter, read page by
//! page through continuation tokens.

use super::http::{self, Call, HttpSettings, ServerClock};
use super::{
    Entry, MAX_LIST_ENTRIES, MAX_LISTING_BYTES, Transport, TransportError, check_write_size, join,
    split_path, xml,
};
use chrono::{DateTime, Utc};
use reqwest::{Method, Url};
use rusty_s3::{Bucket, Credentials, S3Action};
use std::time::Duration;
use zeroize::Zeroizing;

pub use rusty_s3::UrlStyle;

/// How long a signed request stays valid. It is sent at once, but the server compares the
/// signing time with its own clock: fifteen minutes, the window AWS allows for clock
/// differences, keeps a computer a few minutes off working (a clock further off gets
/// [`TransportError::ClockSkewed`], which names the real cause).
pub const SIGNATURE_VALIDITY: Duration = Duration::from_secs(15 * 60);

/// The keys asked for per listing page: S3's own maximum, so that a folder within the
/// layout's 500 entries is one request.
const PAGE_KEYS: usize = 1000;

/// Where and how to reach a shop folder in a bucket.
#[derive(Clone)]
pub struct S3Settings {
    /// The service's endpoint (`https://oss-cn-hangzhou.aliyuncs.com`,
    /// `https://cos.ap-guangzhou.myqcloud.com`, `http://127.0.0.1:9000`).
    pub endpoint: String,
    /// The bucket.
    pub bucket: String,
    /// The region the signature names (`oss-cn-hangzhou`, `ap-guangzhou`; MinIO and
    /// rclone accept `us-east-1`).
    pub region: String,
    /// Path style (`endpoint/bucket/key`, MinIO, rclone, IP addresses) or virtual-host
    /// style (`bucket.endpoint/key`, required by OSS and COS).
    pub style: UrlStyle,
    /// The shop folder's key prefix in the bucket (`AfterDesk/<shop id>`), without
    /// leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
    /// The access key id.
    pub access_key: String,
    /// The secret access key.
    pub secret_key: Zeroizing<String>,
    /// The time limits.
    pub http: HttpSettings,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("style", &self.style)
            .field("prefix", &self.prefix)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<hidden>")
            .field("http", &self.http)
            .finish()
    }
}

/// A shop folder in an S3-compatible bucket.
#[derive(Debug)]
pub struct S3Transport {
    bucket: Bucket,
    credentials: Credentials,
    prefix: String,
    timeout: Duration,
    client: reqwest::Client,
    clock: ServerClock,
}

impl S3Transport {
    /// The transport for `settings`: the endpoint must be https (or http to this
    /// computer). Nothing is sent yet.
    pub fn new(settings: S3Settings) -> Result<Self, TransportError> {
        let endpoint = http::server_url(&settings.endpoint)?;
        if settings.bucket.trim().is_empty() {
            return Err(TransportError::Settings(
                "没有填写存储桶（bucket）名称".to_owned(),
            ));
        }
        if !settings.prefix.is_empty() {
            split_path(&settings.prefix, false)?;
        }
        let bucket = Bucket::new(
            endpoint,
            settings.style,
            settings.bucket.trim().to_owned(),
            settings.region.trim().to_owned(),
        )
        .map_err(|e| {
            TransportError::Settings(format!(
                "存储桶“{}”与地址“{}”无法组成有效地址：{e:?}",
                settings.bucket, settings.endpoint
            ))
        })?;
        Ok(S3Transport {
            bucket,
            credentials: Credentials::new(
                settings.access_key.clone(),
                settings.secret_key.as_str().to_owned(),
            ),
            prefix: settings.prefix,
            timeout: settings.http.timeout,
            client: http::client(&settings.http)?,
            clock: ServerClock::default(),
        })
    }

    /// The object key of `path`.
    fn key(&self, path: &str) -> String {
        if path.is_empty() {
            self.prefix.clone()
        } else {
            join(&self.prefix, path)
        }
    }

    fn call<'a>(&self, operation: &'static str, path: &'a str) -> Call<'a> {
        Call {
            operation,
            path,
            timeout: self.timeout,
        }
    }

    /// The signed address of one listing page: a `GET` of the bucket with
    /// `ListObjectsV2`'s parameters (rusty-s3's own listing action needs its XML feature,
    /// whose reader this crate does not use; the signature is the same).
    fn list_url(&self, prefix: &str, token: Option<&str>) -> Url {
        let mut action = self.bucket.get_object(Some(&self.credentials), "");
        let query = action.query_mut();
        query.insert("list-type", "2");
        query.insert("prefix", prefix.to_owned());
        query.insert("delimiter", "/");
        query.insert("max-keys", PAGE_KEYS.to_string());
        if let Some(token) = token {
            query.insert("continuation-token", token.to_owned());
        }
        action.sign(SIGNATURE_VALIDITY)
    }
}

impl Transport for S3Transport {
    /// Lists the keys directly under the folder's prefix. S3 has no folders: a prefix
    /// that holds no object at all is [`TransportError::NotFound`], never an empty
    /// success, and an empty success means a folder marker object (`prefix/`) exists and
    /// nothing else.
    async fn list(&self, folder: &str) -> Result<Vec<Entry>, TransportError> {
        split_path(folder, true)?;
        let call = self.call("list", folder);
        let failed = |reason: String| TransportError::ListingFailed {
            path: folder.to_owned(),
            reason,
        };
        let prefix = match self.key(folder).as_str() {
            "" => String::new(),
            key => format!("{key}/"),
        };
        let mut entries = Vec::new();
        let mut exists = false;
        let mut token: Option<String> = None;
        loop {
            let url = self.list_url(&prefix, token.as_deref());
            let response = http::send(call, &self.clock, true, || {
                self.client.request(Method::GET, url.clone())
            })
            .await?;
            if !response.status().is_success() {
                return Err(http::status_error(call, response).await);
            }
            let body = http::read_limited(call, response, MAX_LISTING_BYTES)
                .await
                .map_err(|e| match e {
                    TransportError::TooLarge { .. } => TransportError::ListingTooLarge {
                        path: folder.to_owned(),
                        limit: MAX_LIST_ENTRIES,
                    },
                    other => other,
                })?;
            let text = String::from_utf8(body).map_err(|_| failed("not UTF-8".to_owned()))?;
            let page = xml::list_objects(&text).map_err(failed)?;
            for object in page.objects {
                let name = object
                    .key
                    .strip_prefix(&prefix)
                    .ok_or_else(|| failed(format!("a key outside the folder: {}", object.key)))?;
                exists = true;
                if name.is_empty() {
                    // The folder marker consoles create: the folder exists, nothing more.
                    continue;
                }
                if name.contains('/') {
                    return Err(failed(format!("a key below the folder: {}", object.key)));
                }
                entries.push(Entry::file(
                    join(folder, name),
                    object.size,
                    object.modified,
                ));
            }
            for common in page.prefixes {
                let name = common
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix('/'))
                    .filter(|name| !name.is_empty() && !name.contains('/'))
                    .ok_or_else(|| failed(format!("a folder outside the folder: {common}")))?;
                exists = true;
                entries.push(Entry::folder(join(folder, name), None));
            }
            if entries.len() > MAX_LIST_ENTRIES {
                return Err(TransportError::ListingTooLarge {
                    path: folder.to_owned(),
                    limit: MAX_LIST_ENTRIES,
                });
            }
            if !page.truncated {
                break;
            }
            match page.next_token {
                Some(next) if token.as_deref() != Some(next.as_str()) => token = Some(next),
                Some(_) => return Err(failed("the same continuation token twice".to_owned())),
                None => {
                    return Err(failed(
                        "a truncated page without a continuation token".to_owned(),
                    ));
                }
            }
        }
        if !exists {
            return Err(TransportError::NotFound {
                path: folder.to_owned(),
            });
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    async fn read(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
        split_path(path, false)?;
        let call = self.call("read", path);
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &self.key(path))
            .sign(SIGNATURE_VALIDITY);
        let response = http::send(call, &self.clock, true, || {
            self.client.request(Method::GET, url.clone())
        })
        .await?;
        if !response.status().is_success() {
            return Err(http::status_error(call, response).await);
        }
        http::read_limited(call, response, max_bytes).await
    }

    async fn write(&self, path: &str, bytes: &[u8]) -> Result<(), TransportError> {
        check_write_size(path, bytes)?;
        split_path(path, false)?;
        let call = self.call("write", path);
        let url = self
            .bucket
            .put_object(Some(&self.credentials), &self.key(path))
            .sign(SIGNATURE_VALIDITY);
        let response = http::send(call, &self.clock, false, || {
            self.client
                .request(Method::PUT, url.clone())
                .body(bytes.to_vec())
        })
        .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(http::status_error(call, response).await)
        }
    }

    async fn delete(&self, path: &str) -> Result<(), TransportError> {
        split_path(path, false)?;
        let call = self.call("delete", path);
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), &self.key(path))
            .sign(SIGNATURE_VALIDITY);
        let response = http::send(call, &self.clock, true, || {
            self.client.request(Method::DELETE, url.clone())
        })
        .await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            reqwest::StatusCode::NOT_FOUND => Ok(()),
            _ => Err(http::status_error(call, response).await),
        }
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.clock.get()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn settings(endpoint: &str, style: UrlStyle) -> S3Settings {
        S3Settings {
            endpoint: endpoint.to_owned(),
            bucket: "team-bucket".to_owned(),
            region: "oss-cn-hangzhou".to_owned(),
            style,
            prefix: "AfterDesk/shop-1".to_owned(),
            access_key: "AKID".to_owned(),
            secret_key: Zeroizing::new("very-secret".to_owned()),
            http: HttpSettings::default(),
        }
    }

    #[test]
    fn path_and_virtual_host_styles_address_the_same_key() {
        let cases = [
            (
                "https://oss-cn-hangzhou.aliyuncs.com",
                UrlStyle::VirtualHost,
                "team-bucket.oss-cn-hangzhou.aliyuncs.com",
                "/AfterDesk/shop-1/log/dev-1/202611/0000000001.adsync",
            ),
            (
                "http://127.0.0.1:9000",
                UrlStyle::Path,
                "127.0.0.1",
                "/team-bucket/AfterDesk/shop-1/log/dev-1/202611/0000000001.adsync",
            ),
        ];
        for (endpoint, style, host, path) in cases {
            let transport = S3Transport::new(settings(endpoint, style)).unwrap();
            let url = transport
                .bucket
                .get_object(
                    Some(&transport.credentials),
                    &transport.key("log/dev-1/202611/0000000001.adsync"),
                )
                .sign(SIGNATURE_VALIDITY);
            assert_eq!(
                url.host_str(),
                Some(host),
                "{style:?} puts the bucket where it belongs"
            );
            assert_eq!(
                url.path(),
                path,
                "{style:?} keeps the key under the shop prefix"
            );
            assert!(
                url.query().is_some_and(|q| q.contains("X-Amz-Signature=")),
                "every request is signed"
            );
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let settings = settings(
            "https://cos.ap-guangzhou.myqcloud.com",
            UrlStyle::VirtualHost,
        );
        let shown = format!(
            "{settings:?} {:?}",
            S3Transport::new(settings.clone()).unwrap()
        );
        assert!(
            !shown.contains("very-secret"),
            "the secret key never appears in debug output: {shown}"
        );
    }
}
