//! Relative configuration file paths: read from the working directory, shown as absolute paths.

use super::*;

#[tokio::test]
async fn a_relative_file_is_read_from_the_working_directory() {
    let spec = || config_valid::<AppConfig>().file("config/app.toml");
    let host = FakeHost::new()
        .with_current_dir("/srv/app")
        .file("/srv/app/config/app.toml", GOOD_TOML);
    let o = run(&spec(), host).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["config_file"], "/srv/app/config/app.toml");
    assert!(
        o.message()
            .contains("loads from `/srv/app/config/app.toml`"),
        "{o:?}"
    );

    // The same relative path in the variable that names the file.
    let host = FakeHost::new()
        .with_current_dir("/srv/app")
        .env("APP_CONFIG", "./config/../config/app.toml")
        .file("/srv/app/config/app.toml", GOOD_TOML);
    let o = run(
        &config_valid::<AppConfig>().file_from_env("APP_CONFIG"),
        host,
    )
    .await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["config_file"], "/srv/app/config/app.toml");

    // A file at `/config/app.toml` is not the one declared.
    let host = FakeHost::new()
        .with_current_dir("/srv/app")
        .file("/config/app.toml", GOOD_TOML);
    let o = run(&spec(), host).await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    assert!(
        o.message().starts_with(
            "the configuration file `/srv/app/config/app.toml` (`config/app.toml` in the working directory) cannot be read:"
        ),
        "{o:?}"
    );
    assert_eq!(o.details()["config_file"], "/srv/app/config/app.toml");
}

#[tokio::test]
async fn a_relative_file_without_a_working_directory_is_a_clear_error() {
    let host = FakeHost::new().file("/config/app.toml", GOOD_TOML);
    let o = run(&config_valid::<AppConfig>().file("config/app.toml"), host).await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
    assert!(
        o.message().starts_with(
            "cannot locate the configuration file of `AppConfig`: the relative path `config/app.toml` cannot be resolved"
        ),
        "{o:?}"
    );
    assert!(o.get_remediation().unwrap().contains("absolute path"));
}
