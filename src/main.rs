//! CLI: `vet`, `eval`, `serve`. Nothing else lives here.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use mynumber_photo::config::Config;
use mynumber_photo::eval;
use mynumber_photo::office::Office;
use mynumber_photo::vetting::{Profile, Status, Verdict, VetContext, Vetter};
use mynumber_photo::web;
use mynumber_photo::{auth, forwarding};

#[derive(Parser)]
#[command(
    name = "mynumber-photo",
    version,
    about = "Vets My Number Card application photos"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct EngineArgs {
    /// Folder holding the ONNX models (default: ./models, else the repository's models/).
    #[arg(long, env = "MNP_MODELS")]
    models: Option<PathBuf>,
    /// Threshold profile replacing the built-in one (same TOML shape).
    #[arg(long, env = "MNP_PROFILE")]
    profile: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Vet photos: a table by default, one JSON report per line with --json.
    /// Exit 0 when all are accepted, 1 when any is rejected or sent to review, 2 on errors.
    Vet {
        #[command(flatten)]
        engine: EngineArgs,
        #[arg(long)]
        json: bool,
        /// Date of birth (YYYY-MM-DD).
        #[arg(long)]
        dob: Option<NaiveDate>,
        /// Application date (YYYY-MM-DD, default today).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Declared exception ("unavoidable reason"), e.g. "medical eye patch".
        #[arg(long)]
        exception: Option<String>,
        /// Write each issuer-ready crop JPEG here.
        #[arg(long)]
        crop_out: Option<PathBuf>,
        /// Write each reviewer overlay PNG here.
        #[arg(long)]
        overlay_out: Option<PathBuf>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Score the engine on a labelled folder (labels.tsv format of the dev photos).
    Eval {
        #[command(flatten)]
        engine: EngineArgs,
        dir: PathBuf,
        #[arg(long)]
        labels: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// Write every report (JSON lines) here, for calibration.
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Also cross-validate the calibrated thresholds over this many folds.
        #[arg(long)]
        cv: Option<usize>,
        /// Group memberships (file, ethnicity, gender, age); default: groups.tsv beside the
        /// labels, when present.
        #[arg(long)]
        groups: Option<PathBuf>,
    },
    /// Run the HTTP service.
    Serve {
        #[command(flatten)]
        engine: EngineArgs,
        #[arg(long, env = "MNP_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Vetting jobs admitted at once; more get 503 with Retry-After.
        #[arg(long, env = "MNP_MAX_INFLIGHT", default_value_t = 8)]
        max_inflight: usize,
        /// Vetting jobs running at once (default: half the cores, at least 1: each job uses two
        /// threads); admitted jobs beyond this wait for a turn.
        #[arg(long, env = "MNP_MAX_RUNNING")]
        max_running: Option<usize>,
        #[arg(long, env = "MNP_WORKERS", default_value_t = 2)]
        workers: usize,
        #[command(flatten)]
        config: Config,
    },
    /// Booths, reviewers, and the jobs the service also runs on its own.
    Admin {
        #[command(flatten)]
        config: Config,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Booths: `add NAME` prints the token once; `revoke NAME`; `list`.
    Booth {
        #[command(subcommand)]
        command: BoothCommand,
    },
    /// Reviewers: `add NAME [--role admin]` sets the password (read from stdin, one line).
    Reviewer {
        #[command(subcommand)]
        command: ReviewerCommand,
    },
    /// Forward accepted applications to the outbox now.
    Forward,
    /// Apply every retention rule now and print what each removed.
    Purge,
    /// The background jobs shared by all instances: state, worker, attempts, last error.
    Jobs,
}

#[derive(Subcommand)]
enum BoothCommand {
    Add { name: String },
    Revoke { name: String },
    List,
}

#[derive(Subcommand)]
enum ReviewerCommand {
    Add {
        name: String,
        #[arg(long, default_value = "reviewer")]
        role: String,
    },
    /// Disables the account and ends its sessions on every instance at once.
    Disable { name: String },
}

fn default_models_dir() -> PathBuf {
    let local = Path::new("models");
    if local.join("retinaface_mnet025.onnx").exists() {
        local.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
    }
}

fn load_vetter(engine: &EngineArgs) -> Result<Vetter> {
    let profile = match &engine.profile {
        Some(p) => Profile::from_file(p)?,
        None => Profile::default(),
    };
    let dir = engine.models.clone().unwrap_or_else(default_models_dir);
    Vetter::load(&dir, profile).with_context(|| format!("loading models from {}", dir.display()))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Vet {
            engine,
            json,
            dob,
            date,
            exception,
            crop_out,
            overlay_out,
            files,
        } => {
            let vetter = load_vetter(&engine)?;
            let ctx = VetContext {
                date_of_birth: dob,
                application_date: date,
                exception,
            };
            for dir in [&crop_out, &overlay_out].into_iter().flatten() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut worst = 0u8;
            for file in &files {
                let code = vet_one(
                    &vetter,
                    file,
                    &ctx,
                    json,
                    crop_out.as_deref(),
                    overlay_out.as_deref(),
                );
                worst = worst.max(code);
            }
            Ok(ExitCode::from(worst))
        }
        Command::Eval {
            engine,
            dir,
            labels,
            json,
            dump,
            cv,
            groups,
        } => {
            let vetter = load_vetter(&engine)?;
            let groups_path = groups.or_else(|| {
                let p = labels.with_file_name("groups.tsv");
                p.exists().then_some(p)
            });
            let groups = match &groups_path {
                Some(p) => eval::read_groups(p)?,
                None => Default::default(),
            };
            let labels = eval::read_labels(&labels)?;
            let mut dump_file = match &dump {
                Some(p) => Some(
                    std::fs::File::create(p)
                        .with_context(|| format!("creating {}", p.display()))?,
                ),
                None => None,
            };
            let mut reports = std::collections::BTreeMap::new();
            let summary = eval::run(&vetter, &dir, &labels, |label, report| {
                reports.insert(label.file.clone(), report.clone());
                if let Some(f) = dump_file.as_mut() {
                    use std::io::Write;
                    let mut r = report.clone();
                    r.file = Some(label.file.clone());
                    let _ = writeln!(f, "{}", serde_json::to_string(&r).unwrap_or_default());
                }
            })?;
            let cross = match cv {
                Some(k) => Some(eval::cross_validate(&vetter, &dir, &labels, k, &reports)?),
                None => None,
            };
            if json {
                let mut v = serde_json::to_value(&summary)?;
                v["groups"] = serde_json::to_value(eval::group_scores(&summary.photos, &groups))?;
                if let Some(c) = &cross {
                    v["cross_validated"] = serde_json::json!({
                        "k": c.k,
                        "summary": c.summary,
                        "groups": eval::group_scores(&c.summary.photos, &groups),
                    });
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("== in-sample (shipped profile)");
                print!("{}", summary.render());
                if !groups.is_empty() {
                    print!(
                        "{}",
                        eval::render_groups(
                            "per group, in-sample",
                            &eval::group_scores(&summary.photos, &groups)
                        )
                    );
                }
                if let Some(c) = &cross {
                    println!(
                        "\n== cross-validated ({} folds: thresholds chosen on the other folds)",
                        c.k
                    );
                    print!("{}", c.summary.render());
                    if !groups.is_empty() {
                        print!(
                            "{}",
                            eval::render_groups(
                                "per group, cross-validated",
                                &eval::group_scores(&c.summary.photos, &groups)
                            )
                        );
                    }
                    println!("thresholds chosen per fold (warn, fail):");
                    for (f, chosen) in c.chosen.iter().enumerate() {
                        let line: Vec<String> = chosen
                            .iter()
                            .map(|(n, w, fl)| format!("{n} {w:.3}/{fl:.3}"))
                            .collect();
                        println!("  fold {f}: {}", line.join("; "));
                    }
                }
                if dump.is_some() || cross.is_some() {
                    println!("thresholds the calibration rule chooses on all photos (warn, fail):");
                    for (n, w, f) in eval::calibrate_all(&vetter.profile, &labels, &reports) {
                        println!("  {n:<22} {w:.3} {f:.3}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            engine,
            listen,
            max_inflight,
            max_running,
            workers,
            config,
        } => {
            let vetter = Arc::new(load_vetter(&engine)?);
            let state = match max_running {
                Some(n) => web::AppState::with_limits(vetter, max_inflight, n),
                None => web::AppState::new(vetter, max_inflight),
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let office = Office::open(config)
                    .await
                    .context("opening the database and photo store")?;
                tracing::info!(backend = ?office.db.backend, data = %office.config.data_dir.display(), "storage ready");
                web::serve(state.with_office(Arc::new(office)), &listen, workers)
                    .await
                    .context("HTTP server")
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { config, command } => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(admin(config, command))
        }
    }
}

/// Vets one file and prints it; returns the exit code it calls for (0, 1 or 2).
fn vet_one(
    vetter: &Vetter,
    file: &Path,
    ctx: &VetContext,
    json: bool,
    crop_out: Option<&Path>,
    overlay_out: Option<&Path>,
) -> u8 {
    let name = file.display().to_string();
    let result = std::fs::read(file)
        .map_err(|e| (String::from("unreadable_file"), e.to_string()))
        .and_then(|bytes| {
            vetter
                .vet(&bytes, ctx)
                .map_err(|e| (e.code().to_string(), e.to_string()))
        });
    let vetted = match result {
        Ok(v) => v,
        Err((code, message)) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"file": name, "error": {"code": code, "message": message}})
                );
            } else {
                println!("{name}: ERROR {code}: {message}");
            }
            return 2;
        }
    };
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_else(|| "photo".into());
    let mut code = if vetted.report.verdict == Verdict::Accept {
        0
    } else {
        1
    };
    if let (Some(dir), Some(jpeg)) = (crop_out, &vetted.crop_jpeg) {
        if let Err(e) = std::fs::write(dir.join(format!("{stem}.jpg")), jpeg) {
            eprintln!("{name}: cannot write crop: {e}");
            code = 2;
        }
    }
    if let Some(dir) = overlay_out {
        if let Err(e) = std::fs::write(
            dir.join(format!("{stem}.overlay.png")),
            vetted.overlay_png(),
        ) {
            eprintln!("{name}: cannot write overlay: {e}");
            code = 2;
        }
    }
    let mut report = vetted.report;
    report.file = Some(name.clone());
    if json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else {
        println!(
            "{name}: {}  ({} ms)",
            report.verdict.as_str().to_uppercase(),
            report.timings_ms.total
        );
        for f in &report.findings {
            let mark = match f.status {
                Status::Pass => continue,
                Status::NotApplicable => "n/a ",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            let waived = if f.waived { " (waived)" } else { "" };
            println!(
                "  {mark} {:<4} {}{waived}  measured {}",
                f.rule, f.message.en, f.measured
            );
        }
    }
    code
}

async fn admin(config: Config, command: AdminCommand) -> Result<ExitCode> {
    let office = Office::open(config)
        .await
        .context("opening the database and photo store")?;
    match command {
        AdminCommand::Booth { command } => match command {
            BoothCommand::Add { name } => {
                let token = auth::add_booth(&office.db, &name).await?;
                eprintln!("booth {name} added; its token (shown only now):");
                println!("{token}");
            }
            BoothCommand::Revoke { name } => {
                auth::revoke_booth(&office.db, &name).await?;
                println!("booth {name} revoked");
            }
            BoothCommand::List => {
                for b in auth::list_booths(&office.db).await? {
                    println!(
                        "{}\t{}",
                        b.name,
                        if b.revoked { "revoked" } else { "active" }
                    );
                }
            }
        },
        AdminCommand::Reviewer {
            command: ReviewerCommand::Disable { name },
        } => {
            auth::disable_reviewer(&office.db, &name).await?;
            println!("reviewer {name} disabled; their sessions are ended");
        }
        AdminCommand::Reviewer {
            command: ReviewerCommand::Add { name, role },
        } => {
            let role = auth::Role::parse(&role)?;
            eprintln!("password for {name} (one line on stdin):");
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']);
            auth::set_reviewer(&office.db, &name, password, role).await?;
            println!("reviewer {name} ({}) set", role.as_str());
        }
        AdminCommand::Forward => {
            let run = forwarding::run_once(&office).await?;
            println!(
                "{} batches, {} applications forwarded",
                run.batches, run.forwarded
            );
        }
        AdminCommand::Purge => {
            let p = mynumber_photo::retention::run(&office).await?;
            println!("{} originals purged", p.originals);
            let v = serde_json::to_value(&p)?;
            for (rule, n) in v.as_object().into_iter().flatten() {
                println!("{rule}\t{n}");
            }
        }
        AdminCommand::Jobs => {
            for j in mynumber_photo::jobs::list(&office.db).await? {
                println!(
                    "{}\t{}\t{}\tattempts={}\t{}",
                    j.kind,
                    j.state,
                    j.worker.as_deref().unwrap_or("-"),
                    j.attempts,
                    j.last_error.as_deref().unwrap_or("")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
