//! The PIR detection area (1.14, 1.15).
//!
//! The area is a grid of `rows` × `columns` cells. It travels as one mask per row: in binary,
//! each `1` marks a selected column, with the **leftmost column in the most significant bit**
//! (the seed's drawing: `1` → `00Y`, `3` → `0YY`, `6` → `YY0`, `7` → `YYY` for three columns).
//! The get answer carries the masks as a JSON array; the set request as comma-separated text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use watchpost_core::codec::lenient;
use watchpost_core::codec::param::ToParam;
use watchpost_core::Error;

use crate::generated::ops;

/// The PIR area of a device (1.15).
///
/// ```
/// use ezviz_lapp::models::PirArea;
/// let area: PirArea = serde_json::from_str(r#"{"rows":3,"columns":4,"area":[1,9,13]}"#).unwrap();
/// // 13 = 0b1101: columns 0, 1 and 3 of row 2 (column 0 is the leftmost).
/// assert_eq!(area.grid()[2], [true, true, false, true]);
/// assert!(area.is_selected(1, 0) && !area.is_selected(1, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PirArea {
    /// Device serial number (the field table spells it `devceSerial`).
    #[serde(default, alias = "devceSerial", with = "lenient::opt_string")]
    pub device_serial: Option<String>,
    /// Channel number.
    #[serde(default, with = "lenient::opt_int")]
    pub channel_no: Option<u32>,
    /// Number of rows of the grid.
    #[serde(with = "lenient::int")]
    pub rows: u32,
    /// Number of columns of the grid.
    #[serde(with = "lenient::int")]
    pub columns: u32,
    /// One mask per row (see the module docs for the bit order).
    #[serde(default)]
    pub area: Vec<u32>,
}

impl PirArea {
    /// The largest number of rows or columns [`grid`](Self::grid) returns.
    pub const MAX_GRID: u32 = 256;

    /// Whether the cell at `row`, `column` (both from 0, column 0 leftmost) is selected.
    /// Cells outside the grid are not.
    pub fn is_selected(&self, row: u32, column: u32) -> bool {
        if column >= self.columns {
            return false;
        }
        let bit = self.columns - 1 - column;
        usize::try_from(row).ok().and_then(|r| self.area.get(r)).is_some_and(|mask| bit < 32 && mask >> bit & 1 == 1)
    }

    /// The grid, row by row, leftmost column first; at most [`MAX_GRID`](Self::MAX_GRID) rows
    /// and columns (a device that claims more is not trusted with the memory).
    pub fn grid(&self) -> Vec<Vec<bool>> {
        let (rows, columns) = (self.rows.min(Self::MAX_GRID), self.columns.min(Self::MAX_GRID));
        (0..rows).map(|r| (0..columns).map(|c| self.is_selected(r, c)).collect()).collect()
    }

    /// The masks to send back in a set request (the area as it is).
    pub fn masks(&self) -> PirMasks {
        PirMasks(self.area.clone())
    }

    /// Checks that `masks` fit this grid: at most `rows` masks, each below `2^columns`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first mask that does not fit.
    pub fn check(&self, masks: &PirMasks) -> Result<(), Error> {
        let op = ops::SET_PIR_AREA.id;
        if masks.0.len() > usize::try_from(self.rows).unwrap_or(usize::MAX) {
            return Err(Error::invalid_input(
                op,
                format!("{} row masks for a grid of {} rows", masks.0.len(), self.rows),
            ));
        }
        let limit = 1u64.checked_shl(self.columns).unwrap_or(u64::MAX);
        match masks.0.iter().position(|m| u64::from(*m) >= limit) {
            Some(row) => Err(Error::invalid_input(
                op,
                format!(
                    "row {row} mask {} does not fit {} columns",
                    masks.0.get(row).copied().unwrap_or_default(),
                    self.columns
                ),
            )),
            None => Ok(()),
        }
    }
}

