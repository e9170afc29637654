//! Every code string a library or the desktop shell can return has a typed [`ErrorCode`].
//!
//! The libraries return plain `&'static str` codes (they do not depend on this crate), so
//! nothing in the type system ties them to the enum. This test reads the sources instead:
//! the string literals in the body of every `fn code(` under `crates/*/src` and the first
//! argument of every `CommandError::new("…"` under `src-tauri/src` (and `crates/`, should
//! the shell's state move into a crate). A code missing from the enum would reach the UI as
//! the catch-all and be shown as a vague "something went wrong".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use afterdesk_desk::ErrorCode;

/// Codes the store picks at run time (`StoreError::BadBackup { code, .. }` returns the
/// code it was built with, in `backup.rs`), which the scan of `fn code(` cannot see.
/// Each must still appear as a literal in that file, so a renamed code fails here.
const BACKUP_CODES: &[&str] = &["not_a_backup", "backup_damaged", "backup_too_new"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals in `text` (no escapes are needed: codes are plain ASCII words).
fn literals(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The text between the `{` after `from` and its matching `}`.
fn body_after(source: &str, from: usize) -> &str {
    let Some(open) = source[from..].find('{').map(|i| from + i) else {
        return "";
    };
    let mut depth = 0usize;
    for (i, c) in source[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &source[open + 1..open + i];
                }
            }
            _ => {}
        }
    }
    ""
}

/// Every code the sources can return, with the file each was found in.
fn codes_in_sources() -> Vec<(String, PathBuf)> {
    let root = workspace();
    let mut files = Vec::new();
    rust_files(&root.join("src-tauri/src"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(
        files.len() > 20,
        "the scan finds the workspace's sources (found {})",
        files.len()
    );
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (at, _) in source.match_indices("fn code(") {
            for code in literals(body_after(&source, at)) {
                found.push((code, file.clone()));
            }
        }
        for (at, needle) in source.match_indices("CommandError::new(") {
            let rest = source[at + needle.len()..].trim_start();
            if let Some(rest) = rest.strip_prefix('"')
                && let Some(end) = rest.find('"')
            {
                found.push((rest[..end].to_owned(), file.clone()));
            }
        }
    }
    let backup = root.join("crates/store/src/backup.rs");
    let backup_source = std::fs::read_to_string(&backup).unwrap();
    for code in BACKUP_CODES {
        assert!(
            backup_source.contains(&format!("\"{code}\"")),
            "the backup code {code} is still returned by {}; update BACKUP_CODES",
            backup.display()
        );
        found.push(((*code).to_owned(), backup.clone()));
    }
    found
}

#[test]
fn every_code_a_library_returns_has_a_typed_error_code() {
    let found = codes_in_sources();
    assert!(
        found.len() > 80,
        "the scan sees the libraries' codes (found only {})",
        found.len()
    );
    for (code, file) in &found {
        let typed = ErrorCode::of(code);
        assert!(
            typed != ErrorCode::Error || code == "error",
            "every code a library can return has a typed ErrorCode, so the UI can translate it: \
             {code:?} from {} is missing from crates/desk/src/error_code.rs",
            file.display()
        );
        let wire = serde_json::to_value(typed).unwrap();
        assert_eq!(
            wire,
            serde_json::Value::String(code.clone()),
            "the typed code of {code:?} travels as the same string, so the CLI's JSON is unchanged"
        );
        let back: ErrorCode = serde_json::from_value(wire).unwrap();
        assert_eq!(back, typed, "{code:?} round-trips through serde");
    }
}

#[test]
fn every_typed_error_code_is_returned_somewhere() {
    let found: BTreeSet<String> = codes_in_sources().into_iter().map(|(c, _)| c).collect();
    for code in ErrorCode::ALL {
        assert!(
            found.contains(code.as_str()),
            "every ErrorCode is one a library or the shell can return, so the UI carries no \
             dead translation: {code} is returned nowhere"
        );
    }
}

#[test]
fn the_cli_documentation_names_every_error_code() {
    let docs = std::fs::read_to_string(workspace().join("docs/cli.md")).unwrap();
    for code in ErrorCode::ALL {
        let named = docs.contains(&format!("`{code}`"))
            // The AI polish's codes are documented one by one in docs/drafts.md.
            || (code.as_str().starts_with("polish_") && docs.contains("`polish_*`"));
        assert!(
            named,
            "docs/cli.md's list of error codes agrees with ErrorCode, so scripts know every \
             code they can meet: {code} is missing"
        );
    }
}
