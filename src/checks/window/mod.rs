//! Deployment windows: weekly weekday/time ranges in an IANA time zone; deploying is allowed
//! while the host's clock lies inside one.
//!
//! ```
//! use prodready::checks::window::{DeploymentWindows, Weekday};
//!
//! let windows = DeploymentWindows::new("Europe/Berlin")
//!     .window(Weekday::Monday..=Weekday::Thursday, "09:00", "16:00")
//!     .window(Weekday::Friday, "09:00", "12:00");
//! let same: DeploymentWindows = "Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin".parse()?;
//! assert_eq!(windows, same);
//! let readiness = prodready::Readiness::builder().resource(windows);
//! # let _ = readiness;
//! # Ok::<(), prodready::checks::window::WindowError>(())
//! ```
//!
//! A window whose end is not after its start crosses midnight (`Fri 22:00-02:00` runs into
//! Saturday); `00:00-24:00` is a whole day. Local times are converted with the time zone
//! database bundled into the binary (never the system's), so DST changes are handled: a time
//! inside a skipped hour moves forward by the length of the gap (`02:30` on a spring-forward
//! night is `03:30`), a repeated time means its first occurrence.
//!
//! The default check ([`deployment_window_open`]) reads the [`DeploymentWindows`] resource; the
//! environment variable `PRODREADY_DEPLOYMENT_WINDOWS` (same text form) wins when set, so a
//! deployment can change its windows without a rebuild.

mod parse;
mod schedule;

/// A day of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// 0 for Monday … 6 for Sunday.
    pub const fn to_monday_zero_offset(self) -> u8 {
        self as u8
    }

    /// The day after this one (Sunday → Monday).
    pub const fn next(self) -> Weekday {
        Weekday::ALL[(self as usize + 1) % 7]
    }
}

impl Weekday {
    fn of(day: jiff::civil::Weekday) -> Self {
        Weekday::ALL[day.to_monday_zero_offset() as usize]
    }
}
pub use parse::WindowError;

use crate::{Check, Context, Outcome};
use jiff::tz::TimeZoneDatabase;
use jiff::Timestamp;
use schedule::Position;
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::{Arc, OnceLock};

/// The variable that declares the windows as text (wins over the resource when set).
pub const WINDOWS_ENV: &str = "PRODREADY_DEPLOYMENT_WINDOWS";

/// The bundled IANA database: the same answers on every machine.
fn zones() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// A set of weekdays: from a [`Weekday`], a range `Monday..=Thursday` (which may wrap:
/// `Friday..=Monday`), or an array of weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days([bool; 7]);

impl Days {
    /// Every day of the week.
    pub fn all() -> Self {
        Days([true; 7])
    }

    fn none() -> Self {
        Days([false; 7])
    }

    fn union(self, other: Days) -> Days {
        Days(std::array::from_fn(|i| self.0[i] || other.0[i]))
    }

    /// Whether `day` is in the set.
    pub fn contains(&self, day: Weekday) -> bool {
        self.0[day.to_monday_zero_offset() as usize]
    }
}

impl From<Weekday> for Days {
    fn from(day: Weekday) -> Self {
        let mut days = Days::none();
        days.0[day.to_monday_zero_offset() as usize] = true;
        days
    }
}

impl From<RangeInclusive<Weekday>> for Days {
    fn from(range: RangeInclusive<Weekday>) -> Self {
        let (mut day, last) = range.into_inner();
        let mut days = Days::from(day);
        while day != last {
            day = day.next();
            days = days.union(Days::from(day));
        }
        days
    }
}

impl<const N: usize> From<[Weekday; N]> for Days {
    fn from(list: [Weekday; N]) -> Self {
        list.into_iter()
            .fold(Days::none(), |d, w| d.union(Days::from(w)))
    }
}

