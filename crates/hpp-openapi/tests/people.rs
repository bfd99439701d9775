//! Persons, access-control privileges and person synchronisation (3.43-3.51) against the
//! simulator over loopback: every operation called with its typed result checked, per-item
//! outcomes, progress by the simulated clock, paging, and the limits checked before sending.

use std::time::Duration;

use futures_util::TryStreamExt as _;
use hpp_openapi::models::people::{
    ApplyOutcome, Credential, DeviceAuthority, PersonType, SyncProgress, SyncQueryType, SyncTaskState,
};
use hpp_openapi::requests::{
    AcsPrivilegeStatusRequest, AddPersonRequest, ConfigAcsPrivilegeRequest, DeleteAcsPrivilegeRequest,
    DeletePersonsRequest, SyncDetailsRequest, SyncProgressRequest, SynchronizePersonsRequest, UpdatePersonRequest,
};
use hpp_openapi::sim::{Simulator, SYNC_STEP};
use hpp_openapi::{HppCode, HppErrorExt as _, ItemOutcome};
use tokio::time::Instant;
use watchpost_core::ErrorKind;

const DOOR: &str = "DS1234567";
const READER: &str = "DS7654321";

fn person(no: &str) -> AddPersonRequest {
    AddPersonRequest::new(no, PersonType::Employee, "Doe", "Jo")
}

