//! What the tools' binaries share: the cost model of `profile_step --cost`.

pub mod cost;
