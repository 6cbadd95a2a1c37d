//! Which examples are trained on, validated on and tested on: the split folders where they
//! exist, else examples held out of the training pool, drawn by the seed.

use anyhow::{Result, bail};
use jmvae::SeededRng;

use super::layout::Part;

/// Mixed into the seed, so that the held-out draw is apart from every other use of it.
const HOLD_OUT_SALT: u64 = 0x0068_6f6c_646f_7574;

/// The share of the pool held out for testing when there is no `test` folder and no `--test`.
const DEFAULT_TEST_SHARE: usize = 10;

/// The example indices of each split, and how each was made.
#[derive(Debug, PartialEq)]
pub struct Assignment {
    /// Training examples.
    pub train: Vec<usize>,
    /// Validation examples, when asked for.
    pub validation: Option<Vec<usize>>,
    /// Test examples.
    pub test: Vec<usize>,
    /// One line per split that was held out rather than read from a folder, or left unused.
    pub notes: Vec<String>,
}

/// What to hold out: `--test` (None: a tenth), `--validation` (0: none) and the seed.
#[derive(Clone, Copy, Debug)]
pub struct HoldOut {
    /// Test examples to hold out when there is no `test` folder.
    pub test: Option<usize>,
    /// Validation examples (any number > 0 reads a `validation` folder when there is one).
    pub validation: usize,
    /// The seed of the draw.
    pub seed: u64,
}

/// Assign the examples whose split folders are `parts` to train, validation and test, each
/// split in an order shuffled by the seed: listings run class by class, and `--limit` or an
/// evaluation's first N must see every class.
pub fn assign(parts: &[Part], hold: HoldOut) -> Result<Assignment> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    SeededRng::new(hold.seed ^ HOLD_OUT_SALT).shuffle(&mut order);
    let of = |p: Part| -> Vec<usize> { order.iter().copied().filter(|&i| parts[i] == p).collect() };
    let mut pool = of(Part::Train);
    let mut notes = Vec::new();
    let test_folder = parts.contains(&Part::Test);
    let test = match (test_folder, hold.test) {
        (true, Some(n)) => bail!("--test {n}: the dataset has a `test` folder, whose examples are the test set; leave --test out"),
        (true, None) => of(Part::Test),
        (false, n) => {
            let n = n.unwrap_or((pool.len() / DEFAULT_TEST_SHARE).max(1));
            let test = take(&mut pool, n, "--test", hold.validation)?;
            notes.push(format!("test: {n} training examples held out by seed {} (--test N to change)", hold.seed));
            test
        }
    };
    let validation = match (hold.validation, parts.contains(&Part::Validation)) {
        (0, true) => {
            notes.push("validation: the `validation` folder is not used; pass --validation 1 to monitor it and keep the best checkpoint".into());
            None
        }
        (0, false) => None,
        (_, true) => Some(of(Part::Validation)),
        (n, false) => {
            notes.push(format!("validation: {n} training examples held out by seed {}", hold.seed));
            Some(take(&mut pool, n, "--validation", 0)?)
        }
    };
    Ok(Assignment { train: pool, validation, test, notes })
}

/// The first `n` of the shuffled `pool`, leaving at least one example (and `reserve` more) in it.
fn take(pool: &mut Vec<usize>, n: usize, flag: &str, reserve: usize) -> Result<Vec<usize>> {
    if n == 0 {
        bail!("{flag} 0: a split needs at least one example");
    }
    if n + reserve >= pool.len() {
        bail!("{flag} {n} would hold out all {} training examples{}; use fewer", pool.len(), if reserve > 0 { format!(" (with --validation {reserve})") } else { String::new() });
    }
    Ok(pool.drain(..n).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_out_by_seed_and_reads_folders_as_they_are() {
        let parts = vec![Part::Train; 20];
        let a = assign(&parts, HoldOut { test: None, validation: 3, seed: 1 }).unwrap();
        assert_eq!((a.train.len(), a.validation.as_ref().unwrap().len(), a.test.len()), (15, 3, 2));
        assert_eq!(a, assign(&parts, HoldOut { test: None, validation: 3, seed: 1 }).unwrap(), "the same seed, the same draw");
        assert_ne!(a.test, assign(&parts, HoldOut { test: None, validation: 3, seed: 2 }).unwrap().test);
        // The test draw does not depend on --validation, so a judge trained without it never sees the test set.
        assert_eq!(a.test, assign(&parts, HoldOut { test: None, validation: 0, seed: 1 }).unwrap().test);
        let folders = [Part::Train, Part::Test, Part::Train, Part::Validation];
        let mut b = assign(&folders, HoldOut { test: None, validation: 1, seed: 1 }).unwrap();
        b.train.sort_unstable();
        assert_eq!((b.train, b.validation, b.test), (vec![0, 2], Some(vec![3]), vec![1]));
        assert!(assign(&folders, HoldOut { test: Some(1), validation: 0, seed: 1 }).unwrap_err().to_string().contains("has a `test` folder"));
        assert!(assign(&parts, HoldOut { test: Some(20), validation: 0, seed: 1 }).unwrap_err().to_string().contains("all 20"));
    }
}
