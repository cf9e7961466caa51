//! The encoder-decoder for JavaScript: `EncDecSession` (reversal, teacher forcing) behind the
//! methods of `Playground` that the Train page's trainer calls (create, load, startTraining,
//! trainSteps, evaluate, checkpoints), plus `translate`, which runs a source both ways: teacher
//! forcing (the decoder fed the true target) and step by step (fed its own outputs), with the
//! cross-attention of every layer and head as an alignment.

use crate::dto::{CreateOptions, EvalDto};
use crate::errors::to_js;
use playground_core::checkpoint::{optimizer_from_bytes, optimizer_to_bytes, Checkpoint};
use playground_core::data::seq2seq::{self, TASK_NAME};
use playground_core::train::TrainConfig;
use playground_core::{CoreError, ParamLayout};
use playground_gpu::EncDecSession;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One decoding mode's story, position by position.
#[derive(Serialize)]
struct Decoding {
    /// What the decoder was fed at each position (BOS, then the true target or its own outputs).
    fed: Vec<String>,
    /// What it predicted at each position.
    predicted: Vec<String>,
    /// The predicted text up to EOS.
    text: String,
}

#[derive(Serialize)]
struct Translation {
    /// The padded source row, one token per position (padding is "").
    source: Vec<String>,
    /// The true target (the source reversed).
    target: String,
    teacher: Decoding,
    greedy: Decoding,
    /// Per decoder layer, per head: the step-by-step pass's cross-attention (T rows of target
    /// positions, T columns of source positions), flattened row-major.
    cross: Vec<Vec<Vec<f32>>>,
    /// Per encoder layer, per head: self-attention over the source (T × T).
    enc_self: Vec<Vec<Vec<f32>>>,
    /// Per decoder layer, per head: causal self-attention over what the decoder was fed (T × T).
    dec_self: Vec<Vec<Vec<f32>>>,
    t: usize,
}

#[wasm_bindgen]
pub struct Seq2Seq {
    session: EncDecSession,
    fallback_reason: Option<String>,
    adapter: Option<String>,
}

fn bad(message: String) -> JsValue {
    to_js(CoreError::Data(message))
}

#[wasm_bindgen]
impl Seq2Seq {
    /// A fresh encoder-decoder: `Playground.create`'s options, with `config.family`
    /// "encoder_decoder" and the data (if given) `{ task: "reversal" }`.
    pub async fn create(options: JsValue) -> Result<Seq2Seq, JsValue> {
        let opts: CreateOptions = serde_wasm_bindgen::from_value(options).map_err(|e| bad(e.to_string()))?;
        if opts.vocab.is_some() {
            return Err(bad("an encoder-decoder's vocabulary is its task's; give no vocab".into()));
        }
        check_data(opts.data.as_ref().map(|d| (d.task.as_deref(), d.text.is_some())))?;
        let config = opts.config.with_vocab(0);
        let (gpu, fallback_reason) = crate::choose_gpu(&opts.backend).await?;
        let adapter = gpu.as_ref().map(|g| g.adapter_name());
        let session = EncDecSession::fresh(gpu, config, opts.seed).await.map_err(to_js)?;
        Ok(Seq2Seq { session, fallback_reason, adapter })
    }

    /// An encoder-decoder from a checkpoint file's bytes (validated before use).
    pub async fn load(bytes: Vec<u8>, backend: String, _seed: u64) -> Result<Seq2Seq, JsValue> {
        let checkpoint = Checkpoint::from_bytes(&bytes).map_err(to_js)?;
        let (gpu, fallback_reason) = crate::choose_gpu(&backend).await?;
        let adapter = gpu.as_ref().map(|g| g.adapter_name());
        let session = EncDecSession::new(gpu, checkpoint).await.map_err(to_js)?;
        Ok(Seq2Seq { session, fallback_reason, adapter })
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> String {
        self.session.backend().into()
    }

    pub fn adapter(&self) -> Option<String> {
        self.adapter.clone()
    }

    #[wasm_bindgen(js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.fallback_reason.clone()
    }

    pub fn config(&self) -> Result<JsValue, JsValue> {
        crate::to_value(self.session.config())
    }

    pub fn metadata(&self) -> Result<JsValue, JsValue> {
        crate::to_value(self.session.metadata())
    }

    /// The vocabulary, one string per token id (PAD is "\n", BOS "^", EOS "$").
    pub fn vocab(&self) -> Vec<String> {
        self.session.tokenizer.chars().iter().map(|c| c.to_string()).collect()
    }

