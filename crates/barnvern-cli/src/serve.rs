//! `barnvern serve` (the case service, `barnvern-server`) and `barnvern token` (mint a signed
//! token from a private key, for tests and demos).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use barnvern_server::auth::{
    DEFAULT_AUDIENCE, DEFAULT_ISSUER, Minter, TokenRole, Verifier, generate_ed25519,
};
use barnvern_server::{ServerConfig, State};
use barnvern_store::{Actor, CaseStore, ImportSource, SqliteStore};
use clap::Args;

use crate::{EXIT_IO, EXIT_USAGE};

/// Options of `barnvern serve`. Each also comes from an environment variable.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The store: sqlite:PATH or postgres://USER@HOST:PORT/DB (initialised with `barnvern
    /// store init`).
    #[arg(long, env = "BARNVERN_DB", required_unless_present = "demo")]
    db: Option<String>,
    /// The public key(s) tokens are verified with: a PEM file of one or more `PUBLIC KEY`
    /// blocks (Ed25519 for EdDSA, RSA for RS256).
    #[arg(
        long,
        env = "BARNVERN_JWT_PUBLIC_KEY",
        value_name = "FILE",
        required_unless_present = "demo"
    )]
    jwt_public_key: Option<PathBuf>,
    /// The issuer (`iss`) tokens must name.
    #[arg(long, env = "BARNVERN_JWT_ISSUER", default_value = DEFAULT_ISSUER)]
    issuer: String,
    /// The audience (`aud`) tokens must name.
    #[arg(long, env = "BARNVERN_JWT_AUDIENCE", default_value = DEFAULT_AUDIENCE)]
    audience: String,
    /// The address to listen on.
    #[arg(long, env = "BARNVERN_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The store key file (identity index; default: BARNVERN_STORE_KEY).
    #[arg(long, value_name = "FILE")]
    store_key_file: Option<PathBuf>,
    /// Request bodies over this many bytes are refused with 413.
    #[arg(long, env = "BARNVERN_BODY_LIMIT", default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Seconds a request may take (reading its body included) before it is answered 408.
    #[arg(long, env = "BARNVERN_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// The page's session cookie without the `Secure` flag (only for plain HTTP on loopback).
    #[arg(long, env = "BARNVERN_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Try the service: an embedded SQLite store in a temporary folder, filled with a
    /// synthetic cohort, a fresh signing key, and ready tokens printed on start.
    #[arg(long, conflicts_with_all = ["db", "jwt_public_key"])]
    demo: bool,
    /// Children in the demo's synthetic cohort.
    #[arg(long, default_value_t = 2000, requires = "demo")]
    demo_children: u64,
}

