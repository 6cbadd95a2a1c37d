//! Adam as one pass over each parameter on the CPU: Burn's update rule, fused.
//!
//! Burn's `Adam` makes about a dozen element-wise passes over every parameter at each step,
//! each one a new tensor on one thread: on the CPU, a third of the training thread's time
//! (MNIST, `perf record`). [`FusedAdam`] is the same update, with the same state, and so the
//! same optimiser record (checkpoints resume with either), as one loop over (θ, g, m, v)
//! shared by the thread pool. Other devices keep Burn's `Adam`: their fusion compiles its
//! element-wise ops into one kernel already.

use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer};
use burn::tensor::{DType, Device, Tensor, TensorData};
use rayon::prelude::*;

/// Burn's `AdamConfig` defaults, which the trainer uses; `the_fused_step_is_burns_step`
/// checks that they still are.
const BETA_1: f32 = 0.9;
const BETA_2: f32 = 0.999;
const EPSILON: f32 = 1e-5;

/// Below this many elements a parameter is updated on the calling thread.
const PARALLEL_ELEMENTS: usize = 1 << 15;

/// The trainer's optimiser: Adam with Burn's defaults, fused on the CPU.
pub fn adam() -> ModuleOptimizer {
    ModuleOptimizer::from(FusedAdam::default())
}

/// Adam whose step on the CPU is one parallel pass; Burn's `Adam` anywhere else.
#[derive(Clone)]
pub struct FusedAdam {
    fallback: Adam,
}

