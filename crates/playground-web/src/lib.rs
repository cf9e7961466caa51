//! The wasm-bindgen facade: one engine class for JavaScript, and nothing else. Logic lives in
//! `playground-core` and `playground-gpu` (`Session`, for a model of any family); this file
//! converts at the boundary.

mod adapter_info;
mod architecture;
mod bpe;
mod dto;
mod errors;
mod inspect;
mod memory;
mod seq2seq;
mod text_tokenizer;

use dto::{CreateOptions, DataDto, EncodedDto, TaskDto, UnknownDto};
use errors::{bad_input, to_js};
use playground_core::arch::Architecture;
use playground_core::checkpoint::{optimizer_from_bytes, optimizer_to_bytes, Checkpoint};
use playground_core::data::{classify, seq2seq as reversal, Dataset, Task};
use playground_core::gpt2_import::import_hf_gpt2_checked;
use playground_core::hf::{load_model_checked, HfConfig, HfTokenizer, MemoryEstimate};
use playground_core::train::TrainConfig;
use playground_core::{
    sample, sampling_probabilities, Bpe, CharTokenizer, CoreError, CpuModel, Encoded, Family, ParamLayout, Rng, SamplingParams,
    TraceRequest, TraceSteps,
};
use playground_gpu::launch_tuning::{self, Tuned};
use playground_gpu::{DeviceFacts, GpuContext, GpuError, Session, SharedGpu};
use std::cell::RefCell;
use text_tokenizer::TextTokenizer;
use wasm_bindgen::prelude::*;

