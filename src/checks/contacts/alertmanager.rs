//! The emergency contacts as an Alertmanager routing tree and receivers
//! ([`Contacts::alertmanager`]), for the alerts of `deploy/prometheus/rules.yml`.
//!
//! The tree pages the on-call engineer for every critical alert (and for any alert no route
//! takes), sends warnings to the DevOps team, copies alerts about database items
//! (`infrastructure.database.…`) to the database admin and about security items
//! (`security.…`) to the security team, and sends critical alerts to each step of the
//! escalation path in turn, 30 minutes, 60 minutes, … after their group opened (escalation
//! routes group by `id` too, so each failing item is its own group; Alertmanager has no
//! acknowledgement: the paging tool's escalation policy is the real one, these routes are the
//! floor). An email contact becomes an `email_configs` receiver (give the SMTP relay with
//! [`AlertmanagerOptions::smtp`]), an https contact a `webhook_configs` one. Alertmanager
//! cannot call a phone number: such a contact gets no receiver, and the rendering says so in
//! [`AlertmanagerConfig::warnings`].

use super::{format, reserved, Contacts, Role, ESCALATION_ENV};
use crate::Host;
use std::fmt::Write as _;
use std::time::Duration;

/// What [`Contacts::alertmanager`] needs besides the contacts.
#[derive(Debug, Clone)]
pub struct AlertmanagerOptions {
    smtp: Option<(String, String)>,
    escalation_interval: Duration,
}

impl Default for AlertmanagerOptions {
    fn default() -> Self {
        Self {
            smtp: None,
            escalation_interval: Duration::from_secs(30 * 60),
        }
    }
}

impl AlertmanagerOptions {
    /// Defaults: no SMTP relay, 30 minutes between escalation steps.
    pub fn new() -> Self {
        Self::default()
    }

    /// The SMTP relay (`host:port`) and sender address for email contacts.
    pub fn smtp(mut self, smarthost: impl Into<String>, from: impl Into<String>) -> Self {
        self.smtp = Some((smarthost.into(), from.into()));
        self
    }

    /// How long after a critical alert's group opened each next escalation step is notified.
    pub fn escalation_interval(mut self, every: Duration) -> Self {
        self.escalation_interval = every;
        self
    }
}

/// An Alertmanager configuration rendered from the contacts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlertmanagerConfig {
    /// The configuration file (YAML), for `alertmanager --config.file` and
    /// `amtool check-config`.
    pub yaml: String,
    /// What the configuration cannot do: contacts it cannot reach (phone numbers) and
    /// placeholders that reach no one.
    pub warnings: Vec<String>,
}

/// Why the contacts cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlertmanagerError {
    /// The root route needs the on-call engineer, reachable by email or https.
    #[error("no on-call contact Alertmanager can reach: {0}")]
    NoOnCall(String),
    /// A contact is not an email address, a phone number or an https URL.
    #[error("the {who} contact is malformed: {why}")]
    Malformed {
        /// The role or escalation step.
        who: String,
        /// What is wrong with it.
        why: String,
    },
    /// Email contacts need an SMTP relay.
    #[error("{0} is an email contact: give the SMTP relay with AlertmanagerOptions::smtp(smarthost, from)")]
    NoSmtp(String),
}

impl Contacts {
    /// These contacts with the environment's variables applied, as the checks see them: each
    /// `PRODREADY_CONTACT_*` and `PRODREADY_ESCALATION_PATH` that is set and non-empty wins.
    pub fn with_env(mut self, host: &dyn Host) -> Self {
        let set = |var: &str| host.env(var).filter(|v| !v.trim().is_empty());
        for role in Role::ALL {
            if let Some(v) = set(role.env_var()) {
                *self.slot(role) = Some(v.trim().to_owned());
            }
        }
        if let Some(list) = set(ESCALATION_ENV) {
            self.escalation = list.split(',').map(|s| s.trim().to_owned()).collect();
        }
        self
    }

