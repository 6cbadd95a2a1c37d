//! Saving grids of generated images as PNG.

use std::path::Path;

use anyhow::{Context, Result};
use image::{GrayImage, Luma, Rgb, RgbImage};

use crate::atomic::write_atomic;

/// Tile `rows * cols` grey images of `side x side` values in [0, 1] into one PNG, with a
/// one-pixel gap, and write it atomically.
pub fn save_grid(path: &Path, images: &[f32], rows: usize, cols: usize, side: usize) -> Result<()> {
    let cell = side + 1;
    let mut canvas = GrayImage::from_pixel((cols * cell + 1) as u32, (rows * cell + 1) as u32, Luma([40]));
    for (i, pixels) in images.chunks(side * side).take(rows * cols).enumerate() {
        let (r, c) = (i / cols, i % cols);
        for (p, &v) in pixels.iter().enumerate() {
            let (y, x) = (p / side, p % side);
            let level = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
            canvas.put_pixel((c * cell + 1 + x) as u32, (r * cell + 1 + y) as u32, Luma([level]));
        }
    }
    write_png(path, canvas.into())
}

/// Tile `rows * cols` colour images (channel-first, `3 x side x side` values in [0, 1]) into
/// one PNG, with a one-pixel gap, and write it atomically.
pub fn save_colour_grid(path: &Path, images: &[f32], rows: usize, cols: usize, side: usize) -> Result<()> {
    let cell = side + 1;
    let plane = side * side;
    let mut canvas = RgbImage::from_pixel((cols * cell + 1) as u32, (rows * cell + 1) as u32, Rgb([40, 40, 40]));
    for (i, values) in images.chunks(3 * plane).take(rows * cols).enumerate() {
        let (r, c) = (i / cols, i % cols);
        for p in 0..plane {
            let level = |channel: usize| (values[channel * plane + p].clamp(0.0, 1.0) * 255.0).round() as u8;
            let (y, x) = (p / side, p % side);
            canvas.put_pixel((c * cell + 1 + x) as u32, (r * cell + 1 + y) as u32, Rgb([level(0), level(1), level(2)]));
        }
    }
    write_png(path, canvas.into())
}

/// Encode `image` as PNG and write it atomically.
fn write_png(path: &Path, image: image::DynamicImage) -> Result<()> {
    let mut bytes = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).context("cannot encode the PNG")?;
    write_atomic(path, &bytes)
}
