//! OTAP (sections 3.24.1 to 3.24.11): shadow and direct properties, actions, product profile, batch operations, table list.