/// Options of `barnvern token`.
#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The private key (PEM: Ed25519 PKCS#8 for EdDSA, RSA for RS256). With --generate, where
    /// to write a new Ed25519 key (and its public key beside it, FILE.pub).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Write a new Ed25519 key pair to --key and --key.pub, then exit.
    #[arg(long)]
    generate: bool,
    /// The role: caseworker, team_leader, auditor, data_steward or intake_system.
    #[arg(long, required_unless_present = "generate")]
    role: Option<String>,
    /// The staff id (`sub`); never an identity number.
    #[arg(long, required_unless_present = "generate")]
    staff: Option<String>,
    /// A municipality served (repeat for several).
    #[arg(long = "municipality", value_name = "CODE")]
    municipalities: Vec<String>,
    /// Minutes the token is valid.
    #[arg(long, default_value_t = 60)]
    valid_minutes: u64,
    /// The issuer (`iss`).
    #[arg(long, env = "BARNVERN_JWT_ISSUER", default_value = DEFAULT_ISSUER)]
    issuer: String,
    /// The audience (`aud`).
    #[arg(long, env = "BARNVERN_JWT_AUDIENCE", default_value = DEFAULT_AUDIENCE)]
    audience: String,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("barnvern: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// `barnvern token`.
pub fn token(args: &TokenArgs) -> ExitCode {
    if args.generate {
        let (private, public) = match generate_ed25519() {
            Ok(k) => k,
            Err(e) => return usage(&e.to_string()),
        };
        let public_path = PathBuf::from(format!("{}.pub", args.key.display()));
        if args.key.exists() {
            return usage(&format!("{} exists; not overwritten", args.key.display()));
        }
        if let Err(e) =
            write_private(&args.key, &private).and_then(|()| std::fs::write(&public_path, public))
        {
            eprintln!("barnvern: cannot write the key: {e}");
            return ExitCode::from(EXIT_IO);
        }
        println!(
            "private key {} (keep it secret), public key {}",
            args.key.display(),
            public_path.display()
        );
        return ExitCode::SUCCESS;
    }
    let (Some(role), Some(staff)) = (&args.role, &args.staff) else {
        return usage("--role and --staff are required");
    };
    let Some(role) = TokenRole::parse(role) else {
        return usage(
            "--role is one of caseworker, team_leader, auditor, data_steward, intake_system",
        );
    };
    let pem = match std::fs::read_to_string(&args.key) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("barnvern: cannot read {}: {e}", args.key.display());
            return ExitCode::from(EXIT_IO);
        }
    };
    let minted = Minter::from_pem(&pem, &args.issuer, &args.audience).and_then(|m| {
        m.mint(
            staff,
            role,
            &args.municipalities,
            args.valid_minutes.saturating_mul(60),
        )
    });
    match minted {
        Ok(t) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => usage(&e.to_string()),
    }
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// `barnvern serve`.
pub fn serve(args: &ServeArgs) -> ExitCode {
    barnvern_server::init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("barnvern: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_IO);
        }
    };
    let config = ServerConfig {
        body_limit: args.body_limit,
        request_timeout: Duration::from_secs(args.request_timeout.max(1)),
        secure_cookies: !(args.insecure_cookies || args.demo),
        ..ServerConfig::default()
    };
    // The demo's folder lives as long as the service.
    let mut _demo_dir = None;
    let (store, verifier): (Arc<dyn CaseStore>, Verifier) = if args.demo {
        match demo_setup(args) {
            Ok((dir, store, verifier)) => {
                _demo_dir = Some(dir);
                (store, verifier)
            }
            Err(code) => return code,
        }
    } else {
        let (Some(db), Some(key_file)) = (&args.db, &args.jwt_public_key) else {
            return usage("--db and --jwt-public-key are required (or --demo)");
        };
        let pem = match std::fs::read_to_string(key_file) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("barnvern: cannot read {}: {e}", key_file.display());
                return ExitCode::from(EXIT_IO);
            }
        };
        let verifier = match Verifier::from_pem(&pem, &args.issuer, &args.audience) {
            Ok(v) => v,
            Err(e) => return usage(&e.to_string()),
        };
        let key = match crate::store::store_key(args.store_key_file.as_deref()) {
            Ok(k) => k,
            Err(code) => return code,
        };
        match barnvern_store::open(db, key, false) {
            Ok(s) => (Arc::from(s), verifier),
            Err(e) => return usage(&e.to_string()),
        }
    };
    let state = State::new(store, verifier, config.clone());
    let app = barnvern_server::router(state);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr).await?;
        let local = listener.local_addr()?;
        tracing::info!(addr = %local, "listening");
        if args.demo {
            println!("barnvern serve --demo: http://{local}/");
        }
        barnvern_server::serve(listener, app, config, barnvern_server::shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("barnvern: the service failed: {e}");
            ExitCode::from(EXIT_IO)
        }
    }
}

type Demo = (tempfile::TempDir, Arc<dyn CaseStore>, Verifier);

