//! The wasm-bindgen facade: one engine class for JavaScript, and nothing else. Logic lives in
//! `playground-core` and `playground-gpu`; this file converts at the boundary.

mod dto;

use dto::{CreateOptions, EncodedDto};
use playground_core::{sample, sampling_probabilities, CharTokenizer, CpuModel, Rng, SamplingParams, TraceRequest};
use playground_gpu::{Engine, GpuContext, SharedGpu};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The playground, as seen from JavaScript. One call in flight at a time (the worker queues).
#[wasm_bindgen]
pub struct Playground {
    engine: Engine,
    tokenizer: CharTokenizer,
    rng: Rng,
    /// Why the CPU engine runs, when WebGPU was wanted but not available.
    fallback_reason: Option<String>,
    adapter: Option<String>,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

#[wasm_bindgen]
impl Playground {
    /// Builds a model from `options` = `{ config, seed, vocab, backend }` (see dto.rs):
    /// freshly initialized from the seed. `backend` is "auto" (WebGPU if available, else the
    /// CPU), "webgpu" (fail without it) or "cpu".
    pub async fn create(options: JsValue) -> Result<Playground, JsError> {
        let opts: CreateOptions = serde_wasm_bindgen::from_value(options).map_err(js_err)?;
        let tokenizer = CharTokenizer::from_text(&opts.vocab).map_err(js_err)?;
        let config = opts.config.with_vocab(tokenizer.vocab_size());
        let model = CpuModel::new(config, opts.seed).map_err(js_err)?;
        Self::build(opts.backend, config, model.params, tokenizer, opts.seed).await
    }

    async fn build(
        backend: String,
        config: playground_core::ModelConfig,
        params: Vec<f32>,
        tokenizer: CharTokenizer,
        seed: u64,
    ) -> Result<Playground, JsError> {
        let (gpu, fallback_reason) = match backend.as_str() {
            "cpu" => (None, None),
            "webgpu" => (Some(SharedGpu::new(GpuContext::new().await.map_err(js_err)?)), None),
            "auto" => match GpuContext::new().await {
                Ok(gpu) => (Some(SharedGpu::new(gpu)), None),
                Err(e) => (None, Some(e.to_string())),
            },
            other => return Err(JsError::new(&format!("backend must be \"auto\", \"webgpu\" or \"cpu\", not {other:?}"))),
        };
        let adapter = gpu.as_ref().map(|g| g.adapter_name());
        let engine = Engine::new(gpu, config, params, 1).await.map_err(js_err)?;
        Ok(Playground { engine, tokenizer, rng: Rng::new(seed), fallback_reason, adapter })
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> String {
        self.engine.backend().into()
    }

    /// The adapter's name on WebGPU ("SwiftShader (BrowserWebGpu)"), else undefined.
    pub fn adapter(&self) -> Option<String> {
        self.adapter.clone()
    }

    /// Why WebGPU is not used, when "auto" fell back to the CPU.
    #[wasm_bindgen(js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.clone()
    }

    /// `{ vocab_size, block_size, n_layer, n_head, n_embd }`.
    pub fn config(&self) -> Result<JsValue, JsError> {
        serde_wasm_bindgen::to_value(self.engine.config()).map_err(js_err)
    }

    /// The vocabulary, one string per token id.
    pub fn vocab(&self) -> Vec<String> {
        self.tokenizer.chars().iter().map(|c| c.to_string()).collect()
    }

    /// `{ ids: Uint32Array, unknown: [{ position, char }] }`: characters outside the vocabulary
    /// are reported, not fatal.
    pub fn encode(&self, text: &str) -> Result<JsValue, JsError> {
        let enc = self.tokenizer.encode_lossy(text);
        let dto =
            EncodedDto { unknown: enc.unknown.iter().map(|&(position, ch)| dto::UnknownDto { position, char: ch.to_string() }).collect() };
        let obj = serde_wasm_bindgen::to_value(&dto).map_err(js_err)?;
        js_sys::Reflect::set(&obj, &"ids".into(), &js_sys::Uint32Array::from(&enc.ids[..]))
            .map_err(|_| JsError::new("could not build the result"))?;
        Ok(obj)
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, JsError> {
        self.tokenizer.decode(ids).map_err(js_err)
    }

    /// Runs the model on `ids` and returns `{ [key]: { shape, axes, data: Float32Array } }` for
    /// every key asked for (see `playground_core::trace`).
    pub async fn forward(&mut self, ids: Vec<u32>, keys: Vec<String>) -> Result<JsValue, JsError> {
        let request = TraceRequest::keys(&keys).map_err(js_err)?;
        let out = self.engine.forward(&ids, &request).await.map_err(js_err)?;
        let result = js_sys::Object::new();
        for t in out.trace {
            let entry = js_sys::Object::new();
            let set = |o: &js_sys::Object, k: &str, v: &JsValue| js_sys::Reflect::set(o, &k.into(), v).map(|_| ());
            let shape: js_sys::Array = t.shape.iter().map(|&d| JsValue::from(d as u32)).collect();
            let axes: js_sys::Array = t.axes.iter().map(|&a| JsValue::from_str(a)).collect();
            set(&entry, "shape", &shape)
                .and_then(|_| set(&entry, "axes", &axes))
                .and_then(|_| set(&entry, "data", &js_sys::Float32Array::from(&t.data[..])))
                .and_then(|_| set(&result, &t.key, &entry))
                .map_err(|_| JsError::new("could not build the trace object"))?;
        }
        Ok(result.into())
    }

    /// The distribution the next token is drawn from: softmax(logits / temperature), then
    /// top-k and top-p, renormalized. Temperature 0 is greedy.
    #[wasm_bindgen(js_name = samplingProbabilities)]
    pub fn sampling_probabilities(logits: &[f32], temperature: f32, top_k: u32, top_p: f32) -> Result<Vec<f32>, JsError> {
        sampling_probabilities(logits, &SamplingParams { temperature, top_k: top_k as usize, top_p }).map_err(js_err)
    }

    /// Draws the next token id from `logits` with the engine's seeded generator.
    pub fn sample(&mut self, logits: &[f32], temperature: f32, top_k: u32, top_p: f32) -> Result<u32, JsError> {
        sample(logits, &SamplingParams { temperature, top_k: top_k as usize, top_p }, &mut self.rng).map_err(js_err)
    }

    /// Restarts the sampling generator, so a generation can be replayed.
    #[wasm_bindgen(js_name = setSeed)]
    pub fn set_seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }
}
