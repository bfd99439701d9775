//! The JSON search documents of Hik-Partner Pro Appendix A.4: relay and zone status searches
//! (A.4.17, A.4.18), access control events (A.4.1) and person information (A.4.2).
//!
//! The seed names the condition documents without their members (except the `AcsEvent`
//! example, modelled whole): the conditions carry the common ISAPI search members
//! (`searchID`, `searchResultPosition`, `maxResults`); every answer member is optional.

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use super::{Output, Zone};

/// The paging members every ISAPI search condition carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchWindow {
    /// `searchID`: one id for the pages of one search.
    #[serde(rename = "searchID")]
    pub search_id: String,
    /// `searchResultPosition`: the index of the first result wanted (from 0).
    pub search_result_position: u32,
    /// `maxResults`: results per page.
    pub max_results: u32,
}

/// `JSON_OutputCond` (A.4.17): which relays' status to search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputCondMsg {
    /// `OutputCond`.
    #[serde(rename = "OutputCond")]
    pub output_cond: SearchWindow,
}

/// `OutputSearch` of `JSON_OutputSearch_Status` (A.4.17).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputSearch {
    /// `searchID`.
    #[serde(rename = "searchID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub search_id: Option<String>,
    /// `responseStatusStrg`: `OK`, `MORE` or `NO MATCH`.
    #[serde(rename = "responseStatusStrg", default, skip_serializing_if = "Option::is_none")]
    pub response_status_strg: Option<String>,
    /// `numOfMatches`: results in this page.
    #[serde(rename = "numOfMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub num_of_matches: Option<u32>,
    /// `totalMatches`: results in all pages.
    #[serde(rename = "totalMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub total_matches: Option<u32>,
    /// `OutputList`: the relays.
    #[serde(rename = "OutputList", default, with = "super::de::output")]
    pub output_list: Vec<Output>,
}

/// `JSON_OutputSearch_Status` (A.4.17).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutputSearchMsg {
    /// `OutputSearch`.
    #[serde(rename = "OutputSearch")]
    pub output_search: OutputSearch,
}

/// `JSON_ZoneCond` (A.4.18): which zones' status to search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneCondMsg {
    /// `ZoneCond`.
    #[serde(rename = "ZoneCond")]
    pub zone_cond: SearchWindow,
}

/// `ZoneSearch` of `JSON_ZoneSearch` (A.4.18).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneSearch {
    /// `searchID`.
    #[serde(rename = "searchID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub search_id: Option<String>,
    /// `responseStatusStrg`: `OK`, `MORE` or `NO MATCH`.
    #[serde(rename = "responseStatusStrg", default, skip_serializing_if = "Option::is_none")]
    pub response_status_strg: Option<String>,
    /// `numOfMatches`.
    #[serde(rename = "numOfMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub num_of_matches: Option<u32>,
    /// `totalMatches`.
    #[serde(rename = "totalMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub total_matches: Option<u32>,
    /// `ZoneList`: the zones.
    #[serde(rename = "ZoneList", default, with = "super::de::zone")]
    pub zone_list: Vec<Zone>,
}

/// `JSON_ZoneSearch` (A.4.18).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneSearchMsg {
    /// `ZoneSearch`.
    #[serde(rename = "ZoneSearch")]
    pub zone_search: ZoneSearch,
}

/// `AcsEventCond` of `JSON_AcsEventCond` (A.4.1): which access control events to search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcsEventCond {
    /// The paging members.
    #[serde(flatten)]
    pub window: SearchWindow,
    /// `major`: the event class (0 = all).
    pub major: u32,
    /// `minor`: the event type (0 = all).
    pub minor: u32,
    /// `startTime`: ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// `endTime`: ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// `JSON_AcsEventCond` (A.4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcsEventCondMsg {
    /// `AcsEventCond`.
    #[serde(rename = "AcsEventCond")]
    pub acs_event_cond: AcsEventCond,
}

/// One event of `InfoList` (A.4.1, the seed's example L5566-5619).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcsEventInfo {
    /// `major`: the event class.
    #[serde(default, with = "lenient::opt_int")]
    pub major: Option<u32>,
    /// `minor`: the event type.
    #[serde(default, with = "lenient::opt_int")]
    pub minor: Option<u32>,
    /// `time`: ISO 8601.
    #[serde(default)]
    pub time: Option<String>,
    /// `netUser`.
    #[serde(default)]
    pub net_user: Option<String>,
    /// `remoteHostAddr`.
    #[serde(default)]
    pub remote_host_addr: Option<String>,
    /// `cardNo`.
    #[serde(default)]
    pub card_no: Option<String>,
    /// `cardType`.
    #[serde(default, with = "lenient::opt_int")]
    pub card_type: Option<u32>,
    /// `doorNo`.
    #[serde(default, with = "lenient::opt_int")]
    pub door_no: Option<u32>,
    /// `cardReaderNo`.
    #[serde(default, with = "lenient::opt_int")]
    pub card_reader_no: Option<u32>,
    /// `verifyNo`.
    #[serde(default, with = "lenient::opt_int")]
    pub verify_no: Option<u32>,
    /// `alarmInNo`.
    #[serde(default, with = "lenient::opt_int")]
    pub alarm_in_no: Option<u32>,
    /// `alarmOutNo`.
    #[serde(default, with = "lenient::opt_int")]
    pub alarm_out_no: Option<u32>,
    /// `employeeNoString`: the person's employee number.
    #[serde(default)]
    pub employee_no_string: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, with = "lenient::opt_int")]
    pub kind: Option<u32>,
    /// `MACAddr`.
    #[serde(rename = "MACAddr", default)]
    pub mac_addr: Option<String>,
    /// `serialNo`: the event's serial number.
    #[serde(default, with = "lenient::opt_int")]
    pub serial_no: Option<u64>,
    /// `userType`: `normal`, `visitor`, `blackList`...
    #[serde(default)]
    pub user_type: Option<String>,
    /// `currentVerifyMode`.
    #[serde(default)]
    pub current_verify_mode: Option<String>,
    /// `attendanceStatus`.
    #[serde(default)]
    pub attendance_status: Option<String>,
    /// `statusValue`.
    #[serde(default, with = "lenient::opt_int")]
    pub status_value: Option<i64>,
    /// `pictureURL`.
    #[serde(rename = "pictureURL", default)]
    pub picture_url: Option<String>,
    /// `picturesNumber`: pictures sent as parts after the JSON.
    #[serde(default, with = "lenient::opt_int")]
    pub pictures_number: Option<u32>,
    /// `filename`: the name of this event's picture part.
    #[serde(default)]
    pub filename: Option<String>,
}

