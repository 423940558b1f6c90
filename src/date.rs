//! The `Date` field's value (RFC 9110 §6.6.1) as an IMF-fixdate (§5.6.7),
//! from a clock the caller reads: no `std`, no allocation.

use core::fmt;

/// An IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`: always 29 ASCII
/// bytes, the only date format a sender may generate (RFC 9110 §5.6.7).
///
/// ```
/// use httpwire::date::HttpDate;
/// let date = HttpDate::from_unix_secs(784_111_777);
/// assert_eq!(date.as_str(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(HttpDate::from_unix_secs(0).as_str(), "Thu, 01 Jan 1970 00:00:00 GMT");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HttpDate {
    bytes: [u8; HttpDate::LEN],
}

/// The last second with a four-digit year: 9999-12-31T23:59:59Z.
const MAX_SECS: u64 = 253_402_300_799;

impl HttpDate {
    /// The length of every IMF-fixdate.
    pub const LEN: usize = 29;

    /// The date `secs` seconds after the Unix epoch (1970-01-01T00:00:00
    /// UTC), as the caller's clock tells it (with `std`:
    /// `SystemTime::now().duration_since(UNIX_EPOCH)`). Leap seconds do
    /// not exist in Unix time, so none are written. The format has four
    /// year digits: later times are written as the last second of 9999.
    pub fn from_unix_secs(secs: u64) -> HttpDate {
        let secs = secs.min(MAX_SECS);
        let days = secs / 86_400;
        let time = secs % 86_400;
        // 1970-01-01 was a Thursday.
        let weekday = ((days + 4) % 7) as usize;
        let (year, month, day) = civil_from_days(days);
        const WEEKDAYS: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
        const MONTHS: [&[u8; 3]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let mut bytes = *b"Thu, 01 Jan 1970 00:00:00 GMT";
        let digit = |n: u64| b'0' + (n % 10) as u8;
        bytes[..3].copy_from_slice(WEEKDAYS[weekday % 7]);
        bytes[5] = digit(day / 10);
        bytes[6] = digit(day);
        bytes[8..11].copy_from_slice(MONTHS[(month as usize - 1) % 12]);
        bytes[12] = digit(year / 1000);
        bytes[13] = digit(year / 100);
        bytes[14] = digit(year / 10);
        bytes[15] = digit(year);
        let (hour, minute, second) = (time / 3600, time / 60 % 60, time % 60);
        bytes[17] = digit(hour / 10);
        bytes[18] = digit(hour);
        bytes[20] = digit(minute / 10);
        bytes[21] = digit(minute);
        bytes[23] = digit(second / 10);
        bytes[24] = digit(second);
        HttpDate { bytes }
    }

    /// The date now, by the system's clock (with the `std` feature).
    #[cfg(feature = "std")]
    pub fn now() -> HttpDate {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        // A clock set before 1970 is wrong; the epoch is as good a date.
        HttpDate::from_unix_secs(now.map_or(0, |d| d.as_secs()))
    }

    /// The 29 bytes, to write as a field value.
    pub fn as_bytes(&self) -> &[u8; HttpDate::LEN] {
        &self.bytes
    }

    /// The date as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written.
        core::str::from_utf8(&self.bytes).unwrap_or_default()
    }
}

impl fmt::Display for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpDate({:?})", self.as_str())
    }
}

/// Year, month (1–12) and day (1–31) of the proleptic Gregorian calendar,
/// `days` after 1970-01-01: Howard Hinnant's `civil_from_days`, which
/// counts in 400-year eras starting on March 1 so that leap days fall at
/// the end of each year.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "std")]
    #[test]
    fn now_is_the_system_clock() {
        let secs = || {
            let now = std::time::SystemTime::now();
            now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        };
        let (before, date, after) = (secs(), HttpDate::now(), secs());
        assert!(
            (before..=after).any(|s| HttpDate::from_unix_secs(s) == date),
            "{date} is not between {before} and {after}"
        );
    }

    #[test]
    fn known_dates() {
        let cases = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (MAX_SECS, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (u64::MAX, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ];
        for (secs, text) in cases {
            assert_eq!(HttpDate::from_unix_secs(secs).as_str(), text, "{secs}");
        }
    }
}
