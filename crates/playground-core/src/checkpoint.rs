//! Checkpoints as safetensors files that PyTorch loads into nanoGPT's `GPT` directly:
//! tensor names are nanoGPT's `state_dict` keys, Linear weights are (out, in), the tied head
//! is stored a second time as `lm_head.weight`, and the header metadata carries the config
//! and the vocabulary. Loading validates everything (names, dtypes, shapes, values) and
//! refuses the file with a reason rather than guessing.

use crate::config::ModelConfig;
use crate::error::CoreError;
use crate::order::sorted_indices;
use crate::params::ParamLayout;
use crate::tokenizer::CharTokenizer;
use crate::train::OptimizerState;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::BTreeMap;

/// The `format` metadata value that marks our files.
pub const FORMAT: &str = "transformer-playground";
/// Bumped when the file layout changes incompatibly.
pub const FORMAT_VERSION: &str = "1";
/// The tied output head's key (a copy of `transformer.wte.weight`).
pub const LM_HEAD: &str = "lm_head.weight";

/// A model as stored: its config, its vocabulary, its flat parameters (laid out by
/// `ParamLayout`) and free-form metadata (training step, task, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    pub config: ModelConfig,
    pub tokenizer: CharTokenizer,
    pub params: Vec<f32>,
    pub metadata: BTreeMap<String, String>,
}

fn refuse(reason: impl Into<String>) -> CoreError {
    CoreError::Checkpoint(reason.into())
}

impl Checkpoint {
    /// Serializes to safetensors bytes. The same checkpoint always gives the same bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CoreError> {
        let layout = ParamLayout::new(&self.config);
        if self.params.len() != layout.padded_len() {
            return Err(CoreError::Shape { op: "Checkpoint::to_bytes", expected: vec![layout.padded_len()], got: vec![self.params.len()] });
        }
        let mut tensors: Vec<(String, Vec<usize>, &[f32])> =
            layout.tensors().iter().map(|t| (t.name.clone(), t.shape.clone(), t.span.of(&self.params))).collect();
        if layout.lm_head.is_none() {
            // tied: nanoGPT's state_dict holds the shared tensor under both names
            tensors.push((LM_HEAD.into(), vec![self.config.vocab_size, self.config.n_embd], layout.wte.of(&self.params)));
        }
        let mut meta = self.metadata.clone();
        meta.insert("format".into(), FORMAT.into());
        meta.insert("format_version".into(), FORMAT_VERSION.into());
        meta.insert("config".into(), serde_json::to_string(&self.config).expect("config serializes"));
        meta.insert("vocab".into(), serde_json::to_string(self.tokenizer.chars()).expect("chars serialize"));
        Ok(write_safetensors(tensors, &meta))
    }

    /// The config in a checkpoint's header, validated, with nothing of the weights read: what
    /// a model will need can be checked before it is loaded.
    pub fn config_of(bytes: &[u8]) -> Result<ModelConfig, CoreError> {
        Ok(read_header(bytes)?.1)
    }

    /// Parses and validates safetensors bytes written by `to_bytes` (or by the PyTorch side).
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, CoreError> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| refuse(format!("not a valid safetensors file ({e})")))?;
        let (meta, config) = read_header(bytes)?;
        let get = |key: &str| meta.get(key).ok_or_else(|| refuse(format!("the header metadata has no {key:?}")));
        let chars: Vec<char> =
            serde_json::from_str(get("vocab")?).map_err(|e| refuse(format!("vocab in the header is not a list of characters: {e}")))?;
        let tokenizer = CharTokenizer::from_chars(chars)?;
        if tokenizer.vocab_size() != config.vocab_size {
            return Err(refuse(format!(
                "the vocabulary has {} characters but the config says vocab_size = {}",
                tokenizer.vocab_size(),
                config.vocab_size
            )));
        }

        let layout = ParamLayout::new(&config);
        // the config sizes what gets allocated: it must be paid for by the file's own bytes
        let needed: u64 = layout.tensors().iter().map(|t| t.numel() as u64 * 4).sum();
        if needed > bytes.len() as u64 {
            return Err(refuse(format!("the file holds {} bytes, but its config needs {needed} bytes of weights", bytes.len())));
        }
        let expected: Vec<&str> = layout.tensors().iter().map(|t| t.name.as_str()).chain([LM_HEAD]).collect();
        if let Some(extra) = st.names().into_iter().find(|n| !expected.contains(n)) {
            return Err(refuse(format!(
                "unexpected tensor {extra:?} for the config in the header ({} layers, {:?} norm, {:?} positions, {:?} FFN, {} head)",
                config.n_layer,
                config.norm,
                config.positions,
                config.ffn,
                if config.tie_head { "tied" } else { "untied" }
            )));
        }
        let mut params = vec![0.0f32; layout.padded_len()];
        for t in layout.tensors() {
            let view = st.tensor(&t.name).map_err(|_| refuse(format!("tensor {:?} is missing", t.name)))?;
            let values = read_f32(&t.name, &view, &t.shape)?;
            t.span.of_mut(&mut params).copy_from_slice(&values);
        }
        if let (None, Ok(head)) = (layout.lm_head, st.tensor(LM_HEAD)) {
            let wte = layout.wte.of(&params);
            if read_f32(LM_HEAD, &head, &[config.vocab_size, config.n_embd])? != wte {
                return Err(refuse("lm_head.weight differs from transformer.wte.weight, but this model ties them"));
            }
        }
        // inserted one by one: collecting into a BTreeMap sorts first, a sort the wasm would carry for this alone
        let mut metadata = BTreeMap::new();
        metadata.extend(meta.into_iter().filter(|(k, _)| !["format", "format_version", "config", "vocab"].contains(&k.as_str())));
        Ok(Checkpoint { config, tokenizer, params, metadata })
    }
}