#[tokio::test(start_paused = true)]
async fn persons_are_added_applied_reported_and_removed() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.add_acs_device(DOOR, false);
    sim.add_acs_device(READER, true);

    let a = client.add_person(&person("E1").card_no("1234567890").email("jo@example.com")).await.unwrap().person_id;
    let b = client.add_person(&AddPersonRequest::new("E2", PersonType::Visitor, "Roe", "Al")).await.unwrap().person_id;
    assert!(!a.is_empty() && a != b);
    assert_eq!(sim.person_count(), 2);
    client.update_person(&UpdatePersonRequest::new(&a).employee_no("E1b").phone("+100")).await.unwrap();

    let auth = [DeviceAuthority::new(DOOR, [&a, &b]), DeviceAuthority::new(READER, [&a])];
    client.config_acs_privilege(&ConfigAcsPrivilegeRequest::new(auth.to_vec())).await.unwrap();
    let status = client.acs_privilege_status(&AcsPrivilegeStatusRequest::new([&a, &b])).await.unwrap();
    let rows: Vec<_> = status.person_authorities.iter().flat_map(|p| &p.device_lists).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.outcome() == ApplyOutcome::Applying));

    // After the applying time of the simulated clock, the rows are done: the door has no
    // fingerprint reader, so its rows say fingerprint is not supported.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let status = client.acs_privilege_status(&AcsPrivilegeStatusRequest::new([&a])).await.unwrap();
    let person_a = status.person_authorities.first().unwrap();
    assert_eq!(person_a.person_id, a);
    let outcome = |serial: &str| person_a.device_lists.iter().find(|r| r.device_serial == serial).unwrap().outcome();
    assert_eq!(outcome(DOOR), ApplyOutcome::Applied { unsupported: vec![Credential::Fingerprint] });
    assert_eq!(outcome(READER), ApplyOutcome::Applied { unsupported: vec![] });

    client.delete_acs_privilege(&DeleteAcsPrivilegeRequest::new(vec![DeviceAuthority::new(DOOR, [&a])])).await.unwrap();
    assert_eq!(sim.acs_grants(DOOR), vec![b.clone()]);
    client.delete_persons(&DeletePersonsRequest::new([&a, &b])).await.unwrap();
    assert_eq!(sim.person_count(), 0);
    let e = client.update_person(&UpdatePersonRequest::new(&a).phone("1")).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::NoResourceFound));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_offline_device_is_a_failed_row_with_its_code_not_an_error() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.add_acs_device(DOOR, true);
    sim.add_acs_device(READER, true);
    sim.set_acs_device_online(READER, false);
    let id = client.add_person(&person("E1")).await.unwrap().person_id;
    let auth = vec![DeviceAuthority::new(DOOR, [&id]), DeviceAuthority::new(READER, [&id])];
    client.config_acs_privilege(&ConfigAcsPrivilegeRequest::new(auth)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;

    let status = client.acs_privilege_status(&AcsPrivilegeStatusRequest::new([&id])).await.unwrap();
    let rows = &status.person_authorities.first().unwrap().device_lists;
    let door = rows.iter().find(|r| r.device_serial == DOOR).unwrap();
    assert_eq!(door.outcome(), ApplyOutcome::Applied { unsupported: vec![] });
    let reader = rows.iter().find(|r| r.device_serial == READER).unwrap();
    let ApplyOutcome::Failed { failure, applied } = reader.outcome() else { panic!("{reader:?}") };
    assert_eq!((failure.code, applied), (Some(HppCode::DeviceOffline), vec![]));

    // A device the platform does not know fails the whole call.
    let unknown = vec![DeviceAuthority::new("NOSUCH001", [&id])];
    let e = client.config_acs_privilege(&ConfigAcsPrivilegeRequest::new(unknown)).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceNotFound));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_synchronisation_progresses_with_the_clock_and_reports_each_person() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.add_acs_device(DOOR, true);
    for i in 0..5 {
        assert!(sim.add_acs_person(DOOR, &format!("{i:05}"), ("Fam", "Giv"), &format!("3000{i}"), i != 3));
    }

    // The paused clock can auto-advance while a request waits on loopback I/O, so the task's
    // start and each reading are known as intervals of tokio time; each reading is checked
    // against the whole steps those intervals allow. Rows 0, 1, 2 and 4 succeed, row 3 fails.
    let before_start = Instant::now();
    let task = client.synchronize_persons(&SynchronizePersonsRequest::new(DOOR)).await.unwrap();
    let after_start = Instant::now();
    assert!(!task.sync_task_id.is_empty());
    let again = client.synchronize_persons(&SynchronizePersonsRequest::new(DOOR)).await.unwrap_err();
    assert_eq!(again.hpp_code(), Some(HppCode::PersonSyncInProgress), "one task per device");
    let read = |progress: &SyncProgress, read_from: Instant, read_to: Instant| {
        let steps = |d: Duration| (d.as_millis() / SYNC_STEP.as_millis()).min(5) as u64;
        let allowed = steps(read_from.saturating_duration_since(after_start))..=steps(read_to - before_start);
        let processed = progress.sync_succeed_num + progress.sync_failed_num;
        assert!(allowed.contains(&processed), "{processed} rows processed, {allowed:?} allowed");
        assert_eq!(progress.sync_failed_num, u64::from(processed > 3), "only row 3 fails");
        assert_eq!(progress.task_states == SyncTaskState::InProgress, processed < 5);
        *allowed.start()
    };

    let read_from = Instant::now();
    let progress = client.sync_progress(&SyncProgressRequest::new(&task.sync_task_id)).await.unwrap();
    assert_eq!(progress.total_num, 5);
    read(&progress, read_from, Instant::now());
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let read_from = Instant::now();
    let progress = client.sync_progress(&SyncProgressRequest::new(&task.sync_task_id)).await.unwrap();
    assert!(read(&progress, read_from, Instant::now()) >= 2, "2.5 s of simulated time have passed");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let progress = client.sync_progress(&SyncProgressRequest::new(&task.sync_task_id)).await.unwrap();
    assert!(progress.is_done());
    assert_eq!(
        (progress.task_states, progress.sync_succeed_num, progress.sync_failed_num),
        (SyncTaskState::Succeeded, 4, 1)
    );

    // Failed rows carry their own code: a per-item outcome.
    let failed =
        client.sync_details(&SyncDetailsRequest::new(&task.sync_task_id, SyncQueryType::Failed)).await.unwrap();
    assert_eq!(failed.total, 1);
    let row = failed.rows.first().unwrap();
    let outcome = row.outcome(SyncQueryType::Failed);
    assert_eq!(outcome.key(), "00003");
    assert_eq!(outcome.failure().and_then(|f| f.code.clone()), Some(HppCode::DeviceTimeout));

    // Succeeded rows, two per page, every one once through the stream.
    let req = SyncDetailsRequest::new(&task.sync_task_id, SyncQueryType::Succeeded).page_size(2);
    let first = client.sync_details(&req).await.unwrap();
    assert_eq!((first.page, first.page_size, first.rows.len(), first.total), (1, 2, 2, 4));
    assert_eq!(first.rows[0].card_no.as_deref(), Some("30000"));
    assert!(first.rows[0].person_id.as_deref().is_some_and(|id| id.len() == 32));
    let all: Vec<_> = client.sync_details_stream(&req).try_collect().await.unwrap();
    let numbers: Vec<&str> = all.iter().map(|r| r.employee_no.as_str()).collect();
    assert_eq!(numbers, ["00000", "00001", "00002", "00004"]);
    assert!(all.iter().all(|r| matches!(r.outcome(SyncQueryType::Succeeded), ItemOutcome::Done(_))));
    assert_eq!(sim.person_count(), 4, "synchronised persons are on the platform");

    // The device is free again.
    let subset = SynchronizePersonsRequest::new(DOOR).employee_no_list(["00001", "99999"]);
    let task2 = client.synchronize_persons(&subset).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let failed =
        client.sync_details(&SyncDetailsRequest::new(&task2.sync_task_id, SyncQueryType::Failed)).await.unwrap();
    let codes: Vec<_> = failed.rows.iter().map(|r| (r.employee_no.as_str(), r.error_code.as_deref())).collect();
    assert_eq!(codes, [("99999", Some("LAP000003"))]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_synchronisation_needs_a_known_online_device() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let e = client.synchronize_persons(&SynchronizePersonsRequest::new("NOSUCH001")).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceNotFound));
    sim.add_acs_device(DOOR, true);
    sim.set_acs_device_online(DOOR, false);
    let e = client.synchronize_persons(&SynchronizePersonsRequest::new(DOOR)).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceOffline));
    let e = client.sync_progress(&SyncProgressRequest::new("sync-404")).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::NoResourceFound));
    sim.shutdown().await;
}

