#!/usr/bin/env bash
# What prodready costs a service's build: a cold `cargo build --release` of a minimal axum
# service with and without default `prodready`, same machine, same run, as a ratio; then the
# incremental rebuild of the prodready one after touching its check file.
#
#   benches/build-cost.sh            # both builds cold, in a scratch directory
#
# Versions are pinned by this repository's Cargo.lock, so both services build the same axum
# and tokio.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

service() { # name, extra dependency line, main.rs body
  mkdir -p "$work/$1/src"
  cat > "$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"

[dependencies]
axum = { version = "0.8", default-features = false, features = ["http1", "tokio"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }
$2

[workspace]
TOML
  cp "$root/Cargo.lock" "$work/$1/Cargo.lock"
  printf '%s\n' "$3" > "$work/$1/src/main.rs"
}

service bare "" '#[tokio::main]
async fn main() {
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}'

service with-prodready "prodready = { path = \"$root\" }" 'mod checks;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let readiness = prodready::Readiness::builder()
        .service("bench", "0.1.0")
        .checklist(prodready::standard::production_deployment())
        .build()?;
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    readiness.serve(app, "127.0.0.1:0").await?;
    Ok(())
}'
cat > "$work/with-prodready/src/checks.rs" <<'RS'
use prodready::{Context, Outcome};

#[prodready::check(section = "Bench", title = "Answers")]
async fn answers(_ctx: &Context) -> Outcome {
    Outcome::pass("it answers")
}
RS

build() { # dir -> seconds
  local start end
  start=$(date +%s.%N)
  (cd "$work/$1" && CARGO_TARGET_DIR="$work/$1/target" cargo build --release --quiet)
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

bare=$(build bare)
with=$(build with-prodready)
echo "$(printf '    // touched\n') " >> "$work/with-prodready/src/checks.rs"
touched=$(build with-prodready)
crates() { (cd "$work/$1" && cargo tree -e normal --prefix none --no-dedupe | sort -u | wc -l); }
printf 'cold release build, axum service alone:        %6.1f s (%s crates)\n' "$bare" "$(crates bare)"
printf 'cold release build, with default prodready:    %6.1f s (%s crates)\n' "$with" "$(crates with-prodready)"
printf 'ratio:                                          %6.2fx\n' "$(echo "$with / $bare" | bc -l)"
printf 'rebuild after touching the check file:          %6.1f s\n' "$touched"
