//! Ablation mask, CPU reference for `shaders/ablate_forward.wgsl`.
//! x is (rows, G·W): G groups of W columns (the heads of `atty`, or one group for a whole
//! block's output). Each group is scaled in place by its entry of the mask:
//!   x[r, g·W + j] ← x[r, g·W + j] · mask[mask_offset + g]
//! A scale of 0 switches the group off exactly (0·x = 0 for every finite x).

pub fn ablate_forward(
    x: &mut [f32], // (rows, G·W)
    mask: &[f32],  // (mask_offset + G ..)
    mask_offset: usize,
    rows: usize,
    groups: usize,
    width: usize,
) {
    for r in 0..rows {
        for g in 0..groups {
            let s = mask[mask_offset + g];
            let start = (r * groups + g) * width;
            for v in &mut x[start..start + width] {
                *v *= s;
            }
        }
    }
}
