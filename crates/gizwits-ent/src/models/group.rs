//! Device groups and batch results (group updates, bindings).

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// The device group tree of a product: a map keyed by gid (`{"c8e4...02a3": ""}`).
///
/// A leaf is `""`; the nesting of child groups is undocumented, so an object value is read as
/// the map of child groups, recursively.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupTree(pub BTreeMap<String, GroupNode>);

/// A group of the tree and its child groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupNode {
    /// Child groups by gid (empty for a leaf).
    pub children: BTreeMap<String, GroupNode>,
}

impl GroupTree {
    /// Every gid of the tree, depth first, parents before children.
    pub fn gids(&self) -> Vec<String> {
        fn walk(map: &BTreeMap<String, GroupNode>, out: &mut Vec<String>) {
            for (gid, node) in map {
                out.push(gid.clone());
                walk(&node.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.0, &mut out);
        out
    }

    /// Whether `gid` is somewhere in the tree.
    pub fn contains(&self, gid: &str) -> bool {
        self.gids().iter().any(|g| g == gid)
    }

    /// The root gid (a product has at most one root group).
    pub fn root(&self) -> Option<&str> {
        self.0.keys().next().map(String::as_str)
    }
}

impl Serialize for GroupNode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.children.is_empty() {
            s.serialize_str("")
        } else {
            self.children.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for GroupNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        node_from(Value::deserialize(d)?).map_err(de::Error::custom)
    }
}

fn node_from(v: Value) -> Result<GroupNode, String> {
    match v {
        Value::Null | Value::String(_) => Ok(GroupNode::default()),
        Value::Object(map) => {
            let mut children = BTreeMap::new();
            for (gid, child) in map {
                children.insert(gid, node_from(child)?);
            }
            Ok(GroupNode { children })
        }
        Value::Array(items) => {
            // Not documented; a list of gids is read as leaves.
            let children =
                items.into_iter().filter_map(|i| i.as_str().map(|s| (s.to_owned(), GroupNode::default()))).collect();
            Ok(GroupNode { children })
        }
        other => Err(format!("unexpected group tree node {other}")),
    }
}

/// A group just created: `{"gid": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedGroup {
    /// Device group ID.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub gid: String,
}

/// The MAC addresses of a group: `{"macs": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMacs {
    /// MAC list.
    #[serde(default)]
    pub macs: Vec<String>,
}

/// The outcome of a batch call (group update, bind, unbind): which items succeeded or failed.
///
/// For bindings the lists are called "MAC list" but hold dids. The seed's answers always carry
/// both lists; one of them may be missing (read as empty), but a body with neither (`{}`) is a
/// decode error: it says nothing about the items, so it must not read as "nothing failed".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BatchResultRepr")]
pub struct BatchResult {
    /// Items that succeeded.
    #[serde(default)]
    pub success: Vec<String>,
    /// Items that failed.
    #[serde(default)]
    pub failed: Vec<String>,
}

/// The wire form of [`BatchResult`], telling a missing list from an empty one.
#[derive(Deserialize)]
struct BatchResultRepr {
    #[serde(default)]
    success: Option<Vec<String>>,
    #[serde(default)]
    failed: Option<Vec<String>>,
}

impl TryFrom<BatchResultRepr> for BatchResult {
    type Error = &'static str;

    fn try_from(r: BatchResultRepr) -> Result<Self, Self::Error> {
        if r.success.is_none() && r.failed.is_none() {
            return Err("neither `success` nor `failed`: the items' outcome is unknown");
        }
        Ok(BatchResult { success: r.success.unwrap_or_default(), failed: r.failed.unwrap_or_default() })
    }
}

impl BatchResult {
    /// Whether nothing failed.
    pub fn all_succeeded(&self) -> bool {
        self.failed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_decode() {
        // L1075
        let t: GroupTree = serde_json::from_str(r#"{ "c8e4b5634b047dc495be4a05a39d02a3": "" }"#).unwrap();
        assert_eq!(t.root(), Some("c8e4b5634b047dc495be4a05a39d02a3"));
        // L1103, L1149, L1195, L1234
        let g: CreatedGroup = serde_json::from_str(r#"{ "gid": "c8e4b5634b047dc495be4a05a39d02a3" }"#).unwrap();
        assert_eq!(g.gid.len(), 32);
        let m: GroupMacs = serde_json::from_str(r#"{ "macs": [ "virtual:site" ] }"#).unwrap();
        assert_eq!(m.macs, ["virtual:site"]);
        let r: BatchResult = serde_json::from_str(r#"{ "failed": [], "success": [ "virtual:site" ] }"#).unwrap();
        assert!(r.all_succeeded());
        let r: BatchResult =
            serde_json::from_str(r#"{ "failed": [], "success": [ "jaUHdkYkSocBhE2xspYM5k" ] }"#).unwrap();
        assert_eq!(r.success.len(), 1);
    }

    #[test]
    fn nested_trees_round_trip() {
        let t: GroupTree = serde_json::from_str(r#"{"root":{"a":"","b":{"c":""}}}"#).unwrap();
        assert_eq!(t.gids(), ["root", "a", "b", "c"]);
        assert!(t.contains("c"));
        let back = serde_json::to_value(&t).unwrap();
        assert_eq!(back, serde_json::json!({"root": {"a": "", "b": {"c": ""}}}));
        assert!(serde_json::from_str::<GroupTree>(r#"{"x": 3}"#).is_err());
    }
}
