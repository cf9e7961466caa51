#![no_main]
//! libFuzzer driver for `targets::config_json` (see fuzz/targets.rs).

#[allow(dead_code)] // each driver uses one target
#[path = "../targets.rs"]
mod targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| targets::config_json(data));