/// `AcsEvent` of `JSON_AcsEvent` (A.4.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcsEvent {
    /// `searchID`.
    #[serde(rename = "searchID", default, with = "lenient::opt_string")]
    pub search_id: Option<String>,
    /// `responseStatusStrg`: `OK`, `MORE` or `NO MATCH`.
    #[serde(default)]
    pub response_status_strg: Option<String>,
    /// `numOfMatches`.
    #[serde(default, with = "lenient::opt_int")]
    pub num_of_matches: Option<u32>,
    /// `totalMatches`.
    #[serde(default, with = "lenient::opt_int")]
    pub total_matches: Option<u32>,
    /// `InfoList`: the events.
    #[serde(rename = "InfoList", default, deserialize_with = "super::de::flexible_list")]
    pub info_list: Vec<AcsEventInfo>,
}

/// `JSON_AcsEvent` (A.4.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AcsEventMsg {
    /// `AcsEvent`.
    #[serde(rename = "AcsEvent")]
    pub acs_event: AcsEvent,
}

/// `JSON_UserInfoSearchCond` (A.4.2): which persons to search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfoSearchCondMsg {
    /// `UserInfoSearchCond`.
    #[serde(rename = "UserInfoSearchCond")]
    pub user_info_search_cond: SearchWindow,
}

/// One person of `UserInfo` (A.4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// `employeeNo`.
    #[serde(default, with = "lenient::opt_string")]
    pub employee_no: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `userType`.
    #[serde(default)]
    pub user_type: Option<String>,
}

/// `UserInfoSearch` of `JSON_UserInfoSearch` (A.4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfoSearch {
    /// `searchID`.
    #[serde(rename = "searchID", default, with = "lenient::opt_string")]
    pub search_id: Option<String>,
    /// `responseStatusStrg`.
    #[serde(default)]
    pub response_status_strg: Option<String>,
    /// `numOfMatches`.
    #[serde(default, with = "lenient::opt_int")]
    pub num_of_matches: Option<u32>,
    /// `totalMatches`.
    #[serde(default, with = "lenient::opt_int")]
    pub total_matches: Option<u32>,
    /// `UserInfo`: the persons.
    #[serde(rename = "UserInfo", default, deserialize_with = "super::de::flexible_list")]
    pub user_info: Vec<UserInfo>,
}

/// `JSON_UserInfoSearch` (A.4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserInfoSearchMsg {
    /// `UserInfoSearch`.
    #[serde(rename = "UserInfoSearch")]
    pub user_info_search: UserInfoSearch,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON part of the seed's A.4.1 example (L5566-5619), repaired: the braces around the
    /// root and the commas after `"searchID":""` and `"pictureURL":""` are missing in the seed.
    const SEED_ACS_EVENT: &str = r#"{"AcsEvent":{"searchID":"","responseStatusStrg":"OK","numOfMatches":1,"totalMatches":1,
        "InfoList":[{"major":1,"minor":1,"time":"2016-12-12T17:30:08+08:00","netUser":"","remoteHostAddr":"","cardNo":"",
        "cardType":1,"whiteListNo":1,"reportChannel":1,"cardReaderKind":1,"cardReaderNo":1,"doorNo":1,"verifyNo":1,
        "alarmInNo":1,"alarmOutNo":1,"caseSensorNo":1,"RS485No":1,"multiCardGroupNo":1,"accessChannel":1,"deviceNo":1,
        "distractControlNo":1,"employeeNoString":"","localControllerID":1,"InternetAccess":1,"type":1,"MACAddr":"",
        "swipeCardType":1,"serialNo":1,"channelControllerID":1,"channelControllerLampID":1,"channelControllerIRAdaptorID":1,
        "channelControllerIREmitterID":1,"userType":"normal","currentVerifyMode":"","attendanceStatus":"","statusValue":1,
        "pictureURL":"","picturesNumber":1,"filename":"picture1"}]}}"#;

    #[test]
    fn the_seed_acs_event_decodes() {
        let m: AcsEventMsg = serde_json::from_str(SEED_ACS_EVENT).unwrap();
        assert_eq!(m.acs_event.total_matches, Some(1));
        let e = &m.acs_event.info_list[0];
        assert_eq!((e.major, e.kind, e.filename.as_deref()), (Some(1), Some(1), Some("picture1")));
        assert_eq!(e.user_type.as_deref(), Some("normal"));
    }

    #[test]
    fn conditions_are_written_with_isapi_names() {
        let c = ZoneCondMsg {
            zone_cond: SearchWindow { search_id: "s".into(), search_result_position: 0, max_results: 8 },
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"ZoneCond":{"searchID":"s","searchResultPosition":0,"maxResults":8}}"#
        );
    }
}