/// The header's metadata and its config, checked to be ours and valid.
fn read_header(bytes: &[u8]) -> Result<(std::collections::HashMap<String, String>, ModelConfig), CoreError> {
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| refuse(format!("not a valid safetensors file ({e})")))?;
    let meta = header.metadata().clone().unwrap_or_default();
    let get = |key: &str| {
        meta.get(key).ok_or_else(|| refuse(format!("the header metadata has no {key:?}; is this a Transformer Playground checkpoint?")))
    };
    if get("format")? != FORMAT {
        return Err(refuse(format!("format is {:?}, expected {FORMAT:?}", meta["format"])));
    }
    let version = get("format_version")?;
    if version != FORMAT_VERSION {
        return Err(refuse(format!("format version {version} is not supported (this build reads version {FORMAT_VERSION})")));
    }
    let config: ModelConfig =
        serde_json::from_str(get("config")?).map_err(|e| refuse(format!("config in the header is not valid: {e}")))?;
    config.validate()?;
    Ok((meta, config))
}

/// AdamW's moments as a safetensors file of its own (so the weights file stays a plain
/// nanoGPT state dict): tensors `adamw.m` and `adamw.v`, flat, and the step in the metadata.
pub fn optimizer_to_bytes(opt: &OptimizerState) -> Vec<u8> {
    let tensors = vec![("adamw.m".to_string(), vec![opt.m.len()], &opt.m[..]), ("adamw.v".to_string(), vec![opt.v.len()], &opt.v[..])];
    let mut meta = BTreeMap::new();
    meta.insert("format".to_string(), format!("{FORMAT}-optimizer"));
    meta.insert("step".to_string(), opt.step.to_string());
    write_safetensors(tensors, &meta)
}

