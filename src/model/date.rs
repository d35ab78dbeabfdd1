//! Calendar dates and timestamps without a date library: waiver expiry and report times.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A day of the proleptic Gregorian calendar, as written in a waiver (`2027-01-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// A date that is not `YYYY-MM-DD` or not a day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a date: expected YYYY-MM-DD, e.g. 2027-01-31")]
pub struct DateError {
    input: String,
}

impl Date {
    /// The date `year-month-day`, or `None` when there is no such day.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(Self { year, month, day })
    }

    /// The UTC day that `time` falls on.
    pub fn from_system_time(time: SystemTime) -> Self {
        let secs = unix_seconds(time);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        Self { year, month, day }
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = || DateError {
            input: input.to_owned(),
        };
        let mut parts = input.split('-');
        let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(err());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(err());
        }
        let num = |s: &str| -> Result<u32, DateError> {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (y, m, d) = (num(y)?, num(m)?, num(d)?);
        let (Ok(y), Ok(m), Ok(d)) = (i32::try_from(y), u8::try_from(m), u8::try_from(d)) else {
            return Err(err());
        };
        Date::new(y, m, d).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Seconds since the Unix epoch, negative before it.
fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

#[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
/// Howard Hinnant's `days_from_civil`: (year, month, day) to days since 1970-01-01.
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Date {
    #[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
    /// Seconds since the Unix epoch at the end of this UTC day (the first second of the next):
    /// when a waiver `until` this day stops applying.
    pub(crate) fn end_unix_seconds(&self) -> i64 {
        (days_from_civil(self.year, self.month, self.day) + 1) * 86_400
    }
}

#[cfg_attr(not(feature = "prometheus"), allow(dead_code))]
/// The Unix time of an RFC 3339 timestamp (`2026-12-20T10:00:00Z`, fractions and `±hh:mm`
/// offsets allowed), or `None` when it is not one.
pub(crate) fn parse_rfc3339(text: &str) -> Option<f64> {
    let (date, rest) = text.split_once(['T', 't', ' '])?;
    let date: Date = date.parse().ok()?;
    let b = rest.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        let s = rest.get(i..i + 2)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (h, mi, sec) = (two(0)?, two(3)?, two(6)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut tail = &rest[8..];
    let mut fraction = 0.0;
    if let Some(f) = tail.strip_prefix('.') {
        let digits = f.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = format!("0.{}", &f[..digits]).parse().ok()?;
        tail = &f[digits..];
    }
    let offset = match tail {
        "Z" | "z" => 0,
        _ => {
            let sign = match tail.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = tail.get(1..)?;
            if o.len() != 5 || o.as_bytes()[2] != b':' {
                return None;
            }
            let digits = |s: Option<&str>| -> Option<i64> {
                let s = s?;
                s.bytes()
                    .all(|c| c.is_ascii_digit())
                    .then(|| s.parse().ok())?
            };
            let (oh, om) = (digits(o.get(0..2))?, digits(o.get(3..5))?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(date.year, date.month, date.day);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset) as f64 + fraction)
}

/// `time` as an RFC 3339 UTC timestamp with millisecond precision.
pub(crate) fn rfc3339(time: SystemTime) -> String {
    let secs = unix_seconds(time);
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_millis())
        .unwrap_or(0);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Unix seconds as an RFC 3339 UTC timestamp to the second (`2026-03-01T12:00:00Z`); `None`
/// outside the years 0000 to 9999.
pub(crate) fn rfc3339_seconds(secs: i64) -> Option<String> {
    // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    if !(-62_167_219_200..=253_402_300_799).contains(&secs) {
        return None;
    }
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    Some(format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    ))
}

/// A duration in milliseconds, to the microsecond, for reports.
pub(crate) fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let d: Date = "2027-01-31".parse().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2027, 1, 31));
        assert_eq!(d.to_string(), "2027-01-31");
        assert!("2028-02-29".parse::<Date>().is_ok());
        for bad in [
            "2027-02-29",
            "2027-13-01",
            "2027-1-31",
            "27-01-31",
            "2027-01-31x",
            "2027/01/31",
            "",
            "+027-01-31",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn whole_second_timestamps() {
        assert_eq!(rfc3339_seconds(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339_seconds(1_772_366_400).as_deref(),
            Some("2026-03-01T12:00:00Z")
        );
        assert_eq!(rfc3339_seconds(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
        assert_eq!(rfc3339_seconds(i64::MAX), None);
    }

    #[test]
    fn days_and_timestamps() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_696_496_123); // 2026-11-26T12:34:56.123Z
        assert_eq!(Date::from_system_time(t).to_string(), "2026-11-26");
        assert_eq!(rfc3339(t), "2026-11-26T12:34:56.123Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let before = UNIX_EPOCH - Duration::from_secs(86_400);
        assert_eq!(Date::from_system_time(before).to_string(), "1969-12-31");
    }

    #[test]
    fn rfc3339_timestamps_parse_to_unix_time() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2026-12-20T10:00:00Z"), Some(1_797_760_800.0));
        assert_eq!(
            parse_rfc3339("2026-12-20T11:30:00+01:30"),
            Some(1_797_760_800.0)
        );
        assert_eq!(
            parse_rfc3339("2026-12-20T10:00:00.250Z"),
            Some(1_797_760_800.25)
        );
        let now = SystemTime::now();
        let back = parse_rfc3339(&rfc3339(now)).unwrap();
        assert!((back - unix_seconds(now) as f64).abs() < 1.0);
        for bad in [
            "2026-12-20",
            "2026-12-20T10:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-20T25:00:00Z",
            "2026-12-20T10:00:00+1",
            "2026-12-20T10:00:00++1:00",
            "2026-12-20T10:00:00+24:00",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        let d: Date = "2027-06-30".parse().unwrap();
        assert_eq!(
            d.end_unix_seconds(),
            parse_rfc3339("2027-07-01T00:00:00Z").unwrap() as i64
        );
    }
}
