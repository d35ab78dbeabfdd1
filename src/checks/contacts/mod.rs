//! Emergency contacts: the on-call engineer, the DevOps team, the database admin, the security
//! team, and an ordered management escalation path.
//!
//! A contact is an email address (`oncall@example.com`, `mailto:…`), a phone number in E.164
//! style (`+49 30 1234567`; spaces, dashes, dots and parentheses allowed; `tel:+…`), or an
//! `https` URL (a paging schedule, a chat channel). `Name <contact>` is accepted too.
//!
//! **Where contacts come from.** Declared in code with [`Contacts`] (passed with
//! `Readiness::builder().resource(contacts)`), and/or from environment variables, which win
//! when set and non-empty, so a deployment can change them without a rebuild:
//!
//! | role | variable | `Contacts` method |
//! | --- | --- | --- |
//! | on-call engineer | `PRODREADY_CONTACT_ONCALL` | [`Contacts::on_call`] |
//! | DevOps team | `PRODREADY_CONTACT_DEVOPS` | [`Contacts::devops_team`] |
//! | database admin | `PRODREADY_CONTACT_DBA` | [`Contacts::database_admin`] |
//! | security team | `PRODREADY_CONTACT_SECURITY` | [`Contacts::security_team`] |
//! | escalation path | `PRODREADY_ESCALATION_PATH` (comma-separated, first to call first) | [`Contacts::escalate_to`] (in order) |
//!
//! ```
//! use prodready::checks::contacts::Contacts;
//!
//! let contacts = Contacts::new()
//!     .on_call("https://example.pagerduty.com/schedules#P123")
//!     .devops_team("devops@example.com")
//!     .database_admin("+49 30 1234567")
//!     .security_team("mailto:security@example.com")
//!     .escalate_to("Team lead <lead@example.com>")
//!     .escalate_to("Head of engineering <+49 30 7654321>");
//! let readiness = prodready::Readiness::builder().resource(contacts);
//! # let _ = readiness;
//! ```
//!
//! Each role's check passes when its contact is present and well-formed and fails otherwise
//! (absent, or malformed with the reason). A well-formed contact that reaches no one — a name
//! reserved for examples (`example.com`, `.test`, `.invalid`, `.localhost`; RFC 2606/6761), a
//! documentation IP range, or a number kept for fiction (NANP `555-01xx`, the UK's Ofcom drama
//! ranges such as `020 7946 0xxx` and `07700 900xxx`) — is `warn`, saying so: the example
//! above is such a placeholder.

mod alertmanager;
mod format;
mod reserved;

pub use alertmanager::{AlertmanagerConfig, AlertmanagerError, AlertmanagerOptions};

use crate::{Check, Context, Outcome};
use std::sync::Arc;

/// A role that must be reachable in an emergency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// The on-call engineer (or the paging schedule that reaches them).
    OnCall,
    /// The DevOps / platform team.
    DevOps,
    /// The database administrator.
    DatabaseAdmin,
    /// The security team.
    Security,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::OnCall,
        Role::DevOps,
        Role::DatabaseAdmin,
        Role::Security,
    ];

    /// The environment variable that sets this role's contact.
    pub fn env_var(self) -> &'static str {
        match self {
            Role::OnCall => "PRODREADY_CONTACT_ONCALL",
            Role::DevOps => "PRODREADY_CONTACT_DEVOPS",
            Role::DatabaseAdmin => "PRODREADY_CONTACT_DBA",
            Role::Security => "PRODREADY_CONTACT_SECURITY",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Role::OnCall => "on-call engineer",
            Role::DevOps => "DevOps team",
            Role::DatabaseAdmin => "database admin",
            Role::Security => "security team",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Role::OnCall => "on_call",
            Role::DevOps => "devops_team",
            Role::DatabaseAdmin => "database_admin",
            Role::Security => "security_team",
        }
    }
}

/// The variable that sets the escalation path (comma-separated, first to call first).
pub const ESCALATION_ENV: &str = "PRODREADY_ESCALATION_PATH";