/// Writes F32 tensors in the safetensors layout: an 8-byte little-endian header length, the
/// JSON header (metadata and tensors in name order, padded with spaces to a multiple of 8),
/// then the data in the same order. Sorted keys make the bytes deterministic (the
/// `safetensors` crate's writer takes a `HashMap`, whose order is not).
fn write_safetensors(tensors: Vec<(String, Vec<usize>, &[f32])>, meta: &BTreeMap<String, String>) -> Vec<u8> {
    let tensors: Vec<_> = sorted_indices(tensors.len(), &|a, b| tensors[a].0.cmp(&tensors[b].0)).into_iter().map(|i| &tensors[i]).collect();
    // written out rather than built as a `serde_json::Value`, whose code the wasm would carry
    // for this alone; keys in the order a sorted map gives ("__metadata__" sorts before the
    // lower-case tensor names, "data_offsets" < "dtype" < "shape")
    let quote = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut json = format!("{{\"__metadata__\":{}", serde_json::to_string(meta).expect("strings serialize"));
    let mut offset = 0;
    for (name, shape, data) in &tensors {
        let end = offset + data.len() * 4;
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        json += &format!(",{}:{{\"data_offsets\":[{offset},{end}],\"dtype\":\"F32\",\"shape\":[{}]}}", quote(name), dims.join(","));
        offset = end;
    }
    json.push('}');
    while !json.len().is_multiple_of(8) {
        json.push(' ');
    }
    let mut out = Vec::with_capacity(8 + json.len() + offset);
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    for (_, _, data) in &tensors {
        out.extend(data.iter().flat_map(|x| x.to_le_bytes()));
    }
    out
}

/// Reads what `optimizer_to_bytes` wrote, for a model with `len` parameter slots.
pub fn optimizer_from_bytes(bytes: &[u8], len: usize) -> Result<OptimizerState, CoreError> {
    let st = SafeTensors::deserialize(bytes).map_err(|e| refuse(format!("optimizer state: not a valid safetensors file ({e})")))?;
    let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| refuse(e.to_string()))?;
    let meta = header.metadata().clone().unwrap_or_default();
    if meta.get("format").map(String::as_str) != Some(&format!("{FORMAT}-optimizer")) {
        return Err(refuse("this is not a Transformer Playground optimizer state"));
    }
    let step: u32 = meta.get("step").and_then(|s| s.parse().ok()).ok_or_else(|| refuse("optimizer state without a valid step"))?;
    let read = |name: &str| -> Result<Vec<f32>, CoreError> {
        let view = st.tensor(name).map_err(|_| refuse(format!("optimizer state: {name:?} is missing")))?;
        read_f32(name, &view, &[len])
    };
    Ok(OptimizerState { step, m: read("adamw.m")?, v: read("adamw.v")? })
}

