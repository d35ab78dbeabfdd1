use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;
use serde_json::Value;

async fn run(spec: UrlSpec, host: FakeHost) -> Outcome {
    urls_configured()
        .spec(spec)
        .run(&Context::with_host(host))
        .await
}

fn urls(o: &Outcome) -> Vec<Value> {
    o.details()["urls"].as_array().unwrap().clone()
}

fn problems(o: &Outcome, i: usize) -> Vec<String> {
    serde_json::from_value(urls(o)[i]["problems"].clone()).unwrap()
}

#[tokio::test]
async fn localhost_and_ip_urls_pass() {
    let host = FakeHost::new()
        .env("APP_API_URL", "http://localhost:8080/v1")
        .env("APP_DATABASE_URL", "postgres://127.0.0.1:5432/app");
    let spec = UrlSpec::new()
        .env("API", "APP_API_URL")
        .env("Database", "APP_DATABASE_URL")
        .literal("Metrics", "https://[::1]:9090/metrics")
        .scheme("Postgres");
    let o = run(spec, host).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "3 URL(s) parse, use allowed schemes, carry no credentials and resolve; mode development (`APP_ENV` is unset)"
    );
    let found = urls(&o);
    assert_eq!(found[0]["url"], "http://localhost:8080/…");
    assert_eq!(found[1]["url"], "postgres://127.0.0.1:5432/…");
    assert_eq!(found[0]["host"], "localhost");
    assert!(found[0]["address_count"].as_u64().unwrap() >= 1);
    assert_eq!(found[2]["host"], "[::1]");
}

#[tokio::test]
async fn reads_the_spec_from_the_context_and_warns_without_one() {
    let o = urls_configured()
        .run(&Context::with_host(FakeHost::new()))
        .await;
    assert_eq!(o.status(), Status::Warn);
    assert_eq!(o.message(), "no service URLs declared");
    assert!(o.get_remediation().unwrap().contains("UrlSpec"));
    let mut resources = Resources::default();
    resources.insert(UrlSpec::new().literal("Self", "http://localhost/"));
    let ctx = Context::new(Arc::new(FakeHost::new()), resources);
    assert_eq!(urls_configured().run(&ctx).await.status(), Status::Pass);
}

#[tokio::test]
async fn unset_empty_and_unparsable_urls_fail_without_showing_the_text() {
    let host = FakeHost::new()
        .env("APP_EMPTY_URL", " ")
        .env("APP_BAD_URL", "db.internal:hunter2@/x");
    let spec = UrlSpec::new()
        .env("Unset", "APP_UNSET_URL")
        .env("Empty", "APP_EMPTY_URL")
        .env("Bad", "APP_BAD_URL")
        .literal("Relative", "/just/a/path");
    let o = run(spec, host).await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().starts_with("4 of 4 URL(s) misconfigured: Unset (`APP_UNSET_URL`): `APP_UNSET_URL` is not set; Empty (`APP_EMPTY_URL`): `APP_EMPTY_URL` is empty;"), "{o:?}");
    assert_eq!(
        problems(&o, 2),
        ["scheme `db.internal` is not allowed (allowed: http, https)"]
    );
    assert_eq!(
        problems(&o, 3),
        ["does not parse: relative URL without a base"]
    );
    assert_eq!(urls(&o)[2]["url"], "db.internal:…");
    assert!(!format!("{o:?}").contains("hunter2"), "{o:?}");
    assert!(o.get_remediation().unwrap().contains("container's `env`"));
}

#[tokio::test]
async fn credentials_fail_and_are_masked() {
    let host = FakeHost::new().env(
        "APP_DATABASE_URL",
        "postgres://app:hunter2@localhost:5432/app?sslmode=require&password=hunter3#frag",
    );
    let spec = UrlSpec::new()
        .env("Database", "APP_DATABASE_URL")
        .literal("Cache", "https://user@localhost/")
        .scheme("postgres");
    let o = run(spec, host).await;
    assert_eq!(o.status(), Status::Fail);
    let found = urls(&o);
    assert_eq!(found[0]["url"], "postgres://***@localhost:5432/…");
    assert_eq!(found[1]["url"], "https://***@localhost/");
    assert_eq!(problems(&o, 0), ["carries credentials in its user info"]);
    let all = format!("{o:?}");
    assert!(
        !all.contains("hunter2") && !all.contains("hunter3"),
        "{all}"
    );
    assert!(o.get_remediation().unwrap().contains("secret"));
}

#[tokio::test]
async fn outside_development_http_is_allowed_only_to_loopback() {
    let spec = || {
        UrlSpec::new()
            .literal("Sidecar", "http://127.0.0.1:3500/")
            .literal("Partner", "http://10.20.30.40/api")
            .literal("Events", "ws://10.20.30.40/events")
            .literal("Secure", "https://10.20.30.40/")
            .scheme("ws")
    };
    for mode in ["production", "PROD", "staging"] {
        let o = run(spec(), FakeHost::new().env("APP_ENV", mode)).await;
        assert_eq!(o.status(), Status::Fail, "{mode}");
        assert!(o
            .message()
            .contains(&format!("mode production (`APP_ENV` is `{mode}`)")));
        assert!(problems(&o, 0).is_empty());
        assert_eq!(
            problems(&o, 1),
            ["plain `http` outside development: use `https`"]
        );
        assert_eq!(
            problems(&o, 2),
            ["plain `ws` outside development: use `wss`"]
        );
        assert!(problems(&o, 3).is_empty());
    }
    let o = run(spec(), FakeHost::new().env("APP_ENV", "dev")).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    // An explicit flag wins over the variable; another variable can name the mode.
    let o = run(
        spec().production(true),
        FakeHost::new().env("APP_ENV", "dev"),
    )
    .await;
    assert_eq!(o.details()["mode"], "production (declared)");
    assert_eq!(o.status(), Status::Fail);
    let o = run(
        spec().mode_env("DEPLOY_ENV"),
        FakeHost::new().env("DEPLOY_ENV", "prod"),
    )
    .await;
    assert_eq!(o.status(), Status::Fail);
}

#[tokio::test]
async fn unresolvable_hosts_and_missing_hosts_fail() {
    let spec = UrlSpec::new()
        .literal("Ghost", "https://nonexistent.invalid/")
        .literal("Socket", "unix:/run/app.sock")
        .literal("Mail", "mailto:ops@example.com")
        .scheme("unix");
    let o = run(spec, FakeHost::new()).await;
    assert_eq!(o.status(), Status::Fail);
    let p = problems(&o, 0);
    assert_eq!(p.len(), 1);
    assert!(
        p[0].starts_with("host `nonexistent.invalid` does not resolve: "),
        "{p:?}"
    );
    assert!(
        problems(&o, 1).is_empty(),
        "a hostless declared scheme is fine"
    );
    assert_eq!(urls(&o)[1]["url"], "unix:…");
    assert_eq!(urls(&o)[0]["url"], "https://nonexistent.invalid/");
    assert_eq!(
        problems(&o, 2),
        ["scheme `mailto` is not allowed (allowed: http, https, unix)"]
    );
    assert!(o.get_remediation().unwrap().contains("DNS"));
}
