//! Devices (sections 3.18 to 3.22, 3.25 to 3.32, 3.52): add, delete, update, list, cameras, upgrade, pincode, cloud, IoT ability, wake-up, video by time.
