//! `GpuTensor`: a typed view of a run of 4-byte elements inside a wgpu buffer, the unit every
//! launcher binds. Offsets are multiples of 256 bytes (WebGPU's storage offset alignment).

use crate::context::GpuContext;
use crate::counters::{BufferCounter, Tracked};
use std::sync::Arc;
use wgpu::util::DeviceExt;

#[derive(Clone, Debug)]
pub struct GpuTensor {
    pub buffer: wgpu::Buffer,
    /// Byte offset into `buffer`.
    pub offset: u64,
    /// Number of 4-byte elements (f32 or u32).
    pub len: u64,
    /// Counts the buffer as alive (`GpuContext::buffer_stats`) until the last view is dropped.
    tracked: Arc<Tracked>,
}

/// Usages of every storage buffer: bound by kernels, written by the queue, read back by copy.
pub const STORAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE.union(wgpu::BufferUsages::COPY_DST).union(wgpu::BufferUsages::COPY_SRC);

impl GpuTensor {
    /// A zeroed buffer of `len` elements (at least one, as WebGPU forbids empty bindings).
    pub fn zeros(gpu: &GpuContext, label: &str, len: usize) -> GpuTensor {
        let size = (len.max(1) * 4) as u64;
        let buffer =
            gpu.device.create_buffer(&wgpu::BufferDescriptor { label: Some(label), size, usage: STORAGE, mapped_at_creation: false });
        GpuTensor { buffer, offset: 0, len: len as u64, tracked: Arc::new(gpu.buffers.track(size)) }
    }

    /// `zeros`, or for `len` 0 (a buffer this model does not use) an empty view of the
    /// context's unused binding rather than a buffer of its own.
    pub fn zeros_or_empty(gpu: &GpuContext, label: &str, len: usize) -> GpuTensor {
        match len {
            0 => gpu.unused(0).slice(0, 0),
            _ => GpuTensor::zeros(gpu, label, len),
        }
    }

    /// A buffer holding `data` (f32 or u32).
    pub fn from_slice<T: bytemuck::Pod>(gpu: &GpuContext, label: &str, data: &[T]) -> GpuTensor {
        Self::upload(&gpu.device, &gpu.buffers, label, data)
    }

    /// `from_slice` before the context exists (its own small buffers).
    pub(crate) fn upload<T: bytemuck::Pod>(device: &wgpu::Device, buffers: &Arc<BufferCounter>, label: &str, data: &[T]) -> GpuTensor {
        assert_eq!(std::mem::size_of::<T>(), 4, "GpuTensor holds 4-byte elements");
        let contents: &[u8] = if data.is_empty() { &[0u8; 4] } else { bytemuck::cast_slice(data) };
        let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: Some(label), contents, usage: STORAGE });
        GpuTensor { buffer, offset: 0, len: data.len() as u64, tracked: Arc::new(buffers.track(contents.len() as u64)) }
    }

    /// A sub-view of `len` elements starting `offset` elements in (offset·4 must be 256-aligned).
    pub fn slice(&self, offset: usize, len: usize) -> GpuTensor {
        let byte_offset = self.offset + offset as u64 * 4;
        debug_assert_eq!(byte_offset % 256, 0, "storage bindings start on 256-byte boundaries");
        debug_assert!(offset as u64 + len as u64 <= self.len);
        GpuTensor { buffer: self.buffer.clone(), offset: byte_offset, len: len as u64, tracked: self.tracked.clone() }
    }

    pub fn bytes(&self) -> u64 {
        self.len * 4
    }

    pub fn binding(&self) -> wgpu::BindingResource<'_> {
        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer: &self.buffer,
            offset: self.offset,
            size: wgpu::BufferSize::new(self.bytes().max(4)),
        })
    }

    /// Overwrites the viewed elements with `data` (queued before the next submission).
    pub fn write<T: bytemuck::Pod>(&self, gpu: &GpuContext, data: &[T]) {
        debug_assert!(data.len() as u64 <= self.len);
        if !data.is_empty() {
            gpu.queue.write_buffer(&self.buffer, self.offset, bytemuck::cast_slice(data));
        }
    }
}
