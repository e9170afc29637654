//! Binary entry point of the AfterDesk desktop app.
//!
//! All set-up lives in the library (`afterdesk_app::run`) so that it can be tested and
//! reused; this file only hands control to it.

// Without this attribute a release build on Windows opens an extra console window
// next to the app; debug builds keep the console for logs.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    afterdesk_app::run();
}
