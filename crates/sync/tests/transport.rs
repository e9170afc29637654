//! The transports against real servers on loopback, started here: the same table of
//! cases for the local folder, WebDAV (`wsgidav`) and S3 (`rclone serve s3`), plus fake
//! servers for rate limiting and timeouts. The servers come from the project's virtual
//! environment `.venv-sync`, which `.ci/setup` installs (`docs/sync.md`, Transports).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_sync::name::{self, BatchName};
use afterdesk_sync::transport::{
    AnyTransport, EntryKind, FolderTransport, HttpSettings, S3Settings, S3Transport, Transport,
    TransportError, UrlStyle, WebDavSettings, WebDavTransport, webdav::NUTSTORE_LIST_CAP,
};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

/// How long a server may take to start listening (wsgidav imports a lot of Python).
const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// The request time limit of the transports under test: short, so that the timeout case
/// is quick, and far above what a loopback request takes.
const TEST_TIMEOUT: Duration = Duration::from_secs(2);

const WEBDAV_USER: &str = "alice";
const WEBDAV_PASSWORD: &str = "app-password-1";
const S3_ACCESS: &str = "AKIDTEST";
const S3_SECRET: &str = "secret-key-1";
const BUCKET: &str = "team";

/// A program of the project's sync test environment, or a failure that says how to
/// install it (never a silent skip: CI always runs `.ci/setup`).
fn venv_program(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.venv-sync/bin")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run .ci/setup to install the sync test servers (wsgidav, rclone) into .venv-sync",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(mut command: Command, port: u16) -> Server {
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut server = Server { child, port };
        let started = Instant::now();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server {command:?} exited with {status} before listening");
            }
            assert!(
                started.elapsed() < STARTUP_LIMIT,
                "the server {command:?} did not listen within {STARTUP_LIMIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wsgidav(dir: &Path) -> Server {
    let port = free_port();
    let config = dir.with_extension("wsgidav.json");
    let text = serde_json::json!({
        "host": "127.0.0.1",
        "port": port,
        "provider_mapping": {"/": dir.to_str().unwrap()},
        "http_authenticator": {
            "domain_controller": null,
            "accept_basic": true,
            "accept_digest": false,
            "default_to_digest": false,
        },
        "simple_dc": {"user_mapping": {"*": {WEBDAV_USER: {"password": WEBDAV_PASSWORD}}}},
        "verbose": 0,
        "logging": {"enable": false},
    });
    std::fs::write(&config, text.to_string()).unwrap();
    let mut command = Command::new(venv_program("wsgidav"));
    command.arg("-c").arg(&config);
    Server::start(command, port)
}

fn rclone_s3(dir: &Path) -> Server {
    let port = free_port();
    std::fs::create_dir_all(dir.join(BUCKET)).unwrap();
    let mut command = Command::new(venv_program("rclone"));
    command
        .args(["serve", "s3", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--auth-key")
        .arg(format!("{S3_ACCESS},{S3_SECRET}"))
        .arg(dir)
        .env("RCLONE_CONFIG", dir.with_extension("rclone.conf"));
    Server::start(command, port)
}

fn http_settings() -> HttpSettings {
    HttpSettings {
        timeout: TEST_TIMEOUT,
        connect_timeout: TEST_TIMEOUT,
    }
}

fn webdav_at(port: u16, password: &str) -> WebDavTransport {
    let mut settings = WebDavSettings::new(
        format!("http://127.0.0.1:{port}/AfterDesk/shop-1/"),
        WEBDAV_USER,
        password,
    );
    settings.http = http_settings();
    WebDavTransport::new(settings).unwrap()
}

fn s3_at(port: u16, secret: &str) -> S3Transport {
    S3Transport::new(S3Settings {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: BUCKET.to_owned(),
        region: "us-east-1".to_owned(),
        style: UrlStyle::Path,
        prefix: "AfterDesk/shop-1".to_owned(),
        access_key: S3_ACCESS.to_owned(),
        secret_key: Zeroizing::new(secret.to_owned()),
        http: http_settings(),
    })
    .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Folder,
    WebDav,
    S3,
}

const KINDS: [Kind; 3] = [Kind::Folder, Kind::WebDav, Kind::S3];

/// One backend under test: the transport, its server, and the directory on disk that
/// holds the shop's folder (to look behind the transport's back).
struct Backend {
    transport: AnyTransport,
    server: Option<Server>,
    shop_dir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Backend {
    fn new(kind: Kind) -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let served = dir.path().join("served");
        std::fs::create_dir_all(&served).unwrap();
        let (transport, server, shop_dir) = match kind {
            Kind::Folder => {
                let shop = served.join("AfterDesk/shop-1");
                std::fs::create_dir_all(&shop).unwrap();
                (
                    AnyTransport::Folder(FolderTransport::new(&shop)),
                    None,
                    shop,
                )
            }
            Kind::WebDav => {
                let shop = served.join("AfterDesk/shop-1");
                std::fs::create_dir_all(&shop).unwrap();
                let server = wsgidav(&served);
                let transport = webdav_at(server.port, WEBDAV_PASSWORD);
                (AnyTransport::WebDav(transport), Some(server), shop)
            }
            Kind::S3 => {
                let server = rclone_s3(&served);
                let transport = s3_at(server.port, S3_SECRET);
                let shop = served.join(BUCKET).join("AfterDesk/shop-1");
                (AnyTransport::S3(transport), Some(server), shop)
            }
        };
        Backend {
            transport,
            server,
            shop_dir,
            _dir: dir,
        }
    }

    fn port(&self) -> u16 {
        self.server.as_ref().map(|s| s.port).unwrap_or(0)
    }
}

fn batch_path(seq: u64) -> String {
    let now = chrono::DateTime::from_timestamp_millis(1_795_000_000_000).unwrap();
    BatchName::new(afterdesk_sync::Device::parse("dev-1").unwrap(), seq, now)
        .unwrap()
        .path()
}

fn code<T: std::fmt::Debug>(result: Result<T, TransportError>) -> String {
    match result {
        Ok(value) => format!("ok: {value:?}"),
        Err(error) => error.code().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_read_list_delete_round_trip() {
    for kind in KINDS {
        let backend = Backend::new(kind);
        let t = &backend.transport;
        let path = batch_path(1);
        t.write(&path, b"first batch").await.unwrap();
        t.write(&path, b"first batch, rewritten").await.unwrap();
        t.write("devices/dev-1.json", b"{}").await.unwrap();
        assert_eq!(
            t.read(&path, 1024).await.unwrap(),
            b"first batch, rewritten",
            "{kind:?}: a write replaces the file whole and reads back"
        );
        let folder = path.rsplit_once('/').unwrap().0;
        let listed = t.list(folder).await.unwrap();
        assert_eq!(
            listed.len(),
            1,
            "{kind:?}: one file, no temporary left: {listed:?}"
        );
        assert_eq!(
            listed[0].path, path,
            "{kind:?}: the listed path is the written one"
        );
        assert_eq!(listed[0].size, 22, "{kind:?}: the listed size");
        assert!(
            matches!(&listed[0].kind, EntryKind::File(name::Entry::Batch(b)) if b.seq == 1),
            "{kind:?}: the entry is classified as batch 1: {listed:?}"
        );
        let root = t.list("").await.unwrap();
        let folders: Vec<(&str, bool)> = root
            .iter()
            .map(|e| (e.path.as_str(), e.kind == EntryKind::Folder))
            .collect();
        assert_eq!(
            folders,
            [("devices", true), ("log", true)],
            "{kind:?}: the root lists its folders"
        );
        if kind != Kind::Folder {
            assert!(
                t.server_time().is_some(),
                "{kind:?}: the server's Date header is kept for the skew warning"
            );
        }
        t.delete(&path).await.unwrap();
        t.delete(&path).await.unwrap();
        assert_eq!(
            code(t.read(&path, 1024).await),
            "sync_not_found",
            "{kind:?}: a deleted file is not found (and deleting twice is fine)"
        );
        let after = code(t.list(folder).await);
        let expected = if kind == Kind::S3 {
            "sync_not_found"
        } else {
            "ok: []"
        };
        assert_eq!(
            after, expected,
            "{kind:?}: an emptied folder is an empty success only where folders exist"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_are_atomic_and_partial_files_are_skipped() {
    for kind in KINDS {
        let backend = Backend::new(kind);
        let t = &backend.transport;
        let path = batch_path(2);
        let folder = path.rsplit_once('/').unwrap().0;
        // A write cut short leaves only a temporary name, which every reader skips.
        let crashed = backend.shop_dir.join(folder);
        std::fs::create_dir_all(&crashed).unwrap();
        std::fs::write(crashed.join(".0000000002.adsync.0a1b2c.tmp"), b"half").unwrap();
        std::fs::write(crashed.join("0000000003.adsync"), b"").unwrap();
        let listed = t.list(folder).await;
        let kinds: Vec<(String, EntryKind)> = match listed {
            Ok(entries) => entries.into_iter().map(|e| (e.path, e.kind)).collect(),
            Err(e) => panic!("{kind:?}: listing failed: {e}"),
        };
        let expected = vec![
            (
                format!("{folder}/.0000000002.adsync.0a1b2c.tmp"),
                EntryKind::File(name::Entry::Temporary),
            ),
            (format!("{folder}/0000000003.adsync"), EntryKind::Empty),
        ];
        assert_eq!(
            kinds, expected,
            "{kind:?}: temporary and zero-byte files are listed as what they are"
        );
        assert_eq!(
            code(t.read(&path, 1024).await),
            "sync_not_found",
            "{kind:?}: nothing appears under the final name before the rename"
        );
        // Concurrent readers see the old whole file or the new whole file, never a part.
        let size = 2 * 1024 * 1024;
        t.write(&path, &vec![b'a'; size]).await.unwrap();
        let reader = async {
            for _ in 0..20 {
                let bytes = match t.read(&path, 4 * 1024 * 1024).await {
                    Ok(bytes) => bytes,
                    // RFC 4918's MOVE with `Overwrite: T` deletes the old file before
                    // moving the new one in: a replaced file may be missing for a moment
                    // (never partial). Batch files are never replaced.
                    Err(TransportError::NotFound { .. }) if kind == Kind::WebDav => continue,
                    // wsgidav answers a GET that races its own MOVE with a 500; the read
                    // fails whole (and is retried by the sync loop), never partly.
                    Err(TransportError::Http { status: 500, .. }) if kind == Kind::WebDav => {
                        continue;
                    }
                    Err(e) => panic!("{kind:?}: a read during a rewrite fails: {e:?}"),
                };
                assert_eq!(bytes.len(), size, "{kind:?}: a read sees a whole file");
                assert!(
                    bytes.iter().all(|&b| b == bytes[0]),
                    "{kind:?}: a read sees one version of the file"
                );
            }
        };
        let writer = async {
            for round in 0..4u8 {
                t.write(&path, &vec![b'b' + round; size]).await.unwrap();
            }
        };
        tokio::join!(reader, writer);
        let leftovers: Vec<String> = t
            .list(folder)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.path.contains(".0000000002"))
            .map(|e| e.path)
            .collect();
        let expected_leftovers = vec![format!("{folder}/.0000000002.adsync.0a1b2c.tmp")];
        assert_eq!(
            leftovers, expected_leftovers,
            "{kind:?}: the writes left no temporary file of their own"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_beyond_the_bound_are_refused() {
    for kind in KINDS {
        let backend = Backend::new(kind);
        let t = &backend.transport;
        t.write("SHOP.json", &[b'x'; 100]).await.unwrap();
        let cases = [
            (99, "sync_file_too_large"),
            (100, "ok"),
            (0, "sync_file_too_large"),
        ];
        for (bound, expected) in cases {
            let got = code(t.read("SHOP.json", bound).await);
            assert!(
                got.starts_with(expected),
                "{kind:?}: a 100-byte file read with bound {bound} gives {expected}, got {got}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_empty_folders() {
    for kind in KINDS {
        let backend = Backend::new(kind);
        let t = &backend.transport;
        std::fs::create_dir_all(backend.shop_dir.join("log/empty")).unwrap();
        std::fs::write(backend.shop_dir.join("log/file"), b"x").unwrap();
        let empty = if kind == Kind::S3 {
            "sync_not_found"
        } else {
            "ok: []"
        };
        let not_a_folder = if kind == Kind::S3 {
            "sync_not_found"
        } else {
            "sync_listing_failed"
        };
        let cases = [
            ("log/nobody", "sync_not_found"),
            ("log/empty", empty),
            ("log/file", not_a_folder),
            ("../outside", "sync_invalid_path"),
        ];
        for (folder, expected) in cases {
            let got = code(t.list(folder).await);
            let got = if kind == Kind::Folder && folder == "log/file" {
                // A file listed as a folder is an I/O error on a local disk.
                got.replace("sync_io", "sync_listing_failed")
            } else {
                got
            };
            assert_eq!(
                got, expected,
                "{kind:?}: listing {folder}: an empty success only for a folder that exists"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_listing_is_an_error_never_an_empty_folder() {
    for kind in KINDS {
        let mut backend = Backend::new(kind);
        backend
            .transport
            .write(&batch_path(1), b"batch")
            .await
            .unwrap();
        let expected = match kind {
            Kind::Folder => {
                // The drive or the sync client's folder went away.
                std::fs::remove_dir_all(&backend.shop_dir).unwrap();
                "sync_not_found"
            }
            Kind::WebDav | Kind::S3 => {
                backend.server.as_mut().unwrap().stop();
                "sync_unreachable"
            }
        };
        assert_eq!(
            code(backend.transport.list("log").await),
            expected,
            "{kind:?}: a listing that cannot be made is an error"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_are_unauthorized() {
    for kind in [Kind::WebDav, Kind::S3] {
        let backend = Backend::new(kind);
        let wrong = match kind {
            Kind::WebDav => AnyTransport::WebDav(webdav_at(backend.port(), "wrong-password")),
            _ => AnyTransport::S3(s3_at(backend.port(), "wrong-secret")),
        };
        backend.transport.write("SHOP.json", b"{}").await.unwrap();
        let results = [
            ("list", code(wrong.list("").await)),
            ("read", code(wrong.read("SHOP.json", 100).await)),
            ("write", code(wrong.write("SHOP.json", b"{}").await)),
        ];
        for (operation, got) in results {
            assert_eq!(
                got, "sync_unauthorized",
                "{kind:?}: {operation} with a wrong password or key is refused as such"
            );
        }
    }
}

/// A fake HTTP server on loopback: answers every request with `answer` (or never, when
/// `None`), for as many connections as come.
async fn fake_server(answer: Option<&'static str>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buffer).await;
                match answer {
                    Some(text) => {
                        let _ = socket.write_all(text.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    port
}

fn http_transports(port: u16) -> [(Kind, AnyTransport); 2] {
    [
        (Kind::WebDav, AnyTransport::WebDav(webdav_at(port, "p"))),
        (Kind::S3, AnyTransport::S3(s3_at(port, "s"))),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiting_is_reported_with_retry_after() {
    let cases = [
        (
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            429,
            Some(7),
        ),
        (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: 50\r\nConnection: close\r\n\r\n<Error><Code>SlowDown</Code><Message/></Error>\r\n\r\n",
            503,
            None,
        ),
    ];
    for (answer, status, wait) in cases {
        let port = fake_server(Some(answer)).await;
        for (kind, transport) in http_transports(port) {
            let results = [
                transport.list("log").await.map(|_| ()),
                transport.read("SHOP.json", 10).await.map(|_| ()),
                transport.write("SHOP.json", b"{}").await,
            ];
            for result in results {
                match result {
                    Err(TransportError::RateLimited {
                        status: got,
                        retry_after,
                    }) => {
                        assert_eq!(got, status, "{kind:?}: the status is kept");
                        assert_eq!(
                            retry_after.map(|d| d.as_secs()),
                            wait,
                            "{kind:?}: Retry-After is passed on when given"
                        );
                    }
                    other => panic!("{kind:?}: HTTP {status} is rate limiting, got {other:?}"),
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let port = fake_server(None).await;
    for (kind, transport) in http_transports(port) {
        let started = Instant::now();
        let got = code(transport.list("log").await);
        let took = started.elapsed();
        assert_eq!(got, "sync_timeout", "{kind:?}: silence is a timeout");
        assert!(
            took < TEST_TIMEOUT * 2,
            "{kind:?}: the timeout comes within the bound (no retry after a timeout): {took:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webdav_listing_at_the_cap_is_refused() {
    let backend = Backend::new(Kind::WebDav);
    let crowded = backend.shop_dir.join("log/dev-1/202611");
    std::fs::create_dir_all(&crowded).unwrap();
    for seq in 1..=NUTSTORE_LIST_CAP as u64 {
        std::fs::write(crowded.join(format!("{seq:010}.adsync")), b"x").unwrap();
    }
    match backend.transport.list("log/dev-1/202611").await {
        Err(TransportError::ListingCapped { cap, .. }) => {
            assert_eq!(cap, NUTSTORE_LIST_CAP, "the cap is reported")
        }
        other => panic!(
            "a listing of {NUTSTORE_LIST_CAP} files and the folder itself reaches the cap and is refused, got {other:?}"
        ),
    }
    std::fs::remove_file(crowded.join("0000000001.adsync")).unwrap();
    std::fs::remove_file(crowded.join("0000000002.adsync")).unwrap();
    let listed = backend.transport.list("log/dev-1/202611").await.unwrap();
    assert_eq!(
        listed.len(),
        NUTSTORE_LIST_CAP - 2,
        "a folder below the cap lists whole"
    );
}
