//! Models larger than one buffer or one binding (GPT-2 small's 497 MB of weights; its token
//! embedding alone, 50257×768 floats = 154 MB, exceeds WebGPU's default 128 MiB binding).
//!
//! * The flat parameter layout is cut at tensor boundaries into parts of at most
//!   `maxBufferSize` bytes, one buffer each; every tensor is a view of its part.
//! * A token embedding wte (V, C) larger than `maxStorageBufferBindingSize` is bound in vocabulary
//!   chunks of `rows` rows: the head's matmul runs once per chunk into a scratch (B·T, rows)
//!   and copies each row into place in the logits; the embedding lookup copies each token's
//!   row out of its chunk into a gathered (B·T, C) table that the embedding kernel then reads
//!   with positions 0..B·T as its "tokens".
//!
//! Nothing is split that fits: a model within the device's limits runs the one-buffer path.
//! Split models run inference only (training keeps AdamW's moments for the whole buffer).

use crate::context::{GpuContext, Step};
use crate::kernels::matmul;
use crate::readback::Region;
use crate::tensor::GpuTensor;
use playground_core::order::sorted_indices;
use playground_core::params::{ParamLayout, Span, ALIGN};
use playground_core::{CoreError, ModelConfig};

/// Contiguous runs of the flat parameter layout, one buffer each: (first float, buffer).
pub(crate) struct ParamParts {
    parts: Vec<(usize, GpuTensor)>,
}

impl ParamParts {
    /// Where the cuts go: tensor starts, so that no part exceeds `max_floats`. Fails when one
    /// tensor alone is larger than that.
    pub(crate) fn cuts(layout: &ParamLayout, max_floats: usize) -> Result<Vec<(usize, usize)>, CoreError> {
        let tensors = layout.tensors();
        let spans: Vec<Span> = sorted_indices(tensors.len(), &|a, b| tensors[a].span.offset.cmp(&tensors[b].span.offset))
            .into_iter()
            .map(|i| tensors[i].span)
            .collect();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for s in &spans {
            if s.len > max_floats {
                return Err(CoreError::DeviceLimit {
                    what: "one parameter tensor".into(),
                    needed: s.len as u64 * 4,
                    allowed: max_floats as u64 * 4,
                    limit: "maxBufferSize",
                });
            }
            if s.end() - start > max_floats {
                cuts.push((start, s.offset));
                start = s.offset;
            }
        }
        cuts.push((start, layout.padded_len()));
        Ok(cuts)
    }

    /// Uploads `params` in the parts `cuts` gives.
    pub(crate) fn upload(gpu: &GpuContext, cuts: &[(usize, usize)], params: &[f32]) -> ParamParts {
        let parts = cuts.iter().map(|&(a, b)| (a, GpuTensor::from_slice(gpu, "params", &params[a..b]))).collect();
        ParamParts { parts }
    }

    pub(crate) fn is_single(&self) -> bool {
        self.parts.len() == 1
    }

    /// The first part (the whole buffer when not split).
    pub(crate) fn first(&self) -> &GpuTensor {
        &self.parts[0].1
    }

    /// A view of `span` inside the part that holds it.
    pub(crate) fn view(&self, span: Span) -> GpuTensor {
        let (start, part) = self.parts.iter().rev().find(|(start, _)| *start <= span.offset).expect("part 0 starts at 0");
        part.slice(span.offset - start, span.len)
    }

    pub(crate) fn write(&self, gpu: &GpuContext, params: &[f32]) {
        for (start, part) in &self.parts {
            part.write(gpu, &params[*start..*start + part.len as usize]);
        }
    }

    /// Every part, in layout order, for reading the parameters back.
    pub(crate) fn regions(&self) -> Vec<Region> {
        self.parts.iter().map(|(_, part)| Region::from(part)).collect()
    }
}

