//! Reading the XML answers: WebDAV's `PROPFIND` multistatus, S3's `ListObjectsV2` result
//! and S3 error documents. Elements are matched by local name (namespaces vary between
//! servers: `D:`, `d:`, none); every answer has been bounded in bytes before it gets here,
//! and nesting is bounded too.

use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The deepest nesting read. A multistatus answer nests six deep
/// (`multistatus/response/propstat/prop/resourcetype/collection`); anything far deeper is
/// not an answer we asked for.
const MAX_DEPTH: usize = 32;

/// What the walker reports: an element opened (its local name, its depth), or closed
/// with the text it held directly.
enum Node<'a> {
    Open(&'a str),
    Close(&'a str, String),
}

/// Walks `text`, calling `visit` for each element opened and closed. Entity and
/// character references in text are resolved.
fn walk(text: &str, mut visit: impl FnMut(Node<'_>)) -> Result<(), String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("nesting deeper than {MAX_DEPTH}"));
                }
                let name = start.local_name().into_inner().to_owned();
                visit(Node::Open(&name));
                stack.push((name, String::new()));
            }
            Event::Empty(empty) => {
                let name = empty.local_name().into_inner();
                visit(Node::Open(name));
                visit(Node::Close(name, String::new()));
            }
            Event::End(_) => {
                let (name, text) = stack.pop().ok_or("an end tag without a start")?;
                visit(Node::Close(&name, text));
            }
            Event::Text(content) => {
                if let Some((_, text)) = stack.last_mut() {
                    text.push_str(&content.xml10_content());
                }
            }
            Event::CData(content) => {
                if let Some((_, text)) = stack.last_mut() {
                    text.push_str(&content);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| e.to_string())? {
                    Some(c) => c,
                    None => match reference.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(format!("unknown entity &{other};")),
                    },
                };
                if let Some((_, text)) = stack.last_mut() {
                    text.push(resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err("the answer ends inside an element".to_owned())
    }
}

/// One `<response>` of a WebDAV multistatus answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct DavResponse {
    /// The `href`, as sent (percent-encoded, a path or a full URL).
    pub href: String,
    /// Whether `resourcetype` holds `collection`.
    pub is_collection: bool,
    /// `getcontentlength`.
    pub size: Option<u64>,
    /// `getlastmodified`.
    pub modified: Option<DateTime<Utc>>,
}

/// The responses of a `PROPFIND` answer.
pub(crate) fn multistatus(text: &str) -> Result<Vec<DavResponse>, String> {
    let mut responses = Vec::new();
    let mut current: Option<DavResponse> = None;
    let mut saw_root = false;
    let mut bad_size = None;
    walk(text, |node| match node {
        Node::Open("multistatus") => saw_root = true,
        Node::Open("response") => current = Some(DavResponse::default()),
        Node::Open("collection") => {
            if let Some(response) = current.as_mut() {
                response.is_collection = true;
            }
        }
        Node::Open(_) => {}
        Node::Close("response", _) => responses.extend(current.take()),
        Node::Close(name, text) => {
            let Some(response) = current.as_mut() else {
                return;
            };
            let text = text.trim();
            match name {
                "href" => response.href = text.to_owned(),
                "getcontentlength" if !text.is_empty() => match text.parse() {
                    Ok(size) => response.size = Some(size),
                    Err(_) => bad_size = Some(text.to_owned()),
                },
                "getlastmodified" if !text.is_empty() => {
                    response.modified = super::http::http_date(text);
                }
                _ => {}
            }
        }
    })?;
    if !saw_root {
        return Err("not a WebDAV multistatus answer".to_owned());
    }
    if let Some(size) = bad_size {
        return Err(format!("a file size that is not a number: {size:?}"));
    }
    if responses.iter().any(|r| r.href.is_empty()) {
        return Err("a response without href".to_owned());
    }
    Ok(responses)
}

/// One object of an S3 listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct S3Object {
    /// The full key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// `LastModified`.
    pub modified: Option<DateTime<Utc>>,
}

/// One page of an S3 `ListObjectsV2` answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct S3Page {
    /// The objects (`Contents`).
    pub objects: Vec<S3Object>,
    /// The common prefixes (folders), full keys ending with the delimiter.
    pub prefixes: Vec<String>,
    /// Whether more pages follow.
    pub truncated: bool,
    /// The token of the next page.
    pub next_token: Option<String>,
}

