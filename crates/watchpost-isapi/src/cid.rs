//! The vendor-neutral category of a Hikvision CID (Contact ID) code, shared by the Device
//! Gateway's alarms and Hik-Partner Pro's `cidEvent`s: the same panel code means the same thing
//! whichever way it arrives.
//!
//! Codes are four digits, qualifier first (`1` trigger, `3` restore). Hikvision's CID table
//! (Device Gateway seed, A.3) departs from the SIA DC-05 groups that
//! [`contact_id_category`] reads for some codes (`1103` "Instant Alarm" is a zone alarm, not a
//! medical one; the `4xx` arming codes use `1`/`3` for disarm/arm; the `8xx` virtual zones and
//! `9xx` codes are Hikvision's own); there the Hikvision table wins.
//!
//! ```
//! use watchpost_isapi::cid::category;
//! use watchpost_core::alarm::Category;
//! assert_eq!(category("1103"), (Category::Intrusion, None));
//! assert_eq!(category("3401"), (Category::Arming, None));
//! assert_eq!(category("3103"), (Category::Restore, Some(Category::Intrusion)));
//! assert_eq!(category("1121"), (Category::Duress, None));
//! assert_eq!(category("not a code"), (Category::Other, None));
//! ```

use watchpost_core::alarm::{contact_id_category, Category};

/// The category of a four-digit Hikvision CID code and, for a restore, what it restores.
/// Text that is no CID code is [`Category::Other`].
pub fn category(code: &str) -> (Category, Option<Category>) {
    let code = code.trim();
    let hikvision = match code.as_bytes() {
        [q @ (b'1' | b'3'), rest @ ..] if rest.len() == 3 && rest.iter().all(u8::is_ascii_digit) => {
            std::str::from_utf8(rest).ok().and_then(|r| r.parse().ok()).and_then(hik_group).map(|g| (*q == b'3', g))
        }
        _ => None,
    };
    if let Some((restore, (category, restorable))) = hikvision {
        return if restore && restorable { (Category::Restore, Some(category)) } else { (category, None) };
    }
    contact_id_category(code).unwrap_or((Category::Other, None))
}

/// The Hikvision table's own meaning of an event code, where it departs from the Contact ID
/// groups: the category and whether qualifier `3` means a restore of it.
fn hik_group(event: u16) -> Option<(Category, bool)> {
    use Category::{Arming, Fault, Fire, Intrusion, Medical, Other, Panic, Tamper};
    Some(match event {
        // Instant (zone) alarm and shock sensor: intrusion, not Contact ID's medical / duress.
        103 | 125 => (Intrusion, true),
        126 => (Other, true),
        141 | 142 => (Fault, true),
        148 => (Tamper, true),
        207 => (Intrusion, true),
        341 | 343 | 344 => (Tamper, true),
        400..=442 | 452 => (Arming, false),
        443 => (Other, false),
        455 | 460..=462 => (Fault, true),
        570 | 574 => (Other, false),
        602 => (Category::Test, false),
        627 | 628 => (Other, false),
        810 => (Panic, true),
        811 => (Fire, true),
        812 => (Intrusion, true),
        847 => (Medical, true),
        862 => (Tamper, true),
        863 => (Other, true),
        910..=931 | 942..=949 => (Fault, true),
        940 => (Intrusion, true),
        941 => (Tamper, true),
        973 | 974 => (Arming, false),
        960 | 961 | 970 | 971 | 975..=979 => (Other, false),
        _ => return None,
    })
}
