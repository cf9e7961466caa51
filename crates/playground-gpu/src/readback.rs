//! Reading GPU buffers back: copy into a MAP_READ staging buffer, map it, copy out.
//! The only place the CPU waits for the GPU.

use crate::context::GpuContext;
use crate::counters::Tracked;
use crate::error::GpuError;
use crate::tensor::GpuTensor;

/// A region to read: `len` elements of `buffer` starting at byte `offset`.
#[derive(Clone, Debug)]
pub struct Region {
    pub buffer: wgpu::Buffer,
    pub offset: u64,
    pub len: u64,
}

impl From<&GpuTensor> for Region {
    fn from(t: &GpuTensor) -> Region {
        Region { buffer: t.buffer.clone(), offset: t.offset, len: t.len }
    }
}

/// A growable MAP_READ buffer, reused between readbacks (one readback at a time).
#[derive(Default)]
pub struct Staging {
    buffer: Option<(wgpu::Buffer, Tracked)>,
}

impl Staging {
    /// Encodes copies of `regions` into the staging buffer, submits `encoder`, waits for the
    /// map and returns each region's elements as raw 32-bit words.
    pub async fn read(
        &mut self,
        gpu: &GpuContext,
        mut encoder: wgpu::CommandEncoder,
        regions: &[Region],
    ) -> Result<Vec<Vec<u32>>, GpuError> {
        let total: u64 = regions.iter().map(|r| r.len * 4).sum();
        let needed = total.max(4).next_power_of_two();
        if self.buffer.as_ref().is_none_or(|(b, _)| b.size() < needed) {
            let buffer = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("staging"),
                size: needed,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            self.buffer = Some((buffer, gpu.track(needed)));
        }
        let (staging, _) = self.buffer.as_ref().expect("allocated above");
        let mut at = 0;
        for r in regions {
            if r.len > 0 {
                encoder.copy_buffer_to_buffer(&r.buffer, r.offset, staging, at, r.len * 4);
            }
            at += r.len * 4;
        }
        gpu.compiled().await?;
        gpu.queue.submit([encoder.finish()]);
        let words = map_words(gpu, staging, total.max(4)).await?;
        let mut out = Vec::with_capacity(regions.len());
        let mut at = 0usize;
        for r in regions {
            out.push(words[at..at + r.len as usize].to_vec());
            at += r.len as usize;
        }
        Ok(out)
    }
}

/// Maps the first `bytes` of `staging` and returns them as words.
async fn map_words(gpu: &GpuContext, staging: &wgpu::Buffer, bytes: u64) -> Result<Vec<u32>, GpuError> {
    let (tx, rx) = futures_channel::oneshot::channel();
    staging.map_async(wgpu::MapMode::Read, 0..bytes, move |r| {
        let _ = tx.send(r);
    });
    // Blocks natively until the GPU is done; a no-op in the browser, which resolves the map itself.
    gpu.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| GpuError::Readback(e.to_string()))?;
    let mapped = rx.await.map_err(|_| GpuError::Readback("the map request was dropped".into()))?;
    if let Err(e) = mapped {
        return Err(match gpu.lost_reason() {
            Some(reason) => GpuError::DeviceLost(reason),
            None => GpuError::Readback(e.to_string()),
        });
    }
    let words = {
        let view = staging.get_mapped_range(0..bytes).map_err(|e| GpuError::Readback(e.to_string()))?;
        bytemuck::cast_slice::<u8, u32>(&view).to_vec()
    };
    staging.unmap();
    Ok(words)
}

/// Reads whole tensors as f32 (tests and small reads).
pub async fn read_f32(gpu: &GpuContext, tensors: &[&GpuTensor]) -> Result<Vec<Vec<f32>>, GpuError> {
    let regions: Vec<Region> = tensors.iter().map(|t| Region::from(*t)).collect();
    let encoder = gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback") });
    let words = Staging::default().read(gpu, encoder, &regions).await?;
    Ok(words.into_iter().map(words_to_f32).collect())
}

pub fn words_to_f32(words: Vec<u32>) -> Vec<f32> {
    words.into_iter().map(f32::from_bits).collect()
}
