//! What a browser tells of its WebGPU adapter beyond what wgpu passes on: `GPUAdapterInfo`'s
//! vendor and architecture, which name the adapter where the browser hides its name, read from
//! the adapter a high-performance request gets (the one the engine's own request gets).

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `GPUAdapterInfo`'s vendor and architecture ("nvidia", "ampere"), each empty where not told.
pub struct BrowserAdapter {
    pub vendor: String,
    pub architecture: String,
}

/// The browser's adapter, or None where there is no `navigator.gpu` or no adapter.
pub async fn browser_adapter() -> Option<BrowserAdapter> {
    let get = |object: &JsValue, key: &str| Reflect::get(object, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let gpu = get(&get(&js_sys::global(), "navigator")?, "gpu")?;
    let request: Function = get(&gpu, "requestAdapter")?.dyn_into().ok()?;
    let options = Object::new();
    Reflect::set(&options, &"powerPreference".into(), &"high-performance".into()).ok()?;
    let promise: Promise = request.call1(&gpu, &options).ok()?.dyn_into().ok()?;
    let adapter = JsFuture::from(promise).await.ok().filter(|a| !a.is_null())?;
    let info = get(&adapter, "info")?;
    let text = |key| get(&info, key).and_then(|v| v.as_string()).unwrap_or_default();
    Some(BrowserAdapter { vendor: text("vendor"), architecture: text("architecture") })
}
