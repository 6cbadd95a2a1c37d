//! `jmvae`: train, evaluate, sample from and export JMVAE models.

mod atomic;
mod batch;
mod celeba;
mod checkpoint;
mod cli;
mod commands;
mod datasets;
mod epoch_record;
mod examples;
mod grid;
mod idx;
mod judges;
mod metrics;
mod mnist;
mod train;
#[cfg(test)]
mod three_modalities;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::TrainClassifier(args) => commands::train_classifier::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Export(args) => commands::export::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
