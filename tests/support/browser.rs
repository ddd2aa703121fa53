//! Whether the browser tests can run here (shared by tests/browser_e2e.rs and the booth agent's
//! kiosk test): node, Debian's chromium and the npm packages of tests/browser.

use std::path::Path;
use std::process::Command;

/// Why the browser cannot run here, if it cannot; `repo` is the workspace root.
pub fn browser_missing(repo: &Path) -> Option<String> {
    let node = Command::new("node").arg("--version").output();
    if !node.map(|o| o.status.success()).unwrap_or(false) {
        return Some("node is not installed".into());
    }
    if !Path::new("/usr/bin/chromium").exists() {
        return Some("/usr/bin/chromium is not installed".into());
    }
    if !repo
        .join("tests/browser/node_modules/playwright-core")
        .exists()
    {
        return Some("tests/browser/node_modules/playwright-core is missing (npm ci)".into());
    }
    None
}