    /// How a text is split: one token per character.
    pub fn tokenizer(&self) -> String {
        "char".into()
    }

    /// The data is always the reversal task: `{ task: "reversal" }` is accepted, anything else
    /// refused by name.
    #[wasm_bindgen(js_name = setData)]
    pub fn set_data(&mut self, data: JsValue, _seed: u64) -> Result<(), JsValue> {
        let data: crate::dto::DataDto = serde_wasm_bindgen::from_value(data).map_err(|e| bad(e.to_string()))?;
        check_data(Some((data.task.as_deref(), data.text.is_some())))
    }

    /// Prepares training with `config` (a TrainConfig object); `optimizer` (bytes from
    /// `exportOptimizer`) resumes a run.
    #[wasm_bindgen(js_name = startTraining)]
    pub async fn start_training(&mut self, config: JsValue, optimizer: Option<Vec<u8>>) -> Result<(), JsValue> {
        let train: TrainConfig = serde_wasm_bindgen::from_value(config).map_err(|e| bad(e.to_string()))?;
        let len = ParamLayout::new(self.session.config()).padded_len();
        let opt = optimizer.map(|bytes| optimizer_from_bytes(&bytes, len)).transpose().map_err(to_js)?;
        self.session.start_training(train, opt.as_ref()).await.map_err(to_js)
    }

    /// `n` teacher-forced steps on fresh reversal batches: `[{ step, loss, grad_norm, lr }]`.
    #[wasm_bindgen(js_name = trainSteps)]
    pub async fn train_steps(&mut self, n: u32) -> Result<JsValue, JsValue> {
        let stats = self.session.train_steps(n as usize).await.map_err(to_js)?;
        crate::to_value(&stats)
    }

    /// `{ train, val }`: mean loss on `batches` fixed batches of training and of held-out sources.
    pub async fn evaluate(&mut self, batches: u32) -> Result<JsValue, JsValue> {
        let (train, val) = self.session.evaluate(batches.max(1) as usize).await.map_err(to_js)?;
        crate::to_value(&EvalDto { train, val })
    }

    pub fn step(&self) -> u32 {
        self.session.step()
    }

    /// The weights as a safetensors checkpoint (config, vocabulary and run in the header).
    #[wasm_bindgen(js_name = exportCheckpoint)]
    pub async fn export_checkpoint(&mut self) -> Result<Vec<u8>, JsValue> {
        let checkpoint = self.session.checkpoint().await.map_err(to_js)?;
        checkpoint.to_bytes().map_err(to_js)
    }

    /// AdamW's state while training, to resume exactly.
    #[wasm_bindgen(js_name = exportOptimizer)]
    pub async fn export_optimizer(&mut self) -> Result<Vec<u8>, JsValue> {
        Ok(optimizer_to_bytes(&self.session.optimizer().await.map_err(to_js)?))
    }

    /// Runs the model on `source` (letters a–h, at most block_size − 1 of them) both ways.
    pub async fn translate(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let d = self.session.decode(source).await.map_err(to_js)?;
        let tok = &self.session.tokenizer;
        // padding shows as "", BOS and EOS as their characters
        let spell = |ids: &[u32]| -> Vec<String> {
            ids.iter()
                .map(|&id| match tok.token(id) {
                    Ok(seq2seq::PAD_CHAR) | Err(_) => String::new(),
                    Ok(ch) => ch.to_string(),
                })
                .collect()
        };
        let text = |ids: &[u32]| seq2seq::until_eos(tok, ids).map_err(to_js);
        let translation = Translation {
            source: spell(&d.rows.src),
            target: seq2seq::target_of(source),
            teacher: Decoding { fed: spell(&d.rows.dec_in), predicted: spell(&d.forced), text: text(&d.forced)? },
            greedy: Decoding { fed: spell(&d.fed), predicted: spell(&d.outputs), text: text(&d.outputs)? },
            cross: d.cross,
            enc_self: d.enc_self,
            dec_self: d.dec_self,
            t: self.session.config().block_size,
        };
        crate::to_value(&translation)
    }
}

/// The only data an encoder-decoder trains on is the reversal task.
fn check_data(data: Option<(Option<&str>, bool)>) -> Result<(), JsValue> {
    match data {
        None | Some((Some(TASK_NAME), false)) => Ok(()),
        Some((task, text)) => Err(bad(format!(
            "an encoder-decoder trains on the {TASK_NAME:?} task only, not {}",
            if text { "a text".to_string() } else { format!("{:?}", task.unwrap_or("nothing")) }
        ))),
    }
}
