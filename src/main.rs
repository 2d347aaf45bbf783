//! The `hoso` command line: parse the arguments, run one use case of [`hoso::App`], print the
//! result, and exit with the code that says what happened (see [`hoso::error::exit`]). Errors
//! go to standard error naming the file, field, step or template at fault. Output to a closed
//! pipe (`hoso case list | head`) ends quietly.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::FromArgMatches;
use hoso::error::exit;

/// A Vietnamese lead for clap's own messages about the arguments.
fn usage_lead(kind: clap::error::ErrorKind) -> &'static str {
    use clap::error::ErrorKind as K;
    match kind {
        K::InvalidValue | K::ValueValidation => "giá trị không hợp lệ",
        K::UnknownArgument => "không có tham số này",
        K::InvalidSubcommand => "không có lệnh này",
        K::MissingRequiredArgument => "thiếu tham số bắt buộc",
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => "cần một lệnh",
        K::ArgumentConflict => "các tham số không đi cùng nhau",
        K::TooManyValues | K::TooFewValues | K::WrongNumberOfValues => "số giá trị không đúng",
        _ => "tham số không đúng",
    }
}

/// What clap found wrong, in Vietnamese where it says which argument and value; its own words
/// otherwise.
fn usage_detail(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ContextValue as V};
    let get = |k: C| match e.get(k) {
        Some(V::String(s)) => Some(s.clone()),
        Some(V::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let why = std::error::Error::source(e)
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    if let Some(sub) = get(C::InvalidSubcommand) {
        return format!("`{sub}`; xem `--help`");
    }
    match (get(C::InvalidArg), get(C::InvalidValue), get(C::ValidValue)) {
        (Some(arg), Some(value), Some(valid)) => {
            format!("`{value}` cho {arg} (dùng được: {valid}); xem `--help`")
        }
        (Some(arg), Some(value), None) => format!("`{value}` cho {arg}{why}; xem `--help`"),
        (Some(arg), None, _) => format!("{arg}{why}; xem `--help`"),
        _ => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            first.trim_start_matches("error: ").to_string()
        }
    }
}

/// Writes to a stream; a reader that went away (a closed pipe) is not an error.
fn put(mut w: impl Write, s: &str) -> bool {
    match w.write_all(s.as_bytes()).and_then(|()| w.flush()) {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
    }
}

fn main() -> ExitCode {
    let matches = match cli::args::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            use clap::error::ErrorKind as K;
            if matches!(e.kind(), K::DisplayHelp | K::DisplayVersion) {
                put(std::io::stdout(), &e.render().to_string());
                return ExitCode::SUCCESS;
            }
            put(
                std::io::stderr(),
                &format!("hoso: {}: {}\n", usage_lead(e.kind()), usage_detail(&e)),
            );
            return ExitCode::from(exit::USAGE);
        }
    };
    let parsed = match cli::args::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            put(std::io::stderr(), &format!("hoso: {e}"));
            return ExitCode::from(exit::USAGE);
        }
    };
    match cli::run(parsed) {
        Ok(shown) => {
            let ok = put(std::io::stdout().lock(), &shown.stdout);
            for n in &shown.notes {
                put(std::io::stderr(), &format!("hoso: {n}\n"));
            }
            if ok {
                ExitCode::from(shown.code)
            } else {
                ExitCode::from(exit::STORAGE)
            }
        }
        Err(e) => {
            put(std::io::stderr(), &format!("hoso: {e}\n"));
            ExitCode::from(e.exit_code())
        }
    }
}
