//! Device and user reports, and the location trees they share.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::common::count;
use super::enums::Cycle;

/// A geographical distribution: countries → regions → cities, each with a count.
///
/// The seed's leaves come in three shapes: a bare integer (`"Guangzhou": 3`), `{"count": 3}`
/// and `{"count": {"activated": 3}}`; fault and alarm reports add a `detail` map. All are read
/// into [`LocationNode`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocationTree(pub BTreeMap<String, LocationNode>);

impl LocationTree {
    /// The node at `path` (`["China", "Guangdong", "Guangzhou"]`).
    pub fn find(&self, path: &[&str]) -> Option<&LocationNode> {
        let (first, rest) = path.split_first()?;
        let mut node = self.0.get(*first)?;
        for name in rest {
            node = node.children.get(*name)?;
        }
        Some(node)
    }

    /// Whether the tree is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One place of a [`LocationTree`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationNode {
    /// The count of this place, if given.
    pub count: Option<LocationCount>,
    /// Per data point counts (fault and alarm event reports).
    pub detail: Option<BTreeMap<String, IssueCount>>,
    /// The places inside this one, by name.
    pub children: BTreeMap<String, LocationNode>,
}

impl LocationNode {
    /// The plain count (`3` or `{"count": 3}`), if this node has one.
    pub fn total(&self) -> Option<u64> {
        match &self.count {
            Some(LocationCount::Total(n)) => Some(*n),
            Some(LocationCount::Breakdown(m)) => m.get("total").copied(),
            None => None,
        }
    }

    /// One named count of a breakdown (`activated`, `resolved`, ...); 0 when absent.
    pub fn get(&self, key: &str) -> u64 {
        match &self.count {
            Some(LocationCount::Breakdown(m)) => m.get(key).copied().unwrap_or(0),
            _ => 0,
        }
    }
}

/// The count of a place: a number, or named counts (missing names count 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LocationCount {
    /// A plain count.
    Total(u64),
    /// Named counts (`activated`, `faulty`, `alert`, or `total`, `resolved`, `unresolved`).
    Breakdown(BTreeMap<String, u64>),
}

fn count_from(v: &Value) -> Result<Option<LocationCount>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => {
            let mut out = BTreeMap::new();
            for (k, n) in m {
                out.insert(k.clone(), number(n).ok_or_else(|| format!("count `{k}` is not a number: {n}"))?);
            }
            Ok(Some(LocationCount::Breakdown(out)))
        }
        other => number(other).map(|n| Some(LocationCount::Total(n))).ok_or_else(|| format!("bad count {other}")),
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => {
            n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0 && f.fract() == 0.0).map(|f| f as u64))
        }
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn node_from(v: &Value) -> Result<LocationNode, String> {
    match v {
        Value::Null => Ok(LocationNode::default()),
        Value::Object(m) => {
            let mut node = LocationNode::default();
            for (k, child) in m {
                match k.as_str() {
                    "count" => node.count = count_from(child)?,
                    "detail" => {
                        node.detail =
                            Some(serde_json::from_value(child.clone()).map_err(|e| format!("bad detail: {e}"))?);
                    }
                    _ => {
                        node.children.insert(k.clone(), node_from(child)?);
                    }
                }
            }
            Ok(node)
        }
        other => Ok(LocationNode { count: count_from(other)?, ..LocationNode::default() }),
    }
}

impl<'de> Deserialize<'de> for LocationNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        node_from(&Value::deserialize(d)?).map_err(de::Error::custom)
    }
}

impl Serialize for LocationNode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        if let Some(c) = &self.count {
            map.serialize_entry("count", c)?;
        }
        if let Some(d) = &self.detail {
            map.serialize_entry("detail", d)?;
        }
        for (k, v) in &self.children {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Resolved and unresolved counts of faults or alarms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCount {
    /// Total.
    #[serde(default, with = "count")]
    pub total: u64,
    /// Resolved (cleared).
    #[serde(default, with = "count")]
    pub resolved: u64,
    /// Unresolved (not cleared).
    #[serde(default, with = "count")]
    pub unresolved: u64,
}

/// Device geographical distribution (`GET .../devices/locations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationReport {
    /// Device group ID (`null` for the whole product).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub gid: Option<String>,
    /// The total number of devices.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub total: Option<u64>,
    /// The distribution.
    #[serde(default)]
    pub location: LocationTree,
}

