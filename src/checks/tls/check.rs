//! The check: certificate chain and key parse and match, cover the hosts, are valid now and for
//! the margin; outbound URLs demand TLS.

use super::cert::{chain_ders, key_matches, out_of_order, parse_chain, KeyMatch, Names};
use super::outbound::{judge, Tls};
use super::{Outbound, TlsSpec};
use crate::checks::secrets::redact_url;
use crate::checks::verdict::Verdict;
use crate::model::Status;
use crate::{Check, Context, Host, Outcome};
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::time::UNIX_EPOCH;

/// The configured certificate chain and key parse and match each other, the leaf covers each
/// declared host name (SAN DNS names, `*.` wildcards for one label, IP SANs), is valid now
/// (`fail` when not yet valid or expired) and for the margin (`warn` within it); outbound
/// database URLs demand TLS (`sslmode=require`, `ssl-mode=REQUIRED`, `rediss://`, …).
///
/// Without a [`TlsSpec`]: `warn` "no certificate configured", or `fail` when built with
/// `.production(true)`.
pub fn certificate_valid() -> CertificateValid {
    CertificateValid {
        spec: None,
        production: false,
    }
}

/// The check returned by [`certificate_valid`].
#[derive(Debug, Clone)]
pub struct CertificateValid {
    spec: Option<TlsSpec>,
    production: bool,
}

impl CertificateValid {
    /// Checks `spec` instead of the [`TlsSpec`] resource.
    pub fn spec(mut self, spec: TlsSpec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// Whether having no [`TlsSpec`] at all fails (production) or warns (the default).
    pub fn production(mut self, production: bool) -> Self {
        self.production = production;
        self
    }
}

const DECLARE: &str = "declare it with `Readiness::builder().resource(TlsSpec::new().certificate(\"/etc/tls/tls.crt\", \"/etc/tls/tls.key\").host(\"api.example.com\"))`; if TLS ends at the ingress or a mesh sidecar, waive this item with that reason";

#[async_trait::async_trait]
impl Check for CertificateValid {
    async fn run(&self, ctx: &Context) -> Outcome {
        let Some(spec) = ctx.spec(&self.spec) else {
            let status = if self.production {
                Status::Fail
            } else {
                Status::Warn
            };
            return Outcome::new(status, "no certificate configured").remediation(DECLARE);
        };
        let mut verdict = Verdict::new();
        let mut details = Map::new();
        let mut seen = Vec::new();
        match (&spec.chain, &spec.key) {
            (Some(chain), Some(key)) => certificate(
                ctx.host(),
                spec,
                chain,
                key,
                &mut verdict,
                &mut details,
                &mut seen,
            ),
            _ => {
                let status = if spec.production {
                    Status::Fail
                } else {
                    Status::Warn
                };
                verdict.add(status, "no certificate configured", DECLARE);
            }
        }
        outbound(ctx.host(), spec, &mut verdict, &mut details, &mut seen);
        let mut outcome = verdict.outcome(seen.join("; "));
        for (k, v) in details {
            outcome = outcome.detail(k, v);
        }
        outcome.detail("production", spec.production)
    }
}

fn read_text(host: &dyn Host, path: &Path) -> Result<String, String> {
    let bytes = host.read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())
}

fn rfc3339(unix: i64) -> String {
    jiff::Timestamp::from_second(unix).map_or_else(|_| format!("@{unix}"), |t| t.to_string())
}

