//! Where an instant lies relative to weekly windows in a time zone.
//!
//! Each window is laid out on the real calendar around now (from yesterday, for windows that
//! cross midnight, to eight days ahead), local times are turned into instants by jiff (a time
//! skipped by a DST change moves forward by the gap, a repeated one takes its first occurrence), and
//! overlapping or touching occurrences are merged, so `daily 00:00-24:00` is one open stretch.

use super::Window;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Where now lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Position {
    /// Inside window `window`; the open stretch ends at `closes` (`None`: it never closes, the
    /// windows cover the whole week).
    Inside {
        window: usize,
        closes: Option<Timestamp>,
    },
    /// Outside every window; window `window` opens next, at `opens`.
    Outside { window: usize, opens: Timestamp },
}

#[derive(Debug, Clone, Copy)]
struct Occurrence {
    start: Timestamp,
    end: Timestamp,
    window: usize,
}

fn instant(date: Date, minutes: u16, tz: &TimeZone) -> Result<Timestamp, jiff::Error> {
    let (date, minutes) = match minutes {
        1440 => (date.tomorrow()?, 0),
        m => (date, m),
    };
    let local = date.at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0);
    Ok(local.to_zoned(tz.clone())?.timestamp())
}

fn occurrences(
    windows: &[Window],
    tz: &TimeZone,
    today: Date,
) -> Result<Vec<Occurrence>, jiff::Error> {
    let mut all = Vec::new();
    for offset in -1..=8i32 {
        let date = today.checked_add(offset.days())?;
        for (i, w) in windows.iter().enumerate() {
            if !w.days.contains(super::Weekday::of(date.weekday())) {
                continue;
            }
            let end_date = if w.end <= w.start {
                date.tomorrow()?
            } else {
                date
            };
            let start = instant(date, w.start, tz)?;
            let end = instant(end_date, w.end, tz)?;
            // A window inside a skipped hour (DST) can collapse to nothing.
            if start < end {
                all.push(Occurrence {
                    start,
                    end,
                    window: i,
                });
            }
        }
    }
    all.sort_by_key(|o| (o.start, o.end));
    Ok(all)
}

/// Where `now` lies relative to `windows` in `tz`.
pub(super) fn position(
    windows: &[Window],
    tz: &TimeZone,
    now: Timestamp,
) -> Result<Option<Position>, jiff::Error> {
    let today = now.to_zoned(tz.clone()).date();
    let all = occurrences(windows, tz, today)?;
    let week_later = now.checked_add(168.hours())?;
    if let Some(current) = all.iter().find(|o| o.start <= now && now < o.end) {
        // Follow the merged stretch of overlapping or touching occurrences.
        let mut closes = current.end;
        for o in &all {
            if o.start <= closes && o.end > closes {
                closes = o.end;
            }
        }
        let closes = (closes < week_later).then_some(closes);
        return Ok(Some(Position::Inside {
            window: current.window,
            closes,
        }));
    }
    Ok(all
        .iter()
        .find(|o| o.start > now)
        .map(|o| Position::Outside {
            window: o.window,
            opens: o.start,
        }))
}