/// Device overview (`GET .../summary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSummary {
    /// Devices online now.
    #[serde(default, with = "count")]
    pub online: u64,
    /// Devices in total (described as "cumulative number of online devices").
    #[serde(default, with = "count")]
    pub total: u64,
    /// Active devices.
    #[serde(default)]
    pub active: ActiveSummary,
    /// Newly activated devices.
    #[serde(default)]
    pub new: NewSummary,
}

/// Active device counts of the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveSummary {
    /// Active yesterday.
    #[serde(default, with = "count")]
    pub yesterday: u64,
    /// Active in the last 7 days.
    #[serde(rename = "7_day", default, with = "count")]
    pub last_7_days: u64,
}

/// New activation counts of the overview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSummary {
    /// Activated today.
    #[serde(default, with = "count")]
    pub today: u64,
    /// Activated yesterday.
    #[serde(default, with = "count")]
    pub yesterday: u64,
    /// Activated in the last 7 days.
    #[serde(rename = "7_day", default, with = "count")]
    pub last_7_days: u64,
    /// Activated in the last 30 days.
    #[serde(rename = "30_day", default, with = "count")]
    pub last_30_days: u64,
}

/// A row of the activated or active device details (`incr_devices`, `active_devices`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceReportEntry {
    /// Report date, `YYYY-MM-DD`.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub report_date: Option<String>,
    /// Product key.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub product_key: Option<String>,
    /// MAC address.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub mac: Option<String>,
    /// Serial number (Bluetooth devices only).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub device_sn: Option<String>,
    /// Country.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub country: Option<String>,
    /// Province.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub region: Option<String>,
    /// City.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub city: Option<String>,
    /// Device creation time: a zone-less `YYYY-MM-DD HH:MM:SS` here (an integer elsewhere).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub created_at: Option<String>,
}

/// A report per day, week or month (active device history, new users).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CycleReport {
    /// Device group ID.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub gid: Option<String>,
    /// The reference period.
    #[serde(default)]
    pub cycle: Option<Cycle>,
    /// Start, as requested.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub start: Option<String>,
    /// End, as requested.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub end: Option<String>,
    /// One point per period.
    #[serde(default)]
    pub data: Vec<CyclePoint>,
}

/// One period of a [`CycleReport`]; the service keys the period by the cycle name
/// (`"month": "2017-12"`), the table calls it `date`: all are read into `period`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CyclePoint {
    /// The period (`2017-12-13`, `2017-51` or `2017-12`).
    #[serde(
        default,
        alias = "date",
        alias = "week",
        alias = "month",
        alias = "day",
        with = "watchpost_core::codec::lenient::opt_string"
    )]
    pub period: Option<String>,
    /// The count (typed string in the new-users table, an integer in its example).
    #[serde(default, with = "count")]
    pub count: u64,
    /// Distribution of the count, when given.
    #[serde(default)]
    pub location: Option<LocationTree>,
}

/// Device status report (`GET .../devices/report/rt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// Device group ID.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub gid: Option<String>,
    /// Counts (missing ones are 0, as in the example).
    #[serde(default)]
    pub count: StatusCounts,
    /// Distribution.
    #[serde(default)]
    pub location: LocationTree,
}

/// Device status counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// Activated devices.
    #[serde(default, with = "count")]
    pub activated: u64,
    /// Devices with faults.
    #[serde(default, with = "count")]
    pub faulty: u64,
    /// Devices with alarms.
    #[serde(default, with = "count")]
    pub alert: u64,
}

/// Faulty or alarm device report (`fault/report/devices`, `alert/report/devices`).
///
/// The table lists the counts flat, the example nests them under `count`: both are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawIssueReport")]
pub struct IssueDeviceReport {
    /// Device group ID.
    pub gid: Option<String>,
    /// Device counts.
    pub count: IssueCount,
    /// Distribution.
    pub location: LocationTree,
}

/// Fault or alarm event report (`fault/report/events`, `alert/report/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawIssueReport")]
pub struct IssueEventReport {
    /// Device group ID.
    pub gid: Option<String>,
    /// Event counts.
    pub count: IssueCount,
    /// Counts per data point.
    pub detail: BTreeMap<String, IssueCount>,
    /// Distribution.
    pub location: LocationTree,
}

#[derive(Deserialize)]
struct RawIssueReport {
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    gid: Option<String>,
    #[serde(default)]
    count: Option<IssueCount>,
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    total: Option<u64>,
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    resolved: Option<u64>,
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    unresolved: Option<u64>,
    #[serde(default)]
    detail: BTreeMap<String, IssueCount>,
    #[serde(default)]
    location: LocationTree,
}