/// The values of one stored tensor, checked for dtype, shape and finiteness.
fn read_f32(name: &str, view: &TensorView, shape: &[usize]) -> Result<Vec<f32>, CoreError> {
    if view.dtype() != Dtype::F32 {
        return Err(refuse(format!("tensor {name:?} has dtype {:?}; only F32 is supported", view.dtype())));
    }
    if view.shape() != shape {
        return Err(refuse(format!("tensor {name:?} has shape {:?}, expected {shape:?}", view.shape())));
    }
    let values: Vec<f32> = view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    if let Some(i) = values.iter().position(|x| !x.is_finite()) {
        return Err(refuse(format!("tensor {name:?} holds {} at index {i}", values[i])));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuModel;

    fn sample() -> Checkpoint {
        let tokenizer = CharTokenizer::from_text("ab c").unwrap();
        let config = ModelConfig { vocab_size: 4, block_size: 5, n_layer: 2, n_head: 2, n_embd: 6, ..ModelConfig::default() };
        let params = CpuModel::new(config, 3).unwrap().params;
        Checkpoint { config, tokenizer, params, metadata: BTreeMap::from([("step".to_string(), "12".to_string())]) }
    }

    #[test]
    fn round_trips_exactly_and_writes_the_same_bytes_every_time() {
        let ck = sample();
        let bytes = ck.to_bytes().unwrap();
        let back = Checkpoint::from_bytes(&bytes).unwrap();
        assert_eq!(back, ck);
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn variant_checkpoints_round_trip_and_refuse_another_architecture() {
        use crate::config::{Ffn, Norm, NormPosition, Positions};
        let base = sample();
        let config = ModelConfig {
            norm: Norm::RmsNorm,
            norm_position: NormPosition::Post,
            positions: Positions::Rotary,
            ffn: Ffn::SwiGlu,
            tie_head: false,
            n_head: 3, // HS = 2: rotary needs an even head width
            ..base.config
        };
        let ck = Checkpoint { config, params: CpuModel::new(config, 4).unwrap().params, ..base.clone() };
        let bytes = ck.to_bytes().unwrap();
        assert_eq!(Checkpoint::from_bytes(&bytes).unwrap(), ck);
        let text = String::from_utf8_lossy(&bytes[..200.min(bytes.len())]).to_string();
        assert!(!text.contains("transformer.wpe"), "rotary: no wpe stored");
        // the same tensors under a header that claims learned positions and a tied head
        let json = serde_json::to_string(&config).unwrap();
        let other = serde_json::to_string(&ModelConfig { positions: Positions::Learned, ..config }).unwrap();
        let mut swapped = bytes.clone();
        let (from, to) = (json.replace('"', "\\\""), other.replace('"', "\\\""));
        let header = String::from_utf8(swapped[8..8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize].to_vec()).unwrap();
        assert!(header.contains(&from), "{header}");
        let new_header = header.replace(&from, &to);
        let mut padded = new_header.clone();
        while !padded.len().is_multiple_of(8) {
            padded.push(' ');
        }
        swapped = [(padded.len() as u64).to_le_bytes().to_vec(), padded.into_bytes(), bytes[8 + header.len()..].to_vec()].concat();
        let err = Checkpoint::from_bytes(&swapped).unwrap_err().to_string();
        assert!(err.contains("transformer.wpe.weight"), "{err}");
    }

    #[test]
    fn header_is_the_json_a_sorted_map_writes() {
        // the header written by hand, byte for byte what serde_json writes for the same map
        let bytes = sample().to_bytes().unwrap();
        let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + len]).unwrap().trim_end();
        let parsed: serde_json::Value = serde_json::from_str(header).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), header);
        assert_eq!(parsed["lm_head.weight"]["dtype"], "F32");
        let tensors = parsed.as_object().unwrap().len() - 1;
        assert_eq!(tensors, ParamLayout::new(&sample().config).tensors().len() + 1, "{header}");
    }

    #[test]
    fn optimizer_state_round_trips_and_checks_its_length() {
        let opt = OptimizerState { step: 7, m: vec![0.5, -1.0, 2.0], v: vec![0.25, 1.0, 4.0] };
        let bytes = optimizer_to_bytes(&opt);
        assert_eq!(optimizer_from_bytes(&bytes, 3).unwrap(), opt);
        assert!(optimizer_from_bytes(&bytes, 4).unwrap_err().to_string().contains("shape"));
        assert!(optimizer_from_bytes(&sample().to_bytes().unwrap(), 3).is_err());
    }

    #[test]
    fn refuses_truncated_and_foreign_files() {
        let bytes = sample().to_bytes().unwrap();
        for cut in [0, 7, 8, 100, bytes.len() - 1] {
            let err = Checkpoint::from_bytes(&bytes[..cut]).unwrap_err();
            assert!(matches!(err, CoreError::Checkpoint(_)), "cut at {cut}: {err}");
        }
        let plain = safetensors::tensor::serialize(Vec::<(String, TensorView)>::new(), None).unwrap();
        assert!(Checkpoint::from_bytes(&plain).unwrap_err().to_string().contains("no \"format\""));
    }
}
