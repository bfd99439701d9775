//! The JPEG checks that verify a decryption: the start of image and the marker segments up to
//! the start of scan.
//!
//! The entropy-coded data after the start of scan is not checked, nor an end-of-image marker
//! at the end (some cameras append data after it, thermal cameras their temperature map).

/// The first three bytes of every JPEG: the start-of-image marker and the next marker's `FF`.
pub(crate) const START: [u8; 3] = [0xFF, 0xD8, 0xFF];

/// Whether `data` starts as a JPEG does.
pub(crate) fn starts_like_jpeg(data: &[u8]) -> bool {
    data.starts_with(&START)
}

/// Checks that `data` is a JPEG up to its start of scan: start of image, then marker segments
/// whose lengths stay inside `data`, then a start-of-scan segment. The reason when not.
pub(crate) fn check(data: &[u8]) -> Result<(), &'static str> {
    if !starts_like_jpeg(data) {
        return Err("the picture does not start with a JPEG start-of-image marker");
    }
    let mut pos = 2;
    loop {
        if data.get(pos) != Some(&0xFF) {
            return Err("the picture's JPEG markers are broken");
        }
        // Fill bytes: any number of FF before the marker code.
        while data.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = data.get(pos) else {
            return Err("the picture ends inside a JPEG marker");
        };
        pos += 1;
        match marker {
            // Markers without a length: TEM and the restart markers.
            0x01 | 0xD0..=0xD7 => continue,
            0x00 | 0xD8 | 0xD9 => return Err("the picture's JPEG header has no image data"),
            _ => {}
        }
        let length = match (data.get(pos), data.get(pos + 1)) {
            (Some(&hi), Some(&lo)) => usize::from(u16::from_be_bytes([hi, lo])),
            _ => return Err("the picture ends inside a JPEG segment length"),
        };
        if length < 2 || pos + length > data.len() {
            return Err("a JPEG segment of the picture runs past its end");
        }
        pos += length;
        if marker == 0xDA {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIXEL: &[u8] = include_bytes!("../../fixtures/pictures/pixel.jpg");

    #[test]
    fn a_real_jpeg_passes_and_damage_to_its_header_does_not() {
        assert_eq!(check(PIXEL), Ok(()));
        assert!(check(&PIXEL[..40]).is_err(), "cut inside a segment");
        assert!(check(&PIXEL[1..]).is_err());
        let mut bad_length = PIXEL.to_vec();
        bad_length[4] = 0xFF; // the APP0 length high byte
        assert!(check(&bad_length).is_err());
        let mut no_marker = PIXEL.to_vec();
        no_marker[20] = 0x00; // where the DQT marker's FF is
        assert!(check(&no_marker).is_err());
        assert!(check(&[0xFF, 0xD8, 0xFF, 0xD9]).is_err(), "no image data");
        assert!(check(&[0xFF, 0xD8, 0xFF]).is_err());
        assert!(check(&[]).is_err());
    }
}
