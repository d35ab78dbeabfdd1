//! The `prodready` command line: verify evidence and attestations in CI, render reports, sign
//! attestations, import Markdown checklists, and list what each item is bound to.

use clap::{Parser, Subcommand};
use prodready::evidence::commit::CommitId;
use prodready::evidence::{import, Attestation, BuildInfo, EvidenceSpec, TrustedKeys};
use prodready::{Kind, Readiness, Report};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "prodready",
    version,
    about = "An executable production deployment checklist"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluates the standard checklist's evidence and attestation items against a bundle; exits 1
    /// when a blocking item fails.
    Verify {
        /// The evidence bundle directory.
        #[arg(long, default_value = "evidence")]
        dir: PathBuf,
        /// The version being shipped.
        #[arg(long = "release")]
        version: String,
        /// The commit being shipped (7 to 64 hex digits).
        #[arg(long, value_parser = commit_id)]
        commit: Option<String>,
        /// The previous release tag.
        #[arg(long, conflicts_with = "first_release")]
        previous_tag: Option<String>,
        /// This is the service's first release: there is no previous version.
        #[arg(long)]
        first_release: bool,
        /// TOML file of trusted keys: `role = ["base64 key", …]`.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Coverage threshold in percent.
        #[arg(long, default_value_t = 80.0)]
        coverage: f64,
        /// Output format: text, json, markdown, junit, sarif, health+json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Also fail on pending blocking items.
        #[arg(long)]
        strict: bool,
    },
    /// Renders a JSON report (from `verify --format json` or `/readiness-checklist`).
    Render {
        /// The JSON report.
        input: PathBuf,
        /// text, json, markdown, junit, sarif, health+json.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// Renders the emergency contacts (`PRODREADY_CONTACT_ONCALL`, `_DEVOPS`, `_DBA`,
    /// `_SECURITY`, `PRODREADY_ESCALATION_PATH`, as the service reads them) as an Alertmanager
    /// routing tree and receivers; what it cannot reach is said on stderr.
    Alertmanager {
        /// The SMTP relay (`host:port`) for email contacts.
        #[arg(long)]
        smtp_smarthost: Option<String>,
        /// The sender address for email contacts.
        #[arg(long, requires = "smtp_smarthost")]
        smtp_from: Option<String>,
        /// Minutes a critical alert fires before each next escalation step is notified.
        #[arg(long, default_value_t = 30)]
        escalation_minutes: u64,
        /// Write the configuration here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Turns a Markdown checklist into `checklist!` source (or JSON with `--json`).
    Import {
        /// The Markdown file.
        file: PathBuf,
        /// Print a JSON array of items instead.
        #[arg(long)]
        json: bool,
    },
    /// Makes an ed25519 key pair: writes the secret key to FILE, prints the public key.
    Keygen {
        /// Where to write the secret key (base64).
        #[arg(long)]
        out: PathBuf,
    },
    /// Creates and signs an attestation.
    Attest {
        /// The item id.
        #[arg(long)]
        item: String,
        /// The signer's role.
        #[arg(long)]
        role: String,
        /// Who signs.
        #[arg(long)]
        person: String,
        /// The statement.
        #[arg(long, default_value = "verified")]
        statement: String,
        /// The version attested.
        #[arg(long = "release")]
        version: String,
        /// The commit attested (7 to 64 hex digits).
        #[arg(long, value_parser = commit_id)]
        commit: Option<String>,
        /// Days until it expires.
        #[arg(long, default_value_t = 30)]
        expires_in_days: i64,
        /// The secret key file from `keygen`.
        #[arg(long)]
        key: PathBuf,
        /// Where to write the attestation (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Adds (or replaces) an artifact in the bundle's manifest: hashes it, and records what the
    /// service's verdicts need of it (test counts, coverage, findings, …); a malformed artifact
    /// fails here, in CI.
    Add {
        /// The evidence bundle directory.
        #[arg(long, default_value = "evidence")]
        dir: PathBuf,
        /// The artifact kind (`tests`, `coverage`, `audit`, `lint`, `image-scan`, `manifests`, …).
        #[arg(long)]
        kind: String,
        /// The artifact, relative to the bundle directory.
        #[arg(long)]
        file: PathBuf,
        /// The version it was made for.
        #[arg(long = "release")]
        version: String,
        /// The commit it was made for (7 to 64 hex digits, e.g. `git rev-parse HEAD`).
        #[arg(long, value_parser = commit_id)]
        commit: Option<String>,
    },
    /// Lists each standard item with what it is bound to.
    Coverage,
}

/// A `--commit` value, by the one rule every comparison uses.
fn commit_id(text: &str) -> Result<String, String> {
    CommitId::parse(text)
        .map(|c| c.to_string())
        .map_err(|e| e.to_string())
}

fn render_as(format: &str, report: &Report) -> Result<String, String> {
    let format = match format {
        "health" | "health json" => "health+json",
        other => other,
    };
    let names: Vec<&str> = prodready::Format::ALL.iter().map(|f| f.name()).collect();
    prodready::Format::from_name(format)
        .map(|f| f.render(report))
        .ok_or_else(|| {
            format!(
                "unknown format `{format}`: expected one of {}",
                names.join(", ")
            )
        })
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

async fn verify(
    spec: EvidenceSpec,
    version: &str,
    format: &str,
    strict: bool,
) -> Result<ExitCode, String> {
    let standard = prodready::standard::production_deployment();
    let checklist = standard
        .items()
        .iter()
        .filter(|i| matches!(i.get_kind(), Kind::Evidence | Kind::Attestation))
        .cloned()
        .fold(prodready::Checklist::new(standard.name()), |c, i| c.item(i));
    let readiness = Readiness::builder()
        .service("prodready-verify", version)
        .checklist(checklist)
        .registered_checks(false)
        .pending_blocks(strict)
        .resource(spec)
        .build()
        .map_err(|e| e.to_string())?;
    let report = readiness.evaluate_fresh().await;
    // Under --strict a blocking pending item fails the gate: JUnit shows it as an <error>.
    let text = match format {
        "junit" => prodready::Format::Junit.render_with(
            &report,
            &prodready::report::RenderOptions::new().pending_blocks(strict),
        ),
        _ => render_as(format, &report)?,
    };
    println!("{text}");
    // Release items answer for the startup gate: CI asks what a strict startup would.
    Ok(if report.ready && report.startup {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Verify {
            dir,
            version,
            commit,
            previous_tag,
            first_release,
            keys,
            coverage,
            format,
            strict,
        } => {
            let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
            let mut build = BuildInfo::new(&version);
            build.commit = commit;
            build.previous_tag = previous_tag;
            let mut spec = EvidenceSpec::new()
                .dir(cwd.join(dir))
                .build(build)
                .coverage_threshold(coverage);
            if first_release {
                spec = spec.first_release();
            }
            if let Some(k) = keys {
                spec = spec.trusted_keys(
                    TrustedKeys::from_toml(&read(&k)?)
                        .map_err(|e| format!("{}: {e}", k.display()))?,
                );
            }
            verify(spec, &version, &format, strict).await
        }
        Command::Render { input, format } => {
            let report: Report = serde_json::from_str(&read(&input)?)
                .map_err(|e| format!("{}:{}:{}: {e}", input.display(), e.line(), e.column()))?;
            println!("{}", render_as(&format, &report)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Alertmanager {
            smtp_smarthost,
            smtp_from,
            escalation_minutes,
            out,
        } => {
            use prodready::checks::contacts::{AlertmanagerOptions, Contacts};
            let mut options = AlertmanagerOptions::new()
                .escalation_interval(std::time::Duration::from_secs(escalation_minutes * 60));
            if let Some(host) = smtp_smarthost {
                let from = smtp_from.ok_or("--smtp-from is needed with --smtp-smarthost")?;
                options = options.smtp(host, from);
            }
            let config = Contacts::new()
                .with_env(&prodready::RealHost::new())
                .alertmanager(&options)
                .map_err(|e| e.to_string())?;
            for warning in &config.warnings {
                eprintln!("warning: {warning}");
            }
            match out {
                Some(p) => std::fs::write(&p, &config.yaml)
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
                None => print!("{}", config.yaml),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { file, json } => {
            let shown = file.display().to_string();
            let (name, items) =
                import::markdown(&shown, &read(&file)?).map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&items).map_err(|e| e.to_string())?
                );
            } else {
                print!(
                    "{}",
                    import::checklist_source(name.as_deref().unwrap_or("Checklist"), &items)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Keygen { out } => {
            let key = prodready::evidence::SigningKey::generate();
            let (secret, public) = (key.to_base64(), key.public_key().to_base64());
            std::fs::write(&out, format!("{secret}\n"))
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            println!("{public}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Attest {
            item,
            role,
            person,
            statement,
            version,
            commit,
            expires_in_days,
            key,
            out,
        } => {
            let key = prodready::evidence::SigningKey::from_base64(&read(&key)?)
                .map_err(|e| format!("{}: {e}", key.display()))?;
            let now = jiff::Timestamp::now();
            let expires = now
                .checked_add(jiff::SignedDuration::from_hours(24 * expires_in_days))
                .map_err(|e| e.to_string())?;
            let a = Attestation {
                item,
                role,
                person,
                statement,
                version,
                commit,
                signed_at: now.to_string(),
                expires_at: Some(expires.to_string()),
                public_key: None,
                signature: None,
            }
            .sign(&key);
            let text = serde_json::to_string_pretty(&a).map_err(|e| e.to_string())?;
            match out {
                Some(p) => std::fs::write(&p, text + "\n")
                    .map_err(|e| format!("cannot write {}: {e}", p.display()))?,
                None => println!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Add {
            dir,
            kind,
            file,
            version,
            commit,
        } => {
            let manifest_path = dir.join(prodready::evidence::bundle::MANIFEST);
            let mut manifest: prodready::evidence::Manifest =
                match std::fs::read_to_string(&manifest_path) {
                    Ok(text) => serde_json::from_str(&text).map_err(|e| {
                        format!(
                            "{}:{}:{}: {e}",
                            manifest_path.display(),
                            e.line(),
                            e.column()
                        )
                    })?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
                    Err(e) => return Err(format!("cannot read {}: {e}", manifest_path.display())),
                };
            let bytes = std::fs::read(dir.join(&file))
                .map_err(|e| format!("cannot read {}: {e}", dir.join(&file).display()))?;
            // CI digests, the service verifies: the artifact is parsed here, once, and what
            // its verdicts need is recorded next to its hash.
            prodready::evidence::bundle::add(
                &mut manifest,
                &kind,
                &file,
                &bytes,
                &version,
                commit.as_deref(),
            )
            .map_err(|e| format!("malformed evidence: {e}"))?;
            let text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
            std::fs::write(&manifest_path, text + "\n")
                .map_err(|e| format!("cannot write {}: {e}", manifest_path.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Coverage => {
            for i in prodready::standard::production_deployment().items() {
                let bound = if i.is_automated() {
                    "bound"
                } else {
                    "pending (no check)"
                };
                println!(
                    "{}\t{}\t{}\t{}",
                    i.id(),
                    i.get_kind().as_str(),
                    bound,
                    i.get_verified_by().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("prodready: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("prodready: {e}");
            ExitCode::from(2)
        }
    }
}
