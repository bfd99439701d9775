//! The seed's response examples of sections 3.43 to 3.51 (kept as fixtures under
//! `fixtures/seed/`), decoded through the envelope into their models.

use serde::de::IgnoredAny;

use super::*;
use crate::error::HppCode;
use crate::models::common::Page;

use crate::models::seed::data;

#[test]
fn seed_3_43_person_add_answers_the_person_id() {
    let added: AddedPerson = data("3.43");
    assert_eq!(added.person_id, "xxx");
}

#[test]
fn seed_3_44_to_3_48_examples_without_data_are_successes() {
    for name in ["3.44", "3.45", "3.46", "3.48"] {
        let _: IgnoredAny = data(name);
    }
}

#[test]
fn seed_3_47_privilege_status_rows_are_per_item_outcomes() {
    let status: PrivilegeStatus = data("3.47");
    let person = status.person_authorities.first().expect("one person");
    assert_eq!(person.person_id, "12345");
    let row = person.device_lists.first().expect("one device");
    assert_eq!(
        (row.status, row.sub_status, row.error.as_deref()),
        (ApplyStatus::Applying, Some(Credentials(7)), Some("xxx"))
    );
    assert_eq!(row.outcome(), ApplyOutcome::Applying);
}

#[test]
fn privilege_rows_become_applied_or_failed_with_their_code() {
    let row = |status: i64, sub: u8, error: Option<&str>| DeviceApplyState {
        device_serial: "D1".into(),
        status: ApplyStatus::from_value(status),
        sub_status: Some(Credentials(sub)),
        error: error.map(str::to_owned),
    };
    assert_eq!(row(1, 7, None).outcome(), ApplyOutcome::Applied { unsupported: vec![Credential::Fingerprint] });
    assert_eq!(row(1, 15, None).outcome(), ApplyOutcome::Applied { unsupported: vec![] });
    let ApplyOutcome::Failed { failure, applied } = row(2, 3, Some("EVZ20007")).outcome() else {
        panic!("a failed row");
    };
    assert_eq!(failure.code, Some(HppCode::DeviceOffline));
    assert_eq!(applied, vec![Credential::Person, Credential::Card]);
    assert_eq!(row(5, 0, None).outcome(), ApplyOutcome::Unknown(5));
}

#[test]
fn seed_3_49_and_3_50_synchronisation_task_and_progress() {
    let task: SyncTask = data("3.49");
    assert_eq!(task.sync_task_id, "123");
    let progress: SyncProgress = data("3.50");
    assert_eq!(
        (progress.total_num, progress.sync_succeed_num, progress.sync_failed_num, progress.task_states),
        (3, 1, 1, SyncTaskState::InProgress)
    );
    assert!(!progress.is_done());
}

#[test]
fn seed_3_51_failed_details_keep_each_rows_code() {
    let page: Page<SyncDetail> = data("3.51-failed");
    assert_eq!((page.page, page.page_size, page.total), (1, 1, 1));
    // `totalPage` sits beside `data` in the seed's example: accepted, read as 0.
    assert_eq!(page.total_page, 0);
    let row = page.rows.first().expect("one row");
    assert_eq!((row.employee_no.as_str(), row.sub_status), ("10000", Some(Credentials(7))));
    let outcome = row.outcome(SyncQueryType::Failed);
    assert_eq!(outcome.key(), "10000");
    assert_eq!(outcome.failure().and_then(|f| f.code.clone()), Some(HppCode::DeviceTimeout));
}

#[test]
fn seed_3_51_succeeded_details_read_the_misspelt_members() {
    let page: Page<SyncDetail> = data("3.51-succeeded");
    let row = page.rows.first().expect("one row");
    assert_eq!(row.person_id.as_deref(), Some("8a92d0e87617e071017617e251e50000"));
    assert_eq!(row.fingerprint.as_deref(), Some("ZmluZ2VycHJpbnQgZGF0YQ=="));
    assert_eq!(row.person_type, Some(PersonType::Employee));
    assert_eq!(row.card_no.as_deref(), Some("30000"));
    assert_eq!(row.face_picture.as_deref(), Some("http://faceInfo/40000/faceURL"));
    assert_eq!(
        (row.family_name.as_deref(), row.given_name.as_deref(), row.email.as_deref(), row.phone.as_deref()),
        (Some("familyName20000"), Some("givenName20000"), Some("email20000"), Some("phone20000"))
    );
    assert_eq!(row.outcome(SyncQueryType::Succeeded), ItemOutcome::Done("10000".to_owned()));
}

#[test]
fn detail_rows_tolerate_the_documented_type_drift() {
    let row: SyncDetail =
        serde_json::from_str(r#"{"employeeNo":7,"personId":12,"type":"2","subStatus":"3","errorCode":"0"}"#).unwrap();
    assert_eq!((row.employee_no.as_str(), row.person_id.as_deref()), ("7", Some("12")));
    assert_eq!((row.person_type, row.sub_status), (Some(PersonType::Visitor), Some(Credentials(3))));
    assert_eq!(row.outcome(SyncQueryType::Succeeded), ItemOutcome::Done("7".to_owned()));
    let failed = row.outcome(SyncQueryType::Failed);
    assert!(failed.failure().is_some_and(|f| f.code.is_none()));
}

#[test]
fn subtatus_bits_read_from_the_lowest() {
    assert_eq!(Credentials(7).present(), vec![Credential::Person, Credential::Card, Credential::Face]);
    assert_eq!(Credentials(7).missing(), vec![Credential::Fingerprint]);
    assert!(Credentials::ALL.has(Credential::Fingerprint));
}
