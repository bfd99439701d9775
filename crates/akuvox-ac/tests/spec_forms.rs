//! The request forms of `spec/akuvox.toml` (each operation's notes start with "Forms: GET and
//! POST." / "Forms: POST only." / "Forms: GET only.") are the ones the client allows
//! (`forms::allowed`), and the spec lists the 85 functions of the seed's function table.

use akuvox_ac::forms::{self, Forms};
use akuvox_ac::OPERATIONS;

#[test]
fn the_client_allows_the_forms_the_spec_names() {
    let path = format!("{}/spec/akuvox.toml", env!("CARGO_MANIFEST_DIR"));
    let spec: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ops = spec.get("operation").and_then(toml::Value::as_array).unwrap();
    assert_eq!(ops.len(), 85);
    assert_eq!(OPERATIONS.len(), 85);
    for entry in ops {
        let id = entry.get("id").and_then(toml::Value::as_str).unwrap();
        let notes = entry.get("notes").and_then(toml::Value::as_str).unwrap_or_default();
        let declared = if notes.starts_with("Forms: GET and POST.") {
            Forms { get: true, post: true }
        } else if notes.starts_with("Forms: POST only.") {
            Forms { get: false, post: true }
        } else if notes.starts_with("Forms: GET only.") {
            Forms { get: true, post: false }
        } else {
            panic!("{id}: the notes do not start with its forms");
        };
        let op = OPERATIONS.iter().find(|op| op.id == id).unwrap();
        assert_eq!(forms::allowed(op), declared, "{id}");
    }
}

/// The seed's function table (L327-413), as printed: path and "API Method".
const FUNCTION_TABLE: &[(&str, &str)] = &[
    ("/api/system/info", "GET/POST"),
    ("/api/system/status", "GET/POST"),
    ("/api/system/reboot", "GET/POST"),
    ("/api/firmware/status", "GET/POST"),
    ("/api/firmware/prepare", "GET/POST"),
    ("/api/firmware/upload", "POST"),
    ("/api/firmware/upgrade", "GET/POST"),
    ("/api/config/get", "GET/POST"),
    ("/api/config/set", "POST"),
    ("/api/config/export", "GET/POST"),
    ("/api/config/import", "POST"),
    ("/api/config/reset_factory", "GET/POST"),
    ("/api/relay/get", "GET/POST"),
    ("/api/relay/set", "POST"),
    ("/api/relay/status", "GET/POST"),
    ("/api/relay/trig", "GET/POST"),
    ("/api/input/get", "GET/POST"),
    ("/api/input/set", "POST"),
    ("/api/input/status", "GET/POST"),
    ("/api/publiccode/get", "GET/POST"),
    ("/api/publiccode/set", "POST"),
    ("/api/privatekey/get", "GET/POST"),
    ("/api/privatekey/add", "POST"),
    ("/api/privatekey/set", "POST"),
    ("/api/privatekey/del", "POST"),
    ("/api/privatekey/clear", "GET/POST"),
    ("/api/privatekey/export", "GET/POST"),
    ("/api/privatekey/import", "POST"),
    ("/api/rfkey/get", "GET/POST"),
    ("/api/rfkey/add", "POST"),
    ("/api/rfkey/set", "POST"),
    ("/api/rfkey/del", "POST"),
    ("/api/rfkey/clear", "GET/POST"),
    ("/api/rfkey/export", "GET/POST"),
    ("/api/rfkey/import", "POST"),
    ("/api/contact/get", "GET/POST"),
    ("/api/contact/add", "POST"),
    ("/api/contact/set", "POST"),
    ("/api/contact/del", "POST"),
    ("/api/contact/clear", "GET/POST"),
    ("/api/contact/export", "GET/POST"),
    ("/api/contact/import", "POST"),
    ("/api/group/get", "GET/POST"),
    ("/api/group/add", "POST"),
    ("/api/group/set", "POST"),
    ("/api/group/clear", "GET/POST"),
    ("/api/call/status", "GET/POST"),
    ("/api/call/dial", "GET/POST"),
    ("/api/call/hangup", "GET/POST"),
    ("/api/sip/get", "GET/POST"),
    ("/api/sip/set", "POST"),
    ("/api/sip/status", "GET/POST"),
    ("/api/dialreplace/get", "GET/POST"),
    ("/api/dialreplace/add", "POST"),
    ("/api/dialreplace/set", "POST"),
    ("/api/dialreplace/del", "POST"),
    ("/api/dialreplace/clear", "GET/POST"),
    ("/api/dialreplace/export", "GET/POST"),
    ("/api/dialreplace/import", "GET/POST"),
    ("/api/log/get", "GET/POST"),
    ("/api/log/set", "POST"),
    ("/api/log/export", "GET/POST"),
    ("/api/log/clear", "GET/POST"),
    ("/api/callog/get", "GET/POST"),
    ("/api/callog/del", "POST"),
    ("/api/callog/clear", "GET/POST"),
    ("/api/callog/export", "GET/POST"),
    ("/api/doorlog/get", "GET/POST"),
    ("/api/doorlog/del", "POST"),
    ("/api/doorlog/clear", "GET/POST"),
    ("/api/doorlog/export", "GET/POST"),
    ("/api/pcap/status", "GET/POST"),
    ("/api/pcap/start", "GET/POST"),
    ("/api/pcap/stop", "GET/POST"),
    ("/api/pcap/export", "GET/POST"),
    ("/api/user/info", "GET/POST"),
    ("/api/user/get", "GET/POST"),
    ("/api/user/add", "POST"),
    ("/api/user/set", "POST"),
    ("/api/user/scan", "POST"),
    ("/api/user/edit", "GET/POST"),
    ("/api/user/del", "POST"),
    ("/api/user/clear", "GET/POST"),
    ("/api/user/export", "GET/POST"),
    ("/api/user/import", "POST"),
];

/// Where the spec deliberately departs from the table's methods (see each operation's notes):
/// `dialreplace/import` is POST only (L3150), `pcap/export` GET only (L3676).
const DEPARTURES: &[&str] = &["dialreplace.import", "pcap.export"];

#[test]
fn the_spec_is_the_function_table_of_the_seed() {
    assert_eq!(FUNCTION_TABLE.len(), 85);
    for (path, methods) in FUNCTION_TABLE {
        let path = path.replace("/api/callog/", "/api/calllog/");
        let op = OPERATIONS.iter().find(|op| op.path == path).unwrap_or_else(|| panic!("{path} is not in the spec"));
        let table = Forms { get: *methods == "GET/POST", post: true };
        if !DEPARTURES.contains(&op.id) {
            assert_eq!(forms::allowed(op), table, "{}", op.id);
        }
    }
}
