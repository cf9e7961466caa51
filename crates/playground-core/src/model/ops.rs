//! `CpuOps`: every op the CPU executor runs, with the signatures of the reference functions in
//! `cpu::*`, which are each method's default body. `Reference` takes every default; `Fast`
//! runs the fast engine's kernel (`fast::*`, same name and signature) where it has one, and the
//! reference for the cheap memory passes (each op below names where `Fast` takes it from).
//! Both run the same executor.

use crate::cpu::{self, Activation, AdamWParams};
use crate::fast;

/// Declares the trait, whose methods forward to the `cpu::` function of the same name, and
/// `Fast`'s implementation, whose methods forward to the function in the module named after `=>`.
macro_rules! cpu_ops {
    ($($name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? => $fast:ident;)*) => {
        /// The ops of the CPU executor; see the module docs.
        pub trait CpuOps {
            $(
                #[allow(clippy::too_many_arguments)]
                fn $name(&self, $($arg: $ty),*) $(-> $ret)? {
                    cpu::$name($($arg),*)
                }
            )*
        }

        impl CpuOps for Fast {
            $(
                #[allow(clippy::too_many_arguments)]
                fn $name(&self, $($arg: $ty),*) $(-> $ret)? {
                    $fast::$name($($arg),*)
                }
            )*
        }
    };
}

cpu_ops! {
    embedding_forward(out: &mut [f32], tokens: &[u32], wte: &[f32], wpe: Option<&[f32]>, b: usize, t: usize, c: usize) => cpu;
    embedding_backward(dwte: &mut [f32], dwpe: Option<&mut [f32]>, dout: &[f32], tokens: &[u32], b: usize, t: usize, c: usize) => cpu;
    layernorm_forward(
        out: &mut [f32], mean: &mut [f32], rstd: &mut [f32], inp: &[f32], weight: &[f32], bias: &[f32], rows: usize, c: usize, eps: f32,
    ) => fast;
    layernorm_backward(
        dinp: &mut [f32], dweight: &mut [f32], dbias: &mut [f32], dout: &[f32], inp: &[f32], weight: &[f32], mean: &[f32], rstd: &[f32],
        rows: usize, c: usize,
    ) => fast;
    rmsnorm_forward(out: &mut [f32], rstd: &mut [f32], inp: &[f32], weight: &[f32], rows: usize, c: usize, eps: f32) => fast;
    rmsnorm_backward(dinp: &mut [f32], dweight: &mut [f32], dout: &[f32], inp: &[f32], weight: &[f32], rstd: &[f32], rows: usize, c: usize) => fast;
    matmul_forward(out: &mut [f32], inp: &[f32], weight: &[f32], bias: Option<&[f32]>, m: usize, k: usize, n: usize) => fast;
    matmul_forward_act(
        act: Activation, out: &mut [f32], pre: &mut [f32], inp: &[f32], weight: &[f32], bias: Option<&[f32]>, m: usize, k: usize, n: usize,
    ) => fast;
    matmul_backward(
        dinp: &mut [f32], dweight: &mut [f32], dbias: Option<&mut [f32]>, dout: &[f32], inp: &[f32], weight: &[f32], m: usize, k: usize,
        n: usize,
    ) => fast;
    rope_forward(qkv: &mut [f32], cos: &[f32], sin: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize) => cpu;
    rope_backward(dqkv: &mut [f32], cos: &[f32], sin: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize) => cpu;
    attention_forward(
        out: &mut [f32], lse: &mut [f32], preatt: &mut [f32], att: &mut [f32], qkv: &[f32], b: usize, t: usize, c: usize, nh: usize,
        nkv: usize, causal: bool,
    ) => fast;
    attention_backward(
        dqkv: &mut [f32], dout: &[f32], qkv: &[f32], att: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize, causal: bool,
    ) => fast;
    kv_cache_write(
        kcache: &mut [f32], vcache: &mut [f32], qkv: &[f32], n: usize, pos0: usize, c: usize, nh: usize, nkv: usize, maxt: usize,
    ) => cpu;
    kv_attention_forward(
        out: &mut [f32], qkv: &[f32], kcache: &[f32], vcache: &[f32], n: usize, pos0: usize, c: usize, nh: usize, nkv: usize,
        maxt: usize,
    ) => cpu;
    cross_pack_forward(out: &mut [f32], q: &[f32], kv: &[f32], bt: usize, c: usize, kvc: usize) => cpu;
    cross_pack_backward(dq: &mut [f32], dkv: &mut [f32], dout: &[f32], bt: usize, c: usize, kvc: usize) => cpu;
    ablate_forward(x: &mut [f32], mask: &[f32], mask_offset: usize, rows: usize, groups: usize, width: usize) => cpu;
    residual_forward(out: &mut [f32], inp1: &[f32], inp2: &[f32], n: usize) => cpu;
    gelu_forward(out: &mut [f32], inp: &[f32], n: usize) => fast;
    gelu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize) => fast;
    gelu_tanh_forward(out: &mut [f32], inp: &[f32], n: usize) => fast;
    gelu_tanh_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize) => fast;
    relu_forward(out: &mut [f32], inp: &[f32], n: usize) => fast;
    relu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize) => fast;
    swiglu_forward(out: &mut [f32], inp: &[f32], rows: usize, h: usize) => fast;
    swiglu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], rows: usize, h: usize) => fast;
    softmax_forward(probs: &mut [f32], logits: &[f32], rows: usize, v: usize) => fast;
    softmax_xent_forward(probs: &mut [f32], losses: &mut [f32], logits: &[f32], targets: &[u32], rows: usize, v: usize) => fast;
    softmax_xent_backward(dlogits: &mut [f32], dlosses: &[f32], probs: &[f32], targets: &[u32], rows: usize, v: usize) => fast;
    grad_norm(grads: &[f32]) -> f32 => cpu;
    adamw_update(params: &mut [f32], m: &mut [f32], v: &mut [f32], grads: &[f32], grad_scale: f32, hp: &AdamWParams, n: usize) => fast;
}

/// The reference ops, `cpu::*` as they are: what defines correctness.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference;

impl CpuOps for Reference {}

/// The fast engine's ops (`fast::*`): the reference's results up to f32 rounding, at speed.
#[derive(Clone, Copy, Debug, Default)]
pub struct Fast;

/// Which ops a CPU model runs: the reference (the default: what tests compare against) or the
/// fast engine (what the playground's CPU engine runs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CpuKernels {
    #[default]
    Reference,
    Fast,
}

impl CpuKernels {
    pub fn ops(self) -> &'static dyn CpuOps {
        match self {
            CpuKernels::Reference => &Reference,
            CpuKernels::Fast => &Fast,
        }
    }
}
