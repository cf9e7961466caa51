//! `Engine`: one model of any family, on the GPU when WebGPU is there and on the CPU (the fast
//! engine's ops, `CpuKernels::Fast`) when it is not, for inference or for training, behind one
//! interface the session drives.
//!
//! A model starts for inference (activations for one sequence). `start_training` turns it
//! into a trainer with the same weights (activations for a batch, gradients, AdamW moments).

use crate::context::SharedGpu;
use crate::device::DeviceFacts;
use crate::error::GpuError;
use crate::model::GpuModel;
use crate::train::GpuTrainer;
use playground_core::model::{CpuKernels, KvCache};
use playground_core::train::{CpuTrainer, OptimizerState, StepStats, TrainConfig};
use playground_core::{CoreError, CpuModel, ForwardOutput, ModelConfig, TraceRequest};

pub enum Engine {
    GpuModel(Box<GpuModel>),
    GpuTrainer(Box<GpuTrainer>),
    CpuModel(Box<CpuModel>),
    CpuTrainer(Box<CpuTrainer>),
}

/// One training batch: each stack's (B, T) tokens (a decoder's or an encoder's, or an
/// encoder-decoder's source and decoder input), and the targets (B, T).
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub inputs: Vec<Vec<u32>>,
    pub targets: Vec<u32>,
}

impl Batch {
    pub fn inputs(&self) -> Vec<&[u32]> {
        self.inputs.iter().map(Vec::as_slice).collect()
    }
}