/// The emergency contacts a service declares in code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "contacts do nothing until they are given to the readiness builder"]
pub struct Contacts {
    on_call: Option<String>,
    devops: Option<String>,
    dba: Option<String>,
    security: Option<String>,
    escalation: Vec<String>,
}

impl Contacts {
    /// No contacts yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The on-call engineer.
    pub fn on_call(mut self, contact: impl Into<String>) -> Self {
        self.on_call = Some(contact.into());
        self
    }

    /// The DevOps team.
    pub fn devops_team(mut self, contact: impl Into<String>) -> Self {
        self.devops = Some(contact.into());
        self
    }

    /// The database admin.
    pub fn database_admin(mut self, contact: impl Into<String>) -> Self {
        self.dba = Some(contact.into());
        self
    }

    /// The security team.
    pub fn security_team(mut self, contact: impl Into<String>) -> Self {
        self.security = Some(contact.into());
        self
    }

    /// Appends the next step of the management escalation path.
    pub fn escalate_to(mut self, contact: impl Into<String>) -> Self {
        self.escalation.push(contact.into());
        self
    }

    fn get(&self, role: Role) -> Option<&str> {
        match role {
            Role::OnCall => self.on_call.as_deref(),
            Role::DevOps => self.devops.as_deref(),
            Role::DatabaseAdmin => self.dba.as_deref(),
            Role::Security => self.security.as_deref(),
        }
    }
}

/// Verifies that `role` has a present, well-formed contact.
pub fn contact_configured(role: Role) -> ContactConfigured {
    ContactConfigured {
        role,
        contacts: None,
    }
}

/// Verifies the on-call engineer's contact.
pub fn on_call_contact() -> ContactConfigured {
    contact_configured(Role::OnCall)
}

/// Verifies the DevOps team's contact.
pub fn devops_contact() -> ContactConfigured {
    contact_configured(Role::DevOps)
}

/// Verifies the database admin's contact.
pub fn database_admin_contact() -> ContactConfigured {
    contact_configured(Role::DatabaseAdmin)
}

/// Verifies the security team's contact.
pub fn security_contact() -> ContactConfigured {
    contact_configured(Role::Security)
}

/// The check returned by [`contact_configured`].
#[derive(Debug, Clone)]
pub struct ContactConfigured {
    role: Role,
    contacts: Option<Contacts>,
}

impl ContactConfigured {
    /// Judges `contacts` instead of the `Contacts` resource (environment variables still win).
    pub fn contacts(mut self, contacts: Contacts) -> Self {
        self.contacts = Some(contacts);
        self
    }
}

#[async_trait::async_trait]
impl Check for ContactConfigured {
    async fn run(&self, ctx: &Context) -> Outcome {
        let role = self.role;
        let var = role.env_var();
        let (contact, source) = match ctx.host().env(var).filter(|v| !v.trim().is_empty()) {
            Some(value) => (value, format!("`{var}`")),
            None => match ctx.spec(&self.contacts).and_then(|c| c.get(role)) {
                Some(value) => (value.to_owned(), "code".to_owned()),
                None => {
                    return Outcome::fail(format!("no {} contact configured", role.title()))
                        .remediation(format!(
                            "set `{var}` (an email, a +phone number or an https URL) or declare `Contacts::new().{}(\"…\")`",
                            role.method()
                        ))
                }
            },
        };
        let contact = contact.trim();
        match (format::classify(contact), reserved::reserved(contact)) {
            (Ok(kind), Some(why)) => Outcome::warn(format!(
                "the {} contact from {source} is {contact}, which reaches no one: {why}",
                role.title()
            ))
            .remediation(format!(
                "replace the placeholder with the real {} contact (`{var}` or `Contacts::{}`)",
                role.title(),
                role.method()
            ))
            .detail("contact", contact)
            .detail("kind", kind.to_string())
            .detail("source", source)
            .detail("reserved", why),
            (Ok(kind), None) => Outcome::pass(format!(
                "{}: {contact} ({kind}, from {source})",
                role.title()
            ))
            .detail("contact", contact)
            .detail("kind", kind.to_string())
            .detail("source", source),
            (Err(why), _) => Outcome::fail(format!(
                "the {} contact from {source} is malformed: {why}",
                role.title()
            ))
            .remediation(
                "use an email address, a phone number such as `+49 30 1234567`, or an https URL",
            )
            .detail("source", source),
        }
    }
}

