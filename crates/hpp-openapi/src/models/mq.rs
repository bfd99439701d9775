//! Message queue (sections 3.33 to 3.36): subscription, message batches, offsets, alarm picture URLs.