/// `initThreadPool(n)`: starts rayon's pool of `n` Web Workers, on which the CPU engine's ops
/// are split. Only the threaded wasm (built with atomics) has it.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Threads the CPU engine's ops run on: the pool's size after `initThreadPool`; 1 in the
/// single-threaded wasm (which does not link rayon's pool for this answer).
#[wasm_bindgen(js_name = cpuThreads)]
pub fn cpu_threads() -> usize {
    if cfg!(feature = "threads") {
        playground_core::fast::par::threads()
    } else {
        1
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The playground, as seen from JavaScript: a model of any family. One call in flight at a
/// time (the worker queues). A call of one family only (`forward`, `translate`, ...) rejects
/// with a typed error for the others.
#[wasm_bindgen]
pub struct Playground {
    session: Session,
    /// Draws the tokens of `sample` and `generate`.
    rng: Rng,
    /// Why the CPU engine runs, when WebGPU was wanted but failed (None too where there is no adapter).
    fallback_reason: Option<String>,
    /// The worker's GPU, on WebGPU.
    gpu: Option<SharedGpu>,
    /// The tokenizer of an imported model (GPT-2's, or a Hugging Face model's); the session's
    /// character vocabulary is then a placeholder and not used.
    text: Option<TextTokenizer>,
}

thread_local! {
    /// The one GPU device of this worker, shared by every engine it hosts (several widgets on a
    /// page, or a page's model and its trainer), so pipelines are compiled once.
    static GPU: RefCell<Option<SharedGpu>> = const { RefCell::new(None) };
    /// What the first trainer on that GPU timed (`Session::tune_launches`): its launches have
    /// been sized for the fastest plan since, and later trainers do not time them again.
    static LAUNCHES: RefCell<Option<Tuned>> = const { RefCell::new(None) };
}

/// Milliseconds of the page's clock (`performance.now()`, else `Date.now()`).
fn now_ms() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    let now = performance.as_ref().and_then(|p| js_sys::Reflect::get(p, &"now".into()).ok());
    match (performance, now.and_then(|f| f.dyn_into::<js_sys::Function>().ok())) {
        (Some(p), Some(now)) => now.call0(&p).ok().and_then(|t| t.as_f64()).unwrap_or_else(js_sys::Date::now),
        _ => js_sys::Date::now(),
    }
}

/// The worker's GPU device, created on first use and again after it was lost.
async fn shared_gpu() -> Result<SharedGpu, GpuError> {
    if let Some(gpu) = GPU.with(|g| g.borrow().clone()).filter(|g| g.lost_reason().is_none()) {
        return Ok(gpu);
    }
    let mut gpu = GpuContext::new().await?;
    if let Some(a) = adapter_info::browser_adapter().await {
        gpu = gpu.with_browser_adapter(&a.vendor, &a.architecture);
    }
    let gpu = SharedGpu::new(gpu);
    GPU.with(|g| *g.borrow_mut() = Some(gpu.clone()));
    LAUNCHES.with(|l| *l.borrow_mut() = None);
    Ok(gpu)
}

/// The GPU for a backend choice: "auto" falls back to the CPU and says why, except where the
/// browser simply has no adapter, which the page explains in the reader's language.
async fn choose_gpu(backend: &str) -> Result<(Option<SharedGpu>, Option<String>), JsValue> {
    match backend {
        "cpu" => Ok((None, None)),
        "webgpu" => Ok((Some(shared_gpu().await.map_err(to_js)?), None)),
        "auto" => Ok(match shared_gpu().await {
            Ok(gpu) => (Some(gpu), None),
            Err(GpuError::NoAdapter) => (None, None),
            Err(e) => (None, Some(e.to_string())),
        }),
        other => Err(bad_input(format!("backend must be \"auto\", \"webgpu\" or \"cpu\", not {other:?}"))),
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// A small structured value from JS; one that does not fit `T` is bad input.
fn from_value<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(bad_input)
}

/// A dataset for `data` tokenized with `tokenizer`, and its description.
fn dataset(data: &DataDto, tokenizer: Option<CharTokenizer>, seed: u64) -> Result<(Dataset, String), JsValue> {
    match data {
        DataDto { task: Some(name), text: None } if name == classify::TASK_NAME => {
            Ok((classify::dataset(seed).map_err(to_js)?, format!("task: {name}")))
        }
        DataDto { task: Some(name), text: None } => {
            let task = Task::parse(name).map_err(to_js)?;
            Ok((Dataset::from_task(task, seed, tokenizer).map_err(to_js)?, format!("task: {name}")))
        }
        DataDto { task: None, text: Some(text) } => {
            let chars = text.chars().count();
            Ok((Dataset::from_text(text, tokenizer).map_err(to_js)?, format!("text: {chars} characters")))
        }
        _ => Err(bad_input("give either a task or a text")),
    }
}

#[wasm_bindgen]
impl Playground {
    /// A freshly initialized model: `{ config, seed, vocab?, data?, backend? }` (see dto.rs).
    /// The vocabulary is `vocab`'s characters, or those of the data (a task's alphabet or the
    /// text's characters), which then also becomes the training data. An encoder-decoder's
    /// vocabulary and data are its task's (see seq2seq.rs).
    pub async fn create(options: JsValue) -> Result<Playground, JsValue> {
        let opts: CreateOptions = from_value(options)?;
        if opts.config.family == Family::EncoderDecoder {
            return seq2seq::create(&opts).await;
        }
        let (tokenizer, data) = match (&opts.vocab, &opts.data) {
            (Some(vocab), data) => {
                let tokenizer = CharTokenizer::from_text(vocab).map_err(to_js)?;
                let data = data.as_ref().map(|d| dataset(d, Some(tokenizer.clone()), opts.seed)).transpose()?;
                (tokenizer, data)
            }
            (None, Some(d)) => {
                let (data, source) = dataset(d, None, opts.seed)?;
                (data.tokenizer.clone(), Some((data, source)))
            }
            (None, None) => return Err(bad_input("give a vocabulary or training data")),
        };
        // an encoder learns by masking: [MASK] joins the vocabulary as its last id, so the
        // data's ids stay valid (a [CLS] classifier learns from labels, in its task's vocabulary)
        let (tokenizer, data) = match (opts.config.family, opts.config.n_classes) {
            (Family::Encoder, 0) => {
                let tokenizer = playground_core::data::mlm::with_mask(&tokenizer).map_err(to_js)?;
                let data = data.map(|(d, source)| (Dataset { tokenizer: tokenizer.clone(), ..d }, source));
                (tokenizer, data)
            }
            _ => (tokenizer, data),
        };
        let config = opts.config.with_vocab(tokenizer.vocab_size());
        config.validate().and_then(|()| memory::check_weights(&config)).map_err(to_js)?;
        let model = CpuModel::new(config, opts.seed).map_err(to_js)?;
        let checkpoint = Checkpoint { config, tokenizer, params: model.params, metadata: Default::default() };
        let mut pg = Self::open(checkpoint, &opts.backend, opts.seed, false).await?;
        if let Some((data, source)) = data {
            pg.session.set_data(data, source).map_err(to_js)?;
        }
        Ok(pg)
    }

    /// A model from a checkpoint file's bytes (safetensors, validated before use). `encdec`:
    /// the caller drives an encoder-decoder too (the Train page, Explore's checkpoint files, the
    /// widget); where it passes false (the default model, Learn's examples) one is refused by name.
    pub async fn load(bytes: Vec<u8>, backend: String, seed: u64, encdec: bool) -> Result<Playground, JsValue> {
        Checkpoint::config_of(&bytes).and_then(|config| memory::check_weights(&config)).map_err(to_js)?;
        let checkpoint = Checkpoint::from_bytes(&bytes).map_err(to_js)?;
        Self::open(checkpoint, &backend, seed, encdec).await
    }

    /// The model of `checkpoint` on `backend`; an encoder-decoder only where `encdec` allows one.
    async fn open(checkpoint: Checkpoint, backend: &str, seed: u64, encdec: bool) -> Result<Playground, JsValue> {
        let (gpu, fallback_reason) = choose_gpu(backend).await?;
        let session = Session::new(gpu.clone(), checkpoint).await.map_err(to_js)?;
        if !encdec {
            session.check_stream("opening a model here").map_err(to_js)?;
        }
        Ok(Playground { session, rng: Rng::new(seed), fallback_reason, gpu, text: None })
    }

    /// A Hugging Face GPT-2: its `model.safetensors`, `config.json` (optional: without it the
    /// heads are GPT-2's 64 wide), and tokenizer files `vocab.json` and `merges.txt` (GPT-2's
    /// encoder.json and vocab.bpe). Inference only.
    #[wasm_bindgen(js_name = loadGpt2)]
    pub async fn load_gpt2(
        weights: Vec<u8>,
        config_json: Option<String>,
        vocab_json: String,
        merges_txt: String,
        backend: String,
        seed: u64,
    ) -> Result<Playground, JsValue> {
        let bpe = Bpe::from_gpt2_files(&vocab_json, &merges_txt).map_err(to_js)?;
        let gpt2 = import_hf_gpt2_checked(&weights, config_json.as_deref(), memory::check_weights).map_err(to_js)?;
        drop(weights);
        if bpe.vocab_size() != gpt2.config.vocab_size {
            return Err(to_js(CoreError::HfNotGpt2 {
                reason: format!(
                    "vocab.json has {} tokens but the weights have {}; do the files belong together?",
                    bpe.vocab_size(),
                    gpt2.config.vocab_size
                ),
            }));
        }
        Self::open_imported(gpt2.config, gpt2.params, TextTokenizer::Gpt2(Box::new(bpe)), "Hugging Face GPT-2", &backend, seed).await
    }

    /// A Hugging Face model (GPT2LMHeadModel, LlamaForCausalLM, Qwen2ForCausalLM) from its
    /// files: `config.json`, `tokenizer.json`, `tokenizer_config.json` (optional), and its
    /// safetensors weights (`model.safetensors`, or the shards its index names, in
    /// `weight_names` order). A rotary model attends over at most `context` tokens.
    /// Inference only.
    #[wasm_bindgen(js_name = loadHub)]
    #[allow(clippy::too_many_arguments)]
    pub async fn load_hub(
        source: String,
        config_json: String,
        tokenizer_json: String,
        tokenizer_config_json: Option<String>,
        weight_names: Vec<String>,
        weights: Vec<js_sys::Uint8Array>,
        context: usize,
        backend: String,
        seed: u64,
    ) -> Result<Playground, JsValue> {
        let hf = HfConfig::from_json(&config_json).map_err(to_js)?;
        let tokenizer = HfTokenizer::from_json(&tokenizer_json, tokenizer_config_json.as_deref()).map_err(to_js)?;
        if tokenizer.vocab_size() > hf.vocab_size {
            return Err(to_js(CoreError::HfInvalid {
                file: "tokenizer.json".into(),
                field: "model.vocab".into(),
                reason: format!(
                    "{} tokens, but config.json's model has {}; do the files belong together?",
                    tokenizer.vocab_size(),
                    hf.vocab_size
                ),
            }));
        }
        if weight_names.len() != weights.len() {
            return Err(bad_input(format!("{} weight names for {} weight files", weight_names.len(), weights.len())));
        }
        // each file is copied out of JS and dropped as soon as the parameters hold its values
        let files: Vec<(String, Vec<u8>)> = weight_names.into_iter().zip(weights.iter().map(|w| w.to_vec())).collect();
        drop(weights);
        let (config, params) = load_model_checked(&hf, &files, context, memory::check_weights).map_err(to_js)?;
        drop(files);
        Self::open_imported(config, params, TextTokenizer::Hub(Box::new(tokenizer)), &source, &backend, seed).await
    }

    /// An imported model with its own tokenizer; the session keeps a placeholder character
    /// vocabulary, which `text` stands in for.
    async fn open_imported(
        config: playground_core::ModelConfig,
        params: Vec<f32>,
        text: TextTokenizer,
        source: &str,
        backend: &str,
        seed: u64,
    ) -> Result<Playground, JsValue> {
        let placeholder = CharTokenizer::from_text(" ").map_err(to_js)?;
        let metadata = std::collections::BTreeMap::from([("source".to_string(), source.to_string())]);
        let checkpoint = Checkpoint { config, tokenizer: placeholder, params, metadata };
        let mut pg = Self::open(checkpoint, backend, seed, false).await?;
        pg.text = Some(text);
        Ok(pg)
    }

    /// Refuses what an imported model cannot do (training, exporting as a playground checkpoint).
    fn not_for_imported(&self, what: &str) -> Result<(), JsValue> {
        match self.text {
            Some(_) => Err(to_js(CoreError::Data(format!("{what} is not available for an imported model (inference only)")))),
            None => Ok(()),
        }
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> String {
        self.session.backend().into()
    }

    /// The adapter's name on WebGPU, else undefined.
    pub fn adapter(&self) -> Option<String> {
        self.gpu.as_ref().map(|g| g.adapter_name())
    }

    /// On WebGPU, the GPU the launches are sized for, and how it was chosen: "an unknown GPU
    /// (assumed mid-size), assumed", "a CPU emulating a GPU, …", after a trainer timed the
    /// plans "Apple M2 (10-core GPU), the fastest of 4 plans timed" (or "…, kept untimed: a step
    /// takes over 100 ms", "…, all 6 candidate plans launch alike here"); else undefined.
    #[wasm_bindgen(js_name = kernelsFor)]
    pub fn kernels_for(&self) -> Option<String> {
        let facts = self.gpu.as_ref().filter(|_| self.session.backend() == "webgpu")?.facts();
        let how = match LAUNCHES.with(|l| l.borrow().as_ref().map(|t| (t.ms_per_step.len(), t.plans))) {
            Some((1, _)) => format!("kept untimed: a step takes over {} ms", launch_tuning::SLOW_STEP_MS),
            Some((n, 1)) => format!("all {n} candidate plans launch alike here"),
            Some((_, n)) => format!("the fastest of {n} plans timed"),
            None if facts.emulated => "the adapter is a software fallback".into(),
            None => "assumed".into(),
        };
        Some(format!("{}, {how}", facts.name))
    }

    /// Why WebGPU is not used, when "auto" fell back to the CPU.
    #[wasm_bindgen(js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.clone()
    }

    /// `{ vocab_size, block_size, n_layer, n_head, n_embd, family, ... }`.
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_value(self.session.config())
    }

    /// Parameters of the model (`ModelConfig::param_count`: a tied head counted once).
    #[wasm_bindgen(js_name = paramCount)]
    pub fn param_count(&self) -> f64 {
        self.session.config().param_count() as f64
    }

    /// The model's description: its family, stacks of sublayers, norms, positions and head
    /// (`architecture.rs`), what the page's architecture map draws.
    pub fn architecture(&self) -> Result<JsValue, JsValue> {
        to_value(&architecture::ArchitectureDto::new(&Architecture::new(self.session.config())))
    }

    /// The model's stacks, blocks and sublayers with the trace keys of each (see
    /// `playground_core::trace_steps`): the page asks for these keys instead of spelling them.
    #[wasm_bindgen(js_name = traceSteps)]
    pub fn trace_steps(&self) -> Result<JsValue, JsValue> {
        to_value(&TraceSteps::new(&Architecture::new(self.session.config())))
    }

    /// The metadata of the checkpoint the model came from (`{}` for a fresh model).
    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        to_value(self.session.metadata())
    }

    /// The vocabulary, one string per token id (an encoder-decoder's PAD is "\n", BOS "^", EOS
    /// "$"). For an imported model, each token's bytes made legible (`␣the`, or `E4 B8` for
    /// part of a character: `TextTokenizer::legible_vocab`), not as its tokenizer file spells
    /// it (GPT-2's `Ġthe`, Llama's `▁the`).
    pub fn vocab(&self) -> Vec<String> {
        match &self.text {
            Some(text) => text.legible_vocab(),
            None => self.session.tokenizer.chars().iter().map(|c| c.to_string()).collect(),
        }
    }

    /// `[{ first, len, text, complete }]`: an imported model's byte-level tokens `ids` in runs
    /// whose bytes spell whole characters; empty for a character model (a token is a character).
    #[wasm_bindgen(js_name = tokenGroups)]
    pub fn token_groups(&self, ids: &[u32]) -> Result<JsValue, JsValue> {
        let groups = match &self.text {
            Some(text) => text.groups(ids).map_err(to_js)?,
            None => vec![],
        };
        to_value(&groups)
    }

    /// "char", "gpt2" or "hub": how `encode` splits a text.
    pub fn tokenizer(&self) -> String {
        self.text.as_ref().map_or("char", |text| text.kind()).into()
    }

    /// What opening a Hugging Face model will cost, from its config.json alone, before any weight
    /// is downloaded: `{ download_bytes, weights_bytes, activations_bytes, context }` (the
    /// download from `download_bytes` where the caller knows the files' sizes, else from the
    /// parameter count and the config's dtype). Refuses, with a DeviceLimit error naming the
    /// size, what wasm32's memory cannot hold beside the engines open already.
    #[wasm_bindgen(js_name = hubEstimate)]
    pub fn hub_estimate(config_json: &str, download_bytes: Option<f64>, context: usize) -> Result<JsValue, JsValue> {
        let hf = HfConfig::from_json(config_json).map_err(to_js)?;
        let estimate = MemoryEstimate::new(&hf, download_bytes.map(|b| b as u64), context);
        memory::check_estimate(&hf, &estimate).map_err(to_js)?;
        to_value(&estimate)
    }

    /// `{ created, live, live_bytes }`: the GPU buffers of this worker's shared device, for the
    /// soak test's leak check; undefined before a GPU engine was made.
    #[wasm_bindgen(js_name = gpuBuffers)]
    pub fn gpu_buffers() -> Result<JsValue, JsValue> {
        match GPU.with(|g| g.borrow().as_ref().map(|gpu| gpu.buffer_stats())) {
            Some(s) => to_value(&dto::BufferStatsDto { created: s.created, live: s.live, live_bytes: s.live_bytes }),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The generated tasks: `[{ name, lesson, alphabet, classes }]`; `classes` names the labels
    /// of the [CLS] classifier's task (empty for the tasks a model continues or unmasks); the
    /// last, "reversal", is the encoder-decoder's (its alphabet: PAD "\n", BOS, EOS, letters).
    pub fn tasks() -> Result<JsValue, JsValue> {
        let mut tasks: Vec<TaskDto> =
            Task::ALL.iter().map(|t| TaskDto { name: t.name(), lesson: t.lesson(), alphabet: t.alphabet(), classes: vec![] }).collect();
        tasks.push(TaskDto {
            name: classify::TASK_NAME,
            lesson: classify::LESSON,
            alphabet: classify::alphabet(),
            classes: classify::CLASSES.to_vec(),
        });
        tasks.push(TaskDto {
            name: reversal::TASK_NAME,
            lesson: reversal::LESSON,
            alphabet: reversal::tokenizer().chars().iter().collect(),
            classes: vec![],
        });
        to_value(&tasks)
    }

    /// `{ ids: Uint32Array, unknown: [{ position, char }] }`: characters outside the vocabulary
    /// are reported, not fatal.
    pub fn encode(&self, text: &str) -> Result<JsValue, JsValue> {
        let enc = match &self.text {
            Some(tokenizer) => Encoded { ids: tokenizer.encode(text), unknown: vec![] },
            None => self.session.tokenizer.encode_lossy(text),
        };
        let dto = EncodedDto { unknown: enc.unknown.iter().map(|&(position, ch)| UnknownDto { position, char: ch.to_string() }).collect() };
        let obj = to_value(&dto)?;
        js_sys::Reflect::set(&obj, &"ids".into(), &js_sys::Uint32Array::from(&enc.ids[..]))?;
        Ok(obj)
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, JsValue> {
        match &self.text {
            Some(tokenizer) => tokenizer.decode(ids).map_err(to_js),
            None => self.session.tokenizer.decode(ids).map_err(to_js),
        }
    }

    /// Runs the model on `ids` and returns `{ [key]: { shape, axes, data: Float32Array } }` for
    /// every key asked for (see `playground_core::trace`).
    pub async fn forward(&mut self, ids: Vec<u32>, keys: Vec<String>) -> Result<JsValue, JsValue> {
        let request = TraceRequest::keys(&keys).map_err(to_js)?;
        if self.session.backend() == "cpu" {
            memory::check_forward(self.session.config(), ids.len())?;
        }
        let out = self.session.forward(&ids, &request).await.map_err(to_js)?;
        inspect::trace_object(out.trace)
    }

    /// The distribution the next token is drawn from: softmax(logits / temperature), then
    /// top-k and top-p, renormalized. Temperature 0 is greedy.
    #[wasm_bindgen(js_name = samplingProbabilities)]
    pub fn sampling_probabilities(logits: &[f32], temperature: f32, top_k: u32, top_p: f32) -> Result<Vec<f32>, JsValue> {
        sampling_probabilities(logits, &SamplingParams { temperature, top_k: top_k as usize, top_p }).map_err(to_js)
    }

    /// Draws the next token id from `logits` with the engine's seeded generator.
    pub fn sample(&mut self, logits: &[f32], temperature: f32, top_k: u32, top_p: f32) -> Result<u32, JsValue> {
        sample(logits, &SamplingParams { temperature, top_k: top_k as usize, top_p }, &mut self.rng).map_err(to_js)
    }

    /// Restarts the sampling generator, so a generation can be replayed.
    #[wasm_bindgen(js_name = setSeed)]
    pub fn set_seed(&mut self, seed: u64) {
        self.rng = Rng::new(seed);
    }

    /// `n` new token ids continuing `prompt`, each sampled with the engine's generator.
    pub async fn generate(&mut self, prompt: Vec<u32>, n: u32, temperature: f32, top_k: u32, top_p: f32) -> Result<Vec<u32>, JsValue> {
        let sampling = SamplingParams { temperature, top_k: top_k as usize, top_p };
        self.session.generate(&prompt, n as usize, &sampling, &mut self.rng).await.map_err(to_js)
    }

    /// Sets the training data: `{ task }` or `{ text }`, tokenized with the model's vocabulary.
    /// An encoder-decoder's data is always its task: `{ task: "reversal" }` is accepted,
    /// anything else refused by name.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, data: JsValue, seed: u64) -> Result<(), JsValue> {
        self.not_for_imported("training")?;
        let data: DataDto = from_value(data)?;
        if self.session.config().family == Family::EncoderDecoder {
            return seq2seq::check_data(Some(&data));
        }
        let (data, source) = dataset(&data, Some(self.session.tokenizer.clone()), seed)?;
        self.session.set_data(data, source).map_err(to_js)
    }

    /// Prepares training with `config` (a TrainConfig object); `optimizer` (bytes from
    /// `exportOptimizer`) resumes a run.
    #[wasm_bindgen(js_name = startTraining)]
    pub async fn start_training(&mut self, config: JsValue, optimizer: Option<Vec<u8>>) -> Result<(), JsValue> {
        self.not_for_imported("training")?;
        let train: TrainConfig = from_value(config)?;
        memory::check_training(self.session.config(), &train, self.session.backend() == "webgpu")?;
        let len = ParamLayout::new(self.session.config()).padded_len();
        let opt = optimizer.map(|bytes| optimizer_from_bytes(&bytes, len)).transpose().map_err(to_js)?;
        self.session.start_training(train, opt.as_ref()).await.map_err(to_js)?;
        let untimed = LAUNCHES.with(|l| l.borrow().is_none());
        if untimed && self.gpu.as_ref().is_some_and(|g| !g.is_emulated()) {
            // a failed timing (a plan that does not compile here, a lost device, a broken step)
            // leaves the first candidate's plan and the weights as they were; the run's first
            // step reports what persists
            let _ = self.tune(launch_tuning::SLOW_STEP_MS).await;
        }
        Ok(())
    }

    /// Test hook: times the training step as each of `DeviceFacts::TUNING_CANDIDATES`
    /// launches it, however slow, and keeps the fastest, as `startTraining` does once a GPU
    /// where the GPU is not a CPU emulating one (and its steps are fast). Resolves to
    /// `{ kept, msPerStep, steps, plans }` (kept: the facts' key), or null on the CPU engine.
    #[wasm_bindgen(js_name = tuneLaunches)]
    pub async fn tune_launches(&mut self) -> Result<JsValue, JsValue> {
        let Some(tuned) = self.tune(f64::INFINITY).await? else {
            return Ok(JsValue::NULL);
        };
        to_value(&dto::TunedDto { kept: tuned.kept.key, ms_per_step: tuned.ms_per_step, steps: tuned.steps, plans: tuned.plans })
    }

    /// `Session::tune_launches` over `DeviceFacts::TUNING_CANDIDATES` on the page's clock; what it
    /// kept sizes the worker's later plans too.
    async fn tune(&mut self, slow_step_ms: f64) -> Result<Option<Tuned>, JsValue> {
        let tuned = self.session.tune_launches(&DeviceFacts::TUNING_CANDIDATES, slow_step_ms, &now_ms).await.map_err(to_js)?;
        if let Some(t) = &tuned {
            LAUNCHES.with(|l| *l.borrow_mut() = Some(t.clone()));
        }
        Ok(tuned)
    }

    /// Runs `n` training steps (an encoder-decoder's teacher-forced, on fresh reversal
    /// batches); resolves to `[{ step, loss, grad_norm, lr }]`. A broken step rejects with an
    /// Error named "NonFinite", the model back at its last good state.
    #[wasm_bindgen(js_name = trainSteps)]
    pub async fn train_steps(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let stats = self.session.train_steps(n as usize).await.map_err(to_js)?;
        to_value(&stats)
    }

    /// `{ train, val }`: mean loss on `batches` fixed batches of each split.
    pub async fn evaluate(&mut self, batches: u32) -> Result<JsValue, JsValue> {
        let (train, val) = self.session.evaluate(batches.max(1) as usize).await.map_err(to_js)?;
        to_value(&dto::EvalDto { train, val })
    }

    /// Steps taken so far.
    pub fn step(&self) -> u32 {
        self.session.step()
    }

    /// The weights as a safetensors checkpoint (nanoGPT names; config, vocabulary and run inside).
    #[wasm_bindgen(js_name = exportCheckpoint)]
    pub async fn export_checkpoint(&mut self) -> Result<Vec<u8>, JsValue> {
        self.not_for_imported("exporting a checkpoint")?;
        self.session.checkpoint().await.and_then(|c| Ok(c.to_bytes()?)).map_err(to_js)
    }

    /// Fault injection for the browser tests: "nan" poisons one weight, "device-lost" destroys
    /// the GPU device, "trap" aborts the wasm instance (`RuntimeError: unreachable`, as running
    /// out of memory or a panic does), losing every engine in it.
    #[wasm_bindgen(js_name = injectFault)]
    pub async fn inject_fault(&mut self, kind: String) -> Result<(), JsValue> {
        if kind == "trap" {
            std::process::abort();
        }
        self.session.inject_fault(&kind).await.map_err(to_js)
    }

    /// AdamW's state while training, to resume exactly (kept apart from the weights file).
    #[wasm_bindgen(js_name = exportOptimizer)]
    pub async fn export_optimizer(&mut self) -> Result<Vec<u8>, JsValue> {
        let opt = self.session.optimizer().await.map_err(to_js)?;
        Ok(optimizer_to_bytes(&opt))
    }
}
