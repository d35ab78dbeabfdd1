//! Real-machine tests of `checks::env`: the real process environment, nothing set by the test.

use prodready::checks::env::{documented, EnvSpec, EnvVar};
use prodready::{Check, Context, Status};

fn names(outcome: &prodready::Outcome, key: &str) -> Vec<String> {
    serde_json::from_value(outcome.details()[key].clone()).unwrap()
}

#[tokio::test]
async fn a_declared_path_is_found_in_the_real_environment() {
    assert!(
        std::env::var_os("PATH").is_some(),
        "the test runner sets PATH"
    );
    let spec = EnvSpec::new().var(
        EnvVar::new("PATH")
            .description("executable search path")
            .required(),
    );
    let o = documented().spec(spec).run(&Context::default()).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["set_count"], 1);
    assert!(names(&o, "missing_required").is_empty());
    // The value never shows.
    let path = std::env::var("PATH").unwrap();
    assert!(!format!("{o:?}").contains(&path));
}

#[tokio::test]
async fn a_required_variable_the_machine_lacks_fails_by_name() {
    let name = format!("PRODREADY_IT_SURELY_UNSET_{}", std::process::id());
    assert!(std::env::var_os(&name).is_none());
    let spec = EnvSpec::new()
        .var(
            EnvVar::new("PATH")
                .description("executable search path")
                .required(),
        )
        .var(
            EnvVar::new(name.as_str())
                .description("never set")
                .required(),
        );
    let o = documented().spec(spec).run(&Context::default()).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(names(&o, "missing_required"), vec![name.to_string()]);
    assert!(
        o.message().contains(&format!("required and unset: {name}")),
        "{o:?}"
    );
}

#[tokio::test]
async fn undeclared_variables_with_the_prefix_are_the_real_ones() {
    // Cargo sets CARGO_* for test binaries; compare with an independent read of the environment.
    let mut expected: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("CARGO_") && k != "CARGO_PKG_NAME")
        .collect();
    expected.sort();
    let spec = EnvSpec::new()
        .prefix("CARGO_")
        .var(EnvVar::new("CARGO_PKG_NAME").description("the package under test"));
    let o = documented().spec(spec).run(&Context::default()).await;
    assert_eq!(names(&o, "undeclared_with_prefix"), expected);
    let status = if expected.is_empty() {
        Status::Pass
    } else {
        Status::Warn
    };
    assert_eq!(o.status(), status, "{o:?}");
}