#[tokio::test]
async fn documented_limits_fail_before_anything_is_sent() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let before = sim.requests_total();
    let long_face = format!("/9j/{}", "A".repeat(300_000));
    let bad = [
        client.add_person(&person(&"E".repeat(33))).await.unwrap_err(),
        client.add_person(&person("E1").card_no("12345678901234567890X")).await.unwrap_err(),
        client.add_person(&person("E1").card_no("1".repeat(21))).await.unwrap_err(),
        client.add_person(&person("E1").face_picture(long_face)).await.unwrap_err(),
        client.update_person(&UpdatePersonRequest::new("p").employee_no("with space")).await.unwrap_err(),
        client.sync_progress(&SyncProgressRequest::new("t".repeat(65))).await.unwrap_err(),
        client.sync_details(&SyncDetailsRequest::new("t", SyncQueryType::Failed).page_size(201)).await.unwrap_err(),
        client.delete_persons(&DeletePersonsRequest::new(Vec::<String>::new())).await.unwrap_err(),
        client.config_acs_privilege(&ConfigAcsPrivilegeRequest::new(vec![])).await.unwrap_err(),
    ];
    for e in &bad {
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    assert_eq!(sim.requests_total(), before, "nothing reached the simulator");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_details_page_keeps_total_page_beside_data_as_the_seed_shows() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.add_acs_device(DOOR, true);
    assert!(sim.add_acs_person(DOOR, "00001", ("F", "G"), "1", true));
    let task = client.synchronize_persons(&SynchronizePersonsRequest::new(DOOR)).await.unwrap();
    let page = client.sync_details(&SyncDetailsRequest::new(&task.sync_task_id, SyncQueryType::Failed)).await.unwrap();
    // Read, not refused; totalPage outside data is not part of the page.
    assert_eq!((page.page, page.total_page, page.rows.len()), (1, 0, 0));
    sim.shutdown().await;
}

/// The operations this file proves.
const PEOPLE_OPERATIONS: &[&str] = &[
    "person.add",
    "person.update",
    "person.delete",
    "acs.privilege.config",
    "acs.privilege.status",
    "acs.privilege.delete",
    "person.synchronize",
    "person.synchronize.progress",
    "person.synchronize.details",
];

#[tokio::test(start_paused = true)]
async fn every_people_operation_is_in_the_spec_and_called() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    sim.add_acs_device(DOOR, true);
    assert!(sim.add_acs_person(DOOR, "00001", ("F", "G"), "1", true));
    let id = client.add_person(&person("E1")).await.unwrap().person_id;
    client.update_person(&UpdatePersonRequest::new(&id).given_name("Al")).await.unwrap();
    let auth = vec![DeviceAuthority::new(DOOR, [&id])];
    client.config_acs_privilege(&ConfigAcsPrivilegeRequest::new(auth.clone())).await.unwrap();
    let status = client.acs_privilege_status(&AcsPrivilegeStatusRequest::new([&id])).await.unwrap();
    assert_eq!(status.person_authorities.len(), 1);
    client.delete_acs_privilege(&DeleteAcsPrivilegeRequest::new(auth)).await.unwrap();
    client.delete_persons(&DeletePersonsRequest::new([&id])).await.unwrap();
    let task = client.synchronize_persons(&SynchronizePersonsRequest::new(DOOR)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let progress = client.sync_progress(&SyncProgressRequest::new(&task.sync_task_id)).await.unwrap();
    assert_eq!(progress.task_states, SyncTaskState::Succeeded);
    let page =
        client.sync_details(&SyncDetailsRequest::new(&task.sync_task_id, SyncQueryType::Succeeded)).await.unwrap();
    assert_eq!(page.rows.len(), 1);

    let unhit = sim.unhit_operations();
    for op in PEOPLE_OPERATIONS {
        assert!(hpp_openapi::OPERATIONS.iter().any(|o| o.id == *op), "{op} is not in the spec");
        assert!(!unhit.contains(op), "{op} was not called");
    }
    sim.shutdown().await;
}
