//! Times kernel launches on the GPU (the native benchmark and profile_step): the GPU's own
//! timestamps around one compute pass where the device has `TIMESTAMP_QUERY` (most GPUs, and
//! lavapipe), else the wall clock around submit and wait.

use playground_gpu::context::Op;
use playground_gpu::SharedGpu;
use std::time::Instant;

/// Times kernel launches on the GPU: timestamps where the device has them, else wall clock.
pub struct Timer {
    pub gpu: SharedGpu,
    queries: Option<(wgpu::QuerySet, wgpu::Buffer, wgpu::Buffer)>,
}

impl Timer {
    pub fn new(gpu: SharedGpu) -> Self {
        let queries = gpu.device.features().contains(wgpu::Features::TIMESTAMP_QUERY).then(|| {
            let set =
                gpu.device.create_query_set(&wgpu::QuerySetDescriptor { label: Some("bench"), ty: wgpu::QueryType::Timestamp, count: 2 });
            let resolve = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("bench resolve"),
                size: 16,
                usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let read = gpu.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("bench read"),
                size: 16,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            (set, resolve, read)
        });
        Timer { gpu, queries }
    }

    pub fn method(&self) -> &'static str {
        if self.queries.is_some() {
            "GPU timestamps around one compute pass"
        } else {
            "wall clock around submit and wait"
        }
    }

    pub fn wait(&self) {
        self.gpu.device.poll(wgpu::PollType::wait_indefinitely()).expect("poll");
    }

    /// Milliseconds of one pass that runs `ops` `reps` times.
    pub fn pass_ms(&self, ops: &[&Op], reps: u32) -> f64 {
        let gpu = &self.gpu;
        let mut encoder = gpu.device.create_command_encoder(&Default::default());
        {
            let timestamp_writes = self.queries.as_ref().map(|(set, _, _)| wgpu::ComputePassTimestampWrites {
                query_set: set,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            });
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("bench"), timestamp_writes });
            for _ in 0..reps {
                for op in ops {
                    pass.set_pipeline(gpu.pipeline(op));
                    pass.set_bind_group(0, &op.bind_group, &[]);
                    let [x, y, z] = op.workgroups;
                    pass.dispatch_workgroups(x, y, z);
                }
            }
        }
        if let Some((set, resolve, read)) = &self.queries {
            encoder.resolve_query_set(set, 0..2, resolve, 0);
            encoder.copy_buffer_to_buffer(resolve, 0, read, 0, 16);
        }
        let start = Instant::now();
        gpu.queue.submit([encoder.finish()]);
        self.wait();
        let wall = start.elapsed().as_secs_f64() * 1e3;
        match &self.queries {
            None => wall,
            Some((_, _, read)) => {
                read.slice(..).map_async(wgpu::MapMode::Read, |r| r.expect("map timestamps"));
                self.wait();
                let ticks: Vec<u64> = bytemuck::cast_slice(&read.slice(..).get_mapped_range().expect("mapped")).to_vec();
                read.unmap();
                let ns = ticks[1].saturating_sub(ticks[0]) as f64 * gpu.queue.get_timestamp_period() as f64;
                // a driver without real timestamps writes zeros: fall back to the wall clock
                if ns > 0.0 {
                    ns / 1e6
                } else {
                    wall
                }
            }
        }
    }

    /// Warm-up, an estimate, then enough repetitions for about `budget` seconds (`min_reps`
    /// to 200). Returns (ms per repetition, repetitions).
    pub fn time(&self, ops: &[&Op], budget: f64, min_reps: u32) -> (f64, u32) {
        self.pass_ms(ops, 1);
        let one = self.pass_ms(ops, 1).max(1e-3);
        match ((budget * 1e3 / one) as u32).clamp(min_reps, 200) {
            1 => (one, 1),
            reps => (self.pass_ms(ops, reps) / reps as f64, reps),
        }
    }
}
