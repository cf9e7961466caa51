//! The facade's views inside a model: backward trace, gradient statistics, logit lens,
//! ablation and cost (see `playground_gpu::inspect` and `playground_core::cost`).

use crate::dto::{ConfigDto, GradStatsDto};
use crate::errors::{bad_input, to_js};
use crate::{to_value, Playground};
use playground_core::ablation::AblationSpec;
use playground_core::cost::cost;
use playground_core::TraceTensor;
use wasm_bindgen::prelude::*;

/// `{ [key]: { shape, axes, data: Float32Array } }` for a list of traced tensors.
pub fn trace_object(trace: Vec<TraceTensor>) -> Result<JsValue, JsValue> {
    let result = js_sys::Object::new();
    for t in trace {
        let entry = js_sys::Object::new();
        let shape: js_sys::Array = t.shape.iter().map(|&d| JsValue::from(d as u32)).collect();
        let axes: js_sys::Array = t.axes.iter().map(|&a| JsValue::from_str(a)).collect();
        js_sys::Reflect::set(&entry, &"shape".into(), &shape)?;
        js_sys::Reflect::set(&entry, &"axes".into(), &axes)?;
        js_sys::Reflect::set(&entry, &"data".into(), &js_sys::Float32Array::from(&t.data[..]))?;
        js_sys::Reflect::set(&result, &t.key.into(), &entry)?;
    }
    Ok(result.into())
}

#[wasm_bindgen]
impl Playground {
    /// `{ loss, grad_norms, tokens, targets, trace }`: forward and backward of
    /// the next training batch on the CPU reference: the loss, the norm of every parameter
    /// tensor's gradient (`ParamLayout` order), batch row 0's tokens and targets, and the trace
    /// of block `layer`'s forward keys with the same keys with `grad.` in front.
    #[wasm_bindgen(js_name = backwardTrace)]
    pub async fn backward_trace(&mut self, layer: u32) -> Result<JsValue, JsValue> {
        let session = &mut self.session;
        session.check_stream("backwardTrace").map_err(to_js)?;
        let batch = session.next_batch().map_err(to_js)?;
        let (x, y, t) = (&batch.inputs[0], &batch.targets, session.config().block_size);
        let tr = session.backward_trace(layer as usize).await.map_err(to_js)?;
        let result = js_sys::Object::new();
        let layout = playground_core::ParamLayout::new(session.config());
        let norms = playground_core::grad_trace::tensor_norms(&layout, &tr.grads);
        js_sys::Reflect::set(&result, &"loss".into(), &JsValue::from(tr.loss))?;
        js_sys::Reflect::set(&result, &"grad_norms".into(), &js_sys::Float32Array::from(&norms[..]))?;
        js_sys::Reflect::set(&result, &"tokens".into(), &js_sys::Uint32Array::from(&x[..t]))?;
        js_sys::Reflect::set(&result, &"targets".into(), &js_sys::Uint32Array::from(&y[..t]))?;
        js_sys::Reflect::set(&result, &"trace".into(), &trace_object(tr.forward.into_iter().chain(tr.backward).collect())?)?;
        Ok(result.into())
    }

    /// `{ step, names, grad_norms, update_ratios }` per parameter tensor for the last step.
    #[wasm_bindgen(js_name = gradStats)]
    pub async fn grad_stats(&mut self) -> Result<JsValue, JsValue> {
        self.session.check_stream("gradStats").map_err(to_js)?;
        let g = self.session.grad_stats().await.map_err(to_js)?;
        to_value(&GradStatsDto { step: g.step, names: g.names, grad_norms: g.grad_norms, update_ratios: g.update_ratios })
    }

    /// `{ top: [layer][position][{ id, prob }] }`, the `k` best guesses of each block.
    #[wasm_bindgen(js_name = logitLens)]
    pub async fn logit_lens(&mut self, ids: Vec<u32>, k: u32) -> Result<JsValue, JsValue> {
        let lens = self.session.logit_lens(&ids, k as usize).await.map_err(to_js)?;
        to_value(&lens)
    }

    /// Switches heads and blocks off: `{ heads: [[layer, head]], layers: [layer] }`; `{}` resets.
    #[wasm_bindgen(js_name = setAblation)]
    pub fn set_ablation(&mut self, spec: JsValue) -> Result<(), JsValue> {
        let spec: AblationSpec = serde_wasm_bindgen::from_value(spec).map_err(bad_input)?;
        self.session.check_stream("setAblation").map_err(to_js)?;
        self.session.set_ablation(&spec).map_err(to_js)
    }

    /// Parameters, FLOPs and attention-map memory per part (see `playground_core::cost`).
    pub fn cost(config: JsValue, vocab_size: u32, t: u32, batch: u32) -> Result<JsValue, JsValue> {
        let config: ConfigDto = serde_wasm_bindgen::from_value(config).map_err(bad_input)?;
        to_value(&cost(&config.with_vocab(vocab_size as usize), t as usize, batch as usize).map_err(to_js)?)
    }
}
