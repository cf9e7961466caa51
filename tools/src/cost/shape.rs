//! A kernel's workgroup size and workgroup memory, read from its WGSL by naga (the text
//! `shaders.rs` builds, sizes and includes prepended), so the cost model cannot drift from
//! the shaders.

use playground_gpu::Kernel;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// `@workgroup_size` and the bytes of its `var<workgroup>` declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub workgroup_size: [u32; 3],
    pub shared_bytes: u32,
}

impl Shape {
    pub fn threads(&self) -> u32 {
        self.workgroup_size.iter().product()
    }
}

/// The shape of `kernel`'s entry point (parsed once per kernel).
pub fn shape(kernel: Kernel) -> Shape {
    static CACHE: OnceLock<Mutex<HashMap<Kernel, Shape>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().expect("shape cache").get(&kernel) {
        return *s;
    }
    let source = kernel.source();
    let wgsl = source.wgsl();
    let module = naga::front::wgsl::parse_str(&wgsl).unwrap_or_else(|e| panic!("{}", e.emit_to_string_with_path(&wgsl, source.name)));
    let entry = module.entry_points.first().unwrap_or_else(|| panic!("{}: no entry point", source.name));
    let shared_bytes = module
        .global_variables
        .iter()
        .filter(|(_, g)| g.space == naga::AddressSpace::WorkGroup)
        .map(|(_, g)| module.types[g.ty].inner.size(module.to_ctx()))
        .sum();
    let s = Shape { workgroup_size: entry.workgroup_size, shared_bytes };
    cache.lock().expect("shape cache").insert(kernel, s);
    s
}
