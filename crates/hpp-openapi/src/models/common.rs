//! Shapes shared by many operations: the platform page (`page`/`pageSize`/`totalPage`) and per-item outcomes.