    /// The Alertmanager routing tree and receivers for these contacts (see the
    /// module docs of `prodready::checks::contacts` for the tree).
    ///
    /// ```
    /// use prodready::checks::contacts::{AlertmanagerOptions, Contacts};
    ///
    /// let contacts = Contacts::new()
    ///     .on_call("https://events.pager.example.org/v2/hook")
    ///     .devops_team("devops@corp.example.org")
    ///     .escalate_to("Head of engineering <cto@corp.example.org>");
    /// let config = contacts
    ///     .alertmanager(&AlertmanagerOptions::new().smtp("smtp.corp.example.org:587", "alerts@corp.example.org"))
    ///     .unwrap();
    /// assert!(config.yaml.contains("receiver: \"on-call\""));
    /// ```
    pub fn alertmanager(
        &self,
        options: &AlertmanagerOptions,
    ) -> Result<AlertmanagerConfig, AlertmanagerError> {
        let mut warnings = Vec::new();
        let mut receivers: Vec<(String, Reach)> = Vec::new();
        let mut reach = |name: &str,
                         who: String,
                         contact: &str|
         -> Result<bool, AlertmanagerError> {
            let r = classify(&who, contact)?;
            if let Some(why) = reserved::reserved(contact) {
                warnings.push(format!("the {who} contact {contact} reaches no one: {why}"));
            }
            match r {
                Reach::Phone(number) => {
                    warnings.push(format!(
                        "the {who} contact {number} is a phone number, which Alertmanager cannot call: it gets no receiver (page it through the paging tool)"
                    ));
                    Ok(false)
                }
                r => {
                    receivers.push((name.to_owned(), r));
                    Ok(true)
                }
            }
        };
        let on_call = match self.on_call.as_deref() {
            None => return Err(AlertmanagerError::NoOnCall("none is declared".into())),
            Some(c) => reach("on-call", Role::OnCall.title().into(), c)?,
        };
        if !on_call {
            return Err(AlertmanagerError::NoOnCall(
                "it is a phone number: give an email address or an https webhook".into(),
            ));
        }
        let mut routes = String::new();
        let mut route = |receiver: &str, matcher: &str, wait: Option<Duration>, cont: bool| {
            let _ = writeln!(routes, "    - receiver: {}", q(receiver));
            let _ = writeln!(routes, "      matchers: [{}]", q(matcher));
            if let Some(w) = wait {
                let _ = writeln!(
                    routes,
                    "      group_by: [\"alertname\", \"service\", \"version\", \"id\"]"
                );
                let _ = writeln!(routes, "      group_wait: {}m", w.as_secs().div_ceil(60));
            }
            let _ = writeln!(routes, "      continue: {cont}");
        };
        route("on-call", "severity=\"critical\"", None, true);
        if let Some(c) = self.dba.as_deref() {
            if reach("database-admin", Role::DatabaseAdmin.title().into(), c)? {
                route(
                    "database-admin",
                    "id=~\"infrastructure[.]database[.].+\"",
                    None,
                    true,
                );
            }
        }
        if let Some(c) = self.security.as_deref() {
            if reach("security-team", Role::Security.title().into(), c)? {
                route("security-team", "id=~\"security[.].+\"", None, true);
            }
        }
        for (i, c) in self.escalation.iter().enumerate() {
            let name = format!("escalation-{}", i + 1);
            if reach(&name, format!("escalation step {}", i + 1), c)? {
                let wait = options.escalation_interval * (i as u32 + 1);
                route(&name, "severity=\"critical\"", Some(wait), true);
            }
        }
        if let Some(c) = self.devops.as_deref() {
            if reach("devops-team", Role::DevOps.title().into(), c)? {
                route("devops-team", "severity=\"warning\"", None, false);
            }
        }
        let mut yaml = String::from(
            "# Alertmanager routes and receivers for the prodready alerts, from the service's\n\
             # emergency contacts (rendered by prodready; check with `amtool check-config`).\n",
        );
        let emails: Vec<&str> = receivers
            .iter()
            .filter_map(|(_, r)| match r {
                Reach::Email(a) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        if let Some(first) = emails.first() {
            let Some((host, from)) = &options.smtp else {
                return Err(AlertmanagerError::NoSmtp((*first).to_owned()));
            };
            let _ = writeln!(
                yaml,
                "global:\n  smtp_smarthost: {}\n  smtp_from: {}",
                q(host),
                q(from)
            );
        }
        let _ = writeln!(
            yaml,
            "route:\n  receiver: \"on-call\"\n  group_by: [\"alertname\", \"service\", \"version\"]\n  routes:"
        );
        yaml.push_str(&routes);
        yaml.push_str("receivers:\n");
        for (name, r) in &receivers {
            let _ = writeln!(yaml, "  - name: {}", q(name));
            match r {
                Reach::Email(to) => {
                    let _ = writeln!(
                        yaml,
                        "    email_configs:\n      - to: {}\n        send_resolved: true",
                        q(to)
                    );
                }
                Reach::Url(url) => {
                    let _ = writeln!(
                        yaml,
                        "    webhook_configs:\n      - url: {}\n        send_resolved: true",
                        q(url)
                    );
                }
                Reach::Phone(_) => {}
            }
        }
        Ok(AlertmanagerConfig { yaml, warnings })
    }

    fn slot(&mut self, role: Role) -> &mut Option<String> {
        match role {
            Role::OnCall => &mut self.on_call,
            Role::DevOps => &mut self.devops,
            Role::DatabaseAdmin => &mut self.dba,
            Role::Security => &mut self.security,
        }
    }
}

/// How a contact is reached.
enum Reach {
    Email(String),
    Url(String),
    Phone(String),
}

fn classify(who: &str, contact: &str) -> Result<Reach, AlertmanagerError> {
    let kind = format::classify(contact).map_err(|why| AlertmanagerError::Malformed {
        who: who.to_owned(),
        why,
    })?;
    let address = format::address(contact);
    let strip = |prefix: &str| {
        address
            .get(..prefix.len())
            .filter(|p| p.eq_ignore_ascii_case(prefix))
            .map_or(address, |_| &address[prefix.len()..])
    };
    Ok(match kind {
        format::Kind::Email => {
            let a = strip("mailto:");
            Reach::Email(a.split('?').next().unwrap_or(a).to_owned())
        }
        format::Kind::Url => Reach::Url(address.to_owned()),
        format::Kind::Phone => Reach::Phone(strip("tel:").to_owned()),
    })
}

/// A YAML double-quoted scalar (JSON's string syntax is YAML's).
fn q(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}
