//! The documented limits of sections 3.43 to 3.51, checked on a request's JSON body before it is
//! sent (typed calls and the CLI's `dispatch` alike).

use serde_json::Value;
use watchpost_core::{Error, Result};

/// Longest employee ID: 32 letters and digits (L3764, L4002).
pub const MAX_EMPLOYEE_NO: usize = 32;
/// Longest family or given name: 32 characters (L3766-3767).
pub const MAX_NAME: usize = 32;
/// Longest email address: 128 characters (L3768).
pub const MAX_EMAIL: usize = 128;
/// Longest phone number: 32 characters (L3769).
pub const MAX_PHONE: usize = 32;
/// Longest card number: 20 digits (L3775).
pub const MAX_CARD_NO: usize = 20;
/// Largest face picture: a JPEG of 200 KB (L3771), before base64.
pub const MAX_FACE_PICTURE_BYTES: usize = 200 * 1024;
/// Longest synchronisation task ID: 64 characters (L4037).
pub const MAX_SYNC_TASK_ID: usize = 64;
/// Largest page of synchronisation details: 200 rows (L4070).
pub const MAX_PAGE_SIZE: u64 = 200;

/// Checks the JSON body of an operation of this chapter; other operations pass.
///
/// # Errors
/// [`Error::InvalidInput`] naming the operation and the first member out of its limits.
pub(crate) fn check(op: &str, body: &Value) -> Result<()> {
    let bad = |m: String| Error::invalid_input(op, m);
    let checked = match op {
        "person.add" => person(body, true),
        "person.update" => not_blank(body, "personId").and_then(|()| person(body, false)),
        "person.delete" => ids(body, "personIds"),
        "acs.privilege.config" | "acs.privilege.delete" => authorities(body),
        "acs.privilege.status" => ids(body, "personIdList"),
        "person.synchronize" => synchronize(body),
        "person.synchronize.progress" => task_id(body),
        "person.synchronize.details" => task_id(body).and_then(|()| details_page(body)),
        _ => Ok(()),
    };
    checked.map_err(bad)
}

type Check = std::result::Result<(), String>;

/// The members of `person/add` (`required`: the four mandatory ones must be there) and
/// `person/update`.
fn person(body: &Value, required: bool) -> Check {
    for name in ["employeeNo", "familyName", "givenName"] {
        if required && body.get(name).is_none() {
            return Err(format!("{name} is required"));
        }
    }
    if let Some(no) = text(body, "employeeNo") {
        employee_no(no)?;
    }
    length(body, "familyName", MAX_NAME)?;
    length(body, "givenName", MAX_NAME)?;
    length(body, "email", MAX_EMAIL)?;
    length(body, "phone", MAX_PHONE)?;
    if let Some(card) = text(body, "cardNo") {
        if card.is_empty() || card.len() > MAX_CARD_NO || !card.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("cardNo must be 1 to {MAX_CARD_NO} digits"));
        }
    }
    if let Some(face) = text(body, "facePicture") {
        face_picture(face)?;
    }
    if let Some(t) = body.get("type").and_then(Value::as_i64) {
        if !(0..=2).contains(&t) {
            return Err(format!("type must be 0 (employee), 1 (temporary employee) or 2 (visitor), got {t}"));
        }
    }
    Ok(())
}

/// An employee ID: 1 to 32 ASCII letters and digits.
fn employee_no(no: &str) -> Check {
    if no.is_empty() || no.len() > MAX_EMPLOYEE_NO || !no.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(format!("employeeNo must be 1 to {MAX_EMPLOYEE_NO} letters and digits, got {no:?}"));
    }
    Ok(())
}

/// A text member, when present, of 1 to `max` characters.
fn length(body: &Value, name: &str, max: usize) -> Check {
    match text(body, name) {
        Some(s) if s.is_empty() || s.chars().count() > max => Err(format!("{name} must be 1 to {max} characters")),
        _ => Ok(()),
    }
}

