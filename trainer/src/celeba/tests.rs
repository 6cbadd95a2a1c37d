//! Tests of the CelebA loader on a tiny generated directory.

use super::*;
use super::cache::CACHE_MAGIC;
use super::crop::crop_box;
use image::{GrayImage, ImageFormat, Luma, Rgb};

const NAMES: &str = "Smiling  Male Young";

/// The fixture's attribute rows (CRLF and double spaces as in the real file).
fn attribute_text(rows: &[&str]) -> String {
    let mut text = format!("{}\r\n{NAMES}\r\n", rows.len());
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    text
}

const ROWS: [&str; 6] = [
    "000001.jpg -1  1 -1",
    "000002.jpg  1  1  1",
    "000003.jpg  1 -1 -1",
    "000004.jpg -1 -1  1",
    "000005.jpg  1 -1  1",
    "000006.jpg -1 -1 -1",
];

/// Write a tiny CelebA directory:
/// - train: 000001 (89x109 red), 000003 (89x109 grey, a greyscale JPEG), 000005 (random
///   bytes: unreadable), 000006 (absent);
/// - validation: 000004 (absent);
/// - test: 000002 (178x218 green).
fn write_fixture(dir: &Path) {
    fs::write(dir.join(ATTRIBUTE_FILE), attribute_text(&ROWS)).unwrap();
    let partitions = "000001.jpg 0\r\n000002.jpg 2\r\n000003.jpg 0\r\n000004.jpg 1\r\n000005.jpg 0\r\n000006.jpg 0\r\n";
    fs::write(dir.join(PARTITION_FILE), partitions).unwrap();
    let images = dir.join(IMAGE_DIR);
    fs::create_dir(&images).unwrap();
    let jpeg = ImageFormat::Jpeg;
    RgbImage::from_pixel(89, 109, Rgb([255, 0, 0])).save_with_format(images.join("000001.jpg"), jpeg).unwrap();
    RgbImage::from_pixel(178, 218, Rgb([0, 255, 0])).save_with_format(images.join("000002.jpg"), jpeg).unwrap();
    GrayImage::from_pixel(89, 109, Luma([200])).save_with_format(images.join("000003.jpg"), jpeg).unwrap();
    let noise: Vec<u8> = (0..500u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    fs::write(images.join("000005.jpg"), noise).unwrap();
}

/// Whether every byte of `plane` is within 3 of `value` (JPEG is lossy even on flat colour).
fn plane_is(plane: &[u8], value: u8) -> bool {
    plane.iter().all(|&p| p.abs_diff(value) <= 3)
}

/// The error of `load` as one line with its causes.
fn load_error(dir: &Path, partition: Partition) -> String {
    format!("{:#}", load(dir, partition, None).unwrap_err())
}

#[test]
fn loads_attributes_and_skips_absent_and_unreadable_images() {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(dir.path());
    let (faces, report) = load(dir.path(), Partition::Train, None).unwrap();
    assert_eq!(faces.attribute_names, ["Smiling", "Male", "Young"]);
    assert_eq!(faces.ids, ["000001.jpg", "000003.jpg"]);
    assert_eq!(faces.attributes, [0, 1, 0, 1, 0, 0]);
    assert_eq!((report.rows, report.images, report.absent), (4, 2, 1));
    assert_eq!(report.unreadable, ["000005.jpg"]);
    assert_eq!(report.cache, CacheUse::Disabled);
    assert_eq!(report.to_string(), "CelebA train: 2 of 4 rows have an image (1 absent, 1 unreadable)");

    let plane = SIDE * SIDE;
    let red = faces.image(0);
    assert!(plane_is(&red[..plane], 255) && plane_is(&red[plane..], 0));
    // The greyscale JPEG becomes three equal channels.
    assert!(plane_is(faces.image(1), 200), "{:?}", &faces.image(1)[..8]);

    let (images, attributes) = faces.batch(&[1, 0]);
    assert_eq!(images.len(), 2 * IMAGE_BYTES);
    assert!((images[0] - 200.0 / 255.0).abs() < 0.02 && (images[IMAGE_BYTES] - 1.0).abs() < 0.02);
    assert_eq!(attributes, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(faces.take(1).ids, ["000001.jpg"]);
    assert_eq!(faces.take(1).attributes, [0, 1, 0]);
    assert_eq!(faces.take(5), faces);

    let (faces, report) = load(dir.path(), Partition::Test, None).unwrap();
    assert_eq!(faces.len(), 1);
    assert!(plane_is(&faces.image(0)[SIDE * SIDE..2 * SIDE * SIDE], 255));
    assert_eq!(report.to_string(), "CelebA test: 1 of 1 rows have an image (0 absent, 0 unreadable)");
}

/// An image of `width` x `height`: green outside the nominal crop (with a margin), blue
/// inside, and a red square centred in it with side 0.3 x width.
fn framing_target(width: u32, height: u32) -> RgbImage {
    let (cx, cy, w) = (width as f32 / 2.0, height as f32 / 2.0, width as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (dx, dy) = ((x as f32 + 0.5 - cx).abs(), (y as f32 + 0.5 - cy).abs());
        if dx > 0.40 * w || dy > 0.40 * w {
            Rgb([0, 255, 0])
        } else if dx < 0.15 * w && dy < 0.15 * w {
            Rgb([255, 0, 0])
        } else {
            Rgb([0, 0, 255])
        }
    })
}

#[test]
fn preprocess_frames_half_and_full_size_images_alike() {
    let half = preprocess(&framing_target(89, 109));
    let full = preprocess(&framing_target(178, 218));
    assert_eq!((half.len(), full.len()), (IMAGE_BYTES, IMAGE_BYTES));
    let plane = SIDE * SIDE;
    for face in [&half, &full] {
        // Nothing outside the crop reaches the output; the red square sits in the middle.
        assert!(face[plane..2 * plane].iter().all(|&g| g < 8), "green leaked in");
        let at = |c: usize, y: usize, x: usize| face[c * plane + y * SIDE + x];
        assert_eq!((at(0, 32, 32), at(2, 32, 32)), (255, 0));
        assert_eq!((at(0, 2, 2), at(2, 2, 2)), (0, 255));
        // 0.3 / (140 / 178) of 64 pixels: the square spans about 24 pixels across.
        let red_columns = (0..SIDE).filter(|&x| at(0, 32, x) > 127).count();
        assert!((23..=26).contains(&red_columns), "{red_columns}");
    }
    let mean_difference =
        half.iter().zip(&full).map(|(&a, &b)| f32::from(a.abs_diff(b))).sum::<f32>() / IMAGE_BYTES as f32;
    assert!(mean_difference < 4.0, "mean difference {mean_difference}");
}

#[test]
fn preprocess_clamps_the_crop_to_wide_and_tiny_images() {
    assert_eq!(crop_box(178, 218), (19, 39, 140));
    assert_eq!(crop_box(89, 109), (9, 19, 70));
    assert_eq!(crop_box(200, 60), (70, 0, 60));
    assert_eq!(preprocess(&RgbImage::new(200, 60)).len(), IMAGE_BYTES);
    assert_eq!(preprocess(&RgbImage::new(0, 0)), vec![0; IMAGE_BYTES]);
    assert_eq!(preprocess(&RgbImage::from_pixel(1, 1, Rgb([9, 8, 7])))[..1], [9]);
}

#[test]
fn names_missing_files_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_error(dir.path(), Partition::Train);
    assert!(err.contains("list_attr_celeba.txt") && err.contains("cannot read"), "{err}");

    write_fixture(dir.path());
    let err = load_error(dir.path(), Partition::Validation);
    assert!(err.contains("none of the 1 validation rows") && err.contains("img_align_celeba"), "{err}");

    fs::remove_dir_all(dir.path().join(IMAGE_DIR)).unwrap();
    let err = load_error(dir.path(), Partition::Train);
    assert!(err.contains("img_align_celeba") && err.contains("does not exist"), "{err}");

    let partition_path = dir.path().join(PARTITION_FILE);
    fs::write(&partition_path, "000001.jpg 0\n000002.jpg 2\n").unwrap();
    let err = load_error(dir.path(), Partition::Train);
    assert!(err.contains("line 5") && err.contains("`000003.jpg` is not listed in"), "{err}");
    fs::write(&partition_path, "000001.jpg 7\n").unwrap();
    let err = load_error(dir.path(), Partition::Train);
    assert!(err.contains("list_eval_partition.txt` line 1") && err.contains("`7`"), "{err}");
    fs::remove_file(&partition_path).unwrap();
    let err = load_error(dir.path(), Partition::Train);
    assert!(err.contains("list_eval_partition.txt") && err.contains("cannot read"), "{err}");
}

