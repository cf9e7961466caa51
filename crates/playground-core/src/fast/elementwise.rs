//! GELU (exact), GELU (tanh) and ReLU, forward and backward, as `cpu::gelu`, `cpu::gelu_tanh`
//! and `cpu::relu`, on `math`'s vectorizable exp/erf/tanh, split over threads in chunks.

use super::par::prelude::*;
use super::{math, par};
use crate::cpu::Activation;
use std::f32::consts::FRAC_1_SQRT_2;

/// 1/√(2π).
const INV_SQRT_2PI: f32 = 0.398_942_3;
/// √(2/π) and GPT-2's cubic coefficient.
const SQRT_2_OVER_PI: f32 = 0.797_884_6;
const COEF: f32 = 0.044_715;

#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + math::erf(x * FRAC_1_SQRT_2))
}

#[inline(always)]
fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + math::erf(x * FRAC_1_SQRT_2));
    cdf + x * INV_SQRT_2PI * math::exp(-0.5 * x * x)
}

#[inline(always)]
fn gelu_tanh(x: f32) -> f32 {
    0.5 * x * (1.0 + math::tanh(SQRT_2_OVER_PI * (x + COEF * x * x * x)))
}

#[inline(always)]
fn gelu_tanh_grad(x: f32) -> f32 {
    let th = math::tanh(SQRT_2_OVER_PI * (x + COEF * x * x * x));
    let du = SQRT_2_OVER_PI * (1.0 + 3.0 * COEF * x * x);
    0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du
}

#[inline(always)]
fn relu_grad(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// out = f(inp) over chunks split across threads.
fn map(out: &mut [f32], inp: &[f32], f: impl Fn(f32) -> f32 + Sync) {
    let chunk = par::rows_per_task(out.len(), 1);
    out.par_chunks_mut(chunk).zip(inp.par_chunks(chunk)).for_each(|(o, x)| {
        for (o, &x) in o.iter_mut().zip(x) {
            *o = f(x);
        }
    });
}

/// dinp = f'(inp)·dout (stored) over chunks split across threads.
fn map_grad(dinp: &mut [f32], inp: &[f32], dout: &[f32], grad: impl Fn(f32) -> f32 + Sync) {
    let chunk = par::rows_per_task(dinp.len(), 1);
    dinp.par_chunks_mut(chunk).zip(inp.par_chunks(chunk)).zip(dout.par_chunks(chunk)).for_each(|((di, x), d)| {
        for ((di, &x), &d) in di.iter_mut().zip(x).zip(d) {
            *di = grad(x) * d;
        }
    });
}

/// out = act(pre) on one task's rows, on the calling thread (`matmul_forward_act`'s epilogue).
pub(super) fn activation_forward(act: Activation, out: &mut [f32], pre: &[f32]) {
    fn apply(out: &mut [f32], pre: &[f32], f: impl Fn(f32) -> f32) {
        out.iter_mut().zip(pre).for_each(|(o, &x)| *o = f(x));
    }
    match act {
        Activation::Gelu => apply(out, pre, gelu),
        Activation::GeluTanh => apply(out, pre, gelu_tanh),
        Activation::Relu => apply(out, pre, |x| x.max(0.0)),
    }
}

pub fn gelu_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    map(&mut out[..n], &inp[..n], gelu);
}

pub fn gelu_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    map_grad(&mut dinp[..n], &inp[..n], &dout[..n], gelu_grad);
}

pub fn gelu_tanh_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    map(&mut out[..n], &inp[..n], gelu_tanh);
}

pub fn gelu_tanh_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    map_grad(&mut dinp[..n], &inp[..n], &dout[..n], gelu_tanh_grad);
}

pub fn relu_forward(
    out: &mut [f32], // (N)
    inp: &[f32],     // (N)
    n: usize,
) {
    map(&mut out[..n], &inp[..n], |x| x.max(0.0));
}

pub fn relu_backward(
    dinp: &mut [f32], // (N)
    inp: &[f32],      // (N)
    dout: &[f32],     // (N)
    n: usize,
) {
    map_grad(&mut dinp[..n], &inp[..n], &dout[..n], relu_grad);
}
