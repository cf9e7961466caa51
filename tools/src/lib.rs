//! What the tools' binaries share: the cost model of `profile_step --cost` and the kernel timer.

pub mod cost;
pub mod timer;