#[allow(clippy::too_many_arguments)]
fn certificate(
    host: &dyn Host,
    spec: &TlsSpec,
    chain_path: &Path,
    key_path: &Path,
    verdict: &mut Verdict,
    details: &mut Map<String, Value>,
    seen: &mut Vec<String>,
) {
    let chain = chain_path.display();
    let text = match read_text(host, chain_path) {
        Ok(text) => text,
        Err(e) => {
            let fix =
                "mount the certificate (a `kubernetes.io/tls` secret volume) at the declared path";
            return verdict.fail(
                format!("the certificate chain {chain} cannot be read: {e}"),
                fix,
            );
        }
    };
    let fix_pem = "serve a PEM chain: the leaf certificate first, then its intermediates";
    let ders = match chain_ders(&text) {
        Ok(ders) => ders,
        Err(e) => return verdict.fail(format!("the certificate chain {chain} {e}"), fix_pem),
    };
    let certs = match parse_chain(&ders) {
        Ok(certs) => certs,
        Err(e) => return verdict.fail(format!("the certificate chain {chain}: {e}"), fix_pem),
    };
    let leaf = &certs[0];
    let subject = leaf.subject().to_string();
    let now = host
        .now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (not_before, not_after) = (
        leaf.validity().not_before.timestamp(),
        leaf.validity().not_after.timestamp(),
    );
    let days_left = (not_after - now).div_euclid(86_400);
    let margin_days = spec.margin.as_secs() / 86_400;
    details.insert("subject".into(), json!(subject));
    details.insert("issuer".into(), json!(leaf.issuer().to_string()));
    details.insert("not_before".into(), json!(rfc3339(not_before)));
    details.insert("not_after".into(), json!(rfc3339(not_after)));
    details.insert("days_left".into(), json!(days_left));
    details.insert("margin_days".into(), json!(margin_days));
    details.insert("chain_length".into(), json!(certs.len()));
    let renew = "renew the certificate (with cert-manager, look at the `Certificate` resource's status and events)";
    if now < not_before {
        verdict.fail(
            format!(
                "the certificate for {subject} is not valid until {}",
                rfc3339(not_before)
            ),
            "serve a certificate that is valid now (and check the host's clock)",
        );
    } else if now > not_after {
        verdict.fail(
            format!(
                "the certificate for {subject} expired on {} ({} days ago)",
                rfc3339(not_after),
                -days_left
            ),
            renew,
        );
    } else if not_after - now < i64::try_from(spec.margin.as_secs()).unwrap_or(i64::MAX) {
        verdict.warn(
            format!("the certificate for {subject} expires on {}, in {days_left} days (margin {margin_days} days)", rfc3339(not_after)),
            renew,
        );
    }
    for (i, cert) in certs.iter().enumerate().skip(1) {
        let v = cert.validity();
        if now > v.not_after.timestamp() || now < v.not_before.timestamp() {
            verdict.fail(
                format!(
                    "certificate #{} of the chain ({}) is not valid now (valid {} to {})",
                    i + 1,
                    cert.subject(),
                    rfc3339(v.not_before.timestamp()),
                    rfc3339(v.not_after.timestamp())
                ),
                "serve the issuer's current intermediate certificate",
            );
        }
    }
    let key = key_path.display();
    let fix_key = "serve the private key the certificate was issued for (the `tls.key` of the same secret), in PEM";
    match read_text(host, key_path).map(|k| key_matches(&k, leaf)) {
        Err(e) => verdict.fail(format!("the key {key} cannot be read: {e}"), fix_key),
        Ok(Err(e)) => verdict.fail(format!("the key {key} {e}"), fix_key),
        Ok(Ok(KeyMatch::Matches)) => {}
        Ok(Ok(KeyMatch::Differs)) => verdict.fail(
            format!("the key {key} does not match the certificate's public key"),
            fix_key,
        ),
        Ok(Ok(KeyMatch::Unknown(why))) => verdict.warn(
            format!("cannot tell whether the key {key} matches the certificate: {why}"),
            "serve an unencrypted PKCS#8 key",
        ),
    }
    let fix_names = "issue the certificate with every served host name in its subjectAltName";
    match Names::of(leaf) {
        Err(e) => verdict.fail(format!("the certificate for {subject}: {e}"), fix_names),
        Ok(None) if !spec.hosts.is_empty() => verdict.fail(
            format!("the certificate for {subject} has no subjectAltName (clients ignore the CN)"),
            fix_names,
        ),
        Ok(None) => {}
        Ok(Some(names)) => {
            for wanted in &spec.hosts {
                if !names.covers(wanted) {
                    verdict.fail(
                        format!(
                            "the certificate does not cover {wanted} (it covers {})",
                            names.all().join(", ")
                        ),
                        fix_names,
                    );
                }
            }
            details.insert("sans".into(), json!(names.all()));
        }
    }
    details.insert("hosts".into(), json!(spec.hosts));
    if spec.hosts.is_empty() {
        verdict.warn(
            "no host names declared: which names the certificate covers is not checked",
            "declare the served names with `TlsSpec::host(\"api.example.com\")`",
        );
    }
    if let Some(i) = out_of_order(&certs) {
        verdict.warn(
            format!(
                "the chain is out of order: certificate #{i} is not issued by #{}",
                i + 1
            ),
            "put the leaf first, then each certificate's issuer",
        );
    }
    if spec.production && certs.len() == 1 && leaf.issuer().as_raw() == leaf.subject().as_raw() {
        verdict.warn(
            format!("the certificate for {subject} is self-signed"),
            "serve a certificate issued by a CA the clients trust",
        );
    }
    seen.push(format!(
        "the certificate for {subject} matches its key, covers {}, and expires on {} ({days_left} days left)",
        if spec.hosts.is_empty() { "no declared host".to_owned() } else { spec.hosts.join(", ") },
        rfc3339(not_after)
    ));
}

fn outbound(
    host: &dyn Host,
    spec: &TlsSpec,
    verdict: &mut Verdict,
    details: &mut Map<String, Value>,
    seen: &mut Vec<String>,
) {
    if spec.outbound.is_empty() {
        return;
    }
    let plain = if spec.production {
        Status::Fail
    } else {
        Status::Warn
    };
    let fix = "require TLS on the connection: `sslmode=verify-full` (PostgreSQL), `ssl-mode=VERIFY_IDENTITY` (MySQL), `rediss://`, `amqps://`";
    let mut rows = Vec::new();
    for out in &spec.outbound {
        let (shown, text) = match out {
            Outbound::Literal(url) => (
                redact_url(url.expose_secret()),
                Some(url.expose_secret().to_owned()),
            ),
            Outbound::Env(var) => match host.env(var).filter(|v| !v.is_empty()) {
                Some(url) => (format!("`{var}` ({})", redact_url(&url)), Some(url)),
                None => (format!("`{var}`"), None),
            },
        };
        let Some(text) = text else {
            verdict.warn(
                format!("the outbound URL variable {shown} is not set"),
                "set it, or remove it from the TlsSpec",
            );
            rows.push(json!({"url": shown, "tls": null}));
            continue;
        };
        let judged = judge(&text);
        let tls = match &judged {
            Tls::Required(how) => json!(how),
            Tls::Local(_) => json!("local"),
            _ => json!(false),
        };
        match judged {
            Tls::Required(_) | Tls::Local(_) => {}
            Tls::Missing(why) => verdict.add(
                plain,
                format!("the outbound URL {shown} allows plain text: {why}"),
                fix,
            ),
            Tls::Unknown(why) => verdict.warn(format!("the outbound URL {shown} {why}"), fix),
        }
        rows.push(json!({"url": shown, "tls": tls}));
    }
    seen.push(format!(
        "{} outbound URL(s) require TLS or stay local",
        rows.len()
    ));
    details.insert("outbound".into(), json!(rows));
}
