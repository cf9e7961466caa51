//! The backward pass, opened up: for one training batch and one chosen block, the gradient
//! of the loss with respect to each traced intermediate of that block, under the forward
//! key's name with `grad.` in front and with the forward key's shape (batch row 0).
//! Also the per-tensor sizes of gradients and of AdamW's last update.
//!
//! | key | shape | the gradient with respect to |
//! |---|---|---|
//! | `grad.block{l}.residual` | (T, C) | the block's output (the residual stream after it) |
//! | `grad.block{l}.ffn.act`, `.ffn.pre` | (T, H) | the FFN hidden layer after and before its activation |
//! | `grad.block{l}.ln2`, `.ln1` | (T, C) | the norm outputs |
//! | `grad.block{l}.res1` | (T, C) | the residual stream after attention |
//! | `grad.block{l}.attn.concat` | (T, C) | all heads' outputs, before the projection |
//! | `grad.block{l}.head{h}.out`, `.q`, `.k`, `.v` | (T, HS) | the head's output, queries, keys, values |
//! | `grad.block{l}.head{h}.att` | (T, T) | the attention weights: dA = dO·Vᵀ (0 above the diagonal) |
//! | `grad.block{l}.head{h}.scores` | (T, T) | the scores: dS = A ⊙ (dA − rowsum(A ⊙ dA)) |

use crate::arch::Architecture;
use crate::cpu::keys_seen;
use crate::error::CoreError;
use crate::model::{Activations, CpuModel};
use crate::params::ParamLayout;
use crate::trace::{Buf, HeadPart, Part, Site, TraceKey, TraceTensor};
use crate::train::{OptimizerState, TrainConfig};
use std::collections::HashMap;

/// One batch's loss, parameter gradients, and the forward and backward traces of one block.
#[derive(Clone, Debug)]
pub struct BackwardTrace {
    pub loss: f32,
    pub grads: Vec<f32>,            // like params
    pub forward: Vec<TraceTensor>,  // forward keys of the block
    pub backward: Vec<TraceTensor>, // the same keys with `grad.` in front
}

/// Forward and backward over the batch (x, y), each (B, T), of a single-stream model,
/// recording block `layer`.
pub fn backward_trace(model: &CpuModel, x: &[u32], y: &[u32], b: usize, t: usize, layer: usize) -> Result<BackwardTrace, CoreError> {
    let (cfg, arch) = (&model.config, &model.arch);
    if layer >= cfg.n_layer {
        return Err(CoreError::Config { field: "layer", value: layer as u64, reason: format!("the model has {} layers", cfg.n_layer) });
    }
    let mut acts = Activations::new(arch, b, t);
    let loss = model.forward_train(&mut acts, &[x], y)?;
    let mut grads = vec![0.0; model.params.len()];
    // the block's gradients, batch row 0, by sublayer and the activation they belong to
    let mut kept: HashMap<(usize, Buf), Vec<f32>> = HashMap::new();
    model.backward_observed(&mut grads, &acts, &[x], y, &mut |_, i, buf, values| {
        if arch.stacks[0].sublayers[i].block == layer {
            kept.insert((i, buf), values[..t * values.len() / (b * t)].to_vec());
        }
    });
    let keys = TraceKey::block_keys(arch, 0, layer);
    let forward = keys.iter().map(|k| model.trace_tensor(k, &acts, &[&x[..t]])).collect();
    let mut weights: HashMap<usize, (Vec<f32>, Vec<f32>)> = HashMap::new();
    let backward = keys
        .iter()
        .map(|k| {
            let loc = k.locate(arch, t).expect("block keys have locators");
            let Site::Sub(_, i, buf) = loc.site else { unreachable!("block keys are sublayers' values") };
            let source: &[f32] = match buf {
                Buf::Scores | Buf::Att => {
                    let (datt, dscores) =
                        weights.entry(i).or_insert_with(|| attention_weight_grads(arch, &acts, i, &kept[&(i, Buf::Concat)]));
                    if buf == Buf::Att {
                        datt
                    } else {
                        dscores
                    }
                }
                _ => &kept[&(i, buf)],
            };
            let (shape, axes) = k.shape(arch, t);
            TraceTensor { key: format!("grad.{}", k.name(arch)), shape, axes, data: loc.extract(source) }
        })
        .collect();
    Ok(BackwardTrace { loss, grads, forward, backward })
}

