//! What the tools' binaries share: the cost model of `profile_step --cost`, the kernel timer and
//! the step sizes their command lines take.

pub mod cost;
pub mod step_sizes;
pub mod timer;
