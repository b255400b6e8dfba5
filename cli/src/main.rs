//! The `zkcredit` command line. Each subcommand lives in `cmd/` with its own `Args` and `run()`;
//! the work is done by the `zkcredit-prover` library.

mod bundled;
mod cmd;
mod ui;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cmd::Cli::parse();
    match cli.command.run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