/// dA and dS of every head of attention sublayer `i`, batch row 0: (NH, T, T) each, from dO = dconcat.
fn attention_weight_grads(arch: &Architecture, acts: &Activations, i: usize, dconcat: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let (t, c, nh, hs) = (acts.t, arch.config.n_embd, arch.config.n_head, arch.config.head_size());
    let causal = arch.stacks[0].sublayers[i].attention().is_some_and(|a| a.causal());
    let a = &acts.stacks[0].subs[i];
    let (mut datt, mut dscores) = (vec![0.0; nh * t * t], vec![0.0; nh * t * t]);
    for h in 0..nh {
        let v_key = TraceKey::Sub { stack: 0, sub: i, part: Part::Head(h, HeadPart::V) };
        let v = v_key.locate(arch, t).expect("a head's values have a locator").extract(&a.qkv); // (T, HS)
        for q in 0..t {
            let row = (h * t + q) * t;
            let dout = &dconcat[q * c + h * hs..q * c + (h + 1) * hs];
            let seen = keys_seen(q, t, causal);
            // forward was: out[q] = Σ_j att[q,j]·V[j], so dA[q,j] = dO[q]·V[j]
            for j in 0..seen {
                datt[row + j] = dout.iter().zip(&v[j * hs..(j + 1) * hs]).map(|(a, b)| a * b).sum();
            }
            // forward was: att = softmax(scores), so dS = A ⊙ (dA − Σ_k A_k·dA_k)
            let dot: f32 = (0..seen).map(|j| a.att[row + j] * datt[row + j]).sum();
            for j in 0..seen {
                dscores[row + j] = a.att[row + j] * (datt[row + j] - dot);
            }
        }
    }
    (datt, dscores)
}

/// The L2 norm of every parameter tensor's slice of `flat` (params or grads), in layout order.
pub fn tensor_norms(layout: &ParamLayout, flat: &[f32]) -> Vec<f32> {
    layout.tensors().iter().map(|p| p.span.of(flat).iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt() as f32).collect()
}

/// |Δw| / |w| per tensor for the AdamW step just taken, recovered from the weights after it
/// and the optimizer state: the step was θ' = θ − lr·(u + wd·θ) with u = m̂/(√v̂ + ε), so
/// θ = (θ' + lr·u)/(1 − lr·wd) and Δθ = θ' − θ. `None` before the first step.
pub fn update_ratios(layout: &ParamLayout, params: &[f32], opt: &OptimizerState, train: &TrainConfig) -> Option<Vec<f32>> {
    let step = opt.step.checked_sub(1)?;
    let ratios = layout
        .tensors()
        .iter()
        .map(|p| {
            let hp = train.adamw(step, p.decay);
            let (bc1, bc2) = hp.bias_corrections();
            let r = p.span.offset..p.span.end();
            let (mut dw2, mut w2) = (0.0f64, 0.0f64);
            for ((&after, &m), &v) in params[r.clone()].iter().zip(&opt.m[r.clone()]).zip(&opt.v[r]) {
                let u = (m / bc1) / ((v / bc2).sqrt() + hp.eps);
                let before = (after + hp.lr * u) / (1.0 - hp.lr * hp.weight_decay);
                dw2 += ((after - before) as f64).powi(2);
                w2 += (before as f64).powi(2);
            }
            if w2 > 0.0 {
                (dw2 / w2).sqrt() as f32
            } else {
                0.0
            }
        })
        .collect();
    Some(ratios)
}
