//! A folder dataset's `metadata.csv`: the CSV reader, then each annotation column's kind and
//! every value encoded by it, as the trainer does before it decodes a single image.
#![no_main]

use jmvae_trainer::folder::columns::classify;
use jmvae_trainer::folder::csv::parse;
use jmvae_trainer::folder::layout::Layout;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let table = match parse(text) {
        Ok(table) => table,
        Err(err) => {
            jmvae_fuzz::message(err);
            return;
        }
    };
    for (c, name) in table.header.iter().enumerate().filter(|(_, name)| !name.ends_with("file_name")) {
        let values: Vec<(&str, &str)> = table.rows.iter().map(|(_, row)| (row[c].as_str(), row[0].as_str())).collect();
        match classify(name, &values, Layout::Metadata) {
            Ok(annotation) => values.iter().for_each(|(value, _)| {
                annotation.encode(value);
            }),
            Err(err) => {
                jmvae_fuzz::message(err);
            }
        }
    }
});
