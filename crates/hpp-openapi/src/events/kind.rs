//! The event types of A.3 by name.

/// One event type of Appendix A.3 (the index table, L4786-4808, plus the two it omits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// `cidEvent` (A.3.1, JSON).
    CidEvent,
    /// `devicedeleted` (A.3.2, JSON).
    DeviceDeleted,
    /// `deviceadded` (A.3.3, JSON).
    DeviceAdded,
    /// `deviceoffline` (A.3.4, JSON).
    DeviceOffline,
    /// `deviceonline` (A.3.5, JSON).
    DeviceOnline,
    /// `Linkage` (A.3.6, JSON).
    Linkage,
    /// `ACSEvent` (A.3.7, JSON; its `eventType` is `AccessControllerEvent`).
    AcsEvent,
    /// `YsCallingEvent` (A.3.8, JSON).
    YsCallingEvent,
    /// `manualRep` (A.3.9, JSON).
    ManualRep,
    /// `diskerror` (A.3.10, XML).
    DiskError,
    /// `diskfull` (A.3.11, XML).
    DiskFull,
    /// `diskrecover` (A.3.12, XML).
    DiskRecover,
    /// `fielddetection` (A.3.13, XML).
    FieldDetection,
    /// `IO` (A.3.14, XML).
    Io,
    /// `linedetection` (A.3.15, XML).
    LineDetection,
    /// `recordException` (A.3.16, XML).
    RecordException,
    /// `regionExiting` (A.3.17, XML).
    RegionExiting,
    /// `regionEntrance` (A.3.18, XML).
    RegionEntrance,
    /// `shelteralarm` (A.3.19, XML).
    ShelterAlarm,
    /// `videoloss` (A.3.20, XML).
    VideoLoss,
    /// `VMD` (A.3.21, XML).
    Vmd,
}

impl EventKind {
    /// Every type, in the order of A.3's sections.
    pub const ALL: [EventKind; 21] = [
        EventKind::CidEvent,
        EventKind::DeviceDeleted,
        EventKind::DeviceAdded,
        EventKind::DeviceOffline,
        EventKind::DeviceOnline,
        EventKind::Linkage,
        EventKind::AcsEvent,
        EventKind::YsCallingEvent,
        EventKind::ManualRep,
        EventKind::DiskError,
        EventKind::DiskFull,
        EventKind::DiskRecover,
        EventKind::FieldDetection,
        EventKind::Io,
        EventKind::LineDetection,
        EventKind::RecordException,
        EventKind::RegionExiting,
        EventKind::RegionEntrance,
        EventKind::ShelterAlarm,
        EventKind::VideoLoss,
        EventKind::Vmd,
    ];

    /// The type's name in A.3 (`cidEvent`, `ACSEvent`, `VMD`), also the fixture's file name.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::CidEvent => "cidEvent",
            EventKind::DeviceDeleted => "devicedeleted",
            EventKind::DeviceAdded => "deviceadded",
            EventKind::DeviceOffline => "deviceoffline",
            EventKind::DeviceOnline => "deviceonline",
            EventKind::Linkage => "Linkage",
            EventKind::AcsEvent => "ACSEvent",
            EventKind::YsCallingEvent => "YsCallingEvent",
            EventKind::ManualRep => "manualRep",
            EventKind::DiskError => "diskerror",
            EventKind::DiskFull => "diskfull",
            EventKind::DiskRecover => "diskrecover",
            EventKind::FieldDetection => "fielddetection",
            EventKind::Io => "IO",
            EventKind::LineDetection => "linedetection",
            EventKind::RecordException => "recordException",
            EventKind::RegionExiting => "regionExiting",
            EventKind::RegionEntrance => "regionEntrance",
            EventKind::ShelterAlarm => "shelteralarm",
            EventKind::VideoLoss => "videoloss",
            EventKind::Vmd => "VMD",
        }
    }

    /// The feature the index table names (`CID Event Information`, `Disk Full`), the
    /// description of an event that sends none.
    pub fn feature(self) -> &'static str {
        match self {
            EventKind::CidEvent => "CID Event Information",
            EventKind::DeviceDeleted => "Device Deleted",
            EventKind::DeviceAdded => "Device Authorization to ARC",
            EventKind::DeviceOffline => "Device Offline",
            EventKind::DeviceOnline => "Device Online",
            EventKind::Linkage => "Linkage",
            EventKind::AcsEvent => "ACS Event",
            EventKind::YsCallingEvent => "Intercom Call",
            EventKind::ManualRep => "Manual Capture",
            EventKind::DiskError => "Disk Error",
            EventKind::DiskFull => "Disk Full",
            EventKind::DiskRecover => "Disk Recover",
            EventKind::FieldDetection => "Intrusion",
            EventKind::Io => "IO Alarm",
            EventKind::LineDetection => "Line Crossing",
            EventKind::RecordException => "Video Exception",
            EventKind::RegionExiting => "Region Exiting",
            EventKind::RegionEntrance => "Region Entering",
            EventKind::ShelterAlarm => "Video Tampering",
            EventKind::VideoLoss => "Video Loss",
            EventKind::Vmd => "Motion Detection",
        }
    }

    /// Whether A.3 defines the type as an XML message (else JSON).
    pub fn is_xml(self) -> bool {
        !matches!(
            self,
            EventKind::CidEvent
                | EventKind::DeviceDeleted
                | EventKind::DeviceAdded
                | EventKind::DeviceOffline
                | EventKind::DeviceOnline
                | EventKind::Linkage
                | EventKind::AcsEvent
                | EventKind::YsCallingEvent
                | EventKind::ManualRep
        )
    }

    /// The type an `eventType` value names: trimmed (the seed sends `"YsCallingEvent "`), any
    /// letter case, and `AccessControllerEvent` for `ACSEvent`. `None` for any other value.
    pub fn from_event_type(event_type: &str) -> Option<EventKind> {
        let t = event_type.trim();
        if t.eq_ignore_ascii_case("AccessControllerEvent") {
            return Some(EventKind::AcsEvent);
        }
        EventKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(t))
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_the_seed_spellings_are_accepted() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::from_event_type(k.name()), Some(k));
        }
        assert_eq!(EventKind::ALL.iter().filter(|k| k.is_xml()).count(), 12);
        assert_eq!(EventKind::from_event_type("YsCallingEvent "), Some(EventKind::YsCallingEvent));
        assert_eq!(EventKind::from_event_type("AccessControllerEvent"), Some(EventKind::AcsEvent));
        assert_eq!(EventKind::from_event_type("vmd"), Some(EventKind::Vmd));
        assert_eq!(EventKind::from_event_type("voiceTalkEvent"), None);
        assert_eq!(EventKind::from_event_type(""), None);
    }
}
