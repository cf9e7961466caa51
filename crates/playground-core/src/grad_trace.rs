//! The backward pass, opened up: for one training batch and one chosen block, the gradient
//! of the loss with respect to each traced intermediate of that block, under the forward
//! key's name with `grad.` in front and with the forward key's shape (batch row 0).
//! Also the per-tensor sizes of gradients and of AdamW's last update.
//!
//! | key | shape | the gradient with respect to |
//! |---|---|---|
//! | `grad.block{l}.residual` | (T, C) | the block's output (the residual stream after it) |
//! | `grad.block{l}.ffn.act`, `.ffn.pre` | (T, 4C) | the FFN hidden layer after and before GELU |
//! | `grad.block{l}.ln2`, `.ln1` | (T, C) | the LayerNorm outputs |
//! | `grad.block{l}.res1` | (T, C) | the residual stream after attention |
//! | `grad.block{l}.attn.concat` | (T, C) | all heads' outputs, before the projection |
//! | `grad.block{l}.head{h}.out`, `.q`, `.k`, `.v` | (T, HS) | the head's output, queries, keys, values |
//! | `grad.block{l}.head{h}.att` | (T, T) | the attention weights: dA = dO·Vᵀ (0 above the diagonal) |
//! | `grad.block{l}.head{h}.scores` | (T, T) | the scores: dS = A ⊙ (dA − rowsum(A ⊙ dA)) |

use crate::error::CoreError;
use crate::model::{Activations, CpuModel};
use crate::params::ParamLayout;
use crate::trace::{Act, HeadPart, QkvPart, TraceKey, TraceTensor};
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

/// The forward keys of block `l` that have a gradient trace, in the order of the forward pass.
pub fn block_keys(model: &CpuModel, l: usize) -> Vec<TraceKey> {
    let mut keys = vec![TraceKey::Ln1(l)];
    for h in 0..model.config.n_head {
        for part in [
            HeadPart::Qkv(QkvPart::Q),
            HeadPart::Qkv(QkvPart::K),
            HeadPart::Qkv(QkvPart::V),
            HeadPart::Scores,
            HeadPart::Att,
            HeadPart::Out,
        ] {
            keys.push(TraceKey::Head(l, h, part));
        }
    }
    keys.extend([
        TraceKey::AttnConcat(l),
        TraceKey::Res1(l),
        TraceKey::Ln2(l),
        TraceKey::FfnPre(l),
        TraceKey::FfnAct(l),
        TraceKey::Residual(l),
    ]);
    keys
}

/// Forward and backward over the batch (x, y), each (B, T), recording block `layer`.
pub fn backward_trace(model: &CpuModel, x: &[u32], y: &[u32], b: usize, t: usize, layer: usize) -> Result<BackwardTrace, CoreError> {
    let cfg = &model.config;
    if layer >= cfg.n_layer {
        return Err(CoreError::Config { field: "layer", value: layer as u64, reason: format!("the model has {} layers", cfg.n_layer) });
    }
    let mut acts = Activations::new(cfg, b, t);
    let loss = model.forward_train(&mut acts, x, y)?;
    let mut grads = vec![0.0; model.params.len()];
    let mut kept: HashMap<&'static str, Vec<f32>> = HashMap::new();
    model.backward_observed(&mut grads, &acts, x, y, &mut |l, name, values| {
        if l == layer {
            kept.insert(name, values[..t * values.len() / (b * t)].to_vec()); // batch row 0
        }
    });
    let (datt, dscores) = attention_weight_grads(model, &acts, &kept["datty"], layer);
    let keys = block_keys(model, layer);
    let forward = keys.iter().map(|k| model.trace_tensor(k, &acts, &x[..t])).collect();
    let backward = keys
        .iter()
        .map(|k| {
            let loc = k.locate(cfg, t).expect("block keys have locators");
            let source: &[f32] = match loc.act {
                Act::Ln1 => &kept["dln1"],
                Act::Qkv => &kept["dqkv"],
                Act::Preatt => &dscores,
                Act::Att => &datt,
                Act::Atty => &kept["datty"],
                Act::Residual2 => &kept["dres1"],
                Act::Ln2 => &kept["dln2"],
                Act::Fch => &kept["dfch"],
                Act::FchGelu => &kept["dfch_gelu"],
                Act::Residual3 => &kept["dresidual"],
                other => unreachable!("{other:?} is not a block key with a gradient"),
            };
            let (shape, axes) = k.shape(cfg, t);
            TraceTensor { key: format!("grad.{}", k.name()), shape, axes, data: loc.extract(source) }
        })
        .collect();
    Ok(BackwardTrace { loss, grads, forward, backward })
}

/// dA and dS of every head of block `l`, batch row 0: (NH, T, T) each, from dO = datty.
fn attention_weight_grads(model: &CpuModel, acts: &Activations, datty: &[f32], l: usize) -> (Vec<f32>, Vec<f32>) {
    let (t, c, nh) = (acts.t, model.config.n_embd, model.config.n_head);
    let hs = c / nh;
    let (qkv, att) = (&acts.layers[l].qkv, &acts.layers[l].att);
    let (mut datt, mut dscores) = (vec![0.0; nh * t * t], vec![0.0; nh * t * t]);
    for h in 0..nh {
        for i in 0..t {
            let row = (h * t + i) * t;
            let dout = &datty[i * c + h * hs..i * c + (h + 1) * hs];
            // forward was: out[i] = Σ_j att[i,j]·V[j], so dA[i,j] = dO[i]·V[j]
            for j in 0..=i {
                let vj = &qkv[j * 3 * c + 2 * c + h * hs..j * 3 * c + 2 * c + (h + 1) * hs];
                datt[row + j] = dout.iter().zip(vj).map(|(a, b)| a * b).sum();
            }
            // forward was: att = softmax(scores), so dS = A ⊙ (dA − Σ_k A_k·dA_k)
            let dot: f32 = (0..=i).map(|j| att[row + j] * datt[row + j]).sum();
            for j in 0..=i {
                dscores[row + j] = att[row + j] * (datt[row + j] - dot);
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
