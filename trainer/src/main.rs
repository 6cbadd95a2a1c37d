//! `jmvae`: train, evaluate, sample from and export JMVAE models.

use std::process::ExitCode;

use clap::Parser;

use jmvae_trainer::cli::{Cli, Command};
use jmvae_trainer::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The command runs on one of the pool's threads (RAYON_NUM_THREADS of them), not beside
    // them: the CPU backend's matmuls then split across the pool with the command's thread
    // taking a share, instead of a blocked extra thread whose waiting workers spin against
    // the element-wise work between matmuls.
    let pool = match rayon::ThreadPoolBuilder::new().thread_name(|i| format!("jmvae-{i}")).build() {
        Ok(pool) => pool,
        Err(err) => {
            eprintln!("error: could not start the thread pool: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = pool.install(|| match cli.command {
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::TrainClassifier(args) => commands::train_classifier::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Convergence(args) => commands::convergence::run(args),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
