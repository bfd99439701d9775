//! Installers, sites, sharing and handover, customers, health report (sections 3.2 to 3.17).
