use super::*;
use crate::check::Resources;
use crate::testing::FakeHost;
use crate::Status;

fn contacts() -> Contacts {
    Contacts::new()
        .on_call("https://acme-shop.pagerduty.com/schedules#P123")
        .devops_team("devops@acme-shop.io")
        .database_admin("+49 30 1234567")
        .security_team("mailto:security@acme-shop.io")
        .escalate_to("Team lead <lead@acme-shop.io>")
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
            "on-call engineer: https://acme-shop.pagerduty.com/schedules#P123 (URL, from code)",
        ),
        (
            devops_contact(),
            "DevOps team: devops@acme-shop.io (email, from code)",
        ),
        (
            database_admin_contact(),
            "database admin: +49 30 1234567 (phone, from code)",
        ),
        (
            security_contact(),
            "security team: mailto:security@acme-shop.io (email, from code)",
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
        "escalation path of 2 step(s) from code: Team lead <lead@acme-shop.io> → +49 30 7654321"
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
        assert!(o.get_remediation().unwrap().contains(var));
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
        .env("PRODREADY_CONTACT_ONCALL", " +1-646-200-0143 ")
        .env("PRODREADY_CONTACT_DBA", "")
        .env(
            ESCALATION_ENV,
            "lead@acme-shop.io, tel:+4930123456, https://wiki.acme-shop.io/escalation",
        );
    let ctx = ctx(host, Some(contacts()));
    let o = on_call_contact().run(&ctx).await;
    assert_eq!(
        o.message(),
        "on-call engineer: +1-646-200-0143 (phone, from `PRODREADY_CONTACT_ONCALL`)"
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
        .contacts(Contacts::new().security_team("soc@acme-shop.io"))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Pass);
    let o = escalation_path()
        .contacts(Contacts::new().escalate_to("cto@acme-shop.io"))
        .run(&ctx)
        .await;
    assert_eq!(o.status(), Status::Pass);
}

#[tokio::test]
async fn malformed_contacts_fail_saying_why() {
    let host = FakeHost::new()
        .env("PRODREADY_CONTACT_DEVOPS", "devops team")
        .env("PRODREADY_CONTACT_SECURITY", "http://security.example.com")
        .env(ESCALATION_ENV, "lead@acme-shop.io,,030 1234567");
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

#[tokio::test]
async fn reserved_names_and_fictional_numbers_warn_saying_so() {
    let placeholders = Contacts::new()
        .on_call("oncall@example.com")
        .devops_team("https://ops.example.org/teams/devops")
        .database_admin("+44 20 7946 0000")
        .security_team("security@team.test")
        .escalate_to("lead@acme-shop.io")
        .escalate_to("+1 202 555 0143")
        .escalate_to("cto@corp.invalid");
    let ctx = ctx(FakeHost::new(), Some(placeholders));
    for (check, message) in [
        (
            on_call_contact(),
            "the on-call engineer contact from code is oncall@example.com, which reaches no one: `example.com` is reserved for documentation (RFC 2606): no one receives mail or requests there",
        ),
        (
            devops_contact(),
            "the DevOps team contact from code is https://ops.example.org/teams/devops, which reaches no one: `example.org` is reserved for documentation (RFC 2606): no one receives mail or requests there",
        ),
        (
            database_admin_contact(),
            "the database admin contact from code is +44 20 7946 0000, which reaches no one: London 020 7946 0xxx is a UK range Ofcom keeps for drama: it is never assigned to anyone",
        ),
        (
            security_contact(),
            "the security team contact from code is security@team.test, which reaches no one: the top-level domain `.test` is reserved for testing (RFC 2606, RFC 6761): it never reaches anyone",
        ),
    ] {
        let o = check.run(&ctx).await;
        assert_eq!((o.status(), o.message()), (Status::Warn, message), "{o:?}");
        assert!(o.get_remediation().unwrap().contains("real"));
    }
    let o = escalation_path().run(&ctx).await;
    assert_eq!(o.status(), Status::Warn, "{o:?}");
    assert_eq!(
        o.message(),
        "the escalation path from code has steps that reach no one: step 2 (+1 202 555 0143): 555-0100 to 555-0199 are reserved for fictional use in the North American Numbering Plan: the number rings nowhere; step 3 (cto@corp.invalid): the top-level domain `.invalid` is reserved to be invalid (RFC 2606, RFC 6761): it never reaches anyone"
    );
    assert_eq!(o.details()["reserved_steps"], 2);

    // The environment wins, and is judged the same way.
    let host = FakeHost::new().env("PRODREADY_CONTACT_ONCALL", "+44 7700 900461");
    let o = on_call_contact()
        .contacts(contacts())
        .run(&Context::with_host(host))
        .await;
    assert_eq!(o.status(), Status::Warn, "{o:?}");
    assert!(o.message().contains("mobile 07700 900xxx"), "{o:?}");
    // A malformed step still fails, whatever else the path holds.
    let host = FakeHost::new().env(ESCALATION_ENV, "lead@example.com, nobody");
    let o = escalation_path().run(&Context::with_host(host)).await;
    assert_eq!(o.status(), Status::Fail, "{o:?}");
}
