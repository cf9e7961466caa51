//! `CpuOps`: every op the CPU executor runs, with the signatures of the reference functions in
//! `cpu::*`, which are each method's default body. `Reference` takes every default; a faster
//! CPU engine implements the trait with its own kernels where it has them, is tested against
//! the reference op by op, and runs the same executor.

use crate::cpu::{self, Activation, AdamWParams};

/// Declares the trait: each method forwards to the `cpu::` function of the same name.
macro_rules! cpu_ops {
    ($($name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        /// The ops of the CPU executor; see the module docs.
        pub trait CpuOps {
            $(
                #[allow(clippy::too_many_arguments)]
                fn $name(&self, $($arg: $ty),*) $(-> $ret)? {
                    cpu::$name($($arg),*)
                }
            )*
        }
    };
}

cpu_ops! {
    embedding_forward(out: &mut [f32], tokens: &[u32], wte: &[f32], wpe: Option<&[f32]>, b: usize, t: usize, c: usize);
    embedding_backward(dwte: &mut [f32], dwpe: Option<&mut [f32]>, dout: &[f32], tokens: &[u32], b: usize, t: usize, c: usize);
    layernorm_forward(out: &mut [f32], mean: &mut [f32], rstd: &mut [f32], inp: &[f32], weight: &[f32], bias: &[f32], rows: usize, c: usize);
    layernorm_backward(
        dinp: &mut [f32], dweight: &mut [f32], dbias: &mut [f32], dout: &[f32], inp: &[f32], weight: &[f32], mean: &[f32], rstd: &[f32],
        rows: usize, c: usize,
    );
    rmsnorm_forward(out: &mut [f32], rstd: &mut [f32], inp: &[f32], weight: &[f32], rows: usize, c: usize);
    rmsnorm_backward(dinp: &mut [f32], dweight: &mut [f32], dout: &[f32], inp: &[f32], weight: &[f32], rstd: &[f32], rows: usize, c: usize);
    matmul_forward(out: &mut [f32], inp: &[f32], weight: &[f32], bias: Option<&[f32]>, m: usize, k: usize, n: usize);
    matmul_forward_act(
        act: Activation, out: &mut [f32], pre: &mut [f32], inp: &[f32], weight: &[f32], bias: Option<&[f32]>, m: usize, k: usize, n: usize,
    );
    matmul_backward(
        dinp: &mut [f32], dweight: &mut [f32], dbias: Option<&mut [f32]>, dout: &[f32], inp: &[f32], weight: &[f32], m: usize, k: usize,
        n: usize,
    );
    rope_forward(qkv: &mut [f32], cos: &[f32], sin: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize);
    rope_backward(dqkv: &mut [f32], cos: &[f32], sin: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize);
    attention_forward(
        out: &mut [f32], lse: &mut [f32], preatt: &mut [f32], att: &mut [f32], qkv: &[f32], b: usize, t: usize, c: usize, nh: usize,
        nkv: usize, causal: bool,
    );
    attention_backward(
        dqkv: &mut [f32], dout: &[f32], qkv: &[f32], att: &[f32], b: usize, t: usize, c: usize, nh: usize, nkv: usize, causal: bool,
    );
    kv_cache_write(
        kcache: &mut [f32], vcache: &mut [f32], qkv: &[f32], n: usize, pos0: usize, c: usize, nh: usize, nkv: usize, maxt: usize,
    );
    kv_attention_forward(
        out: &mut [f32], qkv: &[f32], kcache: &[f32], vcache: &[f32], n: usize, pos0: usize, c: usize, nh: usize, nkv: usize,
        maxt: usize,
    );
    cross_pack_forward(out: &mut [f32], q: &[f32], kv: &[f32], bt: usize, c: usize, kvc: usize);
    cross_pack_backward(dq: &mut [f32], dkv: &mut [f32], dout: &[f32], bt: usize, c: usize, kvc: usize);
    ablate_forward(x: &mut [f32], mask: &[f32], mask_offset: usize, rows: usize, groups: usize, width: usize);
    residual_forward(out: &mut [f32], inp1: &[f32], inp2: &[f32], n: usize);
    gelu_forward(out: &mut [f32], inp: &[f32], n: usize);
    gelu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize);
    gelu_tanh_forward(out: &mut [f32], inp: &[f32], n: usize);
    gelu_tanh_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize);
    relu_forward(out: &mut [f32], inp: &[f32], n: usize);
    relu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], n: usize);
    swiglu_forward(out: &mut [f32], inp: &[f32], rows: usize, h: usize);
    swiglu_backward(dinp: &mut [f32], inp: &[f32], dout: &[f32], rows: usize, h: usize);
    softmax_forward(probs: &mut [f32], logits: &[f32], rows: usize, v: usize);
    softmax_xent_forward(probs: &mut [f32], losses: &mut [f32], logits: &[f32], targets: &[u32], rows: usize, v: usize);
    softmax_xent_backward(dlogits: &mut [f32], dlosses: &[f32], probs: &[f32], targets: &[u32], rows: usize, v: usize);
    grad_norm(grads: &[f32]) -> f32;
    adamw_update(params: &mut [f32], m: &mut [f32], v: &mut [f32], grads: &[f32], grad_scale: f32, hp: &AdamWParams, n: usize);
}

/// The reference ops, `cpu::*` as they are: what defines correctness.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reference;

impl CpuOps for Reference {}
