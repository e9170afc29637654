//! The Chinese working-day calendar: public holidays and official make-up working days
//! (调休), one data file per year.

use crate::ClockError;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::path::Path;
use toml::Spanned;

/// The bundled year files, as (file name, text).
///
/// They are compiled in so that a fresh install counts working days correctly without any
/// download; later years are added at run time with [`Calendar::import`].
const BUNDLED: &[(&str, &str)] = &[
    (
        "calendar/2024.toml",
        include_str!("../data/calendar/2024.toml"),
    ),
    (
        "calendar/2025.toml",
        include_str!("../data/calendar/2025.toml"),
    ),
    (
        "calendar/2026.toml",
        include_str!("../data/calendar/2026.toml"),
    ),
];

/// The earliest year a calendar file may describe.
///
/// The State Council's current holiday scheme dates from 2008 and shops' exports do not
/// reach further back, so an earlier year is a typing mistake.
const FIRST_YEAR: i32 = 2008;

/// The latest year a calendar file may describe.
///
/// Schedules are published one year ahead; a year this far out is a typing mistake.
const LAST_YEAR: i32 = 2100;

/// The longest holiday a file may declare, in days.
///
/// The longest official break so far is nine days (Spring Festival 2026); a range of more
/// than two weeks is almost surely a wrong month in `from` or `to`.
const LONGEST_HOLIDAY_DAYS: i64 = 14;

/// What a calendar day is for working-day clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday to Friday, not a holiday.
    Workday,
    /// Saturday or Sunday, not a make-up working day.
    Weekend,
    /// A public holiday (放假).
    Holiday,
    /// A weekend day worked to make up for a holiday (调休上班).
    MakeUpWorkday,
}

impl DayKind {
    /// Whether working-day clocks count this day.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeUpWorkday)
    }

    /// What a day is when no calendar data covers its year: weekends only.
    pub fn plain(date: NaiveDate) -> DayKind {
        match date.weekday() {
            Weekday::Sat | Weekday::Sun => DayKind::Weekend,
            _ => DayKind::Workday,
        }
    }
}

/// One holiday of a year's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    /// The holiday's name, e.g. 春节.
    pub name: String,
    /// The first day off.
    pub from: NaiveDate,
    /// The last day off.
    pub to: NaiveDate,
    /// The weekend days worked to make up for it.
    pub make_up: Vec<NaiveDate>,
}

/// One year's official schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearCalendar {
    /// The year.
    pub year: i32,
    /// Where the schedule comes from (the State Council's notice).
    pub source: String,
    /// The holidays in file order.
    pub holidays: Vec<Holiday>,
    /// Each day of the year by its ordinal (0 is 1 January).
    #[serde(skip)]
    days: Vec<DayKind>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    year: Spanned<i32>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    make_up: Vec<Spanned<String>>,
}

impl YearCalendar {
    /// Reads a year file. `file` names it in error messages.
    ///
    /// The file must give `year`, and for each `[[holiday]]` a `name`, the first and last
    /// day off as `"YYYY-MM-DD"` strings, and the make-up working days; every date must lie
    /// in the file's year and every make-up day must be a Saturday or Sunday.
    pub fn parse(text: &str, file: &str) -> Result<YearCalendar, ClockError> {
        crate::file::check_size(text, file)?;
        let raw: RawYear =
            toml::from_str(text).map_err(|e| ClockError::from_toml(file, text, e))?;
        let err = |span: std::ops::Range<usize>, field: &str, message: String| {
            ClockError::at(file, text, Some(span), Some(field), message, None)
        };
        let year = *raw.year.get_ref();
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            return Err(err(
                raw.year.span(),
                "year",
                format!("年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间"),
            ));
        }
        let date = |value: &Spanned<String>, field: &str| -> Result<NaiveDate, ClockError> {
            let d =
                NaiveDate::parse_from_str(value.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                    err(
                        value.span(),
                        field,
                        format!(
                            "“{}”不是日期，应写成带引号的 \"YYYY-MM-DD\"",
                            value.get_ref()
                        ),
                    )
                })?;
            if d.year() != year {
                return Err(err(
                    value.span(),
                    field,
                    format!("{d} 不在本文件的年份 {year} 内"),
                ));
            }
            Ok(d)
        };
        let mut days: Vec<DayKind> = (0..days_in_year(year))
            .filter_map(|ordinal0| NaiveDate::from_yo_opt(year, ordinal0 + 1))
            .map(DayKind::plain)
            .collect();
        let mut holidays = Vec::with_capacity(raw.holiday.len());
        for (i, h) in raw.holiday.iter().enumerate() {
            let table = format!("holiday[{}]", i + 1);
            let from = date(&h.from, &format!("{table}.from"))?;
            let to = date(&h.to, &format!("{table}.to"))?;
            if to < from {
                return Err(err(
                    h.to.span(),
                    &format!("{table}.to"),
                    format!("最后一天 {to} 早于第一天 {from}"),
                ));
            }
            if (to - from).num_days() >= LONGEST_HOLIDAY_DAYS {
                return Err(err(
                    h.to.span(),
                    &format!("{table}.to"),
                    format!(
                        "{}从 {from} 到 {to} 超过 {LONGEST_HOLIDAY_DAYS} 天，请检查月份",
                        h.name
                    ),
                ));
            }
            for d in from.iter_days().take_while(|d| *d <= to) {
                if let Some(slot) = days.get_mut(d.ordinal0() as usize) {
                    *slot = DayKind::Holiday;
                }
            }
            let mut make_up = Vec::with_capacity(h.make_up.len());
            for m in &h.make_up {
                let field = format!("{table}.make_up");
                let d = date(m, &field)?;
                if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    return Err(err(
                        m.span(),
                        &field,
                        format!(
                            "调休上班日 {d} 是{}，调休上班日只会在周六或周日",
                            weekday_zh(d)
                        ),
                    ));
                }
                make_up.push(d);
            }
            holidays.push(Holiday {
                name: h.name.clone(),
                from,
                to,
                make_up,
            });
        }
        // Make-up days are marked after every holiday so that a make-up day inside any
        // holiday range is caught, whichever holiday lists it.
        for (i, (h, raw_h)) in holidays.iter().zip(&raw.holiday).enumerate() {
            for (d, m) in h.make_up.iter().zip(&raw_h.make_up) {
                let slot = days.get_mut(d.ordinal0() as usize);
                match slot {
                    Some(slot) if *slot == DayKind::Holiday => {
                        return Err(err(
                            m.span(),
                            &format!("holiday[{}].make_up", i + 1),
                            format!("{d} 同时是放假日和调休上班日"),
                        ));
                    }
                    Some(slot) => *slot = DayKind::MakeUpWorkday,
                    None => {}
                }
            }
        }
        Ok(YearCalendar {
            year,
            source: raw.source,
            holidays,
            days,
        })
    }

    /// What a day of this year is (a day of another year reads as weekday/weekend only).
    pub fn day(&self, date: NaiveDate) -> DayKind {
        if date.year() != self.year {
            return DayKind::plain(date);
        }
        self.days
            .get(date.ordinal0() as usize)
            .copied()
            .unwrap_or_else(|| DayKind::plain(date))
    }
}

fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

fn weekday_zh(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// The working-day calendar: the years it has data for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    /// Sorted by year; a handful of entries, so a scan beats a map.
    years: Vec<YearCalendar>,
}

impl Calendar {
    /// A calendar with no holiday data: working days are Monday to Friday.
    pub fn empty() -> Calendar {
        Calendar::default()
    }

    /// The calendar with the bundled years (2024–2026).
    pub fn bundled() -> Result<Calendar, ClockError> {
        let mut calendar = Calendar::empty();
        for (file, text) in BUNDLED {
            calendar.insert(YearCalendar::parse(text, file)?);
        }
        Ok(calendar)
    }

    /// Adds a year, replacing and returning any schedule the calendar had for it.
    pub fn insert(&mut self, year: YearCalendar) -> Option<YearCalendar> {
        match self.years.binary_search_by_key(&year.year, |y| y.year) {
            Ok(i) => Some(std::mem::replace(&mut self.years[i], year)),
            Err(i) => {
                self.years.insert(i, year);
                None
            }
        }
    }

    /// Reads a year file from disk and adds it; returns the year read. The calendar is
    /// unchanged when the file is broken.
    pub fn import(&mut self, path: &Path) -> Result<i32, ClockError> {
        let year = read_year(path)?;
        let number = year.year;
        self.insert(year);
        Ok(number)
    }

    /// Adds every `*.toml` year file of a folder (a shop's imported years), in name order.
    /// A missing folder adds nothing.
    pub fn import_dir(&mut self, dir: &Path) -> Result<Vec<i32>, ClockError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(ClockError::Read {
                    file: dir.to_owned(),
                    source,
                });
            }
        };
        let mut files: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files.iter().map(|f| self.import(f)).collect()
    }

    /// The years with data, oldest first.
    pub fn years(&self) -> &[YearCalendar] {
        &self.years
    }

    /// One year's schedule.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.iter().find(|y| y.year == year)
    }

    /// What a day is, or `None` when no data covers its year.
    pub fn day(&self, date: NaiveDate) -> Option<DayKind> {
        self.year(date.year()).map(|y| y.day(date))
    }

    /// The `n`-th working day after `date` (`date` itself is never counted, also when it is
    /// a working day), and the first year the count passed through without data, if any
    /// (such a year counts weekends only).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> (NaiveDate, Option<i32>) {
        let mut missing = None;
        let mut day = date;
        let mut counted = 0;
        // Cache the year so that the scan looks the schedule up once per year crossed.
        let mut year: Option<&YearCalendar> = None;
        let mut year_number = i32::MIN;
        while counted < n {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if day.year() != year_number {
                year_number = day.year();
                year = self.year(year_number);
                if year.is_none() && missing.is_none() {
                    missing = Some(year_number);
                }
            }
            let kind = year.map_or_else(|| DayKind::plain(day), |y| y.day(day));
            if kind.is_working() {
                counted += 1;
            }
        }
        (day, missing)
    }
}

/// Reads and checks a year file from disk.
pub(crate) fn read_year(path: &Path) -> Result<YearCalendar, ClockError> {
    let text = crate::file::read_limited(path)?;
    YearCalendar::parse(&text, &path.display().to_string())
}
