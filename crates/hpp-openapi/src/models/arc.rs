//! ARC service (sections 3.37 to 3.42): devices enabled for an alarm receiving centre, event types, account numbers, site information.
