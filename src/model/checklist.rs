//! A whole checklist: ordered items, waivers, and validation.

use super::{DateError, Item, Severity, Waiver};
use crate::check::Check;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// Sections → groups → items, in the order written, plus waivers.
///
/// Building is infallible and chainable; every mistake (an unknown id in `bind` or `waive`, a
/// duplicate id, a dependency cycle, a malformed date) is collected and reported together by
/// [`Checklist::validate`], which [`crate::ReadinessBuilder::build`] calls.
///
/// ```
/// use prodready::{Checklist, Item, Outcome, Severity, Waiver, check_fn};
/// let checklist = prodready::standard::production_deployment()
///     .bind("security.container-security.no-root-user", check_fn(|_ctx| async { Outcome::pass("uid 1000") }))
///     .set_severity("pre-deployment.documentation.readme-md-updated", Severity::Info)
///     .item(Item::new("Payments", None, "Ledger balances"))
///     .waive(Waiver::new("security.container-security.image-signed", "internal tool").until("2027-01-31"));
/// assert!(checklist.validate().is_ok());
/// assert_eq!(checklist.items().len(), 105);
/// ```
#[derive(Clone, Debug)]
#[must_use = "a checklist does nothing until a readiness is built from it"]
pub struct Checklist {
    name: String,
    items: Vec<Item>,
    waivers: Vec<Waiver>,
    problems: Vec<ChecklistError>,
}

/// One thing wrong with a checklist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChecklistError {
    /// Two items have the same id.
    #[error("two items have the id `{id}`: give one of them another title")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A `bind`, `waive`, `set_severity`, `edit` or `#[check(item = …)]` named an item that is not in the checklist.
    #[error("{context} names `{id}`, which is not an item of this checklist{}", did_you_mean(.suggestion))]
    UnknownItem {
        /// The id given.
        id: String,
        /// Where it was given.
        context: String,
        /// The closest existing id.
        suggestion: Option<String>,
    },
    /// An item depends on an id that is not in the checklist.
    #[error("`{item}` depends on `{dependency}`, which is not an item of this checklist{}", did_you_mean(.suggestion))]
    UnknownDependency {
        /// The dependent item.
        item: String,
        /// The missing dependency.
        dependency: String,
        /// The closest existing id.
        suggestion: Option<String>,
    },
    /// Items depend on each other in a circle.
    #[error("dependency cycle: {}", .ids.join(" → "))]
    DependencyCycle {
        /// The ids around the cycle, the first repeated at the end.
        ids: Vec<String>,
    },
    /// A waiver's expiry is not a date.
    #[error("waiver for `{id}`: {source}")]
    WaiverDate {
        /// The waived item.
        id: String,
        /// What is wrong with the date.
        source: DateError,
    },
    /// Two waivers name the same item.
    #[error("`{id}` is waived twice: keep one waiver")]
    DuplicateWaiver {
        /// The item.
        id: String,
    },
    /// An item's title has nothing to make an id from.
    #[error("the item titled `{title}` in section `{section}` has an empty id: titles need letters or digits")]
    EmptyId {
        /// The section.
        section: String,
        /// The title.
        title: String,
    },
    /// A `#[check(item = ..)]` would silently replace a built-in check.
    #[error("`{id}` has a built-in check ({builtin}); #[check] `{function}` would replace it: add `replaces_builtin = true` to replace it on purpose")]
    ReplacesBuiltin {
        /// The item.
        id: String,
        /// The built-in binding.
        builtin: String,
        /// The `#[check]` function.
        function: String,
    },
    /// Two `#[check]` registrations bind the same item.
    #[error("`{id}` is bound by two #[check] functions: {first} and {second}")]
    DuplicateBinding {
        /// The item.
        id: String,
        /// The first function.
        first: String,
        /// The second function.
        second: String,
    },
}

fn did_you_mean(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Every problem found in a checklist, one per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ChecklistErrors(Vec<ChecklistError>);

impl ChecklistErrors {
    /// Every problem, in the order found; never empty.
    pub fn problems(&self) -> &[ChecklistError] {
        &self.0
    }

    /// The problems, owned.
    pub fn into_problems(self) -> Vec<ChecklistError> {
        self.0
    }
}

impl fmt::Display for ChecklistErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the checklist has {} problem(s):", self.0.len())?;
        for e in &self.0 {
            write!(f, "\n  - {e}")?;
        }
        Ok(())
    }
}

