//! The README's tour, run as a newcomer would: every `hoso …` command of its code blocks, as
//! written and in order, in a fresh folder that has the repository's `samples/` and
//! `workflows/`. A command must exit 0, or with the code its comment names ("exit 3").

mod common;

use std::process::Command;

use common::root;

/// The shell commands of the README's code blocks that call hoso, continuation lines joined.
fn tour() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_block = line == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let joined = format!("{pending}{}", line.trim_start());
        match joined.strip_suffix('\\') {
            Some(head) => pending = format!("{head} "),
            None => {
                pending.clear();
                if joined.starts_with("hoso ") {
                    commands.push(joined);
                }
            }
        }
    }
    commands
}

/// The exit code a command's comment promises ("# exit 3: …"), 0 otherwise.
fn expected_code(command: &str) -> i32 {
    command
        .split_once('#')
        .and_then(|(_, comment)| comment.trim().strip_prefix("exit "))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn every_command_of_the_tour_runs_as_written() {
    let commands = tour();
    assert!(
        commands.len() >= 20,
        "the tour has its commands: {commands:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    for d in ["samples", "workflows"] {
        std::os::unix::fs::symlink(root().join(d), dir.path().join(d)).unwrap();
    }
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_hoso"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for c in &commands {
        let o = Command::new("bash")
            .args(["-o", "pipefail", "-c", c])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("HOSO_DB")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(expected_code(c)),
            "{c}\n{err}{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(!err.contains("panicked"), "{c}: {err}");
    }
    // What the tour says it makes is there.
    for f in [
        "qd.docx",
        "qd-05.docx",
        "qd.pdf",
        "qd-luu-tru.pdf",
        "han.ics",
        "so-di.docx",
        "C0001.zip",
        "hoso-out/C0001/du-thao/01-ke-hoach-khao-sat.pdf",
        "hoso-out/C0001/01-ke-hoach-khao-sat.pdf",
        "luu-tru.db",
    ] {
        assert!(dir.path().join(f).is_file(), "{f}");
    }
}