#[test]
fn names_the_file_and_line_of_malformed_attributes() {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(dir.path());
    let attribute_path = dir.path().join(ATTRIBUTE_FILE);
    let cases = [
        (format!("five\n{NAMES}\n"), "line 1: the row count `five` is not a number"),
        (attribute_text(&["000001.jpg -1  1 -1", "000002.jpg 1 1"]), "line 4: 2 values after `000002.jpg`, expected 3"),
        (attribute_text(&["000001.jpg -1  2 -1"]), "line 3: value `2` of Male for `000001.jpg` is not -1 or 1"),
        (format!("3\n{NAMES}\n{}\n", ROWS[0]), "line 1 announces 3 rows but the file has 1"),
    ];
    for (text, expected) in cases {
        fs::write(&attribute_path, text).unwrap();
        let err = load_error(dir.path(), Partition::Train);
        assert!(err.contains(&format!("list_attr_celeba.txt` {expected}")), "{err}");
    }
}

#[test]
fn a_second_load_reads_the_cache_and_a_corrupt_cache_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write_fixture(dir.path());
    let cache_dir = dir.path().join("cache");
    let (fresh, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
    let CacheUse::Written(path) = report.cache.clone() else { panic!("{report:?}") };
    assert!(path.file_name().unwrap().to_str().unwrap().starts_with("celeba-train-"));

    let (cached, again) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
    assert_eq!(cached, fresh);
    assert_eq!(again.cache, CacheUse::Read(path.clone()));
    assert_eq!((again.images, again.absent, &again.unreadable), (2, 1, &report.unreadable));
    assert!(again.to_string().contains("read from cache"), "{again}");

    let good = fs::read(&path).unwrap();
    let mut wrong_magic = good.clone();
    wrong_magic[0] ^= 1;
    for damaged in [good[..good.len() - 1].to_vec(), wrong_magic, [&CACHE_MAGIC[..], &[0xff; 12]].concat()] {
        fs::write(&path, damaged).unwrap();
        let (rebuilt, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
        assert_eq!(rebuilt, fresh);
        assert_eq!(report.cache, CacheUse::Written(path.clone()));
        assert_eq!(fs::read(&path).unwrap(), good);
    }

    // Other annotations make another key, hence another cache file.
    let mut rows = ROWS;
    rows[0] = "000001.jpg  1  1 -1";
    fs::write(dir.path().join(ATTRIBUTE_FILE), attribute_text(&rows)).unwrap();
    let (changed, report) = load(dir.path(), Partition::Train, Some(&cache_dir)).unwrap();
    assert_eq!(changed.attributes_of(0), [1, 1, 0]);
    assert!(matches!(report.cache, CacheUse::Written(other) if other != path));
}

#[test]
fn formats_counts_and_parses_partition_names() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(19_962), "19,962");
    assert_eq!(thousands(1_202_599), "1,202,599");
    assert_eq!("val".parse::<Partition>().unwrap(), Partition::Validation);
    assert_eq!(Partition::from_code("2"), Some(Partition::Test));
    assert!("dev".parse::<Partition>().unwrap_err().to_string().contains("`dev`"));
}

/// Load the real dataset and time it: `CELEBA_DIR=... cargo test --release -p jmvae-trainer
/// celeba_timings -- --ignored --nocapture` (the cache goes to a temporary directory).
#[test]
#[ignore = "needs a CelebA directory in CELEBA_DIR"]
fn celeba_timings() {
    let Some(dir) = std::env::var_os("CELEBA_DIR") else { return };
    let cache = tempfile::tempdir().unwrap();
    for partition in [Partition::Test, Partition::Test, Partition::Validation, Partition::Train, Partition::Train] {
        let start = std::time::Instant::now();
        let (faces, report) = load(Path::new(&dir), partition, Some(cache.path())).unwrap();
        println!("{report} -- {} faces in {:.2} s", faces.len(), start.elapsed().as_secs_f64());
    }
}