/// wte bound in vocabulary chunks, with the scratch buffers the chunked lookup and head use.
pub(crate) struct VocabChunks {
    /// Rows per chunk (the last may hold fewer).
    pub(crate) rows: usize,
    pub(crate) chunks: Vec<GpuTensor>, // (rows, C) each
    /// Each input token's embedding row, copied out of its chunk, per stack.
    pub(crate) gathered: Vec<GpuTensor>, // (B, T, C) each
    /// 0..B·T, the "tokens" the embedding kernel reads the gathered table with.
    pub(crate) positions: GpuTensor, // (B, T) u32
    /// One chunk's logits before they are copied into place.
    pub(crate) head_out: GpuTensor, // (B, T, rows)
}

impl VocabChunks {
    /// Rows per chunk: the most that keep both the chunk (rows, C) and the head's scratch
    /// (B·T, rows) within one binding, a multiple of ALIGN so each chunk starts 256-byte aligned.
    pub(crate) fn rows_for(c: usize, bt: usize, max_binding_bytes: u64) -> usize {
        let max_floats = (max_binding_bytes / 4) as usize;
        let rows = (max_floats / c).min(max_floats / bt.max(1));
        (rows / ALIGN) * ALIGN
    }

    pub(crate) fn new(gpu: &GpuContext, wte: &GpuTensor, cfg: &ModelConfig, max_batch: usize, rows: usize, stacks: usize) -> VocabChunks {
        let (v, c) = (cfg.vocab_size, cfg.n_embd);
        let bt = max_batch * cfg.block_size;
        let chunks = (0..v).step_by(rows).map(|v0| wte.slice(v0 * c, rows.min(v - v0) * c)).collect();
        let ids: Vec<u32> = (0..bt as u32).collect();
        VocabChunks {
            rows,
            chunks,
            gathered: (0..stacks).map(|_| GpuTensor::zeros(gpu, "gathered wte rows", bt * c)).collect(),
            positions: GpuTensor::from_slice(gpu, "positions", &ids),
            head_out: GpuTensor::zeros(gpu, "head chunk", bt * rows),
        }
    }

    /// Where the embedding row of token `id` is: (chunk, row inside it).
    pub(crate) fn locate(&self, id: u32) -> (&GpuTensor, usize) {
        let id = id as usize;
        (&self.chunks[id / self.rows], id % self.rows)
    }

    /// Copies the embedding rows of stack `s`'s `tokens` into its `gathered` (encoded before
    /// the forward plan).
    pub(crate) fn gather(&self, encoder: &mut wgpu::CommandEncoder, s: usize, tokens: &[u32], c: usize) {
        let row_bytes = c as u64 * 4;
        for (i, &id) in tokens.iter().enumerate() {
            let (chunk, row) = self.locate(id);
            encoder.copy_buffer_to_buffer(
                &chunk.buffer,
                chunk.offset + row as u64 * row_bytes,
                &self.gathered[s].buffer,
                self.gathered[s].offset + i as u64 * row_bytes,
                row_bytes,
            );
        }
    }

    /// logits (BT, V) = lnf (BT, C) · wteᵀ, one chunk of columns at a time.
    pub(crate) fn head(&self, gpu: &GpuContext, logits: &GpuTensor, lnf: &GpuTensor, bt: usize, c: usize, v: usize) -> Vec<Step> {
        let mut steps = Vec::new();
        for (k, chunk) in self.chunks.iter().enumerate() {
            let (v0, n) = (k * self.rows, chunk.len as usize / c);
            let out = self.head_out.slice(0, bt * n);
            steps.extend(matmul::matmul_forward(gpu, &out, lnf, chunk, None, bt as u32, c as u32, n as u32).into_iter().map(Step::Run));
            for r in 0..bt {
                steps.push(Step::Copy {
                    src: Region { buffer: out.buffer.clone(), offset: out.offset + (r * n) as u64 * 4, len: n as u64 },
                    dst: Region { buffer: logits.buffer.clone(), offset: logits.offset + (r * v + v0) as u64 * 4, len: n as u64 },
                });
            }
        }
        steps
    }
}
