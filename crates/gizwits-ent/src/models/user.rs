//! Users: registered users (`/v1/users/search`) and users bound to devices
//! (`/v1/products/{product_key}/users/search`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{opt_timestamp, Timestamp};

/// A user, as both user searches return it (the bound-user search adds `auth_src` and, when
/// searching by did, `is_owner`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// User ID.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub uid: String,
    /// User name.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub username: Option<String>,
    /// Name (in the bound-user example, not in its table).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub name: Option<String>,
    /// Mobile phone number.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub phone: Option<String>,
    /// Email address.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub email: Option<String>,
    /// Birthday date.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub birthday: Option<String>,
    /// Whether it is an anonymous user.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_anonymous: Option<bool>,
    /// Gender.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub gender: Option<String>,
    /// Address.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub address: Option<String>,
    /// Notes.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub remark: Option<String>,
    /// Creation time.
    #[serde(default, with = "opt_timestamp")]
    pub created_at: Option<Timestamp>,
    /// Update time.
    #[serde(default, with = "opt_timestamp")]
    pub updated_at: Option<Timestamp>,
    /// Third-party authentication information (bound-user search).
    #[serde(default)]
    pub auth_src: Option<Value>,
    /// Whether the user owns the device (bound-user search by did only).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_owner: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::super::Page;
    use super::*;

    #[test]
    fn seed_examples_decode() {
        // L453
        let p: Page<User> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 20, "limit": 20, "next":null }, "objects": [ { "username": null, "remark": null, "uid": "25a5324c807842348f63ade277eb413a", "is_anonymous": true, "gender": null, "created_at": 1513135417, "updated_at": 1513135417, "phone": null, "birthday": null, "address": null, "email": null } ] }"#).unwrap();
        assert_eq!(p.objects[0].is_anonymous, Some(true));
        assert_eq!(p.objects[0].created_at.map(|t| t.as_secs()), Some(1_513_135_417));
        // L546
        let p: Page<User> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 30, "limit": 20, "next": null }, "objects": [ { "username": null, "remark": null, "uid": "2ac80784a695a5f88f63ade277eb413a", "is_anonymous": true, "gender": null, "created_at": 1513135417, "auth_src": null, "phone": null, "birthday": null, "address": null, "email": null, "name": null } ] }"#).unwrap();
        assert_eq!(p.meta.total, Some(30));
        assert_eq!(p.objects[0].uid, "2ac80784a695a5f88f63ade277eb413a");
        assert_eq!(p.objects[0].updated_at, None);
    }
}