impl Checklist {
    /// An empty checklist called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            items: Vec::new(),
            waivers: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Appends an item (after the others of its section and group, or at the end).
    pub fn item(mut self, item: Item) -> Self {
        self.push(item);
        self
    }

    /// Appends an item in place.
    pub fn push(&mut self, item: Item) {
        // Keep sections and groups together: a new item joins the last item of its group
        // (or section) if there is one, so a later `.item(..)` extends the written layout.
        let same_group = self
            .items
            .iter()
            .rposition(|i| i.section == item.section && i.group == item.group);
        let same_section = || self.items.iter().rposition(|i| i.section == item.section);
        match same_group.or_else(same_section) {
            Some(pos) => self.items.insert(pos + 1, item),
            None => self.items.push(item),
        }
    }

    /// Appends every item and waiver of `other` (items join their section and group as with
    /// [`Checklist::item`]); this checklist keeps its name.
    pub fn merge(mut self, other: Checklist) -> Self {
        for item in other.items {
            self.push(item);
        }
        self.waivers.extend(other.waivers);
        self.problems.extend(other.problems);
        self
    }

    /// Adds a waiver.
    pub fn waive(mut self, waiver: Waiver) -> Self {
        self.waivers.push(waiver);
        self
    }

    /// Binds `check` to the item `id`, replacing any check it had.
    #[track_caller]
    pub fn bind(self, id: &str, check: impl Check) -> Self {
        let check: Arc<dyn Check> = Arc::new(check);
        let at = std::panic::Location::caller();
        let by = format!("{}:{}", at.file(), at.line());
        self.edit(id, move |item| item.bound(check, by))
    }

    /// Changes the severity of the item `id`.
    pub fn set_severity(self, id: &str, severity: Severity) -> Self {
        self.edit(id, move |item| item.severity(severity))
    }

    /// Changes the item `id` in any way (its id stays).
    pub fn edit(mut self, id: &str, change: impl FnOnce(Item) -> Item) -> Self {
        self.edit_in_place(id, "edit", change);
        self
    }

    pub(crate) fn edit_in_place(
        &mut self,
        id: &str,
        context: &str,
        change: impl FnOnce(Item) -> Item,
    ) -> bool {
        match self.items.iter().position(|i| i.id == id) {
            Some(pos) => {
                let item = self.items.remove(pos);
                let mut changed = change(item);
                changed.id = id.to_owned();
                self.items.insert(pos, changed);
                true
            }
            None => {
                let suggestion = self.closest(id);
                self.problems.push(ChecklistError::UnknownItem {
                    id: id.to_owned(),
                    context: context.to_owned(),
                    suggestion,
                });
                false
            }
        }
    }

    pub(crate) fn record(&mut self, problem: ChecklistError) {
        self.problems.push(problem);
    }

    /// The checklist's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The items, in written order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item `id`.
    pub fn get(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The waivers.
    pub fn waivers(&self) -> &[Waiver] {
        &self.waivers
    }

    /// Checks ids, dependencies and waivers; returns every problem at once.
    pub fn validate(&self) -> Result<(), ChecklistErrors> {
        let mut errors = self.problems.clone();
        let mut seen = HashSet::new();
        for item in &self.items {
            if item.id.ends_with('.') || item.id.contains("..") || item.id.starts_with('.') {
                errors.push(ChecklistError::EmptyId {
                    section: item.section.clone(),
                    title: item.title.clone(),
                });
            }
            if !seen.insert(item.id.as_str()) {
                errors.push(ChecklistError::DuplicateId {
                    id: item.id.clone(),
                });
            }
            for dep in &item.depends_on {
                if self.get(dep).is_none() {
                    errors.push(ChecklistError::UnknownDependency {
                        item: item.id.clone(),
                        dependency: dep.clone(),
                        suggestion: self.closest(dep),
                    });
                }
            }
        }
        let mut waived = HashSet::new();
        for w in &self.waivers {
            if self.get(&w.item_id).is_none() {
                errors.push(ChecklistError::UnknownItem {
                    id: w.item_id.clone(),
                    context: "a waiver".to_owned(),
                    suggestion: self.closest(&w.item_id),
                });
            }
            if let Some(Err(e)) = &w.until {
                errors.push(ChecklistError::WaiverDate {
                    id: w.item_id.clone(),
                    source: e.clone(),
                });
            }
            if !waived.insert(w.item_id.as_str()) {
                errors.push(ChecklistError::DuplicateWaiver {
                    id: w.item_id.clone(),
                });
            }
        }
        if let Err(cycle) = self.evaluation_order() {
            errors.push(ChecklistError::DependencyCycle { ids: cycle });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ChecklistErrors(errors))
        }
    }

