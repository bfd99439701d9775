//! The multi-picture framing (L508-514): each picture preceded by a 4-byte length `Len`.
//!
//! The seed leaves the byte order of `Len` and whether it counts its own 4 bytes open ("take
//! the byte stream from 0 to Len"); the readings are tried in the order of [`MULTI_READINGS`]
//! and the first that splits the file exactly into pictures wins.

use std::fmt;

/// The byte order of a multi-picture length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Most significant byte first.
    Big,
    /// Least significant byte first.
    Little,
}

/// How the pictures of a file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// One picture, the whole file.
    Single,
    /// Pictures one after the other, each preceded by its 4-byte length.
    Multi {
        /// The byte order of the length.
        order: ByteOrder,
        /// Whether the length counts its own 4 bytes.
        prefix_counted: bool,
    },
}

impl Framing {
    /// Whether this is the first reading tried for its layout (no fallback was needed).
    pub fn is_primary(self) -> bool {
        matches!(self, Self::Single | Self::Multi { order: ByteOrder::Big, prefix_counted: false })
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Single => f.write_str("single picture"),
            Self::Multi { order, prefix_counted } => write!(
                f,
                "multi-picture, {} length{}",
                if *order == ByteOrder::Big { "big-endian" } else { "little-endian" },
                if *prefix_counted { " counting its own 4 bytes" } else { "" }
            ),
        }
    }
}

/// The multi-picture readings, in the order they are tried: big-endian then little-endian,
/// the length of the picture alone then the length counting the prefix.
pub const MULTI_READINGS: [Framing; 4] = [
    Framing::Multi { order: ByteOrder::Big, prefix_counted: false },
    Framing::Multi { order: ByteOrder::Little, prefix_counted: false },
    Framing::Multi { order: ByteOrder::Big, prefix_counted: true },
    Framing::Multi { order: ByteOrder::Little, prefix_counted: true },
];

/// The size of a length prefix.
pub(crate) const PREFIX: usize = 4;

/// Why a file does not split by a framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// A length runs past the end of the file, or the file ends inside a prefix.
    Truncated,
    /// A length of zero (or below 4 when it counts the prefix).
    Invalid,
    /// More pictures than the limit.
    TooMany,
}

/// The pictures of `file` by `framing` (at most `max`): sub-slices, nothing allocated from a
/// length read in the file.
pub(crate) fn split(file: &[u8], framing: Framing, max: usize) -> Result<Vec<&[u8]>, SplitError> {
    let Framing::Multi { order, prefix_counted } = framing else {
        return Ok(vec![file]);
    };
    let mut frames = Vec::new();
    let mut rest = file;
    while !rest.is_empty() {
        let (prefix, tail) = rest.split_first_chunk::<PREFIX>().ok_or(SplitError::Truncated)?;
        let n = match order {
            ByteOrder::Big => u32::from_be_bytes(*prefix),
            ByteOrder::Little => u32::from_le_bytes(*prefix),
        };
        let n = usize::try_from(n).map_err(|_| SplitError::Truncated)?;
        let len = if prefix_counted { n.checked_sub(PREFIX).ok_or(SplitError::Invalid)? } else { n };
        if len == 0 {
            return Err(SplitError::Invalid);
        }
        if frames.len() == max {
            return Err(SplitError::TooMany);
        }
        let (frame, next) = tail.split_at_checked(len).ok_or(SplitError::Truncated)?;
        frames.push(frame);
        rest = next;
    }
    if frames.is_empty() {
        return Err(SplitError::Truncated);
    }
    Ok(frames)
}

/// `frames` joined by `framing` (a single framing takes the first frame); `None` when a frame
/// is too long for a 4-byte length.
pub(crate) fn join(frames: &[Vec<u8>], framing: Framing) -> Option<Vec<u8>> {
    let Framing::Multi { order, prefix_counted } = framing else {
        return frames.first().cloned();
    };
    let mut out = Vec::with_capacity(frames.iter().map(|f| f.len() + PREFIX).sum());
    for frame in frames {
        let n = u32::try_from(frame.len() + if prefix_counted { PREFIX } else { 0 }).ok()?;
        out.extend_from_slice(&match order {
            ByteOrder::Big => n.to_be_bytes(),
            ByteOrder::Little => n.to_le_bytes(),
        });
        out.extend_from_slice(frame);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reading_splits_what_it_joined() {
        let frames = vec![b"first".to_vec(), b"second picture".to_vec()];
        for framing in MULTI_READINGS {
            let file = join(&frames, framing).unwrap();
            let split = split(&file, framing, 8).unwrap();
            assert_eq!(split, vec![&b"first"[..], &b"second picture"[..]], "{framing}");
        }
        let be = join(&frames, MULTI_READINGS[0]).unwrap();
        assert_eq!(&be[..9], b"\0\0\0\x05first");
        let counted = join(&frames, MULTI_READINGS[2]).unwrap();
        assert_eq!(&counted[..4], b"\0\0\0\x09");
    }

    #[test]
    fn hostile_lengths_are_refused_without_allocating() {
        let be = MULTI_READINGS[0];
        assert_eq!(split(b"\xff\xff\xff\xffabc", be, 8), Err(SplitError::Truncated));
        assert_eq!(split(b"\0\0\0\x01a\0\0", be, 8), Err(SplitError::Truncated), "ends inside a prefix");
        assert_eq!(split(b"\0\0\0\0", be, 8), Err(SplitError::Invalid));
        assert_eq!(split(b"\0\0\0\x02ab", MULTI_READINGS[2], 8), Err(SplitError::Invalid));
        assert_eq!(split(b"", be, 8), Err(SplitError::Truncated));
        assert_eq!(split(b"\0\0\0\x01a\0\0\0\x01b", be, 1), Err(SplitError::TooMany));
    }
}
