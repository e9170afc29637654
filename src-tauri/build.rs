//! Build script: runs tauri-build against the repository-root `tauri.conf.json`.
//!
//! The config lives at the root (not in `src-tauri/`) so that the UI, the icons and the
//! Rust shell share one source of truth; tauri-build 2.7+ can be pointed at it directly.

// A build script can only report failure by panicking, so the workspace's
// `clippy::panic` warning does not apply here.
#[allow(clippy::panic)]
fn main() {
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json");
    if let Err(error) = tauri_build::try_build(attributes) {
        // The message tells the developer what to fix: usually a missing `ui/dist`
        // (run `npm run build` in `ui/` first) or an invalid config.
        panic!("tauri-build failed for ../tauri.conf.json: {error:#}");
    }
}
