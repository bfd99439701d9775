//! Typed shortcuts for one device behind the gateway: [`Device`].

use watchpost_core::Result;

use crate::generated::*;
use crate::models::{
    ArmWays, BatchOutcome, ChannelInfo, DeviceInfo, DeviceInfoMsg, ExDevStatus, IoLevel, IoPortDataMsg, IoPortList,
    IpAddress, IpAddressMsg, ListMsg, NetworkInterface, NetworkInterfaceMsg, OutputsCtrlMsg, ResponseStatus, SubSys,
    Switch, Time, TimeMsg, Zone,
};
use crate::timezone::PosixTimeZone;
use crate::Client;

/// One device added to the gateway (its `devIndex`), with typed shortcuts for the per-device
/// operations of chapters 5 and 7. Cheap to clone.
///
/// ```no_run
/// # async fn run(client: hik_gateway::Client) -> watchpost_core::Result<()> {
/// use hik_gateway::models::ArmWays;
/// let panel = client.device("2cd6716d-767f-4756-ac55-50276a5e3b4a");
/// panel.arm(1, ArmWays::Away).await?;
/// for zone in panel.zones().await? {
///     println!("zone {} {:?} bypassed={:?}", zone.id, zone.status, zone.bypassed);
/// }
/// panel.disarm_all().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Device {
    client: Client,
    dev_index: String,
}

impl Client {
    /// The device with ID `dev_index` (opaque: sent exactly as given).
    pub fn device(&self, dev_index: impl Into<String>) -> Device {
        Device { client: self.clone(), dev_index: dev_index.into() }
    }
}

impl Device {
    /// The device ID.
    pub fn dev_index(&self) -> &str {
        &self.dev_index
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The device's information (8.5.2).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn info(&self) -> Result<DeviceInfo> {
        Ok(self.client.device_info(&DeviceInfoRequest::new(&self.dev_index)).await?.device_info)
    }

