//! Shapes the chapters share: the platform's page ([`Page`]) and per-item outcomes inside a
//! successful answer ([`ItemOutcome`], [`ItemFailure`]).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use crate::error::HppCode;

/// One page of a platform list: `data{page, pageSize, rows[], total, totalPage}` (installers,
/// sites, devices, ARC devices, person sync details). Every member is optional on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The page number, from 1.
    #[serde(default, with = "lenient::int")]
    pub page: u32,
    /// Items per page.
    #[serde(default, with = "lenient::int")]
    pub page_size: u32,
    /// The items of this page.
    #[serde(default)]
    pub rows: Vec<T>,
    /// The number of items in all pages.
    #[serde(default, with = "lenient::int")]
    pub total: u64,
    /// The number of pages.
    #[serde(default, with = "lenient::int")]
    pub total_page: u32,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { page: 0, page_size: 0, rows: Vec::new(), total: 0, total_page: 0 }
    }
}

impl<T> Page<T> {
    /// Whether this is the last page (or the answer says there are no pages).
    pub fn is_last(&self) -> bool {
        self.page >= self.total_page || self.rows.is_empty()
    }
}

/// Why one item of a batch failed, inside an answer that succeeded as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    /// The code, when the item carries one (as a field or inside its text, `add Exception{LAP006001}`).
    pub code: Option<HppCode>,
    /// The text the platform gave, as sent.
    pub message: String,
}

impl ItemFailure {
    /// A failure from a text that may embed a code (`"add Exception{LAP006001}"`).
    pub fn from_text(message: impl Into<String>) -> Self {
        let message = message.into();
        ItemFailure { code: crate::error::code_in(&message), message }
    }
}

/// The outcome of one item of a batch operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemOutcome<K> {
    /// The item was applied.
    Done(K),
    /// The item failed; the others may have succeeded.
    Failed(K, ItemFailure),
}

impl<K> ItemOutcome<K> {
    /// The item's key.
    pub fn key(&self) -> &K {
        match self {
            ItemOutcome::Done(k) | ItemOutcome::Failed(k, _) => k,
        }
    }

    /// The failure, if the item failed.
    pub fn failure(&self) -> Option<&ItemFailure> {
        match self {
            ItemOutcome::Done(_) => None,
            ItemOutcome::Failed(_, f) => Some(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_every_member_and_read_numbers_as_text() {
        let p: Page<u8> = serde_json::from_str(r#"{"page":"2","rows":[1,2],"totalPage":2}"#).unwrap();
        assert_eq!((p.page, p.page_size, p.rows.len(), p.total, p.total_page), (2, 0, 2, 0, 2));
        assert!(p.is_last());
        let p: Page<u8> = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Page::default());
    }

    #[test]
    fn an_item_failure_finds_the_code_in_its_text() {
        let f = ItemFailure::from_text("add Exception{LAP006001}");
        assert_eq!(f.code, Some(HppCode::AddingDeviceFailed));
        assert_eq!(ItemFailure::from_text("plain").code, None);
    }
}
