//! The WebDAV backend, written for 坚果云 (Nutstore) and any RFC 4918 server: `PROPFIND`
//! with `Depth: 1` to list, `GET`, `PUT` to a temporary name then `MOVE` over the final
//! name, `MKCOL` for missing folders, `DELETE`; basic authentication with an app
//! password (坚果云 gives one per application, never the account's own password).

use super::http::{self, Call, HttpSettings, ServerClock};
use super::{
    Entry, MAX_LIST_ENTRIES, MAX_LISTING_BYTES, Transport, TransportError, check_write_size, join,
    split_path, temporary_path, xml,
};
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use reqwest::{Method, StatusCode, Url};
use zeroize::Zeroizing;

/// The most entries 坚果云's WebDAV returns for one `PROPFIND`: a larger folder's listing
/// is silently cut to this many. The shared folder's layout keeps folders under about
/// 500 entries; a listing that reaches the cap (the folder's own entry included, since it
/// is not known whether the server counts it) is refused as
/// [`TransportError::ListingCapped`] rather than read as the whole folder, which would
/// make the missing files look deleted or never written (endless re-uploads).
pub const NUTSTORE_LIST_CAP: usize = 750;

/// The `PROPFIND` body: only the three properties a listing needs, so that servers do not
/// compute the rest (`allprop` makes some compute quotas and locks).
const PROPFIND_BODY: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:getcontentlength/><d:getlastmodified/></d:prop></d:propfind>"#;

/// Where and how to reach a WebDAV shop folder.
#[derive(Clone)]
pub struct WebDavSettings {
    /// The shop folder's address (`https://dav.jianguoyun.com/dav/AfterDesk/<shop id>/`).
    pub url: String,
    /// The account (坚果云: the e-mail address); empty for a server without
    /// authentication (tests).
    pub user: String,
    /// The app password.
    pub password: Zeroizing<String>,
    /// The time limits.
    pub http: HttpSettings,
    /// The server's listing cap ([`NUTSTORE_LIST_CAP`] by default; other servers have
    /// none, and the cap then only costs splitting folders early).
    pub list_cap: usize,
}

impl WebDavSettings {
    /// Settings for `url` with these credentials and the default limits.
    pub fn new(url: impl Into<String>, user: impl Into<String>, password: &str) -> Self {
        WebDavSettings {
            url: url.into(),
            user: user.into(),
            password: Zeroizing::new(password.to_owned()),
            http: HttpSettings::default(),
            list_cap: NUTSTORE_LIST_CAP,
        }
    }
}

impl std::fmt::Debug for WebDavSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebDavSettings")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("password", &"<hidden>")
            .field("http", &self.http)
            .field("list_cap", &self.list_cap)
            .finish()
    }
}

/// A shop folder on a WebDAV server.
#[derive(Debug)]
pub struct WebDavTransport {
    base: Url,
    settings: WebDavSettings,
    client: reqwest::Client,
    clock: ServerClock,
}

impl WebDavTransport {
    /// The transport for `settings`: the address must be https (or http to this
    /// computer). Nothing is sent yet.
    pub fn new(settings: WebDavSettings) -> Result<Self, TransportError> {
        let mut base = http::server_url(&settings.url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        if base.cannot_be_a_base() {
            return Err(TransportError::Settings(format!(
                "WebDAV 地址“{}”无效",
                settings.url
            )));
        }
        let client = http::client(&settings.http)?;
        Ok(WebDavTransport {
            base,
            settings,
            client,
            clock: ServerClock::default(),
        })
    }

    /// The address of `path`; folders end with `/`.
    fn url(&self, path: &str, folder: bool) -> Result<Url, TransportError> {
        let parts = split_path(path, folder)?;
        let mut url = self.base.clone();
        {
            let mut segments = url.path_segments_mut().map_err(|()| {
                TransportError::Settings(format!("WebDAV 地址“{}”无效", self.settings.url))
            })?;
            segments.pop_if_empty();
            segments.extend(parts);
            if folder {
                segments.push("");
            }
        }
        Ok(url)
    }

    fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url);
        if self.settings.user.is_empty() {
            request
        } else {
            request.basic_auth(&self.settings.user, Some(self.settings.password.as_str()))
        }
    }

    fn call<'a>(&self, operation: &'static str, path: &'a str) -> Call<'a> {
        Call {
            operation,
            path,
            timeout: self.settings.http.timeout,
        }
    }

    /// `PUT` of `bytes` at `path`, creating the missing folders when the server says the
    /// parent is missing (`409 Conflict`, RFC 4918 §9.7.1), so that a write into an
    /// existing folder costs one request.
    async fn put(&self, path: &str, bytes: &[u8]) -> Result<(), TransportError> {
        let call = self.call("write", path);
        let url = self.url(path, false)?;
        let put = || self.request(Method::PUT, url.clone()).body(bytes.to_vec());
        let response = http::send(call, &self.clock, false, put).await?;
        let response = if response.status() == StatusCode::CONFLICT {
            self.make_folders(path).await?;
            http::send(call, &self.clock, false, put).await?
        } else {
            response
        };
        if response.status().is_success() {
            Ok(())
        } else {
            Err(http::status_error(call, response).await)
        }
    }

    /// `MKCOL` of every folder above `path`, from the top; one that exists already
    /// (`405`) is fine.
    async fn make_folders(&self, path: &str) -> Result<(), TransportError> {
        let parts = split_path(path, false)?;
        let mut folder = String::new();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            folder = join(&folder, part);
            let call = self.call("write", &folder);
            let url = self.url(&folder, true)?;
            let mkcol = || self.request(mkcol_method(), url.clone());
            let response = http::send(call, &self.clock, false, mkcol).await?;
            let status = response.status();
            if !(status.is_success() || status == StatusCode::METHOD_NOT_ALLOWED) {
                return Err(http::status_error(call, response).await);
            }
        }
        Ok(())
    }

    /// `MOVE` of `from` over `to`, replacing it.
    async fn rename(&self, from: &str, to: &str) -> Result<(), TransportError> {
        let call = self.call("write", to);
        let source = self.url(from, false)?;
        let destination = self.url(to, false)?;
        let response = http::send(call, &self.clock, false, || {
            self.request(move_method(), source.clone())
                .header("Destination", destination.as_str())
                .header("Overwrite", "T")
        })
        .await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(http::status_error(call, response).await)
        }
    }

    async fn delete_file(&self, path: &str) -> Result<(), TransportError> {
        let call = self.call("delete", path);
        let url = self.url(path, false)?;
        let response = http::send(call, &self.clock, true, || {
            self.request(Method::DELETE, url.clone())
        })
        .await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Ok(()),
            _ => Err(http::status_error(call, response).await),
        }
    }
}