/// The model inside an engine, for what inference and training share.
pub(crate) enum Model<'e> {
    Gpu(&'e mut GpuModel),
    Cpu(&'e mut CpuModel),
}

/// The model the CPU engine runs, on the fast ops.
fn cpu_model(config: ModelConfig, params: Vec<f32>) -> Result<CpuModel, CoreError> {
    Ok(CpuModel::from_params(config, params)?.with_kernels(CpuKernels::Fast))
}

impl Engine {
    /// An inference engine on `gpu`, or on the CPU when `gpu` is `None`.
    pub async fn new(gpu: Option<SharedGpu>, config: ModelConfig, params: Vec<f32>) -> Result<Engine, GpuError> {
        Ok(match gpu {
            Some(gpu) => Engine::GpuModel(Box::new(GpuModel::new(gpu, config, &params, 1).await?)),
            None => Engine::CpuModel(Box::new(cpu_model(config, params)?)),
        })
    }

    pub(crate) fn model(&mut self) -> Model<'_> {
        match self {
            Engine::GpuModel(m) => Model::Gpu(m),
            Engine::GpuTrainer(t) => Model::Gpu(&mut t.model),
            Engine::CpuModel(m) => Model::Cpu(m),
            Engine::CpuTrainer(t) => Model::Cpu(&mut t.model),
        }
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> &'static str {
        match self {
            Engine::GpuModel(_) | Engine::GpuTrainer(_) => "webgpu",
            Engine::CpuModel(_) | Engine::CpuTrainer(_) => "cpu",
        }
    }

    pub fn config(&self) -> &ModelConfig {
        match self {
            Engine::GpuModel(m) => &m.config,
            Engine::GpuTrainer(t) => &t.model.config,
            Engine::CpuModel(m) => &m.config,
            Engine::CpuTrainer(t) => &t.model.config,
        }
    }

    /// Inference over one row of each stack's stream with the requested trace.
    pub async fn forward(&mut self, inputs: &[&[u32]], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        match self.model() {
            Model::Gpu(m) => m.forward_streams(inputs, request).await,
            Model::Cpu(m) => Ok(m.forward_streams(inputs, request)?),
        }
    }

    /// An encoder-decoder's step-by-step (greedy) decoding of one source row.
    pub async fn greedy_decode(&mut self, src: &[u32], bos: u32) -> Result<Vec<u32>, GpuError> {
        match self.model() {
            Model::Gpu(m) => m.greedy_decode(src, bos).await,
            Model::Cpu(m) => Ok(m.greedy_decode(src, bos)?),
        }
    }

    /// Decoder inference with a KV cache: runs `tokens` after the positions already cached
    /// (from position 0 when `restart`) and returns their logits (N, V). The GPU keeps its
    /// cache in the model; the CPU's is `cpu_kv`, made on first use.
    pub async fn forward_cached(&mut self, cpu_kv: &mut Option<KvCache>, tokens: &[u32], restart: bool) -> Result<Vec<f32>, GpuError> {
        match self.model() {
            Model::Gpu(m) => m.forward_cached(tokens, restart).await,
            Model::Cpu(m) => {
                let cache = cpu_kv.get_or_insert_with(|| KvCache::new(&m.config));
                if restart {
                    cache.clear();
                }
                Ok(m.forward_cached(cache, tokens)?)
            }
        }
    }

    /// The parameters, laid out by `ParamLayout`.
    pub async fn params(&mut self) -> Result<Vec<f32>, GpuError> {
        match self.model() {
            Model::Gpu(m) => m.read_params().await,
            Model::Cpu(m) => Ok(m.params.clone()),
        }
    }

    /// The parameters of `spans` (each within one tensor of `ParamLayout`), without reading
    /// the others back from a GPU.
    pub async fn param_spans(&mut self, spans: &[playground_core::params::Span]) -> Result<Vec<Vec<f32>>, GpuError> {
        match self.model() {
            Model::Gpu(m) => m.read_spans(spans).await,
            Model::Cpu(m) => Ok(spans.iter().map(|s| s.of(&m.params).to_vec()).collect()),
        }
    }

    /// Replaces the parameters (same layout as `params`).
    pub fn write_params(&mut self, params: &[f32]) -> Result<(), GpuError> {
        let len = playground_core::ParamLayout::new(self.config()).padded_len();
        if params.len() != len {
            return Err(CoreError::Shape { op: "Engine::write_params", expected: vec![len], got: vec![params.len()] }.into());
        }
        match self.model() {
            Model::Gpu(m) => m.write_params(params),
            Model::Cpu(m) => m.params.copy_from_slice(params),
        }
        Ok(())
    }

    /// Destroys the GPU device, as a driver reset or a lost GPU would (fault-injection tests).
    pub fn lose_device(&mut self) {
        if let Model::Gpu(m) = self.model() {
            m.gpu().device.destroy();
        }
    }

    /// Becomes a trainer with the current weights, and the optimizer state given (or fresh).
    /// A trainer with another batch size is rebuilt the same way.
    pub async fn start_training(&mut self, train: TrainConfig, opt: Option<&OptimizerState>) -> Result<(), GpuError> {
        let config = *self.config();
        let params = self.params().await?;
        let gpu = match self.model() {
            Model::Gpu(m) => Some(m.gpu().clone()),
            Model::Cpu(_) => None,
        };
        *self = match gpu {
            Some(gpu) => Engine::GpuTrainer(Box::new(GpuTrainer::new(gpu, config, &params, train).await?)),
            None => Engine::CpuTrainer(Box::new(CpuTrainer::new(cpu_model(config, params)?, train)?)),
        };
        if let Some(opt) = opt {
            self.load_optimizer(opt)?;
        }
        Ok(())
    }

    /// Sizes the GPU's launches for `facts` from now on and records the training step again
    /// with them (`GpuTrainer::relaunch`); a CPU trainer has no launches to size.
    pub async fn relaunch_training(&mut self, facts: DeviceFacts) -> Result<(), GpuError> {
        match self {
            Engine::GpuTrainer(t) => {
                t.model.gpu.set_facts(facts);
                t.relaunch().await
            }
            Engine::CpuTrainer(_) => Ok(()),
            _ => Err(not_training()),
        }
    }

    fn load_optimizer(&mut self, opt: &OptimizerState) -> Result<(), GpuError> {
        match self {
            Engine::GpuTrainer(t) => t.load_optimizer(opt),
            Engine::CpuTrainer(t) => {
                if opt.m.len() != t.model.params.len() || opt.v.len() != t.model.params.len() {
                    return Err(
                        CoreError::Shape { op: "load_optimizer", expected: vec![t.model.params.len()], got: vec![opt.m.len()] }.into()
                    );
                }
                t.opt = opt.clone();
                Ok(())
            }
            _ => Err(not_training()),
        }
    }

    /// Runs one step per batch and returns their statistics. On the GPU the steps are
    /// submitted back to back and read once at the end. The first step with a NaN or infinite
    /// loss or gradient norm ends the run with `CoreError::NonFinite`; the model is then at its
    /// last good state (see `Session`).
    pub async fn train_steps(&mut self, batches: &[Batch]) -> Result<Vec<StepStats>, GpuError> {
        match self {
            Engine::GpuTrainer(t) => {
                for batch in batches {
                    t.submit_step(&batch.inputs(), &batch.targets)?;
                }
                let stats = t.read_stats().await?;
                if let Some(bad) = stats.iter().find(|s| !s.loss.is_finite() || !s.grad_norm.is_finite()) {
                    return Err(CoreError::NonFinite { step: bad.step, loss: bad.loss, grad_norm: bad.grad_norm }.into());
                }
                Ok(stats)
            }
            Engine::CpuTrainer(t) => {
                t.model.ablation = None; // ablation is for inference only
                let (b, block) = (t.config.batch_size, t.model.config.block_size);
                batches.iter().map(|batch| t.step(&batch.inputs(), &batch.targets, b, block).map_err(GpuError::from)).collect()
            }
            _ => Err(not_training()),
        }
    }

    /// Mean loss over a batch of `b` rows, changing no weights.
    pub async fn loss(&mut self, batch: &Batch, b: usize) -> Result<f32, GpuError> {
        let t = self.config().block_size;
        match self {
            Engine::GpuTrainer(tr) => tr.model.loss(&batch.inputs(), &batch.targets, b, t).await,
            Engine::CpuTrainer(tr) => Ok(tr.eval(&batch.inputs(), &batch.targets, b, t)?),
            _ => Err(not_training()),
        }
    }

    /// Remembers the current weights and optimizer state as the last good state.
    pub async fn snapshot(&mut self) -> Result<Snapshot, GpuError> {
        match self {
            Engine::GpuTrainer(t) => {
                t.snapshot();
                Ok(Snapshot::OnGpu(t.step_count()))
            }
            Engine::CpuTrainer(t) => Ok(Snapshot::OnCpu(t.model.params.clone(), t.opt.clone())),
            _ => Err(not_training()),
        }
    }

    /// Goes back to `snapshot`.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<(), GpuError> {
        match (self, snapshot) {
            (Engine::GpuTrainer(t), Snapshot::OnGpu(step)) => {
                t.restore(*step);
                Ok(())
            }
            (Engine::CpuTrainer(t), Snapshot::OnCpu(params, opt)) => {
                t.model.params.clone_from(params);
                t.opt.clone_from(opt);
                Ok(())
            }
            _ => Err(not_training()),
        }
    }

    /// AdamW's state, for autosave.
    pub async fn optimizer(&mut self) -> Result<OptimizerState, GpuError> {
        match self {
            Engine::GpuTrainer(t) => t.read_optimizer().await,
            Engine::CpuTrainer(t) => Ok(t.opt.clone()),
            _ => Err(not_training()),
        }
    }

    pub fn step_count(&self) -> u32 {
        match self {
            Engine::GpuTrainer(t) => t.step_count(),
            Engine::CpuTrainer(t) => t.opt.step,
            _ => 0,
        }
    }
}

/// The last good state of a trainer: on the GPU a copy kept in GPU buffers (and the step it
/// was taken at), on the CPU a copy in memory.
pub enum Snapshot {
    OnGpu(u32),
    OnCpu(Vec<f32>, OptimizerState),
}

pub(crate) fn not_training() -> GpuError {
    CoreError::Data("the model is not set up for training yet: start training first".into()).into()
}