impl RawIssueReport {
    fn count(&self) -> IssueCount {
        self.count.unwrap_or(IssueCount {
            total: self.total.unwrap_or(0),
            resolved: self.resolved.unwrap_or(0),
            unresolved: self.unresolved.unwrap_or(0),
        })
    }
}

impl From<RawIssueReport> for IssueDeviceReport {
    fn from(r: RawIssueReport) -> Self {
        IssueDeviceReport { count: r.count(), gid: r.gid, location: r.location }
    }
}

impl From<RawIssueReport> for IssueEventReport {
    fn from(r: RawIssueReport) -> Self {
        IssueEventReport { count: r.count(), gid: r.gid, detail: r.detail, location: r.location }
    }
}

/// Active enterprise users per day (`GET /v1/users/liveness_total`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveUsers {
    /// One entry per day.
    #[serde(default)]
    pub data: Vec<DateCount>,
}

/// A count on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateCount {
    /// Date, `YYYY-MM-DD`.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub date: String,
    /// Count.
    #[serde(default, with = "count")]
    pub count: u64,
}

/// Total number of users (`GET .../users/report/total`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTotal {
    /// Device group ID.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub gid: Option<String>,
    /// The total number of users.
    #[serde(default, with = "count")]
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::super::Page;
    use super::*;

    #[test]
    fn locations_and_summary_examples_decode() {
        // L1321: the city leaf is a bare integer.
        let r: LocationReport = serde_json::from_str(r#"{ "gid": null, "total": 4, "location": { "China": { "count": 3, "Guangdong": { "count": 3, "Guangzhou": 3 } } } }"#).unwrap();
        assert_eq!(r.total, Some(4));
        assert_eq!(r.location.find(&["China", "Guangdong", "Guangzhou"]).and_then(LocationNode::total), Some(3));
        assert_eq!(r.location.find(&["China"]).and_then(LocationNode::total), Some(3));
        // L1371
        let s: DeviceSummary = serde_json::from_str(r#"{ "active": { "7_day": 0, "yesterday": 0 }, "new": { "7_day": 0, "30_day": 0, "yesterday": 0, "today": 0 }, "total": 3, "online": 0 }"#).unwrap();
        assert_eq!((s.total, s.online, s.new.last_30_days), (3, 0, 0));
    }

    #[test]
    fn device_detail_reports_decode() {
        // L1458 and L1545
        for body in [
            r#"{ "meta": { "previous": null, "skip": 0, "total": 4, "limit": 20, "next": null }, "objects": [ { "city": "Guangzhou", "country": "China", "region": "Guangdong", "report_date": "2017-12-07", "product_key": "4bd8778c5aa4602e5c9a5a208a1fdcc3", "mac": "virtual:site", "created_at": "2017-12-07 10:12:45" } ] }"#,
            r#"{ "meta": { "previous": null, "skip": 0, "total": 19, "limit": 20, "next": null }, "objects": [ { "city": "Guangzhou", "country": "China", "region": "Guangdong", "report_date": "2017-12-28", "product_key": "ea202c9a5bd8708a145a4678c5afdcc3", "mac": "virtual:site", "created_at": "2017-12-28 18:45:33" } ] }"#,
        ] {
            let p: Page<DeviceReportEntry> = serde_json::from_str(body).unwrap();
            assert_eq!(p.objects[0].mac.as_deref(), Some("virtual:site"));
            assert!(p.objects[0].created_at.as_deref().is_some_and(|c| c.len() == 19));
        }
    }

    #[test]
    fn cycle_reports_decode() {
        // L1614
        let r: CycleReport = serde_json::from_str(r#"{ "start": "2017-12", "gid": null, "end": "2017-12", "data": [ { "count": 2, "location": { "China": { "count": 1, "Guangdong": { "count": 1, "Guangzhou": { "count": 1 } } } }, "month": "2017-12" } ], "cycle": "month" }"#).unwrap();
        assert_eq!(r.cycle, Some(Cycle::Month));
        assert_eq!(r.data[0].period.as_deref(), Some("2017-12"));
        assert_eq!(r.data[0].count, 2);
        let loc = r.data[0].location.as_ref().unwrap();
        assert_eq!(loc.find(&["China", "Guangdong", "Guangzhou"]).and_then(LocationNode::total), Some(1));
        // L1878
        let r: CycleReport = serde_json::from_str(r#"{ "start": "2017-12", "gid": null, "end": "2017-12", "data": [ { "count": 3, "month": "2017-12" } ], "cycle": "month" }"#).unwrap();
        assert_eq!(r.data[0].count, 3);
    }

    #[test]
    fn status_and_issue_reports_decode() {
        // L1653: counts missing when zero; children exceeding the parent are kept as sent.
        let r: StatusReport = serde_json::from_str(r#"{ "count": { "faulty": 0, "activated": 4, "alert": 1 }, "gid": null, "location": { "China": { "count": { "activated": 2, "alert": 1 }, "Guangdong": { "count": { "faulty": 1, "activated": 1, "alert": 1 }, "Guangzhou": { "count": { "activated": 3 } } } } } }"#).unwrap();
        assert_eq!(r.count, StatusCounts { activated: 4, faulty: 0, alert: 1 });
        let gz = r.location.find(&["China", "Guangdong", "Guangzhou"]).unwrap();
        assert_eq!((gz.get("activated"), gz.get("faulty")), (3, 0));
        // L1693 and L1733
        let body = r#"{ "gid": null, "count": { "total": 2, "resolved": 1, "unresolved": 1 }, "location": { "China": { "count": { "total": 2, "resolved": 1, "unresolved": 1 }, "Guangdong": { "count": { "total": 2, "resolved": 1, "unresolved": 1 }, "Guangzhou": { "count": { "total": 2, "resolved": 1, "unresolved": 1 } } } } } }"#;
        let r: IssueDeviceReport = serde_json::from_str(body).unwrap();
        assert_eq!(r.count, IssueCount { total: 2, resolved: 1, unresolved: 1 });
        assert_eq!(r.location.find(&["China"]).and_then(LocationNode::total), Some(2));
        let flat: IssueDeviceReport =
            serde_json::from_str(r#"{"gid":"g","total":5,"resolved":2,"unresolved":3}"#).unwrap();
        assert_eq!(flat.count.unresolved, 3);
        // L1777 and L1819
        for (body, dp) in [
            (
                r#"{ "count": { "resolved": 1, "total": 1, "unresolved": 0 }, "gid": null, "detail": { "fault_roomtemp": { "resolved": 1, "total": 1, "unresolved": 0 } }, "location": { "China": { "count": { "resolved": 1, "total": 1, "unresolved": 0 }, "detail": { "fault_roomtemp": { "resolved": 1, "total": 1, "unresolved": 0 } } } } }"#,
                "fault_roomtemp",
            ),
            (
                r#"{ "count": { "resolved": 1, "total": 1, "unresolved": 0 }, "gid": null, "detail": { "alert_full": { "resolved": 1, "total": 1, "unresolved": 0 } }, "location": { "China": { "count": { "resolved": 1, "total": 1, "unresolved": 0 }, "detail": { "alert_full": { "resolved": 1, "total": 1, "unresolved": 0 } } } } }"#,
                "alert_full",
            ),
        ] {
            let r: IssueEventReport = serde_json::from_str(body).unwrap();
            assert_eq!(r.detail[dp].resolved, 1);
            let china = r.location.find(&["China"]).unwrap();
            assert_eq!(china.detail.as_ref().map(|d| d[dp].total), Some(1));
            assert!(china.children.is_empty());
        }
    }

    #[test]
    fn user_reports_decode() {
        // L1928
        let a: ActiveUsers = serde_json::from_str(r#"{ "data": [ { "count": 2, "date": "2017-12-13" } ] }"#).unwrap();
        assert_eq!(a.data[0], DateCount { date: "2017-12-13".into(), count: 2 });
        // L1960: a top-level country map.
        let t: LocationTree = serde_json::from_str(r#"{ "China": { "count": 18, "Beijing": { "count": 14, "Beijing": { "count": 14 } }, "Guangdong": { "count": 4, "Guangzhou": { "count": 4 } } } }"#).unwrap();
        assert_eq!(t.find(&["China", "Beijing", "Beijing"]).and_then(LocationNode::total), Some(14));
        // L1990 has a trailing comma (`"total": 31, }`), which is invalid JSON: fixed here.
        let u: UserTotal = serde_json::from_str(r#"{ "gid": null, "total": 31 }"#).unwrap();
        assert_eq!(u.total, 31);
        let round = serde_json::to_value(&t).unwrap();
        assert_eq!(serde_json::from_value::<LocationTree>(round).unwrap(), t);
    }
}
