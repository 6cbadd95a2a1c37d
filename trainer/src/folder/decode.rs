//! One image file to pixels: its size from the header (so that a huge image is refused before
//! it is decoded), then decoded, centre-cropped to a square and resized to the training side.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use image::imageops::{self, FilterType};
use image::{ImageReader, RgbImage};

/// The most pixels an image may have: a 100-megapixel file would take gigabytes to decode.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Why an image is not used.
#[derive(Clone, Debug, PartialEq)]
pub enum Unusable {
    /// Unreadable or undecodable: skipped and counted.
    Skip(String),
    /// Refused outright (too large): the whole dataset is refused.
    Refuse(String),
}

impl Unusable {
    /// The reason, whichever way it is taken.
    pub fn why(self) -> String {
        match self {
            Self::Skip(why) | Self::Refuse(why) => why,
        }
    }
}

/// The width and height of the image at `path`, from its header alone (the pixels are not read).
pub fn header(path: &Path) -> Result<(u32, u32), Unusable> {
    let size = reader(path)?.into_dimensions().map_err(|e| Unusable::Skip(format!("has no readable image header ({e})")))?;
    if size.0 == 0 || size.1 == 0 {
        return Err(Unusable::Skip(format!("is empty ({}x{} pixels)", size.0, size.1)));
    }
    if u64::from(size.0) * u64::from(size.1) > MAX_PIXELS {
        return Err(Unusable::Refuse(format!(
            "is {}x{} pixels ({:.0} megapixels), more than the {} megapixels an image may have; shrink it or remove it",
            size.0,
            size.1,
            f64::from(size.0) * f64::from(size.1) / 1e6,
            MAX_PIXELS / 1_000_000
        )));
    }
    Ok(size)
}

/// A reader of the file at `path` whose format is guessed from its first bytes (PNG or JPEG).
fn reader(path: &Path) -> Result<ImageReader<BufReader<File>>, Unusable> {
    let open = ImageReader::open(path).and_then(|r| r.with_guessed_format());
    open.map_err(|e| Unusable::Skip(format!("cannot be read ({e})")))
}

/// A decoded image at the training side: RGB bytes, and whether every pixel is grey.
#[derive(Debug)]
pub struct Pixels {
    /// `side * side * 3` bytes, row-major RGB.
    pub rgb: Vec<u8>,
    /// Whether R = G = B in every pixel (a grey file, or a grey picture saved as colour).
    pub grey: bool,
}

/// Decode the image at `path`, crop the centre square and resize it to `side x side`.
pub fn decode(path: &Path, side: u32) -> Result<Pixels, Unusable> {
    let image = reader(path)?.decode().map_err(|e| Unusable::Skip(format!("cannot be decoded ({e})")))?;
    let rgb = square(image.to_rgb8(), side);
    let grey = rgb.pixels().all(|p| p[0] == p[1] && p[1] == p[2]);
    Ok(Pixels { rgb: rgb.into_raw(), grey })
}

/// The centre square of `image`, resized to `side` (untouched when it already is that size).
pub fn square(image: RgbImage, side: u32) -> RgbImage {
    let (w, h) = image.dimensions();
    let s = w.min(h);
    let cropped = if w == h { image } else { imageops::crop_imm(&image, (w - s) / 2, (h - s) / 2, s, s).to_image() };
    if s == side { cropped } else { imageops::resize(&cropped, side, side, FilterType::Triangle) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn garbage_is_skipped_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.png");
        std::fs::write(&path, b"not an image").unwrap();
        assert!(matches!(header(&path), Err(Unusable::Skip(_))));
    }

    #[test]
    fn crops_the_centre_square_and_resizes() {
        // A 6x4 image whose middle 4x4 is white and whose side columns are red.
        let image = RgbImage::from_fn(6, 4, |x, _| if (1..5).contains(&x) { Rgb([255, 255, 255]) } else { Rgb([255, 0, 0]) });
        let out = square(image, 2);
        assert_eq!(out.dimensions(), (2, 2));
        assert!(out.pixels().all(|p| p.0 == [255, 255, 255]), "the red sides are cropped away");
    }
}