impl fmt::Display for Days {
    /// `daily`, or runs such as `Mon-Thu,Sat`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        if self.0 == [true; 7] {
            return f.write_str("daily");
        }
        let mut runs = Vec::new();
        let mut i = 0;
        while i < 7 {
            if !self.0[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < 7 && self.0[i + 1] {
                i += 1;
            }
            runs.push(match i - start {
                0 => SHORT[start].to_owned(),
                _ => format!("{}-{}", SHORT[start], SHORT[i]),
            });
            i += 1;
        }
        f.write_str(&runs.join(","))
    }
}

/// One weekly window: days, and minutes since midnight (end 1440 = `24:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    days: Days,
    start: u16,
    end: u16,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{} {}-{}", self.days, hm(self.start), hm(self.end))
    }
}

/// The weekly windows in which deploying is allowed, in one IANA time zone.
///
/// Builder errors (an unknown zone, a malformed time) are kept and reported by the check as a
/// `fail`; [`DeploymentWindows::parse`] returns them instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "windows do nothing until they are given to the readiness builder"]
pub struct DeploymentWindows {
    zone: String,
    windows: Vec<Window>,
    errors: Vec<WindowError>,
}

impl DeploymentWindows {
    /// No windows yet, in the IANA time zone `zone` (`Europe/Berlin`, `UTC`).
    pub fn new(zone: &str) -> Self {
        match Self::try_new(zone) {
            Ok(w) => w,
            Err(e) => Self {
                zone: zone.to_owned(),
                windows: Vec::new(),
                errors: vec![e],
            },
        }
    }

    fn try_new(zone: &str) -> Result<Self, WindowError> {
        let tz = zones()
            .get(zone)
            .map_err(|_| WindowError::UnknownTimeZone(zone.to_owned()))?;
        Ok(Self {
            zone: tz.iana_name().unwrap_or(zone).to_owned(),
            windows: Vec::new(),
            errors: Vec::new(),
        })
    }

    /// Adds a window on `days` from `start` to `end` (`HH:MM`; an end not after the start
    /// crosses midnight; `24:00` ends at midnight).
    pub fn window(mut self, days: impl Into<Days>, start: &str, end: &str) -> Self {
        match parse::window(days.into(), start, end) {
            Ok(w) => self.windows.push(w),
            Err(e) => self.errors.push(e),
        }
        self
    }

    /// Windows from text: `"Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin"` (days as
    /// `Mon`, `Mon-Thu`, `Mon,Wed` or `daily`; the time zone last).
    pub fn parse(text: &str) -> Result<Self, WindowError> {
        parse::windows(text)
    }

    /// The IANA time zone.
    pub fn zone(&self) -> &str {
        &self.zone
    }
}

impl std::str::FromStr for DeploymentWindows {
    type Err = WindowError;
    fn from_str(text: &str) -> Result<Self, WindowError> {
        Self::parse(text)
    }
}

impl fmt::Display for DeploymentWindows {
    /// The text form [`DeploymentWindows::parse`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let windows: Vec<String> = self.windows.iter().map(ToString::to_string).collect();
        write!(f, "{} {}", windows.join(", "), self.zone)
    }
}

/// Verifies that now lies inside a deployment window.
pub fn deployment_window_open() -> WindowOpen {
    WindowOpen { windows: None }
}

/// The check returned by [`deployment_window_open`].
#[derive(Debug, Clone)]
pub struct WindowOpen {
    windows: Option<DeploymentWindows>,
}

impl WindowOpen {
    /// Judges `windows` instead of the `DeploymentWindows` resource (the variable still wins).
    pub fn windows(mut self, windows: DeploymentWindows) -> Self {
        self.windows = Some(windows);
        self
    }
}