    /// Edits the device's information (8.5.2).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_info(&self, info: DeviceInfo) -> Result<ResponseStatus> {
        self.client
            .set_device_info(&SetDeviceInfoRequest::new(&self.dev_index, DeviceInfoMsg { device_info: info }))
            .await
    }

    /// The device's channels (8.1.2).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn channels(&self) -> Result<ChannelInfo> {
        Ok(self.client.channel_info(&ChannelInfoRequest::new(&self.dev_index)).await?.channel_info)
    }

    /// Deletes the device from the gateway (8.1.4).
    ///
    /// # Errors
    /// Those of any call (`theDeviceIdDoesNotExist` when it is unknown).
    pub async fn delete(&self) -> Result<ResponseStatus> {
        self.client.delete_device(&DeleteDeviceRequest::new(&self.dev_index)).await
    }

    /// Reboots the device (8.5.9); never repeated automatically.
    ///
    /// # Errors
    /// Those of any call.
    pub async fn reboot(&self) -> Result<ResponseStatus> {
        self.client.reboot_device(&RebootDeviceRequest::new(&self.dev_index)).await
    }

    /// The device's time (8.5.12).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn time(&self) -> Result<Time> {
        Ok(self.client.device_time(&DeviceTimeRequest::new(&self.dev_index)).await?.time)
    }

    /// Sets the device's time (8.5.12).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_time(&self, time: Time) -> Result<ResponseStatus> {
        self.client.set_device_time(&SetDeviceTimeRequest::new(&self.dev_index, TimeMsg { time })).await
    }

    /// The device's time zone (8.5.10).
    ///
    /// # Errors
    /// Those of any call, or a decode error for text that is not a POSIX time zone.
    pub async fn time_zone(&self) -> Result<PosixTimeZone> {
        self.client.time_zone(&TimeZoneRequest::new(&self.dev_index)).await
    }

    /// Sets the device's time zone (8.5.10).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_time_zone(&self, tz: &PosixTimeZone) -> Result<ResponseStatus> {
        self.client.set_time_zone(&SetTimeZoneRequest::new(&self.dev_index, tz.to_string())).await
    }

    /// The alarm inputs and outputs (8.5.4).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn io_ports(&self) -> Result<IoPortList> {
        Ok(self.client.io_ports(&IoPortsRequest::new(&self.dev_index)).await?.io_port_list)
    }

    /// Drives alarm output `output` high or low (8.5.3).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn trigger_output(&self, output: u32, level: IoLevel) -> Result<ResponseStatus> {
        self.client
            .trigger_io_output(&TriggerIoOutputRequest::new(output, &self.dev_index, IoPortDataMsg::new(level)))
            .await
    }

    /// Every network interface (8.5.7).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn network_interfaces(&self) -> Result<Vec<NetworkInterface>> {
        Ok(self
            .client
            .network_interfaces(&NetworkInterfacesRequest::new(&self.dev_index))
            .await?
            .network_interface_list)
    }

    /// One network interface (8.5.6).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn network_interface(&self, id: &str) -> Result<NetworkInterface> {
        Ok(self.client.network_interface(&NetworkInterfaceRequest::new(id, &self.dev_index)).await?.network_interface)
    }

    /// Sets one network interface (8.5.6).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_network_interface(&self, nic: NetworkInterface) -> Result<ResponseStatus> {
        let id = nic.id.clone();
        self.client
            .set_network_interface(&SetNetworkInterfaceRequest::new(
                id,
                &self.dev_index,
                NetworkInterfaceMsg { network_interface: nic },
            ))
            .await
    }

    /// The IP address of one network interface (8.5.5).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn ip_address(&self, interface: &str) -> Result<IpAddress> {
        Ok(self.client.ip_address(&IpAddressRequest::new(interface, &self.dev_index)).await?.ip_address)
    }

    /// Sets the IP address of one network interface (8.5.5).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_ip_address(&self, interface: &str, address: IpAddress) -> Result<ResponseStatus> {
        self.client
            .set_ip_address(&SetIpAddressRequest::new(interface, &self.dev_index, IpAddressMsg { ip_address: address }))
            .await
    }

    /// Arms partition `partition` (from 1) stay or away (8.4.1).
    ///
    /// # Errors
    /// Those of any call (`setArmingError` when the panel refuses).
    pub async fn arm(&self, partition: u32, ways: ArmWays) -> Result<ResponseStatus> {
        self.client.arm(&ArmRequest::new(partition.to_string(), ways, &self.dev_index)).await
    }

    /// Arms every partition (ID `0xffffffff`, see [`crate::ClientBuilder::all_partitions_id`]).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn arm_all(&self, ways: ArmWays) -> Result<ResponseStatus> {
        self.client.arm(&ArmRequest::new(self.client.all_partitions_id(), ways, &self.dev_index)).await
    }

    /// Disarms partition `partition` (8.4.5).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn disarm(&self, partition: u32) -> Result<ResponseStatus> {
        self.client.disarm(&DisarmRequest::new(partition.to_string(), &self.dev_index)).await
    }

    /// Disarms every partition.
    ///
    /// # Errors
    /// Those of any call.
    pub async fn disarm_all(&self) -> Result<ResponseStatus> {
        self.client.disarm(&DisarmRequest::new(self.client.all_partitions_id(), &self.dev_index)).await
    }

    /// Clears the alarms of partition `partition` (8.4.4).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn clear_alarm(&self, partition: u32) -> Result<ResponseStatus> {
        self.client.clear_alarm(&ClearAlarmRequest::new(partition.to_string(), &self.dev_index)).await
    }

    /// Clears the alarms of every partition.
    ///
    /// # Errors
    /// Those of any call.
    pub async fn clear_all_alarms(&self) -> Result<ResponseStatus> {
        self.client.clear_alarm(&ClearAlarmRequest::new(self.client.all_partitions_id(), &self.dev_index)).await
    }

    /// Bypasses zones (8.4.2).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn bypass(&self, zones: impl IntoIterator<Item = u32>) -> Result<ResponseStatus> {
        self.client.bypass_zones(&BypassZonesRequest::new(&self.dev_index, ListMsg::of(zones))).await
    }

    /// Recovers the bypass of zones (8.4.3).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn recover_bypass(&self, zones: impl IntoIterator<Item = u32>) -> Result<ResponseStatus> {
        self.client.recover_bypass(&RecoverBypassRequest::new(&self.dev_index, ListMsg::of(zones))).await
    }

    /// Opens or closes relays (8.4.6) and returns the per-relay outcome: a relay the panel
    /// refused is listed in `failed`, never turned into an error for the whole call.
    ///
    /// # Errors
    /// Those of any call when the request itself failed.
    pub async fn set_relays(&self, switch: Switch, relays: &[u32]) -> Result<BatchOutcome<u32>> {
        let req = ControlOutputsRequest::new(&self.dev_index, OutputsCtrlMsg::new(switch, relays.iter().copied()));
        Ok(self.client.control_outputs(&req).await?.outcome(relays))
    }

    /// The status of every partition (8.4.8).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn partitions(&self) -> Result<Vec<SubSys>> {
        Ok(self.client.partitions_status(&PartitionsStatusRequest::new(&self.dev_index)).await?.sub_sys_list)
    }

    /// The status of every zone (8.4.9).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn zones(&self) -> Result<Vec<Zone>> {
        Ok(self.client.zones_status(&ZonesStatusRequest::new(&self.dev_index)).await?.zone_list)
    }

    /// The status of every peripheral (8.4.7).
    ///
    /// # Errors
    /// Those of any call.
    pub async fn peripherals(&self) -> Result<ExDevStatus> {
        Ok(self.client.peripherals_status(&PeripheralsStatusRequest::new(&self.dev_index)).await?.ex_dev_status)
    }
}
