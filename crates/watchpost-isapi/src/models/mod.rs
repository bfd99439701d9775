//! ISAPI models (security control panel, device information, time, IO outputs, response status).