/// A `ListObjectsV2` answer page.
pub(crate) fn list_objects(text: &str) -> Result<S3Page, String> {
    let mut page = S3Page::default();
    let mut saw_root = false;
    let mut in_contents = false;
    let mut in_prefixes = false;
    let mut key: Option<String> = None;
    let mut size: Option<u64> = None;
    let mut modified = None;
    let mut problem: Option<String> = None;
    walk(text, |node| match node {
        Node::Open("ListBucketResult") => saw_root = true,
        Node::Open("Contents") => {
            in_contents = true;
            (key, size, modified) = (None, None, None);
        }
        Node::Open("CommonPrefixes") => in_prefixes = true,
        Node::Open(_) => {}
        Node::Close("Contents", _) => {
            in_contents = false;
            match (key.take(), size.take()) {
                (Some(key), Some(size)) => page.objects.push(S3Object {
                    key,
                    size,
                    modified: modified.take(),
                }),
                _ => problem = Some("an object without key or size".to_owned()),
            }
        }
        Node::Close("CommonPrefixes", _) => in_prefixes = false,
        Node::Close("Key", text) if in_contents => key = Some(text),
        Node::Close("Size", text) if in_contents => match text.trim().parse() {
            Ok(value) => size = Some(value),
            Err(_) => problem = Some(format!("a size that is not a number: {text:?}")),
        },
        Node::Close("LastModified", text) if in_contents => {
            modified = DateTime::parse_from_rfc3339(text.trim())
                .ok()
                .map(|d| d.with_timezone(&Utc));
        }
        Node::Close("Prefix", text) if in_prefixes => page.prefixes.push(text),
        Node::Close("IsTruncated", text) => page.truncated = text.trim() == "true",
        Node::Close("NextContinuationToken", text) if !text.trim().is_empty() => {
            page.next_token = Some(text.trim().to_owned());
        }
        Node::Close(_, _) => {}
    })?;
    if !saw_root {
        return Err("not a ListObjectsV2 answer".to_owned());
    }
    match problem {
        Some(problem) => Err(problem),
        None => Ok(page),
    }
}

/// The `Code` of an S3 error document (`<Error><Code>SlowDown</Code>…`), if the body is
/// one.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut code = None;
    let mut in_error = false;
    walk(text, |node| match node {
        Node::Open("Error") => in_error = true,
        Node::Close("Code", text) if in_error => code = Some(text.trim().to_owned()),
        _ => {}
    })
    .ok()?;
    code
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn multistatus_answers_of_several_servers() {
        // 坚果云-style (prefix d:), wsgidav-style (default namespace), and entities.
        let nutstore = r#"<?xml version="1.0" encoding="UTF-8"?>
<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/shop/log/</d:href><d:propstat><d:prop>
<d:resourcetype><d:collection/></d:resourcetype><d:getlastmodified>Wed, 02 Dec 2026 12:00:00 GMT</d:getlastmodified>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
<d:response><d:href>/dav/shop/log/a%20b&amp;c.adsync</d:href><d:propstat><d:prop><d:resourcetype/>
<d:getcontentlength>42</d:getcontentlength></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>"#;
        let plain = r#"<multistatus xmlns="DAV:"><response><href>http://h/x/</href>
<propstat><prop><resourcetype><collection/></resourcetype></prop></propstat></response></multistatus>"#;
        /// (href, is a folder, size) of each response.
        type Expected<'a> = Vec<(&'a str, bool, Option<u64>)>;
        let cases: [(&str, Expected); 2] = [
            (
                nutstore,
                vec![
                    ("/dav/shop/log/", true, None),
                    ("/dav/shop/log/a%20b&c.adsync", false, Some(42)),
                ],
            ),
            (plain, vec![("http://h/x/", true, None)]),
        ];
        for (text, expected) in cases {
            let got: Vec<(String, bool, Option<u64>)> = multistatus(text)
                .unwrap()
                .into_iter()
                .map(|r| (r.href, r.is_collection, r.size))
                .collect();
            let expected: Vec<(String, bool, Option<u64>)> = expected
                .into_iter()
                .map(|(h, c, s)| (h.to_owned(), c, s))
                .collect();
            assert_eq!(got, expected, "every response is read, whatever the prefix");
        }
    }

    #[test]
    fn broken_answers_are_errors_not_empty_listings() {
        let cases = [
            "",
            "<html><body>502 Bad Gateway</body></html>",
            "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/x</d:href>",
            "<multistatus><response><href>/a</href><propstat><prop><getcontentlength>lots</getcontentlength></prop></propstat></response></multistatus>",
            "<multistatus><response></response></multistatus>",
        ];
        for text in cases {
            assert!(
                multistatus(text).is_err(),
                "{text:?} is refused, never read as an empty folder"
            );
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert!(multistatus(&deep).is_err(), "nesting is bounded");
        for text in [
            "",
            "<Error/>",
            "<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
        ] {
            assert!(
                list_objects(text).is_err(),
                "{text:?} is not a listing page"
            );
        }
    }

    #[test]
    fn list_objects_pages() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>shop/log/</Prefix>
<KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
<NextContinuationToken>tok&amp;1</NextContinuationToken>
<Contents><Key>shop/log/a.adsync</Key><LastModified>2026-12-02T12:00:00.000Z</LastModified><Size>7</Size></Contents>
<CommonPrefixes><Prefix>shop/log/dev-1/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let page = list_objects(text).unwrap();
        assert_eq!(
            page.objects,
            vec![S3Object {
                key: "shop/log/a.adsync".into(),
                size: 7,
                modified: DateTime::parse_from_rfc3339("2026-12-02T12:00:00Z")
                    .ok()
                    .map(|d| d.with_timezone(&Utc)),
            }],
            "objects carry key, size and time"
        );
        assert_eq!(page.prefixes, vec!["shop/log/dev-1/".to_owned()], "folders");
        assert!(page.truncated, "more pages follow");
        assert_eq!(
            page.next_token.as_deref(),
            Some("tok&1"),
            "the token, unescaped"
        );
        assert_eq!(
            error_code(b"<?xml version=\"1.0\"?><Error><Code>RequestTimeTooSkewed</Code></Error>")
                .as_deref(),
            Some("RequestTimeTooSkewed"),
            "an S3 error document's code"
        );
    }
}
