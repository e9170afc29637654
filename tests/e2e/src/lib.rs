//! The harness for AfterDesk's end-to-end tests.
//!
//! These tests drive the real, built desktop app (`target/debug/afterdesk-app`) in a real
//! WebKitGTK webview: `tauri-driver` speaks WebDriver on one port and forwards to Debian's
//! `WebKitWebDriver`, which starts the app. Each test gets a fresh [`Profile`] (its own
//! database and its own data directories), launches the app with [`App::launch`], and
//! talks to it through the small set of helpers on [`App`]. Further steps (import a file,
//! search, open a case, restart and check persistence) are meant to be written as more
//! helpers here and more scenarios in `tests/`.
//!
//! The tests only run when `AFTERDESK_E2E=1` (see [`enabled`]); `.ci/e2e` builds everything
//! and runs them under Xvfb.

use std::fs::{self, File};
use std::io::Write as _;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// The variable that switches the end-to-end tests on.
pub const ENABLE_VAR: &str = "AFTERDESK_E2E";

/// Overrides where the app binary is looked for.
pub const APP_BINARY_VAR: &str = "AFTERDESK_APP_BINARY";

/// Overrides which `tauri-driver` is started (otherwise the one on `PATH`, then
/// `~/.cargo/bin`).
pub const TAURI_DRIVER_VAR: &str = "AFTERDESK_TAURI_DRIVER";

/// The variable the app reads its database path from (`afterdesk_desk::shop::DB_ENV`;
/// repeated here so that this crate does not build the whole core just for a name).
pub const DB_VAR: &str = "AFTERDESK_DB";

/// How long a single wait (for an element, a text...) may take by default. Generous
/// because CI machines here have two cores and WebKit renders in software under Xvfb.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(20);

/// How long opening a session (starting the app until its page has loaded) may take.
/// Without a limit a broken display makes the request hang forever: the app panics
/// ("Failed to initialize gtk backend") and WebKitWebDriver never answers.
const SESSION_TIMEOUT: Duration = Duration::from_secs(90);

/// How long `tauri-driver` may take to listen on its port.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(15);

/// How often waits poll the page.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Whether the end-to-end tests should run (`AFTERDESK_E2E=1`).
///
/// They are skipped otherwise so that `cargo test --workspace` stays fast and works on
/// machines without a display, WebKitWebDriver or a built app.
#[must_use]
pub fn enabled() -> bool {
    std::env::var(ENABLE_VAR).is_ok_and(|v| v == "1")
}

/// Prints why a test is skipped, straight to the process's stderr.
///
/// `eprintln!` output is captured by the test harness and only shown for failing tests;
/// writing to the stream directly makes the skip visible in a plain `cargo test` run.
pub fn print_skip(test: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "afterdesk-e2e: skipping `{test}`: set {ENABLE_VAR}=1 to drive the real app (.ci/e2e does this under Xvfb)"
    );
}

/// The repository root (this crate lives in `tests/e2e`).
#[must_use]
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Resolve the `..`s so that paths in messages read well; fall back to the raw path.
    fs::canonicalize(&root).unwrap_or(root)
}

/// Where screenshots and driver logs go: `tests/artifacts/` (git-ignored).
pub fn artifacts_dir() -> Result<PathBuf> {
    let dir = workspace_root().join("tests/artifacts");
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Fails with a clear message when there is no X display.
///
/// Without one the app cannot create its window and the WebDriver session request would
/// hang instead of failing.
pub fn require_display() -> Result<()> {
    match std::env::var("DISPLAY") {
        Ok(display) if !display.is_empty() => Ok(()),
        _ => bail!(
            "{ENABLE_VAR}=1 but DISPLAY is not set: the app needs an X display. \
             Run under Xvfb, e.g. `xvfb-run -a -s '-screen 0 1280x800x24' cargo test -p afterdesk-e2e`, \
             or use .ci/e2e"
        ),
    }
}

/// Finds the built app: `$AFTERDESK_APP_BINARY`, else `debug/afterdesk-app` in
/// `$CARGO_TARGET_DIR` (relative paths are taken from the workspace root, as cargo does),
/// else in the workspace's `target/`.
pub fn app_binary() -> Result<PathBuf> {
    let root = workspace_root();
    let candidate = if let Some(path) = std::env::var_os(APP_BINARY_VAR) {
        PathBuf::from(path)
    } else {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| root.join("target"), |dir| root.join(dir));
        target
            .join("debug")
            .join(format!("afterdesk-app{}", std::env::consts::EXE_SUFFIX))
    };
    // WebKitWebDriver starts the app from its own working directory, so the path must be
    // absolute.
    let absolute = root.join(&candidate);
    ensure!(
        absolute.is_file(),
        "the app binary {} does not exist: build it with `(cd ui && npm run build) && cargo build -p afterdesk-app`, \
         or point {APP_BINARY_VAR} at it",
        absolute.display()
    );
    Ok(absolute)
}

