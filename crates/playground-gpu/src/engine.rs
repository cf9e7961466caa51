//! `Engine`: the model on the GPU when WebGPU is there, on the CPU reference when it is not,
//! behind one interface the wasm facade and the tests drive.

use crate::context::SharedGpu;
use crate::error::GpuError;
use crate::model::GpuModel;
use playground_core::{CpuModel, ForwardOutput, ModelConfig, TraceRequest};

pub enum Engine {
    Gpu(Box<GpuModel>),
    Cpu(CpuModel),
}

impl Engine {
    /// A GPU engine on `gpu`, or the CPU engine when `gpu` is `None`.
    pub async fn new(gpu: Option<SharedGpu>, config: ModelConfig, params: Vec<f32>, max_batch: usize) -> Result<Engine, GpuError> {
        Ok(match gpu {
            Some(gpu) => Engine::Gpu(Box::new(GpuModel::new(gpu, config, &params, max_batch).await?)),
            None => Engine::Cpu(CpuModel::from_params(config, params)?),
        })
    }

    /// "webgpu" or "cpu".
    pub fn backend(&self) -> &'static str {
        match self {
            Engine::Gpu(_) => "webgpu",
            Engine::Cpu(_) => "cpu",
        }
    }

    pub fn config(&self) -> &ModelConfig {
        match self {
            Engine::Gpu(m) => &m.config,
            Engine::Cpu(m) => &m.config,
        }
    }

    pub async fn forward(&mut self, tokens: &[u32], request: &TraceRequest) -> Result<ForwardOutput, GpuError> {
        match self {
            Engine::Gpu(m) => m.forward(tokens, request).await,
            Engine::Cpu(m) => Ok(m.forward(tokens, request)?),
        }
    }

    pub async fn params(&mut self) -> Result<Vec<f32>, GpuError> {
        match self {
            Engine::Gpu(m) => m.read_params().await,
            Engine::Cpu(m) => Ok(m.params.clone()),
        }
    }
}
