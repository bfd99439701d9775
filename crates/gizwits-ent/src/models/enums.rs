//! Documented value sets, each with a fallback variant that keeps an undocumented value as sent.

watchpost_core::open_str_enum! {
    /// Sort order of time-based lists (`sort`); the service defaults to `desc`.
    Sort {
        /// Oldest first.
        Asc = "asc",
        /// Newest first (the default).
        Desc = "desc",
    }
}

watchpost_core::open_str_enum! {
    /// The reference period of cyclic reports (`cycle`).
    Cycle {
        /// Daily points; `start`/`end` are `YYYY-MM-DD`, at most 30 days.
        Date = "date" | "day",
        /// Weekly points; `start`/`end` are `YYYY-WW`, at most 53 weeks.
        Week = "week",
        /// Monthly points; `start`/`end` are `YYYY-MM`, at most 12 months.
        Month = "month",
    }
}

watchpost_core::open_str_enum! {
    /// What `val` matches when enumerating devices (`type`).
    DeviceSearchType {
        /// Device id.
        Did = "did",
        /// MAC address.
        Mac = "mac",
        /// Bound user id.
        Uid = "uid",
    }
}

watchpost_core::open_str_enum! {
    /// How a device group update changes membership (`action`).
    GroupAction {
        /// Add the MACs to the group.
        Assign = "assign",
        /// Remove the MACs from the group.
        Unassign = "unassign",
    }
}

watchpost_core::open_str_enum! {
    /// How `raw` frames and `binary` data points are encoded (`binary_coding`).
    BinaryCoding {
        /// Hexadecimal text (the default for binary data points).
        Hex = "hex",
        /// Base64 text.
        Base64 = "base64",
    }
}

watchpost_core::open_str_enum! {
    /// Why a device went offline (`reason` of an online record, L799-803).
    OfflineReason {
        /// The device actively disconnected from MQTT.
        MqttDisconnect = "mqtt_disconnect",
        /// No heartbeat during the keep-alive period.
        NoHeartbeat = "no_heartbeat",
        /// The device closed its TCP connection (documented as `Tcp_closed`).
        TcpClosed = "tcp_closed",
        /// The device closed its SSL connection.
        SslClosed = "ssl_closed",
        /// The device came online again and the old connection was closed.
        OfflineForce = "offline_force",
        /// The device was logged out and disconnected.
        OfflineReset = "offline_reset",
        /// Abnormal disconnection.
        OfflineException = "offline_exception",
        /// The client sent messages too often.
        SendingDensityOverflow = "offline_sending_density_overflow",
        /// The client sent too much traffic.
        SendingDataSizeOverflow = "offline_sending_data_size_overflow",
    }
}

watchpost_core::open_str_enum! {
    /// The type of an online/offline record.
    OnlineEventType {
        /// The device came online.
        Online = "dev_online",
        /// The device went offline.
        Offline = "dev_offline",
    }
}

watchpost_core::open_str_enum! {
    /// The direction of a communication-log record.
    CommandDirection {
        /// From the application (or the Enterprise API) to the device.
        AppToDevice = "app2dev",
        /// From the device to the application.
        DeviceToApp = "dev2app",
    }
}

watchpost_core::open_str_enum! {
    /// Read/write kind of a data point (`type`): the table says W/R/N/E, the example
    /// `status_writable`; both spellings are read.
    DatapointKind {
        /// Read/write (`status_writable`, `W`): can be set by a control call.
        Writable = "status_writable" | "w",
        /// Read only (`status_readonly`, `R`).
        ReadOnly = "status_readonly" | "r",
        /// Alarm (`alert`, `N`).
        Alert = "alert" | "n",
        /// Fault (`fault`, `E`).
        Fault = "fault" | "e",
    }
}

watchpost_core::open_str_enum! {
    /// Data type of a data point (`data_type`).
    DataType {
        /// Boolean.
        Bool = "bool",
        /// Unsigned 8-bit number (scaled by `uint_spec`).
        Uint8 = "uint8",
        /// Unsigned 16-bit number (scaled by `uint_spec`).
        Uint16 = "uint16",
        /// Unsigned 32-bit number (scaled by `uint_spec`).
        Uint32 = "uint32",
        /// One of the values of `enum`.
        Enum = "enum",
        /// Extended (binary) data, sent as hex text padded to the data point's length.
        Binary = "binary",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost_core::codec::param::ToParam;

    #[test]
    fn open_enums_read_aliases_and_keep_unknown_values() {
        assert_eq!(OfflineReason::parse("Tcp_closed"), OfflineReason::TcpClosed);
        assert_eq!(DatapointKind::parse("W"), DatapointKind::Writable);
        assert_eq!(DatapointKind::parse("status_writable"), DatapointKind::Writable);
        let other: Cycle = serde_json::from_str("\"quarter\"").unwrap();
        assert_eq!(other, Cycle::Other("quarter".into()));
        assert_eq!(serde_json::to_string(&other).unwrap(), "\"quarter\"");
        assert_eq!(Sort::Asc.to_param(), "asc");
        assert_eq!(GroupAction::Unassign.to_string(), "unassign");
    }
}
