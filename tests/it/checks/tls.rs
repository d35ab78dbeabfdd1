//! Real-machine tests of `checks::tls`: certificates generated with rcgen, written to a temp
//! dir, read through `RealHost` on the real clock.

use prodready::checks::tls::{certificate_valid, TlsSpec};
use prodready::{Check, Context, RealHost, Status};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::time::{Duration, SystemTime};

/// A CA-signed chain for `names` valid from `from` to `to`, and the leaf's key, as PEM.
pub(crate) fn chain(names: &[&str], from: SystemTime, to: SystemTime) -> (String, String) {
    let ymd = |t: SystemTime| {
        let d = jiff::Timestamp::try_from(t)
            .unwrap()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        rcgen::date_time_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "Real CA");
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut leaf = CertificateParams::new(names).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, "svc");
    leaf.not_before = ymd(from);
    leaf.not_after = ymd(to);
    let leaf = leaf.signed_by(&key, &ca, &ca_key).unwrap();
    (leaf.pem() + &ca.pem(), key.serialize_pem())
}

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn real_files_on_the_real_clock() {
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    let (good, key) = chain(&["svc.example.com"], now - 2 * DAY, now + 90 * DAY);
    std::fs::write(dir.path().join("tls.crt"), &good).unwrap();
    std::fs::write(dir.path().join("tls.key"), &key).unwrap();
    let spec = TlsSpec::new()
        .certificate(dir.path().join("tls.crt"), dir.path().join("tls.key"))
        .host("svc.example.com");
    let o = certificate_valid()
        .spec(spec.clone())
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Pass, "{}", o.message());
    // An independent count: the leaf ends on the UTC midnight starting the day 90 days on.
    let end = jiff::Timestamp::try_from(now + 90 * DAY)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let end_secs = end
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second();
    let now_secs = jiff::Timestamp::try_from(now).unwrap().as_second();
    let left = o.details()["days_left"].as_i64().unwrap();
    assert!(
        (left - (end_secs - now_secs).div_euclid(86_400)).abs() <= 1,
        "{left}"
    );
    assert_eq!(o.details()["not_after"], format!("{end}T00:00:00Z"));

    let (expired, key) = chain(&["svc.example.com"], now - 60 * DAY, now - 3 * DAY);
    std::fs::write(dir.path().join("tls.crt"), &expired).unwrap();
    std::fs::write(dir.path().join("tls.key"), &key).unwrap();
    let o = certificate_valid()
        .spec(spec)
        .run(&Context::default())
        .await;
    assert_eq!(o.status(), Status::Fail);
    assert!(o.message().contains("expired on"), "{}", o.message());
}

#[tokio::test]
async fn a_rooted_real_host_reads_the_kubernetes_paths() {
    let root = tempfile::tempdir().unwrap();
    let now = SystemTime::now();
    let (pem, key) = chain(&["*.svc.cluster.local"], now - DAY, now + 10 * DAY);
    std::fs::create_dir_all(root.path().join("etc/tls")).unwrap();
    std::fs::write(root.path().join("etc/tls/tls.crt"), pem).unwrap();
    std::fs::write(root.path().join("etc/tls/tls.key"), key).unwrap();
    let spec = TlsSpec::new()
        .certificate("/etc/tls/tls.crt", "/etc/tls/tls.key")
        .host("api.svc.cluster.local");
    let ctx = Context::with_host(RealHost::with_root(root.path()));
    let o = certificate_valid().spec(spec).run(&ctx).await;
    // Ten days left is inside the default 14-day margin.
    assert_eq!(o.status(), Status::Warn, "{}", o.message());
    assert!(o.message().contains("margin 14 days"), "{}", o.message());
}
