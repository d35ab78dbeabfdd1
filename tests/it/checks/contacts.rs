//! Real-machine tests of `checks::contacts`: the real environment's contact variables.

use prodready::checks::contacts::{
    contact_configured, escalation_path, Contacts, Role, ESCALATION_ENV,
};
use prodready::{Check, Context, Status};

#[tokio::test]
async fn contacts_follow_the_real_environment() {
    let ctx = Context::default();
    for role in [
        Role::OnCall,
        Role::DevOps,
        Role::DatabaseAdmin,
        Role::Security,
    ] {
        let set = std::env::var(role.env_var()).is_ok_and(|v| !v.trim().is_empty());
        let o = contact_configured(role).run(&ctx).await;
        if set {
            assert!(!o.message().starts_with("no "), "{o:?}");
        } else {
            assert_eq!(o.status(), Status::Fail, "{o:?}");
            assert!(o.message().starts_with("no ") && o.message().ends_with("contact configured"));
        }
        // Declared in code, it passes unless the environment overrides it.
        let declared = Contacts::new()
            .on_call("oncall@acme-shop.io")
            .devops_team("+49 30 1234567")
            .database_admin("https://wiki.acme-shop.io/dba")
            .security_team("mailto:security@acme-shop.io");
        let o = contact_configured(role).contacts(declared).run(&ctx).await;
        if !set {
            assert_eq!(o.status(), Status::Pass, "{o:?}");
            assert!(o.message().ends_with("from code)"));
        }
    }
    if std::env::var_os(ESCALATION_ENV).is_none() {
        let path = Contacts::new()
            .escalate_to("lead@acme-shop.io")
            .escalate_to("+1 646 200 0143");
        let o = escalation_path().contacts(path).run(&ctx).await;
        assert_eq!(o.status(), Status::Pass, "{o:?}");
        assert_eq!(o.details()["steps"].as_array().unwrap().len(), 2);
    }
}
