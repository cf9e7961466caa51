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

/// Most bytes one staging buffer holds. A larger read goes through it in turns: a 135M-parameter
/// model's 538 MB of weights in one read would ask for a 1 GiB buffer, past `maxBufferSize`,
/// and keep it for good.
pub const MAX_STAGING_BYTES: u64 = 64 << 20;

/// A growable MAP_READ buffer, reused between readbacks (one readback at a time), of at most
/// `max_bytes` (and the device's `max_buffer_size`).
pub struct Staging {
    buffer: Option<(wgpu::Buffer, Tracked)>,
    max_bytes: u64,
}

impl Default for Staging {
    fn default() -> Staging {
        Staging::with_max_bytes(MAX_STAGING_BYTES)
    }
}

/// `len` words of region `region`, from word `first` of it: what one turn copies of it.
struct Piece {
    region: usize,
    first: u64,
    len: u64,
}

impl Staging {
    /// A staging buffer that never grows past `max_bytes` (a multiple of 4; tests make it small).
    pub fn with_max_bytes(max_bytes: u64) -> Staging {
        Staging { buffer: None, max_bytes }
    }

    /// Encodes copies of `regions` into the staging buffer, submits `encoder`, waits for the
    /// map and returns each region's elements as raw 32-bit words. What does not fit the
    /// staging buffer is read in further turns, each with its own encoder.
    pub async fn read(&mut self, gpu: &GpuContext, encoder: wgpu::CommandEncoder, regions: &[Region]) -> Result<Vec<Vec<u32>>, GpuError> {
        let max_words = (self.cap(gpu) / 4).max(1);
        let turns = turns(regions, max_words);
        let mut out: Vec<Vec<u32>> = regions.iter().map(|r| Vec::with_capacity(r.len as usize)).collect();
        let mut encoder = Some(encoder);
        for pieces in turns {
            let encoder = encoder
                .take()
                .unwrap_or_else(|| gpu.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("readback turn") }));
            let words = self.read_turn(gpu, encoder, regions, &pieces).await?;
            let mut at = 0usize;
            for p in &pieces {
                out[p.region].extend_from_slice(&words[at..at + p.len as usize]);
                at += p.len as usize;
            }
        }
        Ok(out)
    }

    /// The largest staging buffer: `max_bytes`, or less where the device allows less.
    fn cap(&self, gpu: &GpuContext) -> u64 {
        self.max_bytes.min(gpu.device_limits().max_buffer_size)
    }

    /// One turn: copies `pieces` into the staging buffer (grown to fit), submits, maps.
    async fn read_turn(
        &mut self,
        gpu: &GpuContext,
        mut encoder: wgpu::CommandEncoder,
        regions: &[Region],
        pieces: &[Piece],
    ) -> Result<Vec<u32>, GpuError> {
        let total: u64 = pieces.iter().map(|p| p.len * 4).sum();
        let needed = total.max(4).next_power_of_two().min(self.cap(gpu).max(total.max(4)));
        if self.buffer.as_ref().is_none_or(|(b, _)| b.size() < needed) {
            self.buffer = None; // the old one is freed before the larger one is made
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
        for p in pieces {
            let r = &regions[p.region];
            encoder.copy_buffer_to_buffer(&r.buffer, r.offset + p.first * 4, staging, at, p.len * 4);
            at += p.len * 4;
        }
        gpu.compiled().await?;
        gpu.queue.submit([encoder.finish()]);
        map_words(gpu, staging, total.max(4)).await
    }
}

/// `regions` cut into turns of at most `max_words` words each, in order; one turn (perhaps
/// empty) at least, so that the caller's encoder is always submitted.
fn turns(regions: &[Region], max_words: u64) -> Vec<Vec<Piece>> {
    let mut turns = vec![Vec::new()];
    let mut room = max_words;
    for (region, r) in regions.iter().enumerate() {
        let mut first = 0;
        while first < r.len {
            if room == 0 {
                turns.push(Vec::new());
                room = max_words;
            }
            let len = (r.len - first).min(room);
            turns.last_mut().expect("one turn at least").push(Piece { region, first, len });
            first += len;
            room -= len;
        }
    }
    turns
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