/// Finds `tauri-driver`: `$AFTERDESK_TAURI_DRIVER`, else on `PATH`, else in
/// `~/.cargo/bin` (where `cargo install` puts it, and which is not always on `PATH`).
pub fn tauri_driver_binary() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os(TAURI_DRIVER_VAR) {
        return Ok(PathBuf::from(path));
    }
    let name = format!("tauri-driver{}", std::env::consts::EXE_SUFFIX);
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .unwrap_or_default();
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .map(|home| home.join("bin"));
    on_path
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join(&name))
        .find(|path| path.is_file())
        .ok_or_else(|| anyhow!("tauri-driver not found on PATH or in ~/.cargo/bin: run `cargo install tauri-driver --locked`"))
}

/// Two distinct TCP ports that were free a moment ago.
///
/// Both listeners are held until both ports are known so that the two cannot coincide;
/// another process could still grab one before `tauri-driver` binds it, which is rare
/// enough for tests.
fn free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    let b = TcpListener::bind(("127.0.0.1", 0)).context("finding a free port")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

/// A fresh, throw-away place for everything the app stores: its database and the XDG
/// data, config and cache directories (WebKit's local storage, where the UI remembers
/// its language, and the window-state plugin's file live there).
///
/// One profile can outlive several launches, which is how a test checks that data
/// survives a restart. The directory is deleted when the profile is dropped.
#[derive(Debug)]
pub struct Profile {
    dir: tempfile::TempDir,
}

impl Profile {
    /// Creates an empty profile in the system's temporary directory.
    pub fn new() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("afterdesk-e2e-")
            .tempdir()
            .context("creating a temporary profile directory")?;
        for sub in ["data", "config", "cache"] {
            fs::create_dir_all(dir.path().join(sub))?;
        }
        Ok(Self { dir })
    }

    /// The profile's directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The database file the app is told to use.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.path().join("afterdesk.sqlite")
    }

    /// The environment that points the app at this profile.
    fn env(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            (DB_VAR, self.db_path()),
            ("XDG_DATA_HOME", self.path().join("data")),
            ("XDG_CONFIG_HOME", self.path().join("config")),
            ("XDG_CACHE_HOME", self.path().join("cache")),
            // The machine running the tests has no desktop keychain; keys saved in the
            // app live in its memory for the run.
            ("AFTERDESK_KEYCHAIN", PathBuf::from("memory")),
        ]
    }
}

/// A running `tauri-driver`, with the WebKitWebDriver and the app it starts.
///
/// It is started as the leader of its own process group, so that dropping the guard can
/// end the whole tree: `tauri-driver` itself SIGKILLs WebKitWebDriver on SIGTERM, which
/// leaves no one to stop the app, so the guard signals the group instead.
#[derive(Debug)]
struct Driver {
    child: Child,
    port: u16,
    log: PathBuf,
    /// Set once the group has been stopped, so that dropping does not signal a process
    /// group id that the system may have handed out again since.
    stopped: bool,
}

