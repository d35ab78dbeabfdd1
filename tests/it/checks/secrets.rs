//! Real-machine tests of `checks::secrets`: real files with real modes, read through `RealHost`,
//! and the real environment compared with an independent read of it.

use prodready::checks::secrets::{
    api_keys_secured, database_url_in_secrets, secret_files_protected, secrets_in_vault,
    ExposeSecret, Secret, SecretSpec,
};
use prodready::{Check, Context, RealHost, Status};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const VALUE: &str = "real-file-secret-8d41c2";

fn write(path: &Path, contents: &str, mode: u32) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[tokio::test]
async fn a_real_0600_file_passes_and_0644_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db-url");
    write(&path, &format!("{VALUE}\n"), 0o600);
    let spec = SecretSpec::new().secret(Secret::new("db-url").from_file(&path));

    let secrets = spec.resolve(&RealHost::new()).await.unwrap();
    assert_eq!(secrets.get("db-url").unwrap().expose_secret(), VALUE);

    let ctx = Context::default();
    let o = secrets_in_vault().spec(spec.clone()).run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());

    let o = secret_files_protected().spec(spec.clone()).run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    let real_mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(
        o.details()["secret_files"][0]["mode"],
        format!("{real_mode:04o}")
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = secret_files_protected().spec(spec).run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        format!("{} is mode 0644: readable by everyone", path.display())
    );
    assert!(!o.message().contains(VALUE));
}

#[tokio::test]
async fn a_real_kubernetes_style_volume_is_followed_through_its_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let stamp = dir.path().join("..2024_06_01_12_00_00.1");
    std::fs::create_dir(&stamp).unwrap();
    write(&stamp.join("jwt"), VALUE, 0o400);
    std::os::unix::fs::symlink("..2024_06_01_12_00_00.1", dir.path().join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/jwt", dir.path().join("jwt")).unwrap();
    // The link itself is 0777; the file behind it is what counts.
    let link_mode = std::fs::symlink_metadata(dir.path().join("jwt"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(link_mode & 0o777, 0o777);

    let spec = SecretSpec::new()
        .directory(dir.path())
        .secret(Secret::new("jwt").from_dir(dir.path()));
    let o = secret_files_protected()
        .spec(spec)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    assert_eq!(o.details()["secret_files"].as_array().unwrap().len(), 1);
    assert_eq!(o.details()["secret_files"][0]["mode"], "0400");
}

#[tokio::test]
async fn the_real_environment_is_judged_as_an_independent_read_says() {
    let ctx = Context::default();
    let plain_api_keys: Vec<String> = std::env::vars()
        .filter(|(k, v)| {
            let k = k.to_ascii_uppercase();
            !v.is_empty()
                && !v.trim().starts_with("ocid1.vaultsecret.")
                && ["API_KEY", "APIKEY", "API_TOKEN", "SECRET_ACCESS_KEY"]
                    .iter()
                    .any(|s| k == *s || k.ends_with(&format!("_{s}")))
        })
        .map(|(k, _)| k)
        .collect();
    let o = api_keys_secured().run(&ctx).await;
    if plain_api_keys.is_empty() {
        assert_eq!(o.status(), Status::Warn, "{}", o.message());
    } else {
        assert_eq!(o.status(), Status::Fail);
        for k in &plain_api_keys {
            assert!(o.message().contains(k.as_str()), "{}", o.message());
        }
    }

    let o = database_url_in_secrets().run(&ctx).await;
    let plain = std::env::var("DATABASE_URL").is_ok_and(|v| !v.is_empty());
    let file = std::env::var("DATABASE_URL_FILE").is_ok_and(|v| !v.is_empty());
    let expected = match (file, plain) {
        (false, false) => Status::Warn,
        (false, true) => Status::Fail,
        (true, _) => o.status(), // depends on whether the named file is readable
    };
    assert_eq!(o.status(), expected, "{}", o.message());
}
