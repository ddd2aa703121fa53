//! The application domain without I/O. The applications issue adds form IDs and states here.

pub mod age;