impl Default for FusedAdam {
    fn default() -> Self {
        Self { fallback: AdamConfig::new().build() }
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(&self, lr: LearningRate, tensor: Tensor<D>, grad: Tensor<D>, state: Option<AdamState<D>>) -> (Tensor<D>, Option<AdamState<D>>) {
        let device = tensor.device();
        let f32_state = state.as_ref().is_none_or(|s| s.momentum.moment_1.dtype() == DType::F32 && s.momentum.moment_2.dtype() == DType::F32);
        if device != Device::flex() || tensor.dtype() != DType::F32 || grad.dtype() != DType::F32 || !f32_state {
            return self.fallback.step(lr, tensor, grad, state);
        }
        let shape = tensor.shape();
        let (time, moment_1, moment_2) = match state {
            Some(AdamState { momentum }) => (momentum.time + 1, momentum.moment_1.into_data(), momentum.moment_2.into_data()),
            // Burn's first step sets m = (1 - β₁) g and v = (1 - β₂) g²: the update from zeros.
            None => (1, TensorData::zeros::<f32, _>(shape.clone()), TensorData::zeros::<f32, _>(shape)),
        };
        let (mut theta, mut m, mut v) = (tensor.into_data(), moment_1, moment_2);
        let g = grad.into_data();
        update(
            Step::at(time, lr),
            theta.as_mut_slice::<f32>().expect("f32 parameter"),
            g.as_slice::<f32>().expect("f32 gradient"),
            m.as_mut_slice::<f32>().expect("f32 first moment"),
            v.as_mut_slice::<f32>().expect("f32 second moment"),
        );
        let momentum = AdaptiveMomentumState::new(time, Tensor::from_data(m, &device), Tensor::from_data(v, &device));
        (Tensor::from_data(theta, &device), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: AdamState<D>, device: &Device) -> AdamState<D> {
        Adam::to_device(state, device)
    }
}

/// The scalars of step `time`, computed in f32 as Burn's `Adam` computes them.
#[derive(Clone, Copy)]
struct Step {
    lr: f32,
    /// (1 - β₂ᵗ)^½ / (1 - β₁ᵗ): both bias corrections folded into m.
    combined: f32,
    /// ε (1 - β₂ᵗ)^½: ε moved inside the corrected denominator.
    epsilon: f32,
}

impl Step {
    fn at(time: usize, lr: LearningRate) -> Self {
        let t = time as i32;
        let correction_2 = (1.0 - BETA_2.powi(t)).sqrt();
        Self { lr: lr as f32, combined: correction_2 / (1.0 - BETA_1.powi(t)), epsilon: EPSILON * correction_2 }
    }

    /// One element: the operations, and their order, of Burn's tensor-by-tensor update.
    #[inline(always)]
    fn apply(self, theta: &mut f32, g: f32, m: &mut f32, v: &mut f32) {
        *m = *m * BETA_1 + g * (1.0 - BETA_1);
        *v = *v * BETA_2 + (g * g) * (1.0 - BETA_2);
        let update = (*m * self.combined) / (v.sqrt() + self.epsilon);
        *theta -= update * self.lr;
    }
}

/// Apply `step` to every element, on the pool's threads when the parameter is large.
fn update(step: Step, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
    assert!(g.len() == theta.len() && m.len() == theta.len() && v.len() == theta.len(), "Adam: state and parameter shapes differ");
    let one = |((theta, g), (m, v)): ((&mut f32, &f32), (&mut f32, &mut f32))| step.apply(theta, *g, m, v);
    if theta.len() < PARALLEL_ELEMENTS {
        theta.iter_mut().zip(g).zip(m.iter_mut().zip(v.iter_mut())).for_each(one);
    } else {
        theta.par_iter_mut().zip(g).zip(m.par_iter_mut().zip(v.par_iter_mut())).with_min_len(PARALLEL_ELEMENTS / 2).for_each(one);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Distribution;

    fn random(shape: [usize; 2], device: &Device) -> Tensor<2> {
        Tensor::random(shape, Distribution::Normal(0.0, 1.0), device)
    }

    /// Five steps of both optimisers on the same parameter and gradients.
    fn five_steps(shape: [usize; 2]) -> (Vec<f32>, Vec<f32>, AdamState<2>, AdamState<2>) {
        let device = Device::flex();
        device.seed(7);
        let start = random(shape, &device);
        let (mut ours, mut burns) = (start.clone(), start);
        let (mut our_state, mut burn_state) = (None, None);
        let fused = FusedAdam::default();
        let reference = AdamConfig::new().build();
        for _ in 0..5 {
            let grad = random(shape, &device);
            (ours, our_state) = fused.step(1e-3, ours, grad.clone(), our_state);
            (burns, burn_state) = reference.step(1e-3, burns, grad, burn_state);
        }
        let values = |t: Tensor<2>| t.into_data().try_to_vec::<f32>().unwrap();
        (values(ours), values(burns), our_state.unwrap(), burn_state.unwrap())
    }

    fn max_gap(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    #[test]
    fn the_fused_step_is_burns_step() {
        // A small parameter (one thread) and one above the parallel threshold (the pool).
        for shape in [[3, 5], [300, 257]] {
            let (ours, burns, our_state, burn_state) = five_steps(shape);
            assert!(max_gap(&ours, &burns) < 1e-7, "{shape:?}: parameters differ by {}", max_gap(&ours, &burns));
            assert_eq!(our_state.momentum.time, burn_state.momentum.time);
            let moment = |t: &Tensor<2>| t.clone().into_data().try_to_vec::<f32>().unwrap();
            for (name, a, b) in [
                ("m", &our_state.momentum.moment_1, &burn_state.momentum.moment_1),
                ("v", &our_state.momentum.moment_2, &burn_state.momentum.moment_2),
            ] {
                assert!(max_gap(&moment(a), &moment(b)) < 1e-7, "{shape:?}: {name} differs");
            }
        }
    }

    #[test]
    fn a_checkpoint_of_burns_adam_resumes_in_the_fused_one() {
        // Runs written before the fused step saved Burn's Adam: its record must load and go
        // on exactly as Burn's own would.
        use burn::nn::{Linear, LinearConfig};
        use burn::optim::GradientsParams;
        let device = Device::flex().autodiff();
        device.seed(3);
        let step = |optimizer: &mut ModuleOptimizer, layer: Linear| {
            let x = Tensor::<2>::ones([4, 300], &device);
            let loss = layer.forward(x).powi_scalar(2).sum();
            let grads = GradientsParams::from_grads(loss.backward(), &layer);
            optimizer.step(1e-2, layer, grads)
        };
        let mut burns = AdamConfig::new().init();
        let mut layer = LinearConfig::new(300, 200).init(&device);
        for _ in 0..3 {
            layer = step(&mut burns, layer);
        }
        let mut resumed = adam().load_record(burns.to_record());
        let (ours, theirs) = (step(&mut resumed, layer.clone()), step(&mut burns, layer));
        let values = |l: Linear| l.weight.val().into_data().try_to_vec::<f32>().unwrap();
        let gap = max_gap(&values(ours), &values(theirs));
        assert!(gap < 1e-7, "the resumed step differs by {gap}");
    }

    #[test]
    fn a_step_moves_against_the_gradient_by_about_lr() {
        // Adam's first step is lr · sign(g), whatever the gradient's size.
        let device = Device::flex();
        let theta = Tensor::<1>::from_data([1.0f32, 1.0, 1.0], &device);
        let grad = Tensor::<1>::from_data([5.0f32, -0.01, 100.0], &device);
        let fused = FusedAdam::default();
        let (after, _) = fused.step(0.1, theta, grad, None);
        let after = after.into_data().try_to_vec::<f32>().unwrap();
        for (value, expected) in after.iter().zip([0.9, 1.1, 0.9]) {
            assert!((value - expected).abs() < 2e-3, "{after:?}");
        }
    }
}