#[async_trait::async_trait]
impl Check for WindowOpen {
    async fn run(&self, ctx: &Context) -> Outcome {
        let from_env;
        let windows = match ctx.host().env(WINDOWS_ENV).filter(|v| !v.trim().is_empty()) {
            Some(text) => match DeploymentWindows::parse(&text) {
                Ok(w) => {
                    from_env = w;
                    &from_env
                }
                Err(e) => {
                    return Outcome::fail(format!("`{WINDOWS_ENV}` is malformed: {e}"))
                        .remediation("write e.g. `Mon-Thu 09:00-16:00, Fri 09:00-12:00 Europe/Berlin`")
                }
            },
            None => match ctx.spec(&self.windows) {
                Some(w) => w,
                None => {
                    return Outcome::warn("no deployment windows declared").remediation(format!(
                        "declare them with `DeploymentWindows::new(\"Europe/Berlin\").window(Weekday::Monday..=Weekday::Thursday, \"09:00\", \"16:00\")` passed with `Readiness::builder().resource(..)`, or set `{WINDOWS_ENV}`"
                    ))
                }
            },
        };
        judge(windows, ctx.host().now())
    }
}

fn judge(windows: &DeploymentWindows, now: std::time::SystemTime) -> Outcome {
    if let Some(e) = windows.errors.first() {
        return Outcome::fail(format!("invalid deployment window: {e}"))
            .remediation("fix the window declaration");
    }
    if windows.windows.is_empty() {
        return Outcome::warn(format!(
            "no deployment windows declared in {}",
            windows.zone
        ))
        .remediation("add one with `DeploymentWindows::window`");
    }
    let (tz, now) = match (zones().get(&windows.zone), Timestamp::try_from(now)) {
        (Ok(tz), Ok(now)) => (tz, now),
        (Err(e), _) => return Outcome::fail(format!("time zone `{}`: {e}", windows.zone)),
        (_, Err(e)) => return Outcome::fail(format!("the host's clock is out of range: {e}")),
    };
    let position = match schedule::position(&windows.windows, &tz, now) {
        Ok(Some(p)) => p,
        Ok(None) => return Outcome::fail(format!("no deployment window ever opens: {windows}")),
        Err(e) => return Outcome::fail(format!("cannot lay out the deployment windows: {e}")),
    };
    let local = |t: Timestamp| {
        t.to_zoned(tz.clone())
            .strftime("%a %Y-%m-%d %H:%M %Z")
            .to_string()
    };
    let utc = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M UTC").to_string();
    let base = |o: Outcome| {
        o.detail("windows", windows.to_string())
            .detail("now_local", local(now))
            .detail("now_utc", utc(now))
    };
    match position {
        Position::Inside { window, closes: None } => base(Outcome::pass(format!(
            "inside the deployment window {} ({}); the windows cover the whole week",
            windows.windows[window], windows.zone
        ))),
        Position::Inside { window, closes: Some(closes) } => base(Outcome::pass(format!(
            "inside the deployment window {} ({}); it closes {} ({}), in {}",
            windows.windows[window],
            windows.zone,
            local(closes),
            utc(closes),
            until(now, closes)
        )))
        .detail("closes_at", closes.to_zoned(tz.clone()).to_string())
        .detail("closes_in_seconds", closes.as_second() - now.as_second()),
        Position::Outside { window, opens } => base(Outcome::fail(format!(
            "outside every deployment window (now {}); the next, {}, opens {} ({}), in {}",
            local(now),
            windows.windows[window],
            local(opens),
            utc(opens),
            until(now, opens)
        )))
        .remediation(format!(
            "deploy inside a window ({windows}); for an emergency, waive `deployment.process.deployment-window-scheduled` with a reason"
        ))
        .detail("opens_at", opens.to_zoned(tz.clone()).to_string())
        .detail("opens_in_seconds", opens.as_second() - now.as_second()),
    }
}

/// `2d 3h 5m`, rounded up to the minute.
fn until(now: Timestamp, then: Timestamp) -> String {
    let minutes = (then.as_second() - now.as_second() + 59) / 60;
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h {m}m"),
    }
}

/// The standard checklist's items this module verifies, each with its default check.
pub(crate) fn standard_bindings() -> Vec<(&'static str, Arc<dyn Check>)> {
    vec![(
        "deployment.process.deployment-window-scheduled",
        Arc::new(deployment_window_open()),
    )]
}

#[cfg(test)]
mod tests;
