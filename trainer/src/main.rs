//! `jmvae`: train, evaluate, sample from and export JMVAE models.

use std::process::ExitCode;

use clap::Parser;

use jmvae_trainer::cli::{Cli, Command};
use jmvae_trainer::commands;

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::TrainClassifier(args) => commands::train_classifier::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Export(args) => commands::export::run(args),
        Command::Convergence(args) => commands::convergence::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