/// A base64 JPEG of at most 200 KB: the base64 alphabet with its padding, and a JPEG start of
/// image (`FF D8 FF`, base64 `/9j/`).
fn face_picture(b64: &str) -> Check {
    let bytes = b64.as_bytes();
    let body = b64.trim_end_matches('=');
    let padding = bytes.len() - body.len();
    let alphabet = body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    if bytes.is_empty() || !alphabet || !bytes.len().is_multiple_of(4) || padding > 2 {
        return Err("facePicture must be base64 (standard alphabet, padded)".to_owned());
    }
    let decoded = bytes.len() / 4 * 3 - padding;
    if decoded > super::MAX_FACE_PICTURE_BYTES {
        return Err(format!(
            "facePicture is {decoded} bytes, more than the {} bytes (200 KB) allowed",
            super::MAX_FACE_PICTURE_BYTES
        ));
    }
    if !b64.starts_with("/9j/") {
        return Err("facePicture must be a JPEG picture".to_owned());
    }
    Ok(())
}

/// A non-empty list of non-blank IDs.
fn ids(body: &Value, name: &str) -> Check {
    let list = body.get(name).and_then(Value::as_array).ok_or_else(|| format!("{name} is required"))?;
    if list.is_empty() {
        return Err(format!("{name} must not be empty"));
    }
    if list.iter().any(|v| v.as_str().is_none_or(|s| s.trim().is_empty())) {
        return Err(format!("{name} must not hold an empty ID"));
    }
    Ok(())
}

/// `deviceAuthorities`: at least one device, each with a serial and at least one person.
fn authorities(body: &Value) -> Check {
    let list = body.get("deviceAuthorities").and_then(Value::as_array).ok_or("deviceAuthorities is required")?;
    if list.is_empty() {
        return Err("deviceAuthorities must not be empty".to_owned());
    }
    for entry in list {
        not_blank(entry, "deviceSerial").map_err(|e| format!("deviceAuthorities: {e}"))?;
        ids(entry, "personIdList").map_err(|e| format!("deviceAuthorities: {e}"))?;
    }
    Ok(())
}

/// `person/synchronize`: a device, and employee IDs of at most 32 letters and digits.
fn synchronize(body: &Value) -> Check {
    not_blank(body, "deviceSerial")?;
    if let Some(list) = body.get("employeeNoList").and_then(Value::as_array) {
        for no in list {
            employee_no(no.as_str().unwrap_or_default())?;
        }
    }
    Ok(())
}

/// `syncTaskID`: 1 to 64 characters.
fn task_id(body: &Value) -> Check {
    not_blank(body, "syncTaskID")?;
    length(body, "syncTaskID", super::MAX_SYNC_TASK_ID)
}

/// `page` from 1, `pageSize` 1 to 200.
fn details_page(body: &Value) -> Check {
    if let Some(size) = body.get("pageSize").and_then(Value::as_u64) {
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(format!("pageSize must be 1 to {MAX_PAGE_SIZE}, got {size}"));
        }
    }
    if body.get("page").and_then(Value::as_u64) == Some(0) {
        return Err("page starts at 1".to_owned());
    }
    if let Some(q) = body.get("queryType").and_then(Value::as_i64) {
        if !(0..=1).contains(&q) {
            return Err(format!("queryType must be 0 (failed) or 1 (succeeded), got {q}"));
        }
    }
    Ok(())
}

/// A text member that must be there and not blank.
fn not_blank(body: &Value, name: &str) -> Check {
    match text(body, name) {
        Some(s) if !s.trim().is_empty() => Ok(()),
        _ => Err(format!("{name} is required and must not be empty")),
    }
}

