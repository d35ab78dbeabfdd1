//! The checklist model: sections → groups → items, statuses, severities, kinds and waivers.

mod checklist;
pub(crate) mod date;
mod id;
mod item;
mod waiver;

pub use checklist::{Checklist, ChecklistError, ChecklistErrors};
pub use date::{Date, DateError};
pub use id::{item_id, slug};
pub use item::{Item, ROLLBACK_TRIGGER_TAG};
pub use waiver::Waiver;

pub(crate) use date::{millis, rfc3339};

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in reports, query parameters and the DSL.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownName {
                        what: stringify!($name),
                        value: s.to_owned(),
                        allowed: &[$($text),+],
                    }),
                }
            }
        }
    };
}

named_enum! {
    /// What an evaluation concluded about one item.
    Status {
        /// Verified and fine.
        Pass = "pass",
        /// Works, but something deserves attention.
        Warn = "warn",
        /// Verified and wrong.
        Fail = "fail",
        /// Nothing to judge yet: no attestation, evidence not configured, not automated yet.
        Pending = "pending",
        /// Not run: a dependency failed or the item is disabled.
        Skipped = "skipped",
        /// Does not apply here (e.g. Kubernetes items outside a pod).
        NotApplicable = "not_applicable",
        /// Covered by a waiver that has not expired.
        Waived = "waived",
    }
}

named_enum! {
    /// How much an item's failure matters.
    Severity {
        /// A failure makes the service not ready and fails a strict startup.
        Blocking = "blocking",
        /// A failure is reported but does not change readiness.
        Warning = "warning",
        /// Informational only.
        Info = "info",
    }
}

named_enum! {
    /// Where an item's verdict comes from.
    Kind {
        /// The process inspects itself or a dependency.
        Probe = "probe",
        /// An artifact made by CI and shipped with the build.
        Evidence = "evidence",
        /// A person's recorded sign-off.
        Attestation = "attestation",
        /// A windowed signal from the running service.
        Monitor = "monitor",
    }
}

named_enum! {
    /// Which question an item answers, and so which probe or gate its failure fails.
    ///
    /// | gate | question | served by | on failure |
    /// | --- | --- | --- | --- |
    /// | `liveness` | is the process healthy, or should it be restarted? | `/livez` | restart |
    /// | `readiness` | can this pod serve traffic right now? | `/readyz` | out of rotation until it passes |
    /// | `startup` | may this build run here at all? (evidence, sign-offs, posture) | `verify_startup`, strict mode, `/startupz`, `prodready verify` | strict: the process exits before it serves; never flips a running pod |
    /// | `none` | information | `/readiness-checklist` | reported only |
    Gate {
        /// Decides `/livez`: only checks whose failure a restart would cure.
        Liveness = "liveness",
        /// Decides `/readyz`: dependencies this pod needs to serve traffic now.
        Readiness = "readiness",
        /// Decides whether this build may start here: release evidence, sign-offs, posture.
        Startup = "startup",
        /// Reported only; never decides a probe or a gate.
        None = "none",
    }
}

impl Gate {
    /// The gate of an item that declares none: probes gate readiness, evidence and attestations
    /// gate startup (they describe the build, not the pod's state), monitors are information.
    pub const fn default_for(kind: Kind) -> Gate {
        match kind {
            Kind::Probe => Gate::Readiness,
            Kind::Evidence | Kind::Attestation => Gate::Startup,
            Kind::Monitor => Gate::None,
        }
    }
}

impl Status {
    /// Whether this status counts towards compliance (`pass`, `waived`, `not_applicable`).
    pub const fn is_compliant(self) -> bool {
        matches!(self, Status::Pass | Status::Waived | Status::NotApplicable)
    }

    /// The one-character mark of the text report.
    pub const fn symbol(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Pending => "?",
            Status::Skipped => "-",
            Status::NotApplicable => "·",
            Status::Waived => "~",
        }
    }
}

/// A name that is not one of an enum's values; says which are allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`: expected one of {}", allowed.join(", "))]
pub struct UnknownName {
    what: &'static str,
    value: String,
    allowed: &'static [&'static str],
}

impl UnknownName {
    /// The value that was given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The values that are allowed.
    pub fn allowed(&self) -> &'static [&'static str] {
        self.allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), *s);
            assert_eq!(serde_json::to_string(s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(Status::NotApplicable.as_str(), "not_applicable");
        let err = "fatal".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown Severity `fatal`: expected one of blocking, warning, info"
        );
        assert_eq!("attestation".parse::<Kind>().unwrap(), Kind::Attestation);
    }
}
