//! Checks registered from anywhere in the program with `#[prodready::check]`, via `inventory`.

use crate::check::{Context, FnPtrCheck, Outcome};
use crate::model::{Checklist, ChecklistError, Gate, Item, Kind, Severity};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::time::Duration;

/// Which item a registered check verifies.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// An item already in the checklist, by id.
    Item(&'static str),
    /// A new item.
    New {
        /// Section title.
        section: &'static str,
        /// Group title.
        group: Option<&'static str>,
        /// Item title.
        title: &'static str,
    },
}

/// What `#[prodready::check]` submits to `inventory`.
#[doc(hidden)]
#[derive(Debug)]
pub struct CheckRegistration {
    pub target: Target,
    pub function: &'static str,
    pub kind: Option<Kind>,
    pub severity: Option<Severity>,
    pub timeout_ms: Option<u64>,
    pub ttl_ms: Option<u64>,
    pub depends_on: &'static [&'static str],
    pub tags: &'static [&'static str],
    pub remediation: Option<&'static str>,
    pub docs: Option<&'static str>,
    pub gate: Option<Gate>,
    pub replaces_builtin: bool,
    pub run: for<'a> fn(&'a Context) -> BoxFuture<'a, Outcome>,
}

inventory::collect!(CheckRegistration);

impl CheckRegistration {
    fn apply(&self, mut item: Item) -> Item {
        item = item.bound(
            std::sync::Arc::new(FnPtrCheck(self.run)),
            self.function.to_owned(),
        );
        if let Some(kind) = self.kind {
            item = item.kind(kind);
        }
        if let Some(severity) = self.severity {
            item = item.severity(severity);
        }
        if let Some(ms) = self.timeout_ms {
            item = item.timeout(Duration::from_millis(ms));
        }
        if let Some(ms) = self.ttl_ms {
            item = item.ttl(Duration::from_millis(ms));
        }
        if let Some(text) = self.remediation {
            item = item.remediation(text);
        }
        if let Some(url) = self.docs {
            item = item.docs(url);
        }
        if let Some(g) = self.gate {
            item = item.gate(g);
        }
        item.depends_on(self.depends_on.iter().copied())
            .tags(self.tags.iter().copied())
    }
}

/// How the standard checklist's own checks are named in [`Item::bound_by`].
pub(crate) const BUILTIN: &str = "built-in";

/// Every `#[check]` linked into the program, in a stable order (by item, then function path).
pub(crate) fn registered() -> Vec<&'static CheckRegistration> {
    let mut all: Vec<_> = inventory::iter::<CheckRegistration>.into_iter().collect();
    all.sort_by_key(|r| (target_id(r), r.function));
    all
}

fn target_id(r: &CheckRegistration) -> String {
    match r.target {
        Target::Item(id) => id.to_owned(),
        Target::New {
            section,
            group,
            title,
        } => crate::item_id(section, group, title),
    }
}

/// Only the registrations of items `checklist` already has (by id, or by titles for a
/// `#[check(section = .., title = ..)]`): what a unit test of a small checklist binds.
pub(crate) fn for_items_of(
    checklist: &Checklist,
    regs: Vec<&'static CheckRegistration>,
) -> Vec<&'static CheckRegistration> {
    regs.into_iter()
        .filter(|r| checklist.get(&target_id(r)).is_some())
        .collect()
}

