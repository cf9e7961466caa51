//! The encoder-decoder's side of `Playground`: a fresh one (its vocabulary and data are the
//! reversal task's), and `translate`, which runs a source both ways: teacher forcing (the
//! decoder fed the true target) and step by step (fed its own outputs), with the
//! cross-attention of every layer and head as an alignment. The training calls are
//! `Playground`'s own, answered by its `Session`.

use crate::dto::{CreateOptions, DataDto};
use crate::errors::{bad_input, to_js};
use crate::Playground;
use playground_core::checkpoint::Checkpoint;
use playground_core::data::seq2seq::{self, TASK_NAME};
use playground_core::CpuModel;
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

/// A freshly initialized encoder-decoder: `Playground.create`'s options with `config.family`
/// "encoder_decoder", no vocabulary and the data (if given) `{ task: "reversal" }`.
pub async fn create(opts: &CreateOptions) -> Result<Playground, JsValue> {
    if opts.vocab.is_some() {
        return Err(bad_input("an encoder-decoder's vocabulary is its task's; give no vocab"));
    }
    check_data(opts.data.as_ref())?;
    let tokenizer = seq2seq::tokenizer();
    let config = opts.config.with_vocab(tokenizer.vocab_size());
    config.validate().and_then(|()| crate::memory::check_weights(&config)).map_err(to_js)?;
    let params = CpuModel::new(config, opts.seed).map_err(to_js)?.params;
    let checkpoint = Checkpoint { config, tokenizer, params, metadata: Default::default() };
    Playground::open(checkpoint, &opts.backend, opts.seed, true).await
}

#[wasm_bindgen]
impl Playground {
    /// Runs the model on `source` (letters a–h, at most block_size − 1 of them) both ways.
    pub async fn translate(&mut self, source: &str) -> Result<JsValue, JsValue> {
        let session = &mut self.session;
        let d = session.decode(source).await.map_err(to_js)?;
        let tok = &session.tokenizer;
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
            t: session.config().block_size,
        };
        crate::to_value(&translation)
    }
}

/// The only data an encoder-decoder trains on is the reversal task.
pub fn check_data(data: Option<&DataDto>) -> Result<(), JsValue> {
    let refused = match data {
        None => return Ok(()),
        Some(DataDto { task: Some(task), text: None }) if task == TASK_NAME => return Ok(()),
        Some(DataDto { text: Some(_), .. }) => "a text".to_string(),
        Some(DataDto { task, .. }) => format!("{:?}", task.as_deref().unwrap_or("nothing")),
    };
    Err(bad_input(format!("an encoder-decoder trains on the {TASK_NAME:?} task only, not {refused}")))
}
