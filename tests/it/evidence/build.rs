//! The build.rs helper records this repository's real git state.

use prodready::evidence::build;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !s.is_empty()).then_some(s)
}

#[test]
fn emit_lines_name_the_real_commit_and_build_time() {
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let lines = build::lines("2026-11-26T07:00:00Z");
    std::env::set_current_dir(cwd).unwrap();
    assert!(
        lines.contains(&"cargo:rustc-env=PRODREADY_BUILT_AT=2026-11-26T07:00:00Z".to_owned()),
        "{lines:?}"
    );
    match git(&["rev-parse", "HEAD"]) {
        Some(head) => assert!(
            lines.contains(&format!("cargo:rustc-env=PRODREADY_GIT_COMMIT={head}")),
            "{lines:?}"
        ),
        None => assert!(
            !lines.iter().any(|l| l.contains("PRODREADY_GIT_COMMIT")),
            "{lines:?}"
        ),
    }
}

#[test]
fn build_info_macro_reads_the_crate_version() {
    let info = prodready::build_info!();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let parts = prodready::evidence::BuildInfo::from_parts(
        "1.5.0",
        [
            Some("abc1234"),
            None,
            Some("v1.4.1"),
            Some(""),
            Some("1700000000"),
            Some("x"),
        ],
    );
    assert_eq!(parts.commit.as_deref(), Some("abc1234"));
    assert_eq!(parts.previous_tag.as_deref(), Some("v1.4.1"));
    assert_eq!(
        (
            parts.built_at,
            parts.readme_changed_unix,
            parts.previous_tag_unix
        ),
        (None, Some(1_700_000_000), None)
    );
}
