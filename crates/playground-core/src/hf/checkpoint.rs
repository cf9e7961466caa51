//! The weights a config needs, found in the safetensors headers before anything is
//! allocated: every tensor present once, with the config's shape and a dtype that is read.
//! So the f32 buffer sized from config.json is paid for by bytes the files really hold.

use super::config::{HfArchitecture, HfConfig};
use super::weights::{SafetensorsHeader, WeightDtype};
use crate::error::CoreError;

/// Where a tensor of the config is: file (index into the headers) and tensor (index into
/// that header's `tensors`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorLocation {
    /// The name config.json's model gives it (`HfConfig::tensors`).
    pub name: String,
    pub shape: Vec<usize>,
    pub file: usize,
    pub tensor: usize,
}

/// Buffers some checkpoints carry that are not weights: GPT-2's causal masks, old Llama
/// checkpoints' RoPE frequencies.
fn is_buffer(name: &str) -> bool {
    name.ends_with(".attn.bias") || name.ends_with(".attn.masked_bias") || name.ends_with(".rotary_emb.inv_freq")
}

/// Finds each of `config`'s tensors in `headers`; refuses a missing, misshapen, repeated or
/// unreadable one, and a tensor the config has no place for.
pub fn locate_tensors(config: &HfConfig, headers: &[SafetensorsHeader]) -> Result<Vec<TensorLocation>, CoreError> {
    // GPT-2 files name the tensors with or without "transformer."
    let prefix = match config.architecture {
        HfArchitecture::Gpt2 if headers.iter().any(|h| h.tensor("transformer.wte.weight").is_some()) => "transformer.",
        _ => "",
    };
    let Some(first) = headers.first() else {
        return Err(refuse("model.safetensors", "*", "no weight file was given".into()));
    };
    let expected = config.tensors();
    let stored_name = |name: &str| if name == "lm_head.weight" { name.to_string() } else { format!("{prefix}{name}") };
    let mut found = Vec::with_capacity(expected.len());
    for (name, shape) in &expected {
        let stored = stored_name(name);
        let mut places = headers.iter().enumerate().filter_map(|(f, h)| h.tensors.iter().position(|t| t.name == stored).map(|t| (f, t)));
        let (file, tensor) = places.next().ok_or_else(|| refuse(&first.file, &stored, "is missing".into()))?;
        if let Some((other, _)) = places.next() {
            return Err(refuse(&headers[other].file, &stored, format!("is also in {}", headers[file].file)));
        }
        let info = &headers[file].tensors[tensor];
        if info.shape != *shape {
            return Err(refuse(&headers[file].file, &stored, format!("has shape {:?}, but config.json makes it {shape:?}", info.shape)));
        }
        if let WeightDtype::Other { name: dtype, .. } = &info.dtype {
            return Err(refuse(&headers[file].file, &stored, format!("has dtype {dtype}; weights are read from F32, F16 and BF16")));
        }
        found.push(TensorLocation { name: name.clone(), shape: shape.clone(), file, tensor });
    }
    let known: Vec<String> = expected.iter().map(|(name, _)| stored_name(name)).collect();
    for header in headers {
        // a tied head may be stored anyway (GPT-2's files do)
        let extra = header.tensors.iter().find(|t| !known.contains(&t.name) && !is_buffer(&t.name) && t.name != "lm_head.weight");
        if let Some(extra) = extra {
            return Err(refuse(
                &header.file,
                &extra.name,
                format!("has no place in a {:?} model of this config.json", config.architecture),
            ));
        }
    }
    Ok(found)
}

fn refuse(file: &str, tensor: &str, reason: String) -> CoreError {
    CoreError::HfInvalid { file: file.into(), field: format!("tensor {tensor:?}"), reason }
}
