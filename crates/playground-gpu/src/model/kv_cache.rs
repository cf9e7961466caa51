//! Decoder inference with a KV cache on the GPU: `playground_core::model::KvCache`'s
//! `forward_cached`, on the recorder's op list (`record.rs`).
//!
//! A prefill runs the prompt (from position 0) with plain causal attention and writes every
//! block's K and V into the cache; the rows after it, a few at a time (one token per call in
//! generation), run through `kv_attention_forward` over the cache and the skinny matmul. The
//! plans are recorded once per row count and replayed; the ops that depend on the absolute
//! position (the embedding's position rows, rotary angles, the cache's write and read) get it
//! through their uniform before each submission.

use super::{GpuModel, PlanKey};
use crate::context::{GpuContext, Step};
use crate::error::GpuError;
use crate::kernels::embedding::EmbeddingParams;
use crate::kernels::kv_attention::KvParams;
use crate::kernels::rope::RopeParams;
use crate::readback::{words_to_f32, Region};
use crate::shaders::Kernel;
use crate::tensor::GpuTensor;
use playground_core::model::{check_cacheable, check_room, check_tokens, single_stream};
use std::mem::offset_of;

/// The most rows one cached step runs after a prefill (longer inputs go in pieces of this).
pub const KV_STEP_ROWS: usize = 8;

/// Which kind of forward pass a plan records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Cached {
    /// The whole sequence, no cache.
    No,
    /// The first rows of a sequence, writing the cache.
    Prefill,
    /// A few rows after those in the cache, attending over it.
    Step,
}

/// The cache of every block: 2·L·block_size·KVC floats, and the scratch of kv_attention_forward.
pub(crate) struct KvBuffers {
    pub(crate) layers: Vec<(GpuTensor, GpuTensor)>, // (kcache, vcache), each (NKV, maxT, HS)
    pub(crate) att: GpuTensor,                      // (KV_STEP_ROWS, NH, maxT)
    pub(crate) maxt: u32,
    /// Positions held.
    len: usize,
}

impl GpuModel {
    /// Runs `tokens` at the positions after those in the cache (from position 0 when
    /// `restart`), appends their keys and values, and returns their logits (N, V).
    pub async fn forward_cached(&mut self, tokens: &[u32], restart: bool) -> Result<Vec<f32>, GpuError> {
        single_stream(&self.config)?;
        check_cacheable(&self.config)?;
        let n = tokens.len();
        check_tokens(&self.config, tokens, 1, n)?;
        if self.kv.is_none() {
            self.allocate_kv().await?;
        }
        let kv = self.kv.as_mut().expect("allocated above");
        if restart {
            kv.len = 0;
        }
        check_room(&self.config, kv.len, n)?;
        let v = self.config.vocab_size;
        let mut logits = Vec::with_capacity(n * v);
        let mut done = 0;
        while done < n {
            let held = self.kv.as_ref().expect("allocated above").len;
            // a prefill takes everything at once; after it, pieces of at most KV_STEP_ROWS
            let (cached, rows) = if held == 0 { (Cached::Prefill, n) } else { (Cached::Step, (n - done).min(KV_STEP_ROWS)) };
            logits.extend(self.run_cached(&tokens[done..done + rows], held, cached).await?);
            done += rows;
        }
        Ok(logits)
    }

    /// One submission: `tokens` at positions held .. held + N.
    async fn run_cached(&mut self, tokens: &[u32], held: usize, cached: Cached) -> Result<Vec<f32>, GpuError> {
        let (n, v) = (tokens.len(), self.config.vocab_size);
        self.inputs[0].write(&self.gpu, tokens);
        let key = PlanKey { b: 1, t: n, keep_weights: false, with_targets: false, ablate: self.ablating, cached };
        let mut encoder = self.gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("forward cached") });
        if let Some(vocab) = &self.vocab {
            vocab.gather(&mut encoder, 0, tokens, self.config.n_embd);
        }
        let gpu = self.gpu.clone();
        let steps = self.plan(key);
        set_position(&gpu, steps, held as u32);
        gpu.encode_steps(&mut encoder, steps);
        let logits = self.acts.logits.slice(0, n * v);
        let words = self.staging.read(&self.gpu, encoder, &[Region::from(&logits)]).await?;
        self.kv.as_mut().expect("allocated before planning").len = held + n;
        Ok(words_to_f32(words.into_iter().next().expect("one region")))
    }

    async fn allocate_kv(&mut self) -> Result<(), GpuError> {
        let (l, kvc, nh, maxt) = (self.config.n_layer, self.config.kv_width(), self.config.n_head, self.config.block_size);
        let gpu = self.gpu.clone();
        let (layers, att) = gpu
            .allocating(|| {
                let cache = |label| GpuTensor::zeros(&gpu, label, maxt * kvc);
                let layers = (0..l).map(|_| (cache("kcache"), cache("vcache"))).collect();
                (layers, GpuTensor::zeros(&gpu, "kv att", KV_STEP_ROWS * nh * maxt))
            })
            .await?;
        self.kv = Some(KvBuffers { layers, att, maxt: maxt as u32, len: 0 });
        // plans recorded before the cache existed did not bind it
        self.plans.retain(|k, _| k.cached == Cached::No);
        Ok(())
    }
}

/// Points the position-dependent ops of a cached plan at absolute position `pos0`.
fn set_position(gpu: &GpuContext, steps: &[Step], pos0: u32) {
    for step in steps {
        let Step::Run(op) = step else { continue };
        let field = match op.kernel {
            Kernel::EmbeddingForward => offset_of!(EmbeddingParams, pos0),
            Kernel::RopeForward => offset_of!(RopeParams, pos0),
            Kernel::KvCacheWrite | Kernel::KvAttentionForward => offset_of!(KvParams, pos0),
            _ => continue,
        };
        op.write_field(gpu, field, pos0);
    }
}
