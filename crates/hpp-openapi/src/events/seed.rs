//! The seed example of every A.3 event type: the fixture files of `tests/fixtures/events`
//! (each fix of the seed's text is named in the `.md` beside the file).

use super::EventKind;

/// The seed example of `kind`, as the fixture file holds it (JSON or XML text).
pub(crate) fn seed_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::CidEvent => include_str!("../../tests/fixtures/events/cidEvent.json"),
        EventKind::DeviceDeleted => include_str!("../../tests/fixtures/events/devicedeleted.json"),
        EventKind::DeviceAdded => include_str!("../../tests/fixtures/events/deviceadded.json"),
        EventKind::DeviceOffline => include_str!("../../tests/fixtures/events/deviceoffline.json"),
        EventKind::DeviceOnline => include_str!("../../tests/fixtures/events/deviceonline.json"),
        EventKind::Linkage => include_str!("../../tests/fixtures/events/Linkage.json"),
        EventKind::AcsEvent => include_str!("../../tests/fixtures/events/ACSEvent.json"),
        EventKind::YsCallingEvent => include_str!("../../tests/fixtures/events/YsCallingEvent.json"),
        EventKind::ManualRep => include_str!("../../tests/fixtures/events/manualRep.json"),
        EventKind::DiskError => include_str!("../../tests/fixtures/events/diskerror.xml"),
        EventKind::DiskFull => include_str!("../../tests/fixtures/events/diskfull.xml"),
        EventKind::DiskRecover => include_str!("../../tests/fixtures/events/diskrecover.xml"),
        EventKind::FieldDetection => include_str!("../../tests/fixtures/events/fielddetection.xml"),
        EventKind::Io => include_str!("../../tests/fixtures/events/IO.xml"),
        EventKind::LineDetection => include_str!("../../tests/fixtures/events/linedetection.xml"),
        EventKind::RecordException => include_str!("../../tests/fixtures/events/recordException.xml"),
        EventKind::RegionExiting => include_str!("../../tests/fixtures/events/regionExiting.xml"),
        EventKind::RegionEntrance => include_str!("../../tests/fixtures/events/regionEntrance.xml"),
        EventKind::ShelterAlarm => include_str!("../../tests/fixtures/events/shelteralarm.xml"),
        EventKind::VideoLoss => include_str!("../../tests/fixtures/events/videoloss.xml"),
        EventKind::Vmd => include_str!("../../tests/fixtures/events/VMD.xml"),
    }
}