/// Verifies that an ordered management escalation path with at least one well-formed entry is
/// configured.
pub fn escalation_path() -> EscalationPath {
    EscalationPath { contacts: None }
}

/// The check returned by [`escalation_path`].
#[derive(Debug, Clone)]
pub struct EscalationPath {
    contacts: Option<Contacts>,
}

impl EscalationPath {
    /// Judges `contacts` instead of the `Contacts` resource (the environment variable still wins).
    pub fn contacts(mut self, contacts: Contacts) -> Self {
        self.contacts = Some(contacts);
        self
    }
}

#[async_trait::async_trait]
impl Check for EscalationPath {
    async fn run(&self, ctx: &Context) -> Outcome {
        let (steps, source): (Vec<String>, String) =
            match ctx.host().env(ESCALATION_ENV).filter(|v| !v.trim().is_empty()) {
                Some(list) => (
                    list.split(',').map(|s| s.trim().to_owned()).collect(),
                    format!("`{ESCALATION_ENV}`"),
                ),
                None => match ctx.spec(&self.contacts) {
                    Some(c) if !c.escalation.is_empty() => (c.escalation.clone(), "code".to_owned()),
                    _ => {
                        return Outcome::fail("no management escalation path configured").remediation(format!(
                            "set `{ESCALATION_ENV}` to a comma-separated list (first to call first) or declare `Contacts::new().escalate_to(\"…\")` for each step"
                        ))
                    }
                },
            };
        let problems: Vec<String> = steps
            .iter()
            .enumerate()
            .filter_map(|(i, step)| {
                format::classify(step)
                    .err()
                    .map(|why| format!("step {}: {why}", i + 1))
            })
            .collect();
        let placeholders: Vec<String> = steps
            .iter()
            .enumerate()
            .filter_map(|(i, step)| {
                reserved::reserved(step)
                    .map(|why| format!("step {} ({}): {why}", i + 1, step.trim()))
            })
            .collect();
        if problems.is_empty() && !placeholders.is_empty() {
            Outcome::warn(format!(
                "the escalation path from {source} has steps that reach no one: {}",
                placeholders.join("; ")
            ))
            .remediation("replace each placeholder with the real person's email address, phone number or https URL")
            .detail("steps", &steps)
            .detail("reserved_steps", placeholders.len())
            .detail("source", source)
        } else if problems.is_empty() {
            Outcome::pass(format!(
                "escalation path of {} step(s) from {source}: {}",
                steps.len(),
                steps.join(" → ")
            ))
            .detail("steps", &steps)
            .detail("source", source)
        } else {
            Outcome::fail(format!(
                "the escalation path from {source} has malformed steps: {}",
                problems.join("; ")
            ))
            .remediation("make each step an email address, a phone number such as `+49 30 1234567`, or an https URL")
            .detail("step_count", steps.len())
            .detail("source", source)
        }
    }
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![
        (
            "emergency-contacts.on-call-engineer-contact",
            Arc::new(on_call_contact()),
        ),
        (
            "emergency-contacts.devops-team-contact",
            Arc::new(devops_contact()),
        ),
        (
            "emergency-contacts.database-admin-contact",
            Arc::new(database_admin_contact()),
        ),
        (
            "emergency-contacts.security-team-contact",
            Arc::new(security_contact()),
        ),
        (
            "emergency-contacts.management-escalation-path",
            Arc::new(escalation_path()),
        ),
    ]
}

#[cfg(test)]
mod tests;