/// Row masks for a set request (`area` of 1.14), sent as `1,3,6,7`.
///
/// Build them from a grid of cells so the bit order is right:
///
/// ```
/// use ezviz_lapp::models::PirMasks;
/// let masks = PirMasks::from_grid(&[
///     vec![false, false, true],
///     vec![false, true, true],
///     vec![true, true, false],
///     vec![true, true, true],
/// ]).unwrap();
/// assert_eq!(masks.to_string(), "1,3,6,7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PirMasks(pub Vec<u32>);

impl PirMasks {
    /// Masks from a grid, row by row, leftmost column first. Every row must have the same number
    /// of cells, at most 32.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for rows of different lengths or longer than 32.
    pub fn from_grid(grid: &[Vec<bool>]) -> Result<Self, Error> {
        let op = ops::SET_PIR_AREA.id;
        let columns = grid.first().map_or(0, Vec::len);
        if columns > 32 {
            return Err(Error::invalid_input(op, format!("{columns} columns (at most 32)")));
        }
        grid.iter()
            .enumerate()
            .map(|(r, row)| {
                if row.len() != columns {
                    return Err(Error::invalid_input(
                        op,
                        format!("row {r} has {} cells, row 0 has {columns}", row.len()),
                    ));
                }
                Ok(row.iter().fold(0u32, |mask, on| mask << 1 | u32::from(*on)))
            })
            .collect::<Result<Vec<u32>, Error>>()
            .map(PirMasks)
    }
}

impl fmt::Display for PirMasks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for m in &self.0 {
            write!(f, "{sep}{m}")?;
            sep = ",";
        }
        Ok(())
    }
}

impl FromStr for PirMasks {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse::<u32>().map_err(|_| format!("invalid row mask {p:?} in {s:?}")))
            .collect::<Result<Vec<_>, _>>()
            .map(PirMasks)
    }
}

impl Serialize for PirMasks {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PirMasks {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            List(Vec<u32>),
        }
        match Form::deserialize(d)? {
            Form::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Form::List(masks) => Ok(PirMasks(masks)),
        }
    }
}

impl ToParam for PirMasks {
    fn to_param(&self) -> String {
        self.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(rows: u32, columns: u32, masks: &[u32]) -> PirArea {
        PirArea { device_serial: None, channel_no: None, rows, columns, area: masks.to_vec() }
    }

    #[test]
    fn the_seed_drawing_puts_the_leftmost_column_in_the_top_bit() {
        let a = area(4, 3, &[1, 3, 6, 7]);
        let drawn: Vec<String> =
            a.grid().iter().map(|row| row.iter().map(|on| if *on { 'Y' } else { '0' }).collect()).collect();
        assert_eq!(drawn, ["00Y", "0YY", "YY0", "YYY"]);
        assert_eq!(PirMasks::from_grid(&a.grid()).unwrap(), a.masks());
    }

    #[test]
    fn masks_are_checked_against_the_grid() {
        let a = area(3, 4, &[1, 9, 13]);
        assert!(a.check(&PirMasks(vec![15, 0, 8])).is_ok());
        assert!(a.check(&PirMasks(vec![16])).is_err(), "16 needs five columns");
        assert!(a.check(&PirMasks(vec![0, 0, 0, 0])).is_err(), "four rows");
        assert!(!a.is_selected(5, 0) && !a.is_selected(0, 9));
        assert!(PirMasks::from_grid(&[vec![true], vec![true, false]]).is_err());
        assert!(PirMasks::from_grid(&[vec![true; 33]]).is_err());
        assert_eq!(PirMasks::from_grid(&[vec![true; 32]]).unwrap().0, [u32::MAX]);
        let wide = area(1, 40, &[u32::MAX]);
        assert!(!wide.is_selected(0, 0), "bits past 32 are never set");
        assert!(wide.is_selected(0, 39));
        let huge = area(u32::MAX, u32::MAX, &[1]);
        assert_eq!(huge.grid().len(), 256, "a bogus size does not allocate gigabytes");
    }

    #[test]
    fn masks_read_text_or_lists() {
        let m: PirMasks = serde_json::from_str(r#""1, 3,6""#).unwrap();
        assert_eq!(m.to_param(), "1,3,6");
        let m: PirMasks = serde_json::from_str("[7,0]").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), r#""7,0""#);
        assert!("1,x".parse::<PirMasks>().is_err());
    }
}
