//! The sampling temperature: which τ a report's curve covers, and the rule that picks the
//! default τ on the validation split (never on test).

use jmvae::infer::Temperature;
use jmvae::ModelError;
use jmvae::weights::Sampling;

use super::coherence::CurvePoint;
use crate::examples::SplitName;

/// The temperatures every report's curve covers.
pub const REPORTED_TEMPERATURES: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
/// Coherence the default temperature must reach on validation.
pub const TARGET_COHERENCE: f64 = 0.97;
/// Diversity ratio a default temperature must keep (generated over real).
pub const MIN_DIVERSITY: f64 = 0.7;

/// Read-back of requested attributes the faces' default temperature must reach on validation.
pub const TARGET_READ_BACK: f64 = 0.85;

/// A rule that picks the default temperature from a validation grid: the largest τ whose score
/// (coherence for digits, read-back for faces) reaches `target` while its diversity ratio stays
/// at least [`MIN_DIVERSITY`]; when none does, the best score that keeps that diversity; when
/// none keeps it, τ = 1.
pub struct TemperatureRule {
    /// The score, as the rule's text names it.
    pub measure: &'static str,
    /// The score to reach.
    pub target: f64,
    /// How the text names the fallback, "the most coherent" or "the best read-back".
    pub best: &'static str,
}

/// The digits' rule.
pub const DIGITS_RULE: TemperatureRule =
    TemperatureRule { measure: "coherence (CNN judge)", target: TARGET_COHERENCE, best: "the most coherent" };

impl TemperatureRule {
    /// The chosen τ and the rule that chose it, from `(τ, score, diversity)` grid points.
    pub fn choose(&self, points: &[(f32, f64, f64)]) -> (f32, String) {
        let rule = format!(
            "the largest temperature on a {}-point grid whose validation {} is at least {:.0} % with a diversity ratio of at least {MIN_DIVERSITY}",
            points.len(),
            self.measure,
            self.target * 100.0
        );
        let diverse: Vec<&(f32, f64, f64)> = points.iter().filter(|p| p.2 >= MIN_DIVERSITY).collect();
        if let Some(p) = diverse.iter().filter(|p| p.1 >= self.target).max_by(|a, b| a.0.total_cmp(&b.0)) {
            return (p.0, rule);
        }
        if let Some(p) = diverse.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
            return (p.0, format!("{rule}; none reached it, so {} with that diversity", self.best));
        }
        (1.0, format!("{rule}; none kept that diversity, so 1"))
    }

    /// The chosen τ as the sampling settings a manifest carries.
    pub fn sampling(&self, points: &[(f32, f64, f64)]) -> Result<Sampling, ModelError> {
        let (tau, chosen_by) = self.choose(points);
        Ok(Sampling { temperature: Temperature::new(tau)?, chosen_by })
    }
}

/// The digits' `(τ, coherence, diversity)` points of a coherence curve, for [`DIGITS_RULE`].
pub fn coherence_scores(points: &[CurvePoint]) -> Vec<(f32, f64, f64)> {
    points.iter().map(|p| (p.temperature, p.coherence, p.diversity)).collect()
}

/// The temperatures a report's curve covers: the reported ones, and `headline` if it is not
/// among them (the report's own temperature, kept out of the curve it returns).
pub fn curve_temperatures(headline: Temperature) -> Vec<f32> {
    let mut temperatures = REPORTED_TEMPERATURES.to_vec();
    if !temperatures.contains(&headline.value()) {
        temperatures.push(headline.value());
    }
    temperatures
}

/// The selection grid: τ = 0, 0.05, ..., 1.
pub fn selection_grid() -> Vec<f32> {
    (0..=20).map(|i| i as f32 / 20.0).collect()
}

/// The faces' rule for the default temperature: the digits' with read-back in place of coherence.
pub const FACES_RULE: TemperatureRule = TemperatureRule {
    measure: "read-back of requested attributes (attribute classifier)",
    target: TARGET_READ_BACK,
    best: "the best read-back",
};

/// The line a report ends with when it chose a default temperature (empty otherwise).
pub fn chosen_line(split: SplitName, sampling: Option<&Sampling>) -> String {
    sampling.map_or(String::new(), |s| format!("\ndefault temperature chosen on {split}: {} ({})\n", s.temperature, s.chosen_by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(temperature: f32, coherence: f64, diversity: f64) -> CurvePoint {
        CurvePoint { temperature, coherence, coherence_per_label: vec![], read_back: None, diversity, diversity_per_label: vec![] }
    }

    #[test]
    fn the_rule_takes_the_warmest_coherent_and_diverse_temperature() {
        let points = [point(0.0, 0.99, 0.3), point(0.5, 0.98, 0.75), point(0.75, 0.97, 0.8), point(1.0, 0.9, 0.9)];
        assert_eq!(DIGITS_RULE.choose(&coherence_scores(&points)).0, 0.75);
        let short = [point(0.0, 0.99, 0.3), point(0.5, 0.9, 0.75), point(1.0, 0.8, 0.9)];
        let (tau, rule) = DIGITS_RULE.choose(&coherence_scores(&short));
        assert_eq!(tau, 0.5);
        assert!(rule.contains("none reached it"), "{rule}");
        assert_eq!(DIGITS_RULE.choose(&coherence_scores(&[point(0.0, 1.0, 0.1)])).0, 1.0);
    }
}