/// The JSON body member `name` as text, when present and a string.
fn text<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use watchpost_core::ErrorKind;

    use super::*;

    fn rejects(op: &str, body: Value, needle: &str) {
        let e = check(op, &body).expect_err(needle);
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains(needle), "{e} lacks {needle}");
    }

    fn person(extra: Value) -> Value {
        let mut p = json!({"employeeNo": "E1", "type": 0, "familyName": "Doe", "givenName": "Jo"});
        if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        p
    }

    #[test]
    fn persons_within_the_limits_pass() {
        let face = format!("/9j/{}", "A".repeat(100));
        check("person.add", &person(json!({"cardNo": "12345678901234567890", "facePicture": face}))).unwrap();
        check("person.update", &json!({"personId": "p1", "employeeNo": "A".repeat(32)})).unwrap();
        check("device.list", &json!({"whatever": 1})).unwrap();
    }

    #[test]
    fn employee_numbers_are_1_to_32_letters_and_digits() {
        rejects("person.add", person(json!({"employeeNo": "A".repeat(33)})), "employeeNo");
        rejects("person.add", person(json!({"employeeNo": "E-1"})), "employeeNo");
        rejects("person.add", person(json!({"employeeNo": ""})), "employeeNo");
        rejects("person.synchronize", json!({"deviceSerial": "D1", "employeeNoList": ["ok", "no way"]}), "employeeNo");
    }

    #[test]
    fn card_numbers_are_1_to_20_digits() {
        rejects("person.add", person(json!({"cardNo": "1".repeat(21)})), "cardNo");
        rejects("person.update", json!({"personId": "p", "cardNo": "12a"}), "cardNo");
    }

    #[test]
    fn face_pictures_are_base64_jpegs_of_at_most_200_kb() {
        // 273068 characters with two padding bytes decode to 204799 bytes; 273072 unpadded to 204804.
        let at_limit = format!("/9j/{}AA==", "A".repeat(273_060));
        check("person.add", &person(json!({"facePicture": at_limit}))).unwrap();
        let over = format!("/9j/{}", "A".repeat(273_068));
        rejects("person.add", person(json!({"facePicture": over})), "200 KB");
        rejects("person.add", person(json!({"facePicture": "iVBORw0K"})), "JPEG");
        rejects("person.add", person(json!({"facePicture": "/9j/%%%"})), "base64");
    }

    #[test]
    fn names_emails_phones_and_types_are_checked() {
        rejects("person.add", person(json!({"familyName": "x".repeat(33)})), "familyName");
        rejects("person.add", person(json!({"email": "x".repeat(129)})), "email");
        rejects("person.add", person(json!({"phone": ""})), "phone");
        rejects("person.add", person(json!({"type": 3})), "type");
        rejects("person.add", json!({"employeeNo": "E1", "type": 0, "givenName": "Jo"}), "familyName is required");
        rejects("person.update", json!({"personId": " "}), "personId");
    }

    #[test]
    fn lists_and_authorities_must_not_be_empty() {
        rejects("person.delete", json!({"personIds": []}), "personIds");
        rejects("acs.privilege.status", json!({"personIdList": [""]}), "personIdList");
        rejects("acs.privilege.config", json!({"deviceAuthorities": []}), "deviceAuthorities");
        rejects(
            "acs.privilege.delete",
            json!({"deviceAuthorities": [{"deviceSerial": "", "personIdList": ["p"]}]}),
            "deviceSerial",
        );
        check("acs.privilege.config", &json!({"deviceAuthorities": [{"deviceSerial": "D", "personIdList": ["p"]}]}))
            .unwrap();
    }

    #[test]
    fn task_ids_and_detail_pages_are_checked() {
        rejects("person.synchronize.progress", json!({"syncTaskID": "t".repeat(65)}), "syncTaskID");
        rejects("person.synchronize.progress", json!({}), "syncTaskID");
        let page = |size: u64| json!({"syncTaskID": "t", "queryType": 0, "page": 1, "pageSize": size});
        rejects("person.synchronize.details", page(0), "pageSize");
        rejects("person.synchronize.details", page(201), "pageSize");
        check("person.synchronize.details", &page(200)).unwrap();
        rejects("person.synchronize.details", json!({"syncTaskID": "t", "page": 0}), "page starts at 1");
    }
}
