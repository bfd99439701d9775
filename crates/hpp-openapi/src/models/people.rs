//! Persons, access-control privileges and person synchronisation (sections 3.43 to 3.51).
