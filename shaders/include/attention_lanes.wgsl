// What the backward kernels with each row over LANES invocations share
// (attention_backward_query_lanes.wgsl, attention_backward_kv_lanes.wgsl). Not a kernel:
// shaders.rs prepends it, after MAX_HS4, LANES and STEP (the keys, or queries, staged a step).
// Lane k of a row holds the head's vec4s k, k + LANES, … of each of the row's arrays
// (interleaved, so the row's lanes read 64 contiguous bytes of a tile: no bank conflict).

const LANE_HS4: u32 = MAX_HS4 / LANES; // vec4s of the head one lane holds
const INVOCATIONS: u32 = WORKGROUP_SIZE * LANES;

// [key or query][row][lane]: the lane's parts of the row's two dot products with each staged
// row (consecutive invocations write consecutive words)
var<workgroup> parts: array<vec2<f32>, STEP * INVOCATIONS>;

// Σ over row r's LANES lanes of their parts for staged row n, in lane order (the same sum, bit
// for bit, in every lane of the row). A barrier must separate the stores from this.
fn row_sum(n: u32, r: u32) -> vec2<f32> {
    var s = vec2<f32>(0.0);
    for (var k = 0u; k < LANES; k++) { s += parts[n * INVOCATIONS + r * LANES + k]; }
    return s;
}
