//! Days, times and whole window declarations as text: `"Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin"`.

use super::Weekday;
use super::{Days, DeploymentWindows, Window};

/// What is wrong with a deployment window declaration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    /// Nothing was declared.
    #[error("no window declared: write e.g. `Mon-Thu 09:00-16:00 Europe/Berlin`")]
    Empty,
    /// The declaration does not end with a time zone.
    #[error("`{0}` is not a time zone: end the declaration with an IANA name such as `Europe/Berlin` or `UTC`")]
    MissingTimeZone(String),
    /// The time zone is not in the (bundled) IANA database.
    #[error("unknown time zone `{0}`: use an IANA name such as `Europe/Berlin` or `UTC`")]
    UnknownTimeZone(String),
    /// A day or day range that is not one.
    #[error("`{0}` is not a day or day range: use `Mon`, `Mon-Thu`, `Mon,Wed,Fri` or `daily`")]
    BadDays(String),
    /// Days without a time range after them.
    #[error("`{0}` has no time range after it: write e.g. `{0} 09:00-16:00`")]
    MissingTimes(String),
    /// A time range that is not one.
    #[error("`{0}` is not a time range: use `HH:MM-HH:MM`, e.g. `09:00-16:00` or `22:00-02:00`")]
    BadTimeRange(String),
    /// A time of day that is not one.
    #[error("`{0}` is not a time of day: use `HH:MM` from `00:00` to `23:59` (`24:00` as an end)")]
    BadTime(String),
    /// A window that starts when it ends.
    #[error("the window {0} starts when it ends: use `00:00-24:00` for a whole day")]
    EmptyWindow(String),
}

const DAY_NAMES: [(&str, &str); 7] = [
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
];

fn weekday(name: &str) -> Option<Weekday> {
    let name = name.trim().to_ascii_lowercase();
    let at = DAY_NAMES
        .iter()
        .position(|(short, long)| name == *short || name == *long)?;
    Weekday::ALL.get(at).copied()
}

/// `Mon`, `Mon-Thu` (wrapping: `Fri-Mon`), `Mon,Wed,Fri`, `Mon-Wed,Fri`, `daily`.
pub(super) fn days(text: &str) -> Result<Days, WindowError> {
    let bad = || WindowError::BadDays(text.to_owned());
    if text.eq_ignore_ascii_case("daily") {
        return Ok(Days::all());
    }
    let mut days = Days::none();
    for part in text.split(',') {
        let part = match part.split_once('-') {
            Some((a, b)) => Days::from(weekday(a).ok_or_else(bad)?..=weekday(b).ok_or_else(bad)?),
            None => Days::from(weekday(part).ok_or_else(bad)?),
        };
        days = days.union(part);
    }
    Ok(days)
}

/// Minutes since midnight of `HH:MM`; `24:00` (1440) only where `end` is true.
pub(super) fn time(text: &str, end: bool) -> Result<u16, WindowError> {
    let bad = || WindowError::BadTime(text.to_owned());
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || m.len() != 2 || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    match (h, m) {
        (24, 0) if end => Ok(1440),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

/// One window from its days and `HH:MM` bounds.
pub(super) fn window(days: Days, start: &str, end: &str) -> Result<Window, WindowError> {
    let window = Window {
        days,
        start: time(start, false)?,
        end: time(end, true)?,
    };
    if window.start == window.end {
        return Err(WindowError::EmptyWindow(window.to_string()));
    }
    Ok(window)
}

pub(super) fn windows(text: &str) -> Result<DeploymentWindows, WindowError> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ';')
        .map(|t| t.trim_end_matches(','))
        .filter(|t| !t.is_empty())
        .collect();
    let Some((zone, rest)) = tokens.split_last() else {
        return Err(WindowError::Empty);
    };
    if zone.contains(':') || days(zone).is_ok() {
        return Err(WindowError::MissingTimeZone((*zone).to_owned()));
    }
    let mut out = DeploymentWindows::try_new(zone)?;
    if rest.is_empty() {
        return Err(WindowError::Empty);
    }
    for pair in rest.chunks(2) {
        let days = days(pair[0])?;
        let Some(range) = pair.get(1) else {
            return Err(WindowError::MissingTimes(pair[0].to_owned()));
        };
        let (start, end) = range
            .split_once('-')
            .ok_or_else(|| WindowError::BadTimeRange((*range).to_owned()))?;
        out.windows.push(window(days, start, end)?);
    }
    Ok(out)
}
