//! What each annotation column is: class names or integers (a categorical modality named
//! after the column), or 0/1 or -1/1 flags (one attribute of the `attributes` modality).

use anyhow::{Result, bail};

use super::layout::{Layout, Listing};
use crate::modalities::ATTRIBUTES;

/// An annotation column, classified.
#[derive(Clone, Debug, PartialEq)]
pub enum Annotation {
    /// A categorical modality named after the column, with its classes in order.
    Categorical {
        /// The column's name, the modality's.
        name: String,
        /// The class names: sorted as text, or by value for integers.
        classes: Vec<String>,
    },
    /// One binary attribute, present where the value is `1`.
    Attribute {
        /// The column's name, the attribute's.
        name: String,
    },
}

impl Annotation {
    /// The value of this column for a row whose text is `value`: a class index, or 0/1.
    pub fn encode(&self, value: &str) -> usize {
        match self {
            Self::Categorical { classes, .. } => classes.iter().position(|c| c == value).expect("a class of the column"),
            Self::Attribute { .. } => usize::from(value == "1"),
        }
    }
}

/// Every annotation column of `listing`, classified from all its values.
pub fn classify_all(listing: &Listing) -> Result<Vec<Annotation>> {
    let annotations = (0..listing.columns.len())
        .map(|c| {
            let values: Vec<(&str, &str)> = listing.rows.iter().map(|r| (r.values[c].as_str(), r.origin.as_str())).collect();
            classify(&listing.columns[c], &values, listing.layout)
        })
        .collect::<Result<Vec<_>>>()?;
    let categorical = annotations.iter().filter_map(|a| match a {
        Annotation::Categorical { name, .. } => Some(name),
        Annotation::Attribute { .. } => None,
    });
    for name in categorical {
        if listing.images.contains(name) || (name == ATTRIBUTES && annotations.iter().any(|a| matches!(a, Annotation::Attribute { .. }))) {
            bail!("the column `{name}` would be a modality named like another (`{name}`); rename the column");
        }
    }
    Ok(annotations)
}

/// One column from its `(value, origin)` pairs.
pub fn classify(name: &str, values: &[(&str, &str)], layout: Layout) -> Result<Annotation> {
    let mut distinct: Vec<&str> = values.iter().map(|(v, _)| *v).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if layout == Layout::ClassFolders {
        return Ok(Annotation::Categorical { name: name.into(), classes: distinct.iter().map(|c| c.to_string()).collect() });
    }
    let flags = distinct.iter().all(|v| ["0", "1"].contains(v)) || distinct.iter().all(|v| ["-1", "1"].contains(v));
    if flags && distinct.len() == 1 {
        bail!("column `{name}` is an attribute column with one value only (`{}` in every row): it tells no examples apart; remove the column or fix its values", distinct[0]);
    }
    if flags {
        return Ok(Annotation::Attribute { name: name.into() });
    }
    let classes = classes(name, values)?;
    if classes.len() == 1 {
        bail!("column `{name}` has one value only (`{}` in every row): a categorical modality needs at least two classes; remove the column", classes[0]);
    }
    Ok(Annotation::Categorical { name: name.into(), classes })
}

/// The classes of a categorical column: all integers (sorted by value) or all names (sorted
/// as text); a mix, or a fractional number, is refused naming the rows.
fn classes(name: &str, values: &[(&str, &str)]) -> Result<Vec<String>> {
    let number = values.iter().find(|(v, _)| v.parse::<f64>().is_ok());
    let text = values.iter().find(|(v, _)| v.parse::<f64>().is_err());
    if let (Some((n, n_at)), Some((t, t_at))) = (number, text) {
        bail!("column `{name}` mixes numbers and text: `{n}` ({n_at}) and `{t}` ({t_at}); a column holds class names or class numbers, not both");
    }
    if let Some((v, at)) = values.iter().find(|(v, _)| v.parse::<f64>().is_ok() && v.parse::<i64>().is_err()) {
        bail!("column `{name}` holds `{v}` ({at}), which is not a whole number; annotation columns hold class names, class integers, or 0/1 attributes");
    }
    let mut classes: Vec<String> = values.iter().map(|(v, _)| v.to_string()).collect();
    if number.is_some() {
        classes.sort_by_key(|c| c.parse::<i64>().expect("checked"));
    } else {
        classes.sort();
    }
    classes.dedup();
    Ok(classes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> Result<Annotation> {
        let pairs: Vec<(&str, &str)> = values.iter().enumerate().map(|(i, v)| (*v, if i == 0 { "line 2" } else { "line 3" })).collect();
        classify("c", &pairs, Layout::Metadata)
    }

    #[test]
    fn flags_names_and_integers_are_told_apart() {
        assert_eq!(column(&["0", "1", "1"]).unwrap(), Annotation::Attribute { name: "c".into() });
        assert_eq!(column(&["-1", "1"]).unwrap(), Annotation::Attribute { name: "c".into() });
        assert_eq!(column(&["10", "9", "0", "9"]).unwrap(), Annotation::Categorical { name: "c".into(), classes: vec!["0".into(), "9".into(), "10".into()] });
        assert_eq!(column(&["dog", "cat"]).unwrap(), Annotation::Categorical { name: "c".into(), classes: vec!["cat".into(), "dog".into()] });
        assert_eq!(Annotation::Attribute { name: "c".into() }.encode("-1"), 0);
    }

    #[test]
    fn refusals_name_the_column_and_the_rows() {
        let mixed = column(&["3", "cat"]).unwrap_err().to_string();
        assert!(mixed.contains("column `c` mixes numbers and text") && mixed.contains("line 2") && mixed.contains("line 3"), "{mixed}");
        assert!(column(&["1", "1"]).unwrap_err().to_string().contains("attribute column with one value only"));
        assert!(column(&["cat", "cat"]).unwrap_err().to_string().contains("one value only"));
        assert!(column(&["0.5", "2"]).unwrap_err().to_string().contains("not a whole number"));
    }
}
