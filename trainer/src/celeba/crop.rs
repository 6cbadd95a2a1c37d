//! The CelebA crop: how an aligned CelebA photo becomes the model's 64x64 RGB input.
//!
//! This is the contract the page mirrors: `www/faces/face-image.js` crops and resizes an uploaded
//! photo the same way, so that a face from the browser looks to the model like a training face.
//! Change one side and you must change the other (and `cache::CACHE_FORMAT`).

use image::RgbImage;
use image::imageops::{self, FilterType};

/// Side in pixels of the square faces the loader produces.
pub const SIDE: usize = 64;
/// Colour channels per face (RGB).
pub const CHANNELS: usize = 3;
/// Bytes per preprocessed face: `CHANNELS * SIDE * SIDE`.
pub const IMAGE_BYTES: usize = CHANNELS * SIDE * SIDE;
/// The crop's side is `CROP_NUMERATOR / CROP_DENOMINATOR` of the image's width.
pub const CROP_NUMERATOR: u32 = 140;
/// Width of a full-size aligned CelebA image, the denominator of the crop fraction.
pub const CROP_DENOMINATOR: u32 = 178;


/// Crop and resize an aligned CelebA image to the model's `SIDE` x `SIDE` input, returning
/// `3 * SIDE * SIDE` bytes channel-first (all R rows, then G, then B).
///
/// The crop is the square of side `round(width * 140 / 178)` pixels (clamped to the image's
/// width and height), centred in the image: its left edge is `(width - side) / 2` and its top
/// edge `(height - side) / 2`, rounded down. On a full-size 178x218 image that is the 140x140
/// square at (19, 39); on a half-size 89x109 image the 70x70 square at (9, 19), the same framing
/// to within half a source pixel. The square is then resized to 64x64 with a triangle
/// (bilinear) filter whose support widens with the reduction, so it averages every source pixel
/// instead of skipping some (no aliasing) and, unlike Lanczos, adds no ringing around edges.
pub fn preprocess(img: &RgbImage) -> Vec<u8> {
    let (x, y, side) = crop_box(img.width(), img.height());
    let square = imageops::crop_imm(img, x, y, side, side);
    let small = imageops::resize(&*square, SIDE as u32, SIDE as u32, FilterType::Triangle);
    channel_first(&small)
}

/// The left edge, top edge and side of the centred square crop described at [`preprocess`].
pub(super) fn crop_box(width: u32, height: u32) -> (u32, u32, u32) {
    let wanted = (width * CROP_NUMERATOR + CROP_DENOMINATOR / 2) / CROP_DENOMINATOR;
    let side = wanted.min(width).min(height).max(1);
    // Saturating: an empty image (width or height 0) gets a zero-size crop, not a panic.
    (width.saturating_sub(side) / 2, height.saturating_sub(side) / 2, side)
}

/// The pixels of `img` reordered from interleaved RGB (H, W, C) to planes (C, H, W).
pub(super) fn channel_first(img: &RgbImage) -> Vec<u8> {
    let raw = img.as_raw();
    (0..CHANNELS).flat_map(|c| raw.iter().skip(c).step_by(CHANNELS).copied()).collect()
}

