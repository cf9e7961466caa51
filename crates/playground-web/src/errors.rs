//! Errors cross into JavaScript as `Error` objects whose `name` says what kind of failure it
//! is, so the page can react (pause on "NonFinite", rebuild on "DeviceLost") without parsing
//! messages; the message is written for the reader.

use playground_core::CoreError;
use playground_gpu::GpuError;
use wasm_bindgen::JsValue;

fn kind(err: &GpuError) -> &'static str {
    match err {
        GpuError::NoAdapter | GpuError::AdapterLimit { .. } | GpuError::RequestDevice(_) => "NoWebGpu",
        GpuError::Shader { .. } | GpuError::Readback(_) => "GpuFailure",
        GpuError::OutOfMemory(_) => "OutOfMemory",
        GpuError::DeviceLost(_) => "DeviceLost",
        GpuError::Core(core) => match core {
            CoreError::NonFinite { .. } => "NonFinite",
            CoreError::Checkpoint(_) => "BadCheckpoint",
            CoreError::HfNotSafetensors { .. }
            | CoreError::HfNotGpt2 { .. }
            | CoreError::HfMissingTensor { .. }
            | CoreError::HfShape { .. }
            | CoreError::HfDtype { .. }
            | CoreError::HfNonFinite { .. } => "BadGpt2",
            CoreError::HfJson { .. } | CoreError::HfUnsupported { .. } | CoreError::HfInvalid { .. } => "BadHubModel",
            CoreError::Config { .. } | CoreError::DeviceLimit { .. } => "BadConfig",
            _ => "BadInput",
        },
    }
}

/// An `Error` with `name` set to the failure's kind.
pub fn to_js(err: impl Into<GpuError>) -> JsValue {
    let err = err.into();
    let js = js_sys::Error::new(&err.to_string());
    js.set_name(kind(&err));
    js.into()
}

/// Bad input from JS (a malformed options object, an unknown name), as `CoreError::Data`.
pub fn bad_input(e: impl ToString) -> JsValue {
    to_js(CoreError::Data(e.to_string()))
}
