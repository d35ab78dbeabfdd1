use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;

fn contacts() -> Contacts {
    Contacts::new()
        .on_call("https://example.pagerduty.com/schedules#P123")
        .devops_team("devops@example.com")
        .database_admin("+49 30 1234567")
        .security_team("mailto:security@example.com")
        .escalate_to("Team lead <lead@example.com>")
        .escalate_to("+49 30 7654321")
}

fn ctx(host: FakeHost, contacts: Option<Contacts>) -> Context {
    let mut resources = Resources::default();
    if let Some(c) = contacts {
        resources.insert(c);
    }
    Context::new(Arc::new(host), resources)
}

#[tokio::test]
async fn every_role_passes_with_declared_contacts() {
    let ctx = ctx(FakeHost::new(), Some(contacts()));
    let expected = [
        (
            on_call_contact(),
            "on-call engineer: https://example.pagerduty.com/schedules#P123 (URL, from code)",
        ),
        (
            devops_contact(),
            "DevOps team: devops@example.com (email, from code)",
        ),
        (
            database_admin_contact(),
            "database admin: +49 30 1234567 (phone, from code)",
        ),
        (
            security_contact(),
            "security team: mailto:security@example.com (email, from code)",
        ),
    ];
    for (check, message) in expected {
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        assert_eq!(o.message(), message);
    }
    let o = escalation_path().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(
        o.message(),
        "escalation path of 2 step(s) from code: Team lead <lead@example.com> → +49 30 7654321"
    );
}

#[tokio::test]
async fn absent_contacts_fail_naming_the_variable() {
    let ctx = ctx(FakeHost::new(), None);
    for (check, title, var) in [
        (
            on_call_contact(),
            "on-call engineer",
            "PRODREADY_CONTACT_ONCALL",
        ),
        (devops_contact(), "DevOps team", "PRODREADY_CONTACT_DEVOPS"),
        (
            database_admin_contact(),
            "database admin",
            "PRODREADY_CONTACT_DBA",
        ),
        (
            security_contact(),
            "security team",
            "PRODREADY_CONTACT_SECURITY",
        ),
    ] {
        let o = check.run(&ctx).await;
        assert_eq!(o.status(), Status::Fail);
        assert_eq!(o.message(), format!("no {title} contact configured"));
        assert!(o.remediation_text().unwrap().contains(var));
    }
    let o = escalation_path().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(o.message(), "no management escalation path configured");
    let o = escalation_path().contacts(Contacts::new()).run(&ctx).await;
    assert_eq!(o.status(), Status::Fail, "an empty path is no path");
}

#[tokio::test]
async fn environment_variables_win_over_code() {
    let host = FakeHost::new()
        .env("PRODREADY_CONTACT_ONCALL", " +1-202-555-0143 ")
        .env("PRODREADY_CONTACT_DBA", "")
        .env(
            ESCALATION_ENV,
            "lead@example.com, tel:+4930123456, https://wiki.example.com/escalation",
        );
    let ctx = ctx(host, Some(contacts()));
    let o = on_call_contact().run(&ctx).await;
    assert_eq!(
        o.message(),
        "on-call engineer: +1-202-555-0143 (phone, from `PRODREADY_CONTACT_ONCALL`)"
    );
    assert_eq!(o.details()["source"], "`PRODREADY_CONTACT_ONCALL`");
    // Empty means unset: the code's contact applies.
    let o = database_admin_contact().run(&ctx).await;
    assert!(o.message().ends_with("(phone, from code)"), "{o:?}");
    let o = escalation_path().run(&ctx).await;
    assert_eq!(o.status(), Status::Pass, "{o:?}");
    assert_eq!(o.details()["steps"].as_array().unwrap().len(), 3);
    assert!(o.message().contains("from `PRODREADY_ESCALATION_PATH`"));
}

#[tokio::test]
async fn contacts_given_to_the_check_directly_are_used() {
    let ctx = ctx(FakeHost::new(), None);
    let o = security_contact()
        .contacts(Contacts::new().security_team("soc@example.com"))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Pass);
    let o = escalation_path()
        .contacts(Contacts::new().escalate_to("cto@example.com"))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Pass);
}

#[tokio::test]
async fn malformed_contacts_fail_saying_why() {
    let host = FakeHost::new()
        .env("PRODREADY_CONTACT_DEVOPS", "devops team")
        .env("PRODREADY_CONTACT_SECURITY", "http://security.example.com")
        .env(ESCALATION_ENV, "lead@example.com,,030 1234567");
    let ctx = ctx(host, Some(contacts().on_call("+49 123")));
    let o = devops_contact().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "the DevOps team contact from `PRODREADY_CONTACT_DEVOPS` is malformed: it is not an email address, a phone number (`+` and digits) or an https URL"
    );
    let o = security_contact().run(&ctx).await;
    assert!(o
        .message()
        .contains("must use `https`, `tel:` or `mailto:`, not `http`"));
    let o = on_call_contact().run(&ctx).await;
    assert_eq!(
        o.message(),
        "the on-call engineer contact from code is malformed: a phone number has 8 to 15 digits, this one 5"
    );
    let o = escalation_path().run(&ctx).await;
    assert_eq!(o.status(), Status::Fail);
    assert_eq!(
        o.message(),
        "the escalation path from `PRODREADY_ESCALATION_PATH` has malformed steps: step 2: it is empty; step 3: a phone number must start with `+` and the country code (E.164)"
    );
    assert_eq!(o.details()["step_count"], 3);
}
