//! Records the git revision and rustc version for `adobe_status_exporter_build_info` and
//! `--version`.

use std::process::Command;

fn main() {
    let revision = std::env::var("ADOBE_STATUS_EXPORTER_REVISION")
        .ok()
        .or_else(|| {
            let out = Command::new("git")
                .args(["rev-parse", "--short=12", "HEAD"])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        });
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    // What `--version` prints after the program name.
    let mut long_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    match (&revision, &rustc_version) {
        (Some(rev), Some(rustc)) => long_version += &format!(" (revision {rev}, {rustc})"),
        (Some(rev), None) => long_version += &format!(" (revision {rev})"),
        (None, Some(rustc)) => long_version += &format!(" ({rustc})"),
        (None, None) => {}
    }
    println!("cargo:rustc-env=ADOBE_STATUS_EXPORTER_LONG_VERSION={long_version}");
    println!(
        "cargo:rustc-env=ADOBE_STATUS_EXPORTER_REVISION={}",
        revision.unwrap_or_else(|| "unknown".into())
    );
    println!(
        "cargo:rustc-env=ADOBE_STATUS_EXPORTER_RUSTC={}",
        rustc_version.unwrap_or_else(|| "unknown".into())
    );
    println!("cargo:rerun-if-env-changed=ADOBE_STATUS_EXPORTER_REVISION");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
}