fn propfind_method() -> Method {
    // A constant method name of plain letters always parses.
    Method::from_bytes(b"PROPFIND").unwrap_or(Method::GET)
}

fn mkcol_method() -> Method {
    Method::from_bytes(b"MKCOL").unwrap_or(Method::PUT)
}

fn move_method() -> Method {
    Method::from_bytes(b"MOVE").unwrap_or(Method::PUT)
}

/// The decoded names of a URL's path, without the empty name a folder's `/` leaves.
fn decoded_segments(url: &Url) -> Vec<String> {
    url.path()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| percent_decode_str(segment).decode_utf8_lossy().into_owned())
        .collect()
}

impl Transport for WebDavTransport {
    async fn list(&self, folder: &str) -> Result<Vec<Entry>, TransportError> {
        let call = self.call("list", folder);
        let failed = |reason: String| TransportError::ListingFailed {
            path: folder.to_owned(),
            reason,
        };
        let url = self.url(folder, true)?;
        let response = http::send(call, &self.clock, true, || {
            self.request(propfind_method(), url.clone())
                .header("Depth", "1")
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/xml; charset=utf-8",
                )
                .body(PROPFIND_BODY)
        })
        .await?;
        if response.status() != StatusCode::MULTI_STATUS {
            if response.status().is_success() {
                return Err(failed(format!("HTTP {} instead of 207", response.status())));
            }
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
        let responses = xml::multistatus(&text).map_err(failed)?;
        if responses.len() >= self.settings.list_cap {
            return Err(TransportError::ListingCapped {
                path: folder.to_owned(),
                cap: self.settings.list_cap,
            });
        }
        if responses.len() > MAX_LIST_ENTRIES {
            return Err(TransportError::ListingTooLarge {
                path: folder.to_owned(),
                limit: MAX_LIST_ENTRIES,
            });
        }
        let own = decoded_segments(&url);
        let mut saw_self = false;
        let mut entries = Vec::with_capacity(responses.len());
        for response in responses {
            let href = url
                .join(&response.href)
                .map_err(|e| failed(format!("href {:?}: {e}", response.href)))?;
            let segments = decoded_segments(&href);
            if segments == own {
                if !response.is_collection {
                    return Err(failed("the path is a file, not a folder".to_owned()));
                }
                saw_self = true;
                continue;
            }
            let name = match segments.split_last() {
                Some((name, parent)) if parent == own.as_slice() => name,
                _ => return Err(failed(format!("an entry outside the folder: {href}"))),
            };
            if split_path(name, false).is_err() || name.contains('/') {
                return Err(failed(format!("an entry with an unusable name: {name:?}")));
            }
            let path = join(folder, name);
            entries.push(if response.is_collection {
                Entry::folder(path, response.modified)
            } else {
                Entry::file(path, response.size.unwrap_or(0), response.modified)
            });
        }
        if !saw_self {
            return Err(failed("the folder's own entry is missing".to_owned()));
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    async fn read(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
        let call = self.call("read", path);
        let url = self.url(path, false)?;
        let response = http::send(call, &self.clock, true, || {
            self.request(Method::GET, url.clone())
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
        let temporary = temporary_path(path)?;
        self.put(&temporary, bytes).await?;
        if let Err(error) = self.rename(&temporary, path).await {
            // Best effort: every reader skips the temporary name anyway.
            let _ = self.delete_file(&temporary).await;
            return Err(error);
        }
        Ok(())
    }

    async fn delete(&self, path: &str) -> Result<(), TransportError> {
        self.delete_file(path).await
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        self.clock.get()
    }
}