impl Driver {
    /// Starts `tauri-driver` on free ports with the profile's environment (the app is a
    /// grandchild and inherits it) and waits until it accepts connections.
    fn start(label: &str, profile: &Profile) -> Result<Self> {
        let binary = tauri_driver_binary()?;
        let (port, native_port) = free_ports()?;
        let log = artifacts_dir()?.join(format!("{label}.driver.log"));
        let log_file = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(&binary)
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .envs(profile.env())
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut driver = Self {
            child,
            port,
            log,
            stopped: false,
        };

        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if let Some(status) = driver.child.try_wait()? {
                bail!(
                    "tauri-driver exited at start ({status}); see {}",
                    driver.log.display()
                );
            }
            // tauri-driver listens at once but starts WebKitWebDriver in the background;
            // a session request sent before the native port is up fails with
            // "connection refused", so wait for both.
            if TcpStream::connect(("127.0.0.1", port)).is_ok()
                && TcpStream::connect(("127.0.0.1", native_port)).is_ok()
            {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                bail!(
                    "tauri-driver did not listen on ports {port} and {native_port} within {DRIVER_START_TIMEOUT:?}; see {}",
                    driver.log.display()
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Whether any process of the driver's group (driver, WebKitWebDriver, app) is still
    /// running.
    ///
    /// Read from `/proc` rather than probed with `kill -0`, because that also counts
    /// zombies: in a container whose first process does not reap orphans, the exited
    /// WebKitWebDriver and app stay zombies forever and would look alive.
    fn group_alive(&self) -> bool {
        let pgid = self.child.id().to_string();
        let Ok(entries) = fs::read_dir("/proc") else {
            return false;
        };
        entries.flatten().any(|entry| {
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                return false;
            };
            // `pid (comm) state ppid pgrp ...`; comm may contain spaces and parentheses,
            // so the fields are counted from the last `)`.
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            matches!(fields.as_slice(), [state, _ppid, pgrp, ..] if *pgrp == pgid && *state != "Z")
        })
    }

    /// Ends the whole process group: politely, then by force, and waits for it.
    fn stop(&mut self) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        let pgid = self.child.id();
        signal_group(pgid, "TERM");
        let _ = self.child.wait();
        // The app and WebKitWebDriver get a moment to exit on their own (a clean exit
        // lets the app close its database) before they are killed.
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.group_alive() && Instant::now() < deadline {
            std::thread::sleep(POLL_INTERVAL);
        }
        if self.group_alive() {
            signal_group(pgid, "KILL");
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How many times a native dialog is given the path before the test gives up.
const DIALOG_ATTEMPTS: u32 = 3;

/// Runs `xdotool` with `args`; whether it succeeded.
fn xdotool(args: &[&str]) -> Result<bool> {
    Ok(Command::new("xdotool")
        .args(args)
        .status()
        .context("running xdotool (install the xdotool package)")?
        .success())
}

/// The id of a visible window titled `title`, if there is one.
fn visible_window(title: &str) -> Result<Option<String>> {
    let found = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", title])
        .output()
        .context("running xdotool (install the xdotool package)")?;
    Ok(String::from_utf8_lossy(&found.stdout)
        .split_whitespace()
        .last()
        .map(str::to_owned))
}

/// With `AFTERDESK_E2E_DEBUG` set, saves a capture of the whole X screen (a native
/// dialog is outside the webview, so WebDriver's screenshots do not show it).
fn debug_capture(name: &str) -> Result<()> {
    if std::env::var_os("AFTERDESK_E2E_DEBUG").is_some() {
        let shot = artifacts_dir()?.join(format!("{name}.png"));
        let _ = Command::new("import")
            .args(["-window", "root"])
            .arg(&shot)
            .status();
    }
    Ok(())
}

/// One process of the app's tree with its memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessMemory {
    /// The process id.
    pub pid: u32,
    /// Its command name (`afterdesk-app`, `WebKitWebProces`...).
    pub name: String,
    /// Its proportional set size in KiB: shared pages split among the processes sharing
    /// them, so that the sum over processes is what they take together.
    pub pss_kib: u64,
}

/// The programs of the test harness itself, left out of the app's memory.
const HARNESS_PROCESSES: [&str; 2] = ["tauri-driver", "WebKitWebDrive"];

impl Driver {
    /// The memory of every live process in the driver's group except the harness's own
    /// (the app and the WebKit processes it started).
    fn app_memory(&self) -> Vec<ProcessMemory> {
        let pgid = self.child.id().to_string();
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            let (Some(open), Some((_, rest))) = (stat.find('('), stat.rsplit_once(')')) else {
                continue;
            };
            let name = stat[open + 1..stat.len() - rest.len() - 1].to_owned();
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let in_group = matches!(fields.as_slice(), [state, _ppid, pgrp, ..] if *pgrp == pgid && *state != "Z");
            if !in_group || HARNESS_PROCESSES.contains(&name.as_str()) {
                continue;
            }
            let pss_kib = fs::read_to_string(entry.path().join("smaps_rollup"))
                .ok()
                .and_then(|text| {
                    text.lines()
                        .find_map(|line| line.strip_prefix("Pss:"))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                })
                .unwrap_or(0);
            found.push(ProcessMemory { pid, name, pss_kib });
        }
        found
    }
}

/// Sends `signal` to every process in group `pgid` with the `kill` utility (the
/// workspace forbids `unsafe`, which calling `kill(2)` directly would need). Returns
/// whether the signal was delivered to at least one process.
fn signal_group(pgid: u32, signal: &str) -> bool {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The running app, driven through a WebDriver session.
#[derive(Debug)]
pub struct App {
    client: Client,
    driver: Driver,
}

impl App {
    /// Starts the built app with `profile` and opens a WebDriver session on its window.
    ///
    /// `label` names this launch's driver log in `tests/artifacts/`. Launching again with
    /// the same profile after [`App::close`] is how a test restarts the app.
    pub async fn launch(label: &str, profile: &Profile) -> Result<Self> {
        require_display()?;
        let started = Instant::now();
        let application = app_binary()?;
        let driver = Driver::start(label, profile)?;

        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": application },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be a JSON object");
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{}", driver.port);
        let mut builder = ClientBuilder::new(connector);
        let session = builder.capabilities(capabilities).connect(&url);
        let client = match tokio::time::timeout(SESSION_TIMEOUT, session).await {
            Ok(Ok(client)) => client,
            Ok(Err(error)) => bail!(
                "could not open a WebDriver session with {}: {error}; see {}",
                application.display(),
                driver.log.display()
            ),
            Err(_) => bail!(
                "opening a WebDriver session with {} took over {SESSION_TIMEOUT:?} \
                 (did the app fail to start?); see {}",
                application.display(),
                driver.log.display()
            ),
        };
        eprintln!(
            "afterdesk-e2e: `{label}`: app up in {:.1?}",
            started.elapsed()
        );
        Ok(Self { client, driver })
    }

    /// The underlying WebDriver client, for anything the helpers do not cover yet.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits for the element whose `data-testid` is `id` to exist and returns it.
    pub async fn find_by_testid(&self, id: &str) -> Result<Element> {
        self.wait_for_css(&format!("[data-testid=\"{id}\"]"), DEFAULT_WAIT)
            .await
    }

    /// Waits up to `timeout` for an element matching the CSS `selector`.
    pub async fn wait_for_css(&self, selector: &str, timeout: Duration) -> Result<Element> {
        self.client
            .wait()
            .at_most(timeout)
            .every(POLL_INTERVAL)
            .for_element(Locator::Css(selector))
            .await
            .with_context(|| format!("waiting {timeout:?} for `{selector}`"))
    }

    /// Waits up to `timeout` until no element matches the CSS `selector`.
    pub async fn wait_for_css_gone(&self, selector: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if self
                .client
                .find_all(Locator::Css(selector))
                .await?
                .is_empty()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("`{selector}` still present after {timeout:?}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// The text the page currently shows (`document.body.innerText`, so hidden text does
    /// not count).
    pub async fn page_text(&self) -> Result<String> {
        let value = self
            .client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Waits up to `timeout` until the page shows `text`.
    pub async fn wait_for_text(&self, text: &str, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let page = self.page_text().await?;
            if page.contains(text) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let shown: String = page.chars().take(600).collect();
                bail!("the page did not show {text:?} within {timeout:?}; it shows:\n{shown}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits up to `timeout` until the JavaScript expression `condition` is true in the
    /// page; `what` describes it for the error message.
    pub async fn wait_for_js(&self, condition: &str, what: &str, timeout: Duration) -> Result<()> {
        let script = format!("return Boolean({condition});");
        let deadline = Instant::now() + timeout;
        loop {
            if self.client.execute(&script, vec![]).await?.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{what}: not the case after {timeout:?}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Waits until no CSS animation or transition is running (Ant Design animates
    /// drop-downs, modals and messages; an element that is still sliding in can refuse a
    /// click and shows half-drawn in a screenshot).
    pub async fn wait_for_animations(&self) -> Result<()> {
        self.wait_for_js(
            "document.getAnimations().length === 0",
            "animations finished",
            DEFAULT_WAIT,
        )
        .await
    }

    /// Clicks the first element matching the CSS `selector`, waiting for it to exist and
    /// retrying while WebKit reports it as not clickable yet (covered, moving, detached by
    /// a re-render), for up to `timeout`.
    pub async fn click_css(&self, selector: &str, timeout: Duration) -> Result<()> {
        self.click_until(Locator::Css(selector), timeout)
            .await
            .with_context(|| format!("clicking `{selector}` for {timeout:?}"))
    }

    /// Clicks the first element with `data-testid` `testid` whose text contains `text`
    /// (a list row of a given case, say), waiting for it up to [`DEFAULT_WAIT`].
    pub async fn click_testid_containing(&self, testid: &str, text: &str) -> Result<()> {
        ensure!(
            !testid.contains('"') && !text.contains('"'),
            "quotes cannot be used in an XPath literal here"
        );
        let xpath = format!("//*[@data-testid=\"{testid}\"][contains(., \"{text}\")]");
        self.click_until(Locator::XPath(&xpath), DEFAULT_WAIT)
            .await
            .with_context(|| format!("clicking `{testid}` containing {text:?}"))
    }

    /// Finds and clicks `locator`, retrying until it works or `timeout` has passed.
    async fn click_until(&self, locator: Locator<'_>, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let attempt = match self.client.find(locator).await {
                Ok(element) => element.click().await,
                Err(error) => Err(error),
            };
            match attempt {
                Ok(()) => return Ok(()),
                Err(error) if Instant::now() > deadline => return Err(error.into()),
                Err(_) => tokio::time::sleep(POLL_INTERVAL).await,
            }
        }
    }

    /// Picks `option` (its visible label) in the Ant Design `Select` whose `data-testid`
    /// is `testid`, and waits for the drop-down to close.
    pub async fn choose_in_select(&self, testid: &str, option: &str) -> Result<()> {
        // antd puts `data-testid` on the select's root; the click target that opens the
        // drop-down is its selector box.
        self.click_css(
            &format!("[data-testid=\"{testid}\"] .ant-select-selector"),
            DEFAULT_WAIT,
        )
        .await
        .with_context(|| format!("opening the select `{testid}`"))?;
        // The drop-down is rendered in a portal at the end of <body>, not inside the
        // select; antd gives each option its label as `title`. Clicking it while it still
        // slides in can fail ("element not interactable"), hence the wait and the retries.
        let open = ".ant-select-dropdown:not(.ant-select-dropdown-hidden)";
        let item = format!("{open} .ant-select-item-option[title=\"{option}\"]");
        self.wait_for_css(&item, DEFAULT_WAIT).await?;
        self.wait_for_animations().await?;
        self.click_css(&item, DEFAULT_WAIT)
            .await
            .with_context(|| format!("choosing {option:?} in `{testid}`"))?;
        // Wait for the closing animation so screenshots do not catch a half-faded menu.
        self.wait_for_css_gone(open, DEFAULT_WAIT).await?;
        self.wait_for_animations().await
    }

    /// Types `text` into the element whose `data-testid` is `testid` (an `<input>` or a
    /// `<textarea>`, or an antd wrapper around one).
    pub async fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        let selector = format!(
            "input[data-testid=\"{testid}\"], textarea[data-testid=\"{testid}\"], \
             [data-testid=\"{testid}\"] input, [data-testid=\"{testid}\"] textarea"
        );
        // The field can be replaced by a re-render between finding and typing (a page
        // that has just opened loads its data); find it again until typing succeeds.
        let deadline = Instant::now() + DEFAULT_WAIT;
        loop {
            let field = self.wait_for_css(&selector, DEFAULT_WAIT).await?;
            field.click().await.ok();
            match field.send_keys(text).await {
                Ok(()) => return Ok(()),
                Err(error) if Instant::now() > deadline => {
                    return Err(error).with_context(|| format!("typing into `{testid}`"));
                }
                Err(_) => tokio::time::sleep(POLL_INTERVAL).await,
            }
        }
    }

    /// Chooses `path` in the system's open-file dialog, which the app has just opened
    /// with the window title `title`.
    ///
    /// The dialog is a native GTK window, outside the webview, so WebDriver cannot reach
    /// it; it is driven like a person would with the keyboard, through `xdotool` on the
    /// same X display: focus the dialog, type the path (GTK's file chooser opens its
    /// location field when a path starting with `/` is typed) and press Enter.
    pub async fn choose_in_file_dialog(&self, title: &str, path: &Path) -> Result<()> {
        let path = path
            .to_str()
            .ok_or_else(|| anyhow!("the path {} is not valid UTF-8", path.display()))?;
        ensure!(
            path.is_ascii(),
            "xdotool types ASCII paths reliably only; {path} is not"
        );
        let deadline = Instant::now() + DEFAULT_WAIT;
        let window = loop {
            if let Some(id) = visible_window(title)? {
                break id;
            }
            if Instant::now() > deadline {
                bail!("no dialog titled {title:?} appeared within {DEFAULT_WAIT:?}");
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        };
        // The dialog builds its widgets after it maps; keys sent before that are lost, and
        // on a busy machine a first try can still miss. Each try opens the location field
        // (Ctrl+L), replaces its text, and presses Enter once the path has settled; the
        // dialog closing is the proof that the path was taken.
        for attempt in 1..=DIALOG_ATTEMPTS {
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            // Without a window manager `windowactivate` fails; focusing still works.
            let _ = xdotool(&["windowactivate", "--sync", &window]);
            let steps: [(&[&str], u64); 5] = [
                (&["windowfocus", "--sync", &window], 300),
                (&["key", "ctrl+l"], 300),
                (&["key", "ctrl+a"], 200),
                // After typing, GTK's location field completes the path in the
                // background; an Enter sent before that settles is taken by the
                // completion pop-up instead of the dialog.
                (&["type", "--delay", "30", path], 1_000),
                (&["key", "Return"], 0),
            ];
            for (args, pause) in steps {
                if args.first() == Some(&"key") && args.get(1) == Some(&"Return") {
                    debug_capture("dialog-before-enter")?;
                }
                ensure!(xdotool(args)?, "xdotool {args:?} failed");
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            let closing = Instant::now() + Duration::from_secs(5);
            while Instant::now() < closing {
                if visible_window(title)?.is_none() {
                    return Ok(());
                }
                tokio::time::sleep(POLL_INTERVAL).await;
            }
            eprintln!("afterdesk-e2e: the dialog {title:?} is still open after try {attempt}");
        }
        bail!("the dialog {title:?} did not take {path} in {DIALOG_ATTEMPTS} tries")
    }

    /// Waits until fonts are loaded, animations have finished and two frames have been
    /// painted, so that a screenshot shows the current DOM rather than an earlier frame.
    ///
    /// The first frame of a new window can take several seconds under Xvfb (measured:
    /// ~5 s for the first `requestAnimationFrame` on a loaded two-core machine); later
    /// ones take milliseconds.
    pub async fn settle(&self) -> Result<()> {
        self.wait_for_animations().await?;
        let script = "const done = arguments[arguments.length - 1];\
                      document.fonts.ready.then(() =>\
                        requestAnimationFrame(() => requestAnimationFrame(() => done(true))));";
        self.client.execute_async(script, vec![]).await?;
        Ok(())
    }

    /// Saves a PNG of the window's contents as `tests/artifacts/<name>.png` and returns
    /// its path. Waits for the page to settle first.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.settle().await?;
        let png = self
            .client
            .screenshot()
            .await
            .context("taking a screenshot")?;
        ensure!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        let path = artifacts_dir()?.join(format!("{name}.png"));
        fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }

    /// The memory of the app's processes (the app and its WebKit helpers; not the
    /// WebDriver harness), read from `/proc`.
    #[must_use]
    pub fn memory(&self) -> Vec<ProcessMemory> {
        self.driver.app_memory()
    }

    /// Ends the session (which closes the app) and stops the driver, waiting until the
    /// app's process is gone so that the same profile can be launched again (the app
    /// allows one instance at a time).
    pub async fn close(self) -> Result<()> {
        let Self { client, mut driver } = self;
        let started = Instant::now();
        let closed = client.close().await;
        driver.stop();
        eprintln!("afterdesk-e2e: app closed in {:.1?}", started.elapsed());
        closed.context("closing the WebDriver session")
    }
}
