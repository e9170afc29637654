//! China time: every platform clock and every export timestamp is in Asia/Shanghai.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, Utc};

/// Seconds east of UTC for China Standard Time.
///
/// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed offset is
/// exact for every date a shop's export can contain and spares us a time-zone database.
pub const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

/// China Standard Time as a chrono offset.
pub fn china() -> FixedOffset {
    // The constant is in range, so east_opt always succeeds; UTC is a safe fallback.
    FixedOffset::east_opt(CHINA_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix())
}

/// Interprets a wall-clock time written in China (as exports write them) as an instant.
pub fn from_china_local(local: NaiveDateTime) -> DateTime<Utc> {
    let utc = local - chrono::Duration::seconds(i64::from(CHINA_OFFSET_SECONDS));
    DateTime::from_naive_utc_and_offset(utc, Utc)
}

/// Shows an instant as China wall-clock time, `2026-11-22 18:00:00`.
pub fn china_text(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&china())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Shows an instant as RFC 3339 in China time, `2026-11-22T18:00:00+08:00`.
pub fn china_rfc3339(instant: DateTime<Utc>) -> String {
    instant
        .with_timezone(&china())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// Reads a timestamp as Chinese exports and people write it, in China time.
///
/// Accepted: `2024-03-05 12:34:56`, `2024/3/5 12:34`, `2024-03-05T12:34:56`, `2024-03-05`
/// (midnight), `2024年3月5日 12:34`, and RFC 3339 with an explicit offset. Returns `None`
/// for anything else, so that the caller can report the cell.
pub fn parse_china_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Some(fast) = parse_canonical(text) {
        return Some(fast);
    }
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.with_timezone(&Utc));
    }
    // Split date from time before normalising separators, because "." separates the
    // date's parts in "2024.3.5" but the fraction of a second in "12:34:56.500".
    let text = text.replace(['日', 'T'], " ");
    let (date_part, time_part) = match text.trim().split_once(' ') {
        Some((d, t)) => (d.to_owned(), Some(t.trim().replace('：', ":"))),
        None => (text.trim().to_owned(), None),
    };
    let date_part: String = date_part
        .chars()
        .map(|c| {
            if matches!(c, '/' | '年' | '月' | '.') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let date_part = date_part.trim_end_matches('-');
    let time_part = time_part.as_deref();
    let date = NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()?;
    let time = match time_part {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S%.f"))
            .ok()?,
    };
    Some(from_china_local(date.and_time(time)))
}

/// The form nearly every export cell has, `2024-03-05 12:34:56`, read without the
/// general parser: an import reads several of these per row.
fn parse_canonical(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    let time = NaiveTime::from_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(from_china_local(date.and_time(time)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("2024-03-05 12:34:56", "2024-03-05T04:34:56+00:00")]
    #[case("2024/3/5 12:34", "2024-03-05T04:34:00+00:00")]
    #[case("2024-03-05", "2024-03-04T16:00:00+00:00")]
    #[case("2024-12-31 23:59:59", "2024-12-31T15:59:59+00:00")]
    #[case("2024年3月5日 08:00", "2024-03-05T00:00:00+00:00")]
    #[case("2024-03-05T12:34:56", "2024-03-05T04:34:56+00:00")]
    #[case("2024-03-05T12:34:56+00:00", "2024-03-05T12:34:56+00:00")]
    #[case(" 2024-03-05 12:34:56.500 ", "2024-03-05T04:34:56.500+00:00")]
    fn export_times_are_china_wall_clock(#[case] text: &str, #[case] utc: &str) {
        let got = parse_china_time(text).map(|t| t.to_rfc3339());
        assert_eq!(
            got.as_deref(),
            Some(utc),
            "“{text}” is China time and must map to {utc}"
        );
    }

    #[rstest]
    #[case("")]
    #[case("yesterday")]
    #[case("2024-13-01")]
    #[case("2024-02-30 10:00")]
    #[case("2024-03-05 25:00")]
    #[case("2024-02-30 10:00:00")]
    #[case("2024-0a-30 10:00:00")]
    fn unreadable_times_are_none(#[case] text: &str) {
        assert_eq!(
            parse_china_time(text),
            None,
            "“{text}” must be reported, not guessed"
        );
    }

    #[test]
    fn china_text_round_trips() {
        let t = parse_china_time("2026-10-01 00:00:00").unwrap();
        assert_eq!(china_text(t), "2026-10-01 00:00:00");
        assert_eq!(china_rfc3339(t), "2026-10-01T00:00:00+08:00");
    }
}
