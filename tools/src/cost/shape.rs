//! A kernel's workgroup size and workgroup memory, read from its WGSL by naga (the text
//! `shaders.rs` builds, sizes and includes prepended), so the cost model cannot drift from
//! the shaders.

use playground_gpu::Kernel;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// `@workgroup_size`, the bytes of its `var<workgroup>` declarations and its module-scope
/// `const`s of type u32 or bool (a tiled matmul's TILE, BK, A_STRIDED, …).
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    pub workgroup_size: [u32; 3],
    pub shared_bytes: u32,
    constants: Vec<(String, f64)>,
}

impl Shape {
    pub fn threads(&self) -> u32 {
        self.workgroup_size.iter().product()
    }

    /// The value of `const NAME` (a bool as 0 or 1).
    pub fn constant(&self, name: &str) -> Option<f64> {
        self.constants.iter().find(|c| c.0 == name).map(|c| c.1)
    }
}

/// The shape of `kernel`'s entry point (parsed once per kernel).
pub fn shape(kernel: Kernel) -> Shape {
    static CACHE: OnceLock<Mutex<HashMap<Kernel, Shape>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(s) = cache.lock().expect("shape cache").get(&kernel) {
        return s.clone();
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
    let constants = module
        .constants
        .iter()
        .filter_map(|(_, c)| {
            let value = match module.global_expressions[c.init] {
                naga::Expression::Literal(naga::Literal::U32(v)) => v as f64,
                naga::Expression::Literal(naga::Literal::Bool(b)) => b as u32 as f64,
                _ => return None,
            };
            Some((c.name.clone()?, value))
        })
        .collect();
    let s = Shape { workgroup_size: entry.workgroup_size, shared_bytes, constants };
    cache.lock().expect("shape cache").insert(kernel, s.clone());
    s
}
