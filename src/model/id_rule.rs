// The id rule, shared word for word with the macros crate: `prodready-macros` includes this file
// through its symbolic link `macros/src/id_rule.rs` so `#[check]` and `checklist!` compute, while
// compiling, the ids the runtime computes. Plain Rust with no imports and no doc tests, so it
// compiles in both crates; the public docs and examples sit on the re-exports in `id.rs`.

/// Lowercases `text` and turns every run of characters other than ASCII letters and digits into
/// one `-`, trimming dashes at both ends.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// The id of the item `title` in `section` and, when the section has groups, `group`.
pub fn item_id(section: &str, group: Option<&str>, title: &str) -> String {
    match group {
        Some(group) => format!("{}.{}.{}", slug(section), slug(group), slug(title)),
        None => format!("{}.{}", slug(section), slug(title)),
    }
}

/// The candidate closest to `word`, if one is close enough to be a likely typo: at most a
/// quarter of its length (and at least 2) edits away.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(candidate, word), candidate))
        .filter(|(d, _)| *d <= (word.len() / 4).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