    /// Item indices with every item after its dependencies; on a cycle, the ids around it.
    /// Unknown dependencies are ignored here (validation reports them).
    pub(crate) fn evaluation_order(&self) -> Result<Vec<usize>, Vec<String>> {
        // With duplicate ids (reported on their own), the first item of an id is the one meant.
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, item) in self.items.iter().enumerate() {
            index.entry(item.id.as_str()).or_insert(i);
        }
        // 0 = unvisited, 1 = on the stack, 2 = done
        let mut state = vec![0u8; self.items.len()];
        let mut order = Vec::with_capacity(self.items.len());
        for start in 0..self.items.len() {
            if state[start] != 0 {
                continue;
            }
            // Iterative DFS: (node, next dependency to look at).
            let mut stack = vec![(start, 0usize)];
            state[start] = 1;
            while let Some((node, next)) = stack.last_mut() {
                let deps = &self.items[*node].depends_on;
                if let Some(dep) = deps.get(*next) {
                    *next += 1;
                    let Some(&d) = index.get(dep.as_str()) else {
                        continue;
                    };
                    match state[d] {
                        0 => {
                            state[d] = 1;
                            stack.push((d, 0));
                        }
                        1 => {
                            let from = stack.iter().position(|(n, _)| *n == d).unwrap_or(0);
                            let mut ids: Vec<String> = stack[from..]
                                .iter()
                                .map(|(n, _)| self.items[*n].id.clone())
                                .collect();
                            ids.push(self.items[d].id.clone());
                            return Err(ids);
                        }
                        _ => {}
                    }
                } else {
                    state[*node] = 2;
                    order.push(*node);
                    stack.pop();
                }
            }
        }
        Ok(order)
    }

    fn closest(&self, id: &str) -> Option<String> {
        super::id::closest(id, self.items.iter().map(|i| i.id.as_str())).map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;

    fn item(title: &str) -> Item {
        Item::new("S", Some("G"), title)
    }

    #[test]
    fn collects_every_problem() {
        let c = Checklist::new("c")
            .item(item("A").depends_on(["s.g.b"]))
            .item(item("B").depends_on(["s.g.a"]))
            .item(item("A"))
            .item(item("C").depends_on(["s.g.cc"]))
            .set_severity("s.g.dd", Severity::Info)
            .waive(Waiver::new("s.g.x", "r"))
            .waive(Waiver::new("s.g.a", "r").until("2027-02-30"))
            .waive(Waiver::new("s.g.a", "again"));
        let errs = c.validate().unwrap_err().0;
        let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        assert!(all.contains("edit names `s.g.dd`"), "{all}");
        assert!(all.contains("two items have the id `s.g.a`"), "{all}");
        assert!(all.contains("`s.g.c` depends on `s.g.cc`, which is not an item of this checklist; did you mean `s.g.c`?"), "{all}");
        assert!(all.contains("a waiver names `s.g.x`"), "{all}");
        assert!(all.contains("`2027-02-30` is not a date"), "{all}");
        assert!(all.contains("`s.g.a` is waived twice"), "{all}");
        assert!(
            all.contains("dependency cycle: s.g.a → s.g.b → s.g.a"),
            "{all}"
        );
        assert_eq!(errs.len(), 7, "{all}");
    }

    #[test]
    fn orders_dependencies_first_and_keeps_groups_together() {
        let c = Checklist::new("c")
            .item(item("A").depends_on(["s.g.c"]))
            .item(Item::new("T", None, "X"))
            .item(item("B"))
            .item(item("C").depends_on(["s.g.b"]));
        let ids: Vec<&str> = c.items().iter().map(Item::id).collect();
        assert_eq!(ids, ["s.g.a", "s.g.b", "s.g.c", "t.x"]);
        let order: Vec<&str> = c
            .evaluation_order()
            .unwrap()
            .into_iter()
            .map(|i| c.items()[i].id())
            .collect();
        assert_eq!(order, ["s.g.b", "s.g.c", "s.g.a", "t.x"]);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn empty_titles_are_reported() {
        let c = Checklist::new("c").item(Item::new("S", None, "???"));
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("has an empty id"), "{err}");
    }
}