/// Binds every registered check into `checklist`: onto existing items, or as new items.
pub(crate) fn apply_registered(checklist: &mut Checklist, regs: &[&'static CheckRegistration]) {
    let mut bound: HashMap<String, &'static str> = HashMap::new();
    for reg in regs {
        let id = target_id(reg);
        if let Some(first) = bound.insert(id.clone(), reg.function) {
            checklist.record(ChecklistError::DuplicateBinding {
                id,
                first: first.to_owned(),
                second: reg.function.to_owned(),
            });
            continue;
        }
        match reg.target {
            Target::Item(id) => {
                let builtin = checklist
                    .get(id)
                    .and_then(Item::bound_by)
                    .filter(|by| by.starts_with(BUILTIN))
                    .map(str::to_owned);
                if let (Some(builtin), false) = (builtin, reg.replaces_builtin) {
                    checklist.record(ChecklistError::ReplacesBuiltin {
                        id: id.to_owned(),
                        builtin,
                        function: reg.function.to_owned(),
                    });
                    continue;
                }
                let context = format!("#[check(item = ..)] on `{}`", reg.function);
                checklist.edit_in_place(id, &context, |item| reg.apply(item));
            }
            Target::New {
                section,
                group,
                title,
            } => {
                if checklist.get(&id).is_some() {
                    // Naming an existing item by its titles binds to it, like `item = ..`.
                    checklist.edit_in_place(&id, "#[check]", |item| reg.apply(item));
                } else {
                    checklist.push(reg.apply(Item::new(section, group, title)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    fn run(_ctx: &Context) -> BoxFuture<'_, Outcome> {
        Box::pin(async { Outcome::pass("registered") })
    }

    const fn reg(target: Target, function: &'static str) -> CheckRegistration {
        CheckRegistration {
            target,
            function,
            kind: None,
            severity: Some(Severity::Info),
            timeout_ms: Some(1500),
            ttl_ms: None,
            depends_on: &[],
            tags: &["registered"],
            remediation: None,
            docs: None,
            gate: None,
            replaces_builtin: false,
            run,
        }
    }

    static BIND: CheckRegistration = reg(Target::Item("s.g.existing"), "m::bind");
    static NEW: CheckRegistration = reg(
        Target::New {
            section: "S",
            group: Some("G"),
            title: "Brand new",
        },
        "m::new",
    );
    static UNKNOWN: CheckRegistration = reg(Target::Item("s.g.exisitng"), "m::typo");
    static TWICE: CheckRegistration = reg(Target::Item("s.g.existing"), "m::again");
    static TRUST_ME: CheckRegistration = reg(
        Target::Item("security.container-security.no-root-user"),
        "svc::trust_me",
    );
    static REPLACE: CheckRegistration = CheckRegistration {
        replaces_builtin: true,
        ..reg(
            Target::Item("security.container-security.no-root-user"),
            "svc::own_root_check",
        )
    };

    #[test]
    fn replacing_a_built_in_check_needs_replaces_builtin() {
        let mut c = crate::standard::production_deployment();
        apply_registered(&mut c, &[&TRUST_ME]);
        let errors = c.validate().unwrap_err().to_string();
        assert!(
            errors.contains("`security.container-security.no-root-user` has a built-in check (built-in: prodready::checks::process); #[check] `svc::trust_me` would replace it: add `replaces_builtin = true` to replace it on purpose"),
            "{errors}"
        );
        let mut c = crate::standard::production_deployment();
        apply_registered(&mut c, &[&REPLACE]);
        assert!(c.validate().is_ok());
        let item = c.get("security.container-security.no-root-user").unwrap();
        assert_eq!(item.bound_by(), Some("svc::own_root_check"));
    }

    #[tokio::test]
    async fn registrations_bind_existing_items_and_add_new_ones() {
        let mut c = Checklist::new("c").item(Item::new("S", Some("G"), "Existing"));
        apply_registered(&mut c, &[&BIND, &NEW]);
        assert!(c.validate().is_ok());
        let ids: Vec<&str> = c.items().iter().map(Item::id).collect();
        assert_eq!(ids, ["s.g.existing", "s.g.brand-new"]);
        let bound = c.get("s.g.existing").unwrap();
        assert!(bound.is_automated());
        assert_eq!(bound.get_severity(), Severity::Info);
        assert_eq!(bound.timeout, Some(Duration::from_millis(1500)));
        assert_eq!(bound.get_tags(), ["registered"]);
        let ctx = Context::with_host(crate::testing::FakeHost::new());
        let outcome = bound.check.as_ref().unwrap().run(&ctx).await;
        assert_eq!(outcome.status(), Status::Pass);
    }

    #[test]
    fn a_small_checklist_keeps_only_the_registrations_of_its_items() {
        let c = Checklist::new("t").item(Item::new("S", Some("G"), "Existing"));
        let kept = for_items_of(&c, vec![&BIND, &UNKNOWN, &NEW]);
        let functions: Vec<&str> = kept.iter().map(|r| r.function).collect();
        assert_eq!(functions, [BIND.function]);
        // An item named by its titles is kept once the checklist has it.
        let c = c.item(Item::new("S", Some("G"), "Brand new"));
        let kept = for_items_of(&c, vec![&UNKNOWN, &NEW]);
        let functions: Vec<&str> = kept.iter().map(|r| r.function).collect();
        assert_eq!(functions, [NEW.function]);
    }

    #[test]
    fn unknown_ids_and_double_bindings_are_errors() {
        let mut c = Checklist::new("c").item(Item::new("S", Some("G"), "Existing"));
        apply_registered(&mut c, &[&BIND, &UNKNOWN, &TWICE]);
        let errors = c.validate().unwrap_err().to_string();
        assert!(errors.contains("#[check(item = ..)] on `m::typo` names `s.g.exisitng`, which is not an item of this checklist; did you mean `s.g.existing`?"), "{errors}");
        assert!(
            errors.contains(
                "`s.g.existing` is bound by two #[check] functions: m::bind and m::again"
            ),
            "{errors}"
        );
    }
}