/// The demo: a store in a temporary folder with a synthetic cohort, a fresh key, tokens.
fn demo_setup(args: &ServeArgs) -> Result<Demo, ExitCode> {
    let io = |e: &dyn std::fmt::Display| {
        eprintln!("barnvern: demo: {e}");
        ExitCode::from(EXIT_IO)
    };
    let dir = tempfile::Builder::new()
        .prefix("barnvern-serve-demo-")
        .tempdir()
        .map_err(|e| io(&e))?;
    let store_key = barnvern_store::StoreKey::new(&rand_key()).map_err(|e| io(&e))?;
    let store: Arc<dyn CaseStore> = Arc::new(
        SqliteStore::create(&dir.path().join("cases.db"), Some(store_key)).map_err(|e| io(&e))?,
    );
    let today = chrono::Utc::now().date_naive();
    let opts = barnvern_synth::SynthOptions {
        children: args.demo_children,
        seed: 7,
        as_of: today,
        from: today - chrono::Days::new(730),
        ..barnvern_synth::SynthOptions::default()
    };
    let cohort = barnvern_synth::Cohort::new(&opts).map_err(|e| io(&e))?;
    let admin = Actor::local_administrator("serve --demo: synthetic cohort");
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut batch = Vec::new();
    let source = ImportSource {
        system: "barnvern-synth".into(),
        ..ImportSource::default()
    };
    let flush = |batch: &mut Vec<(barnvern_case::Case, ImportSource)>| -> Result<(), ExitCode> {
        if !batch.is_empty() {
            store.import_batch(&admin, batch).map_err(|e| io(&e))?;
            batch.clear();
        }
        Ok(())
    };
    for data in cohort {
        let data = data.map_err(|e| io(&e))?;
        *counts
            .entry((
                data.jurisdiction.to_string(),
                data.municipality.as_str().to_owned(),
            ))
            .or_default() += 1;
        let case = barnvern_case::Case::from_data(data).map_err(|e| io(&e))?;
        batch.push((case, source.clone()));
        if batch.len() >= 500 {
            flush(&mut batch)?;
        }
    }
    flush(&mut batch)?;
    // The caseworkers serve the largest municipality of each country.
    let top = |j: &str| {
        counts
            .iter()
            .filter(|((jj, _), _)| jj == j)
            .max_by_key(|(_, n)| **n)
            .map(|((_, m), _)| m.clone())
    };
    let munis: Vec<String> = [top("SE"), top("NO")].into_iter().flatten().collect();
    let (private, public) = generate_ed25519().map_err(|e| io(&e))?;
    let key_path = dir.path().join("jwt-private.pem");
    write_private(&key_path, &private).map_err(|e| io(&e))?;
    std::fs::write(dir.path().join("jwt-public.pem"), &public).map_err(|e| io(&e))?;
    let minter = Minter::from_pem(&private, &args.issuer, &args.audience).map_err(|e| io(&e))?;
    let hours = 8 * 3600;
    let mint = |staff: &str, role: TokenRole, m: &[String]| minter.mint(staff, role, m, hours);
    let no_muni: Vec<String> = top("NO").into_iter().collect();
    let tokens = [
        (
            "caseworker",
            mint("demo-caseworker", TokenRole::Caseworker, &munis),
        ),
        (
            "team leader",
            mint("demo-team-leader", TokenRole::TeamLeader, &munis),
        ),
        ("auditor", mint("demo-auditor", TokenRole::Auditor, &[])),
        (
            "intake system",
            mint("demo-fiks", TokenRole::IntakeSystem, &no_muni),
        ),
    ];
    println!(
        "barnvern serve --demo: {} synthetic cases in {} (removed on exit)",
        args.demo_children,
        dir.path().display()
    );
    println!(
        "signing key: {} (mint more with `barnvern token --key ...`)",
        key_path.display()
    );
    println!(
        "municipalities of the caseworker and team leader: {}",
        munis.join(", ")
    );
    for (who, t) in tokens {
        let t = t.map_err(|e| io(&e))?;
        println!("token, {who} (8 hours):\n  {t}");
    }
    println!(
        "try: curl -H \"Authorization: Bearer $TOKEN\" http://{}/v1/worklist, or open the page and paste the caseworker's token",
        args.addr
    );
    let verifier = Verifier::from_pem(&public, &args.issuer, &args.audience).map_err(|e| io(&e))?;
    Ok((dir, store, verifier))
}

/// A random store key for the demo: 32 random bytes written as 64 hex digits. Not the raw
/// bytes: `StoreKey::new` trims white space at either end (as a key file's newline), so raw
/// random bytes that began or ended with one (about one run in 26) made a key shorter than 32
/// bytes and the demo refused to start.
fn rand_key() -> Vec<u8> {
    demo_key_text(rand::random())
}

fn demo_key_text(bytes: [u8; 32]) -> Vec<u8> {
    hex::encode(bytes).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_store_key_is_never_shortened_by_trimming() {
        // Random bytes with white space at both ends: the raw bytes would be 30 once trimmed.
        let mut bytes = [0x41u8; 32];
        bytes[0] = b' ';
        bytes[31] = b'\n';
        assert!(barnvern_store::StoreKey::new(&bytes).is_err());
        let text = demo_key_text(bytes);
        assert_eq!(text.len(), 64);
        assert!(text.starts_with(b"20") && text.ends_with(b"0a"));
        assert!(barnvern_store::StoreKey::new(&text).is_ok());
        assert!(barnvern_store::StoreKey::new(&rand_key()).is_ok());
    }
}
