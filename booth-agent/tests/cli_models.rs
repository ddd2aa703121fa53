//! `--models` defaults to `./models`, else `../models`: the agent runs from the repository's
//! root and from `booth-agent/` alike, and elsewhere it names the folders it looked in.

use std::path::Path;
use std::process::Command;

const AGENT: &str = env!("CARGO_BIN_EXE_booth-agent");

fn run_in(dir: &Path, data_dir: &Path) -> (i32, String) {
    let out = Command::new(AGENT)
        .current_dir(dir)
        .env_remove("MNP_MODELS")
        .args([
            "run",
            "--frames",
            "/nonexistent-frames",
            "--answers",
            "/nonexistent.toml",
        ])
        .args(["--service", "http://127.0.0.1:9", "--token", "t"])
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("booth-agent");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_models_are_found_from_the_agents_folder_or_the_missing_path_is_named() {
    let tmp = std::env::temp_dir().join(format!("booth-models-{}", std::process::id()));
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).expect("dir");

    let (code, err) = run_in(&empty, &tmp.join("q1"));
    assert_eq!(code, 2, "{err}");
    let looked = empty.join("models");
    assert!(
        err.contains("no models folder") && err.contains(&looked.display().to_string()),
        "{err}"
    );

    // From booth-agent/ the repository's models are found: the run gets as far as the frames.
    let (code, err) = run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &tmp.join("q2"));
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains("models"), "{err}");
    assert!(err.contains("/nonexistent-frames"), "{err}");
    let _ = std::fs::remove_dir_all(&tmp);
}
