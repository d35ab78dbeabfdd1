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

mod alertmanager {
    use prodready::checks::contacts::{AlertmanagerError, AlertmanagerOptions, Contacts};
    use prodready::testing::FakeHost;

    fn contacts() -> Contacts {
        Contacts::new()
            .on_call("https://events.pager.acme-corp.net/v2/hook")
            .devops_team("DevOps <mailto:devops@acme-corp.net>")
            .database_admin("tel:+49 30 1234567")
            .security_team("security@acme-corp.net")
            .escalate_to("Team lead <lead@acme-corp.net>")
            .escalate_to("https://chat.acme-corp.net/hooks/escalation")
    }

    fn smtp() -> AlertmanagerOptions {
        AlertmanagerOptions::new().smtp("smtp.acme-corp.net:587", "alerts@acme-corp.net")
    }

    /// The config the README describes (`.ci/fleet` renders the same contacts with
    /// `prodready alertmanager` and checks it with `amtool check-config`).
    #[test]
    fn contacts_render_as_a_routing_tree_and_receivers() {
        let config = contacts().alertmanager(&smtp()).unwrap();
        let y = &config.yaml;
        assert!(
            y.contains("smtp_smarthost: \"smtp.acme-corp.net:587\""),
            "{y}"
        );
        assert!(y.contains("route:\n  receiver: \"on-call\""), "{y}");
        // Receivers: email, webhook; the phone number has none, and says so.
        for (name, reach) in [
            (
                "on-call",
                "url: \"https://events.pager.acme-corp.net/v2/hook\"",
            ),
            ("devops-team", "to: \"devops@acme-corp.net\""),
            ("security-team", "to: \"security@acme-corp.net\""),
            ("escalation-1", "to: \"lead@acme-corp.net\""),
            (
                "escalation-2",
                "url: \"https://chat.acme-corp.net/hooks/escalation\"",
            ),
        ] {
            let at = y
                .find(&format!("  - name: \"{name}\""))
                .unwrap_or_else(|| panic!("{name}: {y}"));
            assert!(
                y[at..].lines().take(3).any(|l| l.contains(reach)),
                "{name}: {y}"
            );
        }
        assert!(!y.contains("database-admin"), "{y}");
        assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
        assert!(
            config.warnings[0].contains("+49 30 1234567"),
            "{:?}",
            config.warnings
        );
        // Escalation steps wait 30 and 60 minutes; warnings go to DevOps, last.
        assert!(y.contains("receiver: \"escalation-1\"\n      matchers: [\"severity=\\\"critical\\\"\"]\n      group_by: [\"alertname\", \"service\", \"version\", \"id\"]\n      group_wait: 30m"), "{y}");
        assert!(y.contains("receiver: \"escalation-2\"\n      matchers: [\"severity=\\\"critical\\\"\"]\n      group_by: [\"alertname\", \"service\", \"version\", \"id\"]\n      group_wait: 60m"), "{y}");
        assert!(y.contains("receiver: \"devops-team\"\n      matchers: [\"severity=\\\"warning\\\"\"]\n      continue: false"), "{y}");
    }

    #[test]
    fn what_cannot_be_rendered_is_an_error_naming_it() {
        assert!(matches!(
            Contacts::new()
                .devops_team("d@acme-corp.net")
                .alertmanager(&smtp()),
            Err(AlertmanagerError::NoOnCall(_))
        ));
        assert!(matches!(
            Contacts::new()
                .on_call("+49 30 1234567")
                .alertmanager(&smtp()),
            Err(AlertmanagerError::NoOnCall(_))
        ));
        let no_smtp = contacts()
            .alertmanager(&AlertmanagerOptions::new())
            .unwrap_err();
        assert!(no_smtp.to_string().contains("smtp"), "{no_smtp}");
        let bad = Contacts::new()
            .on_call("https://p.acme-corp.net")
            .security_team("security team")
            .alertmanager(&smtp())
            .unwrap_err();
        assert!(
            bad.to_string()
                .starts_with("the security team contact is malformed"),
            "{bad}"
        );
    }

    #[test]
    fn the_environment_wins_as_for_the_checks() {
        let host = FakeHost::new()
            .env("PRODREADY_CONTACT_ONCALL", "oncall@acme-corp.net")
            .env(
                "PRODREADY_ESCALATION_PATH",
                "a@acme-corp.net, b@acme-corp.net",
            );
        let config = Contacts::new()
            .on_call("https://old.acme-corp.net")
            .with_env(&host)
            .alertmanager(&smtp())
            .unwrap();
        assert!(
            config.yaml.contains("to: \"oncall@acme-corp.net\""),
            "{}",
            config.yaml
        );
        assert!(!config.yaml.contains("old.corp"), "{}", config.yaml);
        assert!(config.yaml.contains("escalation-2"), "{}", config.yaml);
        // A placeholder renders, and is named as reaching no one.
        let placeholder = Contacts::new()
            .on_call("oncall@example.com")
            .alertmanager(&smtp())
            .unwrap();
        assert!(
            placeholder.warnings[0].contains("reaches no one"),
            "{:?}",
            placeholder.warnings
        );
    }
}
